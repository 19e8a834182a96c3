/*
 * Table-driven tests of the IPMI command handlers: each row is a request (netfn, command,
 * data) sent inside a real RMCP+ session (suite 17, so the dispatcher's privilege and
 * minimum-length checks run too) and the whole response expected back, completion code
 * first. ".." in an expected response matches any byte (reservation IDs, session IDs).
 * Rows run in order and may depend on the ones before them (Set then Get).
 */
#include <bearssl.h>

#include "../../proto/fru.h"
#include "../../proto/ipmi.h"
#include "../../proto/ipmi_cmds.h"
#include "../../proto/sdr.h"
#include "../../proto/sol.h"
#include "fake_host.h"
#include "testlib.h"

static unsigned char out[4][IPMI_PKT_MAX];
static size_t outlen[4];
static int nout;

static void capture(void *ctx, const struct peer *to, const uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)to;
	if (nout < 4) {
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
static struct sdr_repo sdr;
static uint8_t fru[FRU_MAX];
static struct sol sol;
static struct ring ring;
static uint8_t ringbuf[4096];
static int bmc_temp_c = 45;
static bool bmc_temp_ok = true;

static const uint8_t guid[16] = { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
				  0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F };

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

static bool temp_cb(void *ctx, int *c)
{
	(void)ctx;
	*c = bmc_temp_c;
	return bmc_temp_ok;
}

static void lan_cb(void *ctx, const struct peer *via, struct lan_info *li)
{
	(void)ctx;
	(void)via;
	static const struct lan_info fixed = {
		{ 192, 168, 1, 50 }, { 255, 255, 255, 0 }, { 192, 168, 1, 1 },
		{ 0x02, 0x00, 0x00, 0xAA, 0xBB, 0xCC }, { 0x02, 0x00, 0x00, 0x11, 0x22, 0x33 }, 2,
	};
	*li = fixed;
}

static size_t pwrite_(void *ctx, const uint8_t *p, size_t n)
{
	(void)ctx;
	(void)p;
	return n;
}

static void feed(const unsigned char *p, size_t n)
{
	nout = 0;
	ipmi_input(&m, p, n, &peer, now);
}

static void setup(void)
{
	memset(&users, 0, sizeof(users));
	users.u = user_tab;
	users.max = 4;
	add_user("admin", "secret", PRIV_ADMIN);
	add_user("op", "oppass", PRIV_OPERATOR);
	add_user("viewer", "viewpass", PRIV_USER);
	users_prepare(&users);
	fake_host_init(&fhost);
	fhost.st.on = true;
	fhost.st.policy = 2;
	fhost.st.last_event = 0x10;
	fhost.st.restart_cause = 0x01;
	fhost.st.poh_minutes = 0x01020304;
	struct ipmi_cfg cfg = {
		.max_sessions = 4,
		.session_timeout_ms = 60000,
		.handshake_timeout_ms = 5000,
		.suites = { 3, 17 },
		.nsuites = 2,
		.manufacturer = 0x0ABCDE,
		.product = 0x1234,
		.fw_major = 0,
		.fw_minor = 1,
		.channel = 1,
		.send = capture,
		.sdr = &sdr,
		.fru = fru,
		.lan_info = lan_cb,
		.bmc_temp = temp_cb,
		.temp_thresholds = { 70, 80, 90 },
	};
	memcpy(cfg.guid, guid, 16);
	memset(sess, 0, sizeof(sess));
	struct sdr_config sc = { true, true, true, 70, 80, 90, "bmcd", 0xBF };
	sdr_build(&sdr, &sc, 1700000000);
	struct fru_info fi = { .chassis_type = 0x17, .board_mfr = "Acme", .product_name = "Box" };
	cfg.fru_len = fru_build(&fi, fru, sizeof(fru));
	static const uint8_t seed[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
					  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
	ipmi_init(&m, &cfg, sess, &users, &fhost, seed, sizeof(seed));
	ring_init(&ring, ringbuf, sizeof(ringbuf));
	struct sol_port port = { pwrite_, NULL, NULL, NULL, NULL };
	struct sol_cfg solc;
	sol_cfg_defaults(&solc, true, 623);
	sol_init(&sol, &m, &ring, &port, &solc);
	memset(&peer, 0, sizeof(peer));
	struct sockaddr_in *a = (struct sockaddr_in *)&peer.sa;
	a->sin_family = AF_INET;
	a->sin_port = htons(40000);
	a->sin_addr.s_addr = htonl(0x7F000001);
	peer.len = sizeof(*a);
}

#include "rmcp_client.h"

static uint32_t seqno = 10;
static uint8_t rqseq;

/* Sends a request in the session k; returns the response (completion code first) length,
 * or -1 when nothing came back. */
static int call(const struct tc_session *k, uint8_t netfn, uint8_t c, const uint8_t *data, size_t dl,
		unsigned char *rsp)
{
	unsigned char msg[300], pkt[IPMI_PKT_MAX], r[512];
	rqseq = (uint8_t)((rqseq + 1) & 0x3F);
	size_t ml = mkmsg(msg, netfn, c, rqseq, data, dl);
	size_t pl = protect(k, seqno++, msg, ml, pkt);
	feed(pkt, pl);
	/* the response, among SoL packets the command may have caused (to other sessions) */
	for (int i = 0; i < nout; i++) {
		if ((out[i][5] & 0x3F) != 0)
			continue;
		size_t n = unprotect(k, out[i], outlen[i], r);
		if (n < 8)
			continue;
		memcpy(rsp, r + 6, n - 7);
		return (int)(n - 7);
	}
	return -1;
}

/* "c7", "00 01 ..": hex bytes; ".." matches anything. Returns the length. */
static size_t pattern(const char *s, uint8_t *b, bool *any, size_t cap)
{
	size_t n = 0;
	while (*s && n < cap) {
		if (*s == ' ') {
			s++;
			continue;
		}
		if (s[0] == '.' && s[1] == '.') {
			any[n] = true;
			b[n++] = 0;
		} else {
			any[n] = false;
			unhex((char[3]){ s[0], s[1], 0 }, &b[n++], 1);
		}
		s += 2;
	}
	return n;
}

enum who { ADMIN, VIEWER };

struct row {
	const char *name;
	uint8_t netfn, cmd;
	const char *req;	/* request data, hex */
	const char *rsp;	/* the whole response, completion code first */
	enum who who;		/* whose session sends it */
	void (*before)(void);	/* state the row needs, or NULL */
};

static struct tc_session k_admin, k_viewer;
static int rows_of[256][256]; /* rows per (netfn, cmd) */

static void run(const struct row *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t req[64], want[300], rsp[300];
		bool any[300], dummy[64];
		size_t rl = pattern(t[i].req, req, dummy, sizeof(req));
		if (t[i].before)
			t[i].before();
		int got = call(t[i].who == VIEWER ? &k_viewer : &k_admin, t[i].netfn, t[i].cmd,
			       req, rl, rsp);
		rows_of[t[i].netfn][t[i].cmd]++;
		if (!t[i].rsp) { /* a new row: shows what to expect, and fails until it says so */
			t_fail++;
			printf("FAIL row \"%s\" has no expected response\n", t[i].name);
			hexdump("got", rsp, got > 0 ? (size_t)got : 0);
			continue;
		}
		size_t wl = pattern(t[i].rsp, want, any, sizeof(want));
		bool ok = got == (int)wl;
		for (size_t j = 0; ok && j < wl; j++)
			ok = any[j] || rsp[j] == want[j];
		if (ok) {
			t_pass++;
		} else {
			t_fail++;
			printf("FAIL row \"%s\" (netfn %02x cmd %02x, request %s)\n", t[i].name,
			       t[i].netfn, t[i].cmd, t[i].req);
			printf("  want  %s\n", t[i].rsp);
			hexdump("got", rsp, got > 0 ? (size_t)got : 0);
		}
	}
}

/* --- state for some rows ------------------------------------------------------------------ */

static void host_away(void) { fhost.st.available = false; }
static void host_back(void) { fhost.st.available = true; }
static void host_busy(void) { fhost.refuse = -1; }
static void host_fails(void) { fhost.refuse = -2; }
static void host_ok(void) { fhost.refuse = 0; }
static void host_off(void) { fhost.st.on = false; }
static void host_hdd(void) { fhost.st.hdd = true; }
static void temp_gone(void) { bmc_temp_ok = false; }
static void temp_hot(void) { bmc_temp_ok = true; bmc_temp_c = 85; }
static void temp_extreme(void) { bmc_temp_c = -300; }
static void sdr_res(void) { m.sdr_reservation = 0x1234; }
static void sel_res(void) { fhost.sel.reservation = 0x4321; }
static void no_fru(void) { m.cfg.fru_len = 0; }
static void sol_plain(void) { sol.p.auth = PRIV_USER; }

/* --- the rows ------------------------------------------------------------------------------ */

#define C NETFN_CHASSIS
#define S NETFN_SENSOR
#define A NETFN_APP
#define ST NETFN_STORAGE
#define T NETFN_TRANSPORT

static const struct row chassis_rows[] = {
	{ "Get Chassis Capabilities", C, 0x00, "", "00 00 20 20 20 20" },
	{ "Get Chassis Capabilities, extra byte", C, 0x00, "00", "00 00 20 20 20 20" },
	{ "Get Chassis Status", C, 0x01, "", "00 41 10 40" },
	{ "Get Chassis Status, extra byte", C, 0x01, "00", "00 41 10 40" },
	{ "Get Chassis Status, backend away", C, 0x01, "", "c0", ADMIN, host_away },
	{ "Get Chassis Status, backend back", C, 0x01, "", "00 41 10 40", ADMIN, host_back },
	{ "Chassis Control: power off", C, 0x02, "00", "00" },
	{ "Chassis Control: power on", C, 0x02, "01", "00" },
	{ "Chassis Control: cycle", C, 0x02, "02", "00" },
	{ "Chassis Control: reset", C, 0x02, "03", "00" },
	{ "Chassis Control: diag interrupt", C, 0x02, "04", "cc" },
	{ "Chassis Control: soft off", C, 0x02, "05", "00" },
	{ "Chassis Control: 06", C, 0x02, "06", "cc" },
	{ "Chassis Control: high nibble ignored", C, 0x02, "f1", "00" },
	{ "Chassis Control: too short", C, 0x02, "", "c7" },
	{ "Chassis Control: extra byte", C, 0x02, "01 00", "00" },
	{ "Chassis Control: queue full", C, 0x02, "01", "c0", ADMIN, host_busy },
	{ "Chassis Control: unavailable", C, 0x02, "01", "c0", ADMIN, host_fails },
	{ "Chassis Control: viewer", C, 0x02, "01", "d4", VIEWER, host_ok },
	{ "Chassis Identify: default", C, 0x04, "", "00" },
	{ "Chassis Identify: 10 s", C, 0x04, "0a", "00" },
	{ "Chassis Identify: force", C, 0x04, "00 01", "00" },
	{ "Chassis Identify: extra byte", C, 0x04, "00 01 00", "00" },
	{ "Get Chassis Status: identify on", C, 0x01, "", "00 41 10 60" },
	{ "Set Power Restore Policy: always on", C, 0x06, "02", "00 07" },
	{ "Set Power Restore Policy: no change", C, 0x06, "03", "00 07" },
	{ "Set Power Restore Policy: 04", C, 0x06, "04", "cc" },
	{ "Set Power Restore Policy: too short", C, 0x06, "", "c7" },
	{ "Set Power Restore Policy: extra byte", C, 0x06, "00 00", "00 07" },
	{ "Get System Restart Cause", C, 0x07, "", "00 01 01" },
	{ "Get System Restart Cause, extra byte", C, 0x07, "00", "00 01 01" },
	{ "Get POH Counter", C, 0x0F, "", "00 01 04 03 02 01" },
	{ "Get POH Counter, extra byte", C, 0x0F, "00", "00 01 04 03 02 01" },
};

static const struct row boot_rows[] = {
	{ "Get Boot Options: 0 set in progress", C, 0x09, "00 00 00", "00 01 00 00" },
	{ "Get Boot Options: 5 flags, none", C, 0x09, "05 00 00", "00 01 05 00 00 00 00 00" },
	{ "Set Boot Options: 5 PXE once, EFI", C, 0x08, "05 a0 04 00 00 00", "00" },
	{ "Get Boot Options: 5 flags, PXE", C, 0x09, "05 00 00", "00 01 05 a0 04 00 00 00" },
	{ "Set Boot Options: 5 CD persistent", C, 0x08, "05 c0 14 00 00 00", "00" },
	{ "Get Boot Options: 5 flags, CD", C, 0x09, "05 00 00", "00 01 05 c0 14 00 00 00" },
	{ "Set Boot Options: 5 BIOS, extras", C, 0x08, "85 80 d9 12 34 56", "00" },
	{ "Get Boot Options: 5 BIOS, extras", C, 0x09, "05 00 00", "00 01 05 80 d9 12 34 56" },
	{ "Set Boot Options: 5 device 0xA", C, 0x08, "05 80 28 00 00 00", "cc" },
	{ "Set Boot Options: 5 device 0xC", C, 0x08, "05 80 30 00 00 00", "cc" },
	{ "Set Boot Options: 5 disable", C, 0x08, "05 00 00 00 00 00", "00" },
	{ "Get Boot Options: 5 disabled", C, 0x09, "05 00 00", "00 01 05 00 00 00 00 00" },
	{ "Set Boot Options: 5 too short", C, 0x08, "05 80 04 00 00", "c7" },
	{ "Set Boot Options: 5 extra byte", C, 0x08, "05 80 04 00 00 00 00", "00" },
	{ "Set Boot Options: 0 in progress", C, 0x08, "00 01", "00" },
	{ "Set Boot Options: 0 in progress again", C, 0x08, "00 01", "81" },
	{ "Get Boot Options: 0 in progress", C, 0x09, "00 00 00", "00 01 00 01" },
	{ "Set Boot Options: 0 commit write", C, 0x08, "00 02", "00" },
	{ "Set Boot Options: 0 complete", C, 0x08, "00 00", "00" },
	{ "Set Boot Options: 0 too short", C, 0x08, "00", "c7" },
	{ "Set Boot Options: 1 service partition", C, 0x08, "01 aa", "00" },
	{ "Get Boot Options: 1", C, 0x09, "01 00 00", "00 01 01 aa" },
	{ "Set Boot Options: 2 scan", C, 0x08, "02 03", "00" },
	{ "Get Boot Options: 2", C, 0x09, "02 00 00", "00 01 02 03" },
	{ "Set Boot Options: 3 valid bit clearing", C, 0x08, "03 ff", "00" },
	{ "Get Boot Options: 3", C, 0x09, "03 00 00", "00 01 03 1f" },
	{ "Set Boot Options: 4 ack", C, 0x08, "04 03 01", "00" },
	{ "Get Boot Options: 4", C, 0x09, "04 00 00", "00 01 04 00 01" },
	{ "Set Boot Options: 4 too short", C, 0x08, "04 03", "c7" },
	{ "Set Boot Options: 6 initiator", C, 0x08, "06 01 02 03 04 05 06 07 08 09", "00" },
	{ "Get Boot Options: 6", C, 0x09, "06 00 00", "00 01 06 01 02 03 04 05 06 07 08 09" },
	{ "Set Boot Options: 6 too short", C, 0x08, "06 01 02 03 04 05 06 07 08", "c7" },
	{ "Set Boot Options: 7 unsupported", C, 0x08, "07 00", "80" },
	{ "Set Boot Options: too short", C, 0x08, "", "c7" },
	{ "Get Boot Options: 7 unsupported", C, 0x09, "07 00 00", "80" },
	{ "Get Boot Options: 0x65 unsupported", C, 0x09, "65 00 00", "80" },
	{ "Get Boot Options: too short", C, 0x09, "05 00", "c7" },
	{ "Get Boot Options: empty", C, 0x09, "", "c7" },
	{ "Get Boot Options: extra byte", C, 0x09, "03 00 00 00", "00 01 03 1f" },
	{ "Set Boot Options: viewer", C, 0x08, "03 00", "d4", VIEWER },
};

static const struct row sensor_rows[] = {
	{ "Get Sensor Reading: host power on", S, 0x2D, "01", "00 00 40 01 80" },
	{ "Get Sensor Reading: HDD idle", S, 0x2D, "02", "00 00 40 01 80" },
	{ "Get Sensor Reading: BMC temperature", S, 0x2D, "03", "00 2d 40 00" },
	{ "Get Sensor Reading: event-only sensor", S, 0x2D, "04", "cb" },
	{ "Get Sensor Reading: no such sensor", S, 0x2D, "20", "cb" },
	{ "Get Sensor Reading: too short", S, 0x2D, "", "c7" },
	{ "Get Sensor Reading: extra byte", S, 0x2D, "01 00", "00 00 40 01 80" },
	{ "Get Sensor Reading: host power off", S, 0x2D, "01", "00 00 40 20 80", ADMIN, host_off },
	{ "Get Sensor Reading: HDD active", S, 0x2D, "02", "00 00 40 02 80", ADMIN, host_hdd },
	{ "Get Sensor Reading: temperature hot", S, 0x2D, "03", "00 55 40 18", ADMIN, temp_hot },
	{ "Get Sensor Reading: temperature clamped", S, 0x2D, "03",
	  "00 80 40 00", ADMIN, temp_extreme },
	{ "Get Sensor Reading: no temperature", S, 0x2D, "03", "00 80 60 00", ADMIN, temp_gone },
	{ "Get Sensor Thresholds: temperature", S, 0x27, "03", "00 38 00 00 00 46 50 5a" },
	{ "Get Sensor Thresholds: discrete", S, 0x27, "01", "cb" },
	{ "Get Sensor Thresholds: too short", S, 0x27, "", "c7" },
	{ "Get Sensor Hysteresis: temperature", S, 0x25, "03 ff", "00 02 02" },
	{ "Get Sensor Hysteresis: one byte", S, 0x25, "03", "00 02 02" },
	{ "Get Sensor Hysteresis: discrete", S, 0x25, "02 ff", "cb" },
	{ "Get Sensor Hysteresis: too short", S, 0x25, "", "c7" },
	{ "Get Sensor Event Enable: power", S, 0x29, "01", "00 40 00 00 00 00" },
	{ "Get Sensor Event Enable: event-only", S, 0x29, "05", "00 40 00 00 00 00" },
	{ "Get Sensor Event Enable: none", S, 0x29, "20", "cb" },
	{ "Get Sensor Event Enable: too short", S, 0x29, "", "c7" },
};

static const struct row app_rows[] = {
	{ "Get Self Test Results", A, 0x04, "", "00 55 00" },
	{ "Get Self Test Results, extra byte", A, 0x04, "00", "00 55 00" },
	{ "Get ACPI Power State", A, 0x07, "", "00 05 03" },
	{ "Get ACPI Power State, extra byte", A, 0x07, "00", "00 05 03" },
	{ "Get Device GUID", A, 0x08, "", "00 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f" },
	{ "Get Device GUID, extra byte", A, 0x08, "00",
	  "00 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f" },
	{ "Get System GUID", A, 0x37, "", "00 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f" },
	{ "Get System GUID, extra byte", A, 0x37, "00",
	  "00 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f" },
	{ "Get Channel Auth Cap: v2", A, 0x38, "8e 04", "00 01 80 04 02 00 00 00 00" },
	{ "Get Channel Auth Cap: v1.5", A, 0x38, "01 02", "00 01 00 04 00 00 00 00 00" },
	{ "Get Channel Auth Cap: other channel", A, 0x38, "85 04", "cc" },
	{ "Get Channel Auth Cap: privilege 0", A, 0x38, "8e 00", "cc" },
	{ "Get Channel Auth Cap: privilege 5", A, 0x38, "8e 05", "cc" },
	{ "Get Channel Auth Cap: too short", A, 0x38, "8e", "c7" },
	{ "Get Channel Auth Cap: extra byte", A, 0x38, "8e 04 00", "00 01 80 04 02 00 00 00 00" },
	{ "Get Cipher Suites: by suite", A, 0x54, "0e 00 80",
	  "00 01 c0 03 01 41 81 c0 11 03 44 81" },
	{ "Get Cipher Suites: algorithms", A, 0x54, "01 00 00", "00 01 01 41 81 03 44" },
	{ "Get Cipher Suites: index 1", A, 0x54, "0e 00 81", "00 01" },
	{ "Get Cipher Suites: payload SoL", A, 0x54, "0e 01 80", "00 01" },
	{ "Get Cipher Suites: other channel", A, 0x54, "02 00 80", "cc" },
	{ "Get Cipher Suites: too short", A, 0x54, "0e 00", "c7" },
	{ "Get Cipher Suites: extra byte", A, 0x54, "0e 00 80 00",
	  "00 01 c0 03 01 41 81 c0 11 03 44 81" },
	{ "Get Channel Info", A, 0x42, "0e", "00 01 04 01 82 f2 1b 00 00 00" },
	{ "Get Channel Info: channel 1", A, 0x42, "01", "00 01 04 01 82 f2 1b 00 00 00" },
	{ "Get Channel Info: other channel", A, 0x42, "07", "cc" },
	{ "Get Channel Info: too short", A, 0x42, "", "c7" },
	{ "Get Channel Access: volatile", A, 0x41, "0e 80", "00 22 04" },
	{ "Get Channel Access: non-volatile", A, 0x41, "0e 40", "00 22 04" },
	{ "Get Channel Access: 00", A, 0x41, "0e 00", "cc" },
	{ "Get Channel Access: other channel", A, 0x41, "03 80", "cc" },
	{ "Get Channel Access: too short", A, 0x41, "0e", "c7" },
	{ "Get User Access: admin", A, 0x44, "0e 01", "00 04 43 03 14" },
	{ "Get User Access: viewer", A, 0x44, "01 03", "00 04 43 03 12" },
	{ "Get User Access: unused ID", A, 0x44, "0e 04", "00 04 83 03 0f" },
	{ "Get User Access: ID 0", A, 0x44, "0e 00", "cc" },
	{ "Get User Access: ID 5", A, 0x44, "0e 05", "cc" },
	{ "Get User Access: other channel", A, 0x44, "03 01", "cc" },
	{ "Get User Access: too short", A, 0x44, "0e", "c7" },
	{ "Get User Access: viewer session", A, 0x44, "0e 01", "d4", VIEWER },
	{ "Get User Name: 1", A, 0x46, "01", "00 61 64 6d 69 6e 00 00 00 00 00 00 00 00 00 00 00" },
	{ "Get User Name: unused 4", A, 0x46, "04",
	  "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" },
	{ "Get User Name: 0", A, 0x46, "00", "cc" },
	{ "Get User Name: 5", A, 0x46, "05", "cc" },
	{ "Get User Name: too short", A, 0x46, "", "c7" },
	{ "Set Channel Access", A, 0x40, "0e 00 00", "d5" },
	{ "Set User Access", A, 0x43, "", "d5" },
	{ "Set User Name", A, 0x45, "02 41", "d5" },
	{ "Set User Password", A, 0x47, "02 02", "d5" },
	{ "Set User Payload Access", A, 0x4C, "0e 02 02 00 00 00", "d5" },
	{ "Set Channel Access: viewer", A, 0x40, "0e 00 00", "d4", VIEWER },
	{ "Set User Access: viewer", A, 0x43, "", "d4", VIEWER },
	{ "Set User Password: viewer", A, 0x47, "02 02", "d4", VIEWER },
	{ "Set User Payload Access: viewer", A, 0x4C, "0e 02 02 00 00 00", "d4", VIEWER },
	{ "Set User Name: viewer", A, 0x45, "02 41", "d4", VIEWER },
	{ "Get Payload Support", A, 0x4E, "0e", "00 03 00 3f 00 00 00 00 00" },
	{ "Get Payload Support: other channel", A, 0x4E, "02", "cc" },
	{ "Get Payload Support: too short", A, 0x4E, "", "c7" },
	{ "Get User Payload Access: admin", A, 0x4D, "0e 01", "00 02 00 00 00" },
	{ "Get User Payload Access: viewer", A, 0x4D, "0e 03", "00 00 00 00 00" },
	{ "Get User Payload Access: ID 0", A, 0x4D, "0e 00", "cc" },
	{ "Get User Payload Access: too short", A, 0x4D, "0e", "c7" },
	{ "Get Payload Version: SoL", A, 0x4F, "0e 01", "00 10" },
	{ "Get Payload Version: IPMI", A, 0x4F, "0e 00", "00 10" },
	{ "Get Payload Version: type 2", A, 0x4F, "0e 02", "80" },
	{ "Get Payload Version: other channel", A, 0x4F, "03 01", "cc" },
	{ "Get Payload Version: too short", A, 0x4F, "0e", "c7" },
	{ "Get Payload Activation Status: SoL", A, 0x4A, "01", "00 01 00 00" },
	{ "Get Payload Activation Status: type 2", A, 0x4A, "02", "cc" },
	{ "Get Payload Activation Status: too short", A, 0x4A, "", "c7" },
	{ "Get Payload Instance Info: idle", A, 0x4B, "01 01",
	  "00 00 00 00 00 01 00 00 00 00 00 00 00" },
	{ "Get Payload Instance Info: instance 2", A, 0x4B, "01 02", "cc" },
	{ "Get Payload Instance Info: too short", A, 0x4B, "01", "c7" },
	{ "Activate Payload: type 2", A, 0x48, "02 01 00 00 00 00", "cc" },
	{ "Activate Payload: instance 2", A, 0x48, "01 02 00 00 00 00", "c9" },
	{ "Activate Payload: too short", A, 0x48, "01 01 00 00 00", "c7" },
	{ "Activate Payload: SoL", A, 0x48, "01 01 c0 00 00 00",
	  "00 00 00 00 00 ff 00 ff 00 6f 02 ff ff" },
	{ "Activate Payload: again", A, 0x48, "01 01 c0 00 00 00", "80" },
	{ "Get Payload Activation Status: active", A, 0x4A, "01", "00 01 01 00" },
	{ "Get Payload Instance Info: owner", A, 0x4B, "01 01",
	  "00 .. .. .. .. 01 00 00 00 00 00 00 00" },
	{ "Get Payload Instance Info: viewer", A, 0x4B, "01 01",
	  "00 00 00 00 00 01 00 00 00 00 00 00 00", VIEWER },
	{ "Deactivate Payload: viewer", A, 0x49, "01 01 00 00 00 00", "d4", VIEWER },
	{ "Deactivate Payload: type 2", A, 0x49, "02 01 00 00 00 00", "cc" },
	{ "Deactivate Payload: instance 2", A, 0x49, "01 02 00 00 00 00", "c9" },
	{ "Deactivate Payload: too short", A, 0x49, "01 01 00 00 00", "c7" },
	{ "Deactivate Payload: SoL", A, 0x49, "01 01 00 00 00 00", "00" },
	{ "Deactivate Payload: again", A, 0x49, "01 01 00 00 00 00", "80" },
	{ "Activate Payload: viewer, below SoL privilege", A, 0x48, "01 01 00 00 00 00",
	  "d4", VIEWER },
	{ "Activate Payload: viewer", A, 0x48, "01 01 00 00 00 00",
	  "00 00 00 00 00 ff 00 ff 00 6f 02 ff ff", VIEWER, sol_plain },
	{ "Deactivate Payload: admin ends viewer's", A, 0x49, "01 01 00 00 00 00", "00" },
	{ "Get Session Info: this session", A, 0x3D, "00",
	  "00 01 04 02 01 04 11 7f 00 00 01 00 00 00 00 00 00 40 9c" },
	{ "Get Session Info: by handle 1", A, 0x3D, "fe 01",
	  "00 01 04 02 01 04 11 7f 00 00 01 00 00 00 00 00 00 40 9c" },
	{ "Get Session Info: by handle 4 (free)", A, 0x3D, "fe 04", "00 00 04 02" },
	{ "Get Session Info: handle 0", A, 0x3D, "fe 00", "cc" },
	{ "Get Session Info: handle 5", A, 0x3D, "fe 05", "cc" },
	{ "Get Session Info: handle missing", A, 0x3D, "fe", "c7" },
	{ "Get Session Info: unknown ID", A, 0x3D, "ff 01 02 03 04", "00 00 04 02" },
	{ "Get Session Info: ID too short", A, 0x3D, "ff 01 02 03", "c7" },
	{ "Get Session Info: second active", A, 0x3D, "02",
	  "00 02 04 02 03 02 11 7f 00 00 01 00 00 00 00 00 00 40 9c" },
	{ "Get Session Info: second, by viewer", A, 0x3D, "01",
	  "00 01 04 02 01 04 11 00 00 00 00 00 00 00 00 00 00 00 00", VIEWER },
	{ "Get Session Info: index 3", A, 0x3D, "03", "00 00 04 02" },
	{ "Get Session Info: index 0x40", A, 0x3D, "40", "cc" },
	{ "Get Session Info: too short", A, 0x3D, "", "c7" },
	{ "Set Session Privilege: no change", A, 0x3B, "00", "00 04" },
	{ "Set Session Privilege: 5", A, 0x3B, "05", "80" },
	{ "Set Session Privilege: too short", A, 0x3B, "", "c7" },
	{ "Set Session Privilege: operator", A, 0x3B, "03", "00 03" },
	{ "Set Session Privilege: admin", A, 0x3B, "04", "00 04" },
	{ "Set Session Privilege: viewer to admin", A, 0x3B, "04", "81", VIEWER },
	{ "Set Session Privilege: viewer to callback", A, 0x3B, "01", "00 01", VIEWER },
	{ "Set Session Privilege: viewer to user", A, 0x3B, "02", "00 02", VIEWER },
	{ "Close Session: too short", A, 0x3C, "00 00 00", "c7" },
	{ "Close Session: ID 0, no handle", A, 0x3C, "00 00 00 00", "c7" },
	{ "Close Session: handle 4 (free)", A, 0x3C, "00 00 00 00 04", "88" },
	{ "Close Session: handle 9", A, 0x3C, "00 00 00 00 09", "88" },
	{ "Close Session: unknown ID", A, 0x3C, "01 02 03 04", "87" },
	{ "Close Session: viewer closes admin's", A, 0x3C, "00 00 00 00 01", "d4", VIEWER },
};

static const struct row storage_rows[] = {
	{ "Get SEL Info: empty", ST, 0x40, "", "00 51 00 00 00 04 00 00 00 00 00 00 00 00 03" },
	{ "Get SEL Allocation Info", ST, 0x41, "", "00 40 00 10 00 40 00 40 00 01" },
	{ "Get SEL Allocation Info, extra byte", ST, 0x41, "00", "00 40 00 10 00 40 00 40 00 01" },
	{ "Get SEL Entry: empty", ST, 0x43, "00 00 00 00 00 ff", "cb" },
	{ "Add SEL Entry", ST, 0x44, "00 00 02 00 00 00 00 41 00 04 12 01 6f 02 ff ff",
	  "00 01 00" },
	{ "Add SEL Entry: too short", ST, 0x44, "00 00 02 00 00 00 00 41 00 04 12 01 6f 02 ff",
	  "c7" },
	{ "Add SEL Entry: extra byte", ST, 0x44, "00 00 02 00 00 00 00 41 00 04 12 01 6f 02 ff ff 00",
	  "00 02 00" },
	{ "Add SEL Entry: viewer", ST, 0x44, "00 00 02 00 00 00 00 41 00 04 12 01 6f 02 ff ff",
	  "d4", VIEWER },
	{ "Get SEL Info: two entries", ST, 0x40, "",
	  "00 51 02 00 e0 03 00 f1 53 65 00 00 00 00 03" },
	{ "Get SEL Entry: first", ST, 0x43, "00 00 00 00 00 ff",
	  "00 02 00 01 00 02 00 f1 53 65 41 00 04 12 01 6f 02 ff ff" },
	{ "Get SEL Entry: last", ST, 0x43, "00 00 ff ff 00 ff",
	  "00 ff ff 02 00 02 00 f1 53 65 41 00 04 12 01 6f 02 ff ff" },
	{ "Get SEL Entry: 4 bytes", ST, 0x43, "00 00 00 00 00 04", "00 02 00 01 00 02 00" },
	{ "Get SEL Entry: partial, no reservation", ST, 0x43, "00 00 00 00 02 04",
	  "00 02 00 02 00 f1 53" },
	{ "Get SEL Entry: partial", ST, 0x43, "21 43 00 00 02 04",
	  "00 02 00 02 00 f1 53", ADMIN, sel_res },
	{ "Get SEL Entry: offset 16", ST, 0x43, "21 43 00 00 10 04", "c9" },
	{ "Get SEL Entry: no such ID", ST, 0x43, "00 00 77 00 00 ff", "cb" },
	{ "Get SEL Entry: too short", ST, 0x43, "00 00 00 00 00", "c7" },
	{ "Reserve SEL", ST, 0x42, "", "00 .. .." },
	{ "Reserve SEL, extra byte", ST, 0x42, "00", "00 .. .." },
	{ "Get SEL Time", ST, 0x48, "", "00 00 f1 53 65" },
	{ "Set SEL Time", ST, 0x49, "00 00 00 66", "00" },
	{ "Get SEL Time: after Set", ST, 0x48, "", "00 00 00 00 66" },
	{ "Set SEL Time: too short", ST, 0x49, "00 00 00", "c7" },
	{ "Set SEL Time: viewer", ST, 0x49, "00 00 00 66", "d4", VIEWER },
	{ "Clear SEL: no reservation", ST, 0x47, "00 00 43 4c 52 aa", "c5" },
	{ "Clear SEL: bad reservation", ST, 0x47, "22 43 43 4c 52 aa", "c5", ADMIN, sel_res },
	{ "Clear SEL: not CLR", ST, 0x47, "21 43 43 4c 51 aa", "cc" },
	{ "Clear SEL: bad action", ST, 0x47, "21 43 43 4c 52 01", "cc" },
	{ "Clear SEL: status", ST, 0x47, "21 43 43 4c 52 00", "00 01" },
	{ "Clear SEL: too short", ST, 0x47, "21 43 43 4c 52", "c7" },
	{ "Clear SEL: erase", ST, 0x47, "21 43 43 4c 52 aa", "00 01" },
	{ "Get SEL Info: cleared", ST, 0x40, "", "00 51 00 00 00 04 00 f1 53 65 00 00 00 66 03" },
	{ "Get SDR Repository Info", ST, 0x20, "", "00 51 07 00 00 00 00 f1 53 65 00 00 00 00 02" },
	{ "Get SDR Repository Info, extra byte", ST, 0x20, "00",
	  "00 51 07 00 00 00 00 f1 53 65 00 00 00 00 02" },
	{ "Reserve SDR Repository", ST, 0x22, "", "00 .. .." },
	{ "Reserve SDR Repository, extra byte", ST, 0x22, "00", "00 .. .." },
	{ "Get SDR: first, whole", ST, 0x23, "00 00 00 00 00 ff",
	  "00 02 00 01 00 51 12 0f 20 00 00 bf 00 00 00 06 01 00 c4 62 6d 63 64" },
	{ "Get SDR: first, header", ST, 0x23, "00 00 00 00 00 05", "00 02 00 01 00 51 12 0f" },
	{ "Get SDR: record 3", ST, 0x23, "00 00 03 00 00 ff",
	  "00 04 00 03 00 51 02 27 20 00 02 04 01 41 43 0d 03 00 00 00 00 03 00 c0 00 00 00 00 00"
	  " 00 00 00 00 00 cc 48 44 44 20 41 63 74 69 76 69 74 79" },
	{ "Get SDR: no such record", ST, 0x23, "00 00 40 00 00 ff", "cb" },
	{ "Get SDR: partial, no reservation", ST, 0x23, "00 00 01 00 05 10", "c5" },
	{ "Get SDR: partial", ST, 0x23, "34 12 01 00 05 10",
	  "00 02 00 20 00 00 bf 00 00 00 06 01 00 c4 62 6d 63 64", ADMIN, sdr_res },
	{ "Get SDR: partial past the end", ST, 0x23, "34 12 01 00 05 ff",
	  "00 02 00 20 00 00 bf 00 00 00 06 01 00 c4 62 6d 63 64" },
	{ "Get SDR: offset past the end", ST, 0x23, "34 12 01 00 f0 01", "c9" },
	{ "Get SDR: too short", ST, 0x23, "00 00 00 00 00", "c7" },
	{ "Get SDR: extra byte", ST, 0x23, "00 00 00 00 00 05 00", "00 02 00 01 00 51 12 0f" },
	{ "Get FRU Inventory Area Info", ST, 0x10, "00", "00 38 00 00" },
	{ "Get FRU Inventory Area Info: FRU 1", ST, 0x10, "01", "cb" },
	{ "Get FRU Inventory Area Info: too short", ST, 0x10, "", "c7" },
	{ "Read FRU Data: 8 bytes", ST, 0x11, "00 00 00 08", "00 08 01 00 01 02 05 00 00 f7" },
	{ "Read FRU Data: offset 8", ST, 0x11, "00 08 00 04", "00 04 01 01 17 c0" },
	{ "Read FRU Data: past the end", ST, 0x11, "00 00 02 04", "c9" },
	{ "Read FRU Data: FRU 1", ST, 0x11, "01 00 00 08", "cb" },
	{ "Read FRU Data: too short", ST, 0x11, "00 00 00", "c7" },
	{ "Write FRU Data", ST, 0x12, "00 00 00 01", "80" },
	{ "Write FRU Data: too short", ST, 0x12, "00 00", "c7" },
	{ "Get FRU Inventory Area Info: no FRU", ST, 0x10, "00", "cb", ADMIN, no_fru },
	{ "Read FRU Data: no FRU", ST, 0x11, "00 00 00 08", "cb" },
};

static const struct row lan_rows[] = {
	{ "Get LAN Config: 0 set in progress", T, 0x02, "0e 00 00 00", "00 11 00" },
	{ "Get LAN Config: 1 auth support", T, 0x02, "0e 01 00 00", "00 11 00" },
	{ "Get LAN Config: 2 auth enables", T, 0x02, "0e 02 00 00", "00 11 00 00 00 00 00" },
	{ "Get LAN Config: 3 IP", T, 0x02, "0e 03 00 00", "00 11 c0 a8 01 32" },
	{ "Get LAN Config: 3 revision only", T, 0x02, "8e 03 00 00", "00 11" },
	{ "Get LAN Config: 4 source", T, 0x02, "01 04 00 00", "00 11 02" },
	{ "Get LAN Config: 5 MAC", T, 0x02, "0e 05 00 00", "00 11 02 00 00 aa bb cc" },
	{ "Get LAN Config: 6 mask", T, 0x02, "0e 06 00 00", "00 11 ff ff ff 00" },
	{ "Get LAN Config: 7 IP header", T, 0x02, "0e 07 00 00", "00 11 40 40 10" },
	{ "Get LAN Config: 8 unsupported", T, 0x02, "0e 08 00 00", "80" },
	{ "Get LAN Config: 10 ARP", T, 0x02, "0e 0a 00 00", "00 11 00" },
	{ "Get LAN Config: 11 ARP interval", T, 0x02, "0e 0b 00 00", "00 11 00" },
	{ "Get LAN Config: 12 gateway", T, 0x02, "0e 0c 00 00", "00 11 c0 a8 01 01" },
	{ "Get LAN Config: 13 gateway MAC", T, 0x02, "0e 0d 00 00", "00 11 02 00 00 11 22 33" },
	{ "Get LAN Config: 14 backup gateway", T, 0x02, "0e 0e 00 00", "00 11 00 00 00 00" },
	{ "Get LAN Config: 15 backup MAC", T, 0x02, "0e 0f 00 00", "00 11 00 00 00 00 00 00" },
	{ "Get LAN Config: 16 community", T, 0x02, "0e 10 00 00",
	  "00 11 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" },
	{ "Get LAN Config: 17 destinations", T, 0x02, "0e 11 00 00", "00 11 00" },
	{ "Get LAN Config: 20 VLAN", T, 0x02, "0e 14 00 00", "00 11 00 00" },
	{ "Get LAN Config: 21 VLAN priority", T, 0x02, "0e 15 00 00", "00 11 00" },
	{ "Get LAN Config: 22 suite count", T, 0x02, "0e 16 00 00", "00 11 02" },
	{ "Get LAN Config: 23 suites", T, 0x02, "0e 17 00 00", "00 11 00 03 11" },
	{ "Get LAN Config: 24 suite privileges", T, 0x02, "0e 18 00 00",
	  "00 11 00 00 40 00 00 00 00 00 00" },
	{ "Get LAN Config: 25 unsupported", T, 0x02, "0e 19 00 00", "80" },
	{ "Get LAN Config: other channel", T, 0x02, "02 03 00 00", "cc" },
	{ "Get LAN Config: too short", T, 0x02, "0e 03 00", "c7" },
	{ "Get LAN Config: extra byte", T, 0x02, "0e 03 00 00 00", "00 11 c0 a8 01 32" },
	{ "Get LAN Config: viewer", T, 0x02, "0e 03 00 00", "d4", VIEWER },
	{ "Set LAN Config: 0 in progress", T, 0x01, "0e 00 01", "00" },
	{ "Get LAN Config: 0 in progress", T, 0x02, "0e 00 00 00", "00 11 01" },
	{ "Set LAN Config: 0 commit", T, 0x01, "0e 00 02", "00" },
	{ "Get LAN Config: 0 after commit", T, 0x02, "0e 00 00 00", "00 11 00" },
	{ "Set LAN Config: 0 no data", T, 0x01, "0e 00", "82" },
	{ "Set LAN Config: 3 IP", T, 0x01, "0e 03 c0 a8 00 02", "82" },
	{ "Set LAN Config: 26", T, 0x01, "0e 1a 00", "82" },
	{ "Set LAN Config: 27", T, 0x01, "0e 1b 00", "80" },
	{ "Set LAN Config: other channel", T, 0x01, "02 00 01", "cc" },
	{ "Set LAN Config: too short", T, 0x01, "0e", "c7" },
	{ "Get SOL Config: 0", T, 0x22, "0e 00 00 00", "00 11 00" },
	{ "Get SOL Config: 1 enable", T, 0x22, "0e 01 00 00", "00 11 01" },
	{ "Get SOL Config: 2 auth", T, 0x22, "0e 02 00 00", "00 11 02" },
	{ "Get SOL Config: 3 accumulate", T, 0x22, "0e 03 00 00", "00 11 01 60" },
	{ "Get SOL Config: 4 retry", T, 0x22, "0e 04 00 00", "00 11 07 32" },
	{ "Get SOL Config: 5 nv rate", T, 0x22, "0e 05 00 00", "00 11 00" },
	{ "Get SOL Config: 6 v rate", T, 0x22, "0e 06 00 00", "00 11 00" },
	{ "Get SOL Config: 7 channel", T, 0x22, "0e 07 00 00", "00 11 01" },
	{ "Get SOL Config: 8 port", T, 0x22, "0e 08 00 00", "00 11 6f 02" },
	{ "Get SOL Config: 8 revision only", T, 0x22, "8e 08 00 00", "00 11" },
	{ "Get SOL Config: 9 unsupported", T, 0x22, "0e 09 00 00", "80" },
	{ "Get SOL Config: other channel", T, 0x22, "02 01 00 00", "cc" },
	{ "Get SOL Config: too short", T, 0x22, "0e 01 00", "c7" },
	{ "Set SOL Config: 0 in progress", T, 0x21, "0e 00 01", "00" },
	{ "Set SOL Config: 0 again", T, 0x21, "0e 00 01", "81" },
	{ "Set SOL Config: 0 complete", T, 0x21, "0e 00 00", "00" },
	{ "Set SOL Config: 2 privilege 5", T, 0x21, "0e 02 05", "cc" },
	{ "Set SOL Config: 2 operator", T, 0x21, "0e 02 c3", "00" },
	{ "Set SOL Config: 3 zero interval", T, 0x21, "0e 03 00 10", "cc" },
	{ "Set SOL Config: 3", T, 0x21, "0e 03 02 20", "00" },
	{ "Set SOL Config: 3 too short", T, 0x21, "0e 03 02", "c7" },
	{ "Set SOL Config: 4", T, 0x21, "0e 04 ff 10", "00" },
	{ "Set SOL Config: 5 bad rate", T, 0x21, "0e 05 05", "cc" },
	{ "Set SOL Config: 6 115200", T, 0x21, "0e 06 0a", "00" },
	{ "Set SOL Config: 7 read-only", T, 0x21, "0e 07 01", "82" },
	{ "Set SOL Config: 9 unsupported", T, 0x21, "0e 09 01", "80" },
	{ "Set SOL Config: other channel", T, 0x21, "02 01 01", "cc" },
	{ "Set SOL Config: 1 no data", T, 0x21, "0e 01", "c7" },
	{ "Set SOL Config: too short", T, 0x21, "0e", "c7" },
	{ "Set SOL Config: 1 disable", T, 0x21, "0e 01 00", "00" },
	{ "Get SOL Config: after Set", T, 0x22, "0e 03 00 00", "00 11 02 20" },
	{ "Get SOL Config: retry after Set", T, 0x22, "0e 04 00 00", "00 11 07 10" },
	{ "Activate Payload: SoL disabled", A, 0x48, "01 01 00 00 00 00", "81" },
};

#define ROWS(t) t, sizeof(t) / sizeof(t[0])

/* Get Device ID: the firmware revision comes from BMCD_VERSION ("major.minor.patch",
 * the VERSION file) when the build defines it, else from the config. */
static void device_id(void)
{
	unsigned major = 0, minor = 1; /* the config's (setup) */
#ifdef BMCD_VERSION
	CHECK_EQ(sscanf(BMCD_VERSION, "%u.%u", &major, &minor), 2);
#endif
	static char want[80];
	snprintf(want, sizeof(want), "00 20 01 %02x %x%x 02 8f de bc 0a 34 12 00 00 00 00", major,
		 minor / 10, minor % 10);
	const struct row rows[] = {
		{ "Get Device ID", A, 0x01, "", want },
		{ "Get Device ID, extra byte", A, 0x01, "00", want },
		{ "Get Device ID, viewer", A, 0x01, "", want, VIEWER },
	};
	run(rows, sizeof(rows) / sizeof(rows[0]));
}

static void fw_revision(void)
{
	static const struct {
		const char *v;
		bool ok;
		uint8_t major, minor;
	} t[] = {
		{ "0.1.0", true, 0, 1 },	{ "1.10.3", true, 1, 10 }, { "2.5", true, 2, 5 },
		{ "127.99.1", true, 127, 99 }, { "3.04-rc1", true, 3, 4 }, { "0.1.0+g1234", true, 0, 1 },
		{ "fuzz", false, 0, 0 },	{ "", false, 0, 0 },	   { "1", false, 0, 0 },
		{ "1.", false, 0, 0 },		{ ".1", false, 0, 0 },	   { "128.0.0", false, 0, 0 },
		{ "1.100.0", false, 0, 0 },	{ "v1.2.3", false, 0, 0 }, { "1-2.3", false, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint8_t major = 0xEE, minor = 0xEE;
		bool ok = ipmi_fw_revision(t[i].v, &major, &minor);
		if (ok != t[i].ok)
			printf("FAIL ipmi_fw_revision(\"%s\")\n", t[i].v);
		CHECK_EQ(ok, t[i].ok);
		CHECK_EQ(major, t[i].ok ? t[i].major : 0xEE); /* untouched when it fails */
		CHECK_EQ(minor, t[i].ok ? t[i].minor : 0xEE);
	}
}

/* Every command in the dispatch table has rows. */
static void coverage(void)
{
	for (int nf = 0; nf < 64; nf += 2) {
		for (int c = 0; c < 256; c++) {
			if (!ipmi_find_cmd((uint8_t)nf, (uint8_t)c))
				continue;
			if (rows_of[nf][c] < 2)
				printf("FAIL netfn %02x cmd %02x has %d rows\n", nf, c, rows_of[nf][c]);
			CHECK(rows_of[nf][c] >= 2);
			if (getenv("BMCD_ROWS"))
				printf("rows netfn %02x cmd %02x: %d\n", nf, c, rows_of[nf][c]);
		}
	}
}

int main(void)
{
	setup();
	uint8_t st, rsp[64];
	CHECK_EQ(login("admin", "secret", 0x14, &k_admin, &st), 0);
	CHECK_EQ(call(&k_admin, A, 0x3B, (const uint8_t *)"\x04", 1, rsp), 2);
	CHECK_EQ(login("viewer", "viewpass", 0x14, &k_viewer, &st), 0);
	fw_revision();
	device_id();
	run(ROWS(chassis_rows));
	run(ROWS(boot_rows));
	run(ROWS(sensor_rows));
	run(ROWS(app_rows));
	run(ROWS(storage_rows));
	run(ROWS(lan_rows));
	coverage();
	return t_done("test_ipmi_handlers");
}
