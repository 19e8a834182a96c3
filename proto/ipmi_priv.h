/*
 * Private to the IPMI engine's layers: what they call in each other. The command handlers
 * (proto/ipmi_*.c) use proto/ipmi_cmds.h instead.
 *
 *   ipmi.c          entry points (ipmi_init, ipmi_input) and IPMI message dispatch
 *   rakp.c          session establishment: Open Session, RAKP 1-4
 *   ipmi_session.c  the session table, login throttle, sequence window, packet protection
 *   rmcp.c          RMCP framing: headers, ASF presence pong, pre-session answers
 *
 * Each calls only the ones below it (tools/check-layers.py finds call circles).
 */
#ifndef BMCD_IPMI_PRIV_H
#define BMCD_IPMI_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "ipmi.h"

#define LOG(m, lvl, ...)                                                                   \
	do {                                                                               \
		if ((m)->cfg.log)                                                          \
			(m)->cfg.log((m)->cfg.log_ctx, lvl, __VA_ARGS__);                  \
	} while (0)

/* --- rmcp.c ------------------------------------------------------------------------------ */

/* One datagram's RMCP and session headers (rmcp_parse). */
struct rmcp_pkt {
	bool v20;		/* RMCP+ (IPMI 2.0) header; false: IPMI 1.5, sessionless */
	uint8_t pt;		/* payload type byte, encrypted/authenticated bits included */
	uint32_t sid, seq;	/* session ID and sequence number (0 outside a session) */
	size_t body_at, body_len; /* where the payload is in the datagram */
};

/* Parses the RMCP header and the session header behind it. An ASF presence ping is
 * answered here; anything malformed is dropped and counted. Returns true when h describes
 * a payload for the IPMI layers. */
bool rmcp_parse(struct ipmi *m, const uint8_t *pkt, size_t len, const struct peer *from,
		struct rmcp_pkt *h);
void rmcp_header(struct wr *w);
void rmcp_send_raw(struct ipmi *m, const struct peer *to, const uint8_t *buf, size_t len);
/* Pre-session answer in the format the request came in: 1.5 (auth type 0) or 2.0. */
void rmcp_send_presession(struct ipmi *m, const struct peer *to, bool v20, uint8_t ptype,
			  const uint8_t *payload, size_t len);

/* --- ipmi_session.c ---------------------------------------------------------------------- */

/* A slot for a new session from `from`, or NULL (the caller answers "no resources"). */
struct ipmi_session *ipmi_session_alloc(struct ipmi *m, const struct peer *from);
uint32_t ipmi_new_session_id(struct ipmi *m);
/* Would one more session for user u (besides self) break the caps for accounts below
 * ADMINISTRATOR? */
bool ipmi_over_cap(const struct ipmi *m, const struct ipmi_session *self, int u);
/* The login throttle (throttle.h): failures and successes per (address, user name) */
/* Index of a user this endpoint serves (users_find, then cfg.user_allowed), or -1. */
int ipmi_user_find(const struct ipmi *m, const char *name, size_t len);
void ipmi_login_failed(struct ipmi *m, const struct peer *p, const char *user, size_t ulen);
bool ipmi_login_throttled(struct ipmi *m, const struct peer *p, const char *user, size_t ulen);
void ipmi_login_succeeded(struct ipmi *m, const struct ipmi_session *s);
/* An RMCP+ packet for session h->sid: checks the session, integrity and freshness, then
 * decrypts. Returns the session with *body and *blen set to the plain payload (in `plain` when
 * it was encrypted), the packet accepted; NULL when it was dropped (and counted). */
struct ipmi_session *ipmi_session_unwrap(struct ipmi *m, const uint8_t *pkt, size_t len,
					 const struct rmcp_pkt *h, const struct peer *from,
					 uint8_t plain[IPMI_PKT_MAX], const uint8_t **body,
					 size_t *blen);

/* --- rakp.c ------------------------------------------------------------------------------ */

void ipmi_open_session(struct ipmi *m, const uint8_t *p, size_t n, const struct peer *from);
void ipmi_rakp1(struct ipmi *m, const uint8_t *p, size_t n, const struct peer *from);
void ipmi_rakp3(struct ipmi *m, const uint8_t *p, size_t n, const struct peer *from);

#endif
