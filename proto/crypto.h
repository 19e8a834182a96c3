/*
 * Thin wrappers over BearSSL for the primitives IPMI needs: HMAC (SHA-1, SHA-256, MD5),
 * AES-CBC-128, a HMAC-DRBG, and constant-time comparison. No crypto is implemented here;
 * this file only chooses BearSSL implementations and gives them IPMI-shaped signatures.
 */
#ifndef BMCD_CRYPTO_H
#define BMCD_CRYPTO_H

#include <bearssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hash_alg { HASH_SHA1 = 1, HASH_SHA256 = 2, HASH_MD5 = 3 };

struct iov {
	const void *p;
	size_t n;
};

#define MAC_MAX 32 /* largest HMAC output (SHA-256) */

size_t hash_len(enum hash_alg alg);
/* out receives hash_len(alg) bytes; returns that length. */
size_t hmac_iov(enum hash_alg alg, const void *key, size_t klen, const struct iov *v, int n,
		uint8_t *out);

/* A keyed HMAC ready for repeated use (per-packet integrity keys). */
struct hmac_key {
	br_hmac_key_context kc;
};
void hmac_key_init(struct hmac_key *k, enum hash_alg alg, const void *key, size_t klen);
size_t hmac_key_run(const struct hmac_key *k, const struct iov *v, int n, uint8_t *out);

/* Constant-time equality of two n-byte strings. */
bool ct_equal(const void *a, const void *b, size_t n);

/* AES-128-CBC with a key schedule kept per session. len must be a multiple of 16;
 * iv is updated in place as CBC chaining requires. */
struct aes_cbc {
	br_aes_gen_cbcenc_keys enc;
	br_aes_gen_cbcdec_keys dec;
	const br_block_cbcenc_class *ev;
	const br_block_cbcdec_class *dv;
};
void aes_cbc_init(struct aes_cbc *a, const uint8_t key[16]);
void aes_cbc_encrypt(const struct aes_cbc *a, uint8_t iv[16], void *buf, size_t len);
void aes_cbc_decrypt(const struct aes_cbc *a, uint8_t iv[16], void *buf, size_t len);

/* Deterministic random bit generator (HMAC-DRBG with SHA-256), seeded by the caller
 * from getrandom(). */
struct rng {
	br_hmac_drbg_context d;
	uint8_t pool[128];	/* output drawn in blocks: one DRBG update per 128 bytes */
	uint8_t avail;
};
void rng_init(struct rng *r, const void *seed, size_t n);
/* An independent seed for one consumer of randomness: HMAC-SHA256(master, label). Every
 * generator in bmcd gets its own label, so no two ever share a seed or an output stream
 * (the randoms one front door shows in clear say nothing about another's secrets). */
#define SEED_LEN 32
void seed_derive(const uint8_t master[SEED_LEN], const char *label, uint8_t out[SEED_LEN]);
void rng_bytes(struct rng *r, void *out, size_t n);
uint32_t rng_u32(struct rng *r);

#endif
