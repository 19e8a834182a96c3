/*
 * The Redfish service: the route table, the dispatch and the public API. See redfish.h for
 * the contract with the network layer; the resources live one family per file beside this
 * one (root.c, systems.c, chassis.c, managers.c, accounts.c, sessions.c, events.c), the
 * response side in reply.c, authentication and sessions in auth.c.
 *
 * CONTRACT of the route table (rf_routes below, struct route in rf_private.h)
 * - A row is one URI pattern ('%' = the system id, '*' = one member id, exact match
 *   segment by segment; the first matching row wins), its schema (@odata.type, the Link
 *   file, the family and version for $metadata and JsonSchemas; NOTYPE for none), the
 *   privilege for GET/HEAD (rpriv) and for the writing methods (wpriv; 0 = public),
 *   whether $top/$skip apply (coll), and one handler per method: .get (GET and HEAD),
 *   .patch, .post, .del. A NULL handler means the method is not allowed: 405 with an Allow
 *   header computed from the row's non-NULL handlers (so is OPTIONS: 204 with Allow). A row
 *   with no handler at all, or a .patch without a .get, is a table error:
 *   test_routes_table in tests/unit/test_redfish.c fails on it.
 * - Before any handler runs, dispatch() has done the plain-HTTP rule, authentication,
 *   OData-Version, 404/405, the system id in '%', the row's privilege, the query and the
 *   Content-Type; x->arg holds the '*' segment. A handler never checks those again (a
 *   finer privilege inside a resource, e.g. PowerRestorePolicy needing an administrator, is
 *   its own business).
 * - Every handler answers: a body in x->w / x->b (and, for GET, the status left at 200),
 *   or an error body via rf_fail() / rf_fail_list(). An empty 200 is never right.
 *   .get: opens with rf_hdr(x, R_..., uri) (or rf_collection() for a collection); for a
 *   200, dispatch adds Allow, Link and the ETag (and 304 for a matching If-None-Match).
 *   .patch: gets the parsed, non-empty JSON object (If-Match was checked against what
 *   .get gives now); checks the whole body first, applies nothing when anything is wrong
 *   (rf_fail_list with every problem), and returns true when applied: the answer is then
 *   200 with the .get representation. .post / .del: set x->p.status (201, 204) and any
 *   body, Location or token themselves; bodies via rf_body_json() / rf_action_body().
 * - To add a resource: one R_ id (rf_private.h), one row here, its handler(s) in the
 *   family's file with the prototype in rf_private.h, and a unit test in
 *   tests/unit/test_redfish.c (test_routes_table already GETs every row; the schema version
 *   must be one of the DMTF files in shared/redfish/json-schema).
 *
 * Implementation notes
 * - One pass per request, in this order: decode the path (one trailing '/' dropped, so every
 *   URI answers with and without it, no redirects), route, the plain-HTTP rule,
 *   authentication (unless the route/method is public), OData-Version (anything but 4.0:
 *   412), unknown method (501), 404, 405, privilege, query, Content-Type, then the
 *   handler. Authentication comes before every other header (DSP0266: an anonymous
 *   If-None-Match gets 401, not 304) and before the 404, so an anonymous client learns
 *   nothing about which URIs exist.
 * - Routes are one static table: pattern ('%' = the system id, '*' = a member id), the
 *   methods, the privilege for GET and for the one writing method, and the schema family
 *   and version. The same table gives @odata.type, the Link header, Allow, $metadata's
 *   references and what a 404 names. Versions are exactly the DMTF files in
 *   shared/redfish/json-schema, so offline validation finds them.
 * - A body is built once into r->body (RF_BODY_MAX), hashed for a strong ETag (FNV-1a
 *   over 64-bit words), then the head is written into `out` and the body copied after it.
 *   Nothing is allocated; the work is proportional to the response. A body that overflows
 *   the scratch becomes a 500; so does a response that does not fit `out`.
 * - Collections page: $skip/$top, and a member is only started while the scratch still
 *   has room for the largest member plus the closing bytes; when it stops early it adds
 *   Members@odata.nextLink. Members@odata.count is always the full count. LogEntry
 *   collections embed whole entries (one GET reads the log); others hold links.
 * - Errors are Redfish error bodies with Base 1.22 MessageIds; PATCH and action bodies
 *   are checked whole first (every problem reported, up to ERR_MAX) and nothing is applied
 *   when any is wrong.
 * - Auth: X-Auth-Token is compared with ct_equal against every live session (no early
 *   exit); Basic is decoded by a strict bounded base64 decoder; an unknown user still costs
 *   one constant-time password comparison. Password checks (Basic and session login) are
 *   throttled per (source address, user name) and per address (throttle.h; by default
 *   RF_THROTTLE_DEFAULT: 5 failures in a minute lock that name out for 2 s, doubling per further
 *   failure up to 256 s); while locked nothing is checked and the answer is 429 with
 *   Retry-After. A success forgets only its own (address, user) failures.
 * - ETags: If-Match on PATCH and If-None-Match on GET accept the tag quoted, unquoted or
 *   as W/"..." (clients differ); "*" matches. If-Match is never required (no 428).
 * - Behind a reverse proxy on loopback (PiKVM's nginx) every peer is 127.0.0.1, so one
 *   guesser would lock everyone out. With cfg.forwarded_for, a plain-HTTP request from a
 *   loopback peer is attributed to the last address in X-Forwarded-For (the one the proxy
 *   wrote); anything unparsable keeps the peer's address. TLS peers and remote peers are
 *   never attributed by header.
 * - Plain HTTP from a non-loopback peer with http_remote off serves only GET/HEAD of
 *   /redfish and the service root, so credentials never cross the wire in clear.
 */
#include "rf_private.h"

#include <arpa/inet.h>

#include "../media.h"

enum { U = PRIV_USER, O = PRIV_OPERATOR, A = PRIV_ADMIN };

/* schema family f, version v: @odata.type, Link file, family, version (all literals) */
#define T(f, v) "#" f "." v "." f, f "." v ".json", f, v
#define C(f) "#" f "." f, f ".json", f, NULL
#define NOTYPE NULL, NULL, NULL, NULL

const struct route rf_routes[R_COUNT] = {
	[R_VERSIONS] = { "/redfish", NOTYPE, 0, 0, false, .get = rf_get_versions },
	[R_ROOT] = { V1, T("ServiceRoot", "v1_20_0"), 0, 0, false, .get = rf_get_root },
	[R_ODATA] = { V1 "/odata", NOTYPE, 0, 0, false, .get = rf_get_odata },
	[R_METADATA] = { V1 "/$metadata", NOTYPE, 0, 0, false, .get = rf_get_metadata },
	[R_SYSTEMS] = { V1 "/Systems", C("ComputerSystemCollection"), U, 0, true,
			.get = rf_get_systems },
	[R_SYSTEM] = { V1 "/Systems/%", T("ComputerSystem", "v1_27_0"), U, O, false,
		       .get = rf_get_system, .patch = rf_patch_system },
	[R_RESET_INFO] = { V1 "/Systems/%/ResetActionInfo", T("ActionInfo", "v1_5_0"), U, 0, false,
			   .get = rf_get_reset_info },
	[R_RESET] = { V1 "/Systems/%/Actions/ComputerSystem.Reset", NOTYPE, U, O, false,
		      .post = rf_post_reset },
	[R_LOGSERVICES] = { V1 "/Systems/%/LogServices", C("LogServiceCollection"), U, 0, true,
			    .get = rf_get_logservices },
	[R_EVENTLOG] = { EL, T("LogService", "v1_9_0"), U, 0, false, .get = rf_get_eventlog },
	[R_ENTRIES] = { EL "/Entries", C("LogEntryCollection"), U, 0, true, .get = rf_get_entries },
	[R_ENTRY] = { EL "/Entries/*", T("LogEntry", "v1_21_0"), U, 0, false, .get = rf_get_entry },
	[R_CLEARLOG] = { EL "/Actions/LogService.ClearLog", NOTYPE, U, A, false,
			 .post = rf_post_clearlog },
	[R_CHASSIS_ALL] = { V1 "/Chassis", C("ChassisCollection"), U, 0, true,
			    .get = rf_get_chassis_all },
	[R_CHASSIS] = { V1 "/Chassis/%", T("Chassis", "v1_28_0"), U, O, false,
			.get = rf_get_chassis, .patch = rf_patch_chassis },
	[R_MANAGERS] = { V1 "/Managers", C("ManagerCollection"), U, 0, true, .get = rf_get_managers },
	[R_MANAGER] = { MGR, T("Manager", "v1_24_0"), U, 0, false, .get = rf_get_manager },
	[R_NETPROTO] = { MGR "/NetworkProtocol", T("ManagerNetworkProtocol", "v1_12_0"), U, 0, false,
			 .get = rf_get_netproto },
	[R_ACCOUNTSVC] = { V1 "/AccountService", T("AccountService", "v1_18_1"), U, 0, false,
			   .get = rf_get_accountsvc },
	[R_ACCOUNTS] = { V1 "/AccountService/Accounts", C("ManagerAccountCollection"), U, 0, true,
			 .get = rf_get_accounts },
	[R_ACCOUNT] = { V1 "/AccountService/Accounts/*", T("ManagerAccount", "v1_14_1"), U, 0, false,
			.get = rf_get_account },
	[R_ROLES] = { V1 "/AccountService/Roles", C("RoleCollection"), U, 0, true,
		      .get = rf_get_roles },
	[R_ROLE] = { V1 "/AccountService/Roles/*", T("Role", "v1_3_3"), U, 0, false,
		     .get = rf_get_role },
	[R_SESSIONSVC] = { V1 "/SessionService", T("SessionService", "v1_2_0"), U, A, false,
			   .get = rf_get_sessionsvc, .patch = rf_patch_sessionsvc },
	[R_SESSIONS] = { V1 "/SessionService/Sessions", C("SessionCollection"), U, 0, true,
			 .get = rf_get_sessions, .post = rf_post_session },
	[R_SESSIONS_MEMBERS] = { V1 "/SessionService/Sessions/Members", NOTYPE, U, 0, false,
				 .post = rf_post_session },
	[R_SESSION] = { V1 "/SessionService/Sessions/*", T("Session", "v1_8_0"), U, U, false,
			.get = rf_get_session, .del = rf_delete_session },
	[R_EVENTSVC] = { V1 "/EventService", T("EventService", "v1_12_0"), U, 0, false,
			 .get = rf_get_eventsvc },
	[R_SSE] = { V1 "/EventService/SSE", NOTYPE, U, 0, false, .get = rf_get_sse },
	[R_SCHEMAS] = { V1 "/JsonSchemas", C("JsonSchemaFileCollection"), U, 0, true,
			.get = rf_get_schemas },
	[R_SCHEMA] = { V1 "/JsonSchemas/*", T("JsonSchemaFile", "v1_1_5"), U, 0, false,
		       .get = rf_get_schema_file },
	[R_REGISTRIES] = { V1 "/Registries", C("MessageRegistryFileCollection"), U, 0, true,
			   .get = rf_get_registries },
	[R_REGISTRY] = { V1 "/Registries/*", T("MessageRegistryFile", "v1_1_5"), U, 0, false,
			 .get = rf_get_registry_file },
	[R_BMCD_REGISTRY] = { V1 "/Registries/Bmcd/Bmcd", T("MessageRegistry", "v1_7_0"), U, 0,
			      false, .get = rf_get_bmcd_registry },
	/* the BMC's own log names who failed to log in from where (and a mistyped name may be
	 * a password): administrators only, like the journal it mirrors */
	[R_MGR_LOGSERVICES] = { MGR "/LogServices", C("LogServiceCollection"), U, 0, true,
				.get = rf_get_mgr_logservices },
	[R_MGR_LOG] = { MGR "/LogServices/Log", T("LogService", "v1_9_0"), A, 0, false,
			.get = rf_get_mgr_log },
	[R_MGR_ENTRIES] = { MGR "/LogServices/Log/Entries", C("LogEntryCollection"), A, 0, true,
			    .get = rf_get_mgr_entries },
	[R_MGR_ENTRY] = { MGR "/LogServices/Log/Entries/*", T("LogEntry", "v1_21_0"), A, 0, false,
			  .get = rf_get_mgr_entry },
	[R_MGR_CLEARLOG] = { MGR "/LogServices/Log/Actions/LogService.ClearLog", NOTYPE, A, A,
			     false, .post = rf_post_mgr_clearlog },
	[R_ETHS] = { MGR "/EthernetInterfaces", C("EthernetInterfaceCollection"), U, 0, true,
		     .get = rf_get_eths },
	[R_ETH] = { MGR "/EthernetInterfaces/*", T("EthernetInterface", "v1_12_4"), U, 0, false,
		    .get = rf_get_eth },
	[R_SENSORS] = { V1 "/Chassis/%/Sensors", C("SensorCollection"), U, 0, true,
			.get = rf_get_sensors },
	[R_SENSOR] = { V1 "/Chassis/%/Sensors/*", T("Sensor", "v1_12_0"), U, 0, false,
		       .get = rf_get_sensor },
	[R_THERMAL] = { V1 "/Chassis/%/ThermalSubsystem", T("ThermalSubsystem", "v1_5_0"), U, 0,
			false, .get = rf_get_thermal },
	[R_THERMAL_METRICS] = { V1 "/Chassis/%/ThermalSubsystem/ThermalMetrics",
				T("ThermalMetrics", "v1_3_2"), U, 0, false,
				.get = rf_get_thermal_metrics },
#define VM MGR "/VirtualMedia"
#define SVM V1 "/Systems/%/VirtualMedia"
	[R_VMS] = { VM, C("VirtualMediaCollection"), U, 0, true, .get = rf_get_vms },
	[R_VM] = { VM "/Cd", T("VirtualMedia", "v1_6_5"), U, 0, false, .get = rf_get_vm },
	[R_VM_INFO] = { VM "/Cd/InsertMediaActionInfo", T("ActionInfo", "v1_5_0"), U, 0, false,
			.get = rf_get_vm_info },
	[R_VM_INSERT] = { VM "/Cd/Actions/VirtualMedia.InsertMedia", NOTYPE, U, O, false,
			  .post = rf_post_vm_insert },
	[R_VM_EJECT] = { VM "/Cd/Actions/VirtualMedia.EjectMedia", NOTYPE, U, O, false,
			 .post = rf_post_vm_eject },
	[R_SYS_VMS] = { SVM, C("VirtualMediaCollection"), U, 0, true, .get = rf_get_vms },
	[R_SYS_VM] = { SVM "/Cd", T("VirtualMedia", "v1_6_5"), U, 0, false, .get = rf_get_vm },
	[R_SYS_VM_INFO] = { SVM "/Cd/InsertMediaActionInfo", T("ActionInfo", "v1_5_0"), U, 0, false,
			    .get = rf_get_vm_info },
	[R_SYS_VM_INSERT] = { SVM "/Cd/Actions/VirtualMedia.InsertMedia", NOTYPE, U, O, false,
			      .post = rf_post_vm_insert },
	[R_SYS_VM_EJECT] = { SVM "/Cd/Actions/VirtualMedia.EjectMedia", NOTYPE, U, O, false,
			     .post = rf_post_vm_eject },
	[R_TASKSVC] = { V1 "/TaskService", T("TaskService", "v1_3_0"), U, 0, false,
			.get = rf_get_tasksvc },
	[R_TASKS] = { TASKS, C("TaskCollection"), U, 0, true, .get = rf_get_tasks },
	[R_TASK] = { TASKS "/*", T("Task", "v1_7_4"), U, 0, false, .get = rf_get_task },
	/* a task monitor is an opaque URI, not a resource: 202 and the task while it runs,
	 * then the outcome of the operation */
	[R_TASK_MONITOR] = { TASK_MONITORS "/*", NOTYPE, U, 0, false, .get = rf_get_task_monitor },
	/* event subscriptions: bmcd connects where they say, and Context/headers may carry
	 * secrets: administrators only (ConfigureManager), reading included */
	[R_SUBS] = { V1 "/EventService/Subscriptions", C("EventDestinationCollection"), A, A, true,
		     .get = rf_get_subs, .post = rf_post_sub },
	[R_SUB] = { V1 "/EventService/Subscriptions/*", T("EventDestination", "v1_16_0"), A, A,
		    false, .get = rf_get_sub, .patch = rf_patch_sub, .del = rf_delete_sub },
	[R_TEST_EVENT] = { V1 "/EventService/Actions/EventService.SubmitTestEvent", NOTYPE, A, A,
			   false, .post = rf_post_test_event },
};

/* The methods a row answers (Allow): those with a handler. */
static uint8_t methods(const struct route *rt)
{
	return (uint8_t)((rt->get ? MG : 0) | (rt->post ? MPOST : 0) | (rt->patch ? MPATCH : 0) |
			 (rt->del ? MDEL : 0));
}

/* Segment-wise match; '%' and '*' stand for one non-empty segment each. */
static bool match(const char *pat, const char *p, struct seg *sys, struct seg *arg)
{
	while (*pat && *p) {
		if (*pat == '%' || *pat == '*') {
			const char *e = strchr(p, '/');
			if (!e)
				e = p + strlen(p);
			if (e == p)
				return false;
			struct seg *s = *pat == '%' ? sys : arg;
			s->p = p;
			s->n = (size_t)(e - p);
			p = e;
			pat++;
		} else if (*pat++ != *p++) {
			return false;
		}
	}
	return !*pat && !*p;
}

/* GET and HEAD: the row's handler, then for a 200 the Allow, Link and ETag headers (304
 * when If-None-Match names the tag). The SSE stream's head has none of them. */
static void get(struct ctx *x)
{
	const struct route *rt = &rf_routes[x->rid];
	rt->get(x);
	if (x->p.status != 200 || x->p.sse)
		return;
	x->p.allow = methods(rt);
	x->p.link = rt->link;
	rf_set_etag(x);
	const struct http_header *h = http_header_get(x->rq, "If-None-Match");
	if (h && x->method == MG && rf_etag_match(h->value, h->value_len, x->p.etag))
		x->p.status = 304;
}

/* PATCH: If-Match against the representation a GET would give now, the body parsed (a
 * non-empty JSON object), then the row's handler; 200 with the resource as it is now when
 * it applied the body. */
static void patch(struct ctx *x)
{
	const struct route *rt = &rf_routes[x->rid];
	struct json_tok t[TOKENS];
	const struct http_header *im = http_header_get(x->rq, "If-Match");
	if (im) { /* the tag of the representation a GET would give now */
		rt->get(x);
		rf_set_etag(x);
		x->b.len = 0;
		jw_init(&x->w, &x->b);
		bool ok = rf_etag_match(im->value, im->value_len, x->p.etag);
		x->p.etag[0] = 0;
		if (!ok) {
			rf_fail(x, 412, M_PRECONDITION, NULL, NULL, NULL);
			return;
		}
	}
	int n = rf_body_json(x, t);
	if (n < 0)
		return;
	if (n == 0 || t[0].size == 0) {
		rf_fail(x, 400, n ? M_EMPTY : M_MALFORMED, NULL, NULL, NULL);
		return;
	}
	if (rt->patch(x, t))
		get(x);
}

/* $top/$skip on collections; other $-parameters are not supported (501); parameters
 * without '$' are ignored as the specification asks. False with the error set. */
static bool query(struct ctx *x)
{
	const char *q = x->rq->query;
	size_t n = q ? x->rq->query_len : 0;
	for (size_t s = 0, e; s < n; s = e + 1) {
		for (e = s; e < n && q[e] != '&'; e++)
			;
		size_t eq = s;
		while (eq < e && q[eq] != '=')
			eq++;
		size_t vs = eq < e ? eq + 1 : e; /* the value: [vs, e) */
		char k[32], v[32];
		if (!http_path_decode(q + s, eq - s, k, sizeof(k)) || k[0] != '$')
			continue;
		bool top = !strcmp(k, "$top");
		if (!top && strcmp(k, "$skip")) {
			rf_fail(x, 501, M_QUERY, NULL, NULL, NULL);
			return false;
		}
		if (x->method != MG) {
			rf_fail(x, 400, M_QUERY_OPERATION, NULL, NULL, NULL);
			return false;
		}
		if (!rf_routes[x->rid].coll) {
			rf_fail(x, 400, M_QUERY_RESOURCE, NULL, NULL, NULL);
			return false;
		}
		uint32_t val;
		if (!http_path_decode(q + vs, e - vs, v, sizeof(v)) || !rf_id_u32(v, strlen(v), &val)) {
			char raw[ARG_MAX + 1];
			snprintf(raw, sizeof(raw), "%.*s", (int)(e - vs > ARG_MAX ? ARG_MAX : e - vs), q + vs);
			rf_fail(x, 400, M_QUERY_TYPE, raw, k, NULL);
			return false;
		}
		if (top)
			x->top = val, x->has_top = true;
		else
			x->skip = val;
	}
	return true;
}

static void dispatch(struct ctx *x)
{
	struct redfish *r = x->r;
	const struct http_request *rq = x->rq;
	char *p = x->path;

	/* first: every answer to a HEAD, errors included, is a head without a body */
	switch (rq->method) {
	case HTTP_GET: x->method = MG; break;
	case HTTP_HEAD: x->method = MG; x->p.head = true; break;
	case HTTP_POST: x->method = MPOST; break;
	case HTTP_PATCH: x->method = MPATCH; break;
	case HTTP_DELETE: x->method = MDEL; break;
	default: x->method = 0; break;
	}
	if (!http_path_decode(rq->path, rq->path_len, p, sizeof(x->path))) {
		rf_fail(x, 404, M_NOT_FOUND, "Resource", "", NULL);
		return;
	}
	size_t pl = strlen(p);
	if (pl > 1 && p[pl - 1] == '/')
		p[--pl] = 0;
	x->rid = -1;
	struct seg arg = { NULL, 0 };
	for (int i = 0; i < R_COUNT && x->rid < 0; i++) {
		x->sys.n = arg.n = 0;
		if (match(rf_routes[i].pat, p, &x->sys, &arg))
			x->rid = i;
	}
	if (arg.n)
		snprintf(x->arg, sizeof(x->arg), "%.*s", (int)arg.n, arg.p);
	const struct route *rt = x->rid >= 0 ? &rf_routes[x->rid] : NULL;
	if (!x->c->tls && !x->c->loopback && !r->cfg.http_remote &&
	    !(x->method == MG && (x->rid == R_VERSIONS || x->rid == R_ROOT))) {
		x->p.resolution = "Use HTTPS: over plain HTTP this service only shows /redfish and "
				  "the service root to remote clients.";
		rf_fail(x, 403, M_GENERAL, NULL, NULL, NULL);
		return;
	}
	uint8_t need = !rt ? U : x->method == MG ? rt->rpriv : (methods(rt) & x->method) ? rt->wpriv : U;
	x->user = -1;
	if (need && !rf_auth(x))
		return;
	/* after authentication: headers that change the answer come second (DSP0266) */
	const struct http_header *h = http_header_get(rq, "OData-Version");
	if (h && (h->value_len != 3 || memcmp(h->value, "4.0", 3))) {
		rf_fail(x, 412, M_HEADER_INVALID, "OData-Version", NULL, NULL);
		return;
	}
	if (rq->method == HTTP_OTHER) { /* a method HTTP/Redfish does not define here */
		rf_fail(x, 501, M_NOT_ALLOWED, NULL, NULL, NULL);
		return;
	}
	if (!rt) {
		rf_fail(x, 404, M_NOT_FOUND, "Resource", p, NULL);
		return;
	}
	if (!(methods(rt) & x->method)) {
		if (rq->method == HTTP_OPTIONS) {
			x->p.status = 204;
		} else {
			rf_fail(x, 405, M_NOT_ALLOWED, NULL, NULL, NULL);
		}
		x->p.allow = methods(rt);
		return;
	}
	/* the system '%' names: one the user may see; the BMC's own sensors are the default
	 * system's only */
	x->s = &r->sys[0];
	if (x->sys.n) {
		unsigned k = 0;
		while (k < r->nsys && (x->sys.n != strlen(r->sys[k].id) ||
				       memcmp(x->sys.p, r->sys[k].id, x->sys.n)))
			k++;
		bool first_only = x->rid >= R_SENSORS && x->rid <= R_THERMAL_METRICS;
		if (k == r->nsys || (k && first_only) || !rf_system_visible(x, k)) {
			char id[48];
			snprintf(id, sizeof(id), "%.*s", (int)(x->sys.n > 40 ? 40 : x->sys.n), x->sys.p);
			rf_fail(x, 404, M_NOT_FOUND, x->rid == R_CHASSIS ? "Chassis" : "ComputerSystem",
				id, NULL);
			return;
		}
		x->s = &r->sys[k];
		x->si = k;
	} else if (x->rid >= R_VMS && x->rid <= R_VM_EJECT && !rf_system_visible(x, 0)) {
		/* the Manager's virtual CD is the default system's drive */
		rf_fail(x, 404, M_NOT_FOUND, "VirtualMedia", "Cd", NULL);
		return;
	}
	if (x->priv < need) {
		rf_fail(x, 403, M_PRIVILEGE, NULL, NULL, NULL);
		return;
	}
	/* the event stream and the subscriptions carry every system's events */
	if ((x->rid == R_SSE || (x->rid >= R_SUBS && x->rid <= R_TEST_EVENT)) &&
	    !rf_sees_every_system(x))
		return;
	if (!query(x))
		return;
	if (rq->body_len && (x->method == MPOST || x->method == MPATCH)) {
		h = http_header_get(rq, "Content-Type");
		size_t n = 0;
		while (h && n < h->value_len && h->value[n] != ';' && h->value[n] != ' ')
			n++;
		/* a body without a Content-Type is refused too: a browser sends such a request
		 * cross-origin without a preflight */
		if (!h || !(n == 16 && rf_ieq(h->value, "application/json", 16))) {
			rf_fail(x, 415, M_HEADER_INVALID, "Content-Type", NULL, NULL);
			return;
		}
	}
	switch (x->method) {
	case MG:
		get(x);
		break;
	case MPATCH:
		patch(x);
		break;
	case MPOST:
		rt->post(x);
		break;
	case MDEL:
		rt->del(x);
		break;
	}
}

/* --- API --------------------------------------------------------------------------------- */

static bool uuid_valid(const char *u)
{
	for (int i = 0; i < 36; i++) {
		char c = u[i];
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
		if (dash ? c != '-' : !hex)
			return false;
	}
	return u[36] == 0;
}

void redfish_init(struct redfish *r, const struct redfish_cfg *cfg, struct rf_session *sessions,
		  const struct users *users, struct host *host, const void *seed, size_t seedlen)
{
	memset(r, 0, offsetof(struct redfish, body));
	r->cfg = *cfg;
	if (r->cfg.max_sessions > RF_SESSIONS_HARD_MAX)
		r->cfg.max_sessions = RF_SESSIONS_HARD_MAX;
	if (r->cfg.session_timeout_s == 0)
		r->cfg.session_timeout_s = 1800;
	/* the schema's range for SessionTimeout is 30..86400 */
	if (r->cfg.session_timeout_min < 30)
		r->cfg.session_timeout_min = 30;
	if (!r->cfg.session_timeout_max || r->cfg.session_timeout_max > 86400)
		r->cfg.session_timeout_max = 86400;
	if (r->cfg.session_timeout_min > r->cfg.session_timeout_max)
		r->cfg.session_timeout_min = r->cfg.session_timeout_max;
	r->cfg.system_id[sizeof(r->cfg.system_id) - 1] = 0;
	if (!r->cfg.system_id[0])
		strcpy(r->cfg.system_id, "0");
	r->cfg.uuid[sizeof(r->cfg.uuid) - 1] = 0;
	char *inv[] = { r->cfg.manufacturer, r->cfg.model, r->cfg.serial, r->cfg.part,
			r->cfg.asset_tag, r->cfg.chassis_serial, r->cfg.chassis_part, r->cfg.hostname };
	for (size_t i = 0; i < sizeof(inv) / sizeof(inv[0]); i++)
		inv[i][63] = 0;
	if (cfg->nsystems && cfg->systems) {
		r->nsys = cfg->nsystems < RF_SYSTEMS_MAX ? cfg->nsystems : RF_SYSTEMS_MAX;
		memcpy(r->sys, cfg->systems, r->nsys * sizeof(r->sys[0]));
	} else {
		struct rf_system *s = &r->sys[0];
		r->nsys = 1;
		memcpy(s->id, r->cfg.system_id, sizeof(s->id));
		memcpy(s->uuid, r->cfg.uuid, sizeof(s->uuid));
		s->host = host;
		s->msd = r->cfg.msd;
		s->ipmi_port = r->cfg.ipmi_port;
		s->sol_enabled = r->cfg.sol_enabled;
		memcpy(s->model, r->cfg.model, sizeof(s->model));
		memcpy(s->serial, r->cfg.serial, sizeof(s->serial));
	}
	for (unsigned i = 0; i < r->nsys; i++) {
		struct rf_system *s = &r->sys[i];
		s->id[sizeof(s->id) - 1] = s->model[63] = s->serial[63] = 0;
		if (!s->id[0])
			snprintf(s->id, sizeof(s->id), "%u", i);
		if (!uuid_valid(s->uuid))
			s->uuid[0] = 0;
	}
	memcpy(r->cfg.system_id, r->sys[0].id, sizeof(r->cfg.system_id));
	r->cfg.msd = r->sys[0].msd;
	r->cfg.name[sizeof(r->cfg.name) - 1] = 0;
	r->cfg.fw_version[sizeof(r->cfg.fw_version) - 1] = 0;
	r->uuid_ok = uuid_valid(r->cfg.uuid);
	r->sessions = sessions;
	if (!sessions)
		r->cfg.max_sessions = 0;
	else
		memset(sessions, 0, sizeof(*sessions) * r->cfg.max_sessions);
	r->users = users;
	r->host = r->sys[0].host;
	if (!r->cfg.max_tasks)
		r->cfg.max_tasks = 4;
	if (r->cfg.max_tasks > RF_TASKS_HARD_MAX)
		r->cfg.max_tasks = RF_TASKS_HARD_MAX;
	if (!r->cfg.media_url_max || r->cfg.media_url_max > MSD_URL_MAX)
		r->cfg.media_url_max = MSD_URL_MAX;
	rf_media_init(r);
	rf_subs_setup(r);
	rng_init(&r->rng, seed, seedlen);
	throttle_init(&r->thr, &r->cfg.throttle, r->thr_tab, RF_FAIL_SOURCES);
}

/* The last element of an X-Forwarded-For list as a v4-mapped or IPv6 address. */
static bool forwarded_addr(const struct http_request *rq, uint8_t out[16])
{
	if (http_header_count(rq, "X-Forwarded-For") != 1)
		return false; /* none, or several fields: which one the proxy wrote is unclear */
	const struct http_header *h = http_header_get(rq, "X-Forwarded-For");
	size_t pos = 0, s = 0, e = 0; /* the last element: what our proxy appended */
	while (http_list_next(h->value, h->value_len, &pos, &s, &e))
		;
	char a[INET6_ADDRSTRLEN];
	if (e - s == 0 || e - s >= sizeof(a))
		return false;
	memcpy(a, h->value + s, e - s);
	a[e - s] = 0;
	uint8_t v4[4];
	if (inet_pton(AF_INET, a, v4) == 1) {
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF };
		memcpy(out, mapped, 12);
		memcpy(out + 12, v4, 4);
		return true;
	}
	uint8_t v6[16];
	if (inet_pton(AF_INET6, a, v6) != 1)
		return false;
	memcpy(out, v6, 16);
	return true;
}

int redfish_handle(struct redfish *r, const struct http_request *rq, struct rf_conn *c,
		   struct buf *out, int64_t now)
{
	struct ctx x;
	memset(&x, 0, sizeof(x));
	r->now = now;
	x.r = r;
	x.rq = rq;
	x.c = c;
	memcpy(x.from, c->addr, 16);
	if (r->cfg.forwarded_for && c->loopback && !c->tls)
		forwarded_addr(rq, x.from);
	x.p.status = 200;
	x.close = !rq->keep_alive;
	buf_init(&x.b, r->body, sizeof(r->body));
	jw_init(&x.w, &x.b);
	dispatch(&x);
	return rf_finish(&x, out);
}

void redfish_error_response(struct redfish *r, int status, struct buf *out)
{
	struct ctx x; /* no request: fail() and finish() only use the response side */
	memset(&x, 0, sizeof(x));
	x.r = r;
	x.close = true;
	buf_init(&x.b, r->body, sizeof(r->body));
	int m = M_GENERAL;
	const char *a = NULL;
	switch (status) {
	case 411: m = M_HEADER_MISSING, a = "Content-Length"; break;
	case 413: m = M_TOO_LARGE; break;
	case 417: m = M_HEADER_INVALID, a = "Expect"; break;
	case 500: m = M_INTERNAL; break;
	case 503: m = M_UNAVAILABLE, a = "5"; x.p.retry_after = 5; break;
	case 400: x.p.resolution = "Send a valid HTTP/1.1 request."; break;
	case 408: x.p.resolution = "Send the whole request without pausing."; break;
	case 431: x.p.resolution = "Send fewer or shorter header fields."; break;
	case 501: x.p.resolution = "Use GET, HEAD, POST, PATCH or DELETE."; break;
	case 505: x.p.resolution = "Use HTTP/1.1."; break;
	}
	rf_fail(&x, status, m, a, NULL, NULL);
	rf_finish(&x, out);
}
