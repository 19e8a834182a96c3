/*
 * RMCP framing (IPMI 2.0 section 13): the RMCP header and the IPMI 1.5 / RMCP+ session
 * header of every datagram, the ASF presence ping and its pong, and pre-session answers.
 */
#include "ipmi_priv.h"

#include <string.h>

void rmcp_send_raw(struct ipmi *m, const struct peer *to, const uint8_t *buf, size_t len)
{
	m->st.tx++;
	if (m->cfg.send)
		m->cfg.send(m->cfg.send_ctx, to, buf, len);
}

void rmcp_header(struct wr *w)
{
	static const uint8_t h[4] = { 0x06, 0x00, 0xFF, 0x07 };
	wr_bytes(w, h, 4);
}

void rmcp_send_presession(struct ipmi *m, const struct peer *to, bool v20, uint8_t ptype,
			    const uint8_t *payload, size_t len)
{
	uint8_t buf[IPMI_PKT_MAX];
	struct wr w = wr_init(buf, sizeof(buf));
	rmcp_header(&w);
	if (v20) {
		wr_u8(&w, 0x06);
		wr_u8(&w, ptype);
		wr_u32le(&w, 0);
		wr_u32le(&w, 0);
		wr_u16le(&w, (uint16_t)len);
	} else {
		wr_u8(&w, 0x00);
		wr_u32le(&w, 0);
		wr_u32le(&w, 0);
		if (len > 255)
			return;
		wr_u8(&w, (uint8_t)len);
	}
	wr_bytes(&w, payload, len);
	if (!w.err)
		rmcp_send_raw(m, to, buf, w.len);
}

static void asf_ping(struct ipmi *m, struct rd *r, uint8_t rmcp_seq, const struct peer *from)
{
	uint32_t iana = rd_u32be(r);
	uint8_t type = rd_u8(r);
	uint8_t tag = rd_u8(r);
	if (r->err || iana != 4542 || type != 0x80) {
		m->st.dropped++;
		return;
	}
	uint8_t buf[28];
	struct wr w = wr_init(buf, sizeof(buf));
	wr_u8(&w, 0x06);
	wr_u8(&w, 0x00);
	wr_u8(&w, rmcp_seq);
	wr_u8(&w, 0x06);
	wr_u32be(&w, 4542);
	wr_u8(&w, 0x40); /* pong */
	wr_u8(&w, tag);
	wr_u8(&w, 0x00);
	wr_u8(&w, 16);
	wr_u32be(&w, 4542); /* IANA of the OEM-defined fields: ASF */
	wr_u32be(&w, 0);    /* OEM defined */
	wr_u8(&w, 0x81);    /* supported entities: IPMI, ASF 1.0 */
	wr_u8(&w, 0x00);    /* supported interactions */
	wr_fill(&w, 0, 6);
	rmcp_send_raw(m, from, buf, w.len);
}

bool rmcp_parse(struct ipmi *m, const uint8_t *pkt, size_t len, const struct peer *from,
		struct rmcp_pkt *h)
{
	struct rd r = rd_init(pkt, len);
	uint8_t ver = rd_u8(&r);
	rd_u8(&r);
	uint8_t rseq = rd_u8(&r);
	uint8_t cls = rd_u8(&r);
	if (r.err || ver != 0x06 || (cls & 0x80)) {
		m->st.dropped++;
		return false;
	}
	if ((cls & 0x1F) == 0x06) {
		asf_ping(m, &r, rseq, from);
		return false;
	}
	if ((cls & 0x1F) != 0x07) {
		m->st.dropped++;
		return false;
	}
	uint8_t at = rd_u8(&r);
	if (at == 0x00) {
		/* IPMI 1.5 session header, allowed only outside a session */
		rd_u32le(&r);
		uint32_t sid = rd_u32le(&r);
		uint8_t mlen = rd_u8(&r);
		size_t msg_at = r.off;
		const uint8_t *msg = rd_ptr(&r, mlen);
		if (!msg || sid != 0) {
			m->st.dropped++;
			return false;
		}
		*h = (struct rmcp_pkt){ .v20 = false, .body_at = msg_at, .body_len = mlen };
		return true;
	}
	if (at != 0x06) {
		/* IPMI 1.5 authenticated sessions (MD5, password) are not supported */
		m->st.dropped++;
		return false;
	}
	uint8_t pt = rd_u8(&r);
	uint32_t sid = rd_u32le(&r);
	uint32_t seq = rd_u32le(&r);
	uint16_t plen = rd_u16le(&r);
	size_t body_at = r.off;
	const uint8_t *body = rd_ptr(&r, plen);
	if (!body || (pt & 0x3F) == 0x02) {
		m->st.dropped++;
		return false;
	}
	*h = (struct rmcp_pkt){
		.v20 = true, .pt = pt, .sid = sid, .seq = seq, .body_at = body_at, .body_len = plen,
	};
	return true;
}
