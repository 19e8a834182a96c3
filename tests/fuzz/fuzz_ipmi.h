/*
 * The IPMI engine as the firmware wires it (session pool, SoL on a console ring, SDR
 * repository, FRU image, LAN facts, a temperature source), built around the fake host
 * model, plus a small RMCP+ console written for the harnesses: Open Session, RAKP 1/3
 * with the keys computed by BearSSL directly (not by proto/crypto.c), and packet
 * protection for every integrity/confidentiality combination bmcd offers.
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

/* --- the console side ------------------------------------------------------------------ */

struct fi_client {
	uint8_t auth, integ, conf;	/* algorithms negotiated */
	uint32_t bmc_sid, con_sid;
	uint8_t k1[32];
	size_t k1len, icv;
	uint8_t k2[16];
	uint32_t seq;			/* last session sequence number used */
	uint8_t rq_seq;
};

static inline const br_hash_class *fi_hash(uint8_t auth_alg)
{
	return auth_alg == 3 ? &br_sha256_vtable : &br_sha1_vtable;
}

/* HMAC over up to four pieces. */
static inline size_t fi_hmac(const br_hash_class *h, const void *key, size_t kl, const void *a,
			     size_t al, const void *b, size_t bl, const void *c, size_t cl,
			     const void *d, size_t dl, uint8_t *out)
{
	br_hmac_key_context kc;
	br_hmac_context hc;
	br_hmac_key_init(&kc, h, key, kl);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, a, al);
	br_hmac_update(&hc, b, bl);
	br_hmac_update(&hc, c, cl);
	br_hmac_update(&hc, d, dl);
	return br_hmac_out(&hc, out);
}

/* A pre-session RMCP+ packet (session ID 0) of payload type pt. */
static inline size_t fi_presession(uint8_t pt, const uint8_t *body, size_t bl, uint8_t *pkt)
{
	const uint8_t hdr[16] = { 6, 0, 0xFF, 7, 6, pt, 0, 0, 0, 0, 0, 0, 0, 0,
				  (uint8_t)bl, (uint8_t)(bl >> 8) };
	memcpy(pkt, hdr, 16);
	memcpy(pkt + 16, body, bl);
	return 16 + bl;
}

/* The last packet sent, if it is a pre-session reply of type pt with status 0. */
static inline const uint8_t *fi_reply(uint8_t pt)
{
	if (fi_nout == 0)
		return NULL;
	const uint8_t *r = fi_out[fi_nout - 1];
	if (fi_outlen[fi_nout - 1] < 24 || r[5] != pt || r[17] != 0)
		return NULL;
	return r;
}

/*
 * Logs in as user/pw with the given suite's algorithms and role byte; the whole RMCP+
 * handshake goes through ipmi_input. Returns false if any step was refused.
 */
static inline bool fi_login(struct fi_client *c, uint8_t auth, uint8_t integ, uint8_t conf,
		     const char *user, const char *pw, uint8_t role, uint32_t con_sid, int peer)
{
	uint8_t pkt[256], body[64];
	memset(c, 0, sizeof(*c));
	c->auth = auth;
	c->integ = integ;
	c->conf = conf;
	c->con_sid = con_sid;
	/* Open Session */
	memset(body, 0, 32);
	body[0] = 0x5A;
	put_u32le(body + 4, con_sid);
	for (int i = 0; i < 3; i++) {
		body[8 + 8 * i] = (uint8_t)i;
		body[8 + 8 * i + 3] = 8;
		body[8 + 8 * i + 4] = i == 0 ? auth : i == 1 ? integ : conf;
	}
	fi_nout = 0;
	fi_feed(pkt, fi_presession(0x10, body, 32, pkt), peer);
	const uint8_t *r = fi_reply(0x11);
	if (!r)
		return false;
	c->bmc_sid = get_u32le(r + 24);
	/* RAKP 1 */
	uint8_t rm[16], rc[16], ulen = (uint8_t)strlen(user);
	memset(rm, 0x6D, sizeof(rm));
	memset(body, 0, sizeof(body));
	body[0] = 0x5B;
	put_u32le(body + 4, c->bmc_sid);
	memcpy(body + 8, rm, 16);
	body[24] = role;
	body[27] = ulen;
	memcpy(body + 28, user, ulen);
	fi_nout = 0;
	fi_feed(pkt, fi_presession(0x12, body, 28u + ulen, pkt), peer);
	if (!(r = fi_reply(0x13)))
		return false;
	memcpy(rc, r + 24, 16);
	/* RAKP 3: HMAC_Kuid(Rc | SIDm | role | ulen | name) */
	uint8_t kuid[USER_PASS_MAX] = { 0 }, sidm[4], code[32], sik[32], k[32], c1[20], c2[20];
	memcpy(kuid, pw, strlen(pw));
	put_u32le(sidm, con_sid);
	const br_hash_class *h = fi_hash(auth);
	uint8_t rl[2] = { role, ulen };
	size_t ml = fi_hmac(h, kuid, sizeof(kuid), rc, 16, sidm, 4, rl, 2, user, ulen, code);
	memset(body, 0, sizeof(body));
	body[0] = 0x5C;
	put_u32le(body + 4, c->bmc_sid);
	memcpy(body + 8, code, ml);
	fi_nout = 0;
	fi_feed(pkt, fi_presession(0x14, body, 8 + ml, pkt), peer);
	if (!fi_reply(0x15))
		return false;
	/* SIK = HMAC_Kg(Rm | Rc | role | ulen | name), K_G = K_UID; K1/K2 = HMAC_SIK(const) */
	fi_hmac(h, kuid, sizeof(kuid), rm, 16, rc, 16, rl, 2, user, ulen, sik);
	memset(c1, 1, sizeof(c1));
	memset(c2, 2, sizeof(c2));
	fi_hmac(h, sik, ml, c1, 20, NULL, 0, NULL, 0, NULL, 0, k);
	c->k1len = integ == 4 ? 32 : 20;
	memcpy(c->k1, k, c->k1len);
	fi_hmac(h, sik, ml, c2, 20, NULL, 0, NULL, 0, NULL, 0, k);
	memcpy(c->k2, k, 16);
	c->icv = integ == 4 ? 16 : integ == 1 ? 12 : 0;
	return true;
}

/*
 * A session packet of payload type pt carrying payload, protected the way the session
 * requires. raw_conf: with confidentiality, encrypt payload as given (zero-filled to a
 * block) instead of adding the confidentiality trailer, so the engine's padding checks see
 * fuzz bytes. Returns the packet length, 0 if it does not fit.
 */
static inline size_t fi_protect(struct fi_client *c, uint8_t pt, const uint8_t *payload, size_t len,
			 bool raw_conf, uint8_t *pkt, size_t cap)
{
	struct wr w = wr_init(pkt, cap);
	static const uint8_t rmcp[4] = { 6, 0, 0xFF, 7 };
	wr_bytes(&w, rmcp, 4);
	wr_u8(&w, 6);
	wr_u8(&w, (uint8_t)(pt | (c->conf ? 0x80 : 0) | (c->integ ? 0x40 : 0)));
	wr_u32le(&w, c->bmc_sid);
	if (++c->seq == 0)
		c->seq = 1;
	wr_u32le(&w, c->seq);
	size_t len_at = w.len;
	wr_u16le(&w, 0);
	size_t body_at = w.len;
	if (c->conf) {
		uint8_t iv[16];
		memset(iv, 0x1F, 16);
		put_u32le(iv, c->seq);
		size_t pad = raw_conf ? (16 - len % 16) % 16 : (16 - (len + 1) % 16) % 16;
		size_t ct = raw_conf ? len + pad : len + pad + 1;
		if (ct == 0)
			ct = 16; /* an empty raw body still needs a block */
		wr_bytes(&w, iv, 16);
		uint8_t *p = wr_ptr(&w, ct);
		if (!p)
			return 0;
		memset(p, 0, ct);
		memcpy(p, payload, len);
		if (!raw_conf) {
			for (size_t i = 0; i < pad; i++)
				p[len + i] = (uint8_t)(i + 1);
			p[len + pad] = (uint8_t)pad;
		}
		br_aes_ct_cbcenc_keys ek;
		br_aes_ct_cbcenc_init(&ek, c->k2, 16);
		br_aes_ct_cbcenc_run(&ek, iv, p, ct);
	} else {
		wr_bytes(&w, payload, len);
	}
	if (w.err || w.len - body_at > 0xFFFF)
		return 0;
	put_u16le(pkt + len_at, (uint16_t)(w.len - body_at));
	if (c->integ) {
		size_t pad = (4 - (w.len - 4 + 2) % 4) % 4;
		wr_fill(&w, 0xFF, pad);
		wr_u8(&w, (uint8_t)pad);
		wr_u8(&w, 7);
		uint8_t mac[32];
		if (w.err)
			return 0;
		fi_hmac(c->integ == 4 ? &br_sha256_vtable : &br_sha1_vtable, c->k1, c->k1len,
			pkt + 4, w.len - 4, NULL, 0, NULL, 0, NULL, 0, mac);
		wr_bytes(&w, mac, c->icv);
	}
	return w.err ? 0 : w.len;
}

/*
 * Checks a packet the engine sent into client c's session: the integrity code verifies
 * with the client's K1 and the confidentiality trailer decrypts to a valid pad. A console
 * would drop anything else, so a failure here is a bug in the engine's output. The
 * plaintext payload goes to out (cap IPMI_PKT_MAX); returns its length.
 */
static inline size_t fi_check_reply(const struct fi_client *c, const uint8_t *pkt, size_t n,
				    uint8_t *out)
{
	FUZZ_ASSERT(n >= 16, "session reply of %zu bytes", n);
	size_t bl = get_u16le(pkt + 14);
	FUZZ_ASSERT(16 + bl <= n, "payload length %zu beyond the %zu-byte packet", bl, n);
	FUZZ_ASSERT(!!(pkt[5] & 0x80) == !!c->conf && !!(pkt[5] & 0x40) == !!c->integ,
		    "payload type 0x%02x does not match the session's algorithms", pkt[5]);
	if (c->integ) {
		FUZZ_ASSERT(n >= 16 + bl + 2 + c->icv, "no room for the integrity trailer");
		uint8_t pad = pkt[n - c->icv - 2];
		FUZZ_ASSERT(n == 16 + bl + pad + 2u + c->icv && pkt[n - c->icv - 1] == 7,
			    "malformed integrity trailer");
		FUZZ_ASSERT((n - c->icv - 4) % 4 == 0, "integrity data not 4-byte aligned");
		uint8_t mac[32];
		fi_hmac(c->integ == 4 ? &br_sha256_vtable : &br_sha1_vtable, c->k1, c->k1len,
			pkt + 4, n - 4 - c->icv, NULL, 0, NULL, 0, NULL, 0, mac);
		FUZZ_ASSERT(memcmp(mac, pkt + n - c->icv, c->icv) == 0, "bad integrity code");
	} else {
		FUZZ_ASSERT(n == 16 + bl, "trailing bytes without integrity");
	}
	if (!c->conf) {
		memcpy(out, pkt + 16, bl);
		return bl;
	}
	FUZZ_ASSERT(bl >= 32 && bl % 16 == 0, "encrypted payload of %zu bytes", bl);
	uint8_t iv[16];
	memcpy(iv, pkt + 16, 16);
	memcpy(out, pkt + 32, bl - 16);
	br_aes_ct_cbcdec_keys dk;
	br_aes_ct_cbcdec_init(&dk, c->k2, 16);
	br_aes_ct_cbcdec_run(&dk, iv, out, bl - 16);
	uint8_t pad = out[bl - 17];
	FUZZ_ASSERT(pad < 16, "confidentiality pad length %u", pad);
	for (uint8_t i = 0; i < pad; i++)
		FUZZ_ASSERT(out[bl - 17 - pad + i] == i + 1, "confidentiality pad byte");
	return bl - 17 - pad;
}

/* An IPMI request message: rsAddr 0x20, netfn/lun, checksums (bad ones when asked). */
static inline size_t fi_msg(uint8_t *b, uint8_t netfn_lun, uint8_t cmd, uint8_t rq_seq,
		     const uint8_t *data, size_t dl, bool bad_sum)
{
	b[0] = 0x20;
	b[1] = netfn_lun;
	b[2] = (uint8_t)-(b[0] + b[1]);
	b[3] = 0x81;
	b[4] = (uint8_t)(rq_seq << 2);
	b[5] = cmd;
	if (dl)
		memcpy(b + 6, data, dl);
	uint8_t s = 0;
	for (size_t i = 3; i < 6 + dl; i++)
		s = (uint8_t)(s + b[i]);
	b[6 + dl] = (uint8_t)(-s + (bad_sum ? 1 : 0));
	return 7 + dl;
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
