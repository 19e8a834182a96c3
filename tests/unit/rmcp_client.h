/*
 * The RMCP+ client the IPMI tests share (the unit tests, the fuzz harnesses through
 * tests/fuzz/fuzz_ipmi.h): Open Session and RAKP 1/3 with the keys computed by BearSSL
 * directly (not by proto/crypto.c), packet protection for every integrity/confidentiality
 * combination bmcd offers and its reverse, and IPMI message framing, all written from the
 * specification.
 *
 * tc_login runs over a transport the caller gives (tc_send_fn). The unit tests' shorthands
 * at the end (protect, unprotect, login: suite 17 over the test's own engine) need the
 * including test to define, before including this:
 *   static unsigned char out[N][IPMI_PKT_MAX]; static size_t outlen[N]; static int nout;
 *   static void feed(const unsigned char *p, size_t n);  (one datagram in, answers in out)
 * A harness without them defines RMCP_CLIENT_NO_FEED first.
 */
#ifndef BMCD_TEST_RMCP_CLIENT_H
#define BMCD_TEST_RMCP_CLIENT_H

#include <bearssl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/types.h>

#include "../../proto/cursor.h"
#include "../../proto/users.h"

/* One console's session: the algorithms negotiated (auth 1 HMAC-SHA1, 3 HMAC-SHA256;
 * integ 0 none, 1 HMAC-SHA1-96, 4 HMAC-SHA256-128; conf 0 none, 1 AES-CBC-128), the
 * session IDs and the keys. */
struct tc_session {
	uint8_t auth, integ, conf;
	uint32_t bmc_sid, con_sid;
	uint8_t k1[32];
	size_t k1len, icv;
	uint8_t k2[16];
	uint32_t seq;			/* last session sequence number used (rc users' own) */
	uint8_t rq_seq;
};

static inline const br_hash_class *tc_hash(uint8_t auth_alg)
{
	return auth_alg == 3 ? &br_sha256_vtable : &br_sha1_vtable;
}

/* HMAC over up to four pieces. */
static inline size_t tc_hmac(const br_hash_class *h, const void *key, size_t kl, const void *a,
			     size_t al, const void *b, size_t bl, const void *c, size_t cl,
			     const void *d, size_t dl, uint8_t *mac)
{
	br_hmac_key_context kc;
	br_hmac_context hc;
	br_hmac_key_init(&kc, h, key, kl);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, a, al);
	br_hmac_update(&hc, b, bl);
	br_hmac_update(&hc, c, cl);
	br_hmac_update(&hc, d, dl);
	return br_hmac_out(&hc, mac);
}

/* An IPMI request message: rsAddr 0x20, netfn/lun, checksums (a bad data checksum when
 * asked). */
static inline size_t tc_msg(uint8_t *b, uint8_t netfn_lun, uint8_t cmd, uint8_t rq_seq,
			    const void *data, size_t dl, bool bad_sum)
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

static inline size_t mkmsg(unsigned char *b, uint8_t netfn, uint8_t cmd, uint8_t seq,
			   const void *data, size_t dl)
{
	return tc_msg(b, (uint8_t)(netfn << 2), cmd, seq, data, dl, false);
}

/* A pre-session RMCP+ packet (session ID 0) of payload type pt. */
static inline size_t tc_presession(uint8_t pt, const uint8_t *body, size_t bl, uint8_t *pkt)
{
	const uint8_t hdr[16] = { 6, 0, 0xFF, 7, 6, pt, 0, 0, 0, 0, 0, 0, 0, 0,
				  (uint8_t)bl, (uint8_t)(bl >> 8) };
	memcpy(pkt, hdr, 16);
	memcpy(pkt + 16, body, bl);
	return 16 + bl;
}

/* Sends one pre-session packet; returns the answer if it is a pre-session packet of
 * payload type pt (its status code at [17]), else NULL. */
typedef const uint8_t *(*tc_send_fn)(void *ctx, const uint8_t *pkt, size_t n, uint8_t pt);

/*
 * Logs in as user/pw with c's algorithms (c->auth, integ, conf) and the role byte; the
 * whole RMCP+ handshake goes through send. Returns 0, or -1 with the refusing step's status
 * code in *status (0xFF: no answer).
 */
static inline int tc_login(struct tc_session *c, tc_send_fn send, void *ctx, const char *user,
			   const char *pw, uint8_t role, uint32_t con_sid, uint8_t *status)
{
	uint8_t pkt[256], body[64];
	uint8_t auth = c->auth, integ = c->integ, conf = c->conf;
	memset(c, 0, sizeof(*c));
	c->auth = auth;
	c->integ = integ;
	c->conf = conf;
	c->con_sid = con_sid;
	*status = 0xFF;
	/* Open Session */
	memset(body, 0, 32);
	body[0] = 0x5A;
	put_u32le(body + 4, con_sid);
	for (int i = 0; i < 3; i++) {
		body[8 + 8 * i] = (uint8_t)i;
		body[8 + 8 * i + 3] = 8;
		body[8 + 8 * i + 4] = i == 0 ? auth : i == 1 ? integ : conf;
	}
	const uint8_t *r = send(ctx, pkt, tc_presession(0x10, body, 32, pkt), 0x11);
	if (!r || r[17] != 0)
		return *status = r ? r[17] : 0xFF, -1;
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
	r = send(ctx, pkt, tc_presession(0x12, body, 28u + ulen, pkt), 0x13);
	if (!r || r[17] != 0)
		return *status = r ? r[17] : 0xFF, -1;
	memcpy(rc, r + 24, 16);
	/* RAKP 3: HMAC_Kuid(Rc | SIDm | role | ulen | name) */
	uint8_t kuid[USER_PASS_MAX] = { 0 }, sidm[4], code[32], sik[32], k[32], c1[20], c2[20];
	memcpy(kuid, pw, strlen(pw));
	put_u32le(sidm, con_sid);
	const br_hash_class *h = tc_hash(auth);
	uint8_t rl[2] = { role, ulen };
	size_t ml = tc_hmac(h, kuid, sizeof(kuid), rc, 16, sidm, 4, rl, 2, user, ulen, code);
	memset(body, 0, sizeof(body));
	body[0] = 0x5C;
	put_u32le(body + 4, c->bmc_sid);
	memcpy(body + 8, code, ml);
	r = send(ctx, pkt, tc_presession(0x14, body, 8 + ml, pkt), 0x15);
	if (!r || r[17] != 0)
		return *status = r ? r[17] : 0xFF, -1;
	/* SIK = HMAC_Kg(Rm | Rc | role | ulen | name), K_G = K_UID; K1/K2 = HMAC_SIK(const) */
	tc_hmac(h, kuid, sizeof(kuid), rm, 16, rc, 16, rl, 2, user, ulen, sik);
	memset(c1, 1, sizeof(c1));
	memset(c2, 2, sizeof(c2));
	tc_hmac(h, sik, ml, c1, 20, NULL, 0, NULL, 0, NULL, 0, k);
	c->k1len = integ == 4 ? 32 : 20;
	memcpy(c->k1, k, c->k1len);
	tc_hmac(h, sik, ml, c2, 20, NULL, 0, NULL, 0, NULL, 0, k);
	memcpy(c->k2, k, 16);
	c->icv = integ == 4 ? 16 : integ == 1 ? 12 : 0;
	*status = 0;
	return 0;
}

/*
 * A session packet of payload type pt with sequence number seq carrying payload, protected
 * the way the session requires. raw_conf: with confidentiality, encrypt payload as given
 * (zero-filled to a block) instead of adding the confidentiality trailer, so the engine's
 * padding checks see the caller's bytes. Returns the packet length, 0 if it does not fit.
 */
static inline size_t tc_protect(const struct tc_session *c, uint32_t seq, uint8_t pt,
				const uint8_t *payload, size_t len, bool raw_conf, uint8_t *pkt,
				size_t cap)
{
	struct wr w = wr_init(pkt, cap);
	static const uint8_t rmcp[4] = { 6, 0, 0xFF, 7 };
	wr_bytes(&w, rmcp, 4);
	wr_u8(&w, 6);
	wr_u8(&w, (uint8_t)(pt | (c->conf ? 0x80 : 0) | (c->integ ? 0x40 : 0)));
	wr_u32le(&w, c->bmc_sid);
	wr_u32le(&w, seq);
	size_t len_at = w.len;
	wr_u16le(&w, 0);
	size_t body_at = w.len;
	if (c->conf) {
		uint8_t iv[16];
		memset(iv, 0x1F, 16);
		put_u32le(iv, seq);
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
		tc_hmac(c->integ == 4 ? &br_sha256_vtable : &br_sha1_vtable, c->k1, c->k1len,
			pkt + 4, w.len - 4, NULL, 0, NULL, 0, NULL, 0, mac);
		wr_bytes(&w, mac, c->icv);
	}
	return w.err ? 0 : w.len;
}

/*
 * Checks a packet the engine sent into session c: the payload type's bits match the
 * session, the integrity code verifies with K1 and the confidentiality trailer decrypts to
 * a valid pad (a console would drop anything else). The plaintext payload goes to plain
 * (room for IPMI_PKT_MAX); returns its length, or -1 with what is wrong in *why.
 */
static inline ssize_t tc_unprotect(const struct tc_session *c, const uint8_t *pkt, size_t n,
				   uint8_t *plain, const char **why)
{
#define TC_BAD(text)                                                                       \
	do {                                                                               \
		*why = text;                                                               \
		return -1;                                                                 \
	} while (0)
	if (n < 16)
		TC_BAD("session packet shorter than its header");
	size_t bl = get_u16le(pkt + 14);
	if (16 + bl > n)
		TC_BAD("payload length beyond the packet");
	if (!!(pkt[5] & 0x80) != !!c->conf || !!(pkt[5] & 0x40) != !!c->integ)
		TC_BAD("payload type does not match the session's algorithms");
	if (c->integ) {
		if (n < 16 + bl + 2 + c->icv)
			TC_BAD("no room for the integrity trailer");
		uint8_t pad = pkt[n - c->icv - 2];
		if (n != 16 + bl + pad + 2u + c->icv || pkt[n - c->icv - 1] != 7)
			TC_BAD("malformed integrity trailer");
		if ((n - c->icv - 4) % 4 != 0)
			TC_BAD("integrity data not 4-byte aligned");
		uint8_t mac[32];
		tc_hmac(c->integ == 4 ? &br_sha256_vtable : &br_sha1_vtable, c->k1, c->k1len,
			pkt + 4, n - 4 - c->icv, NULL, 0, NULL, 0, NULL, 0, mac);
		if (memcmp(mac, pkt + n - c->icv, c->icv) != 0)
			TC_BAD("bad integrity code");
	} else if (n != 16 + bl) {
		TC_BAD("trailing bytes without integrity");
	}
	if (!c->conf) {
		memcpy(plain, pkt + 16, bl);
		return (ssize_t)bl;
	}
	if (bl < 32 || bl % 16 != 0)
		TC_BAD("encrypted payload not whole blocks after the IV");
	uint8_t iv[16];
	memcpy(iv, pkt + 16, 16);
	memcpy(plain, pkt + 32, bl - 16);
	br_aes_ct_cbcdec_keys dk;
	br_aes_ct_cbcdec_init(&dk, c->k2, 16);
	br_aes_ct_cbcdec_run(&dk, iv, plain, bl - 16);
	uint8_t pad = plain[bl - 17];
	if (pad >= 16)
		TC_BAD("confidentiality pad length");
	for (uint8_t i = 0; i < pad; i++)
		if (plain[bl - 17 - pad + i] != i + 1)
			TC_BAD("confidentiality pad byte");
	return (ssize_t)(bl - 17 - pad);
#undef TC_BAD
}

#ifndef RMCP_CLIENT_NO_FEED
/* --- the unit tests' shorthands: suite 17 (HMAC-SHA256, HMAC-SHA256-128, AES-CBC-128) over
 * the including test's feed() and out[] ----------------------------------------------- */

static size_t protect(const struct tc_session *k, uint32_t seq, const unsigned char *msg,
		      size_t len, unsigned char *pkt)
{
	return tc_protect(k, seq, 0, msg, len, false, pkt, 512);
}

/* Checks and decrypts an answer; returns the IPMI message length or 0. */
static size_t unprotect(const struct tc_session *k, const unsigned char *pkt, size_t n,
			unsigned char *msg)
{
	const char *why;
	ssize_t r = tc_unprotect(k, pkt, n, msg, &why);
	return r < 0 ? 0 : (size_t)r;
}

static const uint8_t *feed_one(void *ctx, const uint8_t *pkt, size_t n, uint8_t pt)
{
	(void)ctx;
	(void)pt;
	feed(pkt, n);
	return nout == 1 ? out[0] : NULL;
}

/* Opens a session for user/password with suite 17. */
static int login(const char *user, const char *pw, uint8_t role, struct tc_session *k,
		 uint8_t *status)
{
	k->auth = 3;
	k->integ = 4;
	k->conf = 1;
	return tc_login(k, feed_one, NULL, user, pw, role, 0x44332211, status);
}
#endif

#endif
