/*
 * The HTTP/1.1 server: listeners (plain and TLS), a fixed pool of connections sized at
 * start-up, request framing with http_parse, pipelining in order, 100-continue, header and
 * idle timeouts, and Server-Sent Event streams. What a request means is the handler's
 * business (the Redfish engine, wired by firmware/main.c); this layer moves bytes.
 *
 * Limits: request head HTTP_HEAD_MAX, body HTTP_BODY_MAX (answered by the handler's error
 * responses, then a lingering close so the client reads them); max_conns connections. A
 * full pool gives a newcomer the slot of a lingering connection, else of the oldest one
 * still trickling in a request head (slowloris), else of a keep-alive connection idle for
 * a while; when every slot does real work, newcomers wait in the kernel's queue and the
 * clients take turns (the longest-served gets `Connection: close`). See httpd.c.
 */
#ifndef BMCD_HTTPD_H
#define BMCD_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../proto/buf.h"
#include "../proto/http.h"
#include "../proto/redfish.h"
#include "tls.h"

#define HTTPD_OUT_MAX 65536	/* one response (the largest Redfish page fits) */
#define HTTPD_IN_MAX (HTTP_HEAD_MAX + HTTP_BODY_MAX)
#define HTTPD_LISTEN_MAX 4

struct hconn;
struct httpd;

/* What the poll loop hands back for every descriptor the server registered. */
struct httpd_io {
	struct httpd *h;
	bool listener;
};

/* Handles one complete request; writes the whole response into out; returns RF_* flags. */
typedef int (*httpd_handler)(void *ctx, const struct http_request *rq, struct rf_conn *c,
			     struct buf *out, int64_t now);
/* Writes a complete error response for a request rejected before it could be parsed. */
typedef void (*httpd_error)(void *ctx, int status, struct buf *out);
/* Registers/updates/removes a descriptor in the poll loop (firmware/loop.c); the loop must
 * call httpd_io(io, fd, revents, now) when it is ready. */
struct httpd_poll {
	int (*add)(void *ctx, int fd, short events, struct httpd_io *io);
	void (*set)(void *ctx, int handle, short events);
	void (*del)(void *ctx, int handle);
	void *ctx;
};

struct httpd_cfg {
	uint16_t max_conns;
	uint16_t max_sse;
	uint32_t header_timeout_ms;	/* a request must arrive whole within this */
	uint32_t idle_timeout_ms;	/* keep-alive connections close after this */
};

struct httpd_listener {
	struct httpd_io io;
	int fd;
	bool tls;
	int handle;
	bool paused;
};

struct httpd {
	struct httpd_cfg cfg;
	struct httpd_listener ls[HTTPD_LISTEN_MAX];
	int nls;
	struct hconn *conns;		/* cfg.max_conns, allocated at start-up */
	struct tls_conn *tls;		/* one per connection slot (only if a TLS listener) */
	struct tls_ctx *tls_ctx;
	int nconns, nsse;
	int64_t turn_ms;		/* how long a connection is served while others wait */
	httpd_handler handle;
	httpd_error error;
	void *hctx;
	struct httpd_poll poll;
	uint64_t requests, accepted, evicted, refused, rotated;
};

int httpd_init(struct httpd *h, const struct httpd_cfg *cfg, struct tls_ctx *tls,
	       httpd_handler handle, httpd_error error, void *hctx, const struct httpd_poll *poll);
/* Opens a listening socket on addr:port (IPv6 "::" is dual-stack). */
int httpd_listen(struct httpd *h, const char *addr, uint16_t port, bool tls, char *err,
		 size_t errlen);
/* The loop saw events on a descriptor the server registered (ctx: its struct httpd_io). */
void httpd_io(void *ctx, int fd, short revents, int64_t now);
int64_t httpd_deadline(const struct httpd *h);
void httpd_tick(struct httpd *h, int64_t now);
/* Appends an event frame to every SSE stream; a stream with no room for it is closed. */
void httpd_broadcast(struct httpd *h, const char *data, size_t len, int64_t now);
/* Closes every SSE stream for which keep() says no (its session or credentials are gone). */
void httpd_sse_revoke(struct httpd *h, bool (*keep)(void *ctx, const struct rf_conn *c),
		      void *ctx);
void httpd_close_all(struct httpd *h);

#endif
