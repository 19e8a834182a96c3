/*
 * RMCP+ sessions: the session table (allocation, eviction, caps, expiry), the login
 * throttle glue, the inbound sequence window, and per-packet integrity and
 * confidentiality both ways.
 *
 * Implementation notes
 * - Inbound sequence numbers: the highest accepted number plus a 32-bit bitmap of the
 *   numbers below it; a number already seen is a replay unless it is an exact
 *   retransmission of the last request, which gets the cached answer again (the client lost
 *   our reply; running the command twice would be wrong, staying silent stalls it).
 * - The session table resists being filled: one address may hold per_source_max sessions
 *   (a reserve stays for everyone else); when the table is full, a newcomer takes the slot
 *   of the oldest half-open session of the address with the most half-open sessions, so a
 *   flood from one address only evicts its own. Completed sessions are never evicted.
 *   Accounts below ADMINISTRATOR are capped once known (RAKP 1): per_user_max sessions
 *   each, and all of them together leave admin_reserve slots free, so a read-only account
 *   (or two) can never lock the administrators out.
 * - Failed logins (unknown user, bad password, a handshake abandoned after RAKP 2) are
 *   counted per address; past fail_threshold within fail_window_ms that address gets no
 *   new session for a while, doubling up to lockout_max_ms. Other addresses are not
 *   affected, so an attacker cannot lock the real administrator out.
 * - AES-CBC IVs are the session key's encryption of a per-session nonce block (the
 *   outbound sequence number and a random salt), as NIST SP 800-38A appendix C suggests:
 *   unpredictable without a DRBG call per packet.
 */
#include "ipmi_priv.h"

#include <stdio.h>
#include <string.h>

#include "parse.h"

static size_t icv_len(uint8_t integ_alg) { return integ_alg == 4 ? 16 : integ_alg == 1 ? 12 : 0; }

/* The payload engines live in the session layer: sessions closing reach them from here. */
bool ipmi_set_payload(struct ipmi *m, uint8_t type, const struct ipmi_payload_ops *ops)
{
	if (type != IPMI_PAYLOAD_SOL)
		return false;
	m->pl_sol = *ops;
	return true;
}

struct ipmi_session *ipmi_session_by_id(struct ipmi *m, uint32_t bmc_sid)
{
	if (bmc_sid == 0)
		return NULL;
	for (int i = 0; i < m->cfg.max_sessions; i++)
		if (m->sess[i].state != SESS_FREE && m->sess[i].bmc_sid == bmc_sid)
			return &m->sess[i];
	return NULL;
}

int ipmi_active_sessions(const struct ipmi *m)
{
	int n = 0;
	for (int i = 0; i < m->cfg.max_sessions; i++)
		n += m->sess[i].state == SESS_ACTIVE;
	return n;
}

void ipmi_session_close(struct ipmi *m, struct ipmi_session *s, const char *why)
{
	if (s->state == SESS_FREE)
		return;
	if (s->state == SESS_ACTIVE) /* debug: a fleet manager opens one per poll */
		LOG(m, 7, "ipmi: session %08x (%s) closed: %s", s->bmc_sid, s->user_name, why);
	if (m->pl_sol.closed)
		m->pl_sol.closed(m->pl_sol.ctx, s);
	uint8_t handle = s->handle;
	/* wipe keys and randoms */
	memset(s, 0, sizeof(*s));
	s->handle = handle;
	s->user = -1;
}

void ipmi_close_all(struct ipmi *m)
{
	for (int i = 0; i < m->cfg.max_sessions; i++)
		ipmi_session_close(m, &m->sess[i], "bmcd stopping");
}

static void addr16(const struct peer *p, uint8_t out[16])
{
	memset(out, 0, 16);
	if (p->sa.ss_family == AF_INET) {
		out[10] = out[11] = 0xFF;
		memcpy(out + 12, &((const struct sockaddr_in *)&p->sa)->sin_addr, 4);
	} else if (p->sa.ss_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)&p->sa)->sin6_addr, 16);
	}
}

static bool same_addr(const struct peer *a, const struct peer *b)
{
	uint8_t x[16], y[16];
	addr16(a, x);
	addr16(b, y);
	return memcmp(x, y, 16) == 0;
}

static const char *addr_str(const struct peer *p, char *buf, size_t cap)
{
	uint8_t a[16];
	addr16(p, a);
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF };
	if (!memcmp(a, mapped, 12))
		snprintf(buf, cap, "%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
	else
		snprintf(buf, cap, "%02x%02x:%02x%02x:...:%02x%02x", a[0], a[1], a[2], a[3], a[14], a[15]);
	return buf;
}

static bool half_open(const struct ipmi_session *s)
{
	return s->state == SESS_OPENED || s->state == SESS_RAKP2;
}

struct ipmi_session *ipmi_session_alloc(struct ipmi *m, const struct peer *from)
{
	int mine = 0;
	struct ipmi_session *free_slot = NULL, *expired = NULL, *my_oldest = NULL;
	for (int i = 0; i < m->cfg.max_sessions; i++) {
		struct ipmi_session *s = &m->sess[i];
		if (s->state == SESS_FREE) {
			if (!free_slot)
				free_slot = s;
			continue;
		}
		if (half_open(s) && s->expires <= m->now && !expired)
			expired = s;
		if (same_addr(&s->peer, from)) {
			mine++;
			if (half_open(s) && (!my_oldest || s->expires < my_oldest->expires))
				my_oldest = s;
		}
	}
	if (m->cfg.per_source_max && mine >= m->cfg.per_source_max) {
		if (!my_oldest)
			return NULL; /* its quota is all completed sessions */
		m->st.evicted++;
		ipmi_session_close(m, my_oldest, "replaced by a newer login from the same address");
		return my_oldest;
	}
	if (free_slot)
		return free_slot;
	if (expired) {
		ipmi_session_close(m, expired, "handshake expired");
		return expired;
	}
	if (my_oldest) { /* full: a requester with unfinished logins only displaces its own */
		m->st.evicted++;
		ipmi_session_close(m, my_oldest, "replaced by a newer login from the same address");
		return my_oldest;
	}
	/* Full: evict the oldest half-open session of the address holding the most of them. */
	struct ipmi_session *victim = NULL;
	int best = 0;
	for (int i = 0; i < m->cfg.max_sessions; i++) {
		struct ipmi_session *s = &m->sess[i];
		if (!half_open(s))
			continue;
		int n = 0;
		struct ipmi_session *oldest = NULL;
		for (int j = 0; j < m->cfg.max_sessions; j++) {
			struct ipmi_session *t = &m->sess[j];
			if (half_open(t) && same_addr(&t->peer, &s->peer)) {
				n++;
				if (!oldest || t->expires < oldest->expires)
					oldest = t;
			}
		}
		if (n > best) {
			best = n;
			victim = oldest;
		}
	}
	if (!victim)
		return NULL;
	m->st.evicted++;
	ipmi_session_close(m, victim, "session table full: oldest unfinished login dropped");
	return victim;
}

/* --- failed logins (throttle.h) ------------------------------------------------------------ */

/* One table for every endpoint of the daemon when the wiring shares one: N endpoints must not
 * give a guesser N times the budget. */
static struct throttle *thr(struct ipmi *m)
{
	return m->cfg.shared_throttle ? m->cfg.shared_throttle : &m->thr;
}

int ipmi_user_find(const struct ipmi *m, const char *name, size_t len)
{
	int u = users_find(m->users, name, len);
	if (u >= 0 && m->cfg.user_allowed && !m->cfg.user_allowed(m->cfg.user_ctx, name, len))
		return -1; /* not this host's: to the client, exactly an unknown name */
	return u;
}

void ipmi_login_failed(struct ipmi *m, const struct peer *p, const char *user, size_t ulen)
{
	uint8_t a[16];
	m->st.logins_failed++;
	addr16(p, a);
	uint32_t wait = throttle_fail(thr(m), a, user, ulen, m->now);
	if (wait) {
		char b[48], u[USER_NAME_MAX + 1];
		log_safe(user, ulen, u, sizeof(u));
		LOG(m, 4, "ipmi: failed logins from %s (user '%s'): no login from there for %u ms",
		    addr_str(p, b, sizeof(b)), u, wait);
	}
}

bool ipmi_login_throttled(struct ipmi *m, const struct peer *p, const char *user, size_t ulen)
{
	uint8_t a[16];
	addr16(p, a);
	return throttle_wait(thr(m), a, user, ulen, m->now) > 0;
}

void ipmi_login_succeeded(struct ipmi *m, const struct ipmi_session *s)
{
	uint8_t a[16];
	addr16(&s->peer, a);
	throttle_ok(thr(m), a, s->user_name, strlen(s->user_name));
}

/* Would one more session for user u (besides self) break the caps for accounts below
 * ADMINISTRATOR? Only completed sessions count: RAKP 1 needs no password, so a handshake
 * in progress must not use up an account's share (anyone could lock it out). Checked at
 * RAKP 1 (early refusal) and again at RAKP 3 (concurrent handshakes). */
bool ipmi_over_cap(const struct ipmi *m, const struct ipmi_session *self, int u)
{
	const struct users *us = m->users;
	if (us->u[u].priv >= PRIV_ADMIN)
		return false;
	int mine = 0, low = 0;
	for (int i = 0; i < m->cfg.max_sessions; i++) {
		const struct ipmi_session *t = &m->sess[i];
		if (t == self || t->user < 0 || t->user >= us->n || t->state != SESS_ACTIVE)
			continue;
		mine += t->user == u;
		low += us->u[t->user].priv < PRIV_ADMIN;
	}
	if (m->cfg.per_user_max && mine >= m->cfg.per_user_max)
		return true;
	return m->cfg.admin_reserve && low + m->cfg.admin_reserve >= m->cfg.max_sessions;
}

uint32_t ipmi_new_session_id(struct ipmi *m)
{
	for (;;) {
		uint32_t id = rng_u32(&m->rng);
		if (id != 0 && !ipmi_session_by_id(m, id))
			return id;
	}
}

int64_t ipmi_deadline(const struct ipmi *m)
{
	int64_t d = INT64_MAX;
	for (int i = 0; i < m->cfg.max_sessions; i++) {
		const struct ipmi_session *s = &m->sess[i];
		int64_t t;
		if (s->state == SESS_FREE)
			continue;
		t = s->state == SESS_ACTIVE ? s->last_rx + m->cfg.session_timeout_ms : s->expires;
		if (t < d)
			d = t;
	}
	if (m->pl_sol.deadline) {
		int64_t t = m->pl_sol.deadline(m->pl_sol.ctx);
		if (t < d)
			d = t;
	}
	return d;
}

void ipmi_tick(struct ipmi *m, int64_t now)
{
	m->now = now;
	for (int i = 0; i < m->cfg.max_sessions; i++) {
		struct ipmi_session *s = &m->sess[i];
		if (s->state == SESS_ACTIVE && now - s->last_rx >= (int64_t)m->cfg.session_timeout_ms)
			ipmi_session_close(m, s, "idle timeout");
		else if (s->state != SESS_FREE && s->state != SESS_ACTIVE && now >= s->expires) {
			if (s->state == SESS_RAKP2) {
				/* the console checked our RAKP 2 against its password and gave
				 * up without a word: ipmitool does this on a wrong password */
				ipmi_login_failed(m, &s->peer, s->user_name, strlen(s->user_name));
				LOG(m, 5, "ipmi: login of '%s' not completed (wrong password, or the "
				    "console gave up)", s->user_name);
			}
			ipmi_session_close(m, s, "handshake timeout");
		}
	}
	if (m->pl_sol.tick)
		m->pl_sol.tick(m->pl_sol.ctx, now);
}

void ipmi_users_changed(struct ipmi *m)
{
	for (int i = 0; i < m->cfg.max_sessions; i++) {
		struct ipmi_session *s = &m->sess[i];
		if (s->state == SESS_FREE || s->user < 0)
			continue;
		int u = ipmi_user_find(m, s->user_name, strlen(s->user_name));
		if (u < 0) {
			ipmi_session_close(m, s, "user removed or not allowed on this host");
			continue;
		}
		if (m->users->u[u].stamp != s->stamp) {
			/* a new password revokes what the old one opened; a new privilege is
			 * applied by logging in again (SECURITY.md: revocation) */
			LOG(m, 5, "ipmi: session %08x of '%s' closed: password or privilege changed",
			    s->bmc_sid, s->user_name);
			ipmi_session_close(m, s, "password or privilege changed");
			continue;
		}
		s->user = (int16_t)u; /* the table may have been reordered */
	}
}

/* ---------------------------------------------------------------------------------------
 * Packets
 */

void ipmi_session_send(struct ipmi *m, struct ipmi_session *s, uint8_t payload_type,
		       const uint8_t *payload, size_t len)
{
	uint8_t buf[IPMI_PKT_MAX];
	struct wr w = wr_init(buf, sizeof(buf));
	bool enc = s->conf_alg == 1, auth = s->integ_alg != 0;

	if (++s->out_seq == 0)
		s->out_seq = 1;
	rmcp_header(&w);
	wr_u8(&w, 0x06);
	wr_u8(&w, (uint8_t)(payload_type | (enc ? 0x80 : 0) | (auth ? 0x40 : 0)));
	wr_u32le(&w, s->con_sid);
	wr_u32le(&w, s->out_seq);
	size_t len_at = w.len;
	wr_u16le(&w, 0);
	size_t body_at = w.len;
	if (enc) {
		size_t pad = (16 - (len + 1) % 16) % 16;
		size_t ct = len + pad + 1;
		uint8_t *iv = wr_ptr(&w, 16);
		uint8_t *c = wr_ptr(&w, ct);
		if (!iv || !c)
			return;
		/* IV = AES_K2(out_seq || salt): see the implementation notes above */
		uint8_t zero[16] = { 0 };
		memcpy(iv, s->rc, 16);
		put_u32le(iv, s->out_seq);
		aes_cbc_encrypt(&s->aes, zero, iv, 16);
		memcpy(c, payload, len);
		for (size_t i = 0; i < pad; i++)
			c[len + i] = (uint8_t)(i + 1);
		c[len + pad] = (uint8_t)pad;
		uint8_t ivc[16];
		memcpy(ivc, iv, 16);
		aes_cbc_encrypt(&s->aes, ivc, c, ct);
	} else {
		wr_bytes(&w, payload, len);
	}
	if (w.err)
		return;
	put_u16le(buf + len_at, (uint16_t)(w.len - body_at));
	if (auth) {
		size_t covered = w.len - 4 + 2; /* from auth type through next header */
		size_t pad = (4 - covered % 4) % 4;
		wr_fill(&w, 0xFF, pad);
		wr_u8(&w, (uint8_t)pad);
		wr_u8(&w, 0x07);
		uint8_t mac[MAC_MAX];
		struct iov v = { buf + 4, w.len - 4 };
		hmac_key_run(&s->k1, &v, 1, mac);
		wr_bytes(&w, mac, icv_len(s->integ_alg));
	}
	if (w.err)
		return;
	rmcp_send_raw(m, &s->peer, buf, w.len);
}

/* Inbound sequence numbers. The first authenticated packet sets the base (ipmitool's
 * first in-session number is 3 or 4, not 1). After that a number ahead of the highest is
 * accepted (clients skip numbers when packets are lost), and one up to 31 behind only if
 * it was not seen before: no client ever reuses a number, even for a retransmission. */
static bool seq_fresh(const struct ipmi_session *s, uint32_t seq)
{
	if (seq == 0)
		return false;
	int32_t d = (int32_t)(seq - s->in_hi);
	if (s->in_hi == 0 || d > 0)
		return true;
	if (d <= -32)
		return false;
	return !((s->in_seen >> -d) & 1);
}

static void seq_accept(struct ipmi_session *s, uint32_t seq)
{
	int32_t d = (int32_t)(seq - s->in_hi);
	if (s->in_hi == 0 || d > 0) {
		s->in_seen = s->in_hi == 0 || d >= 32 ? 0 : s->in_seen << d;
		s->in_seen |= 1;
		s->in_hi = seq;
	} else {
		s->in_seen |= 1u << -d;
	}
}

struct ipmi_session *ipmi_session_unwrap(struct ipmi *m, const uint8_t *pkt, size_t len,
					 const struct rmcp_pkt *h, const struct peer *from,
					 uint8_t plain[IPMI_PKT_MAX], const uint8_t **body,
					 size_t *blen)
{
	struct ipmi_session *s = ipmi_session_by_id(m, h->sid);
	bool enc = h->pt & 0x80, auth = h->pt & 0x40;
	if (!s || s->state != SESS_ACTIVE || enc != (s->conf_alg != 0) ||
	    auth != (s->integ_alg != 0)) {
		m->st.dropped++;
		return NULL;
	}
	size_t end = h->body_at + h->body_len;
	if (auth) {
		size_t il = icv_len(s->integ_alg);
		if (len < end + 2 + il) {
			m->st.dropped++;
			return NULL;
		}
		size_t trailer = len - end; /* pad + pad length + next header + auth code */
		uint8_t padlen = pkt[len - il - 2];
		if (trailer != (size_t)padlen + 2 + il || pkt[len - il - 1] != 0x07) {
			m->st.dropped++;
			return NULL;
		}
		uint8_t mac[MAC_MAX];
		struct iov v = { pkt + 4, len - 4 - il };
		hmac_key_run(&s->k1, &v, 1, mac);
		if (!ct_equal(mac, pkt + len - il, il)) {
			m->st.auth_fail++;
			return NULL;
		}
	} else if (len != end) {
		m->st.dropped++;
		return NULL;
	}
	if (!seq_fresh(s, h->seq)) {
		m->st.replays++;
		return NULL;
	}

	const uint8_t *b = pkt + h->body_at;
	size_t bl = h->body_len;
	if (enc) {
		if (bl < 32 || bl % 16 || bl - 16 > IPMI_PKT_MAX) {
			m->st.dropped++;
			return NULL;
		}
		uint8_t iv[16];
		memcpy(iv, b, 16);
		memcpy(plain, b + 16, bl - 16);
		aes_cbc_decrypt(&s->aes, iv, plain, bl - 16);
		bl -= 16;
		uint8_t pad = plain[bl - 1];
		if (pad > 15 || (size_t)pad + 1 > bl) {
			m->st.dropped++;
			return NULL;
		}
		bl -= (size_t)pad + 1;
		b = plain;
	}
	/* authenticated and fresh: the packet counts */
	seq_accept(s, h->seq);
	s->last_rx = m->now;
	s->peer = *from; /* the console may move (NAT rebinding): follow it */

	*body = b;
	*blen = bl;
	return s;
}
