/*
 * Authentication (X-Auth-Token, Basic with its strict base64), the login throttle glue,
 * Redfish sessions: slots, login (POST), logout (DELETE), expiry and revocation.
 */
#include "rf_private.h"

static void addr_str(const uint8_t a[16], char out[48])
{
	static const uint8_t v4[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF };
	if (!memcmp(a, v4, 12)) {
		snprintf(out, 48, "%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
		return;
	}
	int n = 0;
	for (int i = 0; i < 16; i += 2)
		n += snprintf(out + n, (size_t)(48 - n), i ? ":%x" : "%x", a[i] << 8 | a[i + 1]);
}

bool rf_expired(const struct redfish *r, const struct rf_session *s)
{
	return r->now - s->last_used >= (int64_t)r->cfg.session_timeout_s * 1000;
}

/* The session named by x->arg, or NULL with a 404 set; deleting another user's session
 * needs an administrator (403). */
struct rf_session *rf_find_session(struct ctx *x, bool del)
{
	struct redfish *r = x->r;
	uint32_t id;
	if (rf_id_u32(x->arg, strlen(x->arg), &id))
		for (unsigned i = 0; i < r->cfg.max_sessions; i++) {
			struct rf_session *s = &r->sessions[i];
			if (s->used && s->id == id && !rf_expired(r, s)) {
				if (!del || rf_visible_user(x, s->user_name))
					return s;
				rf_fail(x, 403, M_PRIVILEGE, NULL, NULL, NULL);
				return NULL;
			}
		}
	rf_fail(x, 404, M_NOT_FOUND, "Session", x->arg, NULL);
	return NULL;
}

/* --- authentication ---------------------------------------------------------------------- */

/* Strict base64 (RFC 4648, padded, canonical): decoded length or -1. */
static int b64_decode(const char *s, size_t n, uint8_t *out, size_t cap)
{
	size_t o = 0;
	if (n == 0 || n % 4)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		uint32_t v = 0;
		int pad = 0;
		for (int k = 0; k < 4; k++) {
			char c = s[i + (size_t)k];
			int d = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26
				: c >= '0' && c <= '9' ? c - '0' + 52 : c == '+' ? 62 : c == '/' ? 63 : -1;
			if (c == '=' && i + 4 == n && k >= 2 && (k == 3 || s[i + 3] == '=')) {
				pad++;
				d = 0;
			} else if (d < 0 || pad) {
				return -1;
			}
			v = v << 6 | (uint32_t)d;
		}
		if ((pad == 1 && (v & 0xFF)) || (pad == 2 && (v & 0xFFFF)))
			return -1; /* non-zero bits under the padding */
		if (cap - o < (size_t)(3 - pad))
			return -1;
		out[o++] = (uint8_t)(v >> 16);
		if (pad < 2)
			out[o++] = (uint8_t)(v >> 8);
		if (pad < 1)
			out[o++] = (uint8_t)v;
	}
	return (int)o;
}

/* Checks a name and password (throttled per source). User index, or -1 with the error set. */
static int login(struct ctx *x, const char *name, size_t nl, const char *pw, size_t pl)
{
	static const struct user nobody; /* an unknown name still costs one comparison */
	struct redfish *r = x->r;
	char who_s[USER_NAME_MAX + 1], from[48];
	int64_t wait = throttle_wait(&r->thr, x->from, name, nl, r->now);
	if (wait) {
		/* not logged: the lock-out was, and a flood of refusals would flood the log */
		unsigned s = (unsigned)((wait + 999) / 1000);
		char a[12];
		snprintf(a, sizeof(a), "%u", s);
		rf_fail(x, 429, M_UNAVAILABLE, a, NULL, NULL);
		x->p.retry_after = s;
		return -1;
	}
	int u = users_find(r->users, name, nl);
	const struct user *usr = u >= 0 ? &r->users->u[u] : &nobody;
	bool ok = users_check_password(usr, pw, pl);
	if (!ok || u < 0 || usr->priv < PRIV_USER) {
		log_safe(name, nl < USER_NAME_MAX ? nl : USER_NAME_MAX, who_s, sizeof(who_s));
		addr_str(x->from, from);
		rf_log(r, 5, "redfish: login failed for '%s' from %s", who_s, from);
		uint32_t lock = throttle_fail(&r->thr, x->from, name, nl, r->now);
		if (lock)
			rf_log(r, 4, "redfish: failed logins from %s (user '%s'): refusing logins for %u s",
			     from, who_s, (lock + 999) / 1000);
		rf_fail(x, 401, M_UNAUTHORIZED, NULL, NULL, NULL);
		x->p.www_auth = true;
		return -1;
	}
	throttle_ok(&r->thr, x->from, name, nl);
	return u;
}

/* Authenticates the request: X-Auth-Token, else Basic. False with the error set. */
bool rf_auth(struct ctx *x)
{
	struct redfish *r = x->r;
	const struct http_header *h = http_header_get(x->rq, "X-Auth-Token");
	if (h) {
		struct rf_session *hit = NULL;
		for (unsigned i = 0; i < r->cfg.max_sessions; i++) {
			struct rf_session *s = &r->sessions[i];
			bool eq = h->value_len == RF_TOKEN_LEN &&
				  ct_equal(s->token, h->value, RF_TOKEN_LEN);
			if (eq && s->used && !rf_expired(r, s))
				hit = s;
		}
		if (hit) {
			hit->last_used = r->now;
			x->sess = hit;
			x->user = hit->user;
			x->priv = hit->priv;
			x->uname = hit->user_name;
			return true;
		}
	} else if ((h = http_header_get(x->rq, "Authorization")) && h->value_len > 6 &&
		   rf_ieq(h->value, "Basic ", 6)) {
		uint8_t d[USER_NAME_MAX + 1 + USER_PASS_MAX + 1];
		size_t s = 6;
		while (s < h->value_len && h->value[s] == ' ')
			s++;
		int n = b64_decode(h->value + s, h->value_len - s, d, sizeof(d));
		const uint8_t *colon = n > 0 ? memchr(d, ':', (size_t)n) : NULL;
		if (colon) {
			size_t nl = (size_t)(colon - d);
			int u = login(x, (const char *)d, nl, (const char *)colon + 1,
				      (size_t)n - nl - 1);
			memset(d, 0, sizeof(d));
			if (u < 0)
				return false;
			x->user = u;
			x->priv = r->users->u[u].priv;
			x->uname = r->users->u[u].name;
			return true;
		}
	}
	rf_fail(x, 401, M_NO_SESSION, NULL, NULL, NULL);
	x->p.www_auth = true;
	return false;
}

/* A slot for a new session of user u. An account at its per-user cap gets its own idlest
 * session back (a client that logs in again and again, as sushy does after a 403, never
 * fills the pool); accounts below Administrator together leave admin_reserve slots free;
 * an administrator finding the pool full takes the idlest lower-privileged session.
 * NULL: 503. */
static struct rf_session *session_slot(struct redfish *r, int u)
{
	const struct users *us = r->users;
	bool admin = us->u[u].priv >= PRIV_ADMIN;
	struct rf_session *free_s = NULL, *own = NULL, *low = NULL;
	unsigned mine = 0, nlow = 0;
	for (unsigned i = 0; i < r->cfg.max_sessions; i++) {
		struct rf_session *s = &r->sessions[i];
		if (!s->used || rf_expired(r, s)) {
			if (!free_s)
				free_s = s;
			continue;
		}
		if (!strcmp(s->user_name, us->u[u].name)) {
			mine++;
			if (!own || s->last_used < own->last_used)
				own = s;
		}
		if (s->priv < PRIV_ADMIN) {
			nlow++;
			if (!low || s->last_used < low->last_used)
				low = s;
		}
	}
	struct rf_session *victim = NULL;
	const char *why = NULL;
	if (r->cfg.per_user_max && mine >= r->cfg.per_user_max) {
		victim = own, why = "replaced by a newer login of the same user";
	} else if (!admin && r->cfg.admin_reserve &&
		   nlow + r->cfg.admin_reserve >= r->cfg.max_sessions) {
		return NULL; /* the rest is the administrators' */
	} else if (free_s) {
		return free_s;
	} else if (admin && low) {
		victim = low, why = "the pool is full and an administrator logged in";
	}
	if (victim) {
		rf_log(r, 6, "redfish: session %u of %s ended: %s", (unsigned)victim->id,
		     victim->user_name, why);
		memset(victim, 0, sizeof(*victim));
		r->revoked = true;
	}
	return victim;
}

void rf_post_session(struct ctx *x)
{
	struct redfish *r = x->r;
	struct json_tok t[TOKENS];
	int n = rf_body_json(x, t), vn = -1, vp = -1;
	if (n < 0)
		return;
	struct elist e = { 0 };
	for (int k = n ? json_first(t, 0) : -1; k >= 0; k = json_next(t, k)) {
		bool isn = json_str_eq(x->rq->body, t, k, "UserName");
		if (isn || json_str_eq(x->rq->body, t, k, "Password")) {
			/* a password is never quoted back, whatever its type */
			if (t[k + 1].type != JSON_STRING)
				rf_add(&e, M_TYPE, isn ? rf_tok_text(&e, x, t, k + 1) : "(hidden)",
				    isn ? "UserName" : "Password", NULL);
			*(isn ? &vn : &vp) = k + 1;
		} else {
			rf_add(&e, M_PROP_UNKNOWN, rf_tok_text(&e, x, t, k), NULL, NULL);
		}
	}
	if (vn < 0)
		rf_add(&e, M_CREATE_MISSING, "UserName", NULL, NULL);
	if (vp < 0)
		rf_add(&e, M_CREATE_MISSING, "Password", NULL, NULL);
	if (e.n) {
		rf_fail_list(x, 400, &e);
		return;
	}
	/* too long or with a NUL: cannot be a user, but still a failed login */
	char name[USER_NAME_MAX + 2], pw[USER_PASS_MAX + 2];
	if (!json_str(x->rq->body, t, vn, name, sizeof(name)))
		name[0] = 0;
	if (!json_str(x->rq->body, t, vp, pw, sizeof(pw)))
		pw[0] = 0;
	int u = login(x, name, strlen(name), pw, strlen(pw));
	memset(pw, 0, sizeof(pw));
	if (u < 0)
		return;
	struct rf_session *s = session_slot(r, u);
	if (!s) {
		rf_fail(x, 503, M_SESSION_LIMIT, NULL, NULL, NULL);
		return;
	}
	uint8_t raw[RF_TOKEN_LEN / 2];
	memset(s, 0, sizeof(*s));
	rng_bytes(&r->rng, raw, sizeof(raw));
	for (size_t i = 0; i < sizeof(raw); i++) {
		s->token[2 * i] = "0123456789abcdef"[raw[i] >> 4];
		s->token[2 * i + 1] = "0123456789abcdef"[raw[i] & 15];
	}
	s->used = true;
	s->id = ++r->next_session_id ? r->next_session_id : ++r->next_session_id;
	s->user = (int16_t)u;
	memcpy(s->user_name, r->users->u[u].name, sizeof(s->user_name));
	s->priv = r->users->u[u].priv;
	s->stamp = r->users->u[u].stamp;
	s->created = s->last_used = r->now;
	rf_log(r, 6, "redfish: session %u opened for %s", (unsigned)s->id, s->user_name);
	x->p.status = 201;
	x->p.token = s->token;
	snprintf(x->p.location, sizeof(x->p.location), V1 "/SessionService/Sessions/%u",
		 (unsigned)s->id);
	rf_session_json(x, s);
}

void rf_delete_session(struct ctx *x)
{
	struct rf_session *s = rf_find_session(x, true);
	if (s) {
		rf_log(x->r, 6, "redfish: session %u closed by %s", (unsigned)s->id, x->uname);
		memset(s, 0, sizeof(*s));
		x->r->revoked = true;
		x->p.status = 204;
	}
}

int64_t redfish_deadline(const struct redfish *r)
{
	int64_t d = INT64_MAX;
	for (unsigned i = 0; i < r->cfg.max_sessions; i++) {
		const struct rf_session *s = &r->sessions[i];
		int64_t e = s->last_used + (int64_t)r->cfg.session_timeout_s * 1000;
		if (s->used && e < d)
			d = e;
	}
	return d;
}

void redfish_tick(struct redfish *r, int64_t now)
{
	r->now = now;
	for (unsigned i = 0; i < r->cfg.max_sessions; i++) {
		struct rf_session *s = &r->sessions[i];
		if (s->used && rf_expired(r, s)) {
			rf_log(r, 6, "redfish: session %u of %s expired", (unsigned)s->id, s->user_name);
			memset(s, 0, sizeof(*s));
			r->revoked = true;
		}
	}
}

void redfish_users_changed(struct redfish *r)
{
	r->revoked = true; /* streams opened with Basic credentials are checked too */
	for (unsigned i = 0; i < r->cfg.max_sessions; i++) {
		struct rf_session *s = &r->sessions[i];
		if (!s->used)
			continue;
		int u = users_find(r->users, s->user_name, strlen(s->user_name));
		if (u < 0 || r->users->u[u].priv < PRIV_USER || r->users->u[u].stamp != s->stamp) {
			rf_log(r, 5, "redfish: session %u ended: user %s is gone or its password or "
			     "privilege changed", (unsigned)s->id, s->user_name);
			memset(s, 0, sizeof(*s));
		} else {
			s->user = (int16_t)u; /* the table may have been reordered */
		}
	}
}
