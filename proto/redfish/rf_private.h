/*
 * Private to the Redfish engine (proto/redfish/): the request context, the route row,
 * message ids and the helpers the resource files share. Not for use outside proto/redfish*.
 */
#ifndef BMCD_RF_PRIVATE_H
#define BMCD_RF_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../host.h"
#include "../json.h"
#include "../parse.h"
#include "../redfish.h"
#include "../sel.h"

#define V1 "/redfish/v1"
#define SCHEMAS "http://redfish.dmtf.org/schemas/v1/"
#define SYS V1 "/Systems/%s"
#define LOG SYS "/LogServices/EventLog"
#define MGR V1 "/Managers/bmc"
#define EL V1 "/Systems/%/LogServices/EventLog" /* a route pattern */
#define TOKENS 128	/* JSON tokens in a request body: far more than any we accept */
#define ERR_MAX 8	/* messages in one error body */
#define ARG_MAX 64	/* bytes of a request value quoted back in a message */
#define IDENTIFY_BLINK_S 15 /* IndicatorLED "Blinking": a timed identify, IPMI's default */

/* --- messages (Base 1.22) ---------------------------------------------------------------- */

enum {
	M_GENERAL, M_MALFORMED, M_NO_OPERATION, M_EMPTY, M_UNRECOGNIZED, M_PROP_UNKNOWN, M_NOT_WRITABLE,
	M_NOT_IN_LIST, M_TYPE, M_CREATE_MISSING, M_ACT_MISSING, M_ACT_NOT_IN_LIST, M_ACT_TYPE,
	M_ACT_UNKNOWN, M_NOT_FOUND, M_NOT_ALLOWED, M_PRECONDITION, M_PRIVILEGE, M_NO_SESSION,
	M_UNAUTHORIZED, M_UNAVAILABLE, M_SESSION_LIMIT, M_QUERY, M_QUERY_RESOURCE,
	M_QUERY_OPERATION, M_QUERY_TYPE, M_HEADER_INVALID, M_HEADER_MISSING, M_TOO_LARGE,
	M_INTERNAL, M_OUT_OF_RANGE, M_ACT_NOT_SUPPORTED, M_ACT_FORMAT, M_ACT_CONFLICT, M_IN_USE, M_RESOURCE_CONFLICT,
	M_TOO_LONG,
	M_FORMAT, M_CREATE_LIMIT,
};

/* Messages for one error body; arguments are copied (bounded) into store. */
struct elist {
	int n;
	struct {
		uint8_t id;
		const char *a[3];
	} m[ERR_MAX];
	char store[ERR_MAX * 2 * (ARG_MAX + 1)];
	size_t used;
};

enum { MG = 1, MPOST = 2, MPATCH = 4, MDEL = 8 }; /* MG: GET and HEAD */

enum {
	R_VERSIONS, R_ROOT, R_ODATA, R_METADATA, R_SYSTEMS, R_SYSTEM, R_RESET_INFO, R_RESET,
	R_LOGSERVICES, R_EVENTLOG, R_ENTRIES, R_ENTRY, R_CLEARLOG, R_CHASSIS_ALL, R_CHASSIS,
	R_MANAGERS, R_MANAGER, R_NETPROTO, R_ACCOUNTSVC, R_ACCOUNTS, R_ACCOUNT, R_ROLES, R_ROLE,
	R_SESSIONSVC, R_SESSIONS, R_SESSIONS_MEMBERS, R_SESSION, R_EVENTSVC, R_SSE, R_SCHEMAS,
	R_SCHEMA, R_REGISTRIES, R_REGISTRY, R_BMCD_REGISTRY, R_MGR_LOGSERVICES, R_MGR_LOG,
	R_MGR_ENTRIES, R_MGR_ENTRY, R_MGR_CLEARLOG, R_ETHS, R_ETH, R_SENSORS, R_SENSOR, R_THERMAL,
	R_THERMAL_METRICS, R_VMS, R_VM, R_VM_INFO, R_VM_INSERT, R_VM_EJECT, R_SYS_VMS, R_SYS_VM,
	R_SYS_VM_INFO, R_SYS_VM_INSERT, R_SYS_VM_EJECT, R_TASKSVC, R_TASKS, R_TASK, R_TASK_MONITOR,
	R_SUBS, R_SUB, R_TEST_EVENT, R_COUNT
};

struct ctx;

/* One row of the route table: see the CONTRACT at the top of routes.c. */
struct route {
	const char *pat;			/* '%': the system id, '*': a member id */
	const char *otype, *link, *type, *ver;	/* @odata.type, Link file, family, version */
	uint8_t rpriv, wpriv;			/* GET/HEAD, writing methods; 0: public */
	bool coll;				/* a collection: $top/$skip apply */
	void (*get)(struct ctx *x);		/* GET and HEAD */
	bool (*patch)(struct ctx *x, const struct json_tok *t); /* true: applied */
	void (*post)(struct ctx *x);
	void (*del)(struct ctx *x);
};

extern const struct route rf_routes[R_COUNT];

struct seg {
	const char *p;
	size_t n;
};

/* --- request context --------------------------------------------------------------------- */

struct rsp {
	int status;
	const char *ctype;	/* NULL: JSON */
	uint8_t allow;		/* methods for Allow (0: none) */
	const char *link;	/* schema file for Link: rel=describedby */
	char etag[20];		/* "" or the quoted tag */
	char location[80];
	const char *token;
	const char *resolution;	/* overrides the first message's Resolution */
	unsigned retry_after;
	bool www_auth, sse, head;
};

struct ctx {
	struct redfish *r;
	const struct http_request *rq;
	struct rf_conn *c;
	uint8_t from[16];	/* the client: the peer, or the proxy's X-Forwarded-For */
	int rid;
	uint8_t method;
	char path[256];		/* decoded, without a trailing '/' */
	char arg[48];		/* the '*' segment */
	struct seg sys;
	const struct rf_system *s;	/* the system '%' names, else the default one */
	unsigned si;		/* its index in r->sys */
	/* who */
	int user;		/* index in users, -1 */
	struct rf_session *sess;	/* the session of an X-Auth-Token request, else NULL */
	uint8_t priv;
	const char *uname;
	/* query */
	uint32_t top, skip;
	bool has_top;
	const uint16_t *map;	/* visible members of a filtered collection */
	/* output */
	struct buf b;
	struct jw w;
	struct rsp p;
	bool close;
	bool media;		/* acted on the virtual-media drive (RF_MEDIA) */
};

/* the same values as enum host_power (proto/host.h), which redfish_sse_event() gets */
enum { PS_ON = HOST_POWER_ON, PS_OFF = HOST_POWER_OFF, PS_POWERING_ON = HOST_POWER_POWERING_ON,
       PS_POWERING_OFF = HOST_POWER_POWERING_OFF };

typedef void (*member_fn)(struct ctx *x, unsigned i);

/* reply.c */
void rf_add(struct elist *e, int id, const char *a1, const char *a2, const char *a3);
void rf_log(struct redfish *r, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void rf_fail_list(struct ctx *x, int status, const struct elist *e);
void rf_fail(struct ctx *x, int status, int id, const char *a1, const char *a2, const char *a3);
int rf_finish(struct ctx *x, struct buf *out);
bool rf_ieq(const char *a, const char *b, size_t n);
bool rf_id_u32(const char *s, size_t n, uint32_t *v);
void rf_iso_time(uint32_t t, char out[40]);
bool rf_etag_match(const char *v, size_t n, const char *tag);
void rf_set_etag(struct ctx *x);
extern const char *const rf_power_names[];
int rf_power_state(const struct host_status *st);
void rf_hdr(struct ctx *x, int rid, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void rf_status_obj(struct jw *w, bool ok);
void rf_link_list(struct jw *w, const char *key, const char *fmt, const char *arg);
struct host_who rf_who(const struct ctx *x);
void rf_collection(struct ctx *x, const char *name, unsigned n, member_fn fn, size_t each);
void rf_m_one(struct ctx *x, unsigned i);
/* The systems the request's user may see, as indexes into r->sys, for x->map; their count. */
unsigned rf_visible_systems(struct ctx *x, uint16_t map[RF_SYSTEMS_MAX]);
bool rf_system_visible(const struct ctx *x, unsigned i);
/* Whether the user may use every system (events name them all); false with a 403 set. */
bool rf_sees_every_system(struct ctx *x);
/* a member of Systems or Chassis: "<collection>/<the id of system x->map[i]>" */
void rf_m_system(struct ctx *x, unsigned i);
void rf_str_array(struct jw *w, const char *key, const char *const *v, size_t n);
void rf_kstr_opt(struct jw *w, const char *key, const char *v);
int rf_body_json(struct ctx *x, struct json_tok *t);
const char *rf_tok_text(struct elist *e, const struct ctx *x, const struct json_tok *t, int i);
int rf_lookup(const struct ctx *x, const struct json_tok *t, int i, const char *const *names,
	      size_t n);

/* auth.c */
bool rf_expired(const struct redfish *r, const struct rf_session *s);
struct rf_session *rf_find_session(struct ctx *x, bool del);
bool rf_auth(struct ctx *x);
void rf_post_session(struct ctx *x);
void rf_delete_session(struct ctx *x);

/* root.c */
void rf_get_root(struct ctx *x);
void rf_get_odata(struct ctx *x);
void rf_get_schema_file(struct ctx *x);
void rf_get_registry_file(struct ctx *x);
void rf_get_metadata(struct ctx *x);
void rf_get_versions(struct ctx *x);
void rf_get_schemas(struct ctx *x);
void rf_get_registries(struct ctx *x);

/* systems.c */
extern const char *const rf_led_names[];
void rf_get_system(struct ctx *x);
void rf_get_reset_info(struct ctx *x);
void rf_get_systems(struct ctx *x);
bool rf_patch_props(struct ctx *x, const struct json_tok *t, bool chassis);
bool rf_patch_system(struct ctx *x, const struct json_tok *t);
int rf_action_body(struct ctx *x, struct json_tok *t, const char *action, const char *param);
void rf_post_reset(struct ctx *x);

/* chassis.c */
void rf_get_chassis(struct ctx *x);
void rf_get_chassis_all(struct ctx *x);
bool rf_patch_chassis(struct ctx *x, const struct json_tok *t);

/* managers.c */
void rf_get_manager(struct ctx *x);
void rf_get_netproto(struct ctx *x);
void rf_get_managers(struct ctx *x);

/* accounts.c */
void rf_get_accountsvc(struct ctx *x);
bool rf_visible_user(const struct ctx *x, const char *name);
void rf_get_accounts(struct ctx *x);
void rf_get_account(struct ctx *x);
void rf_get_role(struct ctx *x);
void rf_get_roles(struct ctx *x);

/* sessions.c */
void rf_get_sessionsvc(struct ctx *x);
void rf_get_sessions(struct ctx *x);
void rf_session_json(struct ctx *x, const struct rf_session *s);
void rf_get_session(struct ctx *x);
bool rf_patch_sessionsvc(struct ctx *x, const struct json_tok *t);

/* events.c */
void rf_get_eventlog(struct ctx *x);
void rf_get_entry(struct ctx *x);
void rf_get_eventsvc(struct ctx *x);
void rf_get_logservices(struct ctx *x);
void rf_get_entries(struct ctx *x);
void rf_get_sse(struct ctx *x);
void rf_post_clearlog(struct ctx *x);

/* bmclog.c: the BMC's own log and bmcd's message registry (Bmcd.1.0) */
const char *rf_bmcd_message(int kind);
const char *rf_sel_message(int text);
void rf_get_bmcd_registry(struct ctx *x);
void rf_get_mgr_logservices(struct ctx *x);
void rf_get_mgr_log(struct ctx *x);
void rf_get_mgr_entries(struct ctx *x);
void rf_get_mgr_entry(struct ctx *x);
void rf_post_mgr_clearlog(struct ctx *x);

/* sensors.c */
void rf_get_sensors(struct ctx *x);
void rf_get_sensor(struct ctx *x);
void rf_get_thermal(struct ctx *x);
void rf_get_thermal_metrics(struct ctx *x);

/* ethernet.c */
void rf_get_eths(struct ctx *x);
void rf_get_eth(struct ctx *x);

/* media.c */
void rf_get_vms(struct ctx *x);
void rf_get_vm(struct ctx *x);
void rf_get_vm_info(struct ctx *x);
void rf_post_vm_insert(struct ctx *x);
void rf_post_vm_eject(struct ctx *x);
bool rf_media_has_boot_image(const struct ctx *x);
void rf_media_init(struct redfish *r);

/* tasks.c: TaskService, its tasks and their monitors (the virtual-media insertions) */
#define TASKS V1 "/TaskService/Tasks"
#define TASK_MONITORS V1 "/TaskService/TaskMonitors"
struct rf_task *rf_task_new(struct ctx *x, const char *image);
void rf_task_accepted(struct ctx *x, const struct rf_task *t);
void rf_get_tasksvc(struct ctx *x);
void rf_get_tasks(struct ctx *x);
void rf_get_task(struct ctx *x);
void rf_get_task_monitor(struct ctx *x);

/* subscriptions.c: EventService/Subscriptions and SubmitTestEvent */
/* redfish_init: the table and the event ring from cfg (subs, max_subs, ring, queue) */
void rf_subs_setup(struct redfish *r);
void rf_eventsvc_subs(struct ctx *x);
void rf_get_subs(struct ctx *x);
void rf_post_sub(struct ctx *x);
void rf_get_sub(struct ctx *x);
bool rf_patch_sub(struct ctx *x, const struct json_tok *t);
void rf_delete_sub(struct ctx *x);
void rf_post_test_event(struct ctx *x);
/* Destination into s (scheme, address, port, path); false: not usable */
bool rf_sub_parse_dest(struct rf_sub *s, const char *d);

#endif
