/*
 * One HTTP/1.1 request to kvmd's API socket at a time, non-blocking, driven by the poll
 * loop ("Connection: close": one connection per request). The response head is parsed with
 * proto/httpc; the body (de-chunked when chunked) goes to a callback as it arrives, so a
 * long stream (kvmd's NDJSON progress) needs no buffer of its own.
 *
 * Used by hal/atx_kvmd.c and hal/msd_kvmd.c.
 */
#ifndef BMCD_KVMD_HTTP_H
#define BMCD_KVMD_HTTP_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "../proto/httpc.h"

#define KVMD_HTTP_REQ_MAX 4096

enum kvmd_http_state { KH_IDLE, KH_CONNECTING, KH_SENDING, KH_HEAD, KH_BODY };

struct kvmd_http {
	/* where kvmd listens, and who bmcd says it is ("": no X-KVMD-User/-Passwd) */
	char socket[108], user[64], passwd[128];
	int fd;
	enum kvmd_http_state st;
	char req[KVMD_HTTP_REQ_MAX];
	size_t reqlen, reqoff;
	char head[HTTPC_HEAD_MAX];
	size_t headlen;
	struct httpc_head h;		/* valid from KH_BODY on, and when done */
	struct httpc_chunked ch;
	uint64_t body_got;		/* body bytes with a Content-Length */
	int64_t deadline;		/* the caller may move it (e.g. on progress) */
	char err[96];			/* why it failed */
	httpc_data_fn body;
	void *ctx;
};

/* Sets c up for kvmd at socket, with optional credentials (user, passwd: NULL or "" for
 * none; longer ones are cut). false, with the reason on stderr, when socket is NULL or too
 * long for a unix socket address. */
bool kvmd_http_init(struct kvmd_http *c, const char *socket, const char *user,
		    const char *passwd);
/* Starts "METHOD target" (target: path and query, already escaped). false (err set) if the
 * request does not fit or the socket cannot be made. */
bool kvmd_http_start(struct kvmd_http *c, const char *method, const char *target,
		     int64_t deadline, httpc_data_fn body, void *ctx);
int kvmd_http_fds(const struct kvmd_http *c, struct pollfd *out, int max);
/* Moves the exchange on: 0 still going, 1 complete (c->h.status), -1 failed (c->err), and
 * for 1 and -1 the connection is closed. A deadline that passed fails it. */
int kvmd_http_pump(struct kvmd_http *c, int64_t now);
bool kvmd_http_busy(const struct kvmd_http *c);
void kvmd_http_close(struct kvmd_http *c);

#endif
