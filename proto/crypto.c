#include "crypto.h"

#include <string.h>

static const br_hash_class *vt(enum hash_alg alg)
{
	switch (alg) {
	case HASH_SHA256:
		return &br_sha256_vtable;
	case HASH_MD5:
		return &br_md5_vtable;
	default:
		return &br_sha1_vtable;
	}
}

size_t hash_len(enum hash_alg alg)
{
	return alg == HASH_SHA256 ? 32 : alg == HASH_MD5 ? 16 : 20;
}

void hmac_key_init(struct hmac_key *k, enum hash_alg alg, const void *key, size_t klen)
{
	br_hmac_key_init(&k->kc, vt(alg), key, klen);
}

size_t hmac_key_run(const struct hmac_key *k, const struct iov *v, int n, uint8_t *out)
{
	br_hmac_context hc;
	br_hmac_init(&hc, &k->kc, 0);
	for (int i = 0; i < n; i++)
		br_hmac_update(&hc, v[i].p, v[i].n);
	return br_hmac_out(&hc, out);
}

size_t hmac_iov(enum hash_alg alg, const void *key, size_t klen, const struct iov *v, int n,
		uint8_t *out)
{
	struct hmac_key k;
	hmac_key_init(&k, alg, key, klen);
	return hmac_key_run(&k, v, n, out);
}

bool ct_equal(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t d = 0;
	for (size_t i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

void aes_cbc_init(struct aes_cbc *a, const uint8_t key[16])
{
	a->ev = br_aes_x86ni_cbcenc_get_vtable();
	a->dv = br_aes_x86ni_cbcdec_get_vtable();
	if (!a->ev || !a->dv) {
		a->ev = &br_aes_ct_cbcenc_vtable;
		a->dv = &br_aes_ct_cbcdec_vtable;
	}
	a->ev->init(&a->enc.vtable, key, 16);
	a->dv->init(&a->dec.vtable, key, 16);
}

void aes_cbc_encrypt(const struct aes_cbc *a, uint8_t iv[16], void *buf, size_t len)
{
	a->ev->run(&a->enc.vtable, iv, buf, len);
}

void aes_cbc_decrypt(const struct aes_cbc *a, uint8_t iv[16], void *buf, size_t len)
{
	a->dv->run(&a->dec.vtable, iv, buf, len);
}

void seed_derive(const uint8_t master[SEED_LEN], const char *label, uint8_t out[SEED_LEN])
{
	struct iov v = { label, strlen(label) };
	hmac_iov(HASH_SHA256, master, SEED_LEN, &v, 1, out);
}

void rng_init(struct rng *r, const void *seed, size_t n)
{
	br_hmac_drbg_init(&r->d, &br_sha256_vtable, seed, n);
	r->avail = 0;
}

/* HMAC-DRBG re-keys after every generate call (a few SHA-256 blocks); session IDs and
 * RAKP randoms are small, so they are served from a block of output instead. Bytes
 * handed out are wiped from the pool. */
void rng_bytes(struct rng *r, void *out, size_t n)
{
	uint8_t *o = out;
	if (n > sizeof(r->pool)) {
		br_hmac_drbg_generate(&r->d, out, n);
		return;
	}
	while (n) {
		if (!r->avail) {
			br_hmac_drbg_generate(&r->d, r->pool, sizeof(r->pool));
			r->avail = sizeof(r->pool);
		}
		size_t k = n < r->avail ? n : r->avail;
		uint8_t *src = r->pool + sizeof(r->pool) - r->avail;
		memcpy(o, src, k);
		memset(src, 0, k);
		r->avail = (uint8_t)(r->avail - k);
		o += k;
		n -= k;
	}
}

uint32_t rng_u32(struct rng *r)
{
	uint8_t b[4];
	rng_bytes(r, b, 4);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
