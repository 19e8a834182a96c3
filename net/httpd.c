/*
 * HTTP/1.1 server over plain TCP and TLS.
 *
 * Implementation notes
 * - Every connection slot owns fixed buffers allocated at start-up: the request bytes
 *   (head + body limits), one response, and (for TLS) a BearSSL engine with its buffer.
 *   Untouched pages of these buffers cost no resident memory.
 * - One request at a time per connection: the next pipelined request is parsed when the
 *   previous response has been written, so responses leave in order.
 * - Deadlines instead of sleeps: a request must arrive whole within header_timeout_ms of
 *   its first byte (or of the connection), a connection with nothing to do closes after
 *   idle_timeout_ms, and a client that stops reading its response gets the same.
 * - A full pool never starves newcomers and never thrashes. A newcomer takes the slot of
 *   a connection that is lingering after its last answer, else of the oldest one still
 *   trickling in a request head (slowloris goes first), else of a keep-alive connection
 *   idle for IDLE_EVICT_MS. A connection merely between two requests is never evicted:
 *   when every slot does real work, the listener leaves the poll set (the kernel queues
 *   the newcomers) and the connection served longest (at least a turn) answers its
 *   next request with `Connection: close`; the freed slot goes to the next in the queue.
 *   So with more clients than slots they take turns and throughput stays that of a full
 *   pool (measured in `make bench`, docs/PERFORMANCE.md).
 * - Lingering close: after an answer that ends the connection (an error before the body
 *   was read, or `Connection: close`), the write side is shut and whatever the client is
 *   still sending is read and dropped for at most LINGER_MS (LINGER_IDLE_MS of silence),
 *   so the client finishes sending and reads the answer instead of a reset.
 * - SSE streams share the response buffer: events are appended; a stream with no room for
 *   the next event is closed rather than allowed to hold the loop back.
 */
#include "httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum cstate { C_FREE = 0, C_ACTIVE, C_SSE, C_CLOSING };

#define LISTEN_BACKLOG 1024	/* newcomers wait here while every slot does real work */
#define EVICT_AFTER_MS 200	/* a request head still incomplete after this may be evicted */
#define IDLE_EVICT_MS 500	/* a keep-alive connection idle this long may be evicted */
#define TURN_WAIT_MS 1500	/* with clients waiting, turns come round within about this */
#define TURN_MIN_MS 100		/* a connection is served at least this long, */
#define TURN_MAX_MS 2000	/* and need not wait longer than this to take turns */
#define LINGER_MS 5000		/* lingering close: at most this long ... */
#define LINGER_IDLE_MS 1000	/* ... and this long without input */

struct hconn {
	struct httpd_io io;
	uint8_t state;
	bool tls, close_after, sent_continue, got_request, peer_done;
	int fd, handle;
	struct tls_conn *t;
	char *in, *out;
	size_t inlen, outlen, outoff;
	bool rotate;		/* others wait for a slot: close after the next answer */
	int64_t started;	/* first byte of the current request (or accept time) */
	int64_t last_active;	/* last progress in either direction */
	int64_t accepted;	/* accept time (turns among clients when the pool is full) */
	int64_t linger_end;	/* C_CLOSING: drop input until then */
	struct rf_conn info;
};

static void set_events(struct httpd *h, struct hconn *c);
static void conn_event(struct httpd *h, struct hconn *c, short revents, int64_t now);

int httpd_init(struct httpd *h, const struct httpd_cfg *cfg, struct tls_ctx *tls,
	       httpd_handler handle, httpd_error error, void *hctx, const struct httpd_poll *poll)
{
	memset(h, 0, sizeof(*h));
	h->cfg = *cfg;
	h->tls_ctx = tls;
	h->handle = handle;
	h->error = error;
	h->hctx = hctx;
	h->poll = *poll;
	size_t n = cfg->max_conns;
	h->conns = calloc(n, sizeof(struct hconn));
	char *in = calloc(n, HTTPD_IN_MAX);
	char *out = calloc(n, HTTPD_OUT_MAX);
	if (tls)
		h->tls = calloc(n, sizeof(struct tls_conn));
	if (!h->conns || !in || !out || (tls && !h->tls))
		return -1;
	for (size_t i = 0; i < n; i++) {
		h->conns[i].in = in + i * HTTPD_IN_MAX;
		h->conns[i].out = out + i * HTTPD_OUT_MAX;
		h->conns[i].fd = -1;
		h->conns[i].handle = -1;
		h->conns[i].t = tls ? &h->tls[i] : NULL;
		h->conns[i].io = (struct httpd_io){ h, false };
	}
	return 0;
}

int httpd_listen(struct httpd *h, const char *addr, uint16_t port, bool tls, char *err,
		 size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	if (h->nls >= HTTPD_LISTEN_MAX) {
		snprintf(err, errlen, "too many listeners");
		return -1;
	}
	if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		len = sizeof(*a4);
	} else if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		len = sizeof(*a6);
	} else {
		snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address", addr);
		return -1;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	int one = 1, zero = 0;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
		snprintf(err, errlen, "listen on %s port %u: %s", addr, port, strerror(errno));
		close(fd);
		return -1;
	}
	struct httpd_listener *l = &h->ls[h->nls++];
	l->io = (struct httpd_io){ h, true };
	l->fd = fd;
	l->tls = tls;
	l->handle = h->poll.add(h->poll.ctx, fd, POLLIN, &l->io);
	return 0;
}

/* --- connections ------------------------------------------------------------------------ */

static void peer_info(struct hconn *c, const struct sockaddr_storage *ss)
{
	memset(c->info.addr, 0, 16);
	c->info.sse_session = 0;
	c->info.sse_stamp = 0;
	c->info.sse_user[0] = 0;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
		c->info.addr[10] = c->info.addr[11] = 0xFF;
		memcpy(c->info.addr + 12, &a->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		memcpy(c->info.addr, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	}
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF };
	static const uint8_t v6lo[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	c->info.loopback = (memcmp(c->info.addr, mapped, 12) == 0 && c->info.addr[12] == 127) ||
			   memcmp(c->info.addr, v6lo, 16) == 0;
}

static void conn_free(struct httpd *h, struct hconn *c)
{
	if (c->state == C_FREE)
		return;
	if (c->t && c->tls)
		tls_close(c->t, c->fd);
	if (c->handle >= 0)
		h->poll.del(h->poll.ctx, c->handle);
	if (c->fd >= 0)
		close(c->fd);
	if (c->state == C_SSE)
		h->nsse--;
	c->state = C_FREE;
	c->fd = c->handle = -1;
	c->inlen = c->outlen = c->outoff = 0;
	h->nconns--;
	for (int i = 0; i < h->nls; i++) { /* room again: accept */
		if (h->ls[i].paused) {
			h->ls[i].paused = false;
			h->poll.set(h->poll.ctx, h->ls[i].handle, POLLIN);
		}
	}
}

/* Frees a slot for a newcomer: a lingering connection first, else the oldest connection
 * still sending its request head after EVICT_AFTER_MS, else a keep-alive connection idle
 * for IDLE_EVICT_MS. When more than half the pool is incomplete connections (slowloris),
 * the oldest of them goes whatever its age: real clients send a whole request head at
 * once, so only the trickle loses. */
static bool evict(struct httpd *h, int64_t now)
{
	struct hconn *idle = NULL, *slow = NULL, *oldest = NULL, *closing = NULL;
	int incomplete = 0;
	for (int i = 0; i < h->cfg.max_conns; i++) {
		struct hconn *c = &h->conns[i];
		if (c->state == C_CLOSING) {
			closing = c;
			continue;
		}
		if (c->state != C_ACTIVE || c->outlen)
			continue;
		if (c->got_request && c->inlen == 0) {
			if (now - c->last_active >= IDLE_EVICT_MS &&
			    (!idle || c->last_active < idle->last_active))
				idle = c;
			continue;
		}
		if (c->accepted == now && c->inlen == 0)
			continue; /* accepted in this round: it has not had a chance to send yet */
		incomplete++;
		if (!oldest || c->started < oldest->started)
			oldest = c;
		if (now - c->started >= EVICT_AFTER_MS && (!slow || c->started < slow->started))
			slow = c;
	}
	struct hconn *v = closing ? closing : slow ? slow : idle ? idle :
			  incomplete * 2 > h->cfg.max_conns ? oldest : NULL;
	if (!v)
		return false;
	if (v != closing)
		h->evicted++;
	conn_free(h, v);
	return true;
}

/* Every slot does real work and newcomers wait: the connection served longest (at least a
 * turn) closes after its next answer, so clients take turns, one at a time. A turn is as
 * long as lets everyone waiting in the listener's queue (the kernel counts them) in within
 * TURN_WAIT_MS, between TURN_MIN_MS and TURN_MAX_MS: few waiters, few reconnects (each
 * costs a TLS handshake over HTTPS); many, shorter turns. */
static void take_turns(struct httpd *h, struct httpd_listener *l, int64_t now)
{
	struct tcp_info ti;
	socklen_t tl = sizeof(ti);
	uint32_t waiting = 1;
	if (getsockopt(l->fd, IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0 && ti.tcpi_unacked > 1)
		waiting = ti.tcpi_unacked; /* on a listening socket: its accept queue */
	int64_t turn = (int64_t)TURN_WAIT_MS * h->cfg.max_conns / waiting;
	h->turn_ms = turn < TURN_MIN_MS ? TURN_MIN_MS : turn > TURN_MAX_MS ? TURN_MAX_MS : turn;
	struct hconn *v = NULL;
	for (int i = 0; i < h->cfg.max_conns; i++) {
		struct hconn *c = &h->conns[i];
		if (c->state != C_ACTIVE || c->close_after)
			continue;
		if (c->rotate)
			return; /* one turn in progress */
		if (c->got_request && now - c->accepted >= h->turn_ms &&
		    (!v || c->accepted < v->accepted))
			v = c;
	}
	if (v)
		v->rotate = true;
}

static void drain(struct httpd *h, struct hconn *c, int64_t now);

static void accept_some(struct httpd *h, struct httpd_listener *l, int64_t now)
{
	/* lingering connections whose client has closed free their slots first, so a client
	 * that closes and reconnects gets the slot (and the buffer pages) it had */
	for (int i = 0; i < h->cfg.max_conns; i++)
		if (h->conns[i].state == C_CLOSING)
			drain(h, &h->conns[i], now);
	for (int k = 0; k < 64; k++) {
		if (h->nconns >= h->cfg.max_conns && !evict(h, now)) {
			l->paused = true; /* every slot does real work: wait for one to free */
			h->poll.set(h->poll.ctx, l->handle, 0);
			take_turns(h, l, now);
			return;
		}
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(l->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		struct hconn *c = NULL;
		for (int i = 0; i < h->cfg.max_conns && !c; i++)
			if (h->conns[i].state == C_FREE)
				c = &h->conns[i];
		if (!c) {
			close(fd);
			h->refused++;
			return;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->state = C_ACTIVE;
		c->fd = fd;
		c->tls = l->tls;
		c->close_after = c->sent_continue = c->got_request = c->peer_done = false;
		c->rotate = false;
		c->inlen = c->outlen = c->outoff = 0;
		c->started = c->last_active = c->accepted = now;
		c->info.tls = l->tls;
		peer_info(c, &ss);
		if (c->tls)
			tls_conn_start(c->t, h->tls_ctx);
		c->handle = h->poll.add(h->poll.ctx, fd, POLLIN, &c->io);
		if (c->handle < 0) {
			close(fd);
			c->state = C_FREE;
			c->fd = -1;
			h->refused++;
			return;
		}
		h->nconns++;
		h->accepted++;
		conn_event(h, c, POLLIN, now); /* the request may be here already */
	}
}

/* Sends what is pending. False when the connection is over. */
static bool flush_out(struct httpd *h, struct hconn *c, int64_t now)
{
	(void)h;
	while (c->outoff < c->outlen) {
		ssize_t n;
		if (c->tls) {
			n = tls_write(c->t, c->fd, c->out + c->outoff, c->outlen - c->outoff);
			if (n < 0)
				return false;
			if (n == 0) { /* engine busy (handshake, or records to send first) */
				if (tls_flush(c->t, c->fd) < 0)
					return false;
				break;
			}
		} else {
			n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0) {
				if (errno == EAGAIN || errno == EINTR)
					break;
				return false;
			}
		}
		if (n > 0) {
			c->outoff += (size_t)n;
			c->last_active = now;
		}
	}
	if (c->tls && tls_flush(c->t, c->fd) < 0)
		return false;
	if (c->outoff == c->outlen)
		c->outoff = c->outlen = 0;
	return true;
}

static bool out_idle(const struct hconn *c)
{
	return c->outlen == 0 && (!c->tls || !(tls_events(c->t) & POLLOUT));
}

/* Ends the connection after this answer: `Connection: close` goes into its head (an answer
 * too big for one more header line just ends, which HTTP/1.1 allows). */
static void close_after_answer(struct hconn *c)
{
	static const char hdr[] = "Connection: close\r\n";
	const size_t hl = sizeof(hdr) - 1;
	c->close_after = true;
	const char *end = memmem(c->out, c->outlen, "\r\n\r\n", 4);
	if (!end || c->outlen + hl > HTTPD_OUT_MAX ||
	    memmem(c->out, (size_t)(end - c->out), "\r\nConnection: close", 19))
		return;
	size_t at = (size_t)(end - c->out) + 2;
	memmove(c->out + at + hl, c->out + at, c->outlen - at);
	memcpy(c->out + at, hdr, hl);
	c->outlen += hl;
}

/* Parses and answers the next request if the previous answer is out. */
static void process(struct httpd *h, struct hconn *c, int64_t now)
{
	while (c->state == C_ACTIVE && c->outlen == 0 && !c->close_after && c->inlen) {
		struct http_request rq;
		struct buf out;
		buf_init(&out, c->out, HTTPD_OUT_MAX);
		int n = http_parse(c->in, c->inlen, &rq);
		if (n == 0) {
			if (rq.head_len && rq.expect_continue && !c->sent_continue) {
				static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
				memcpy(c->out, cont, sizeof(cont) - 1);
				c->outlen = sizeof(cont) - 1;
				c->sent_continue = true;
			} else if (c->inlen >= HTTPD_IN_MAX) {
				h->error(h->hctx, 413, &out);
				c->outlen = out.len;
				c->close_after = true;
			}
			return;
		}
		if (n < 0) {
			h->error(h->hctx, -n, &out);
			c->outlen = out.len;
			c->close_after = true;
			return;
		}
		h->requests++;
		int fl = h->handle(h->hctx, &rq, &c->info, &out, now);
		c->outlen = out.len;
		c->got_request = true;
		c->sent_continue = false;
		memmove(c->in, c->in + n, c->inlen - (size_t)n);
		c->inlen -= (size_t)n;
		c->started = now;
		if (fl & RF_CLOSE)
			c->close_after = true;
		else if (c->rotate && !(fl & RF_SSE)) {
			close_after_answer(c);
			h->rotated++;
		}
		if (fl & RF_SSE) {
			if (h->nsse >= h->cfg.max_sse) {
				buf_init(&out, c->out, HTTPD_OUT_MAX);
				h->error(h->hctx, 503, &out);
				c->outlen = out.len;
				c->close_after = true;
			} else {
				c->state = C_SSE;
				h->nsse++;
			}
		}
	}
}

/* The answer that ends the connection is out: shut the write side and drop what the client
 * still sends (see the notes at the top). */
static void linger(struct httpd *h, struct hconn *c, int64_t now)
{
	if (c->peer_done) {
		conn_free(h, c);
		return;
	}
	if (c->tls)
		tls_close(c->t, c->fd); /* close_notify; from here on raw bytes are dropped */
	shutdown(c->fd, SHUT_WR);
	c->state = C_CLOSING;
	c->inlen = 0;
	c->linger_end = now + LINGER_MS;
	c->last_active = now;
	h->poll.set(h->poll.ctx, c->handle, POLLIN);
}

static void drain(struct httpd *h, struct hconn *c, int64_t now)
{
	for (int k = 0; k < 8; k++) {
		ssize_t n = recv(c->fd, c->in, HTTPD_IN_MAX, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			conn_free(h, c);
			return;
		}
		if (n < 0)
			return;
		c->last_active = now;
	}
}

static void conn_event(struct httpd *h, struct hconn *c, short revents, int64_t now)
{
	if (c->state == C_CLOSING) {
		drain(h, c, now);
		return;
	}
	if (c->close_after)
		c->inlen = 0; /* the last answer is decided: what follows is dropped (and read, so
				 * a TLS engine holding unread records can send that answer) */
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		for (int k = 0; k < 8 && !c->peer_done && c->inlen < HTTPD_IN_MAX; k++) {
			ssize_t n;
			if (c->tls) {
				n = tls_read(c->t, c->fd, c->in + c->inlen, HTTPD_IN_MAX - c->inlen);
				if (n < 0)
					c->peer_done = true;
			} else {
				n = recv(c->fd, c->in + c->inlen, HTTPD_IN_MAX - c->inlen, MSG_DONTWAIT);
				if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
					c->peer_done = true;
			}
			if (n <= 0)
				break;
			if (c->inlen == 0 && c->got_request)
				c->started = now; /* a new request begins */
			c->inlen += (size_t)n;
			c->last_active = now;
			if (c->state == C_SSE || c->close_after)
				c->inlen = 0; /* nothing more to read: an event stream, or the end */
		}
	}
	if (c->tls && !c->peer_done && tls_flush(c->t, c->fd) < 0)
		c->peer_done = true; /* handshake records */
	/* answer pipelined requests one after another while each answer leaves at once; a
	 * bounded number per wake-up so one client cannot hog the loop */
	for (int k = 0; k < 32; k++) {
		size_t before = c->inlen;
		process(h, c, now);
		if (!flush_out(h, c, now)) {
			conn_free(h, c);
			return;
		}
		if (c->outlen || c->inlen == 0 || c->inlen == before || c->state != C_ACTIVE)
			break;
	}
	if (c->peer_done && (c->outlen == 0 || c->state == C_SSE)) {
		conn_free(h, c);
		return;
	}
	if (c->close_after && out_idle(c)) {
		linger(h, c, now);
		return;
	}
	set_events(h, c);
}

/* More complete requests may wait in the buffer with no new bytes to wake us: ask for
 * POLLOUT (writable at once) to come back next round. */
static bool more_to_do(const struct hconn *c)
{
	return c->state == C_ACTIVE && c->inlen && !c->outlen && !c->close_after;
}

static void set_events(struct httpd *h, struct hconn *c)
{
	short ev = 0;
	if (!c->peer_done && c->inlen < HTTPD_IN_MAX)
		ev |= POLLIN;
	if (c->tls)
		ev |= tls_events(c->t) & (c->inlen < HTTPD_IN_MAX ? POLLIN | POLLOUT : POLLOUT);
	if (c->outlen || more_to_do(c))
		ev |= POLLOUT;
	h->poll.set(h->poll.ctx, c->handle, ev);
}

void httpd_io(void *ctx, int fd, short revents, int64_t now)
{
	struct httpd_io *io = ctx;
	(void)fd;
	if (io->listener)
		accept_some(io->h, (struct httpd_listener *)io, now);
	else
		conn_event(io->h, (struct hconn *)io, revents, now);
}

static int64_t conn_deadline(const struct httpd *h, const struct hconn *c)
{
	if (c->state == C_CLOSING) {
		int64_t idle = c->last_active + LINGER_IDLE_MS;
		return idle < c->linger_end ? idle : c->linger_end;
	}
	if (c->state == C_SSE)
		return c->outlen ? c->last_active + h->cfg.idle_timeout_ms : INT64_MAX;
	if (c->outlen)		/* a client that does not read its answer */
		return c->last_active + h->cfg.idle_timeout_ms;
	if (c->inlen || !c->got_request)
		return c->started + h->cfg.header_timeout_ms;
	return c->last_active + h->cfg.idle_timeout_ms;
}

static bool any_paused(const struct httpd *h)
{
	for (int i = 0; i < h->nls; i++)
		if (h->ls[i].paused)
			return true;
	return false;
}

int64_t httpd_deadline(const struct httpd *h)
{
	int64_t d = INT64_MAX;
	if (h->nconns == 0)
		return d; /* nothing to time out (a paused listener implies connections) */
	bool paused = any_paused(h), turning = false;
	for (int i = 0; paused && i < h->cfg.max_conns; i++) /* only a paused listener asks */
		turning |= h->conns[i].state == C_ACTIVE && h->conns[i].rotate;
	for (int i = 0; i < h->cfg.max_conns; i++) {
		const struct hconn *c = &h->conns[i];
		if (c->state == C_FREE)
			continue;
		int64_t t = conn_deadline(h, c);
		/* a paused listener comes back as soon as some slot becomes evictable, or a
		 * connection has been served long enough to take turns */
		if (paused && c->state == C_ACTIVE && !c->outlen) {
			int64_t e = c->inlen || !c->got_request ? c->started + EVICT_AFTER_MS
								: c->last_active + IDLE_EVICT_MS;
			if (e < t)
				t = e;
		}
		if (paused && !turning && c->state == C_ACTIVE && c->got_request && !c->close_after &&
		    c->accepted + h->turn_ms < t)
			t = c->accepted + h->turn_ms;
		if (t < d)
			d = t;
	}
	return d;
}

void httpd_tick(struct httpd *h, int64_t now)
{
	if (h->nconns == 0)
		return;
	for (int i = 0; i < h->nls; i++) {
		struct httpd_listener *l = &h->ls[i];
		if (l->paused) { /* try again: accept_some evicts if it now can */
			l->paused = false;
			h->poll.set(h->poll.ctx, l->handle, POLLIN);
		}
	}
	for (int i = 0; i < h->cfg.max_conns; i++) {
		struct hconn *c = &h->conns[i];
		if (c->state != C_FREE && now >= conn_deadline(h, c))
			conn_free(h, c); /* too slow, or idle for too long */
	}
}

void httpd_broadcast(struct httpd *h, const char *data, size_t len, int64_t now)
{
	for (int i = 0; i < h->cfg.max_conns; i++) {
		struct hconn *c = &h->conns[i];
		if (c->state != C_SSE)
			continue;
		if (c->outoff) { /* compact */
			memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
			c->outlen -= c->outoff;
			c->outoff = 0;
		}
		if (HTTPD_OUT_MAX - c->outlen < len) {
			conn_free(h, c); /* a stream that cannot keep up is dropped */
			continue;
		}
		memcpy(c->out + c->outlen, data, len);
		c->outlen += len;
		if (!flush_out(h, c, now)) {
			conn_free(h, c);
			continue;
		}
		set_events(h, c);
	}
}

void httpd_sse_revoke(struct httpd *h, bool (*keep)(void *ctx, const struct rf_conn *c),
		      void *ctx)
{
	for (int i = 0; i < h->cfg.max_conns; i++) {
		struct hconn *c = &h->conns[i];
		if (c->state == C_SSE && !keep(ctx, &c->info))
			conn_free(h, c);
	}
}

void httpd_close_all(struct httpd *h)
{
	for (int i = 0; i < h->cfg.max_conns; i++)
		conn_free(h, &h->conns[i]);
	for (int i = 0; i < h->nls; i++) {
		h->poll.del(h->poll.ctx, h->ls[i].handle);
		close(h->ls[i].fd);
	}
	h->nls = 0;
}
