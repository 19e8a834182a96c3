/*
 * RMCP+ session establishment (IPMI 2.0 section 13.17-13.31): Open Session, RAKP 1-4, the
 * cipher suites, and the session keys (SIK, K1, K2).
 *
 * Implementation notes
 * - Sessions move FREE -> OPENED (Open Session) -> RAKP2 (RAKP 1 answered) -> ACTIVE
 *   (RAKP 3 verified). A session that is not ACTIVE has a short handshake deadline.
 * - RAKP messages are unauthenticated: a retransmitted RAKP 1 or 3 (the console lost our
 *   answer) gets the answer again, but nothing in them may change an established session.
 */
#include "ipmi_priv.h"

#include <string.h>

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

static enum hash_alg auth_hash(uint8_t auth_alg) { return auth_alg == 3 ? HASH_SHA256 : HASH_SHA1; }

/* K_UID (the password, zero-padded to 20 bytes) as an HMAC key for the session's suite */
static const struct hmac_key *kuid(const struct user *u, const struct ipmi_session *s)
{
	return s->auth_alg == 3 ? &u->kuid_sha256 : &u->kuid_sha1;
}

static bool same_peer(const struct peer *a, const struct peer *b)
{
	return a->len == b->len && memcmp(&a->sa, &b->sa, a->len) == 0;
}

void ipmi_open_session(struct ipmi *m, const uint8_t *p, size_t n, const struct peer *from)
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
		if (!s && ipmi_login_throttled(m, from, NULL, 0)) {
			m->st.throttled++;
			status = RMCPP_NO_RESOURCES; /* too many failed logins from there: wait */
		} else if (!s && !(s = ipmi_session_alloc(m, from))) {
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
		rmcp_send_presession(m, from, true, 0x11, rsp, w.len);
		return;
	}
	if (s->state == SESS_FREE)
		s->bmc_sid = ipmi_new_session_id(m);
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
	rmcp_send_presession(m, from, true, 0x11, rsp, w.len);
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
	rmcp_send_presession(m, to, true, ptype, rsp, w.len);
}

void ipmi_rakp1(struct ipmi *m, const uint8_t *p, size_t n, const struct peer *from)
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
	else if ((locked = ipmi_login_throttled(m, from, (const char *)uname, ulen)))
		status = RMCPP_NO_RESOURCES; /* too many failures for this name from there */
	else if ((role & 0xE0) || want < PRIV_CALLBACK || want > PRIV_ADMIN)
		status = RMCPP_BAD_ROLE;
	else if ((u = ipmi_user_find(m, (const char *)uname, ulen)) < 0)
		status = RMCPP_UNAUTH_NAME;
	else if (!(role & 0x10) && m->users->u[u].priv < want)
		/* username/privilege lookup: no entry with that name at that level */
		status = RMCPP_UNAUTH_NAME;
	else if ((capped = ipmi_over_cap(m, s, u)))
		status = RMCPP_NO_RESOURCES; /* its share of the table is taken */
	if (status != RMCPP_OK) {
		char safe[USER_NAME_MAX + 1];
		log_safe((const char *)uname, uname ? ulen : 0, safe, sizeof(safe));
		if (!locked && !capped)
			ipmi_login_failed(m, from, (const char *)uname, uname ? ulen : 0);
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
	rmcp_send_presession(m, from, true, 0x13, rsp, w.len);
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
	rmcp_send_presession(m, to, true, 0x15, rsp, w.len);
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

void ipmi_rakp3(struct ipmi *m, const uint8_t *p, size_t n, const struct peer *from)
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
		ipmi_login_failed(m, from, s->user_name, strlen(s->user_name));
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
		ipmi_login_failed(m, from, s->user_name, strlen(s->user_name));
		m->st.auth_fail++;
		LOG(m, 5, "ipmi: login failed for user '%s': bad password (RAKP 3)", s->user_name);
		ipmi_session_close(m, s, "bad password");
		rakp_error(m, from, 0x15, tag, RMCPP_BAD_ICV, con_sid);
		return;
	}
	if (!again && ipmi_over_cap(m, s, s->user)) {
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
		ipmi_login_succeeded(m, s);
		LOG(m, 7, "ipmi: session %08x opened for '%s' (limit %s, suite %u)", s->bmc_sid,
		    s->user_name, priv_name(s->priv_limit), s->suite);
	}
	rakp4_send(m, s, tag, from, sikp);
}
