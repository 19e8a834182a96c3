/*
 * IPMI 2.0 over LAN: the entry points and the IPMI message dispatcher. The layers below
 * are in ipmi_priv.h: rakp.c (session establishment), ipmi_session.c (sessions and packet
 * protection), rmcp.c (framing).
 *
 * Implementation notes
 * - Every datagram is parsed with a bounded reader; anything that cannot be answered in
 *   its own format (bad RMCP header, unknown session, failed integrity check, replay) is
 *   dropped and counted, as the spec requires: an unauthenticated answer to an
 *   authenticated session would itself be a forgery oracle.
 * - A repeat of the last request of a session (same IPMI message, new sequence number)
 *   within a few seconds is a retransmission: it gets the cached answer again (the client
 *   lost our reply; running the command twice would be wrong, staying silent stalls it).
 * - Payload type 1 (SoL) goes to the engine registered with ipmi_set_payload().
 */
#include "ipmi_priv.h"

#include <string.h>

void ipmi_init(struct ipmi *m, const struct ipmi_cfg *cfg, struct ipmi_session *sess,
	       const struct users *users, struct host *host, const void *seed, size_t seedlen)
{
	memset(m, 0, sizeof(*m));
	m->cfg = *cfg;
	m->sess = sess;
	m->users = users;
	m->host = host;
	rng_init(&m->rng, seed, seedlen);
	throttle_init(&m->thr, &cfg->throttle, m->thr_tab, IPMI_FAIL_SOURCES);
	for (int i = 0; i < cfg->max_sessions; i++) {
		memset(&sess[i], 0, sizeof(sess[i]));
		sess[i].handle = (uint8_t)(i + 1);
		sess[i].user = -1;
	}
}

/* ---------------------------------------------------------------------------------------
 * IPMI messages
 */

static uint8_t checksum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	for (size_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return (uint8_t)-s;
}

/* Parses an IPMI request message, runs it and writes the response message into out.
 * Returns the response length, or 0 when nothing can be answered. */
static size_t handle_msg(struct ipmi *m, struct ipmi_session *s, const uint8_t *msg, size_t len,
			 uint8_t *out, size_t cap)
{
	if (len < 7) {
		m->st.dropped++;
		return 0;
	}
	struct ipmi_req rq = {
		.netfn = msg[1] >> 2,
		.lun = msg[1] & 3,
		.rq_addr = msg[3],
		.rq_seq = msg[4] >> 2,
		.cmd = msg[5],
		.data = msg + 6,
		.len = len - 7,
		.s = s,
	};
	uint8_t rq_lun = msg[4] & 3;
	struct wr w = wr_init(out, cap);
	wr_u8(&w, rq.rq_addr);
	wr_u8(&w, (uint8_t)(((rq.netfn | 1) << 2) | rq_lun));
	wr_u8(&w, checksum(out, 2));
	wr_u8(&w, msg[0]);
	wr_u8(&w, (uint8_t)(rq.rq_seq << 2 | rq.lun));
	wr_u8(&w, rq.cmd);
	size_t cc_at = w.len;

	const struct ipmi_cmd *c = ipmi_find_cmd(rq.netfn, rq.cmd);
	if (rq.netfn & 1) {
		m->st.dropped++; /* a response sent to us: never answer it */
		return 0;
	}
	if (checksum(msg, 2) != msg[2] || checksum(msg + 3, len - 4) != msg[len - 1]) {
		wr_u8(&w, CC_INVALID_FIELD);
	} else if (!c) {
		wr_u8(&w, CC_INVALID_CMD);
	} else if (!s && c->min_priv != PRIV_NONE) {
		wr_u8(&w, CC_INSUFFICIENT_PRIV);
	} else if (s && s->priv < c->min_priv) {
		wr_u8(&w, CC_INSUFFICIENT_PRIV);
	} else if (rq.len < c->min_len) {
		wr_u8(&w, CC_REQ_LEN);
	} else {
		struct wr body = wr_init(out + cc_at, cap - cc_at - 1);
		c->fn(m, &rq, &body);
		if (body.err || body.len == 0) {
			out[cc_at] = body.err ? CC_CANT_RETURN : CC_UNSPECIFIED;
			body.len = 1;
		}
		w.len = cc_at + body.len;
	}
	wr_u8(&w, checksum(out + 3, w.len - 3));
	return w.err ? 0 : w.len;
}

static void presession_msg(struct ipmi *m, const uint8_t *msg, size_t len, const struct peer *from,
			   bool v20)
{
	uint8_t out[IPMI_MSG_MAX];
	size_t n = handle_msg(m, NULL, msg, len, out, sizeof(out));
	if (n)
		rmcp_send_presession(m, from, v20, 0x00, out, n);
}

/* A packet inside a session: IPMI requests are run (or answered from the retransmission
 * cache), SoL goes to its engine. */
static void session_packet(struct ipmi *m, const uint8_t *pkt, size_t len,
			   const struct rmcp_pkt *h, const struct peer *from)
{
	uint8_t plain[IPMI_PKT_MAX];
	const uint8_t *body;
	size_t blen;
	struct ipmi_session *s = ipmi_session_unwrap(m, pkt, len, h, from, plain, &body, &blen);
	if (!s)
		return;
	uint8_t ptype = h->pt & 0x3F;
	if (ptype == 0) {
		if (blen <= sizeof(s->last_req) && blen == s->last_req_len && s->last_rsp_len &&
		    m->now - s->last_req_at < 5000 && memcmp(s->last_req, body, blen) == 0) {
			m->st.retransmits++;
			ipmi_session_send(m, s, 0, s->last_rsp, s->last_rsp_len);
			return;
		}
		uint8_t out[IPMI_MSG_MAX];
		size_t n = handle_msg(m, s, body, blen, out, sizeof(out));
		if (blen <= sizeof(s->last_req) && n <= sizeof(s->last_rsp)) {
			memcpy(s->last_req, body, blen);
			s->last_req_len = (uint16_t)blen;
			memcpy(s->last_rsp, out, n);
			s->last_rsp_len = (uint16_t)n;
			s->last_req_at = m->now;
		}
		if (n && s->state == SESS_ACTIVE)
			ipmi_session_send(m, s, 0, out, n);
		if (s->close_after_reply)
			ipmi_session_close(m, s, "closed by the console");
	} else if (ptype == IPMI_PAYLOAD_SOL && m->pl_sol.input) {
		m->pl_sol.input(m->pl_sol.ctx, s, body, blen, m->now);
	} else {
		m->st.dropped++;
	}
}

void ipmi_input(struct ipmi *m, const uint8_t *pkt, size_t len, const struct peer *from,
		int64_t now)
{
	m->now = now;
	m->st.rx++;
	struct rmcp_pkt h;
	if (!rmcp_parse(m, pkt, len, from, &h))
		return;
	const uint8_t *body = pkt + h.body_at;
	size_t plen = h.body_len;
	if (!h.v20) {
		presession_msg(m, body, plen, from, false);
		return;
	}
	if (h.sid != 0) {
		session_packet(m, pkt, len, &h, from);
		return;
	}
	if (h.pt & 0xC0) {
		m->st.dropped++;
		return;
	}
	switch (h.pt) {
	case 0x00:
		presession_msg(m, body, plen, from, true);
		break;
	case 0x10:
		ipmi_open_session(m, body, plen, from);
		break;
	case 0x12:
		ipmi_rakp1(m, body, plen, from);
		break;
	case 0x14:
		ipmi_rakp3(m, body, plen, from);
		break;
	default:
		m->st.dropped++;
	}
}
