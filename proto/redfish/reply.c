/*
 * The response side: the message registry (Base 1.22) and error bodies, the head with its
 * ETag, finishing a response into the caller's buffer, collections and their paging, small
 * JSON and request-body helpers shared by the resource handlers.
 */
#include "rf_private.h"

#include <stdarg.h>
#include <time.h>

static const struct msgdef {
	const char *key, *text, *resolution;
	bool warning; /* MessageSeverity Warning, else Critical */
} msgs[] = {
	[M_GENERAL] = { "GeneralError",
		"A general error has occurred.  See Resolution for information on how to resolve "
		"the error, or @Message.ExtendedInfo if Resolution is not provided.",
		"None.", false },
	[M_MALFORMED] = { "MalformedJSON",
		"The request body submitted was malformed JSON and could not be parsed by the "
		"receiving service.",
		"Ensure that the request body is valid JSON and resubmit the request.", false },
	[M_NO_OPERATION] = { "NoOperation",
		"The request body submitted contain no data to act upon and no changes to the "
		"resource took place.",
		"Add properties in the JSON object and resubmit the request.", true },
	[M_EMPTY] = { "EmptyJSON",
		"The request body submitted contained an empty JSON object and the service is "
		"unable to process it.",
		"Add properties in the JSON object and resubmit the request.", true },
	[M_UNRECOGNIZED] = { "UnrecognizedRequestBody",
		"The service detected a malformed request body that it was unable to interpret.",
		"Correct the request body and resubmit the request if it failed.", true },
	[M_PROP_UNKNOWN] = { "PropertyUnknown",
		"The property %1 is not in the list of valid properties for the resource.",
		"Remove the unknown property from the request body and resubmit the request if the "
		"operation failed.", true },
	[M_NOT_WRITABLE] = { "PropertyNotWritable",
		"The property %1 is a read-only property and cannot be assigned a value.",
		"Remove the property from the request body and resubmit the request if the "
		"operation failed.", true },
	[M_NOT_IN_LIST] = { "PropertyValueNotInList",
		"The value '%1' for the property %2 is not in the list of acceptable values.",
		"Choose a value from the enumeration list that the implementation can support and "
		"resubmit the request if the operation failed.", true },
	[M_TYPE] = { "PropertyValueTypeError",
		"The value '%1' for the property %2 is not a type that the property can accept.",
		"Correct the value for the property in the request body and resubmit the request "
		"if the operation failed.", true },
	[M_CREATE_MISSING] = { "CreateFailedMissingReqProperties",
		"The create operation failed because the required property %1 was missing from the "
		"request.",
		"Correct the body to include the required property with a valid value and resubmit "
		"the request if the operation failed.", false },
	[M_ACT_MISSING] = { "ActionParameterMissing",
		"The action %1 requires the parameter %2 to be present in the request body.",
		"Supply the action with the required parameter in the request body when the "
		"request is resubmitted.", false },
	[M_ACT_NOT_IN_LIST] = { "ActionParameterValueNotInList",
		"The value '%1' for the parameter %2 in the action %3 is not in the list of "
		"acceptable values.",
		"Choose a value from the enumeration list that the implementation can support and "
		"resubmit the request if the operation failed.", true },
	[M_ACT_TYPE] = { "ActionParameterValueTypeError",
		"The value '%1' for the parameter %2 in the action %3 is not a type that the "
		"parameter can accept.",
		"Correct the value for the parameter in the request body and resubmit the request "
		"if the operation failed.", true },
	[M_ACT_UNKNOWN] = { "ActionParameterUnknown",
		"The action %1 was submitted with the invalid parameter %2.",
		"Correct the invalid action parameter and resubmit the request if the operation "
		"failed.", true },
	[M_NOT_FOUND] = { "ResourceNotFound",
		"The requested resource of type %1 named '%2' was not found.",
		"Provide a valid resource identifier and resubmit the request.", false },
	[M_NOT_ALLOWED] = { "OperationNotAllowed",
		"The HTTP method is not allowed on this resource.",
		"None.", false },
	[M_PRECONDITION] = { "PreconditionFailed",
		"The ETag supplied did not match the ETag required to change this resource.",
		"Try the operation again using the appropriate ETag.", false },
	[M_PRIVILEGE] = { "InsufficientPrivilege",
		"There are insufficient privileges for the account or credentials associated with "
		"the current session to perform the requested operation.",
		"Either abandon the operation or change the associated access rights and resubmit "
		"the request if the operation failed.", false },
	[M_NO_SESSION] = { "NoValidSession",
		"There is no valid session established with the implementation.",
		"Establish a session before attempting any operations.", false },
	[M_UNAUTHORIZED] = { "AccessUnauthorized",
		"Unauthorized.",
		"Resubmit the request with valid credentials.", false },
	[M_UNAVAILABLE] = { "ServiceTemporarilyUnavailable",
		"The service is temporarily unavailable.  Retry in %1 seconds.",
		"Wait for the indicated retry duration and retry the operation.", false },
	[M_SESSION_LIMIT] = { "SessionLimitExceeded",
		"The session establishment failed due to the number of simultaneous sessions "
		"exceeding the limit of the implementation.",
		"Reduce the number of other sessions before trying to establish the session or "
		"increase the limit of simultaneous sessions, if supported.", false },
	[M_QUERY] = { "QueryNotSupported",
		"Querying is not supported by the implementation.",
		"Remove the query parameters and resubmit the request if the operation failed.", true },
	[M_QUERY_RESOURCE] = { "QueryNotSupportedOnResource",
		"Querying is not supported on the requested resource.",
		"Remove the query parameters and resubmit the request if the operation failed.", true },
	[M_QUERY_OPERATION] = { "QueryNotSupportedOnOperation",
		"Querying is not supported with the requested operation.",
		"Remove the query parameters and resubmit the request if the operation failed.", true },
	[M_QUERY_TYPE] = { "QueryParameterValueTypeError",
		"The value '%1' for the query parameter %2 is not a type that the parameter can "
		"accept.",
		"Correct the value for the query parameter in the request and resubmit the request "
		"if the operation failed.", true },
	[M_HEADER_INVALID] = { "HeaderInvalid",
		"Header '%1' is invalid.",
		"Resubmit the request with a valid request header.", false },
	[M_HEADER_MISSING] = { "HeaderMissing",
		"Required header '%1' is missing in the request.",
		"Resubmit the request with the required request header.", false },
	[M_TOO_LARGE] = { "PayloadTooLarge",
		"The supplied payload exceeds the maximum size supported by the service.",
		"Check that the supplied payload is correct and supported by this service.", false },
	[M_OUT_OF_RANGE] = { "PropertyValueOutOfRange",
		"The value '%1' for the property %2 is not in the supported range of acceptable "
		"values.",
		"Correct the value for the property in the request body and resubmit the request "
		"if the operation failed.", true },
	[M_INTERNAL] = { "InternalError",
		"The request failed due to an internal service error.  The service is still "
		"operational.",
		"Resubmit the request.  If the problem persists, consider resetting the service.", false },
	[M_ACT_NOT_SUPPORTED] = { "ActionParameterNotSupported",
		"The parameter %1 for the action %2 is not supported on the target resource.",
		"Remove the parameter supplied and resubmit the request if the operation failed.",
		true },
	[M_ACT_FORMAT] = { "ActionParameterValueFormatError",
		"The value '%1' for the parameter %2 in the action %3 is not a format that "
		"the parameter can accept.",
		"Correct the value for the parameter in the request body and resubmit the request "
		"if the operation failed.", true },
	[M_ACT_CONFLICT] = { "ActionParameterValueConflict",
		"The parameter '%1' with the requested value of '%2' does not meet the constraints "
		"of the implementation.",
		"None.", true },
	[M_IN_USE] = { "ResourceInUse",
		"The change to the requested resource failed because the resource is in use or in "
		"transition.",
		"Remove the condition and resubmit the request if the operation failed.", true },
	[M_RESOURCE_CONFLICT] = { "PropertyValueResourceConflict",
		"The property '%1' with the requested value of '%2' could not be written because "
		"the value conflicts with the state or configuration of the resource at '%3'.",
		"None.", true },
	[M_TOO_LONG] = { "StringValueTooLong",
		"The string '%1' exceeds the length limit %2.",
		"Resubmit the request with an appropriate string length.", true },
	[M_FORMAT] = { "PropertyValueFormatError",
		"The value '%1' for the property %2 is not a format that the property can accept.",
		"Correct the value for the property in the request body and resubmit the request "
		"if the operation failed.", true },
	[M_CREATE_LIMIT] = { "CreateLimitReachedForResource",
		"The create operation failed because the resource has reached the limit of possible "
		"resources.",
		"Either delete resources and resubmit the request if the operation failed or do "
		"not resubmit the request.", false },
};

static const char *keep(struct elist *e, const char *s, size_t n)
{
	if (!s)
		return NULL;
	if (n > ARG_MAX)
		n = ARG_MAX;
	if (sizeof(e->store) - e->used < n + 1)
		return "";
	char *d = e->store + e->used;
	memcpy(d, s, n);
	d[n] = 0;
	e->used += n + 1;
	return d;
}

void rf_add(struct elist *e, int id, const char *a1, const char *a2, const char *a3)
{
	if (e->n >= ERR_MAX)
		return;
	e->m[e->n].id = (uint8_t)id;
	e->m[e->n].a[0] = keep(e, a1, a1 ? strlen(a1) : 0);
	e->m[e->n].a[1] = keep(e, a2, a2 ? strlen(a2) : 0);
	e->m[e->n].a[2] = keep(e, a3, a3 ? strlen(a3) : 0);
	e->n++;
}

void rf_log(struct redfish *r, int level, const char *fmt, ...)
{
	if (!r->cfg.log)
		return;
	char m[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	r->cfg.log(r->cfg.log_ctx, level, "%s", m);
}

/* --- errors ------------------------------------------------------------------------------ */

/* Message text with %1..%3 replaced. */
static void expand(const char *t, const char *const a[3], char *out, size_t cap)
{
	struct buf b;
	buf_init(&b, out, cap - 1);
	for (; *t; t++) {
		if (t[0] == '%' && t[1] >= '1' && t[1] <= '3') {
			const char *v = a[t[1] - '1'];
			buf_str(&b, v ? v : "");
			t++;
		} else {
			buf_char(&b, *t);
		}
	}
	out[b.len] = 0;
}

static void message(struct jw *w, int id, const char *const a[3], const char *resolution)
{
	const struct msgdef *d = &msgs[id];
	char t[512], mid[48];
	snprintf(mid, sizeof(mid), "Base.1.22.%s", d->key);
	expand(d->text, a, t, sizeof(t));
	jw_obj(w);
	jw_kstr(w, "@odata.type", "#Message.v1_3_0.Message");
	jw_kstr(w, "MessageId", mid);
	jw_kstr(w, "Message", t);
	jw_karr(w, "MessageArgs");
	for (int i = 0; i < 3; i++)
		if (a[i])
			jw_str(w, a[i]);
	jw_arr_end(w);
	jw_kstr(w, "MessageSeverity", d->warning ? "Warning" : "Critical");
	jw_kstr(w, "Resolution", resolution ? resolution : d->resolution);
	jw_obj_end(w);
}

void rf_fail_list(struct ctx *x, int status, const struct elist *e)
{
	static const char *const none[3];
	x->p.status = status;
	x->b.len = 0;
	x->b.err = false;
	jw_init(&x->w, &x->b);
	struct jw *w = &x->w;
	int first = e->n ? e->m[0].id : M_GENERAL;
	const char *const *a = e->n ? e->m[0].a : none;
	char t[512], code[48];
	if (e->n > 1)
		first = M_GENERAL, a = none;
	snprintf(code, sizeof(code), "Base.1.22.%s", msgs[first].key);
	expand(msgs[first].text, a, t, sizeof(t));
	jw_obj(w);
	jw_kobj(w, "error");
	jw_kstr(w, "code", code);
	jw_kstr(w, "message", t);
	jw_karr(w, "@Message.ExtendedInfo");
	for (int i = 0; i < e->n; i++)
		message(w, e->m[i].id, e->m[i].a, i ? NULL : x->p.resolution);
	jw_arr_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
}

void rf_fail(struct ctx *x, int status, int id, const char *a1, const char *a2, const char *a3)
{
	struct elist e = { 0 };
	rf_add(&e, id, a1, a2, a3);
	rf_fail_list(x, status, &e);
}

/* --- output ------------------------------------------------------------------------------ */

/* FNV-1a 64 taken a 64-bit word at a time (the byte-wise loop is one serial multiply per
 * byte: a quarter of a GET's time), bytes for the tail, then a final mix so every input
 * bit reaches every output bit. Not a MAC: an ETag only has to change with the body. */
static uint64_t etag_hash(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL, v;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&v, p + i, 8);
		h = (h ^ v) * 0x100000001b3ULL;
	}
	for (; i < n; i++)
		h = (h ^ (uint8_t)p[i]) * 0x100000001b3ULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ h >> 32;
}

static void allow_str(struct buf *b, uint8_t m)
{
	static const char *const names[] = { "GET, HEAD", "POST", "PATCH", "DELETE" };
	bool first = true;
	for (int i = 0; i < 4; i++) {
		if (!(m & (1 << i)))
			continue;
		if (!first)
			buf_str(b, ", ");
		buf_str(b, names[i]);
		first = false;
	}
}

static void write_head(struct ctx *x, struct buf *out, size_t blen)
{
	const struct rsp *p = &x->p;
	buf_printf(out, "HTTP/1.1 %d %s\r\n", p->status, http_reason(p->status));
	if (p->status != 204 && p->status != 304) {
		buf_str(out, "Content-Type: ");
		buf_str(out, p->ctype ? p->ctype : "application/json; charset=utf-8");
		buf_str(out, "\r\n");
		if (!p->sse) {
			buf_str(out, "Content-Length: ");
			buf_u64(out, blen);
			buf_str(out, "\r\n");
		}
	}
	buf_str(out, "OData-Version: 4.0\r\nCache-Control: no-cache\r\n");
	if (p->allow) {
		buf_str(out, "Allow: ");
		allow_str(out, p->allow);
		buf_str(out, "\r\n");
	}
	if (p->link)
		buf_printf(out, "Link: <" SCHEMAS "%s>; rel=describedby\r\n", p->link);
	if (p->etag[0])
		buf_printf(out, "ETag: %s\r\n", p->etag);
	if (p->location[0])
		buf_printf(out, "Location: %s\r\n", p->location);
	if (p->token)
		buf_printf(out, "X-Auth-Token: %s\r\n", p->token);
	if (p->www_auth)
		buf_str(out, "WWW-Authenticate: Basic realm=\"bmcd\"\r\n");
	if (p->retry_after)
		buf_printf(out, "Retry-After: %u\r\n", p->retry_after);
	if (x->close)
		buf_str(out, "Connection: close\r\n");
	buf_str(out, "\r\n");
}

/* A 500 instead of whatever was being answered (HEAD stays HEAD). */
static void internal_error(struct ctx *x)
{
	bool head = x->p.head;
	memset(&x->p, 0, sizeof(x->p));
	x->p.head = head;
	rf_fail(x, 500, M_INTERNAL, NULL, NULL, NULL);
}

int rf_finish(struct ctx *x, struct buf *out)
{
	size_t start = out->len;
	if (x->b.err)
		internal_error(x);
	bool body = !x->p.head && !x->p.sse && x->p.status != 204 && x->p.status != 304;
	write_head(x, out, x->b.len);
	if (body)
		buf_add(out, x->r->body, x->b.len);
	if (out->err) { /* does not fit the caller's buffer: a short 500, if that fits */
		out->len = start;
		out->err = false;
		internal_error(x);
		write_head(x, out, x->b.len);
		if (!x->p.head)
			buf_add(out, x->r->body, x->b.len);
		if (out->err)
			out->len = start;
	}
	int flags = (x->close ? RF_CLOSE : 0) | (x->media ? RF_MEDIA : 0);
	if (x->p.sse && !x->p.head && x->p.status == 200)
		flags = RF_SSE;
	return flags;
}

/* --- small helpers ----------------------------------------------------------------------- */

bool rf_ieq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = a[i], d = b[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (d >= 'A' && d <= 'Z')
			d = (char)(d + 32);
		if (c != d)
			return false;
	}
	return true;
}

/* Decimal without sign or leading zeros, 1 to 9 digits. */
bool rf_id_u32(const char *s, size_t n, uint32_t *v)
{
	uint32_t x = 0;
	if (n == 0 || n > 9 || (s[0] == '0' && n > 1))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (uint32_t)(s[i] - '0');
	}
	*v = x;
	return true;
}

void rf_iso_time(uint32_t t, char out[40])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		memset(&tm, 0, sizeof(tm));
	struct buf b; /* buf_printf: a year past 9999 is cut, not a compiler warning */
	buf_init(&b, out, 39);
	buf_printf(&b, "%04d-%02d-%02dT%02d:%02d:%02d+00:00", tm.tm_year + 1900, tm.tm_mon + 1,
		   tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	out[b.len] = 0;
}

/* Is tag (our quoted "\"...\"") in the If-Match / If-None-Match list v? */
bool rf_etag_match(const char *v, size_t n, const char *tag)
{
	size_t tn = strlen(tag) - 2, pos = 0, s, e;
	while (http_list_next(v, n, &pos, &s, &e)) {
		if (e - s == 1 && v[s] == '*')
			return true;
		if (e - s >= 2 && (v[s] == 'W' || v[s] == 'w') && v[s + 1] == '/')
			s += 2;
		if (e - s >= 2 && v[s] == '"' && v[e - 1] == '"')
			s++, e--;
		if (e - s == tn && !memcmp(v + s, tag + 1, tn))
			return true;
	}
	return false;
}

void rf_set_etag(struct ctx *x)
{
	snprintf(x->p.etag, sizeof(x->p.etag), "\"%016llx\"",
		 (unsigned long long)etag_hash(x->r->body, x->b.len));
}

const char *const rf_power_names[] = { "On", "Off", "PoweringOn", "PoweringOff" };

int rf_power_state(const struct host_status *st)
{
	if (st->transition == HOST_POWERING_ON)
		return PS_POWERING_ON;
	if (st->transition == HOST_POWERING_OFF)
		return PS_POWERING_OFF;
	return st->on ? PS_ON : PS_OFF;
}

/* Opens a resource: {"@odata.id": ..., "@odata.type": ... from the route's schema */
void rf_hdr(struct ctx *x, int rid, const char *fmt, ...)
{
	char id[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(id, sizeof(id), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(id))
		x->b.err = true;
	jw_obj(&x->w);
	jw_kstr(&x->w, "@odata.id", id);
	jw_kstr(&x->w, "@odata.type", rf_routes[rid].otype);
}

void rf_status_obj(struct jw *w, bool ok)
{
	jw_key(w, "Status");
	jw_raw(w, ok ? "{\"State\":\"Enabled\",\"Health\":\"OK\"}"
		     : "{\"State\":\"UnavailableOffline\",\"Health\":\"Warning\"}");
}

/* "key": [{"@odata.id": uri}] */
void rf_link_list(struct jw *w, const char *key, const char *fmt, const char *arg)
{
	jw_karr(w, key);
	jw_link(w, NULL, fmt, arg);
	jw_arr_end(w);
}

struct host_who rf_who(const struct ctx *x)
{
	struct host_who h = { ORIGIN_REDFISH, 0, x->uname };
	if (x->user >= 0 && x->user < USERS_HARD_MAX)
		h.user_id = (uint8_t)(x->user + 1);
	return h;
}

/* --- collections ------------------------------------------------------------------------- */

/* Members of a collection at uri: skip/top applied, stops early (with a nextLink) while
 * room for one more member of at most `each` bytes plus the tail remains. */
static void members(struct ctx *x, const char *uri, unsigned n, member_fn fn, size_t each)
{
	struct jw *w = &x->w;
	unsigned i = x->skip < n ? x->skip : n, end = n;
	if (x->has_top && x->top < end - i)
		end = i + x->top;
	jw_kint(w, "Members@odata.count", n);
	jw_karr(w, "Members");
	for (; i < end; i++) {
		if (x->b.cap - x->b.len < each + 512)
			break;
		fn(x, i);
	}
	jw_arr_end(w);
	if (i < end) {
		char next[200];
		int k = snprintf(next, sizeof(next), "%s?$skip=%u", uri, i);
		if (x->has_top && k > 0 && (size_t)k < sizeof(next))
			snprintf(next + k, sizeof(next) - (size_t)k, "&$top=%u", end - i);
		jw_kstr(w, "Members@odata.nextLink", next);
	}
}

void rf_collection(struct ctx *x, const char *name, unsigned n, member_fn fn, size_t each)
{
	rf_hdr(x, x->rid, "%s", x->path);
	jw_kstr(&x->w, "Name", name);
	members(x, x->path, n, fn, each);
	jw_obj_end(&x->w);
}

/* the one member of Systems, Chassis, Managers, LogServices: "<collection>/<x->arg>" */
void rf_m_one(struct ctx *x, unsigned i)
{
	(void)i;
	jw_link(&x->w, NULL, "%s/%s", x->path, x->arg);
}

bool rf_system_visible(const struct ctx *x, unsigned i)
{
	const struct rf_system *s = &x->r->sys[i];
	return !s->allowed || (x->uname && s->allowed(s->allowed_ctx, x->uname));
}

bool rf_sees_every_system(struct ctx *x)
{
	for (unsigned i = 0; i < x->r->nsys; i++) {
		if (!rf_system_visible(x, i)) {
			x->p.resolution = "Events come from every host of this BMC; ask for an account "
					  "that may use all of them.";
			rf_fail(x, 403, M_PRIVILEGE, NULL, NULL, NULL);
			return false;
		}
	}
	return true;
}

unsigned rf_visible_systems(struct ctx *x, uint16_t map[RF_SYSTEMS_MAX])
{
	unsigned n = 0;
	for (unsigned i = 0; i < x->r->nsys; i++)
		if (rf_system_visible(x, i))
			map[n++] = (uint16_t)i;
	x->map = map;
	return n;
}

void rf_m_system(struct ctx *x, unsigned i)
{
	jw_link(&x->w, NULL, "%s/%s", x->path, x->r->sys[x->map[i]].id);
}

void rf_str_array(struct jw *w, const char *key, const char *const *v, size_t n)
{
	jw_karr(w, key);
	for (size_t i = 0; i < n; i++)
		jw_str(w, v[i]);
	jw_arr_end(w);
}

void rf_kstr_opt(struct jw *w, const char *key, const char *v)
{
	if (v[0])
		jw_kstr(w, key, v);
}

/* --- request bodies ---------------------------------------------------------------------- */

/* Parses the body into t: the token count, 0 for an empty body, -1 with the error set. */
int rf_body_json(struct ctx *x, struct json_tok *t)
{
	const struct http_request *rq = x->rq;
	if (rq->body_len == 0)
		return 0;
	int n = json_parse(rq->body, rq->body_len, t, TOKENS, 8);
	if (n < 0) {
		rf_fail(x, 400, M_MALFORMED, NULL, NULL, NULL);
		return -1;
	}
	if (t[0].type != JSON_OBJECT) {
		rf_fail(x, 400, M_UNRECOGNIZED, NULL, NULL, NULL);
		return -1;
	}
	return n;
}

/* A token as message text: strings unescaped, other values as sent; bounded. */
const char *rf_tok_text(struct elist *e, const struct ctx *x, const struct json_tok *t, int i)
{
	char s[ARG_MAX + 1];
	const char *b = x->rq->body;
	if (t[i].type == JSON_STRING && json_str(b, t, i, s, sizeof(s)))
		return keep(e, s, strlen(s));
	return keep(e, b + t[i].start, t[i].len);
}

/* Index of string token i in names[0..n), -1 if not there, -2 if not a string. */
int rf_lookup(const struct ctx *x, const struct json_tok *t, int i, const char *const *names,
		  size_t n)
{
	if (t[i].type != JSON_STRING)
		return -2;
	for (size_t k = 0; k < n; k++)
		if (json_str_eq(x->rq->body, t, i, names[k]))
			return (int)k;
	return -1;
}
