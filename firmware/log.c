#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int log_level = LOG_INFO;
static int journal;
static void (*sink)(void *ctx, int level, const char *line);
static void *sink_ctx;

void log_set_sink(void (*fn)(void *ctx, int level, const char *line), void *ctx)
{
	sink = fn;
	sink_ctx = ctx;
}

void log_init(void)
{
	journal = getenv("JOURNAL_STREAM") != NULL;
}

static void vlog(int level, const char *fmt, va_list ap)
{
	char buf[512];
	int n;
	if (sink && level <= LOG_INFO) {
		va_list cp;
		va_copy(cp, ap);
		if (vsnprintf(buf, sizeof(buf), fmt, cp) >= 0)
			sink(sink_ctx, level, buf);
		va_end(cp);
	}
	if (level > log_level)
		return;
	if (journal) {
		n = snprintf(buf, sizeof(buf), "<%d>", level);
	} else {
		struct timespec ts;
		struct tm tm;
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		n = snprintf(buf, sizeof(buf), "%02d:%02d:%02d.%03ld bmcd: ", tm.tm_hour, tm.tm_min,
			     tm.tm_sec, ts.tv_nsec / 1000000);
	}
	if (n < 0)
		return;
	int m = vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	if (m < 0)
		return;
	size_t len = (size_t)n + (size_t)m;
	if (len > sizeof(buf) - 2)
		len = sizeof(buf) - 2;
	buf[len++] = '\n';
	ssize_t r = write(2, buf, len);
	(void)r;
}

void logf_(int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

void log_host_cb(void *ctx, int level, const char *fmt, ...)
{
	char line[480];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (ctx)
		logf_(level, "%s: %s", (const char *)ctx, line);
	else
		logf_(level, "%s", line);
}

void log_cb(void *ctx, int level, const char *fmt, ...)
{
	(void)ctx;
	va_list ap;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}
