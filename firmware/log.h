/* Logging to stderr. Under systemd (JOURNAL_STREAM set) lines carry a <N> syslog level
 * prefix that journald understands; on a terminal they carry a timestamp instead. Never
 * blocks for long: stderr is a pipe to journald or a tty. */
#ifndef BMCD_LOG_H
#define BMCD_LOG_H

enum { LOG_ERR = 3, LOG_WARN = 4, LOG_NOTICE = 5, LOG_INFO = 6, LOG_DEBUG = 7 };

extern int log_level; /* messages above this level are not printed */
void log_init(void);
/* Also hands every line at level <= LOG_INFO (whatever log_level says) to sink, without
 * the timestamp prefix: the BMC's own log (proto/bmclog.h). */
void log_set_sink(void (*sink)(void *ctx, int level, const char *line), void *ctx);
void logf_(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adapter with a context pointer, for the protocol engines' log callbacks. */
void log_cb(void *ctx, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same for one host's engines: ctx is a label put before the line ("host b: ..."), or
 * NULL for none. */
void log_host_cb(void *ctx, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define log_err(...) logf_(LOG_ERR, __VA_ARGS__)
#define log_warn(...) logf_(LOG_WARN, __VA_ARGS__)
#define log_notice(...) logf_(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) logf_(LOG_INFO, __VA_ARGS__)
#define log_debug(...) logf_(LOG_DEBUG, __VA_ARGS__)

#endif
