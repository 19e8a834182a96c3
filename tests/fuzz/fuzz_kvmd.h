/*
 * The fake kvmd the kvmd backends' harnesses share (fuzz_kvmd.c: the ATX backend,
 * fuzz_msd_kvmd.c: virtual media): a unix socket in a private temporary directory (made
 * once, removed at exit; no network) that accepts the backend's connections; the request
 * on each must be one complete, valid HTTP/1.1 GET or POST; the answer is bytes from the
 * fuzz input.
 */
#ifndef BMCD_FUZZ_KVMD_H
#define BMCD_FUZZ_KVMD_H

#include <errno.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../proto/http.h"
#include "fuzz_common.h"

static char fk_dir[64], fk_sock_path[128];
static int fk_lfd = -1;

static inline void fk_cleanup(void)
{
	if (fk_lfd >= 0)
		close(fk_lfd);
	unlink(fk_sock_path);
	rmdir(fk_dir);
}

/* Listens on <TMPDIR>/<name>-XXXXXX/kvmd.sock (the backend's cfg.socket: fk_sock_path). */
static inline void fk_listen(const char *name)
{
	const char *tmp = getenv("TMPDIR");
	if (!tmp || strlen(tmp) >= 30)
		tmp = "/tmp";
	snprintf(fk_dir, sizeof(fk_dir), "%s/%s-XXXXXX", tmp, name);
	FUZZ_ASSERT(mkdtemp(fk_dir), "mkdtemp: %s", strerror(errno));
	snprintf(fk_sock_path, sizeof(fk_sock_path), "%s/kvmd.sock", fk_dir);
	fk_lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	memcpy(sa.sun_path, fk_sock_path, strlen(fk_sock_path));
	FUZZ_ASSERT(fk_lfd >= 0 && bind(fk_lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
			    listen(fk_lfd, 8) == 0,
		    "fake kvmd socket: %s", strerror(errno));
	atexit(fk_cleanup);
}

/* Reads the request the backend sent on c into req (cap bytes); it must be one complete,
 * valid GET or POST. Returns its length. */
static inline size_t fk_request(int c, char *req, size_t cap)
{
	size_t n = 0;
	for (int i = 0; i < 8 && n < cap; i++) {
		ssize_t r = recv(c, req + n, cap - n, MSG_DONTWAIT);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	struct http_request rq;
	int r = http_parse(req, n, &rq);
	FUZZ_ASSERT(r > 0 && (size_t)r == n, "the backend sent a bad request (%d): %.*s", r, (int)n,
		    req);
	FUZZ_ASSERT(rq.method == HTTP_GET || rq.method == HTTP_POST, "method");
	return n;
}

/* Sends the answer p[0..n) on c; what the socket buffer does not take is lost. */
static inline void fk_answer(int c, const uint8_t *p, size_t n)
{
	for (size_t off = 0; off < n;) {
		ssize_t w = send(c, p + off, n - off, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
}

#endif
