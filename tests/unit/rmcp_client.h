/*
 * The RMCP+ client the IPMI unit tests share: session keys, packet protection (HMAC
 * integrity, AES-CBC confidentiality) and its reverse, IPMI message framing, and a suite-17
 * login through Open Session and RAKP 1-4, all written from the specification with
 * BearSSL. The including test defines, before including this, the engine it drives:
 *   static unsigned char out[N][IPMI_PKT_MAX]; static size_t outlen[N]; static int nout;
 *   static void feed(const unsigned char *p, size_t n);  (one datagram in, answers in out)
 */
#ifndef BMCD_TEST_RMCP_CLIENT_H
#define BMCD_TEST_RMCP_CLIENT_H

#include <bearssl.h>
#include <string.h>

struct keys {
	unsigned char k1[32], k2[16];
	size_t k1len, icv;
	uint32_t bmc_sid, con_sid;
};

static size_t protect(const struct keys *k, uint32_t seq, const unsigned char *msg, size_t len,
		      unsigned char *pkt)
{
	unsigned char plain[512], iv[16];
	size_t pad = (16 - (len + 1) % 16) % 16, n = 0;
	memcpy(plain, msg, len);
	for (size_t i = 0; i < pad; i++)
		plain[len + i] = (unsigned char)(i + 1);
	plain[len + pad] = (unsigned char)pad;
	size_t plen = len + pad + 1;
	memset(iv, 0x5A, 16);
	const unsigned char hdr[4] = { 0x06, 0x00, 0xFF, 0x07 };
	memcpy(pkt, hdr, 4);
	n = 4;
	pkt[n++] = 0x06;
	pkt[n++] = 0xC0;
	memcpy(pkt + n, &k->bmc_sid, 4);
	n += 4;
	memcpy(pkt + n, &seq, 4);
	n += 4;
	uint16_t bl = (uint16_t)(16 + plen);
	memcpy(pkt + n, &bl, 2);
	n += 2;
	memcpy(pkt + n, iv, 16);
	br_aes_ct_cbcenc_keys ek;
	br_aes_ct_cbcenc_init(&ek, k->k2, 16);
	unsigned char ivc[16];
	memcpy(ivc, iv, 16);
	br_aes_ct_cbcenc_run(&ek, ivc, plain, plen);
	memcpy(pkt + n + 16, plain, plen);
	n += 16 + plen;
	size_t ipad = (4 - (n - 4 + 2) % 4) % 4;
	memset(pkt + n, 0xFF, ipad);
	n += ipad;
	pkt[n++] = (unsigned char)ipad;
	pkt[n++] = 0x07;
	br_hmac_key_context kc;
	br_hmac_context hc;
	br_hmac_key_init(&kc, k->icv == 16 ? &br_sha256_vtable : &br_sha1_vtable, k->k1, k->k1len);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, pkt + 4, n - 4);
	unsigned char mac[32];
	br_hmac_out(&hc, mac);
	memcpy(pkt + n, mac, k->icv);
	return n + k->icv;
}

/* Decrypts a protected response; returns the IPMI message length or 0. */
static size_t unprotect(const struct keys *k, const unsigned char *pkt, size_t n, unsigned char *msg)
{
	if (n < 16 + 16 + k->icv)
		return 0;
	br_hmac_key_context kc;
	br_hmac_context hc;
	br_hmac_key_init(&kc, k->icv == 16 ? &br_sha256_vtable : &br_sha1_vtable, k->k1, k->k1len);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, pkt + 4, n - 4 - k->icv);
	unsigned char mac[32];
	br_hmac_out(&hc, mac);
	if (memcmp(mac, pkt + n - k->icv, k->icv) != 0)
		return 0;
	uint16_t bl = (uint16_t)(pkt[14] | pkt[15] << 8);
	unsigned char iv[16], buf[512];
	memcpy(iv, pkt + 16, 16);
	memcpy(buf, pkt + 32, bl - 16u);
	br_aes_ct_cbcdec_keys dk;
	br_aes_ct_cbcdec_init(&dk, k->k2, 16);
	br_aes_ct_cbcdec_run(&dk, iv, buf, bl - 16u);
	size_t len = bl - 16u - buf[bl - 17u] - 1u;
	memcpy(msg, buf, len);
	return len;
}

static size_t mkmsg(unsigned char *b, uint8_t netfn, uint8_t cmd, uint8_t seq, const void *data,
		    size_t dl)
{
	b[0] = 0x20;
	b[1] = (uint8_t)(netfn << 2);
	b[2] = (uint8_t)-(b[0] + b[1]);
	b[3] = 0x81;
	b[4] = (uint8_t)(seq << 2);
	b[5] = cmd;
	if (dl)
		memcpy(b + 6, data, dl);
	uint8_t s = 0;
	for (size_t i = 3; i < 6 + dl; i++)
		s = (uint8_t)(s + b[i]);
	b[6 + dl] = (uint8_t)-s;
	return 7 + dl;
}

/* Opens a session for user/password with suite 17; returns keys via the test's own code. */
static int login(const char *user, const char *pw, uint8_t role, struct keys *k, uint8_t *status)
{
	unsigned char p[128];
	const unsigned char hdr[16] = { 6, 0, 0xFF, 7, 6, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0 };
	memcpy(p, hdr, 16);
	unsigned char os[32] = { 7, 0, 0, 0, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 8, 3, 0, 0, 0,
				 1, 0, 0, 8, 4, 0, 0, 0, 2, 0, 0, 8, 1, 0, 0, 0 };
	memcpy(p + 16, os, 32);
	feed(p, 48);
	if (nout != 1 || out[0][17] != 0) {
		*status = nout == 1 ? out[0][17] : 0xFF;
		return -1;
	}
	memcpy(&k->bmc_sid, out[0] + 16 + 8, 4);
	k->con_sid = 0x44332211;
	unsigned char rm[16];
	memset(rm, 0x77, 16);
	size_t ul = strlen(user);
	unsigned char r1[64] = { 8, 0, 0, 0 };
	memcpy(r1 + 4, &k->bmc_sid, 4);
	memcpy(r1 + 8, rm, 16);
	r1[24] = role;
	r1[27] = (unsigned char)ul;
	memcpy(r1 + 28, user, ul);
	memcpy(p, hdr, 16);
	p[5] = 0x12;
	p[14] = (unsigned char)(28 + ul);
	memcpy(p + 16, r1, 28 + ul);
	feed(p, 16 + 28 + ul);
	if (nout != 1 || out[0][17] != 0) {
		*status = nout == 1 ? out[0][17] : 0xFF;
		return -1;
	}
	unsigned char rc[16];
	memcpy(rc, out[0] + 16 + 8, 16);
	unsigned char kuid[20] = { 0 };
	memcpy(kuid, pw, strlen(pw));
	br_hmac_key_context kc;
	br_hmac_context hc;
	unsigned char code[32], sik[32];
	unsigned char ulb = (unsigned char)ul;
	/* RAKP3 */
	br_hmac_key_init(&kc, &br_sha256_vtable, kuid, 20);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, rc, 16);
	br_hmac_update(&hc, &k->con_sid, 4);
	br_hmac_update(&hc, &role, 1);
	br_hmac_update(&hc, &ulb, 1);
	br_hmac_update(&hc, user, ul);
	br_hmac_out(&hc, code);
	unsigned char r3[40] = { 9, 0, 0, 0 };
	memcpy(r3 + 4, &k->bmc_sid, 4);
	memcpy(r3 + 8, code, 32);
	memcpy(p, hdr, 16);
	p[5] = 0x14;
	p[14] = 40;
	memcpy(p + 16, r3, 40);
	feed(p, 56);
	if (nout != 1 || out[0][17] != 0) {
		*status = nout == 1 ? out[0][17] : 0xFF;
		return -1;
	}
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, rm, 16);
	br_hmac_update(&hc, rc, 16);
	br_hmac_update(&hc, &role, 1);
	br_hmac_update(&hc, &ulb, 1);
	br_hmac_update(&hc, user, ul);
	br_hmac_out(&hc, sik);
	unsigned char c1[20], c2[20], k2full[32];
	memset(c1, 1, 20);
	memset(c2, 2, 20);
	br_hmac_key_init(&kc, &br_sha256_vtable, sik, 32);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, c1, 20);
	br_hmac_out(&hc, k->k1);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, c2, 20);
	br_hmac_out(&hc, k2full);
	memcpy(k->k2, k2full, 16);
	k->k1len = 32;
	k->icv = 16;
	*status = 0;
	return 0;
}

#endif
