/*
 * The Redfish service (DSP0266 / DSP8010 schemas), sans-I/O: one parsed HTTP request in,
 * one complete HTTP response (status line, headers, body) out. The network layer
 * (net/httpd.c) owns sockets, TLS, connection limits and timeouts; this engine owns
 * resources, authentication, Redfish sessions, ETags, error bodies and events.
 *
 * Resources (system_id from the config, "0" on a PiKVM):
 *   /redfish, /redfish/v1, /redfish/v1/odata, /redfish/v1/$metadata,
 *   /redfish/v1/Systems, /Systems/{id}, /Systems/{id}/ResetActionInfo,
 *   /Systems/{id}/Actions/ComputerSystem.Reset (POST),
 *   /Systems/{id}/LogServices, /Systems/{id}/LogServices/EventLog, .../Entries, .../Entries/{n},
 *   /Systems/{id}/LogServices/EventLog/Actions/LogService.ClearLog (POST),
 *   /redfish/v1/Chassis, /Chassis/{id}, /redfish/v1/Managers, /Managers/bmc,
 *   /Managers/bmc/NetworkProtocol, /redfish/v1/AccountService, .../Accounts, .../Accounts/{n},
 *   .../Roles, .../Roles/{Administrator,Operator,ReadOnly}, /redfish/v1/SessionService,
 *   .../Sessions (GET, POST; also POST .../Sessions/Members), .../Sessions/{id} (GET, DELETE),
 *   /redfish/v1/EventService, and the SSE stream at /redfish/v1/EventService/SSE;
 *   with a virtual-media backend (cfg.msd): /Managers/bmc/VirtualMedia, .../VirtualMedia/Cd,
 *   .../Cd/InsertMediaActionInfo, .../Cd/Actions/VirtualMedia.{InsertMedia,EjectMedia}
 *   (POST), and the same under /Systems/{id}/VirtualMedia (proto/redfish/media.c); an
 *   insertion that downloads runs as a task: /redfish/v1/TaskService, .../Tasks,
 *   .../Tasks/{n} and its monitor .../TaskMonitors/{n} (proto/redfish/tasks.c).
 * Every URI is served with and without a trailing slash.
 */
#ifndef BMCD_REDFISH_H
#define BMCD_REDFISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "crypto.h"
#include "http.h"
#include "netif.h"
#include "throttle.h"
#include "users.h"

struct bmclog;
struct msd;

struct host;

#define RF_TOKEN_LEN 32		/* X-Auth-Token: 128 random bits in hex */
#define RF_SESSIONS_HARD_MAX 64
#define RF_FAIL_SOURCES 64	/* (address, user) pairs the login throttle tracks */
/* The throttle's defaults: 5 failures for a name (20 for an address) in a minute, then a
 * wait of 2 s doubling up to 256 s. */
#define RF_THROTTLE_DEFAULT { 5, 20, 60000, 2000, 256000 }
#define RF_BODY_MAX 16384	/* largest JSON/XML body: the scratch buffer in struct redfish */
/* What `out` must be able to hold for any response: a body of RF_BODY_MAX plus the head.
 * A smaller out still works for small resources; a response that does not fit becomes a
 * 500 error body. Collections page themselves (Members@odata.nextLink) to fit the body. */
#define RF_RESPONSE_MAX (RF_BODY_MAX + 1024)

/* redfish_sse_event() `what`: the same values as the host model's HOST_NOTIFY_POWER and
 * HOST_NOTIFY_LOG (proto/ may not include firmware/host_model.h). */
enum { RF_NOTIFY_POWER = 1, RF_NOTIFY_LOG = 2, RF_NOTIFY_MEDIA = 3 };

#define RF_TASKS_HARD_MAX 16	/* tasks kept (running and finished); cfg.max_tasks <= this */
#define RF_MEDIA_TEXT 200

/* A task: one virtual-media insertion that had to download (tasks.c). */
struct rf_task {
	uint32_t id;			/* 0: a free slot */
	uint8_t sys;			/* the system whose drive it fills */
	uint8_t state;			/* enum in tasks.c: running, completed, exception,
					 * cancelled */
	uint8_t percent;		/* the last progress seen */
	uint32_t start, end;		/* wall-clock seconds (host_time); end 0: running */
	char user[USER_NAME_MAX + 1];	/* who asked */
	char target[128];		/* the action's URI */
	char image[97];			/* the image's name */
	char error[160];		/* why it failed */
};

/* What the engine last saw of the virtual-media drive (redfish_media_update). */
struct rf_media {
	uint32_t seq;			/* the drive's status seq */
	uint8_t state;			/* enum msd_state */
	uint32_t task;			/* the running insertion's task id, 0: none */
	char insert_user[USER_NAME_MAX + 1], eject_user[USER_NAME_MAX + 1];
	bool eject_asked;		/* an EjectMedia is running (else an eject is not ours) */
	uint8_t event;			/* the last change, for RF_NOTIFY_MEDIA: an enum sel_text */
	char text[RF_MEDIA_TEXT];	/* and its words */
};

typedef void (*rf_log_fn)(void *ctx, int level, const char *fmt, ...);

#define RF_SYSTEMS_MAX 21	/* ComputerSystems: the default host and up to 20 more */

/* One ComputerSystem and its Chassis: a host the BMC manages (Systems/{id}, Chassis/{id}). */
struct rf_system {
	char id[32];
	char uuid[37];			/* the GUID its IPMI endpoint reports ("": none) */
	struct host *host;
	uint16_t ipmi_port;		/* its IPMI endpoint (SerialConsole.IPMI.Port), 0: none */
	bool sol_enabled;
	char model[64], serial[64];	/* Model, SerialNumber ("": left out) */
	struct msd *msd;		/* its virtual CD (Systems/{id}/VirtualMedia/Cd; system 0's
					 * is also Managers/bmc/VirtualMedia/Cd), NULL: none */
	uint8_t shared_drive;		/* systems with the same non-zero value reach one physical
					 * drive (kvmd's, through a PiKVM Switch): while one holds
					 * media, another's insert is refused */
	/* whether a user may see and use it (NULL: every user) */
	bool (*allowed)(void *ctx, const char *user);
	void *allowed_ctx;
};

struct redfish_cfg {
	/* the systems (systems[0]: the default host, which the virtual media, the BMC's own
	 * sensors belong to), at most RF_SYSTEMS_MAX; nsystems 0: one system made of
	 * system_id, uuid, ipmi_port, sol_enabled, model, serial, msd and redfish_init's host */
	const struct rf_system *systems;
	uint8_t nsystems;
	char system_id[32];
	char uuid[37];			/* lowercase, the same GUID IPMI reports */
	char name[64];			/* the BMC's name */
	char fw_version[16];
	uint32_t session_timeout_s;	/* Redfish session inactivity timeout */
	uint32_t session_timeout_min, session_timeout_max; /* what PATCH may set (max 0: 86400) */
	uint16_t max_sessions;		/* <= RF_SESSIONS_HARD_MAX */
	uint16_t per_user_max;		/* sessions per account: a login past it replaces the
					 * account's idlest one (0: no cap) */
	uint16_t admin_reserve;		/* sessions accounts below Administrator leave free */
	/* facts for Managers/bmc and NetworkProtocol */
	uint16_t ipmi_port, http_port, https_port;	/* 0: that service is off */
	bool sol_enabled;
	/* inventory, from the same [fru] settings IPMI serves ("" leaves a property out) */
	char manufacturer[64], model[64], serial[64], part[64], asset_tag[64];
	char chassis_serial[64], chassis_part[64];
	char hostname[64];		/* NetworkProtocol HostName and FQDN ("": left out) */
	uint8_t max_sse;		/* SSE subscribers the network layer allows */
	bool http_remote;		/* plain HTTP may serve the API beyond loopback */
	struct throttle_cfg throttle;	/* failed logins (per_user 0: not throttled) */
	bool forwarded_for;		/* trust X-Forwarded-For from a loopback proxy (plain
					 * HTTP only) as the client address for throttling/logs */
	struct bmclog *bmclog;		/* the BMC's own log (Managers/bmc/LogServices/Log);
					 * NULL: an empty one */
	netif_list_fn netifs;		/* the BMC's interfaces (EthernetInterfaces); NULL: none */
	void *netifs_ctx;
	/* the BMC's temperature (Chassis Sensors, ThermalSubsystem); NULL: no source */
	bool (*temp)(void *ctx, int *celsius);	/* false: no reading now */
	void *temp_ctx;
	int8_t temp_thresholds[3];	/* upper non-critical, critical, non-recoverable (0: none) */
	struct msd *msd;		/* virtual media (hal/msd.h, Managers/bmc/VirtualMedia/Cd
					 * and Systems/{id}/VirtualMedia/Cd); NULL: none */
	uint16_t media_url_max;		/* longest Image URL InsertMedia takes (<= MSD_URL_MAX) */
	uint8_t max_tasks;		/* tasks kept (1..RF_TASKS_HARD_MAX) */
	/* event subscriptions (subscriptions.c): the table (max_subs, at most
	 * RF_SUBS_HARD_MAX) and the event ring (queue events, at most RF_EVENT_QUEUE_HARD_MAX)
	 * are the caller's, sized from the config and zeroed by redfish_init; NULL or 0: no
	 * subscriptions */
	struct rf_sub *subs;
	uint16_t max_subs;
	struct rf_event *ring;
	uint16_t queue;
	uint16_t retry_attempts;	/* DeliveryRetryAttempts */
	uint16_t retry_interval_s;	/* DeliveryRetryIntervalSeconds */
	bool tls_client;		/* https:// destinations can be reached */
	bool ca_loaded;			/* VerifyCertificate true has trust anchors */
	rf_log_fn log;			/* log lines (NULL: none) */
	void *log_ctx;
};

/* --- event subscriptions (EventService/Subscriptions, proto/redfish/subscriptions.c) ---- */

#define RF_SUB_DEST_MAX 256	/* Destination URI */
#define RF_SUB_CONTEXT_MAX 256	/* Context */
#define RF_SUB_HEADERS_MAX 1024	/* HttpHeaders, as "Name: value\r\n" lines */
#define RF_SUB_ORIGINS 4	/* OriginResources */
#define RF_SUB_ORIGIN_MAX 128
#define RF_EVENT_MAX 1536	/* the Events array of one event */
#define RF_SUBS_HARD_MAX 64
#define RF_EVENT_QUEUE_HARD_MAX 256

enum { RF_RETRY_TERMINATE, RF_RETRY_SUSPEND, RF_RETRY_FOREVER };

struct rf_sub {
	bool used, enabled;
	uint32_t id;			/* Subscriptions/{id} */
	uint32_t gen;			/* changes whenever the slot is reused: connections of
					 * an older generation are dropped */
	char dest[RF_SUB_DEST_MAX];
	bool https, v6, verify;
	uint8_t addr[16];		/* the destination: a literal address, port, path */
	uint16_t port;
	uint16_t path_off;		/* where the path starts in dest */
	char context[RF_SUB_CONTEXT_MAX];
	char headers[RF_SUB_HEADERS_MAX];
	uint16_t headers_len;
	uint8_t policy;			/* RF_RETRY_* */
	uint8_t event_types;		/* bit per EventTypes value (0: none given) */
	uint8_t registries, resource_types; /* 0: all */
	uint8_t norigins;
	bool subordinate;		/* SubordinateResources */
	char origins[RF_SUB_ORIGINS][RF_SUB_ORIGIN_MAX];
	uint64_t next;			/* sequence number of the next event to deliver */
	uint64_t inflight;		/* 1 + the sequence number being sent, 0: none */
	uint32_t dropped;		/* events lost to a full queue */
	uint32_t dropped_logged;	/* dropped when the log last said so */
	uint32_t failures;		/* failed attempts for the event at `next` */
	uint64_t delivered;
	int64_t retry_at;		/* monotonic ms; 0: now */
};

struct rf_event {
	uint64_t id;			/* the Event's Id (the SSE id) */
	uint8_t resource_type;		/* bit: 1 ComputerSystem, 2 LogEntry, 4 other */
	uint8_t registry;		/* bit: 1 ResourceEvent, 2 other */
	char origin[RF_SUB_ORIGIN_MAX];
	uint16_t len;
	char records[RF_EVENT_MAX];	/* the members of the Events array, as JSON */
};


struct rf_session {
	bool used;
	uint32_t id;			/* shown as Sessions/{id} */
	char token[RF_TOKEN_LEN + 1];
	int16_t user;			/* index into users at login */
	char user_name[USER_NAME_MAX + 1];
	uint8_t priv;
	uint64_t stamp;			/* the user's credential stamp at login (users.h) */
	int64_t last_used, created;	/* monotonic ms */
};

/* What the network layer knows about the connection a request came on. The sse_ fields
 * are the engine's: when a request opens an event stream, it records whose stream it is,
 * and redfish_sse_valid() later says whether that still holds. */
struct rf_conn {
	bool tls;
	bool loopback;
	uint8_t addr[16];		/* peer address, IPv4 as v4-mapped IPv6 */
	uint32_t sse_session;		/* the Redfish session it was opened with, 0: Basic */
	uint64_t sse_stamp;		/* the user's credential stamp then */
	char sse_user[USER_NAME_MAX + 1];
};

/* Result flags of redfish_handle(). */
enum {
	RF_CLOSE = 1,	/* close the connection after this response */
	RF_SSE = 2,	/* the response head opened an event stream: keep the connection
			 * for events (redfish_sse_event) until the client goes away */
	RF_MEDIA = 4,	/* the request acted on the virtual-media drive: call
			 * redfish_media_update now (the drive may have changed at once) */
};

struct redfish {
	struct redfish_cfg cfg;
	const struct users *users;
	struct host *host;		/* sys[0].host */
	struct rf_system sys[RF_SYSTEMS_MAX];
	uint8_t nsys;
	struct rf_session *sessions;	/* cfg.max_sessions entries */
	uint32_t next_session_id;
	struct throttle thr;		/* failed logins (throttle.h) */
	struct throttle_ent thr_tab[RF_FAIL_SOURCES];
	struct rng rng;
	uint64_t event_id;		/* Id of the last event sent */
	int64_t now;
	bool revoked;			/* a session ended or the users changed since the
					 * wiring last checked the streams (redfish_sse_valid) */
	bool uuid_ok;			/* cfg.uuid is a well-formed UUID (else not shown) */
	struct rf_task tasks[RF_TASKS_HARD_MAX];
	uint32_t next_task_id;
	struct rf_media media[RF_SYSTEMS_MAX];	/* per system */
	struct rf_sub *subs;		/* max_subs entries (cfg.subs) */
	struct rf_event *ring;		/* ring_cap events; sequence s is ring[s % ring_cap] */
	uint16_t max_subs, ring_cap;
	uint32_t next_sub_id;
	uint64_t ring_head;		/* sequence number of the next event pushed */
	bool subs_changed;		/* the delivery side should look at the table */
	char body[RF_BODY_MAX];		/* scratch: a response body is built here first */
};

void redfish_init(struct redfish *r, const struct redfish_cfg *cfg, struct rf_session *sessions,
		  const struct users *users, struct host *host, const void *seed, size_t seedlen);

/*
 * Handles one complete request (rq as parsed by http_parse, body included) and writes the
 * whole HTTP/1.1 response into out. Returns RF_* flags. A response that does not fit in
 * out is replaced by a 500 error body. `now` is monotonic milliseconds.
 */
int redfish_handle(struct redfish *r, const struct http_request *rq, struct rf_conn *c,
		   struct buf *out, int64_t now);
/* Whether the event stream on connection c may go on: its session still exists (or, for a
 * stream opened with Basic credentials, its user) with the same password and privilege.
 * Check every stream whenever r->revoked is set, then clear it. */
bool redfish_sse_valid(const struct redfish *r, const struct rf_conn *c);

/* An error response for requests the network layer rejects before parsing completes
 * (400, 408, 411, 413, 417, 431, 501, 503, 505): status line, headers, Redfish error body
 * with a Base registry MessageId. Always sets Connection: close. */
void redfish_error_response(struct redfish *r, int status, struct buf *out);

/* Appends one SSE event ("id: ...\ndata: {Redfish Event}\n\n") describing a change of
 * system sys (an index into the systems; the virtual media's are system 0's) to out.
 * what is RF_NOTIFY_POWER (== HOST_NOTIFY_POWER): ResourceChanged on Systems/{id}, plus a
 * ResourcePoweredOn/PoweringOn/PoweredOff/PoweringOff record when power is the new
 * PowerState (enum host_power, as the host model reports its changes; -1: the PowerState
 * did not change); or RF_NOTIFY_LOG (== HOST_NOTIFY_LOG, power ignored): ResourceCreated
 * for the newest LogEntry; or RF_NOTIFY_MEDIA (power ignored): ResourceChanged on the
 * virtual CD and the Bmcd record of its last change (redfish_media_update). The same
 * records go to the event subscriptions that want them. Call it once per change and send the same bytes to every
 * subscriber: each call takes a new event id. On overflow out->err is set. */
void redfish_sse_event(struct redfish *r, unsigned sys, int what, int power, struct buf *out);

/* System sys's virtual-media drive may have changed (call it after the backend's service()
 * when its status seq moved): the running task follows it, and the system's event log
 * records insertions, ejections and failures with who asked. Returns true when there is a
 * change to announce (redfish_sse_event with RF_NOTIFY_MEDIA and the same sys). */
bool redfish_media_update(struct redfish *r, unsigned sys, int64_t now);
/* Whether any subscription exists (events are worth producing). */
bool redfish_subs_any(const struct redfish *r);
/* Adds an event to the ring for every subscription whose filters match. records: the
 * members of the Events array (JSON, comma-separated objects). */
void redfish_subs_push(struct redfish *r, uint64_t id, uint8_t resource_type, uint8_t registry,
		       const char *origin, const char *records, size_t len);
/* Delivery, for the network side (net/webhook.c). The next event subscription i should
 * get now: true with the whole HTTP/1.1 POST (head and body) in out; false when nothing is
 * due (disabled, nothing queued, or waiting to retry). */
bool redfish_sub_request(struct redfish *r, unsigned i, int64_t now, struct buf *out);
/* The outcome of the request redfish_sub_request gave: delivered (the receiver answered
 * 2xx), or failed (why: for the log); failures are retried after the interval, then the
 * subscription is suspended or removed as its DeliveryRetryPolicy says. ok false with why
 * NULL: the attempt was cancelled (the subscription changed) and does not count. */
void redfish_sub_result(struct redfish *r, unsigned i, bool ok, const char *why, int64_t now);
/* The earliest time a subscription waiting to retry is due (INT64_MAX: none). */
int64_t redfish_subs_deadline(const struct redfish *r);

/* Expires idle Redfish sessions. */
int64_t redfish_deadline(const struct redfish *r);
void redfish_tick(struct redfish *r, int64_t now);
/* The users table was reloaded: end sessions whose user is gone or whose password or
 * privilege changed. */
void redfish_users_changed(struct redfish *r);

#endif
