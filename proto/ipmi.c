/*
 * RMCP / RMCP+ packet layer and session management.
 *
 * Implementation notes
 * - Every datagram is parsed with a bounded reader; anything that cannot be answered in
 *   its own format (bad RMCP header, unknown session, failed integrity check, replay) is
 *   dropped and counted, as the spec requires: an unauthenticated answer to an
 *   authenticated session would itself be a forgery oracle.
 * - Sessions move FREE -> OPENED (Open Session) -> RAKP2 (RAKP 1 answered) -> ACTIVE
 *   (RAKP 3 verified). A session that is not ACTIVE has a short handshake deadline.
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
#include "ipmi.h"

#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "host.h"
#include "parse.h"

struct suite_def {
	uint8_t id, auth, integ, conf;
};

/* Auth: 1 RAKP-HMAC-SHA1, 3 RAKP-HMAC-SHA256. Integrity: 1 HMAC-SHA1-96, 4 HMAC-SHA256-128.
 * Confidentiality: 1 AES-CBC-128. Suite 0 (no authentication) does not exist here. */
static const struct suite_def known_suites[] = {
	{ 1, 1, 0, 0 }, { 2, 1, 1, 0 }, { 3, 1, 1, 1 },
	{ 15, 3, 0, 0 }, { 16, 3, 4, 0 }, { 17, 3, 4, 1 },
};

static const struct suite_def *suite_by_id(uint8_t id)
{
	for (size_t i = 0; i < sizeof(known_suites) / sizeof(known_suites[0]); i++)
		if (known_suites[i].id == id)
			return &known_suites[i];
	return NULL;
}

#define LOG(m, lvl, ...)                                                                   \
	do {                                                                               \
		if ((m)->log)                                                              \
			(m)->log((m)->log_ctx, lvl, __VA_ARGS__);                          \
	} while (0)

static enum hash_alg auth_hash(uint8_t auth_alg) { return auth_alg == 3 ? HASH_SHA256 : HASH_SHA1; }

/* K_UID (the password, zero-padded to 20 bytes) as an HMAC key for the session's suite */
static const struct hmac_key *kuid(const struct user *u, const struct ipmi_session *s)
{
	return s->auth_alg == 3 ? &u->kuid_sha256 : &u->kuid_sha1;
}
static size_t icv_len(uint8_t integ_alg) { return integ_alg == 4 ? 16 : integ_alg == 1 ? 12 : 0; }

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

bool ipmi_set_payload(struct ipmi *m, uint8_t type, const struct ipmi_payload_ops *ops)
{
	if (type != IPMI_PAYLOAD_SOL)
		return false;
	m->pl_sol = *ops;
	return true;
}

static void send_raw(struct ipmi *m, const struct peer *to, const uint8_t *buf, size_t len)
{
	m->st.tx++;
	if (m->send)
		m->send(m->send_ctx, to, buf, len);
}

/* ---------------------------------------------------------------------------------------
 * Sessions
 */

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

/* A slot for a new session from `from`, or NULL (the caller answers "no resources"). */
static struct ipmi_session *session_alloc(struct ipmi *m, const struct peer *from)
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

static void login_failed(struct ipmi *m, const struct peer *p, const char *user, size_t ulen)
{
	uint8_t a[16];
	m->st.logins_failed++;
	addr16(p, a);
	uint32_t wait = throttle_fail(&m->thr, a, user, ulen, m->now);
	if (wait) {
		char b[48], u[USER_NAME_MAX + 1];
		log_safe(user, ulen, u, sizeof(u));
		LOG(m, 4, "ipmi: failed logins from %s (user '%s'): no login from there for %u ms",
		    addr_str(p, b, sizeof(b)), u, wait);
	}
}

static bool throttled(struct ipmi *m, const struct peer *p, const char *user, size_t ulen)
{
	uint8_t a[16];
	addr16(p, a);
	return throttle_wait(&m->thr, a, user, ulen, m->now) > 0;
}

static void login_succeeded(struct ipmi *m, const struct ipmi_session *s)
{
	uint8_t a[16];
	addr16(&s->peer, a);
	throttle_ok(&m->thr, a, s->user_name, strlen(s->user_name));
}

/* Would one more session for user u (besides self) break the caps for accounts below
 * ADMINISTRATOR? Only completed sessions count: RAKP 1 needs no password, so a handshake
 * in progress must not use up an account's share (anyone could lock it out). Checked at
 * RAKP 1 (early refusal) and again at RAKP 3 (concurrent handshakes). */
static bool over_cap(const struct ipmi *m, const struct ipmi_session *self, int u)
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

static uint32_t new_session_id(struct ipmi *m)
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
				login_failed(m, &s->peer, s->user_name, strlen(s->user_name));
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
		int u = users_find(m->users, s->user_name, strlen(s->user_name));
		if (u < 0) {
			ipmi_session_close(m, s, "user removed");
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
 * Outbound packets
 */

static void rmcp_header(struct wr *w)
{
	static const uint8_t h[4] = { 0x06, 0x00, 0xFF, 0x07 };
	wr_bytes(w, h, 4);
}

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
	send_raw(m, &s->peer, buf, w.len);
}

/* Pre-session answer in the format the request came in: 1.5 (auth type 0) or 2.0. */
static void send_presession(struct ipmi *m, const struct peer *to, bool v20, uint8_t ptype,
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
		send_raw(m, to, buf, w.len);
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

/* ---------------------------------------------------------------------------------------
 * Session establishment
 */

static bool same_peer(const struct peer *a, const struct peer *b)
{
	return a->len == b->len && memcmp(&a->sa, &b->sa, a->len) == 0;
}

static void open_session(struct ipmi *m, const uint8_t *p, size_t n, const struct peer *from)
{
	uint8_t rsp[36];
	struct wr w = wr_init(rsp, sizeof(rsp));
	if (n < 8) {
		m->st.dropped++;
		return;
	}
	struct rd r = rd_init(p, n);
	uint8_t tag = rd_u8(&r);
	uint8_t req_priv = rd_u8(&r) & 0x0F;
	rd_ptr(&r, 2);
	uint32_t con_sid = rd_u32le(&r);
	uint8_t alg[3] = { 0, 0, 0 };
	uint8_t status = RMCPP_OK;
	for (int i = 0; i < 3; i++) {
		uint8_t type = rd_u8(&r);
		rd_ptr(&r, 2);
		uint8_t plen = rd_u8(&r);
		alg[i] = rd_u8(&r) & 0x3F;
		rd_ptr(&r, 3);
		if (!r.err && (type != i || plen != 8))
			status = RMCPP_ILLEGAL_PARAM;
	}
	const struct suite_def *sd = NULL;
	if (r.err || con_sid == 0) {
		status = RMCPP_ILLEGAL_PARAM;
	} else if (status == RMCPP_OK) {
		if (req_priv > PRIV_ADMIN)
			status = RMCPP_BAD_ROLE;
		else if (alg[0] != 1 && alg[0] != 3)
			status = RMCPP_BAD_AUTH_ALG;
		else if (alg[1] != 0 && alg[1] != 1 && alg[1] != 4)
			status = RMCPP_BAD_INTEG_ALG;
		else if (alg[2] > 1)
			status = RMCPP_BAD_CONF_ALG;
		else {
			for (int i = 0; i < m->cfg.nsuites && !sd; i++) {
				const struct suite_def *d = suite_by_id(m->cfg.suites[i]);
				if (d && d->auth == alg[0] && d->integ == alg[1] && d->conf == alg[2])
					sd = d;
			}
			if (!sd)
				status = RMCPP_NO_SUITE_MATCH;
		}
	}
	struct ipmi_session *s = NULL;
	if (status == RMCPP_OK) {
		/* a retransmitted Open Session (new tag, same console session ID) reuses the
		 * session it already created instead of orphaning it */
		for (int i = 0; i < m->cfg.max_sessions && !s; i++) {
			struct ipmi_session *o = &m->sess[i];
			if (o->state == SESS_OPENED && o->con_sid == con_sid && same_peer(&o->peer, from))
				s = o;
		}
		if (!s && throttled(m, from, NULL, 0)) {
			m->st.throttled++;
			status = RMCPP_NO_RESOURCES; /* too many failed logins from there: wait */
		} else if (!s && !(s = session_alloc(m, from))) {
			status = RMCPP_NO_RESOURCES;
		}
	}

	wr_u8(&w, tag);
	wr_u8(&w, status);
	if (status != RMCPP_OK) {
		wr_u8(&w, 0);
		wr_u8(&w, 0);
		wr_u32le(&w, con_sid);
		LOG(m, 6, "ipmi: open session refused: status 0x%02x (algorithms %u/%u/%u)", status,
		    alg[0], alg[1], alg[2]);
		send_presession(m, from, true, 0x11, rsp, w.len);
		return;
	}
	if (s->state == SESS_FREE)
		s->bmc_sid = new_session_id(m);
	s->state = SESS_OPENED;
	s->con_sid = con_sid;
	s->suite = sd->id;
	s->auth_alg = sd->auth;
	s->integ_alg = sd->integ;
	s->conf_alg = sd->conf;
	/* 0 asks for the highest level the algorithms allow; ours allow every level. */
	s->max_priv = req_priv ? req_priv : PRIV_ADMIN;
	s->peer = *from;
	s->expires = m->now + m->cfg.handshake_timeout_ms;
	s->user = -1;

	wr_u8(&w, s->max_priv);
	wr_u8(&w, 0);
	wr_u32le(&w, con_sid);
	wr_u32le(&w, s->bmc_sid);
	for (int i = 0; i < 3; i++) {
		uint8_t a = i == 0 ? sd->auth : i == 1 ? sd->integ : sd->conf;
		const uint8_t pl[8] = { (uint8_t)i, 0, 0, 8, a, 0, 0, 0 };
		wr_bytes(&w, pl, 8);
	}
	send_presession(m, from, true, 0x11, rsp, w.len);
}

static void rakp_error(struct ipmi *m, const struct peer *to, uint8_t ptype, uint8_t tag,
		       uint8_t status, uint32_t con_sid)
{
	uint8_t rsp[8];
	struct wr w = wr_init(rsp, sizeof(rsp));
	wr_u8(&w, tag);
	wr_u8(&w, status);
	wr_u16le(&w, 0);
	wr_u32le(&w, con_sid);
	send_presession(m, to, true, ptype, rsp, w.len);
}

static void rakp1(struct ipmi *m, const uint8_t *p, size_t n, const struct peer *from)
{
	struct rd r = rd_init(p, n);
	uint8_t tag = rd_u8(&r);
	rd_ptr(&r, 3);
	uint32_t bmc_sid = rd_u32le(&r);
	uint8_t rm[16];
	rd_bytes(&r, rm, 16);
	uint8_t role = rd_u8(&r);
	rd_ptr(&r, 2);
	uint8_t ulen = rd_u8(&r);
	if (r.err) {
		m->st.dropped++;
		return;
	}
	struct ipmi_session *s = ipmi_session_by_id(m, bmc_sid);
	/* RAKP2 state too: a console that lost our RAKP 2 sends RAKP 1 again (new tag) */
	if (!s || (s->state != SESS_OPENED && s->state != SESS_RAKP2) ||
	    !same_peer(&s->peer, from)) {
		rakp_error(m, from, 0x13, tag, RMCPP_BAD_SESSION_ID, 0);
		return;
	}
	uint32_t con_sid = s->con_sid;
	uint8_t status = RMCPP_OK;
	const uint8_t *uname = NULL;
	int u = -1;
	uint8_t want = role & 0x0F;
	bool locked = false, capped = false;
	if (ulen > USER_NAME_MAX || !(uname = rd_ptr(&r, ulen)))
		status = RMCPP_BAD_NAME_LEN;
	else if ((locked = throttled(m, from, (const char *)uname, ulen)))
		status = RMCPP_NO_RESOURCES; /* too many failures for this name from there */
	else if ((role & 0xE0) || want < PRIV_CALLBACK || want > PRIV_ADMIN)
		status = RMCPP_BAD_ROLE;
	else if ((u = users_find(m->users, (const char *)uname, ulen)) < 0)
		status = RMCPP_UNAUTH_NAME;
	else if (!(role & 0x10) && m->users->u[u].priv < want)
		/* username/privilege lookup: no entry with that name at that level */
		status = RMCPP_UNAUTH_NAME;
	else if ((capped = over_cap(m, s, u)))
		status = RMCPP_NO_RESOURCES; /* its share of the table is taken */
	if (status != RMCPP_OK) {
		char safe[USER_NAME_MAX + 1];
		log_safe((const char *)uname, uname ? ulen : 0, safe, sizeof(safe));
		if (!locked && !capped)
			login_failed(m, from, (const char *)uname, uname ? ulen : 0);
		LOG(m, 5, "ipmi: login refused for user '%s' (role 0x%02x): status 0x%02x", safe,
		    role, status);
		ipmi_session_close(m, s, "RAKP 1 refused");
		rakp_error(m, from, 0x13, tag, status, con_sid);
		return;
	}
	const struct user *us = &m->users->u[u];
	s->user = (int16_t)u;
	memcpy(s->user_name, us->name, sizeof(s->user_name));
	s->stamp = us->stamp;
	s->role = role;
	/* Name-only lookup asking for more than the user has still gets a session, capped at
	 * the user's level: it starts at USER and Set Session Privilege Level refuses anything
	 * above the cap with 0x81. FreeIPMI and ipmitool then say why; pyghmi retries lower. */
	s->priv_limit = want;
	if (us->priv < s->priv_limit)
		s->priv_limit = us->priv;
	if (s->max_priv < s->priv_limit)
		s->priv_limit = s->max_priv;
	memcpy(s->rm, rm, 16);
	rng_bytes(&m->rng, s->rc, 16);

	uint8_t sid_bmc[4], sid_con[4];
	put_u32le(sid_bmc, s->bmc_sid);
	put_u32le(sid_con, s->con_sid);
	struct iov v[8] = {
		{ sid_con, 4 }, { sid_bmc, 4 }, { s->rm, 16 }, { s->rc, 16 },
		{ m->cfg.guid, 16 }, { &s->role, 1 }, { &ulen, 1 }, { us->name, ulen },
	};
	uint8_t mac[MAC_MAX];
	size_t ml = hmac_key_run(kuid(us, s), v, 8, mac);

	uint8_t rsp[40 + MAC_MAX];
	struct wr w = wr_init(rsp, sizeof(rsp));
	wr_u8(&w, tag);
	wr_u8(&w, RMCPP_OK);
	wr_u16le(&w, 0);
	wr_u32le(&w, s->con_sid);
	wr_bytes(&w, s->rc, 16);
	wr_bytes(&w, m->cfg.guid, 16);
	wr_bytes(&w, mac, ml);
	s->state = SESS_RAKP2;
	send_presession(m, from, true, 0x13, rsp, w.len);
}

/* sikk: the SIK as an HMAC key, keyed once per set-up by derive_keys(); NULL when RAKP 3
 * came again for an active session (then it is keyed here) */
static void rakp4_send(struct ipmi *m, struct ipmi_session *s, uint8_t tag, const struct peer *to,
		       const struct hmac_key *sikk)
{
	enum hash_alg h = auth_hash(s->auth_alg);
	uint8_t sid_bmc[4], mac[MAC_MAX];
	put_u32le(sid_bmc, s->bmc_sid);
	struct iov iv[3] = { { s->rm, 16 }, { sid_bmc, 4 }, { m->cfg.guid, 16 } };
	struct hmac_key k;
	if (!sikk) {
		hmac_key_init(&k, h, s->sik, hash_len(h));
		sikk = &k;
	}
	hmac_key_run(sikk, iv, 3, mac);
	uint8_t rsp[8 + MAC_MAX];
	struct wr w = wr_init(rsp, sizeof(rsp));
	wr_u8(&w, tag);
	wr_u8(&w, RMCPP_OK);
	wr_u16le(&w, 0);
	wr_u32le(&w, s->con_sid);
	wr_bytes(&w, mac, s->auth_alg == 3 ? 16 : 12);
	send_presession(m, to, true, 0x15, rsp, w.len);
}

static void derive_keys(struct ipmi *m, struct ipmi_session *s, const struct user *us,
			struct hmac_key *sikk)
{
	enum hash_alg h = auth_hash(s->auth_alg);
	size_t ml = hash_len(h);
	uint8_t ulen = us->name_len;
	(void)m;
	/* SIK = HMAC_KG(Rm, Rc, role, ulen, name); bmcd has no separate BMC key: K_G = K_UID */
	struct iov sv[5] = {
		{ s->rm, 16 }, { s->rc, 16 }, { &s->role, 1 }, { &ulen, 1 }, { us->name, ulen },
	};
	hmac_key_run(kuid(us, s), sv, 5, s->sik);
	/* K1, K2 = HMAC_SIK(20 bytes of 0x01 / 0x02) -- 20 bytes for SHA-256 too */
	uint8_t c[20], k[MAC_MAX];
	struct iov kv = { c, 20 };
	hmac_key_init(sikk, h, s->sik, ml); /* K1, K2 and RAKP 4 share it */
	memset(c, 0x01, sizeof(c));
	hmac_key_run(sikk, &kv, 1, k);
	hmac_key_init(&s->k1, s->integ_alg == 4 ? HASH_SHA256 : HASH_SHA1, k,
		      s->integ_alg == 4 ? 32 : 20);
	memset(c, 0x02, sizeof(c));
	hmac_key_run(sikk, &kv, 1, k);
	memcpy(s->k2, k, 16);
	aes_cbc_init(&s->aes, s->k2);
	memset(k, 0, sizeof(k));
}

static void rakp3(struct ipmi *m, const uint8_t *p, size_t n, const struct peer *from)
{
	struct rd r = rd_init(p, n);
	uint8_t tag = rd_u8(&r);
	uint8_t cstatus = rd_u8(&r);
	rd_ptr(&r, 2);
	uint32_t bmc_sid = rd_u32le(&r);
	if (r.err) {
		m->st.dropped++;
		return;
	}
	struct ipmi_session *s = ipmi_session_by_id(m, bmc_sid);
	/* ACTIVE too: a console that lost our RAKP 4 sends RAKP 3 again (new tag) */
	if (!s || (s->state != SESS_RAKP2 && s->state != SESS_ACTIVE) ||
	    !same_peer(&s->peer, from)) {
		rakp_error(m, from, 0x15, tag, RMCPP_BAD_SESSION_ID, 0);
		return;
	}
	bool again = s->state == SESS_ACTIVE;
	if (again && cstatus != RMCPP_OK) {
		/* RAKP messages are unauthenticated: once the session is established, only a
		 * retransmitted RAKP 3 with a valid code may get RAKP 4 again. An abort for an
		 * active session can only be forged: it changes nothing and counts nothing. */
		m->st.dropped++;
		return;
	}
	if (cstatus != RMCPP_OK) {
		/* the console gave up (e.g. our RAKP 2 failed its check) */
		login_failed(m, from, s->user_name, strlen(s->user_name));
		LOG(m, 5, "ipmi: console aborted login of '%s' with status 0x%02x", s->user_name,
		    cstatus);
		ipmi_session_close(m, s, "console aborted");
		return;
	}
	const struct user *us = s->user >= 0 && s->user < m->users->n ? &m->users->u[s->user] : NULL;
	enum hash_alg h = auth_hash(s->auth_alg);
	size_t ml = hash_len(h);
	const uint8_t *code = rd_ptr(&r, ml);
	bool ok = false;
	if (us && code && rd_left(&r) == 0) {
		uint8_t ulen = us->name_len, sid_con[4], mac[MAC_MAX];
		put_u32le(sid_con, s->con_sid);
		struct iov v[5] = {
			{ s->rc, 16 }, { sid_con, 4 }, { &s->role, 1 }, { &ulen, 1 }, { us->name, ulen },
		};
		hmac_key_run(kuid(us, s), v, 5, mac);
		ok = ct_equal(mac, code, ml);
	}
	if (!ok) {
		uint32_t con_sid = s->con_sid;
		if (again) {
			m->st.dropped++; /* not the console that logged in: leave the session be */
			return;
		}
		login_failed(m, from, s->user_name, strlen(s->user_name));
		m->st.auth_fail++;
		LOG(m, 5, "ipmi: login failed for user '%s': bad password (RAKP 3)", s->user_name);
		ipmi_session_close(m, s, "bad password");
		rakp_error(m, from, 0x15, tag, RMCPP_BAD_ICV, con_sid);
		return;
	}
	if (!again && over_cap(m, s, s->user)) {
		/* other handshakes of this account completed meanwhile: its share is taken */
		uint32_t con_sid = s->con_sid;
		LOG(m, 6, "ipmi: login of '%s' refused: the account holds its share of sessions",
		    s->user_name);
		ipmi_session_close(m, s, "session cap");
		rakp_error(m, from, 0x15, tag, RMCPP_NO_RESOURCES, con_sid);
		return;
	}
	struct hmac_key sikk, *sikp = NULL;
	if (!again) {
		derive_keys(m, s, us, &sikk);
		sikp = &sikk;
		s->state = SESS_ACTIVE;
		s->priv = s->priv_limit < PRIV_USER ? s->priv_limit : PRIV_USER;
		s->last_rx = m->now;
		s->in_hi = 0;
		s->in_seen = 0;
		s->out_seq = 0;
		s->last_req_len = s->last_rsp_len = 0;
		m->st.sessions_opened++;
		login_succeeded(m, s);
		LOG(m, 7, "ipmi: session %08x opened for '%s' (limit %s, suite %u)", s->bmc_sid,
		    s->user_name, priv_name(s->priv_limit), s->suite);
	}
	rakp4_send(m, s, tag, from, sikp);
}

/* ---------------------------------------------------------------------------------------
 * Inbound packets
 */

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
	send_raw(m, from, buf, w.len);
}

static void presession_msg(struct ipmi *m, const uint8_t *msg, size_t len, const struct peer *from,
			   bool v20)
{
	uint8_t out[IPMI_MSG_MAX];
	size_t n = handle_msg(m, NULL, msg, len, out, sizeof(out));
	if (n)
		send_presession(m, from, v20, 0x00, out, n);
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

static void session_packet(struct ipmi *m, const uint8_t *pkt, size_t len, uint8_t pt,
			   uint32_t sid, uint32_t seq, size_t body_at, size_t body_len,
			   const struct peer *from)
{
	struct ipmi_session *s = ipmi_session_by_id(m, sid);
	bool enc = pt & 0x80, auth = pt & 0x40;
	uint8_t ptype = pt & 0x3F;
	if (!s || s->state != SESS_ACTIVE || enc != (s->conf_alg != 0) ||
	    auth != (s->integ_alg != 0)) {
		m->st.dropped++;
		return;
	}
	size_t end = body_at + body_len;
	if (auth) {
		size_t il = icv_len(s->integ_alg);
		if (len < end + 2 + il) {
			m->st.dropped++;
			return;
		}
		size_t trailer = len - end; /* pad + pad length + next header + auth code */
		uint8_t padlen = pkt[len - il - 2];
		if (trailer != (size_t)padlen + 2 + il || pkt[len - il - 1] != 0x07) {
			m->st.dropped++;
			return;
		}
		uint8_t mac[MAC_MAX];
		struct iov v = { pkt + 4, len - 4 - il };
		hmac_key_run(&s->k1, &v, 1, mac);
		if (!ct_equal(mac, pkt + len - il, il)) {
			m->st.auth_fail++;
			return;
		}
	} else if (len != end) {
		m->st.dropped++;
		return;
	}
	if (!seq_fresh(s, seq)) {
		m->st.replays++;
		return;
	}

	uint8_t plain[IPMI_PKT_MAX];
	const uint8_t *body = pkt + body_at;
	size_t blen = body_len;
	if (enc) {
		if (blen < 32 || blen % 16 || blen - 16 > sizeof(plain)) {
			m->st.dropped++;
			return;
		}
		uint8_t iv[16];
		memcpy(iv, body, 16);
		memcpy(plain, body + 16, blen - 16);
		aes_cbc_decrypt(&s->aes, iv, plain, blen - 16);
		blen -= 16;
		uint8_t pad = plain[blen - 1];
		if (pad > 15 || (size_t)pad + 1 > blen) {
			m->st.dropped++;
			return;
		}
		blen -= (size_t)pad + 1;
		body = plain;
	}
	/* authenticated and fresh: the packet counts */
	seq_accept(s, seq);
	s->last_rx = m->now;
	s->peer = *from; /* the console may move (NAT rebinding): follow it */

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
	struct rd r = rd_init(pkt, len);
	uint8_t ver = rd_u8(&r);
	rd_u8(&r);
	uint8_t rseq = rd_u8(&r);
	uint8_t cls = rd_u8(&r);
	if (r.err || ver != 0x06 || (cls & 0x80)) {
		m->st.dropped++;
		return;
	}
	if ((cls & 0x1F) == 0x06) {
		asf_ping(m, &r, rseq, from);
		return;
	}
	if ((cls & 0x1F) != 0x07) {
		m->st.dropped++;
		return;
	}
	uint8_t at = rd_u8(&r);
	if (at == 0x00) {
		/* IPMI 1.5 session header, allowed only outside a session */
		rd_u32le(&r);
		uint32_t sid = rd_u32le(&r);
		uint8_t mlen = rd_u8(&r);
		const uint8_t *msg = rd_ptr(&r, mlen);
		if (!msg || sid != 0) {
			m->st.dropped++;
			return;
		}
		presession_msg(m, msg, mlen, from, false);
		return;
	}
	if (at != 0x06) {
		/* IPMI 1.5 authenticated sessions (MD5, password) are not supported */
		m->st.dropped++;
		return;
	}
	uint8_t pt = rd_u8(&r);
	uint32_t sid = rd_u32le(&r);
	uint32_t seq = rd_u32le(&r);
	uint16_t plen = rd_u16le(&r);
	size_t body_at = r.off;
	const uint8_t *body = rd_ptr(&r, plen);
	if (!body || (pt & 0x3F) == 0x02) {
		m->st.dropped++;
		return;
	}
	if (sid != 0) {
		session_packet(m, pkt, len, pt, sid, seq, body_at, plen, from);
		return;
	}
	if (pt & 0xC0) {
		m->st.dropped++;
		return;
	}
	switch (pt) {
	case 0x00:
		presession_msg(m, body, plen, from, true);
		break;
	case 0x10:
		open_session(m, body, plen, from);
		break;
	case 0x12:
		rakp1(m, body, plen, from);
		break;
	case 0x14:
		rakp3(m, body, plen, from);
		break;
	default:
		m->st.dropped++;
	}
}
