/*
 * Event subscriptions: EventService/Subscriptions (EventDestination members), the
 * EventService.SubmitTestEvent action, and the delivery bookkeeping the network side
 * (net/webhook.c) drives. Sans-I/O: requests to send come out as bytes, outcomes come in.
 *
 * Implementation notes
 * - The table (max_subs) and the event ring (ring_cap events) are the caller's, sized from
 *   the config. Every event is stored once, in the ring, with its Events records as JSON;
 *   each subscription has a cursor (next) into it. A subscription more than ring_cap events
 *   behind loses the oldest (counted in dropped): its queue is the ring, bounded.
 * - Destinations are literal addresses only (IPv4, [IPv6], or "localhost" for 127.0.0.1):
 *   resolving a name would block the loop.
 * - One event per POST. A failed delivery is retried after retry_interval_s, at most
 *   retry_attempts times; then DeliveryRetryPolicy decides: SuspendRetries disables the
 *   subscription (PATCH Status/State Enabled resumes it with new events),
 *   TerminateAfterRetries deletes it, RetryForever keeps retrying at the interval.
 * - EventTypes is validated and shown but does not filter (every bmcd event is one of
 *   the kinds a client asks for with it, and Ironic sends the deprecated "Alert");
 *   RegistryPrefixes, ResourceTypes and OriginResources (+ SubordinateResources) filter.
 * - HttpHeaders are sent with every POST and never shown (GET gives []).
 */
#include "rf_private.h"

#include <arpa/inet.h>

#define SUBS V1 "/EventService/Subscriptions"

static const char *const event_types[] = { "StatusChange", "ResourceUpdated", "ResourceAdded",
					   "ResourceRemoved", "Alert", "Other" };
static const char *const registries[] = { "ResourceEvent" };
static const char *const resource_types[] = { "ComputerSystem", "LogEntry", "VirtualMedia" };
static const char *const policies[] = { "TerminateAfterRetries", "SuspendRetries", "RetryForever" };
#define N(a) (sizeof(a) / sizeof((a)[0]))

void rf_subs_setup(struct redfish *r)
{
	const struct redfish_cfg *c = &r->cfg;
	uint16_t max_subs = c->subs && c->ring && c->queue ? c->max_subs : 0;
	r->subs = c->subs;
	r->max_subs = max_subs > RF_SUBS_HARD_MAX ? RF_SUBS_HARD_MAX : max_subs;
	r->ring = c->ring;
	r->ring_cap = c->queue > RF_EVENT_QUEUE_HARD_MAX ? RF_EVENT_QUEUE_HARD_MAX : c->queue;
	if (r->subs)
		memset(r->subs, 0, sizeof(*r->subs) * r->max_subs);
	if (r->ring)
		memset(r->ring, 0, sizeof(*r->ring) * r->ring_cap);
	r->ring_head = 1;
}

bool redfish_subs_any(const struct redfish *r)
{
	for (unsigned i = 0; i < r->max_subs; i++)
		if (r->subs[i].used)
			return true;
	return false;
}

static struct rf_sub *find(const struct redfish *r, const char *arg)
{
	uint32_t id;
	if (!rf_id_u32(arg, strlen(arg), &id))
		return NULL;
	for (unsigned i = 0; i < r->max_subs; i++)
		if (r->subs[i].used && r->subs[i].id == id)
			return &r->subs[i];
	return NULL;
}

/* --- the Destination --------------------------------------------------------------------- */

/* http(s)://<IPv4 | [IPv6] | localhost>[:port][/path]; false: not one of those. */
bool rf_sub_parse_dest(struct rf_sub *s, const char *d)
{
	size_t n = strlen(d), p;
	if (n >= RF_SUB_DEST_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)d[i] <= 0x20 || (unsigned char)d[i] >= 0x7F)
			return false; /* nothing that could break the request line */
	if (n > 7 && rf_ieq(d, "http://", 7))
		s->https = false, p = 7;
	else if (n > 8 && rf_ieq(d, "https://", 8))
		s->https = true, p = 8;
	else
		return false;
	char host[48];
	size_t hs = p, he;
	if (d[p] == '[') {
		const char *e = strchr(d + p, ']');
		if (!e || (size_t)(e - d) - p - 1 >= sizeof(host))
			return false;
		memcpy(host, d + p + 1, (size_t)(e - d) - p - 1);
		host[(e - d) - p - 1] = 0;
		he = (size_t)(e - d) + 1;
		s->v6 = true;
		if (inet_pton(AF_INET6, host, s->addr) != 1)
			return false;
	} else {
		for (he = hs; he < n && d[he] != ':' && d[he] != '/'; he++)
			;
		if (he - hs == 0 || he - hs >= sizeof(host))
			return false;
		memcpy(host, d + hs, he - hs);
		host[he - hs] = 0;
		s->v6 = false;
		memset(s->addr, 0, sizeof(s->addr));
		if (!strcmp(host, "localhost") || !strcmp(host, "LOCALHOST"))
			strcpy(host, "127.0.0.1");
		if (inet_pton(AF_INET, host, s->addr) != 1)
			return false;
	}
	s->port = s->https ? 443 : 80;
	if (he < n && d[he] == ':') {
		uint32_t port = 0;
		size_t ps = ++he;
		while (he < n && d[he] >= '0' && d[he] <= '9' && he - ps < 6)
			port = port * 10 + (uint32_t)(d[he++] - '0');
		if (he == ps || port == 0 || port > 65535)
			return false;
		s->port = (uint16_t)port;
	}
	if (he < n && d[he] != '/')
		return false;
	memcpy(s->dest, d, n + 1);
	s->path_off = (uint16_t)he;
	return true;
}

/* --- bodies: shared checks of POST and PATCH --------------------------------------------- */

static bool token_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* HttpHeaders: [{"Name": "value", ...}, ...] into "Name: value\r\n" lines. */
static void parse_headers(struct ctx *x, const struct json_tok *t, int v, struct elist *e,
			  struct rf_sub *s)
{
	static const char *const refused[] = { "Host", "Content-Length", "Transfer-Encoding",
					       "Connection", "Upgrade", "TE", "Expect" };
	const char *b = x->rq->body;
	struct buf o;
	buf_init(&o, s->headers, sizeof(s->headers) - 1);
	if (t[v].type != JSON_ARRAY) {
		rf_add(e, M_TYPE, "(hidden)", "HttpHeaders", NULL);
		return;
	}
	for (int el = json_first(t, v); el >= 0; el = json_next_elem(t, v, el)) {
		if (t[el].type != JSON_OBJECT) {
			rf_add(e, M_TYPE, "(hidden)", "HttpHeaders", NULL);
			return;
		}
		for (int k = json_first(t, el); k >= 0; k = json_next(t, k)) {
			char name[64], val[RF_SUB_HEADERS_MAX];
			if (!json_str(b, t, k, name, sizeof(name)) || !name[0]) {
				rf_add(e, M_FORMAT, "(hidden)", "HttpHeaders", NULL);
				return;
			}
			for (char *c = name; *c; c++)
				if (!token_char(*c)) {
					rf_add(e, M_FORMAT, "(hidden)", "HttpHeaders", NULL);
					return;
				}
			if (t[k + 1].type != JSON_STRING) {
				rf_add(e, M_TYPE, "(hidden)", "HttpHeaders", NULL);
				return;
			}
			if (!json_str(b, t, k + 1, val, sizeof(val))) {
				x->p.resolution = "Send at most 1 KiB of HttpHeaders.";
				rf_add(e, M_FORMAT, "(hidden)", "HttpHeaders", NULL);
				return;
			}
			for (char *c = val; *c; c++)
				if ((unsigned char)*c < 0x20 && *c != '\t') {
					rf_add(e, M_FORMAT, "(hidden)", "HttpHeaders", NULL);
					return;
				}
			if (rf_lookup(x, t, k, refused, N(refused)) >= 0) {
				rf_add(e, M_NOT_IN_LIST, name, "HttpHeaders", NULL);
				return;
			}
			if (strlen(name) == 12 && rf_ieq(name, "Content-Type", 12))
				continue; /* bodies are always application/json */
			buf_printf(&o, "%s: %s\r\n", name, val);
		}
	}
	if (o.err) {
		x->p.resolution = "Send at most 1 KiB of HttpHeaders.";
		rf_add(e, M_FORMAT, "(hidden)", "HttpHeaders", NULL);
		return;
	}
	s->headers[o.len] = 0;
	s->headers_len = (uint16_t)o.len;
}

/* A list of names into a bit mask. */
static uint8_t name_bits(struct ctx *x, const struct json_tok *t, int v, const char *prop,
			 const char *const *names, size_t n, struct elist *e)
{
	uint8_t bits = 0;
	if (t[v].type != JSON_ARRAY) {
		rf_add(e, M_TYPE, rf_tok_text(e, x, t, v), prop, NULL);
		return 0;
	}
	for (int el = json_first(t, v); el >= 0; el = json_next_elem(t, v, el)) {
		int i = rf_lookup(x, t, el, names, n);
		if (i == -2)
			rf_add(e, M_TYPE, rf_tok_text(e, x, t, el), prop, NULL);
		else if (i < 0)
			rf_add(e, M_NOT_IN_LIST, rf_tok_text(e, x, t, el), prop, NULL);
		else
			bits |= (uint8_t)(1u << i);
	}
	return bits;
}

static void parse_origins(struct ctx *x, const struct json_tok *t, int v, struct elist *e,
			  struct rf_sub *s)
{
	const char *b = x->rq->body;
	if (t[v].type != JSON_ARRAY) {
		rf_add(e, M_TYPE, rf_tok_text(e, x, t, v), "OriginResources", NULL);
		return;
	}
	for (int el = json_first(t, v); el >= 0; el = json_next_elem(t, v, el)) {
		int id = t[el].type == JSON_OBJECT ? json_get(b, t, el, "@odata.id") : -1;
		if (id < 0 || t[id].type != JSON_STRING) {
			rf_add(e, M_TYPE, rf_tok_text(e, x, t, el), "OriginResources", NULL);
			return;
		}
		if (s->norigins == RF_SUB_ORIGINS ||
		    !json_str(b, t, id, s->origins[s->norigins], RF_SUB_ORIGIN_MAX) ||
		    strncmp(s->origins[s->norigins], V1 "/", sizeof(V1))) {
			rf_add(e, M_FORMAT, rf_tok_text(e, x, t, id), "OriginResources", NULL);
			return;
		}
		size_t l = strlen(s->origins[s->norigins]);
		if (l > 1 && s->origins[s->norigins][l - 1] == '/')
			s->origins[s->norigins][l - 1] = 0;
		s->norigins++;
	}
}

enum { F_CREATE = 1, F_PATCH = 2 };

/* The members of a POST or PATCH body into s (a copy); every problem into e. */
static int parse_body(struct ctx *x, const struct json_tok *t, int mode, struct rf_sub *s,
		      struct elist *e, bool *have_dest)
{
	static const char *const ro[] = { "Id", "Name", "Description", "SubscriptionType",
					  "EventFormatType", "Actions", "Oem", "Status" };
	static const char *const create_only[] = { "Destination", "Protocol", "EventTypes",
						   "RegistryPrefixes", "ResourceTypes",
						   "OriginResources", "SubordinateResources" };
	const char *b = x->rq->body;
	int n = 0;
	for (int k = json_first(t, 0); k >= 0; k = json_next(t, k)) {
		char key[32];
		int v = k + 1;
		if (json_str(b, t, k, key, sizeof(key)) && !strncmp(key, "@odata.", 7))
			continue;
		n++;
		if (mode == F_PATCH && rf_lookup(x, t, k, create_only, N(create_only)) >= 0) {
			rf_add(e, M_NOT_WRITABLE, key, NULL, NULL);
		} else if (!strcmp(key, "Destination")) {
			char d[RF_SUB_DEST_MAX + 1];
			*have_dest = true;
			if (t[v].type != JSON_STRING) {
				rf_add(e, M_TYPE, rf_tok_text(e, x, t, v), key, NULL);
			} else if (!json_str(b, t, v, d, sizeof(d)) || !rf_sub_parse_dest(s, d)) {
				x->p.resolution = "Give the Destination as http:// or https:// with a "
						  "literal IPv4 or [IPv6] address (bmcd does not resolve "
						  "names), an optional port and a path, within 255 bytes.";
				rf_add(e, M_FORMAT, rf_tok_text(e, x, t, v), key, NULL);
			}
		} else if (!strcmp(key, "Protocol")) {
			if (t[v].type != JSON_STRING)
				rf_add(e, M_TYPE, rf_tok_text(e, x, t, v), key, NULL);
			else if (!json_str_eq(b, t, v, "Redfish"))
				rf_add(e, M_NOT_IN_LIST, rf_tok_text(e, x, t, v), key, NULL);
		} else if (!strcmp(key, "Context")) {
			if (t[v].type == JSON_NULL)
				s->context[0] = 0;
			else if (t[v].type != JSON_STRING)
				rf_add(e, M_TYPE, rf_tok_text(e, x, t, v), key, NULL);
			else if (!json_str(b, t, v, s->context, sizeof(s->context)))
				rf_add(e, M_FORMAT, rf_tok_text(e, x, t, v), key, NULL);
		} else if (!strcmp(key, "EventTypes")) {
			s->event_types = name_bits(x, t, v, key, event_types, N(event_types), e);
		} else if (!strcmp(key, "RegistryPrefixes")) {
			s->registries = name_bits(x, t, v, key, registries, N(registries), e);
		} else if (!strcmp(key, "ResourceTypes")) {
			s->resource_types = name_bits(x, t, v, key, resource_types, N(resource_types), e);
		} else if (!strcmp(key, "OriginResources")) {
			s->norigins = 0;
			parse_origins(x, t, v, e, s);
		} else if (!strcmp(key, "SubordinateResources") || !strcmp(key, "VerifyCertificate")) {
			bool *f = key[0] == 'S' ? &s->subordinate : &s->verify;
			if (t[v].type != JSON_TRUE && t[v].type != JSON_FALSE)
				rf_add(e, M_TYPE, rf_tok_text(e, x, t, v), key, NULL);
			else
				*f = t[v].type == JSON_TRUE;
		} else if (!strcmp(key, "HttpHeaders")) {
			parse_headers(x, t, v, e, s);
		} else if (!strcmp(key, "DeliveryRetryPolicy")) {
			int i = rf_lookup(x, t, v, policies, N(policies));
			if (i == -2)
				rf_add(e, M_TYPE, rf_tok_text(e, x, t, v), key, NULL);
			else if (i < 0)
				rf_add(e, M_NOT_IN_LIST, rf_tok_text(e, x, t, v), key, NULL);
			else
				s->policy = (uint8_t)i;
		} else if (mode == F_PATCH && !strcmp(key, "Status")) {
			int st = t[v].type == JSON_OBJECT ? json_get(b, t, v, "State") : -1;
			if (t[v].type != JSON_OBJECT || t[v].size != 1 || st < 0)
				rf_add(e, M_NOT_WRITABLE, "Status", NULL, NULL);
			else if (t[st].type != JSON_STRING)
				rf_add(e, M_TYPE, rf_tok_text(e, x, t, st), "Status/State", NULL);
			else if (json_str_eq(b, t, st, "Enabled"))
				s->enabled = true;
			else if (json_str_eq(b, t, st, "Disabled"))
				s->enabled = false;
			else
				rf_add(e, M_NOT_IN_LIST, rf_tok_text(e, x, t, st), "Status/State", NULL);
		} else if (rf_lookup(x, t, k, ro, N(ro)) >= 0) {
			rf_add(e, M_NOT_WRITABLE, key, NULL, NULL);
		} else {
			rf_add(e, M_PROP_UNKNOWN, rf_tok_text(e, x, t, k), NULL, NULL);
		}
	}
	return n;
}

/* Checks that depend on several properties; false with the error added. */
static bool usable(struct ctx *x, const struct rf_sub *s, struct elist *e)
{
	if (s->https && !x->r->cfg.tls_client) {
		rf_add(e, M_NOT_IN_LIST, s->dest, "Destination", NULL);
		return false;
	}
	/* VerifyCertificate true without a CA bundle is taken (clients such as sushy never
	 * send VerifyCertificate): nothing can verify, so deliveries fail and the retry policy
	 * applies; the log says why at once */
	if (s->https && s->verify && !x->r->cfg.ca_loaded)
		rf_log(x->r, 4, "redfish: subscription to %s verifies certificates but no CA bundle "
		       "is configured ([redfish] subscription_ca): deliveries will fail", s->dest);
	return true;
}

/* --- the resources ----------------------------------------------------------------------- */

static void sub_json(struct ctx *x, const struct rf_sub *s)
{
	struct jw *w = &x->w;
	char id[16];
	rf_hdr(x, R_SUB, SUBS "/%u", (unsigned)s->id);
	snprintf(id, sizeof(id), "%u", (unsigned)s->id);
	jw_kstr(w, "Id", id);
	jw_kstr(w, "Name", "Event Subscription");
	jw_kstr(w, "Destination", s->dest);
	jw_kstr(w, "Protocol", "Redfish");
	jw_kstr(w, "SubscriptionType", "RedfishEvent");
	jw_kstr(w, "EventFormatType", "Event");
	if (s->context[0])
		jw_kstr(w, "Context", s->context);
	else
		jw_knull(w, "Context");
	jw_karr(w, "EventTypes");
	for (size_t i = 0; i < N(event_types); i++)
		if (s->event_types & (1u << i))
			jw_str(w, event_types[i]);
	jw_arr_end(w);
	jw_karr(w, "RegistryPrefixes");
	for (size_t i = 0; i < N(registries); i++)
		if (s->registries & (1u << i))
			jw_str(w, registries[i]);
	jw_arr_end(w);
	jw_karr(w, "ResourceTypes");
	for (size_t i = 0; i < N(resource_types); i++)
		if (s->resource_types & (1u << i))
			jw_str(w, resource_types[i]);
	jw_arr_end(w);
	jw_karr(w, "OriginResources");
	for (unsigned i = 0; i < s->norigins; i++)
		jw_link(w, NULL, "%s", s->origins[i]);
	jw_arr_end(w);
	jw_kbool(w, "SubordinateResources", s->subordinate);
	jw_key(w, "HttpHeaders"); /* write-only: they may carry credentials */
	jw_raw(w, "[]");
	jw_kbool(w, "VerifyCertificate", s->verify);
	jw_kstr(w, "DeliveryRetryPolicy", policies[s->policy]);
	jw_key(w, "Status");
	jw_raw(w, s->enabled ? "{\"State\":\"Enabled\",\"Health\":\"OK\"}"
			     : "{\"State\":\"Disabled\",\"Health\":\"Warning\"}");
	jw_obj_end(w);
}

static void m_sub(struct ctx *x, unsigned i)
{
	unsigned k = 0;
	for (unsigned j = 0; j < x->r->max_subs; j++)
		if (x->r->subs[j].used && k++ == i)
			jw_link(&x->w, NULL, SUBS "/%u", (unsigned)x->r->subs[j].id);
}

void rf_get_subs(struct ctx *x)
{
	unsigned n = 0;
	for (unsigned j = 0; j < x->r->max_subs; j++)
		n += x->r->subs[j].used;
	rf_collection(x, "Event Subscriptions", n, m_sub, 100);
}

void rf_get_sub(struct ctx *x)
{
	const struct rf_sub *s = find(x->r, x->arg);
	if (!s) {
		rf_fail(x, 404, M_NOT_FOUND, "EventDestination", x->arg, NULL);
		return;
	}
	sub_json(x, s);
}

void rf_post_sub(struct ctx *x)
{
	struct redfish *r = x->r;
	struct json_tok t[TOKENS];
	int n = rf_body_json(x, t);
	if (n < 0)
		return;
	struct rf_sub s;
	memset(&s, 0, sizeof(s));
	s.enabled = true;
	s.verify = true;
	s.policy = RF_RETRY_SUSPEND;
	struct elist e = { 0 };
	bool have_dest = false;
	if (n)
		parse_body(x, t, F_CREATE, &s, &e, &have_dest);
	if (!have_dest)
		rf_add(&e, M_CREATE_MISSING, "Destination", NULL, NULL);
	if (!e.n)
		usable(x, &s, &e);
	if (e.n) {
		rf_fail_list(x, 400, &e);
		return;
	}
	struct rf_sub *slot = NULL;
	for (unsigned i = 0; i < r->max_subs && !slot; i++)
		if (!r->subs[i].used)
			slot = &r->subs[i];
	if (!slot) {
		x->p.resolution = "Delete a subscription first ([redfish] subscriptions sets how "
				  "many there may be).";
		rf_fail(x, r->max_subs ? 503 : 501, M_CREATE_LIMIT, NULL, NULL, NULL);
		return;
	}
	s.used = true;
	s.id = ++r->next_sub_id ? r->next_sub_id : ++r->next_sub_id;
	s.gen = slot->gen + 1;
	s.next = r->ring_head;
	*slot = s;
	r->subs_changed = true;
	rf_log(r, 5, "redfish: event subscription %u to %s created by %s", (unsigned)s.id, s.dest,
	       x->uname);
	x->p.status = 201;
	snprintf(x->p.location, sizeof(x->p.location), SUBS "/%u", (unsigned)s.id);
	sub_json(x, slot);
}

bool rf_patch_sub(struct ctx *x, const struct json_tok *t)
{
	struct rf_sub *cur = find(x->r, x->arg);
	if (!cur) {
		rf_fail(x, 404, M_NOT_FOUND, "EventDestination", x->arg, NULL);
		return false;
	}
	struct rf_sub s = *cur;
	struct elist e = { 0 };
	bool have_dest = false;
	int n = parse_body(x, t, F_PATCH, &s, &e, &have_dest);
	if (!e.n && !n)
		rf_add(&e, M_NO_OPERATION, NULL, NULL, NULL);
	if (!e.n)
		usable(x, &s, &e);
	if (e.n) {
		rf_fail_list(x, 400, &e);
		return false;
	}
	if (s.enabled && !cur->enabled) { /* resumed: from the next event on */
		s.next = x->r->ring_head;
		s.failures = 0;
		s.retry_at = 0;
		s.inflight = 0;
		rf_log(x->r, 5, "redfish: event subscription %u resumed by %s", (unsigned)s.id,
		       x->uname);
	}
	if (s.verify != cur->verify || s.headers_len != cur->headers_len ||
	    memcmp(s.headers, cur->headers, s.headers_len))
		s.gen++; /* a new connection with the new settings */
	*cur = s;
	x->r->subs_changed = true;
	return true;
}

void rf_delete_sub(struct ctx *x)
{
	struct rf_sub *s = find(x->r, x->arg);
	if (!s) {
		rf_fail(x, 404, M_NOT_FOUND, "EventDestination", x->arg, NULL);
		return;
	}
	rf_log(x->r, 5, "redfish: event subscription %u to %s deleted by %s", (unsigned)s->id,
	       s->dest, x->uname);
	uint32_t gen = s->gen;
	memset(s, 0, sizeof(*s));
	s->gen = gen + 1;
	x->r->subs_changed = true;
	x->p.status = 204;
}

/* The EventService's subscription properties (inside its object). */
void rf_eventsvc_subs(struct ctx *x)
{
	struct jw *w = &x->w;
	jw_kint(w, "DeliveryRetryAttempts", x->r->cfg.retry_attempts);
	jw_kint(w, "DeliveryRetryIntervalSeconds", x->r->cfg.retry_interval_s);
	rf_str_array(w, "EventTypesForSubscription", event_types, N(event_types));
	jw_link(w, "Subscriptions", SUBS);
	jw_kobj(w, "Actions");
	jw_kobj(w, "#EventService.SubmitTestEvent");
	jw_kstr(w, "target", V1 "/EventService/Actions/EventService.SubmitTestEvent");
	jw_obj_end(w);
	jw_obj_end(w);
}

/* --- the ring and delivery --------------------------------------------------------------- */

static bool matches(const struct rf_sub *s, const struct rf_event *ev)
{
	if (s->registries && !(s->registries & ev->registry))
		return false;
	if (s->resource_types && !(s->resource_types & ev->resource_type))
		return false;
	if (!s->norigins)
		return true;
	for (unsigned i = 0; i < s->norigins; i++) {
		size_t l = strlen(s->origins[i]);
		if (!strncmp(ev->origin, s->origins[i], l) &&
		    (ev->origin[l] == 0 || (s->subordinate && ev->origin[l] == '/')))
			return true;
	}
	return false;
}

void redfish_subs_push(struct redfish *r, uint64_t id, uint8_t resource_type, uint8_t registry,
		       const char *origin, const char *records, size_t len)
{
	if (!r->max_subs || !redfish_subs_any(r) || len > RF_EVENT_MAX)
		return;
	uint64_t seq = r->ring_head;
	struct rf_event *ev = &r->ring[seq % r->ring_cap];
	if (seq >= r->ring_cap) { /* the slot's old event leaves: whoever still needed it loses it */
		for (unsigned i = 0; i < r->max_subs; i++) {
			struct rf_sub *s = &r->subs[i];
			if (!s->used || s->next > seq - r->ring_cap)
				continue;
			if (s->enabled && matches(s, ev))
				s->dropped++;
			s->next = seq - r->ring_cap + 1; /* failures and retry_at stay: they are the
							  * receiver's, not the event's */
		}
	}
	ev->id = id;
	ev->resource_type = resource_type;
	ev->registry = registry;
	snprintf(ev->origin, sizeof(ev->origin), "%s", origin);
	memcpy(ev->records, records, len);
	ev->len = (uint16_t)len;
	r->ring_head = seq + 1;
	r->subs_changed = true;
}

/* Skips the events sub i does not want; the one it gets next, or NULL. */
static const struct rf_event *next_event(struct redfish *r, struct rf_sub *s)
{
	if (s->next + r->ring_cap < r->ring_head)
		s->next = r->ring_head - r->ring_cap;
	for (; s->next < r->ring_head; s->next++) {
		const struct rf_event *ev = &r->ring[s->next % r->ring_cap];
		if (matches(s, ev))
			return ev;
	}
	return NULL;
}

bool redfish_sub_request(struct redfish *r, unsigned i, int64_t now, struct buf *out)
{
	if (i >= r->max_subs)
		return false;
	struct rf_sub *s = &r->subs[i];
	if (!s->used || !s->enabled || s->retry_at > now)
		return false;
	const struct rf_event *ev = next_event(r, s);
	if (!ev)
		return false;
	char idbuf[24];
	snprintf(idbuf, sizeof(idbuf), "%llu", (unsigned long long)ev->id);
	/* the body first, at the end of out, to know its length */
	size_t start = out->len;
	buf_printf(out, "POST %s HTTP/1.1\r\nHost: ", s->dest[s->path_off] ? s->dest + s->path_off : "/");
	char host[INET6_ADDRSTRLEN];
	inet_ntop(s->v6 ? AF_INET6 : AF_INET, s->addr, host, sizeof(host));
	buf_printf(out, s->v6 ? "[%s]:%u\r\n" : "%s:%u\r\n", host, s->port);
	buf_str(out, "User-Agent: bmcd\r\nContent-Type: application/json\r\nOData-Version: 4.0\r\n");
	buf_add(out, s->headers, s->headers_len);
	size_t cl = out->len;
	buf_str(out, "Content-Length: 00000\r\n\r\n");
	size_t body = out->len;
	struct jw w;
	jw_init(&w, out);
	jw_obj(&w);
	jw_kstr(&w, "@odata.type", "#Event.v1_13_0.Event");
	jw_kstr(&w, "Id", idbuf);
	jw_kstr(&w, "Name", "Event");
	if (s->context[0])
		jw_kstr(&w, "Context", s->context);
	jw_karr(&w, "Events");
	buf_add(out, ev->records, ev->len); /* complete JSON objects, comma-separated */
	jw_arr_end(&w);
	jw_obj_end(&w);
	if (out->err) {
		out->len = start;
		return false;
	}
	char num[8]; /* the exact length: the body moves left over the placeholder's zeros */
	int nd = snprintf(num, sizeof(num), "%u", (unsigned)(out->len - body));
	memcpy(out->p + cl + 16, num, (size_t)nd);
	memmove(out->p + cl + 16 + nd, out->p + cl + 21, out->len - (cl + 21));
	out->len -= (size_t)(5 - nd);
	s->inflight = s->next + 1;
	return true;
}

void redfish_sub_result(struct redfish *r, unsigned i, bool ok, const char *why, int64_t now)
{
	if (i >= r->max_subs)
		return;
	struct rf_sub *s = &r->subs[i];
	uint64_t seq = s->inflight - 1;
	bool had = s->used && s->inflight;
	s->inflight = 0;
	if (!had || (!ok && !why)) /* deleted or resumed meanwhile; why NULL: cancelled */
		return;
	if (ok) {
		if (s->next == seq) /* else the ring overtook it while it was on its way */
			s->next++;
		s->delivered++;
		s->failures = 0;
		s->retry_at = 0;
		if (s->dropped != s->dropped_logged) {
			rf_log(r, 4, "redfish: event subscription %u: %u events dropped (queue full)",
			       (unsigned)s->id, (unsigned)(s->dropped - s->dropped_logged));
			s->dropped_logged = s->dropped;
		}
		return;
	}
	s->failures++;
	s->retry_at = now + (int64_t)r->cfg.retry_interval_s * 1000;
	if (s->failures <= r->cfg.retry_attempts || s->policy == RF_RETRY_FOREVER) {
		rf_log(r, 6, "redfish: event subscription %u: delivery to %s failed (%s), retry %u in "
		       "%u s", (unsigned)s->id, s->dest, why, (unsigned)s->failures,
		       (unsigned)r->cfg.retry_interval_s);
		return;
	}
	if (s->policy == RF_RETRY_SUSPEND) {
		rf_log(r, 4, "redfish: event subscription %u to %s suspended after %u failed "
		       "deliveries (%s)", (unsigned)s->id, s->dest, (unsigned)s->failures, why);
		s->enabled = false;
		s->failures = 0;
		s->retry_at = 0;
		s->gen++;
	} else {
		rf_log(r, 4, "redfish: event subscription %u to %s removed after %u failed "
		       "deliveries (%s)", (unsigned)s->id, s->dest, (unsigned)s->failures, why);
		uint32_t gen = s->gen;
		memset(s, 0, sizeof(*s));
		s->gen = gen + 1;
	}
	r->subs_changed = true;
}

int64_t redfish_subs_deadline(const struct redfish *r)
{
	int64_t d = INT64_MAX;
	for (unsigned i = 0; i < r->max_subs; i++) {
		const struct rf_sub *s = &r->subs[i];
		if (s->used && s->enabled && s->retry_at && !s->inflight && s->retry_at < d &&
		    s->next < r->ring_head)
			d = s->retry_at;
	}
	return d;
}

/* --- SubmitTestEvent --------------------------------------------------------------------- */

void rf_post_test_event(struct ctx *x)
{
	static const char *const params[] = { "EventId", "EventTimestamp", "EventType", "Message",
					      "MessageArgs", "MessageId", "OriginOfCondition",
					      "Severity", "MessageSeverity", "EventGroupId" };
	static const char *const sev[] = { "OK", "Warning", "Critical" };
	static const char *const act = "EventService.SubmitTestEvent";
	struct redfish *r = x->r;
	struct json_tok t[TOKENS];
	int n = rf_body_json(x, t);
	if (n < 0)
		return;
	const char *b = x->rq->body;
	struct elist e = { 0 };
	int v[N(params)];
	for (size_t i = 0; i < N(params); i++)
		v[i] = -1;
	for (int k = n ? json_first(t, 0) : -1; k >= 0; k = json_next(t, k)) {
		int p = rf_lookup(x, t, k, params, N(params));
		if (p < 0) {
			rf_add(&e, M_ACT_UNKNOWN, act, rf_tok_text(&e, x, t, k), NULL);
			continue;
		}
		v[p] = k + 1;
		uint8_t want = p == 4 ? JSON_ARRAY : p == 9 ? JSON_NUMBER : JSON_STRING;
		if (t[k + 1].type != want)
			rf_add(&e, M_ACT_TYPE, rf_tok_text(&e, x, t, k + 1), params[p], act);
		else if (p == 2 && rf_lookup(x, t, k + 1, event_types, N(event_types)) < 0)
			rf_add(&e, M_ACT_NOT_IN_LIST, rf_tok_text(&e, x, t, k + 1), params[p], act);
		else if ((p == 7 || p == 8) && rf_lookup(x, t, k + 1, sev, N(sev)) < 0)
			rf_add(&e, M_ACT_NOT_IN_LIST, rf_tok_text(&e, x, t, k + 1), params[p], act);
		else if (p == 4)
			for (int el = json_first(t, k + 1); el >= 0; el = json_next_elem(t, k + 1, el))
				if (t[el].type != JSON_STRING) {
					rf_add(&e, M_ACT_TYPE, rf_tok_text(&e, x, t, el), params[p], act);
					break;
				}
	}
	if (v[5] < 0)
		rf_add(&e, M_ACT_MISSING, act, "MessageId", NULL);
	if (e.n) {
		rf_fail_list(x, 400, &e);
		return;
	}
	char s[RF_SUB_ORIGIN_MAX], ts[40], mid[128];
	uint64_t id = ++r->event_id;
	char records[RF_EVENT_MAX];
	struct buf o;
	buf_init(&o, records, sizeof(records));
	struct jw w;
	jw_init(&w, &o);
	jw_obj(&w);
	jw_kstr(&w, "EventType", v[2] >= 0 && json_str(b, t, v[2], s, sizeof(s)) ? s : "Other");
	char idbuf[24];
	snprintf(idbuf, sizeof(idbuf), "%llu", (unsigned long long)id);
	jw_kstr(&w, "EventId", v[0] >= 0 && json_str(b, t, v[0], s, sizeof(s)) ? s : idbuf);
	rf_iso_time(host_time(r->host), ts);
	jw_kstr(&w, "EventTimestamp", v[1] >= 0 && json_str(b, t, v[1], s, sizeof(s)) ? s : ts);
	jw_kstr(&w, "MemberId", "0");
	json_str(b, t, v[5], mid, sizeof(mid));
	jw_kstr(&w, "MessageId", mid);
	jw_kstr(&w, "Message", v[3] >= 0 && json_str(b, t, v[3], s, sizeof(s)) ? s : "Test event");
	jw_karr(&w, "MessageArgs");
	if (v[4] >= 0)
		for (int el = json_first(t, v[4]); el >= 0; el = json_next_elem(t, v[4], el))
			if (json_str(b, t, el, s, sizeof(s)))
				jw_str(&w, s);
	jw_arr_end(&w);
	int sv = v[8] >= 0 ? v[8] : v[7];
	jw_kstr(&w, "MessageSeverity", sv >= 0 && json_str(b, t, sv, s, sizeof(s)) ? s : "OK");
	char origin[RF_SUB_ORIGIN_MAX] = "";
	if (v[6] >= 0 && json_str(b, t, v[6], origin, sizeof(origin)) && origin[0])
		jw_link(&w, "OriginOfCondition", "%s", origin);
	jw_obj_end(&w);
	if (o.err) {
		rf_fail(x, 400, M_ACT_FORMAT, "(too long)", "Message", act);
		return;
	}
	uint8_t rt = strstr(origin, "/Systems/") && !strstr(origin, "/LogServices/") ? 1
		     : strstr(origin, "/Entries/") ? 2 : 4;
	uint8_t reg = !strncmp(mid, "ResourceEvent.", 14) ? 1 : 2;
	redfish_subs_push(r, id, rt, reg, origin, records, o.len);
	rf_log(r, 6, "redfish: test event %s submitted by %s", mid, x->uname);
	x->p.status = 204;
}
