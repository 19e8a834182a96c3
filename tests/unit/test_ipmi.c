/*
 * RMCP+ engine tests: known-answer handshake and packet vectors computed by
 * gen_ipmi_vectors.py (independent of bmcd's code), then error paths, privilege rules,
 * the sequence window, retransmissions and truncated input. Packets the test builds itself
 * are protected with BearSSL directly, not with proto/crypto.c.
 */
#include <bearssl.h>

#include "../../proto/ipmi.h"
#include "fake_host.h"
#include "ipmi_vectors.h"
#include "testlib.h"

#define MAXOUT 8
static unsigned char out[MAXOUT][IPMI_PKT_MAX];
static size_t outlen[MAXOUT];
static int nout;

static void capture(void *ctx, const struct peer *to, const uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)to;
	if (nout < MAXOUT) {
		memcpy(out[nout], buf, len);
		outlen[nout++] = len;
	}
}

static struct users users;
static struct user user_tab[4];
static struct host fhost;
static struct ipmi m;
static struct ipmi_session sess[4];
static struct peer peer;
static int64_t now = 1000;

static void add_user(const char *name, const char *pw, uint8_t priv)
{
	struct user *u = &user_tab[users.n++];
	memset(u, 0, sizeof(*u));
	strcpy(u->name, name);
	u->name_len = (uint8_t)strlen(name);
	memcpy(u->pass, pw, strlen(pw));
	u->pass_len = (uint8_t)strlen(pw);
	u->priv = priv;
}

static void setup(int max_sessions)
{
	memset(&users, 0, sizeof(users));
	users.u = user_tab;
	users.max = 4;
	add_user("admin", "secret", PRIV_ADMIN);
	add_user("op", "oppass", PRIV_OPERATOR);
	add_user("viewer", "viewpass", PRIV_USER);
	users_prepare(&users);
	fake_host_init(&fhost);
	struct ipmi_cfg cfg = {
		.max_sessions = (uint16_t)max_sessions,
		.session_timeout_ms = 60000,
		.handshake_timeout_ms = 5000,
		.suites = { 3, 17 },
		.nsuites = 2,
		.fw_major = 0,
		.fw_minor = 1,
		.channel = 1,
		.send = capture,
	};
	memcpy(cfg.guid, kat_guid, 16);
	memset(sess, 0, sizeof(sess));
	ipmi_init(&m, &cfg, sess, &users, &fhost, kat_seed, sizeof(kat_seed));
	memset(&peer, 0, sizeof(peer));
	struct sockaddr_in *a = (struct sockaddr_in *)&peer.sa;
	a->sin_family = AF_INET;
	a->sin_port = htons(40000);
	a->sin_addr.s_addr = htonl(0x7F000001);
	peer.len = sizeof(*a);
}

static void feed(const unsigned char *p, size_t n)
{
	nout = 0;
	ipmi_input(&m, p, n, &peer, now);
}

#define FEED(arr) feed(arr, sizeof(arr))
#define EXPECT_ONE(arr)                                                                    \
	do {                                                                               \
		CHECK_EQ(nout, 1);                                                         \
		CHECK_EQ(outlen[0], sizeof(arr));                                          \
		if (nout == 1 && outlen[0] == sizeof(arr))                                 \
			CHECK_MEM(out[0], arr, sizeof(arr));                               \
	} while (0)

/* --- packets built by the test ------------------------------------------------------------ */

#include "rmcp_client.h"

static uint32_t seqno = 10;

/* Sends a command in the session and returns the response's completion code (or -1). */
static int cmd(const struct tc_session *k, uint8_t netfn, uint8_t c, const void *data, size_t dl,
	       unsigned char *rsp, size_t *rlen)
{
	unsigned char msg[300], pkt[IPMI_PKT_MAX], r[512];
	size_t ml = mkmsg(msg, netfn, c, (uint8_t)(seqno & 0x3F), data, dl);
	size_t pl = protect(k, seqno++, msg, ml, pkt);
	feed(pkt, pl);
	if (nout != 1)
		return -1;
	size_t n = unprotect(k, out[0], outlen[0], r);
	if (n < 8)
		return -1;
	if (rsp) {
		memcpy(rsp, r + 7, n - 8);
		*rlen = n - 8;
	}
	return r[6];
}

/* --- tests ---------------------------------------------------------------------------------- */

static void kat(int suite)
{
	setup(4);
#define V(x) (suite == 3 ? s3_##x : s17_##x)
#define VS(x) (suite == 3 ? sizeof(s3_##x) : sizeof(s17_##x))
	feed(V(open_req), VS(open_req));
	CHECK_EQ(nout, 1);
	CHECK_EQ(outlen[0], VS(open_rsp));
	CHECK_MEM(out[0], V(open_rsp), VS(open_rsp));
	feed(V(rakp1), VS(rakp1));
	CHECK_EQ(nout, 1);
	CHECK_EQ(outlen[0], VS(rakp2));
	CHECK_MEM(out[0], V(rakp2), VS(rakp2));
	feed(V(rakp3), VS(rakp3));
	CHECK_EQ(nout, 1);
	CHECK_EQ(outlen[0], VS(rakp4));
	CHECK_MEM(out[0], V(rakp4), VS(rakp4));
	CHECK_EQ(ipmi_active_sessions(&m), 1);
	/* a console that lost RAKP 4 sends RAKP 3 again: the same RAKP 4, the session kept */
	feed(V(rakp3), VS(rakp3));
	CHECK_EQ(nout, 1);
	CHECK_EQ(outlen[0], VS(rakp4));
	CHECK_MEM(out[0], V(rakp4), VS(rakp4));
	CHECK_EQ(ipmi_active_sessions(&m), 1);
	/* in-session Get Device ID, encrypted and authenticated */
	feed(V(devid_req), VS(devid_req));
	CHECK_EQ(nout, 1);
	CHECK_EQ(outlen[0], VS(devid_rsp));
	CHECK_MEM(out[0], V(devid_rsp), VS(devid_rsp));
	/* the same packet again is a replay: silently dropped */
	feed(V(devid_req), VS(devid_req));
	CHECK_EQ(nout, 0);
	/* a retransmission (new sequence number, same message): the same answer, re-sent */
	feed(V(devid_req_retry), VS(devid_req_retry));
	CHECK_EQ(nout, 1);
	CHECK_EQ(outlen[0], VS(devid_rsp_retry));
	CHECK_MEM(out[0], V(devid_rsp_retry), VS(devid_rsp_retry));
	/* a flipped MAC bit: dropped */
	feed(V(bad_mac), VS(bad_mac));
	CHECK_EQ(nout, 0);
	/* the session starts at USER level: power control needs Set Session Privilege first */
	struct tc_session k = { .auth = suite == 3 ? 1 : 3, .integ = suite == 3 ? 1 : 4, .conf = 1,
				.k1len = suite == 3 ? 20 : 32, .icv = suite == 3 ? 12 : 16,
				.con_sid = 0xA0A1A2A3 };
	memcpy(k.k1, V(k1), k.k1len);
	memcpy(k.k2, V(k2), 16);
	memcpy(&k.bmc_sid, V(open_rsp) + 16 + 8, 4);
	feed(V(power_off_req), VS(power_off_req));
	unsigned char r[512];
	CHECK_EQ(nout, 1);
	size_t n = nout ? unprotect(&k, out[0], outlen[0], r) : 0;
	CHECK(n >= 8);
	CHECK_EQ(r[6], CC_INSUFFICIENT_PRIV);
	CHECK_EQ(fhost.requests[HOST_OFF], 0);
	/* raise to ADMINISTRATOR, then power off works and names the user */
	seqno = 10;
	unsigned char rsp[64];
	size_t rl;
	uint8_t lvl = 4;
	CHECK_EQ(cmd(&k, NETFN_APP, 0x3B, &lvl, 1, rsp, &rl), 0);
	CHECK_EQ(rsp[0], 4);
	uint8_t off = 0;
	CHECK_EQ(cmd(&k, NETFN_CHASSIS, 0x02, &off, 1, rsp, &rl), 0);
	CHECK_EQ(fhost.requests[HOST_OFF], 1);
	CHECK_EQ(fhost.last_who.origin, ORIGIN_IPMI);
	CHECK(fhost.last_who.user && strcmp(fhost.last_who.user, "admin") == 0);
	/* Close Session: answered with the session's keys, then the session is gone */
	uint8_t sid[4];
	memcpy(sid, &k.bmc_sid, 4);
	CHECK_EQ(cmd(&k, NETFN_APP, 0x3C, sid, 4, rsp, &rl), 0);
	CHECK_EQ(ipmi_active_sessions(&m), 0);
	CHECK_EQ(cmd(&k, NETFN_APP, 0x01, NULL, 0, rsp, &rl), -1);
#undef V
#undef VS
}


static void privileges(void)
{
	struct tc_session k;
	uint8_t st, lvl;
	unsigned char rsp[64];
	size_t rl;
	setup(4);
	/* an operator asking for ADMINISTRATOR (name-only lookup) gets a session capped at
	 * OPERATOR; raising it to ADMINISTRATOR is refused with 0x81 */
	CHECK_EQ(login("op", "oppass", 0x14, &k, &st), 0);
	lvl = 4;
	CHECK_EQ(cmd(&k, NETFN_APP, 0x3B, &lvl, 1, rsp, &rl), 0x81);
	lvl = 3;
	CHECK_EQ(cmd(&k, NETFN_APP, 0x3B, &lvl, 1, rsp, &rl), 0);
	uint8_t on = 1;
	CHECK_EQ(cmd(&k, NETFN_CHASSIS, 0x02, &on, 1, rsp, &rl), 0);
	CHECK_EQ(fhost.requests[HOST_ON], 1);
	/* the diagnostic interrupt is not offered */
	uint8_t diag = 4;
	CHECK_EQ(cmd(&k, NETFN_CHASSIS, 0x02, &diag, 1, rsp, &rl), CC_INVALID_FIELD);
	/* a full action queue is "node busy" */
	fhost.refuse = -1;
	CHECK_EQ(cmd(&k, NETFN_CHASSIS, 0x02, &on, 1, rsp, &rl), CC_NODE_BUSY);
	fhost.refuse = 0;
	/* a USER account may read but not control */
	struct tc_session kv;
	CHECK_EQ(login("viewer", "viewpass", 0x12, &kv, &st), 0);
	CHECK_EQ(cmd(&kv, NETFN_CHASSIS, 0x01, NULL, 0, rsp, &rl), 0);
	uint8_t off = 0;
	CHECK_EQ(cmd(&kv, NETFN_CHASSIS, 0x02, &off, 1, rsp, &rl), CC_INSUFFICIENT_PRIV);
	lvl = 4;
	CHECK_EQ(cmd(&kv, NETFN_APP, 0x3B, &lvl, 1, rsp, &rl), 0x81);
	CHECK_EQ(cmd(&kv, NETFN_CHASSIS, 0x02, &off, 1, rsp, &rl), CC_INSUFFICIENT_PRIV);
	CHECK_EQ(fhost.requests[HOST_OFF], 0);
	/* username/privilege lookup (role bit 4 clear) for a level the user lacks: refused */
	CHECK_EQ(login("viewer", "viewpass", 0x04, &kv, &st), -1);
	CHECK_EQ(st, RMCPP_UNAUTH_NAME);
	/* unknown user and wrong password get their RMCP+ status codes */
	CHECK_EQ(login("nobody", "x", 0x14, &kv, &st), -1);
	CHECK_EQ(st, RMCPP_UNAUTH_NAME);
	CHECK_EQ(login("admin", "wrong", 0x14, &kv, &st), -1);
	CHECK_EQ(st, RMCPP_BAD_ICV);
	/* unknown command and short data */
	CHECK_EQ(cmd(&k, 0x2C, 0x3E, "\x00\x02", 2, rsp, &rl), CC_INVALID_CMD);
	CHECK_EQ(cmd(&k, NETFN_APP, 0x42, NULL, 0, rsp, &rl), CC_REQ_LEN);
	/* Get Session Info for this session reports the console's address */
	uint8_t idx = 0;
	CHECK_EQ(cmd(&k, NETFN_APP, 0x3D, &idx, 1, rsp, &rl), 0);
	CHECK_EQ(rl, 18);
	CHECK_EQ(rsp[4], 3);		/* operating privilege */
	CHECK_EQ(rsp[6], 127);		/* console IP */
	CHECK_EQ(rsp[16] | rsp[17] << 8, 40000); /* port, LS byte first */
	/* Add SEL Entry tells the host model's listeners (Redfish SSE) */
	uint8_t rec[16] = { 0, 0, 0x02, 0, 0, 0, 0, 0x41, 0, 0x04, 0x12, 0x01, 0x6F, 0x02, 0xFF, 0xFF };
	int changes = fhost.sel_changes;
	CHECK_EQ(cmd(&k, NETFN_STORAGE, 0x44, rec, 16, rsp, &rl), 0);
	CHECK_EQ(fhost.sel_changes, changes + 1);
	/* Get User Payload Access: SoL is not configured here, so nobody may activate it */
	uint8_t upa[2] = { 0x0E, 1 };
	CHECK_EQ(cmd(&k, NETFN_APP, 0x4D, upa, 2, rsp, &rl), 0);
	CHECK_EQ(rl, 4);
	CHECK_EQ(rsp[0], 0x00);
	upa[1] = 0; /* user ID 0 is reserved */
	CHECK_EQ(cmd(&k, NETFN_APP, 0x4D, upa, 2, rsp, &rl), CC_INVALID_FIELD);
	CHECK_EQ(cmd(&k, NETFN_APP, 0x4D, upa, 1, rsp, &rl), CC_REQ_LEN);
	upa[1] = 2;
	CHECK_EQ(cmd(&k, NETFN_APP, 0x4C, upa, 2, rsp, &rl), CC_INSUFFICIENT_PRIV); /* Set: admin */
	CHECK_EQ(login("viewer", "viewpass", 0x12, &kv, &st), 0);
	CHECK_EQ(cmd(&kv, NETFN_APP, 0x4D, upa, 2, rsp, &rl), CC_INSUFFICIENT_PRIV);
}

static void sessions_full(void)
{
	struct tc_session k[3];
	uint8_t st;
	setup(2);
	CHECK_EQ(login("admin", "secret", 0x14, &k[0], &st), 0);
	CHECK_EQ(login("admin", "secret", 0x14, &k[1], &st), 0);
	CHECK_EQ(login("admin", "secret", 0x14, &k[2], &st), -1);
	CHECK_EQ(st, RMCPP_NO_RESOURCES);
	/* idle sessions time out and free their slots */
	now += 61000;
	ipmi_tick(&m, now);
	CHECK_EQ(ipmi_active_sessions(&m), 0);
	CHECK_EQ(login("admin", "secret", 0x14, &k[2], &st), 0);
}

static void set_peer(uint32_t ip)
{
	((struct sockaddr_in *)&peer.sa)->sin_addr.s_addr = htonl(ip);
}

static void flood_and_throttle(void)
{
	struct tc_session k;
	uint8_t st;
	setup(4);
	m.cfg.per_source_max = 3;
	m.thr.cfg = (struct throttle_cfg){ 3, 12, 60000, 1000, 8000 };
	/* an attacker at .66 opens half-open sessions as fast as it likes */
	set_peer(0x7F000042);
	unsigned char p[48] = { 6, 0, 0xFF, 7, 6, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0,
				1, 0, 0, 0, 9, 9, 9, 9, 0, 0, 0, 8, 3, 0, 0, 0,
				1, 0, 0, 8, 4, 0, 0, 0, 2, 0, 0, 8, 1, 0, 0, 0 };
	for (int i = 0; i < 50; i++) {
		p[20] = (unsigned char)i; /* a new console session ID each time */
		feed(p, sizeof(p));
		CHECK(nout == 1 && out[0][17] == 0); /* it only ever replaces its own */
	}
	int held = 0;
	for (int i = 0; i < 4; i++)
		held += sess[i].state != SESS_FREE;
	CHECK_EQ(held, 3); /* per-source cap: one slot stays for everyone else */
	CHECK(m.st.evicted >= 47);
	/* the administrator elsewhere still gets in */
	set_peer(0x7F000001);
	CHECK_EQ(login("admin", "secret", 0x14, &k, &st), 0);
	/* the table is full now; a second newcomer evicts one of the attacker's half-open
	 * sessions, never the administrator's completed one */
	set_peer(0x7F000002);
	CHECK_EQ(login("op", "oppass", 0x14, &k, &st), 0);
	CHECK_EQ(ipmi_active_sessions(&m), 2);

	/* brute force from .66: three bad passwords, then it waits; .1 is unaffected */
	setup(4);
	m.thr.cfg = (struct throttle_cfg){ 3, 12, 60000, 1000, 8000 };
	set_peer(0x7F000042);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(login("admin", "guess", 0x14, &k, &st), -1);
		CHECK_EQ(st, RMCPP_BAD_ICV);
	}
	CHECK_EQ(login("admin", "secret", 0x14, &k, &st), -1); /* even the right one waits */
	CHECK_EQ(st, RMCPP_NO_RESOURCES);
	set_peer(0x7F000001);
	CHECK_EQ(login("admin", "secret", 0x14, &k, &st), 0);
	/* after the wait (1 s), one more failure doubles it */
	set_peer(0x7F000042);
	now += 1100;
	CHECK_EQ(login("admin", "guess", 0x14, &k, &st), -1);
	CHECK_EQ(st, RMCPP_BAD_ICV);
	now += 1100;
	CHECK_EQ(login("admin", "secret", 0x14, &k, &st), -1);
	CHECK_EQ(st, RMCPP_NO_RESOURCES);
	now += 1000;
	CHECK_EQ(login("admin", "secret", 0x14, &k, &st), 0); /* success clears the record */
	CHECK_EQ(login("admin", "guess", 0x14, &k, &st), -1);
	CHECK_EQ(st, RMCPP_BAD_ICV);
	/* unknown users count too, per name: "nobody" waits, admin does not */
	for (int i = 0; i < 3; i++)
		login("nobody", "x", 0x14, &k, &st);
	CHECK_EQ(login("nobody", "x", 0x14, &k, &st), -1);
	CHECK_EQ(st, RMCPP_NO_RESOURCES);
	CHECK_EQ(login("admin", "secret", 0x14, &k, &st), 0);

	/* a success for one user never clears another's failures (finding 3): two guesses at
	 * admin, a good login as op, repeated, and admin's third failure locks admin */
	setup(4);
	m.thr.cfg = (struct throttle_cfg){ 3, 12, 60000, 1000, 8000 };
	set_peer(0x7F000042);
	for (int round = 0; round < 2; round++) {
		CHECK_EQ(login("admin", "guess", 0x14, &k, &st), -1);
		CHECK_EQ(st, RMCPP_BAD_ICV);
		if (round == 0) {
			CHECK_EQ(login("admin", "guess", 0x14, &k, &st), -1);
			CHECK_EQ(st, RMCPP_BAD_ICV);
		}
		CHECK_EQ(login("op", "oppass", 0x14, &k, &st), 0);
	}
	CHECK_EQ(login("admin", "secret", 0x14, &k, &st), -1);
	CHECK_EQ(st, RMCPP_NO_RESOURCES);
	/* the address as a whole: 12 failures over many names lock every name */
	setup(4);
	m.thr.cfg = (struct throttle_cfg){ 3, 12, 60000, 1000, 8000 };
	set_peer(0x7F000043);
	char name[16];
	for (int i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		login(name, "x", 0x14, &k, &st);
	}
	CHECK_EQ(login("admin", "secret", 0x14, &k, &st), -1);
	CHECK_EQ(st, RMCPP_NO_RESOURCES);
	set_peer(0x7F000001);
}

/* Engines given one shared table (the daemon's endpoints) count failures together; an engine
 * without one keeps its own. */
static void shared_throttle(void)
{
	struct tc_session k;
	uint8_t st;
	static struct throttle_ent tab[8];
	struct throttle t;
	const struct throttle_cfg tc = { 3, 12, 60000, 1000, 8000 };
	throttle_init(&t, &tc, tab, 8);
	setup(4);
	m.cfg.shared_throttle = &t;
	set_peer(0x7F000042);
	for (int i = 0; i < 2; i++) {
		CHECK_EQ(login("admin", "guess", 0x14, &k, &st), -1);
		CHECK_EQ(st, RMCPP_BAD_ICV);
	}
	setup(4); /* another endpoint: its third failure locks the name out there */
	m.cfg.shared_throttle = &t;
	set_peer(0x7F000042);
	CHECK_EQ(login("admin", "guess", 0x14, &k, &st), -1);
	CHECK_EQ(st, RMCPP_BAD_ICV);
	CHECK_EQ(login("admin", "secret", 0x14, &k, &st), -1);
	CHECK_EQ(st, RMCPP_NO_RESOURCES);
	setup(4); /* an engine of its own knows nothing of those */
	m.thr.cfg = tc;
	set_peer(0x7F000042);
	CHECK_EQ(login("admin", "secret", 0x14, &k, &st), 0);
}

/* A host's allow-list (cfg.user_allowed): anyone else is an unknown name there, counted as a
 * failure, and loses a session at the next users reload. */
static bool only_admin;
static bool allow_cb(void *ctx, const char *name, size_t len)
{
	(void)ctx;
	return !only_admin || (len == 5 && !memcmp(name, "admin", 5));
}

static void user_allow_list(void)
{
	struct tc_session k;
	uint8_t st, st_unknown;
	setup(4);
	m.thr.cfg = (struct throttle_cfg){ 3, 12, 60000, 1000, 8000 };
	m.cfg.user_allowed = allow_cb;
	only_admin = false;
	CHECK_EQ(login("op", "oppass", 0x14, &k, &st), 0);
	CHECK_EQ(ipmi_active_sessions(&m), 1);
	only_admin = true;
	ipmi_users_changed(&m); /* op's session ends as a removed user's would */
	CHECK_EQ(ipmi_active_sessions(&m), 0);
	CHECK_EQ(login("nobody", "x", 0x14, &k, &st_unknown), -1);
	CHECK_EQ(st_unknown, RMCPP_UNAUTH_NAME);
	uint64_t failed = m.st.logins_failed;
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(login("op", "oppass", 0x14, &k, &st), -1);
		CHECK_EQ(st, st_unknown);
	}
	CHECK_EQ(m.st.logins_failed, failed + 3);
	CHECK_EQ(login("op", "oppass", 0x14, &k, &st), -1); /* throttled like any name */
	CHECK_EQ(st, RMCPP_NO_RESOURCES);
	CHECK_EQ(login("admin", "secret", 0x14, &k, &st), 0);
	only_admin = false;
}

/* Accounts below ADMINISTRATOR cannot fill the table (issue 12, finding 6): a per-account
 * cap and a reserve for administrators, refused at RAKP 1 with status 0x01 and not
 * counted as failed logins. */
static void session_caps(void)
{
	struct tc_session k;
	uint8_t st;
	setup(4);
	m.cfg.per_user_max = 2;
	m.cfg.admin_reserve = 1;
	for (int i = 0; i < 2; i++)
		CHECK_EQ(login("viewer", "viewpass", 0x14, &k, &st), 0);
	uint64_t failed = m.st.logins_failed;
	CHECK_EQ(login("viewer", "viewpass", 0x14, &k, &st), -1); /* its own cap */
	CHECK_EQ(st, RMCPP_NO_RESOURCES);
	CHECK_EQ(login("op", "oppass", 0x14, &k, &st), 0);
	CHECK_EQ(login("op", "oppass", 0x14, &k, &st), -1); /* the last one is the reserve */
	CHECK_EQ(st, RMCPP_NO_RESOURCES);
	CHECK_EQ(m.st.logins_failed, failed);
	CHECK_EQ(login("admin", "secret", 0x14, &k, &st), 0);
	CHECK_EQ(ipmi_active_sessions(&m), 4);

	/* handshakes in progress (RAKP 1 needs no password) use up nothing: three RAKP 1s
	 * naming "viewer" left hanging do not stop viewer's real login */
	setup(4);
	m.cfg.per_user_max = 1;
	m.cfg.admin_reserve = 0;
	for (int i = 0; i < 3; i++) {
		unsigned char p[64] = { 6, 0, 0xFF, 7, 6, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0,
					1, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 8, 3, 0, 0, 0,
					1, 0, 0, 8, 4, 0, 0, 0, 2, 0, 0, 8, 1, 0, 0, 0 };
		p[20] = (unsigned char)(0x10 + i);
		feed(p, 48);
		CHECK(nout == 1 && out[0][17] == 0);
		unsigned char r1[16 + 34] = { 6, 0, 0xFF, 7, 6, 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 34, 0 };
		memcpy(r1 + 20, out[0] + 16 + 8, 4); /* the BMC's session ID */
		r1[16 + 24] = 0x14;
		r1[16 + 27] = 6;
		memcpy(r1 + 16 + 28, "viewer", 6);
		feed(r1, sizeof(r1));
		CHECK(nout == 1 && out[0][17] == 0);
	}
	CHECK_EQ(login("viewer", "viewpass", 0x14, &k, &st), 0);
	CHECK_EQ(login("viewer", "viewpass", 0x14, &k, &st), -1);
	CHECK_EQ(st, RMCPP_NO_RESOURCES);
}

static void open_session_errors(void)
{
	setup(4);
	/* cipher suite 0: no authentication algorithm -> refused, 8-byte error reply */
	unsigned char p[48] = { 6, 0, 0xFF, 7, 6, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0,
				5, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 8, 0, 0, 0, 0,
				1, 0, 0, 8, 0, 0, 0, 0, 2, 0, 0, 8, 0, 0, 0, 0 };
	feed(p, sizeof(p));
	CHECK_EQ(nout, 1);
	CHECK_EQ(out[0][5], 0x11);
	CHECK_EQ(out[0][16], 5);
	CHECK_EQ(out[0][17], RMCPP_BAD_AUTH_ALG);
	CHECK(outlen[0] >= 16 + 8);
	CHECK_EQ(ipmi_active_sessions(&m), 0);
	/* suite 2 (SHA1, SHA1-96, no encryption) is not enabled here */
	p[28] = 1;
	p[36] = 1;
	feed(p, sizeof(p));
	CHECK_EQ(out[0][17], RMCPP_NO_SUITE_MATCH);
}

static void presession(void)
{
	setup(4);
	/* Get Channel Authentication Capabilities in IPMI 1.5 format, v2 data requested */
	unsigned char msg[16], p[64];
	size_t ml = mkmsg(msg, NETFN_APP, 0x38, 0, "\x8e\x04", 2);
	const unsigned char h15[14] = { 6, 0, 0xFF, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	memcpy(p, h15, 13);
	p[13] = (unsigned char)ml;
	memcpy(p + 14, msg, ml);
	feed(p, 14 + ml);
	CHECK_EQ(nout, 1);
	CHECK_EQ(out[0][4], 0x00); /* answered in the 1.5 format */
	CHECK_EQ(out[0][13], 7 + 9);
	const unsigned char want[9] = { 0x00, 0x01, 0x80, 0x04, 0x02, 0, 0, 0, 0 };
	CHECK_MEM(out[0] + 14 + 6, want, 9);
	/* Get Channel Cipher Suites in RMCP+ format on session 0 */
	ml = mkmsg(msg, NETFN_APP, 0x54, 1, "\x0e\x00\x80", 3);
	const unsigned char h20[16] = { 6, 0, 0xFF, 7, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	memcpy(p, h20, 16);
	p[14] = (unsigned char)ml;
	memcpy(p + 16, msg, ml);
	feed(p, 16 + ml);
	CHECK_EQ(nout, 1);
	const unsigned char suites[12] = { 0x00, 0x01, 0xC0, 0x03, 0x01, 0x41, 0x81,
					   0xC0, 0x11, 0x03, 0x44, 0x81 };
	CHECK_EQ(out[0][14], 7 + 12);
	CHECK_MEM(out[0] + 16 + 6, suites, 12);
	/* commands that need a session are refused outside one */
	ml = mkmsg(msg, NETFN_CHASSIS, 0x02, 2, "\x01", 1);
	memcpy(p + 16, msg, ml);
	p[14] = (unsigned char)ml;
	feed(p, 16 + ml);
	CHECK_EQ(nout, 1);
	CHECK_EQ(out[0][16 + 6], CC_INSUFFICIENT_PRIV);
	CHECK_EQ(fhost.requests[HOST_ON], 0);
	/* ASF presence ping -> pong */
	const unsigned char ping[12] = { 6, 0, 0xFF, 6, 0, 0, 0x11, 0xBE, 0x80, 0x42, 0, 0 };
	feed(ping, sizeof(ping));
	CHECK_EQ(nout, 1);
	CHECK_EQ(outlen[0], 28);
	CHECK_EQ(out[0][8], 0x40);
	CHECK_EQ(out[0][9], 0x42);
	CHECK_EQ(out[0][20], 0x81);
}

static void sequence_window(void)
{
	struct tc_session k;
	uint8_t st;
	unsigned char rsp[64];
	size_t rl;
	setup(4);
	CHECK_EQ(login("admin", "secret", 0x14, &k, &st), 0);
	seqno = 100;
	CHECK_EQ(cmd(&k, NETFN_APP, 0x01, NULL, 0, rsp, &rl), 0); /* 100: sets the base */
	seqno = 68;
	CHECK_EQ(cmd(&k, NETFN_APP, 0x04, NULL, 0, rsp, &rl), -1); /* 32 behind: too old */
	seqno = 70;
	CHECK_EQ(cmd(&k, NETFN_APP, 0x04, NULL, 0, rsp, &rl), 0); /* 30 behind, unseen */
	seqno = 70;
	CHECK_EQ(cmd(&k, NETFN_APP, 0x07, NULL, 0, rsp, &rl), -1); /* seen: replay */
	seqno = 100;
	CHECK_EQ(cmd(&k, NETFN_APP, 0x07, NULL, 0, rsp, &rl), -1); /* seen: replay */
	seqno = 150;
	CHECK_EQ(cmd(&k, NETFN_APP, 0x07, NULL, 0, rsp, &rl), 0); /* ahead: fine */
	seqno = 0;
	CHECK_EQ(cmd(&k, NETFN_APP, 0x07, NULL, 0, rsp, &rl), -1); /* 0 is never valid */
}

static void truncations(void)
{
	/* every prefix of every handshake and session packet: no crash, no reply to garbage */
	setup(4);
	const struct { const unsigned char *p; size_t n; } pk[] = {
		{ s17_open_req, sizeof(s17_open_req) }, { s17_rakp1, sizeof(s17_rakp1) },
		{ s17_rakp3, sizeof(s17_rakp3) }, { s17_devid_req, sizeof(s17_devid_req) },
	};
	int replies = 0;
	uint64_t dropped = m.st.dropped;
	size_t fed = 0;
	for (size_t i = 0; i < sizeof(pk) / sizeof(pk[0]); i++) {
		for (size_t n = 0; n < pk[i].n; n++) {
			unsigned char *copy = malloc(n ? n : 1); /* exact size: ASan sees overreads */
			memcpy(copy, pk[i].p, n);
			feed(copy, n);
			free(copy);
			replies += nout;
			fed++;
		}
	}
	CHECK_EQ(replies, 0);
	CHECK_EQ(m.st.dropped - dropped, fed); /* each one counted as dropped */
	CHECK_EQ(ipmi_active_sessions(&m), 0);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(sess[i].state, SESS_FREE);
	/* random bytes after a valid RMCP header (this seed gives no valid checksum, no known
	 * session, no well-formed handshake): every datagram dropped and counted, none answered,
	 * no session comes of it */
	unsigned int x = 12345;
	dropped = m.st.dropped;
	replies = 0;
	for (int r = 0; r < 20000; r++) {
		unsigned char b[96];
		size_t n = 4 + (x % 90);
		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245 + 12345;
			b[i] = (unsigned char)(x >> 16);
		}
		b[0] = 6;
		b[3] = 7;
		b[4] = (x & 1) ? 6 : 0;
		feed(b, n);
		replies += nout;
	}
	CHECK_EQ(replies, 0);
	CHECK_EQ(m.st.dropped - dropped, 20000);
	CHECK_EQ(m.st.sessions_opened, 0);
	CHECK_EQ(ipmi_active_sessions(&m), 0);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(sess[i].state, SESS_FREE);
}

int main(void)
{
	kat(3);
	kat(17);
	privileges();
	sessions_full();
	open_session_errors();
	flood_and_throttle();
	shared_throttle();
	user_allow_list();
	session_caps();
	presession();
	sequence_window();
	truncations();
	return t_done("test_ipmi");
}
