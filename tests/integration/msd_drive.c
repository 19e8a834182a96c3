/*
 * A test driver for the virtual-media backends (hal/msd.h) until the Redfish resources use
 * them: runs the backend in a poll loop like bmcd's and follows a script from argv.
 *
 *   msd_drive [-s SOCKET] [-p PREFIX] [-t TIMEOUT_MS] [-b BUSY_MS] [-S (sim)] CMD...
 *   CMD: insert URL CDROM RW   prints {"insert": 0|1|-1, "err": ..}
 *        eject                 prints {"eject": 0|-1, "err": ..}
 *        wait                  runs until the state is not MSD_BUSY (at most 60 s)
 *        run MS                runs the loop for MS milliseconds
 *        status                prints the status as one JSON line
 * Every change of seq is printed as a status line too ({"seq": .., "state": ..}).
 * Built by `make build/tests/msd_drive` (ASan+UBSan), used by test_fake_kvmd_msd.py.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../hal/msd.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void logcb(void *ctx, int level, const char *fmt, ...)
{
	va_list ap;
	(void)ctx;
	fprintf(stderr, "<%d>", level);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
}

static void jstr(const char *k, const char *v, bool last)
{
	printf("\"%s\": \"", k);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			printf("\\%c", *v);
		else if ((unsigned char)*v < 0x20)
			printf("\\u%04x", (unsigned char)*v);
		else
			putchar(*v);
	}
	printf("\"%s", last ? "}\n" : ", ");
}

static const char *const states[] = { "empty", "busy", "inserted", "failed" };
static uint32_t last_seq = UINT32_MAX;

static void print_status(struct msd *m)
{
	struct msd_status s;
	m->ops->status(m, &s);
	last_seq = s.seq;
	printf("{\"seq\": %u, \"state\": \"%s\", \"inserting\": %s, \"online\": %s, \"connected\": %s, "
	       "\"cdrom\": %s, \"rw\": %s, \"size\": %llu, \"written\": %llu, ",
	       s.seq, states[s.state], s.inserting ? "true" : "false", s.online ? "true" : "false",
	       s.connected ? "true" : "false", s.cdrom ? "true" : "false", s.rw ? "true" : "false",
	       (unsigned long long)s.size, (unsigned long long)s.written);
	jstr("url", s.url, false);
	jstr("image", s.image, false);
	jstr("error", s.error, true);
	fflush(stdout);
}

static void run(struct msd *m, int64_t until, bool to_idle)
{
	for (;;) {
		struct msd_status s;
		m->ops->status(m, &s);
		if (s.seq != last_seq)
			print_status(m);
		int64_t now = now_ms();
		if (now >= until || (to_idle && s.state != MSD_BUSY))
			return;
		struct pollfd p[4];
		int n = m->ops->fds(m, p, 4);
		int64_t d = m->ops->deadline(m);
		if (d > until)
			d = until;
		int wait = d <= now ? 0 : (int)(d - now);
		if (wait > 1000)
			wait = 1000;
		int r = poll(p, (nfds_t)n, wait);
		short rev = 0;
		for (int i = 0; r > 0 && i < n; i++)
			rev |= p[i].revents;
		m->ops->service(m, now_ms(), rev);
	}
}

int main(int argc, char **argv)
{
	struct msd_kvmd_cfg kc = { .socket = "/run/kvmd/kvmd.sock", .log = logcb, .poll_ms = 300,
				   .remote_timeout_s = 5, .stall_ms = 10000 };
	struct msd_sim_cfg sc = { .rate_kib_s = 65536, .size = 8 << 20, .step_ms = 20, .log = logcb };
	bool sim = false;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-S"))
			sim = true;
		else if (i + 1 < argc && !strcmp(argv[i], "-s"))
			kc.socket = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "-p"))
			kc.prefix = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "-t"))
			kc.timeout_ms = (uint32_t)atoi(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "-b"))
			kc.busy_ms = (uint32_t)atoi(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "-u"))
			kc.user = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "-P"))
			kc.passwd = argv[++i];
		else
			return 2;
	}
	struct msd *m = sim ? msd_sim_new(&sc, now_ms()) : msd_kvmd_new(&kc, now_ms());
	if (!m)
		return 1;
	for (; i < argc; i++) {
		char err[200] = "";
		if (!strcmp(argv[i], "insert") && i + 3 < argc) {
			int r = m->ops->insert(m, argv[i + 1], atoi(argv[i + 2]) != 0, atoi(argv[i + 3]) != 0,
					       now_ms(), err, sizeof(err));
			printf("{\"insert\": %d, ", r);
			jstr("err", err, true);
			i += 3;
		} else if (!strcmp(argv[i], "eject")) {
			int r = m->ops->eject(m, now_ms(), err, sizeof(err));
			printf("{\"eject\": %d, ", r);
			jstr("err", err, true);
		} else if (!strcmp(argv[i], "wait")) {
			run(m, now_ms() + 60000, true);
		} else if (!strcmp(argv[i], "run") && i + 1 < argc) {
			run(m, now_ms() + atoi(argv[++i]), false);
		} else if (!strcmp(argv[i], "status")) {
			print_status(m);
		} else if (!strcmp(argv[i], "cd") && sim) {
			const char *cd = msd_sim_cd(m);
			printf("{");
			jstr("cd", cd ? cd : "", true);
		} else {
			fprintf(stderr, "msd_drive: bad command %s\n", argv[i]);
			return 2;
		}
		fflush(stdout);
	}
	m->ops->destroy(m);
	return 0;
}
