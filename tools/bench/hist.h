/*
 * A log-linear latency histogram in nanoseconds: exact below 128 ns, then 64 sub-buckets per
 * power of two (relative error < 1.6 %), up to ~2^40 ns. Fixed size, no allocation.
 */
#ifndef BENCH_HIST_H
#define BENCH_HIST_H

#include <stdint.h>
#include <string.h>

#define HIST_BUCKETS (128 + 64 * 40)

struct hist {
	uint32_t b[HIST_BUCKETS];
	uint64_t n, max, sum;
};

static inline int hist_idx(uint64_t v)
{
	if (v < 128)
		return (int)v;
	int lg = 63 - __builtin_clzll(v);
	int sh = lg - 6;
	int i = 128 + (sh - 1) * 64 + (int)((v >> sh) - 64);
	return i < HIST_BUCKETS ? i : HIST_BUCKETS - 1;
}

static inline uint64_t hist_val(int i)
{
	if (i < 128)
		return (uint64_t)i;
	int sh = (i - 128) / 64 + 1;
	uint64_t m = (uint64_t)((i - 128) % 64 + 64);
	return (m << sh) + ((1ull << sh) >> 1);
}

static inline void hist_add(struct hist *h, uint64_t v)
{
	h->b[hist_idx(v)]++;
	h->n++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
}

/* q in [0, 1]; returns 0 for an empty histogram */
static inline uint64_t hist_q(const struct hist *h, double q)
{
	if (!h->n)
		return 0;
	uint64_t want = (uint64_t)(q * (double)h->n + 0.5);
	if (want < 1)
		want = 1;
	uint64_t acc = 0;
	for (int i = 0; i < HIST_BUCKETS; i++) {
		acc += h->b[i];
		if (acc >= want) {
			uint64_t v = hist_val(i);
			return v > h->max ? h->max : v;
		}
	}
	return h->max;
}

#endif
