/*
 * Event delivery to subscribers' webhooks: one outgoing HTTP/1.1 connection per
 * subscription slot (plain TCP or TLS with BearSSL's client), driven by the poll loop and
 * never blocking it. What to send and what an outcome means is the Redfish engine's
 * (proto/redfish/subscriptions.c: redfish_sub_request, redfish_sub_result); this layer
 * moves the bytes.
 *
 * Every attempt has a deadline (timeout_ms from the connect to the end of the answer's
 * head); the answer is read into a fixed buffer (WH_IN_MAX: a longer head is a failure);
 * a connection is kept alive between events (idle_ms) when the receiver allows it. All
 * buffers are allocated at start-up, one set per subscription slot.
 */
#ifndef BMCD_WEBHOOK_H
#define BMCD_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../proto/redfish.h"

#define WH_IN_MAX 2048		/* the answer's head (and a small body) */
#define WH_OUT_MAX (RF_EVENT_MAX + RF_SUB_HEADERS_MAX + RF_SUB_DEST_MAX + RF_SUB_CONTEXT_MAX + 512)
#define WH_ANCHORS_MAX 16	/* CA certificates in subscription_ca */
#define WH_ANCHOR_STORE 16384	/* their names and keys */

struct wh_conn;
struct wh_tls;
struct webhook;

struct webhook_poll {
	int (*add)(void *ctx, int fd, short events, struct wh_conn *c); /* handle, -1: full */
	void (*set)(void *ctx, int handle, short events);
	void (*del)(void *ctx, int handle);
	void *ctx;
};

struct wh_conn {
	struct webhook *w;
	unsigned idx;			/* the subscription slot */
	int fd, handle;
	uint8_t st;
	uint32_t gen;			/* the subscription's generation it was opened for */
	int64_t deadline;		/* of the attempt, or of the idle keep-alive */
	struct wh_tls *t;		/* NULL: plain (or no TLS at all) */
	bool tls;
	bool reused;			/* this attempt went out on a kept connection */
	size_t outlen, outoff, inlen;
	char out[WH_OUT_MAX];
	char in[WH_IN_MAX];
};

struct webhook_cfg {
	uint32_t timeout_ms;		/* one attempt: connect, send, the answer's head */
	uint32_t idle_ms;		/* keep-alive between events */
	const char *ca_path;		/* PEM trust anchors for VerifyCertificate; NULL/"": none */
	bool tls;			/* https:// destinations (allocates a TLS engine per slot) */
	uint16_t slots;			/* one connection per subscription slot: the Redfish
					 * engine's redfish_cfg.max_subs */
};

struct webhook {
	struct redfish *r;
	struct webhook_cfg cfg;
	struct webhook_poll poll;
	struct wh_conn *conns;		/* cfg.slots */
	unsigned n;
	void *anchors;			/* br_x509_trust_anchor[WH_ANCHORS_MAX] */
	size_t nanchors;
	unsigned char *store;		/* WH_ANCHOR_STORE */
	uint64_t sent, failed;
};

/* Allocates everything for cfg->slots subscriptions and loads the CA bundle (before
 * redfish_init: its configuration says whether anchors were loaded; r is only kept). 0, or
 * -1 with err. */
int webhook_init(struct webhook *w, struct redfish *r, const struct webhook_cfg *cfg,
		 const struct webhook_poll *poll, char *err, size_t errlen);
/* Starts deliveries that are due (call when r->subs_changed, and from the timer). */
void webhook_kick(struct webhook *w, int64_t now);
/* The loop saw events on a connection's descriptor (ctx: its struct wh_conn). */
void webhook_io(void *ctx, int fd, short revents, int64_t now);
int64_t webhook_deadline(const struct webhook *w);
void webhook_tick(struct webhook *w, int64_t now);
void webhook_close_all(struct webhook *w);

#endif
