/*
 * HMAC on SHA-NI (x86-64 SHA extensions) with a BearSSL fallback. See fastmac.h.
 *
 * The SHA-NI compression functions follow the structure of Intel's published reference
 * (the SHA-256 message schedule with sha256msg1/msg2, SHA-1 with sha1msg1/msg2/nexte),
 * written as loops over a ring of four message vectors.
 */
#include "fastmac.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_X86 1
#endif

static int ni_state = -1; /* -1 unknown, 0 no, 1 yes */

#ifdef HAVE_X86
static const uint32_t K256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

__attribute__((target("sha,sse4.1,ssse3"))) static void sha256_ni(uint32_t st[8],
								    const uint8_t *p, size_t nblk)
{
	const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i tmp = _mm_loadu_si128((const __m128i *)&st[0]);
	__m128i s1 = _mm_loadu_si128((const __m128i *)&st[4]);
	tmp = _mm_shuffle_epi32(tmp, 0xB1);	     /* CDAB */
	s1 = _mm_shuffle_epi32(s1, 0x1B);	     /* EFGH */
	__m128i s0 = _mm_alignr_epi8(tmp, s1, 8);    /* ABEF */
	s1 = _mm_blend_epi16(s1, tmp, 0xF0);	     /* CDGH */
	while (nblk--) {
		__m128i abef = s0, cdgh = s1, m[4];
#pragma GCC unroll 16
		for (int g = 0; g < 16; g++) {
			__m128i w;
			if (g < 4) {
				w = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)),
						     mask);
			} else {
				__m128i t = _mm_sha256msg1_epu32(m[g & 3], m[(g + 1) & 3]);
				t = _mm_add_epi32(t, _mm_alignr_epi8(m[(g + 3) & 3], m[(g + 2) & 3], 4));
				w = _mm_sha256msg2_epu32(t, m[(g + 3) & 3]);
			}
			m[g & 3] = w;
			__m128i msg = _mm_add_epi32(w, _mm_loadu_si128((const __m128i *)&K256[4 * g]));
			s1 = _mm_sha256rnds2_epu32(s1, s0, msg);
			msg = _mm_shuffle_epi32(msg, 0x0E);
			s0 = _mm_sha256rnds2_epu32(s0, s1, msg);
		}
		s0 = _mm_add_epi32(s0, abef);
		s1 = _mm_add_epi32(s1, cdgh);
		p += 64;
	}
	tmp = _mm_shuffle_epi32(s0, 0x1B);	     /* FEBA */
	s1 = _mm_shuffle_epi32(s1, 0xB1);	     /* DCHG */
	s0 = _mm_blend_epi16(tmp, s1, 0xF0);	     /* DCBA */
	s1 = _mm_alignr_epi8(s1, tmp, 8);	     /* ABEF */
	_mm_storeu_si128((__m128i *)&st[0], s0);
	_mm_storeu_si128((__m128i *)&st[4], s1);
}

#define RNDS4(a, e, f) _mm_sha1rnds4_epu32(a, e, f)

__attribute__((target("sha,sse4.1,ssse3"))) static void sha1_ni(uint32_t st[5], const uint8_t *p,
								  size_t nblk)
{
	const __m128i mask = _mm_set_epi64x(0x0001020304050607ULL, 0x08090a0b0c0d0e0fULL);
	__m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)st), 0x1B);
	__m128i e0 = _mm_set_epi32((int)st[4], 0, 0, 0);
	while (nblk--) {
		__m128i abcd_save = abcd, e0_save = e0, m[4], prev = abcd, e;
#pragma GCC unroll 20
		for (int g = 0; g < 20; g++) {
			if (g < 4)
				m[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)),
							mask);
			else
				m[g & 3] = _mm_sha1msg2_epu32(
					_mm_xor_si128(_mm_sha1msg1_epu32(m[g & 3], m[(g + 1) & 3]),
						      m[(g + 2) & 3]),
					m[(g + 3) & 3]);
			e = g == 0 ? _mm_add_epi32(e0, m[0]) : _mm_sha1nexte_epu32(prev, m[g & 3]);
			prev = abcd;
			switch (g / 5) {
			case 0: abcd = RNDS4(abcd, e, 0); break;
			case 1: abcd = RNDS4(abcd, e, 1); break;
			case 2: abcd = RNDS4(abcd, e, 2); break;
			default: abcd = RNDS4(abcd, e, 3); break;
			}
		}
		e0 = _mm_sha1nexte_epu32(prev, e0_save);
		abcd = _mm_add_epi32(abcd, abcd_save);
		p += 64;
	}
	abcd = _mm_shuffle_epi32(abcd, 0x1B);
	_mm_storeu_si128((__m128i *)st, abcd);
	st[4] = (uint32_t)_mm_extract_epi32(e0, 3);
}

static bool cpu_has_sha(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d))
		return false;
	bool ssse3 = c & (1u << 9), sse41 = c & (1u << 19);
	if (__get_cpuid_max(0, NULL) < 7)
		return false;
	__cpuid_count(7, 0, a, b, c, d);
	return ssse3 && sse41 && (b & (1u << 29));
}
#endif

bool fmac_have_ni(void)
{
#ifdef HAVE_X86
	if (ni_state < 0)
		ni_state = cpu_has_sha() ? 1 : 0;
	return ni_state == 1;
#else
	return false;
#endif
}

void fmac_disable_ni(void) { ni_state = 0; }

const char *fmac_impl(void) { return fmac_have_ni() ? "sha-ni" : "bearssl"; }

#ifdef HAVE_X86
static const uint32_t IV1[5] = { 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0 };
static const uint32_t IV256[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

static void compress(int alg, uint32_t *st, const uint8_t *p, size_t nblk)
{
	if (alg == FM_SHA1)
		sha1_ni(st, p, nblk);
	else
		sha256_ni(st, p, nblk);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Hashes data (len bytes) continuing from st, which has already absorbed `prior` bytes;
 * writes the big-endian digest. */
static void finish(int alg, uint32_t *st, const uint8_t *data, size_t len, uint64_t prior,
		   uint8_t *out)
{
	size_t full = len / 64;
	if (full)
		compress(alg, st, data, full);
	uint8_t blk[128];
	size_t rem = len - full * 64;
	memcpy(blk, data + full * 64, rem);
	blk[rem] = 0x80;
	size_t tot = rem + 9 <= 64 ? 64 : 128;
	memset(blk + rem + 1, 0, tot - rem - 1);
	uint64_t bits = (prior + len) * 8;
	put_be32(blk + tot - 8, (uint32_t)(bits >> 32));
	put_be32(blk + tot - 4, (uint32_t)bits);
	compress(alg, st, blk, tot / 64);
	int words = alg == FM_SHA1 ? 5 : 8;
	for (int i = 0; i < words; i++)
		put_be32(out + 4 * i, st[i]);
}
#endif

void fmac_init(struct fmac *m, int alg, const void *key, size_t klen)
{
	memset(m, 0, sizeof(*m));
	m->alg = alg;
	m->hlen = alg == FM_SHA1 ? 20 : 32;
	m->ni = fmac_have_ni();
	if (!m->ni) {
		br_hmac_key_init(&m->kc, alg == FM_SHA1 ? &br_sha1_vtable : &br_sha256_vtable, key,
				 klen);
		return;
	}
#ifdef HAVE_X86
	uint8_t k0[64] = { 0 }, pad[64];
	if (klen > 64) {
		uint32_t st[8];
		memcpy(st, alg == FM_SHA1 ? IV1 : IV256, alg == FM_SHA1 ? 20 : 32);
		finish(alg, st, key, klen, 0, k0);
	} else {
		memcpy(k0, key, klen);
	}
	const uint32_t *iv = alg == FM_SHA1 ? IV1 : IV256;
	size_t ivl = alg == FM_SHA1 ? 20 : 32;
	for (int i = 0; i < 64; i++)
		pad[i] = k0[i] ^ 0x36;
	memcpy(m->ist, iv, ivl);
	compress(alg, m->ist, pad, 1);
	for (int i = 0; i < 64; i++)
		pad[i] = k0[i] ^ 0x5c;
	memcpy(m->ost, iv, ivl);
	compress(alg, m->ost, pad, 1);
#endif
}

void fmac_run(const struct fmac *m, const void *data, size_t len, uint8_t *out)
{
	if (!m->ni) {
		br_hmac_context hc;
		br_hmac_init(&hc, &m->kc, 0);
		br_hmac_update(&hc, data, len);
		br_hmac_out(&hc, out);
		return;
	}
#ifdef HAVE_X86
	uint32_t st[8];
	uint8_t inner[32];
	memcpy(st, m->ist, sizeof(st));
	finish(m->alg, st, data, len, 64, inner);
	memcpy(st, m->ost, sizeof(st));
	finish(m->alg, st, inner, m->hlen, 64, out);
#endif
}

int fmac_selftest(void)
{
	uint8_t key[100], data[300], a[32], b[32];
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7 + 1);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + 5);
	int bad = 0;
	for (int alg = FM_SHA1; alg <= FM_SHA256; alg++) {
		for (size_t kl = 0; kl <= sizeof(key); kl += 10) {
			for (size_t dl = 0; dl <= sizeof(data); dl += (dl < 140 ? 1 : 37)) {
				struct fmac m;
				fmac_init(&m, alg, key, kl);
				fmac_run(&m, data, dl, a);
				br_hmac_key_context kc;
				br_hmac_context hc;
				br_hmac_key_init(&kc, alg == FM_SHA1 ? &br_sha1_vtable : &br_sha256_vtable,
						 key, kl);
				br_hmac_init(&hc, &kc, 0);
				br_hmac_update(&hc, data, dl);
				br_hmac_out(&hc, b);
				if (memcmp(a, b, m.hlen) != 0)
					bad++;
			}
		}
	}
	return bad;
}
