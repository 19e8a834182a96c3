/*
 * IPMI 2.0 over LAN: RMCP, ASF presence ping, RMCP+ session establishment (Open Session,
 * RAKP 1-4), per-packet integrity and confidentiality, and the IPMI command dispatcher.
 *
 * Sans-I/O: the caller feeds one received datagram at a time with ipmi_input(); replies and
 * any unsolicited packets (SoL) leave through the `send` callback. Payloads other than IPMI
 * messages (type 1, SoL) go to the engine registered for them (struct ipmi_payload_ops). ipmi_deadline() tells
 * when ipmi_tick() must next run (session expiry). Nothing here calls the network, reads a
 * file or allocates: the session pool comes from the caller, sized from the config.
 *
 * Ownership: `struct ipmi` points to the users table and the host model; both outlive it.
 * The users table may be replaced between calls (SIGHUP): sessions keep their user's name
 * and privilege, and a session whose user disappeared is closed by ipmi_users_changed().
 */
#ifndef BMCD_IPMI_H
#define BMCD_IPMI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "cursor.h"
#include "peer.h"
#include "throttle.h"
#include "users.h"

struct host;
struct sdr_repo;

/* Largest datagram bmcd accepts or sends. IPMI messages are at most a few hundred bytes;
 * SoL packets are bounded by the payload sizes we announce. */
#define IPMI_PKT_MAX 1024
#define IPMI_MSG_MAX 320	/* an IPMI message inside a packet */
#define IPMI_SUITES_MAX 8

/* RMCP+ status codes (IPMI 2.0 table 13-15). */
enum rmcpp_status {
	RMCPP_OK = 0x00, RMCPP_NO_RESOURCES = 0x01, RMCPP_BAD_SESSION_ID = 0x02,
	RMCPP_BAD_PAYLOAD = 0x03, RMCPP_BAD_AUTH_ALG = 0x04, RMCPP_BAD_INTEG_ALG = 0x05,
	RMCPP_NO_AUTH_PAYLOAD = 0x06, RMCPP_NO_INTEG_PAYLOAD = 0x07, RMCPP_INACTIVE_ID = 0x08,
	RMCPP_BAD_ROLE = 0x09, RMCPP_UNAUTH_ROLE = 0x0A, RMCPP_NO_RESOURCES_ROLE = 0x0B,
	RMCPP_BAD_NAME_LEN = 0x0C, RMCPP_UNAUTH_NAME = 0x0D, RMCPP_UNAUTH_GUID = 0x0E,
	RMCPP_BAD_ICV = 0x0F, RMCPP_BAD_CONF_ALG = 0x10, RMCPP_NO_SUITE_MATCH = 0x11,
	RMCPP_ILLEGAL_PARAM = 0x12,
};

/* IPMI completion codes used across handlers. */
enum ipmi_cc {
	CC_OK = 0x00, CC_NODE_BUSY = 0xC0, CC_INVALID_CMD = 0xC1, CC_INVALID_FOR_LUN = 0xC2,
	CC_TIMEOUT = 0xC3, CC_NO_SPACE = 0xC4, CC_BAD_RESERVATION = 0xC5, CC_TRUNCATED = 0xC6,
	CC_REQ_LEN = 0xC7, CC_REQ_TOO_LONG = 0xC8, CC_OUT_OF_RANGE = 0xC9, CC_CANT_RETURN = 0xCA,
	CC_NOT_PRESENT = 0xCB, CC_INVALID_FIELD = 0xCC, CC_ILLEGAL_CMD = 0xCD,
	CC_NO_RESPONSE = 0xCE, CC_DUPLICATE = 0xCF, CC_SDR_UPDATE = 0xD0, CC_FW_UPDATE = 0xD1,
	CC_INIT = 0xD2, CC_DEST_UNAVAIL = 0xD3, CC_INSUFFICIENT_PRIV = 0xD4,
	CC_NOT_SUPPORTED_NOW = 0xD5, CC_PARAM_DISABLED = 0xD6, CC_UNSPECIFIED = 0xFF,
};

/* Command-specific completion codes (0x80-0xBE): a value means different things for
 * different commands, so each name says which commands it belongs to. */
enum ipmi_cc_cmd {
	/* Get/Set System Boot Options, LAN and SOL Configuration Parameters */
	CC_PARAM_UNSUPPORTED = 0x80, CC_SET_IN_PROGRESS = 0x81, CC_PARAM_READ_ONLY = 0x82,
	/* Set Session Privilege Level */
	CC_PRIV_UNAVAILABLE = 0x80, CC_PRIV_OVER_LIMIT = 0x81,
	/* Close Session */
	CC_BAD_SESSION_ID = 0x87, CC_BAD_SESSION_HANDLE = 0x88,
	/* Activate Payload */
	CC_PAYLOAD_ACTIVE = 0x80, CC_PAYLOAD_DISABLED = 0x81,
	CC_PAYLOAD_NO_ENCRYPTION = 0x83,	/* encryption asked for, the session has none */
	CC_PAYLOAD_NEEDS_ENCRYPTION = 0x84,	/* the payload requires it, the session has none */
	/* Deactivate Payload (and CC_PAYLOAD_DISABLED) */
	CC_PAYLOAD_INACTIVE = 0x80,
	/* Get Payload Version */
	CC_PAYLOAD_UNAVAILABLE = 0x80,
	/* Write FRU Data */
	CC_FRU_WRITE_PROTECTED = 0x80,
};

enum netfn {
	NETFN_CHASSIS = 0x00, NETFN_BRIDGE = 0x02, NETFN_SENSOR = 0x04, NETFN_APP = 0x06,
	NETFN_FIRMWARE = 0x08, NETFN_STORAGE = 0x0A, NETFN_TRANSPORT = 0x0C,
};

enum sess_state { SESS_FREE = 0, SESS_OPENED, SESS_RAKP2, SESS_ACTIVE };

struct ipmi_session {
	uint8_t state;		/* enum sess_state */
	uint8_t handle;		/* 1..max_sessions */
	uint8_t suite;		/* cipher suite ID */
	uint8_t auth_alg, integ_alg, conf_alg;
	uint8_t max_priv;	/* granted at Open Session */
	uint8_t role;		/* RAKP1 role byte exactly as received */
	uint8_t priv_limit;	/* min(user's privilege, requested role) */
	uint8_t priv;		/* current operating privilege */
	int16_t user;		/* index into users, -1 before RAKP1 */
	char user_name[USER_NAME_MAX + 1];
	uint64_t stamp;		/* the user's credential stamp at login (users.h) */
	uint32_t bmc_sid, con_sid;
	uint32_t in_hi;		/* highest inbound sequence number accepted */
	uint32_t in_seen;	/* bit i: in_hi - i was accepted (replay window) */
	uint32_t out_seq;	/* last outbound sequence number used */
	int64_t last_rx;	/* monotonic ms of the last valid packet */
	int64_t expires;	/* handshake deadline while not active */
	uint8_t rm[16], rc[16];
	uint8_t sik[MAC_MAX];
	uint8_t k2[16];		/* first 16 bytes of K2: the AES key */
	struct hmac_key k1;	/* keyed integrity HMAC */
	struct aes_cbc aes;
	struct peer peer;
	/* Retransmission detection. Clients give every retransmission a new session sequence
	 * number but keep the IPMI message (rqSeq included) the same; a repeat of the last
	 * request within a few seconds gets the cached answer again instead of running the
	 * command twice (a power cycle must not happen twice because a reply was lost). */
	int64_t last_req_at;
	uint16_t last_req_len, last_rsp_len;
	uint8_t last_req[IPMI_MSG_MAX];
	uint8_t last_rsp[IPMI_MSG_MAX];
	bool close_after_reply;	/* Close Session: answer first, then close */
};

typedef void (*ipmi_send_fn)(void *ctx, const struct peer *to, const uint8_t *buf, size_t len);
typedef void (*ipmi_log_fn)(void *ctx, int level, const char *fmt, ...);

struct ipmi_cfg {
	uint16_t max_sessions;
	uint32_t session_timeout_ms;	/* idle time before an active session is closed */
	uint32_t handshake_timeout_ms;	/* time allowed between Open Session and RAKP 3 */
	uint8_t suites[IPMI_SUITES_MAX];
	uint8_t nsuites;
	uint8_t guid[16];		/* system GUID, wire order */
	uint32_t manufacturer;		/* IANA enterprise number for Get Device ID */
	uint16_t product;
	uint8_t fw_major, fw_minor;	/* firmware revision (minor is BCD on the wire) when the
					 * build has no BMCD_VERSION "major.minor.patch" */
	uint8_t channel;		/* LAN channel number (1) */
	/* abuse limits */
	uint16_t per_source_max;	/* sessions (open or opening) one address may hold */
	uint16_t per_user_max;		/* sessions one account below ADMINISTRATOR may hold
					 * (0: no cap) */
	uint16_t admin_reserve;		/* slots accounts below ADMINISTRATOR leave free */
	struct throttle_cfg throttle;	/* failed logins per (address, user) and address */
	struct throttle *shared_throttle; /* a table all of the daemon's engines count in (its
					 * own cfg applies); NULL: thr, the engine's own */
	/* which users this endpoint serves (NULL: all); any other is an unknown name here */
	bool (*user_allowed)(void *ctx, const char *name, size_t len);
	void *user_ctx;
	/* where answers and unsolicited packets (SoL) go, and log lines (NULL: none) */
	ipmi_send_fn send;
	void *send_ctx;
	ipmi_log_fn log;
	void *log_ctx;
	/* inventory and sensors, built at start-up (NULL / 0: none) */
	const struct sdr_repo *sdr;
	const uint8_t *fru;
	size_t fru_len;
	/* facts about the BMC itself, from the firmware (NULL: not known) */
	void (*lan_info)(void *ctx, const struct peer *via, struct lan_info *out);
	bool (*bmc_temp)(void *ctx, int *celsius); /* false: no reading now */
	void *info_ctx;
	int8_t temp_thresholds[3];	/* UNC, UC, UNR */
};

#define IPMI_FAIL_SOURCES 64	/* (address, user) pairs the login throttle tracks */

struct ipmi_stats {
	uint64_t rx, tx, dropped, auth_fail, replays, retransmits;
	uint64_t sessions_opened, logins_failed, evicted, throttled;
};

/* The engine behind a payload type carried in sessions besides IPMI messages: type 1, SoL
 * (proto/sol.h registers itself). It keeps its own state behind ctx; the IPMI core only
 * hands it its packets and tells it about time and sessions. Any hook may be NULL. */
struct ipmi_payload_ops {
	/* a payload of this type arrived in session s (authenticated, decrypted, fresh) */
	void (*input)(void *ctx, struct ipmi_session *s, const uint8_t *p, size_t len,
		      int64_t now);
	void (*closed)(void *ctx, struct ipmi_session *s);	/* s is about to close */
	void (*priv_changed)(void *ctx);	/* a session's operating privilege changed */
	int64_t (*deadline)(void *ctx);		/* INT64_MAX when nothing is pending */
	void (*tick)(void *ctx, int64_t now);
	void *ctx;
	bool offered;			/* Get Channel Payload Support reports it */
};

#define IPMI_PAYLOAD_SOL 1

struct ipmi {
	struct ipmi_cfg cfg;
	const struct users *users;
	struct host *host;
	struct ipmi_payload_ops pl_sol;	/* payload type 1; all NULL when there is no SoL */
	struct ipmi_session *sess;	/* cfg.max_sessions entries */
	struct rng rng;
	int64_t now;			/* time of the packet being handled */
	struct ipmi_stats st;
	struct throttle thr;		/* failed logins (throttle.h) */
	struct throttle_ent thr_tab[IPMI_FAIL_SOURCES];
	/* IPMI boot-option parameters that are IPMI's alone (the override itself is the host's) */
	uint8_t boot_set_in_progress;
	uint8_t boot_service_partition, boot_service_scan, boot_valid_clearing;
	uint8_t boot_ack_data;
	uint8_t boot_initiator[9];
	uint8_t lan_set_in_progress;
	uint16_t sdr_reservation;
};

/* sess must hold cfg->max_sessions zeroed entries; seed is fresh randomness (>= 32 bytes). */
void ipmi_init(struct ipmi *m, const struct ipmi_cfg *cfg, struct ipmi_session *sess,
	       const struct users *users, struct host *host, const void *seed, size_t seedlen);
void ipmi_input(struct ipmi *m, const uint8_t *pkt, size_t len, const struct peer *from,
		int64_t now);
int64_t ipmi_deadline(const struct ipmi *m); /* INT64_MAX when nothing is pending */
void ipmi_tick(struct ipmi *m, int64_t now);
/* The users table was reloaded: close sessions whose user is gone or whose password or
 * privilege changed (their SoL ends with them). */
void ipmi_users_changed(struct ipmi *m);
int ipmi_active_sessions(const struct ipmi *m);
void ipmi_close_all(struct ipmi *m);
/* Registers the engine for a payload type (only IPMI_PAYLOAD_SOL); false for other types. */
bool ipmi_set_payload(struct ipmi *m, uint8_t type, const struct ipmi_payload_ops *ops);

/* Internals shared by the command handlers (proto/ipmi_*.c). */
struct ipmi_req {
	uint8_t netfn, cmd, lun, rq_seq, rq_addr;
	const uint8_t *data;
	size_t len;
	struct ipmi_session *s; /* NULL outside a session */
};

/* A handler writes the completion code and response data into w. */
typedef void (*ipmi_handler)(struct ipmi *m, const struct ipmi_req *rq, struct wr *w);

struct ipmi_cmd {
	uint8_t netfn, cmd;
	uint8_t min_priv;	/* enum priv; PRIV_NONE: allowed outside a session */
	uint8_t min_len;	/* shortest valid request data */
	ipmi_handler fn;
};

const struct ipmi_cmd *ipmi_find_cmd(uint8_t netfn, uint8_t cmd);
struct ipmi_session *ipmi_session_by_id(struct ipmi *m, uint32_t bmc_sid);
void ipmi_session_close(struct ipmi *m, struct ipmi_session *s, const char *why);
/* Sends an IPMI payload (type 0 or 1) inside session s with its integrity/confidentiality. */
void ipmi_session_send(struct ipmi *m, struct ipmi_session *s, uint8_t payload_type,
		       const uint8_t *payload, size_t len);

#endif
