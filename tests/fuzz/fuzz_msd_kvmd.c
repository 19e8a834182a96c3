/*
 * fuzz_msd_kvmd: kvmd's answers to the virtual-media backend (hal/msd_kvmd.c): GET /msd
 * states, POST answers, and write_remote's chunked NDJSON stream.
 *
 * Like fuzz_kvmd: a fake kvmd listens on a unix socket in a private temporary directory;
 * the backend is created for every input, asked to insert (an URL with credentials) or
 * eject, and driven the way the poll loop drives it; for each request the harness accepts
 * the connection, checks the request is one valid HTTP/1.1 request, answers with bytes from
 * the input and closes.
 *
 * Input: up to EXCHANGES answers separated by FA DE D5 + a control byte (the first answer
 * has control byte 0): bit 0 ask for an eject before this exchange (else: an insert, when
 * none runs), bit 1 CD-ROM, bit 2 let the request time out, bits 4-5 move the clock.
 * Checks: at most one descriptor; status texts are terminated and printable, without the
 * URL's password; and once kvmd stops answering, the operation ends (no hang).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../hal/msd.h"
#include "../../proto/http.h"
#include "fuzz_common.h"

#define EXCHANGES 10

static char dir[64], sock_path[128];
static int lfd = -1;

static void cleanup(void)
{
	if (lfd >= 0)
		close(lfd);
	unlink(sock_path);
	rmdir(dir);
}

static void logcb(void *ctx, int level, const char *fmt, ...)
{
	char m[512];
	va_list ap;
	(void)ctx;
	(void)level;
	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	FUZZ_ASSERT(!strstr(m, "hunter2"), "password in a log line: %s", m);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *tmp = getenv("TMPDIR");
	if (!tmp || strlen(tmp) >= 30)
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/bmcd-fuzz-msd-XXXXXX", tmp);
	FUZZ_ASSERT(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	snprintf(sock_path, sizeof(sock_path), "%s/kvmd.sock", dir);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	memcpy(sa.sun_path, sock_path, strlen(sock_path));
	FUZZ_ASSERT(lfd >= 0 && bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
			    listen(lfd, 8) == 0,
		    "fake kvmd socket: %s", strerror(errno));
	atexit(cleanup);
	return 0;
}

static void check_request(int c)
{
	char req[8192];
	size_t n = 0;
	for (int i = 0; i < 8 && n < sizeof(req); i++) {
		ssize_t r = recv(c, req + n, sizeof(req) - n, MSG_DONTWAIT);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	struct http_request rq;
	int r = http_parse(req, n, &rq);
	FUZZ_ASSERT(r > 0 && (size_t)r == n, "the backend sent a bad request (%d): %.*s", r, (int)n,
		    req);
	FUZZ_ASSERT(rq.method == HTTP_GET || rq.method == HTTP_POST, "method");
	FUZZ_ASSERT(!memmem(req, n, "hunter2", 7) || memmem(req, n, "write_remote", 12),
		    "the URL's password outside write_remote");
}

static void check_status(struct msd *m)
{
	struct msd_status s;
	m->ops->status(m, &s);
	FUZZ_ASSERT(s.state <= MSD_FAILED, "state %d", s.state);
	const char *texts[] = { s.url, s.image, s.error };
	size_t caps[] = { sizeof(s.url), sizeof(s.image), sizeof(s.error) };
	for (int i = 0; i < 3; i++) {
		FUZZ_ASSERT(memchr(texts[i], 0, caps[i]), "text %d not terminated", i);
		for (const char *p = texts[i]; *p; p++)
			FUZZ_ASSERT(*p >= 0x20 && *p < 0x7F, "text %d byte %02x", i, (unsigned char)*p);
		FUZZ_ASSERT(!strstr(texts[i], "hunter2"), "password in status: %s", texts[i]);
	}
	struct pollfd fds[2];
	FUZZ_ASSERT(m->ops->fds(m, fds, 2) <= 1, "more than one descriptor");
}

/* One exchange: the backend's request, answered with p[0..n) (or not, when hang). */
static void exchange(struct msd *m, int64_t *now, const uint8_t *p, size_t n, bool hang)
{
	int64_t d = m->ops->deadline(m);
	if (d > *now && d != INT64_MAX)
		*now = d;
	m->ops->service(m, *now, 0);
	int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c < 0)
		return;
	m->ops->service(m, *now, POLLOUT);
	check_request(c);
	if (hang) {
		*now += 600001; /* past any deadline of the backend's */
		m->ops->service(m, *now, 0);
	} else {
		for (size_t off = 0; off < n;) {
			ssize_t w = send(c, p + off, n - off, MSG_NOSIGNAL);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
	}
	close(c);
	*now += 1;
	for (int i = 0; i < 4; i++)
		m->ops->service(m, *now, POLLIN);
	check_status(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mark[3] = { 0xFA, 0xDE, 0xD5 };
	int64_t now = 1000000;
	struct msd_kvmd_cfg cfg = { .socket = sock_path, .user = "bmcd", .passwd = "pw",
				    .timeout_ms = 3000, .poll_ms = 5000, .busy_ms = 2000,
				    .log = logcb };
	struct msd *m = msd_kvmd_new(&cfg, now);
	FUZZ_ASSERT(m, "msd_kvmd_new");
	const uint8_t *p = data, *end = data + size;
	uint8_t ctl = 0;
	for (int k = 0; k < EXCHANGES && p <= end; k++) {
		const uint8_t *mk = memmem(p, (size_t)(end - p), mark, sizeof(mark));
		const uint8_t *stop = mk ? mk : end;
		struct msd_status s;
		m->ops->status(m, &s);
		char err[160];
		if (ctl & 1)
			(void)m->ops->eject(m, now, err, sizeof(err));
		else if (s.state != MSD_BUSY)
			(void)m->ops->insert(m, "http://joe:hunter2@images.example/isos/debian 12.iso?x=1",
					     ctl & 2, !(ctl & 2), now, err, sizeof(err));
		exchange(m, &now, p, (size_t)(stop - p), ctl & 4);
		now += (int64_t)((ctl >> 4) & 3) * 20000;
		if (!mk || mk + 3 >= end)
			break;
		ctl = mk[3];
		p = mk + 4;
	}
	/* kvmd stops answering (accepts and closes): whatever runs must end */
	for (int i = 0; i < 2 * 32 + 8; i++) {
		struct msd_status s;
		m->ops->status(m, &s);
		if (s.state != MSD_BUSY)
			break;
		exchange(m, &now, NULL, 0, false);
	}
	struct msd_status s;
	m->ops->status(m, &s);
	FUZZ_ASSERT(s.state != MSD_BUSY, "the operation does not end when kvmd stops answering");
	m->ops->destroy(m);
	return 0;
}
