/*
 * The IPMI engine as the firmware wires it (session pool, SoL on a console ring, SDR
 * repository, FRU image, LAN facts, a temperature source), built around the fake host
 * model, plus the RMCP+ console the IPMI tests share (tests/unit/rmcp_client.h) over it.
 *
 * Used by fuzz_rmcp.c, fuzz_ipmi_session.c and fuzz_sol.c.
 */
#ifndef BMCD_FUZZ_IPMI_H
#define BMCD_FUZZ_IPMI_H

#include <arpa/inet.h>
#include <bearssl.h>

#include "../../proto/cursor.h"
#include "../../proto/fru.h"
#include "../../proto/ipmi.h"
#include "../../proto/ring.h"
#include "../../proto/sdr.h"
#include "../../proto/sol.h"
#include "../unit/fake_host.h"
#include "fuzz_common.h"
#define RMCP_CLIENT_NO_FEED
#include "../unit/rmcp_client.h"

#ifndef FI_SESSIONS
#define FI_SESSIONS 4
#endif
#define FI_RING 512	/* small, so fuzz inputs can wrap it and reach the overrun paths */

static struct ipmi fi_m;
static struct ipmi_session fi_sess[FI_SESSIONS];
static struct host fi_host;
static struct users fi_users;
static struct user fi_user_tab[FUZZ_USERS_MAX];
static struct sol fi_sol;
static struct ring fi_ring;
static uint8_t fi_ringbuf[FI_RING];
static struct sdr_repo fi_sdr;
static uint8_t fi_fru[FRU_MAX];
static struct peer fi_peer[2];	/* an IPv4 and an IPv6 console */
static int64_t fi_now;

/* the serial port behind SoL */
static size_t fi_port_room = 4096; /* bytes the port accepts per write */
static bool fi_port_up = true;
static size_t fi_typed;

/* What the engine sent for the current input. */
#define FI_OUT_MAX 64
static uint8_t fi_out[FI_OUT_MAX][IPMI_PKT_MAX];
static size_t fi_outlen[FI_OUT_MAX];
static int fi_nout;
static void (*fi_on_send)(const uint8_t *buf, size_t len);

static inline void fi_send(void *ctx, const struct peer *to, const uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)to;
	FUZZ_ASSERT(len <= IPMI_PKT_MAX, "datagram of %zu bytes", len);
	/* keep the first FI_OUT_MAX per input; a copy makes ASan check every byte of it */
	if (fi_nout < FI_OUT_MAX) {
		memcpy(fi_out[fi_nout], buf, len);
		fi_outlen[fi_nout++] = len;
	}
	if (fi_on_send)
		fi_on_send(buf, len);
}

static inline size_t fi_port_write(void *ctx, const uint8_t *p, size_t n)
{
	(void)ctx;
	(void)p;
	if (n > fi_port_room)
		n = fi_port_room;
	fi_typed += n;
	return n;
}
static inline void fi_port_break(void *ctx) { (void)ctx; }
static inline bool fi_port_is_up(void *ctx) { return (void)ctx, fi_port_up; }
static inline void fi_port_rate(void *ctx, uint8_t code) { (void)ctx, (void)code; }

static inline void fi_lan_info(void *ctx, const struct peer *via, struct lan_info *out)
{
	(void)ctx;
	(void)via;
	static const struct lan_info li = { { 192, 168, 1, 2 }, { 255, 255, 255, 0 },
					    { 192, 168, 1, 1 }, { 2, 0, 0, 0, 0, 1 },
					    { 2, 0, 0, 0, 0, 2 }, 1 };
	*out = li;
}

static int fi_temp = 47;
static inline bool fi_bmc_temp(void *ctx, int *c)
{
	(void)ctx;
	*c = fi_temp;
	return fi_temp != -1000;
}

static const uint8_t fi_guid[16] = { 0xa1, 0xa2, 0xa3, 0xa4, 0xb1, 0xb2, 0xc1, 0xc2,
				     0xd1, 0xd2, 1, 2, 3, 4, 5, 6 };

/* Builds the engine afresh: every input starts from the same state (deterministic, so a
 * saved crash input reproduces on its own). */
static inline void fi_setup(const uint8_t *suites, uint8_t nsuites)
{
	fuzz_users_init(&fi_users, fi_user_tab);
	fake_host_init(&fi_host);
	struct ipmi_cfg cfg = {
		.max_sessions = FI_SESSIONS,
		.session_timeout_ms = 60000,
		.handshake_timeout_ms = 5000,
		.manufacturer = 0xABCD,
		.product = 0x0102,
		.fw_major = 0,
		.fw_minor = 1,
		.channel = 1,
		/* the abuse limits on, small enough for a fuzz input to reach them: a fifth
		 * session from one address, a fourth failed login within a minute */
		.per_source_max = 4,
		.throttle = { 3, 12, 60000, 1000, 8000 },
		.send = fi_send,
		.sdr = &fi_sdr,
		.fru = fi_fru,
		.lan_info = fi_lan_info,
		.bmc_temp = fi_bmc_temp,
		.temp_thresholds = { 70, 80, 85 },
	};
	memcpy(cfg.suites, suites, nsuites);
	cfg.nsuites = nsuites;
	memcpy(cfg.guid, fi_guid, 16);
	struct sdr_config sc = { .have_power = true, .have_hdd = true, .have_temp = true,
				 .temp_unc = 70, .temp_uc = 80, .temp_unr = 85,
				 .bmc_name = "bmcd-fuzz", .dev_caps = 0x8F };
	sdr_build(&fi_sdr, &sc, fi_host.time);
	struct fru_info fru = { .chassis_type = 0x17, .chassis_serial = "CH-1",
				.board_mfr = "bmcd", .board_product = "fuzz board",
				.product_mfr = "bmcd", .product_name = "fuzz", .asset_tag = "tag" };
	cfg.fru_len = fru_build(&fru, fi_fru, sizeof(fi_fru));
	static const uint8_t seed[32] = "bmcd fuzz seed: fixed on purpose";
	ipmi_init(&fi_m, &cfg, fi_sess, &fi_users, &fi_host, seed, sizeof(seed));

	ring_init(&fi_ring, fi_ringbuf, sizeof(fi_ringbuf));
	struct sol_port port = { fi_port_write, fi_port_break, fi_port_is_up, fi_port_rate, NULL };
	struct sol_cfg solc;
	sol_cfg_defaults(&solc, true, 623);
	sol_init(&fi_sol, &fi_m, &fi_ring, &port, &solc);

	memset(fi_peer, 0, sizeof(fi_peer));
	struct sockaddr_in *a = (struct sockaddr_in *)&fi_peer[0].sa;
	a->sin_family = AF_INET;
	a->sin_port = htons(40000);
	a->sin_addr.s_addr = htonl(0x7F000001);
	fi_peer[0].len = sizeof(*a);
	fi_peer[0].ifindex = 1;
	struct sockaddr_in6 *b = (struct sockaddr_in6 *)&fi_peer[1].sa;
	b->sin6_family = AF_INET6;
	b->sin6_port = htons(40001);
	b->sin6_addr.s6_addr[15] = 1;
	fi_peer[1].len = sizeof(*b);

	fi_now = 1000000;
	fi_port_room = 4096;
	fi_port_up = true;
	fi_typed = 0;
	fi_temp = 47;
	fi_nout = 0;
}

static inline void fi_feed(const uint8_t *p, size_t n, int peer)
{
	ipmi_input(&fi_m, p, n, &fi_peer[peer & 1], fi_now);
}

/* Runs every deadline that is due at fi_now (bounded: each tick moves at least one
 * deadline forward or there is nothing left to do). */
static inline void fi_ticks(void)
{
	for (int i = 0; i < 8 && ipmi_deadline(&fi_m) <= fi_now; i++)
		ipmi_tick(&fi_m, fi_now);
}

/* The state of the engine, its SoL, the fake host, the users and the clock: a harness sets
 * up and logs in once, saves, and starts every input from the saved state. */
static struct {
	struct ipmi m;
	struct ipmi_session sess[FI_SESSIONS];
	struct host host;
	struct sol sol;
	struct ring ring;
	uint8_t ringbuf[FI_RING];
	struct users users;
	struct user user_tab[FUZZ_USERS_MAX];
	int64_t now;
} fi_saved;

static inline void fi_save(void)
{
	fi_saved.m = fi_m;
	memcpy(fi_saved.sess, fi_sess, sizeof(fi_sess));
	fi_saved.host = fi_host;
	fi_saved.sol = fi_sol;
	fi_saved.ring = fi_ring;
	memcpy(fi_saved.ringbuf, fi_ringbuf, sizeof(fi_ringbuf));
	fi_saved.users = fi_users;
	memcpy(fi_saved.user_tab, fi_user_tab, sizeof(fi_user_tab));
	fi_saved.now = fi_now;
}

/* Back to the saved state, the serial port up and taking 4096 bytes a write. */
static inline void fi_restore(void)
{
	fi_m = fi_saved.m;
	memcpy(fi_sess, fi_saved.sess, sizeof(fi_sess));
	fi_host = fi_saved.host;
	fi_sol = fi_saved.sol;
	fi_ring = fi_saved.ring;
	memcpy(fi_ringbuf, fi_saved.ringbuf, sizeof(fi_ringbuf));
	fi_users = fi_saved.users;
	memcpy(fi_user_tab, fi_saved.user_tab, sizeof(fi_user_tab));
	fi_now = fi_saved.now;
	fi_port_room = 4096;
	fi_port_up = true;
}

/* --- the console side (tests/unit/rmcp_client.h) ---------------------------------------- */

/* The answer to a pre-session packet sent from console peer *(int *)ctx. */
static inline const uint8_t *fi_send_presession(void *ctx, const uint8_t *pkt, size_t n,
						uint8_t pt)
{
	fi_nout = 0;
	fi_feed(pkt, n, *(const int *)ctx);
	if (fi_nout == 0)
		return NULL;
	const uint8_t *r = fi_out[fi_nout - 1];
	return fi_outlen[fi_nout - 1] >= 24 && r[5] == pt ? r : NULL;
}

/* Logs in as user/pw with the given suite's algorithms and role byte from console peer;
 * false if any step was refused. */
static inline bool fi_login(struct tc_session *c, uint8_t auth, uint8_t integ, uint8_t conf,
			    const char *user, const char *pw, uint8_t role, uint32_t con_sid,
			    int peer)
{
	uint8_t status;
	c->auth = auth;
	c->integ = integ;
	c->conf = conf;
	return tc_login(c, fi_send_presession, &peer, user, pw, role, con_sid, &status) == 0;
}

/* A session packet with the session's next sequence number (tc_protect). */
static inline size_t fi_protect(struct tc_session *c, uint8_t pt, const uint8_t *payload,
				size_t len, bool raw_conf, uint8_t *pkt, size_t cap)
{
	if (++c->seq == 0)
		c->seq = 1;
	return tc_protect(c, c->seq, pt, payload, len, raw_conf, pkt, cap);
}

/* A packet the engine sent into c's session must check and decrypt (tc_unprotect): a
 * console would drop anything else, so a failure is a bug in the engine's output. */
static inline size_t fi_check_reply(const struct tc_session *c, const uint8_t *pkt, size_t n,
				    uint8_t *out)
{
	const char *why = "";
	ssize_t r = tc_unprotect(c, pkt, n, out, &why);
	FUZZ_ASSERT(r >= 0, "session reply of %zu bytes: %s", n, why);
	return (size_t)r;
}

/* A response message's checksums. */
static inline void fi_check_msg(const uint8_t *r, size_t n)
{
	FUZZ_ASSERT(n >= 8, "IPMI response of %zu bytes", n);
	FUZZ_ASSERT((uint8_t)(r[0] + r[1] + r[2]) == 0, "header checksum");
	uint8_t s = 0;
	for (size_t i = 3; i < n; i++)
		s = (uint8_t)(s + r[i]);
	FUZZ_ASSERT(s == 0, "data checksum");
}

#endif
