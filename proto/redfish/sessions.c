/*
 * The SessionService (GET, PATCH of SessionTimeout) and the session collection and
 * members (login and logout are in auth.c).
 */
#include "rf_private.h"

static void m_session(struct ctx *x, unsigned i)
{
	jw_link(&x->w, NULL, V1 "/SessionService/Sessions/%u",
		(unsigned)x->r->sessions[x->map[i]].id);
}

void rf_get_sessionsvc(struct ctx *x)
{
	struct jw *w = &x->w;
	rf_hdr(x, R_SESSIONSVC, V1 "/SessionService");
	jw_kstr(w, "Id", "SessionService");
	jw_kstr(w, "Name", "Session Service");
	jw_kbool(w, "ServiceEnabled", true);
	jw_kint(w, "SessionTimeout", x->r->cfg.session_timeout_s);
	rf_status_obj(w, true);
	jw_link(w, "Sessions", V1 "/SessionService/Sessions");
	jw_obj_end(w);
}

void rf_get_sessions(struct ctx *x)
{
	struct redfish *r = x->r;
	uint16_t map[RF_SESSIONS_HARD_MAX];
	unsigned n = 0;
	for (unsigned i = 0; i < r->cfg.max_sessions; i++) {
		const struct rf_session *s = &r->sessions[i];
		if (s->used && !rf_expired(r, s))
			map[n++] = (uint16_t)i;
	}
	x->map = map;
	rf_collection(x, "Session Collection", n, m_session, 100);
}

void rf_session_json(struct ctx *x, const struct rf_session *s)
{
	struct jw *w = &x->w;
	char id[16];
	snprintf(id, sizeof(id), "%u", (unsigned)s->id);
	rf_hdr(x, R_SESSION, V1 "/SessionService/Sessions/%s", id);
	jw_kstr(w, "Id", id);
	jw_kstr(w, "Name", "User Session");
	jw_kstr(w, "UserName", s->user_name);
	jw_kstr(w, "SessionType", "Redfish");
	jw_obj_end(w);
}

void rf_get_session(struct ctx *x)
{
	struct rf_session *s = rf_find_session(x, false);
	if (s)
		rf_session_json(x, s);
}

/* SessionService: SessionTimeout within the configured range (Ansible's
 * SetSessionService), kept in RAM; the rest is read-only. */
bool rf_patch_sessionsvc(struct ctx *x, const struct json_tok *t)
{
	static const char *const ro[] = { "Id", "Name", "Description", "ServiceEnabled", "Status",
					  "Sessions" };
	struct redfish *r = x->r;
	struct elist e = { 0 };
	int n = 0;
	int64_t v = -1;
	for (int k = json_first(t, 0); k >= 0; k = json_next(t, k)) {
		char key[16];
		if (json_str(x->rq->body, t, k, key, sizeof(key)) && !strncmp(key, "@odata.", 7))
			continue;
		n++;
		if (json_str_eq(x->rq->body, t, k, "SessionTimeout")) {
			if (t[k + 1].type != JSON_NUMBER ||
			    !json_int(x->rq->body, t, k + 1, INT64_MIN, INT64_MAX, &v))
				rf_add(&e, M_TYPE, rf_tok_text(&e, x, t, k + 1), "SessionTimeout", NULL);
			else if (v < r->cfg.session_timeout_min || v > r->cfg.session_timeout_max)
				rf_add(&e, M_OUT_OF_RANGE, rf_tok_text(&e, x, t, k + 1), "SessionTimeout", NULL);
		} else if (rf_lookup(x, t, k, ro, sizeof(ro) / sizeof(ro[0])) >= 0) {
			rf_add(&e, M_NOT_WRITABLE, rf_tok_text(&e, x, t, k), NULL, NULL);
		} else {
			rf_add(&e, M_PROP_UNKNOWN, rf_tok_text(&e, x, t, k), NULL, NULL);
		}
	}
	if (e.n || !n) {
		if (!n)
			rf_add(&e, M_NO_OPERATION, NULL, NULL, NULL);
		rf_fail_list(x, 400, &e);
		return false;
	}
	r->cfg.session_timeout_s = (uint32_t)v;
	rf_log(r, 5, "redfish: session timeout set to %u s by %s", r->cfg.session_timeout_s, x->uname);
	return true;
}
