/*
 * SoL protocol engine: activation rules, ACK/NACK and partial acceptance, duplicates,
 * retransmission and giving up, ring overrun accounting, flow control towards the UART
 * reader, and the lessons from other BMCs' bug trackers.
 * The sessions here use no integrity or confidentiality so packets can be read directly.
 */
#include "../../proto/ipmi.h"
#include "../../proto/ipmi_cmds.h"
#include "../../proto/sol.h"
#include "fake_host.h"
#include "testlib.h"

#define MAXOUT 64
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

/* the serial port */
static uint8_t typed[4096];
static size_t ntyped, port_room = 4096;
static int breaks;
static bool port_is_up = true;

static size_t pwrite_(void *ctx, const uint8_t *p, size_t n)
{
	(void)ctx;
	if (n > port_room)
		n = port_room;
	memcpy(typed + ntyped, p, n);
	ntyped += n;
	return n;
}
static void pbreak(void *ctx) { (void)ctx, breaks++; }
static bool pup(void *ctx) { return (void)ctx, port_is_up; }

static struct ipmi m;
static struct ipmi_session sess[3];
static struct host fhost;
static struct users users;
static struct user utab[1];
static struct sol sol;
static struct ring ring;
static uint8_t ringbuf[1024];
static int64_t now = 1000;

static void setup(void)
{
	memset(utab, 0, sizeof(utab));
	strcpy(utab[0].name, "admin");
	utab[0].name_len = 5;
	utab[0].priv = PRIV_ADMIN;
	users = (struct users){ utab, 1, 1, 0 };
	fake_host_init(&fhost);
	struct ipmi_cfg cfg = { .max_sessions = 3, .session_timeout_ms = 60000,
				.handshake_timeout_ms = 5000, .suites = { 1 }, .nsuites = 1,
				.channel = 1, .send = capture };
	static const uint8_t seed[32];
	ipmi_init(&m, &cfg, sess, &users, &fhost, seed, sizeof(seed));
	for (int i = 0; i < 3; i++) {
		sess[i].state = SESS_ACTIVE;
		sess[i].bmc_sid = 0x100u + (unsigned)i;
		sess[i].con_sid = 0x200u + (unsigned)i;
		sess[i].priv = i == 2 ? PRIV_USER : PRIV_ADMIN;
		sess[i].priv_limit = sess[i].priv;
		sess[i].user = 0;
		strcpy(sess[i].user_name, "admin");
		sess[i].last_rx = now;
	}
	ring_init(&ring, ringbuf, sizeof(ringbuf));
	struct sol_port port = { pwrite_, pbreak, pup, NULL, NULL };
	struct sol_cfg sc;
	sol_cfg_defaults(&sc, true, 623);
	sc.p.auth = PRIV_USER; /* sessions here have no encryption */
	sc.p.accumulate = 4;   /* 20 ms: the timings below assume it */
	sol_init(&sol, &m, &ring, &port, &sc);
	ntyped = 0;
	port_room = sizeof(typed);
	breaks = 0;
	port_is_up = true;
	nout = 0;
}

static int activate(int i, uint8_t *rsp, size_t *rlen)
{
	const uint8_t req[6] = { 1, 1, 0x00, 0, 0, 0 };
	struct ipmi_req rq = { .netfn = NETFN_APP, .cmd = 0x48, .data = req, .len = 6, .s = &sess[i] };
	uint8_t buf[64];
	struct wr w = wr_init(buf, sizeof(buf));
	app_activate_payload(&m, &rq, &w);
	if (rsp) {
		memcpy(rsp, buf, w.len);
		*rlen = w.len;
	}
	return buf[0];
}

static int deactivate(int i)
{
	const uint8_t req[6] = { 1, 1, 0, 0, 0, 0 };
	struct ipmi_req rq = { .netfn = NETFN_APP, .cmd = 0x49, .data = req, .len = 6, .s = &sess[i] };
	uint8_t buf[8];
	struct wr w = wr_init(buf, sizeof(buf));
	app_deactivate_payload(&m, &rq, &w);
	return buf[0];
}

/* The SoL payload of captured packet k (plain session: payload at offset 16). */
static const uint8_t *sol_pl(int k, size_t *len)
{
	*len = (size_t)(out[k][14] | out[k][15] << 8);
	return out[k] + 16;
}

static void console(int i, uint8_t seq, uint8_t ack, uint8_t count, uint8_t op, const char *data)
{
	uint8_t p[300] = { seq, ack, count, op };
	size_t n = strlen(data);
	memcpy(p + 4, data, n);
	sol_input(&sol, &sess[i], p, 4 + n, now);
}

static void host_prints(const char *s)
{
	ring_write(&ring, (const uint8_t *)s, strlen(s));
	sol_host_output(&sol, now);
}

static void advance(int64_t ms)
{
	int64_t end = now + ms;
	while (now < end) {
		now += 5;
		if (sol_deadline(&sol) <= now)
			sol_tick(&sol, now);
	}
}

static void activation_rules(void)
{
	uint8_t rsp[64];
	size_t rl;
	setup();
	/* a USER-level session cannot take the console when SoL needs OPERATOR */
	sol.p.auth = PRIV_OPERATOR;
	CHECK_EQ(activate(2, rsp, &rl), CC_INSUFFICIENT_PRIV);
	sol.p.auth = PRIV_USER;
	CHECK_EQ(activate(0, rsp, &rl), CC_OK);
	/* the response: aux (4), inbound and outbound payload sizes, port, VLAN, little-endian */
	CHECK_EQ(rl, 13);
	CHECK_EQ(rsp[5] | rsp[6] << 8, SOL_PAYLOAD_MAX);
	CHECK_EQ(rsp[7] | rsp[8] << 8, SOL_PAYLOAD_MAX);
	CHECK_EQ(rsp[9] | rsp[10] << 8, 623);
	CHECK_EQ(rsp[11] | rsp[12] << 8, 0xFFFF);
	/* one instance: a second activation, from any session, is "already active" */
	CHECK_EQ(activate(1, rsp, &rl), 0x80);
	CHECK_EQ(activate(0, rsp, &rl), 0x80);
	/* a USER session may not deactivate someone else's console; an admin may */
	CHECK_EQ(deactivate(2), CC_INSUFFICIENT_PRIV);
	nout = 0;
	CHECK_EQ(deactivate(1), CC_OK);
	CHECK(sol.s == NULL);
	/* the old owner is told: SOL inactive */
	size_t n;
	CHECK_EQ(nout, 1);
	CHECK(nout == 1 && (sol_pl(0, &n)[3] & 0x10));
	CHECK_EQ(deactivate(0), 0x80); /* already deactivated */
	CHECK_EQ(activate(1, rsp, &rl), CC_OK);
	CHECK_EQ(deactivate(1), CC_OK);
	/* encryption asked for on a session without it */
	const uint8_t req[6] = { 1, 1, 0x80, 0, 0, 0 };
	struct ipmi_req rq = { .netfn = NETFN_APP, .cmd = 0x48, .data = req, .len = 6, .s = &sess[0] };
	uint8_t buf[64];
	struct wr w = wr_init(buf, sizeof(buf));
	app_activate_payload(&m, &rq, &w);
	CHECK_EQ(buf[0], 0x83);
	/* SoL configured off: 0x81 */
	sol.configured = false;
	CHECK_EQ(activate(0, rsp, &rl), 0x81);
}

/* Privileges are re-checked after a change (issue 12, finding 4): a session lowered below
 * the SoL privilege, or a SoL privilege raised above the session's, ends the console. */
static void privilege_changes(void)
{
	setup();
	sol.p.auth = PRIV_OPERATOR;
	CHECK_EQ(activate(0, NULL, NULL), CC_OK);
	uint8_t buf[8];
	struct wr w = wr_init(buf, sizeof(buf));
	const uint8_t lower[1] = { PRIV_USER };
	struct ipmi_req rq = { .netfn = NETFN_APP, .cmd = 0x3B, .data = lower, .len = 1, .s = &sess[0] };
	app_set_session_priv(&m, &rq, &w);
	CHECK_EQ(buf[0], CC_OK);
	CHECK(sol.s == NULL);
	sess[0].priv = PRIV_ADMIN;
	CHECK_EQ(activate(0, NULL, NULL), CC_OK);
	sess[0].priv = PRIV_OPERATOR;
	const uint8_t raise[3] = { 0x0E, 2, PRIV_ADMIN };
	struct ipmi_req rq2 = { .netfn = NETFN_TRANSPORT, .cmd = 0x21, .data = raise, .len = 3,
				.s = &sess[1] };
	w = wr_init(buf, sizeof(buf));
	sol_set_config(&m, &rq2, &w);
	CHECK_EQ(buf[0], CC_OK);
	CHECK(sol.s == NULL);
}

static void output_flow(void)
{
	size_t n;
	setup();
	host_prints("before-attach "); /* history, not replayed by default */
	CHECK_EQ(activate(0, NULL, NULL), CC_OK);
	/* nothing leaves before the activation response has gone (next tick) */
	host_prints("x");
	CHECK_EQ(nout, 0);
	sol.p.threshold = 4;
	host_prints("abcd");
	CHECK_EQ(nout, 0); /* still starting */
	advance(5);
	CHECK_EQ(nout, 1);
	const uint8_t *p = sol_pl(0, &n);
	CHECK(n == 4 + 5 && p[0] == 1 && memcmp(p + 4, "xabcd", 5) == 0);
	/* no ACK: retransmitted with the same sequence number after the retry interval */
	nout = 0;
	advance(500);
	CHECK_EQ(nout, 1);
	p = sol_pl(0, &n);
	CHECK(n == 9 && p[0] == 1 && memcmp(p + 4, "xabcd", 5) == 0);
	/* partial ACK (3 of 5): the rest goes in a new packet, sequence 2 */
	nout = 0;
	console(0, 0, 1, 3, 0, "");
	advance(30);
	CHECK_EQ(nout, 1);
	p = sol_pl(0, &n);
	CHECK(n == 6 && p[0] == 2 && memcmp(p + 4, "cd", 2) == 0);
	/* a NACK: not accepted, sent again later, position unchanged */
	nout = 0;
	console(0, 0, 2, 0, 0x40, "");
	advance(510);
	CHECK(nout >= 1);
	p = sol_pl(nout - 1, &n);
	CHECK(n == 6 && p[0] == 2);
	console(0, 0, 2, 2, 0, "");
	CHECK_EQ(sol.bytes_out, 5);
	/* below the threshold: waits for the accumulate interval (20 ms) */
	nout = 0;
	host_prints("z");
	advance(10);
	CHECK_EQ(nout, 0);
	advance(15);
	CHECK_EQ(nout, 1);
	p = sol_pl(0, &n);
	CHECK(n == 5 && p[0] == 3 && p[4] == 'z');
	console(0, 0, 3, 1, 0, "");
	/* sequence numbers wrap 15 -> 1, never 0 */
	for (int i = 0; i < 14; i++) {
		nout = 0;
		host_prints("wxyz");
		advance(5);
		p = sol_pl(0, &n);
		console(0, 0, p[0], 4, 0, "");
	}
	CHECK_EQ(p[0], 2);
	/* reactivation starts the numbers afresh */
	CHECK_EQ(deactivate(0), CC_OK);
	CHECK_EQ(activate(0, NULL, NULL), CC_OK);
	nout = 0;
	host_prints("abcd");
	advance(5);
	p = sol_pl(0, &n);
	CHECK(nout == 1 && p[0] == 1);
}

static void input_flow(void)
{
	size_t n;
	setup();
	CHECK_EQ(activate(0, NULL, NULL), CC_OK);
	advance(5);
	nout = 0;
	console(0, 1, 0, 0, 0, "ls\r");
	CHECK_EQ(ntyped, 3);
	CHECK_EQ(nout, 1);
	const uint8_t *p = sol_pl(0, &n);
	CHECK(n == 4 && p[0] == 0 && p[1] == 1 && p[2] == 3 && !(p[3] & 0x40));
	/* the same packet again (our ACK was lost): ACKed again, not typed twice */
	nout = 0;
	console(0, 1, 0, 0, 0, "ls\r");
	CHECK_EQ(ntyped, 3);
	p = sol_pl(0, &n);
	CHECK(nout == 1 && p[1] == 1 && p[2] == 3);
	/* partial acceptance when the port's buffer is full: the count says so, no NACK bit
	 * (ipmitool stops resending on a NACK) */
	port_room = 2;
	nout = 0;
	console(0, 2, 0, 0, 0, "hello");
	p = sol_pl(0, &n);
	CHECK(nout == 1 && p[1] == 2 && p[2] == 2 && !(p[3] & 0x40));
	port_room = 4096;
	console(0, 3, 0, 0, 0, "llo");
	CHECK_EQ(ntyped, 8);
	CHECK(memcmp(typed, "ls\rhello", 8) == 0);
	/* a packet longer than the announced payload size: the bytes that fit are typed and
	 * counted exactly (an 8-bit count must not wrap: 300 bytes once acked as 44) */
	{
		uint8_t big[4 + 300];
		memset(big, 'x', sizeof(big));
		big[0] = 9, big[1] = 0, big[2] = 0, big[3] = 0;
		nout = 0;
		ntyped = 0;
		sol_input(&sol, &sess[0], big, sizeof(big), now);
		p = sol_pl(0, &n);
		CHECK(nout == 1 && p[1] == 9 && p[2] == SOL_DATA_MAX);
		CHECK_EQ(ntyped, SOL_DATA_MAX);
		ntyped = 8;
	}
	/* break */
	console(0, 4, 0, 0, 0x10, "");
	CHECK_EQ(breaks, 1);
	/* the adapter is unplugged: nothing accepted, "character transfer unavailable" */
	port_is_up = false;
	nout = 0;
	console(0, 5, 0, 0, 0, "lost");
	p = sol_pl(0, &n);
	CHECK(nout == 1 && p[2] == 0 && (p[3] & 0x20));
	CHECK_EQ(ntyped, 8);
	/* packets from another session are not typed; that console is told SoL is inactive */
	port_is_up = true;
	nout = 0;
	console(1, 6, 0, 0, 0, "intruder");
	CHECK_EQ(ntyped, 8);
	p = sol_pl(0, &n);
	CHECK(nout == 1 && p[1] == 6 && p[2] == 0 && (p[3] & 0x30) == 0x30);
	CHECK(nout == 1 && get_u32le(out[0] + 6) == sess[1].con_sid);
	/* a piggy-backed ACK rides on a data packet */
	sol.p.threshold = 1;
	nout = 0;
	ring_write(&ring, (const uint8_t *)"out", 3);
	console(0, 7, 0, 0, 0, "k");
	p = sol_pl(0, &n);
	CHECK(nout == 1 && p[0] != 0 && p[1] == 7 && p[2] == 1 && memcmp(p + 4, "out", 3) == 0);
}

static void giving_up_and_overrun(void)
{
	setup();
	CHECK_EQ(activate(0, NULL, NULL), CC_OK);
	advance(5);
	sol.p.threshold = 1;
	host_prints("are you there?");
	/* 7 retries at 500 ms, then the console is declared gone; a new activation works */
	advance(4100);
	CHECK(sol.s == NULL);
	CHECK_EQ(sol.retransmits, 7);
	CHECK_EQ(activate(1, NULL, NULL), CC_OK);
	advance(5);

	/* flow control: the reader may fill the ring only up to what the console lacks */
	setup();
	CHECK_EQ(activate(0, NULL, NULL), CC_OK);
	advance(5);
	CHECK_EQ(sol_room(&sol, now), sizeof(ringbuf));
	uint8_t junk[1024];
	memset(junk, 'j', sizeof(junk));
	ring_write(&ring, junk, sizeof(junk));
	sol_host_output(&sol, now);
	CHECK_EQ(sol_room(&sol, now), 0);	/* full of unsent bytes: pause */
	advance(1000);
	CHECK_EQ(sol_room(&sol, now), 0);	/* still within pause_ms */
	advance(1100);
	CHECK_EQ(sol_room(&sol, now), SIZE_MAX); /* waited long enough: overwrite */
	ring_write(&ring, junk, 100);
	sol_tick(&sol, now);
	CHECK_EQ(sol.lost, 100);
	/* without an active console there is no limit: history just rolls over */
	deactivate(0);
	CHECK_EQ(sol_room(&sol, now), SIZE_MAX);
	/* replay on activation: the last N bytes of history come first */
	sol.replay = 10;
	ring_write(&ring, (const uint8_t *)"0123456789HISTORY!", 18);
	nout = 0;
	CHECK_EQ(activate(0, NULL, NULL), CC_OK);
	sol.p.threshold = 1;
	advance(5);
	size_t n;
	const uint8_t *p = sol_pl(0, &n);
	CHECK(nout == 1 && n == 14 && memcmp(p + 4, "89HISTORY!", 10) == 0);
	/* the session closing ends the SoL without a packet */
	nout = 0;
	ipmi_session_close(&m, &sess[0], "test");
	CHECK(sol.s == NULL);
	CHECK_EQ(nout, 0);
}

int main(void)
{
	activation_rules();
	privilege_changes();
	output_flow();
	input_flow();
	giving_up_and_overrun();
	return t_done("test_sol");
}
