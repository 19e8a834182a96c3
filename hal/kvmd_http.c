/* Non-blocking HTTP requests over kvmd's unix socket: see kvmd_http.h. */
#include "kvmd_http.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

bool kvmd_http_init(struct kvmd_http *c, const char *socket, const char *user,
		    const char *passwd)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (!socket || strlen(socket) >= sizeof(c->socket)) {
		fprintf(stderr, "kvmd: socket path too long: %s\n", socket ? socket : "(none)");
		return false;
	}
	snprintf(c->socket, sizeof(c->socket), "%s", socket);
	snprintf(c->user, sizeof(c->user), "%s", user ? user : "");
	snprintf(c->passwd, sizeof(c->passwd), "%s", passwd ? passwd : "");
	return true;
}

void kvmd_http_close(struct kvmd_http *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->st = KH_IDLE;
}

bool kvmd_http_busy(const struct kvmd_http *c) { return c->st != KH_IDLE; }

static int fail(struct kvmd_http *c, const char *why)
{
	snprintf(c->err, sizeof(c->err), "%s", why);
	kvmd_http_close(c);
	return -1;
}

bool kvmd_http_start(struct kvmd_http *c, const char *method, const char *target,
		     int64_t deadline, httpc_data_fn body, void *ctx)
{
	const char *socket_path = c->socket, *user = c->user, *passwd = c->passwd;
	kvmd_http_close(c);
	c->err[0] = 0;
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	size_t pl = strlen(socket_path);
	if (pl >= sizeof(sa.sun_path)) {
		fail(c, "socket path too long");
		return false;
	}
	memcpy(sa.sun_path, socket_path, pl);
	bool auth = user && user[0];
	int n = snprintf(c->req, sizeof(c->req),
			 "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n%s%s%s%s%s%s\r\n",
			 method, target, !strcmp(method, "POST") ? "Content-Length: 0\r\n" : "",
			 auth ? "X-KVMD-User: " : "", auth ? user : "", auth ? "\r\nX-KVMD-Passwd: " : "",
			 auth ? (passwd ? passwd : "") : "", auth ? "\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof(c->req)) {
		fail(c, "request too long");
		return false;
	}
	c->reqlen = (size_t)n;
	c->reqoff = 0;
	c->headlen = 0;
	c->body_got = 0;
	memset(&c->h, 0, sizeof(c->h));
	httpc_chunked_init(&c->ch);
	c->deadline = deadline;
	c->body = body;
	c->ctx = ctx;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		fail(c, strerror(errno));
		return false;
	}
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno == EINPROGRESS || errno == EAGAIN) {
			c->st = KH_CONNECTING;
			return true;
		}
		fail(c, strerror(errno));
		return false;
	}
	c->st = KH_SENDING;
	return true;
}

int kvmd_http_fds(const struct kvmd_http *c, struct pollfd *out, int max)
{
	if (c->fd < 0 || c->st == KH_IDLE || max < 1)
		return 0;
	bool in = c->st == KH_HEAD || c->st == KH_BODY;
	out[0] = (struct pollfd){ c->fd, in ? POLLIN : POLLOUT, 0 };
	return 1;
}

/* Body bytes: 1 the body is complete, 0 more to come, -1 failed. */
static int body(struct kvmd_http *c, const char *p, size_t n)
{
	if (c->h.chunked) {
		while (n && c->ch.st != HC_DONE && c->ch.st != HC_ERROR) {
			struct httpc_chunked *ch = &c->ch;
			size_t used = httpc_chunked_feed(ch, p, n, c->body, c->ctx);
			if (used < n && ch->st != HC_DONE && ch->st != HC_ERROR)
				return fail(c, "answer refused");
			p += used;
			n -= used;
		}
		if (c->ch.st == HC_ERROR)
			return fail(c, "bad chunked framing");
		return c->ch.st == HC_DONE;
	}
	if (c->h.has_length && c->body_got + n > c->h.content_length)
		n = (size_t)(c->h.content_length - c->body_got);
	c->body_got += n;
	if (n && !c->body(c->ctx, p, n))
		return fail(c, "answer refused");
	return c->h.has_length && c->body_got == c->h.content_length;
}

static int done(struct kvmd_http *c)
{
	kvmd_http_close(c);
	return 1;
}

int kvmd_http_pump(struct kvmd_http *c, int64_t now)
{
	if (c->st == KH_IDLE)
		return -1;
	if (now >= c->deadline)
		return fail(c, "no answer in time");
	if (c->st == KH_CONNECTING) {
		int err = 0;
		socklen_t el = sizeof(err);
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err)
			return fail(c, strerror(err ? err : errno));
		c->st = KH_SENDING;
	}
	if (c->st == KH_SENDING) {
		ssize_t w = send(c->fd, c->req + c->reqoff, c->reqlen - c->reqoff, MSG_NOSIGNAL);
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return fail(c, strerror(errno));
		if (w > 0)
			c->reqoff += (size_t)w;
		if (c->reqoff < c->reqlen)
			return 0;
		c->st = KH_HEAD;
	}
	for (int rounds = 0; rounds < 64; rounds++) {
		char buf[4096];
		char *dst = c->st == KH_HEAD ? c->head + c->headlen : buf;
		size_t cap = c->st == KH_HEAD ? sizeof(c->head) - c->headlen : sizeof(buf);
		if (!cap)
			return fail(c, "answer head too long");
		ssize_t r = recv(c->fd, dst, cap, 0);
		if (r < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : fail(c, strerror(errno));
		if (r == 0) {
			if (c->st == KH_HEAD)
				return fail(c, c->headlen ? "answer cut short" : "connection closed");
			if (c->h.chunked || c->h.has_length)
				return fail(c, "answer cut short");
			return done(c); /* the body ends with the connection */
		}
		if (c->st == KH_HEAD) {
			c->headlen += (size_t)r;
			int hl = httpc_head(c->head, c->headlen, &c->h);
			if (hl < 0)
				return fail(c, "answer not understood");
			if (hl == 0)
				continue;
			c->st = KH_BODY;
			if (c->h.has_length && c->h.content_length == 0)
				return done(c);
			int b = body(c, c->head + hl, c->headlen - (size_t)hl);
			if (b)
				return b < 0 ? -1 : done(c);
			continue;
		}
		int b = body(c, buf, (size_t)r);
		if (b)
			return b < 0 ? -1 : done(c);
	}
	return 0;
}
