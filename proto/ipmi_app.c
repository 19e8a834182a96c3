/* Application netfn (0x06): device identity, channel and session commands. */
#include <string.h>

#include "cursor.h"
#include "host.h"
#include "ipmi_cmds.h"

bool ipmi_our_channel(const struct ipmi *m, uint8_t ch)
{
	ch &= 0x0F;
	return ch == 0x0E || ch == m->cfg.channel;
}

bool ipmi_fw_revision(const char *v, uint8_t *major, uint8_t *minor)
{
	unsigned part[2] = { 0, 0 };
	for (int i = 0; i < 2; i++) {
		int digits = 0;
		for (; *v >= '0' && *v <= '9'; v++, digits++) {
			part[i] = part[i] * 10 + (unsigned)(*v - '0');
			if (part[i] > 127)
				return false;
		}
		if (digits == 0 || (i == 0 && *v++ != '.'))
			return false;
	}
	if (part[1] > 99)
		return false;
	*major = (uint8_t)part[0];
	*minor = (uint8_t)part[1];
	return true;
}

void app_get_device_id(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	(void)rq;
	uint8_t major = m->cfg.fw_major, minor = m->cfg.fw_minor;
#ifdef BMCD_VERSION
	ipmi_fw_revision(BMCD_VERSION, &major, &minor); /* leaves the config's when it fails */
#endif
	wr_u8(w, CC_OK);
	wr_u8(w, 0x20);			/* device ID */
	wr_u8(w, 0x01);			/* device revision */
	wr_u8(w, major & 0x7F);		/* bit 7 clear: normal operation */
	wr_u8(w, (uint8_t)((minor / 10) << 4 | minor % 10));
	wr_u8(w, 0x02);			/* IPMI 2.0 */
	wr_u8(w, 0x80 | 0x08 | 0x04 | 0x02 | 0x01); /* chassis, FRU, SEL, SDR repo, sensors */
	wr_u8(w, (uint8_t)m->cfg.manufacturer);
	wr_u8(w, (uint8_t)(m->cfg.manufacturer >> 8));
	wr_u8(w, (uint8_t)(m->cfg.manufacturer >> 16) & 0x0F);
	wr_u16le(w, m->cfg.product);
	wr_fill(w, 0, 4);		/* auxiliary firmware revision */
}

void app_get_self_test(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	(void)m;
	(void)rq;
	wr_u8(w, CC_OK);
	wr_u8(w, 0x55); /* no error */
	wr_u8(w, 0x00);
}

void app_get_acpi_power(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	(void)rq;
	struct host_status st;
	host_get_status(m->host, &st, m->now);
	wr_u8(w, CC_OK);
	wr_u8(w, st.on ? 0x00 : 0x05); /* S0/G0 working, or S5/G2 soft-off */
	wr_u8(w, st.on ? 0x00 : 0x03); /* D0, or D3 */
}

void app_get_device_guid(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	(void)rq;
	wr_u8(w, CC_OK);
	wr_bytes(w, m->cfg.guid, 16);
}

void app_get_system_guid(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	app_get_device_guid(m, rq, w);
}

void app_get_auth_caps(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint8_t ch = rd_u8(&r), priv = rd_u8(&r) & 0x0F;
	bool v2 = ch & 0x80;
	if (ipmi_short(&r, w))
		return;
	if (!ipmi_our_channel(m, ch)) {
		wr_u8(w, CC_INVALID_FIELD);
		return;
	}
	if (priv < PRIV_CALLBACK || priv > PRIV_ADMIN) {
		wr_u8(w, CC_INVALID_FIELD);
		return;
	}
	wr_u8(w, CC_OK);
	wr_u8(w, m->cfg.channel);
	/* No IPMI 1.5 authentication type is offered: bmcd has no IPMI 1.5 sessions. */
	wr_u8(w, v2 ? 0x80 : 0x00);
	/* K_G is the default (all zeros), per-message and user-level authentication are on,
	 * only non-null user names may log in. */
	wr_u8(w, 0x04);
	wr_u8(w, v2 ? 0x02 : 0x00); /* IPMI 2.0 connections only */
	wr_fill(w, 0, 3);		/* OEM ID */
	wr_u8(w, 0);			/* OEM auxiliary data */
}

/* Algorithm records for Get Channel Cipher Suites. */
static size_t suite_records(const struct ipmi *m, bool by_suite, uint8_t *out, size_t cap)
{
	static const struct { uint8_t id, a, i, c; } defs[] = {
		{ 1, 1, 0, 0 }, { 2, 1, 1, 0 }, { 3, 1, 1, 1 },
		{ 15, 3, 0, 0 }, { 16, 3, 4, 0 }, { 17, 3, 4, 1 },
	};
	struct wr w = wr_init(out, cap);
	uint8_t seen[3] = { 0, 0, 0 }; /* bitmaps of algorithms already listed */
	for (int k = 0; k < m->cfg.nsuites; k++) {
		for (size_t d = 0; d < sizeof(defs) / sizeof(defs[0]); d++) {
			if (defs[d].id != m->cfg.suites[k])
				continue;
			if (by_suite) {
				wr_u8(&w, 0xC0);
				wr_u8(&w, defs[d].id);
				wr_u8(&w, defs[d].a);
				wr_u8(&w, (uint8_t)(0x40 | defs[d].i));
				wr_u8(&w, (uint8_t)(0x80 | defs[d].c));
			} else {
				uint8_t v[3] = { defs[d].a, (uint8_t)(0x40 | defs[d].i),
						 (uint8_t)(0x80 | defs[d].c) };
				for (int t = 0; t < 3; t++) {
					if (seen[t] & (1u << (v[t] & 7)))
						continue;
					seen[t] |= (uint8_t)(1u << (v[t] & 7));
					wr_u8(&w, v[t]);
				}
			}
		}
	}
	return w.len;
}

void app_get_cipher_suites(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint8_t ch = rd_u8(&r), ptype = rd_u8(&r) & 0x3F, sel = rd_u8(&r);
	uint8_t idx = sel & 0x3F;
	bool by_suite = sel & 0x80;
	if (ipmi_short(&r, w))
		return;
	if (!ipmi_our_channel(m, ch)) {
		wr_u8(w, CC_INVALID_FIELD);
		return;
	}
	uint8_t rec[IPMI_SUITES_MAX * 5];
	size_t n = ptype == 0 ? suite_records(m, by_suite, rec, sizeof(rec)) : 0;
	size_t from = (size_t)idx * 16;
	wr_u8(w, CC_OK);
	wr_u8(w, m->cfg.channel);
	if (from < n)
		wr_bytes(w, rec + from, n - from > 16 ? 16 : n - from);
}

void app_get_channel_info(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint8_t ch = rd_u8(&r);
	if (ipmi_short(&r, w))
		return;
	if (!ipmi_our_channel(m, ch)) {
		wr_u8(w, CC_INVALID_FIELD);
		return;
	}
	wr_u8(w, CC_OK);
	wr_u8(w, m->cfg.channel);
	wr_u8(w, 0x04);		/* medium: 802.3 LAN */
	wr_u8(w, 0x01);		/* protocol: IPMB-1.0 */
	wr_u8(w, (uint8_t)(0x80 | (ipmi_active_sessions(m) & 0x3F))); /* multi-session */
	wr_u8(w, 0xF2);		/* vendor: IPMI forum, IANA 7154 */
	wr_u8(w, 0x1B);
	wr_u8(w, 0x00);
	wr_u16le(w, 0);		/* auxiliary info */
}

static void put_peer(struct wr *w, const struct peer *p)
{
	uint8_t ip[4] = { 0, 0, 0, 0 };
	uint16_t port = 0;
	if (p->sa.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&p->sa;
		memcpy(ip, &a->sin_addr, 4);
		port = ntohs(a->sin_port);
	} else if (p->sa.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&p->sa;
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF };
		if (memcmp(a->sin6_addr.s6_addr, mapped, 12) == 0)
			memcpy(ip, a->sin6_addr.s6_addr + 12, 4);
		port = ntohs(a->sin6_port);
	}
	wr_bytes(w, ip, 4);	/* IP address, network order */
	wr_fill(w, 0, 6);	/* MAC address: not known for a routed peer */
	wr_u16le(w, port);	/* port, least significant byte first */
}

void app_get_session_info(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint8_t idx = rd_u8(&r);
	struct ipmi_session *s = NULL;
	if (ipmi_short(&r, w))
		return;
	if (idx == 0x00) {
		s = rq->s;
	} else if (idx == 0xFE) {
		uint8_t h = rd_u8(&r); /* session handle */
		if (ipmi_short(&r, w))
			return;
		if (h == 0 || h > m->cfg.max_sessions) {
			wr_u8(w, CC_INVALID_FIELD);
			return;
		}
		s = &m->sess[h - 1];
	} else if (idx == 0xFF) {
		uint32_t id = rd_u32le(&r); /* session ID */
		if (ipmi_short(&r, w))
			return;
		s = ipmi_session_by_id(m, id);
	} else if (idx <= 0x3F) {
		int k = 0;
		for (int i = 0; i < m->cfg.max_sessions && !s; i++)
			if (m->sess[i].state == SESS_ACTIVE && ++k == idx)
				s = &m->sess[i];
	} else {
		wr_u8(w, CC_INVALID_FIELD);
		return;
	}
	if (s && s->state != SESS_ACTIVE)
		s = NULL;
	/* no session there: handle 0 and the counts only */
	wr_u8(w, CC_OK);
	wr_u8(w, s ? s->handle : 0);
	wr_u8(w, (uint8_t)(m->cfg.max_sessions & 0x3F));
	wr_u8(w, (uint8_t)(ipmi_active_sessions(m) & 0x3F));
	if (!s)
		return;
	wr_u8(w, (uint8_t)((s->user + 1) & 0x3F));
	wr_u8(w, s->priv & 0x0F);
	wr_u8(w, (uint8_t)(0x10 | (m->cfg.channel & 0x0F))); /* IPMI 2.0 / RMCP+, channel */
	/* Where another session's console is (address and port) is an administrator's
	 * business: with it and the session ID a spoofer could aim packets at that console. */
	if (s == rq->s || (rq->s && rq->s->priv >= PRIV_ADMIN)) {
		put_peer(w, &s->peer);
	} else {
		static const struct peer hidden;
		put_peer(w, &hidden);
	}
}

void app_set_session_priv(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	(void)m;
	struct ipmi_session *s = rq->s;
	struct rd r = ipmi_rd(rq);
	uint8_t want = rd_u8(&r) & 0x0F;
	if (ipmi_short(&r, w))
		return;
	if (!s) {
		wr_u8(w, CC_INSUFFICIENT_PRIV);
		return;
	}
	if (want == 0) {
		/* no change: report the present level */
	} else if (want > PRIV_ADMIN) {
		wr_u8(w, CC_PRIV_UNAVAILABLE); /* requested level not available for this user */
		return;
	} else if (want > s->priv_limit) {
		wr_u8(w, CC_PRIV_OVER_LIMIT); /* exceeds the user's or the session's limit */
		return;
	} else {
		s->priv = want;
		if (m->pl_sol.priv_changed) /* SoL ends when its session is now below its privilege */
			m->pl_sol.priv_changed(m->pl_sol.ctx);
	}
	wr_u8(w, CC_OK);
	wr_u8(w, s->priv);
}

void app_close_session(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint32_t id = rd_u32le(&r);
	struct ipmi_session *t = NULL;
	if (ipmi_short(&r, w))
		return;
	if (id == 0) {
		uint8_t h = rd_u8(&r); /* no ID: the session handle follows */
		if (ipmi_short(&r, w))
			return;
		if (h >= 1 && h <= m->cfg.max_sessions && m->sess[h - 1].state == SESS_ACTIVE)
			t = &m->sess[h - 1];
		if (!t) {
			wr_u8(w, CC_BAD_SESSION_HANDLE);
			return;
		}
	} else {
		t = ipmi_session_by_id(m, id);
		if (!t || t->state != SESS_ACTIVE) {
			wr_u8(w, CC_BAD_SESSION_ID);
			return;
		}
	}
	if (t != rq->s && (!rq->s || rq->s->priv < PRIV_ADMIN)) {
		wr_u8(w, CC_INSUFFICIENT_PRIV);
		return;
	}
	wr_u8(w, CC_OK);
	if (t == rq->s)
		t->close_after_reply = true;
	else
		ipmi_session_close(m, t, "closed by an administrator");
}

void app_get_channel_access(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint8_t ch = rd_u8(&r), which = rd_u8(&r) & 0xC0;
	if (ipmi_short(&r, w))
		return;
	if (!ipmi_our_channel(m, ch) || (which != 0x40 && which != 0x80)) {
		wr_u8(w, CC_INVALID_FIELD);
		return;
	}
	wr_u8(w, CC_OK);
	/* PEF alerting disabled (bmcd sends no alerts), per-message and user-level
	 * authentication enabled, access mode "always available"; the same for the volatile
	 * and the non-volatile settings, which bmcd does not distinguish */
	wr_u8(w, 0x20 | 0x02);
	wr_u8(w, PRIV_ADMIN);
}

void app_get_user_access(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint8_t ch = rd_u8(&r), id = rd_u8(&r) & 0x3F;
	if (ipmi_short(&r, w))
		return;
	if (!ipmi_our_channel(m, ch) || id == 0 || id > m->users->max) {
		wr_u8(w, CC_INVALID_FIELD);
		return;
	}
	wr_u8(w, CC_OK);
	wr_u8(w, (uint8_t)(m->users->max & 0x3F));	/* user IDs */
	/* this ID enabled (01b) or disabled (10b); the count of enabled IDs */
	wr_u8(w, (uint8_t)((id <= m->users->n ? 0x40 : 0x80) | (m->users->n & 0x3F)));
	wr_u8(w, (uint8_t)(m->users->n & 0x3F));		/* fixed names: all, from the file */
	if (id <= m->users->n)	/* IPMI messaging on, privilege limit from the users file */
		wr_u8(w, (uint8_t)(0x10 | (m->users->u[id - 1].priv & 0x0F)));
	else
		wr_u8(w, 0x0F);	/* no access */
}

void app_get_user_name(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint8_t id = rd_u8(&r) & 0x3F;
	if (ipmi_short(&r, w))
		return;
	if (id == 0 || id > m->users->max) {
		wr_u8(w, CC_INVALID_FIELD);
		return;
	}
	uint8_t name[16] = { 0 };
	if (id <= m->users->n)
		memcpy(name, m->users->u[id - 1].name, m->users->u[id - 1].name_len);
	wr_u8(w, CC_OK);
	wr_bytes(w, name, 16);
}

void app_get_payload_support(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint8_t ch = rd_u8(&r);
	if (ipmi_short(&r, w))
		return;
	if (!ipmi_our_channel(m, ch)) {
		wr_u8(w, CC_INVALID_FIELD);
		return;
	}
	wr_u8(w, CC_OK);
	wr_u8(w, (uint8_t)(0x01 | (m->pl_sol.offered ? 0x02 : 0))); /* IPMI; SoL if configured */
	wr_u8(w, 0x00);
	wr_u8(w, 0x3F);	/* session setup: open session request/response, RAKP 1-4 */
	wr_u8(w, 0x00);
	wr_fill(w, 0, 4); /* no OEM payloads */
}

/* Users and channel access come from the users file and the config: a read-only image
 * has no place to keep changes, so the Set commands are refused. */
void app_read_only(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	(void)m;
	(void)rq;
	wr_u8(w, CC_NOT_SUPPORTED_NOW);
}
