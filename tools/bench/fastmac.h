/*
 * HMAC-SHA1 / HMAC-SHA256 for the benchmark client, with the key's inner and outer states
 * computed once. On CPUs with the SHA extensions the compression runs on SHA-NI; elsewhere
 * it falls back to BearSSL's HMAC. The point is that the load generator spends as little
 * CPU as possible per packet, so that it measures the server and not itself.
 *
 * fmac_selftest() compares both paths against BearSSL on many lengths; the client refuses
 * to run when they differ.
 */
#ifndef BENCH_FASTMAC_H
#define BENCH_FASTMAC_H

#include <bearssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { FM_SHA1 = 1, FM_SHA256 = 2 };

struct fmac {
	int alg;
	size_t hlen;			/* 20 or 32 */
	bool ni;
	uint32_t ist[8], ost[8];	/* SHA-NI path: states after the ipad/opad block */
	br_hmac_key_context kc;		/* fallback path */
};

bool fmac_have_ni(void);
/* Force the BearSSL path (for comparison); call before any fmac_init. */
void fmac_disable_ni(void);
void fmac_init(struct fmac *m, int alg, const void *key, size_t klen);
/* Writes m->hlen bytes. */
void fmac_run(const struct fmac *m, const void *data, size_t len, uint8_t *out);
/* Returns 0 when every length agrees with BearSSL. */
int fmac_selftest(void);
const char *fmac_impl(void);

#endif
