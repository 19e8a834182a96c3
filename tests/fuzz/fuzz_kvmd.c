/*
 * fuzz_kvmd: kvmd's answers to the ATX backend (hal/atx_kvmd.c): the HTTP status line,
 * head and JSON body of GET /atx, and the answers to POST /atx/click.
 *
 * A fake kvmd listens on a unix socket in a private temporary directory (made once,
 * removed at exit; no network). The backend is created for every input and driven
 * through its ops the way the poll loop drives it; for each exchange the harness accepts
 * its connection, checks the request it sent is valid HTTP/1.1, answers with bytes from the
 * input and closes, then lets the backend read the answer.
 *
 * Input: up to EXCHANGES answers separated by FA DE D5 + a control byte (the first answer
 * has control byte 0): bit 0 press the power button first (bit 1: reset, bit 2: a long
 * press), bit 3 let the request time out instead of answering, bits 4-5 move the clock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../hal/atx.h"
#include "../../proto/http.h"
#include "fuzz_common.h"

#define EXCHANGES 6

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
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *tmp = getenv("TMPDIR");
	if (!tmp || strlen(tmp) >= 30)
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/bmcd-fuzz-kvmd-XXXXXX", tmp);
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

/* Reads the request the backend sent on c; it must be one complete, valid request. */
static void check_request(int c)
{
	char req[1024];
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
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mark[3] = { 0xFA, 0xDE, 0xD5 };
	int64_t now = 1000000;
	struct atx_kvmd_cfg cfg = { .socket = sock_path, .user = "bmcd", .passwd = "secret",
				    .poll_ms = 1000, .timeout_ms = 3000, .long_ms = 4000,
				    .log = logcb };
	struct atx *a = atx_kvmd_new(&cfg, now);
	FUZZ_ASSERT(a, "atx_kvmd_new");
	const uint8_t *p = data, *end = data + size;
	uint8_t ctl = 0;
	for (int k = 0; k < EXCHANGES && p <= end; k++) {
		const uint8_t *m = memmem(p, (size_t)(end - p), mark, sizeof(mark));
		const uint8_t *stop = m ? m : end;
		if (ctl & 3)
			a->ops->press(a, (ctl & 2) ? ATX_RESET : ATX_POWER, true,
				      (ctl & 4) ? 5000 : 200, now);
		int64_t d = a->ops->deadline(a);
		if (d > now)
			now = d;
		a->ops->service(a, now, 0); /* connects and sends its request */
		int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c >= 0) {
			a->ops->service(a, now, POLLOUT); /* the rest of the request, if any */
			check_request(c);
			if (ctl & 8) {
				/* kvmd hangs: the request's deadline passes first */
				now += 3001;
				a->ops->service(a, now, 0);
			} else {
				size_t n = (size_t)(stop - p);
				for (size_t off = 0; off < n;) {
					ssize_t w = send(c, p + off, n - off, MSG_NOSIGNAL);
					if (w <= 0)
						break; /* the socket buffer is full: the rest is lost */
					off += (size_t)w;
				}
			}
			close(c);
		}
		now += 1;
		for (int i = 0; i < 4; i++)
			a->ops->service(a, now, POLLIN);
		struct pollfd fds[2];
		FUZZ_ASSERT(a->ops->fds(a, fds, 2) <= 1, "more than one descriptor");
		(void)a->ops->leds(a);
		(void)a->ops->available(a);
		now += (int64_t)((ctl >> 4) & 3) * 20000;
		if (!m || m + 3 >= end)
			break;
		ctl = m[3];
		p = m + 4;
	}
	a->ops->destroy(a);
	return 0;
}
