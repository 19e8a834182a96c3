/*
 * RMCP+ console side for the benchmark client. See rmcpc.h.
 */
#include "rmcpc.h"

#include <string.h>

static const br_block_cbcenc_class *aes_ev;
static const br_block_cbcdec_class *aes_dv;

static void aes_pick(void)
{
	if (aes_ev)
		return;
	aes_ev = br_aes_x86ni_cbcenc_get_vtable();
	aes_dv = br_aes_x86ni_cbcdec_get_vtable();
	if (!aes_ev || !aes_dv) {
		aes_ev = &br_aes_ct_cbcenc_vtable;
		aes_dv = &br_aes_ct_cbcdec_vtable;
	}
}

const char *rc_aes_impl(void)
{
	aes_pick();
	return aes_ev == &br_aes_ct_cbcenc_vtable ? "bearssl-ct" : "aes-ni";
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); } /* x86/ARM: little-endian */
static uint32_t get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

void rc_init(struct rc_sess *s, int suite, const char *user, const char *pass, uint8_t role,
	     uint32_t con_sid)
{
	memset(s, 0, sizeof(*s));
	aes_pick();
	s->suite = suite;
	s->hash = suite == 3 ? FM_SHA1 : FM_SHA256;
	s->icv = suite == 3 ? 12 : 16;
	size_t ul = strlen(user);
	if (ul > 16)
		ul = 16;
	memcpy(s->user, user, ul);
	s->ulen = (uint8_t)ul;
	size_t pl = strlen(pass);
	memcpy(s->kuid, pass, pl > 20 ? 20 : pl);
	s->role = role;
	s->con_sid = con_sid;
	/* Rm: any 16 bytes unique enough for a benchmark */
	for (int i = 0; i < 16; i++)
		s->rm[i] = (uint8_t)(con_sid >> (8 * (i & 3))) ^ (uint8_t)(i * 29 + 7);
}

static size_t hdr20(uint8_t *pkt, uint8_t ptype, uint32_t sid, uint32_t seq, uint16_t len)
{
	pkt[0] = 0x06;
	pkt[1] = 0x00;
	pkt[2] = 0xFF;
	pkt[3] = 0x07;
	pkt[4] = 0x06;
	pkt[5] = ptype;
	put32(pkt + 6, sid);
	put32(pkt + 10, seq);
	pkt[14] = (uint8_t)len;
	pkt[15] = (uint8_t)(len >> 8);
	return 16;
}

int rc_peek(const uint8_t *pkt, size_t n, uint32_t *sid)
{
	if (n < 16 || pkt[0] != 0x06 || pkt[2] != 0xFF || pkt[3] != 0x07 || pkt[4] != 0x06)
		return -1;
	if (sid)
		*sid = get32(pkt + 6);
	return pkt[5] & 0x3F;
}

/* The payload of an unauthenticated pre-session packet of type want, or NULL. */
static const uint8_t *pre_payload(struct rc_sess *s, const uint8_t *pkt, size_t n, int want,
				  size_t *len)
{
	if (rc_peek(pkt, n, NULL) != want) {
		s->why = "unexpected payload type";
		return NULL;
	}
	size_t l = (size_t)(pkt[14] | pkt[15] << 8);
	if (16 + l > n) {
		s->why = "truncated";
		return NULL;
	}
	*len = l;
	return pkt + 16;
}

size_t rc_open_req(struct rc_sess *s, uint8_t *pkt)
{
	static const uint8_t alg[2][3] = { { 1, 1, 1 }, { 3, 4, 1 } };
	const uint8_t *a = alg[s->suite == 17];
	size_t n = hdr20(pkt, PT_OPEN_REQ, 0, 0, 32);
	uint8_t *p = pkt + n;
	memset(p, 0, 32);
	p[0] = ++s->tag;
	p[1] = s->role & 0x0F;
	put32(p + 4, s->con_sid);
	for (int i = 0; i < 3; i++) {
		p[8 + 8 * i] = (uint8_t)i;
		p[8 + 8 * i + 3] = 8;
		p[8 + 8 * i + 4] = a[i];
	}
	s->established = false;
	return n + 32;
}

int rc_open_rsp(struct rc_sess *s, const uint8_t *pkt, size_t n)
{
	static const uint8_t alg[2][3] = { { 1, 1, 1 }, { 3, 4, 1 } };
	size_t l;
	const uint8_t *p = pre_payload(s, pkt, n, PT_OPEN_RSP, &l);
	if (!p)
		return -1;
	if (l < 2 || p[0] != s->tag) {
		s->why = "open session response: short or wrong tag";
		return -1;
	}
	if (p[1] != 0) /* an error answer may be only tag + status (OpenIPMI's is) */
		return p[1];
	if (l < 36 || get32(p + 4) != s->con_sid) {
		s->why = "open session response: short or wrong console session ID";
		return -1;
	}
	const uint8_t *a = alg[s->suite == 17];
	for (int i = 0; i < 3; i++) {
		if ((p[12 + 8 * i + 4] & 0x3F) != a[i]) {
			s->why = "open session response: the BMC chose other algorithms";
			return -1;
		}
	}
	s->bmc_sid = get32(p + 8);
	return 0;
}

size_t rc_rakp1(struct rc_sess *s, uint8_t *pkt)
{
	size_t n = hdr20(pkt, PT_RAKP1, 0, 0, (uint16_t)(28 + s->ulen));
	uint8_t *p = pkt + n;
	memset(p, 0, 28);
	p[0] = ++s->tag;
	put32(p + 4, s->bmc_sid);
	/* a fresh Rm per handshake */
	for (int i = 0; i < 16; i++)
		s->rm[i] = (uint8_t)(s->rm[i] * 73 + 41 + s->tag);
	memcpy(p + 8, s->rm, 16);
	p[24] = s->role;
	p[27] = s->ulen;
	memcpy(p + 28, s->user, s->ulen);
	return n + 28 + s->ulen;
}

static void hmac_once(int alg, const void *key, size_t kl, const void *d, size_t dl, uint8_t *out)
{
	struct fmac m;
	fmac_init(&m, alg, key, kl);
	fmac_run(&m, d, dl, out);
}

static bool ct_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;
	for (size_t i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

int rc_rakp2(struct rc_sess *s, const uint8_t *pkt, size_t n)
{
	size_t l, hl = s->hash == FM_SHA1 ? 20 : 32;
	const uint8_t *p = pre_payload(s, pkt, n, PT_RAKP2, &l);
	if (!p)
		return -1;
	if (l < 2 || p[0] != s->tag) {
		s->why = "RAKP2: short or wrong tag";
		return -1;
	}
	if (p[1] != 0) /* an error answer may be only tag + status (OpenIPMI's is) */
		return p[1];
	if (l < 40 + hl || get32(p + 4) != s->con_sid) {
		s->why = "RAKP2: short or wrong session ID";
		return -1;
	}
	memcpy(s->rc, p + 8, 16);
	memcpy(s->guid, p + 24, 16);
	uint8_t buf[128], mac[32];
	size_t k = 0;
	put32(buf + k, s->con_sid);
	k += 4;
	put32(buf + k, s->bmc_sid);
	k += 4;
	memcpy(buf + k, s->rm, 16);
	k += 16;
	memcpy(buf + k, s->rc, 16);
	k += 16;
	memcpy(buf + k, s->guid, 16);
	k += 16;
	buf[k++] = s->role;
	buf[k++] = s->ulen;
	memcpy(buf + k, s->user, s->ulen);
	k += s->ulen;
	hmac_once(s->hash, s->kuid, 20, buf, k, mac);
	if (!ct_eq(mac, p + 40, hl)) {
		s->why = "RAKP2: key exchange authentication code does not verify";
		return -1;
	}
	return 0;
}

size_t rc_rakp3(struct rc_sess *s, uint8_t *pkt)
{
	size_t hl = s->hash == FM_SHA1 ? 20 : 32;
	uint8_t buf[64], c[20];
	size_t k = 0;
	memcpy(buf, s->rc, 16);
	k = 16;
	put32(buf + k, s->con_sid);
	k += 4;
	buf[k++] = s->role;
	buf[k++] = s->ulen;
	memcpy(buf + k, s->user, s->ulen);
	k += s->ulen;
	size_t n = hdr20(pkt, PT_RAKP3, 0, 0, (uint16_t)(8 + hl));
	uint8_t *p = pkt + n;
	memset(p, 0, 8);
	p[0] = ++s->tag;
	put32(p + 4, s->bmc_sid);
	hmac_once(s->hash, s->kuid, 20, buf, k, p + 8);
	/* SIK = HMAC_KG(Rm, Rc, role, ulen, user), K_G = K_UID */
	k = 0;
	memcpy(buf, s->rm, 16);
	memcpy(buf + 16, s->rc, 16);
	k = 32;
	buf[k++] = s->role;
	buf[k++] = s->ulen;
	memcpy(buf + k, s->user, s->ulen);
	k += s->ulen;
	hmac_once(s->hash, s->kuid, 20, buf, k, s->sik);
	uint8_t k1[32], k2[32];
	memset(c, 1, 20);
	hmac_once(s->hash, s->sik, hl, c, 20, k1);
	memset(c, 2, 20);
	hmac_once(s->hash, s->sik, hl, c, 20, k2);
	fmac_init(&s->k1mac, s->hash, k1, hl);
	aes_ev->init(&s->enc.vtable, k2, 16);
	aes_dv->init(&s->dec.vtable, k2, 16);
	return n + 8 + hl;
}

int rc_rakp4(struct rc_sess *s, const uint8_t *pkt, size_t n)
{
	size_t l, hl = s->hash == FM_SHA1 ? 20 : 32;
	const uint8_t *p = pre_payload(s, pkt, n, PT_RAKP4, &l);
	if (!p)
		return -1;
	if (l < 2 || p[0] != s->tag) {
		s->why = "RAKP4: short or wrong tag";
		return -1;
	}
	if (p[1] != 0) /* an error answer may be only tag + status (OpenIPMI's is) */
		return p[1];
	if (l < 8 + s->icv || get32(p + 4) != s->con_sid) {
		s->why = "RAKP4: short or wrong session ID";
		return -1;
	}
	uint8_t buf[36], mac[32];
	memcpy(buf, s->rm, 16);
	put32(buf + 16, s->bmc_sid);
	memcpy(buf + 20, s->guid, 16);
	hmac_once(s->hash, s->sik, hl, buf, 36, mac);
	if (!ct_eq(mac, p + 8, s->icv)) {
		s->why = "RAKP4: integrity check value does not verify";
		return -1;
	}
	s->seq_out = 0;
	s->established = true;
	return 0;
}

size_t rc_ipmi_msg(uint8_t *b, uint8_t netfn, uint8_t cmd, uint8_t rqseq, const void *data,
		   size_t dl)
{
	b[0] = 0x20;
	b[1] = (uint8_t)(netfn << 2);
	b[2] = (uint8_t)-(b[0] + b[1]);
	b[3] = 0x81;
	b[4] = (uint8_t)(rqseq << 2);
	b[5] = cmd;
	if (dl)
		memcpy(b + 6, data, dl);
	uint8_t sum = 0;
	for (size_t i = 3; i < 6 + dl; i++)
		sum = (uint8_t)(sum + b[i]);
	b[6 + dl] = (uint8_t)-sum;
	return 7 + dl;
}

size_t rc_protect(struct rc_sess *s, uint8_t ptype, const uint8_t *payload, size_t len,
		  uint8_t *pkt)
{
	size_t pad = (16 - (len + 1) % 16) % 16;
	size_t plen = len + pad + 1;
	uint8_t *iv = pkt + 16, *ct = pkt + 32, ivc[16];
	size_t n = hdr20(pkt, (uint8_t)(0xC0 | ptype), s->bmc_sid, ++s->seq_out,
			 (uint16_t)(16 + plen));
	/* IV: unique per packet (a counter mixed with the session); the benchmark needs
	 * uniqueness, not unpredictability */
	uint64_t c = ++s->ivctr;
	memcpy(iv, &c, 8);
	memcpy(iv + 8, &s->con_sid, 4);
	memcpy(iv + 12, &s->bmc_sid, 4);
	memcpy(ct, payload, len);
	for (size_t i = 0; i < pad; i++)
		ct[len + i] = (uint8_t)(i + 1);
	ct[len + pad] = (uint8_t)pad;
	memcpy(ivc, iv, 16);
	aes_ev->run(&s->enc.vtable, ivc, ct, plen);
	n += 16 + plen;
	size_t ipad = (4 - (n - 4 + 2) % 4) % 4;
	memset(pkt + n, 0xFF, ipad);
	n += ipad;
	pkt[n++] = (uint8_t)ipad;
	pkt[n++] = 0x07;
	uint8_t mac[32];
	fmac_run(&s->k1mac, pkt + 4, n - 4, mac);
	memcpy(pkt + n, mac, s->icv);
	return n + s->icv;
}

int rc_unprotect(const struct rc_sess *s, const uint8_t *pkt, size_t n, uint8_t *out, int *ptype)
{
	uint32_t sid;
	int pt = rc_peek(pkt, n, &sid);
	if (pt < 0 || (pkt[5] & 0xC0) != 0xC0 || sid != s->con_sid)
		return -1;
	size_t bl = (size_t)(pkt[14] | pkt[15] << 8);
	if (n < 16 + bl + 2 + s->icv || bl < 32 || (bl - 16) % 16 != 0 || pkt[n - s->icv - 1] != 0x07)
		return -1;
	uint8_t mac[32];
	fmac_run(&s->k1mac, pkt + 4, n - 4 - s->icv, mac);
	if (!ct_eq(mac, pkt + n - s->icv, s->icv))
		return -1;
	uint8_t iv[16];
	memcpy(iv, pkt + 16, 16);
	size_t cl = bl - 16;
	memcpy(out, pkt + 32, cl);
	aes_dv->run(&s->dec.vtable, iv, out, cl);
	size_t padn = out[cl - 1];
	if (padn + 1 > cl)
		return -1;
	*ptype = pt;
	return (int)(cl - padn - 1);
}

int rc_ipmi_rsp(const uint8_t *m, size_t n, uint8_t netfn, uint8_t cmd, uint8_t rqseq,
		const uint8_t **data, size_t *dlen)
{
	if (n < 8 || m[0] != 0x81 || (m[1] >> 2) != (uint8_t)(netfn + 1) || m[5] != cmd ||
	    (m[4] >> 2) != (rqseq & 0x3F))
		return -1;
	if ((uint8_t)(m[0] + m[1] + m[2]) != 0)
		return -1;
	uint8_t sum = 0;
	for (size_t i = 3; i < n; i++)
		sum = (uint8_t)(sum + m[i]);
	if (sum != 0)
		return -1;
	if (data) {
		*data = m + 7;
		*dlen = n - 8;
	}
	return m[6];
}

size_t rc_asf_ping(uint8_t *p, uint8_t tag)
{
	static const uint8_t ping[12] = { 0x06, 0x00, 0xFF, 0x06, 0x00, 0x00, 0x11, 0xBE,
					  0x80, 0x00, 0x00, 0x00 };
	memcpy(p, ping, 12);
	p[9] = tag;
	return 12;
}

bool rc_is_pong(const uint8_t *p, size_t n)
{
	return n >= 10 && p[0] == 0x06 && p[3] == 0x06 && p[8] == 0x40;
}

size_t rc_authcap_req(uint8_t *p, uint8_t rqseq)
{
	static const uint8_t h[14] = { 0x06, 0x00, 0xFF, 0x07, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 9 };
	memcpy(p, h, 14);
	uint8_t data[2] = { 0x8E, 0x04 };
	return 14 + rc_ipmi_msg(p + 14, 0x06, 0x38, rqseq, data, 2);
}

bool rc_is_authcap_rsp(const uint8_t *p, size_t n)
{
	return n >= 21 && p[0] == 0x06 && p[3] == 0x07 && p[4] == 0x00 && p[19] == 0x38;
}
