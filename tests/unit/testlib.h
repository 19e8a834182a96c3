/* A minimal unit-test harness: CHECK records a failure and goes on; each test executable
 * prints one line per failure and a closing "N passed, M failed" line, and exits non-zero
 * on any failure. Built with ASan and UBSan. */
#ifndef BMCD_TESTLIB_H
#define BMCD_TESTLIB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_pass, t_fail;

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (cond) {                                                                \
			t_pass++;                                                          \
		} else {                                                                   \
			t_fail++;                                                          \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);             \
		}                                                                          \
	} while (0)

#define CHECK_EQ(a, b)                                                                     \
	do {                                                                               \
		long long _a = (long long)(a), _b = (long long)(b);                        \
		if (_a == _b) {                                                            \
			t_pass++;                                                          \
		} else {                                                                   \
			t_fail++;                                                          \
			printf("FAIL %s:%d: %s == %s (%lld != %lld)\n", __FILE__, __LINE__, #a, \
			       #b, _a, _b);                                                \
		}                                                                          \
	} while (0)

#define CHECK_MEM(a, b, n)                                                                 \
	do {                                                                               \
		if (memcmp((a), (b), (n)) == 0) {                                          \
			t_pass++;                                                          \
		} else {                                                                   \
			t_fail++;                                                          \
			printf("FAIL %s:%d: memcmp(%s, %s, %s)\n", __FILE__, __LINE__, #a, #b, #n); \
			hexdump("got", (const unsigned char *)(a), (n));                   \
			hexdump("want", (const unsigned char *)(b), (n));                  \
		}                                                                          \
	} while (0)

static inline void hexdump(const char *label, const unsigned char *p, size_t n)
{
	printf("  %-5s", label);
	for (size_t i = 0; i < n; i++)
		printf("%s%02x", i && i % 32 == 0 ? "\n       " : " ", p[i]);
	printf("\n");
}

/* Hex string (spaces allowed) to bytes; returns the length. */
static inline size_t unhex(const char *s, unsigned char *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;
	for (; *s; s++) {
		int v;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			if (n < cap)
				out[n++] = (unsigned char)(hi << 4 | v);
			hi = -1;
		}
	}
	return n;
}

static inline int t_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, t_pass, t_fail);
	return t_fail ? 1 : 0;
}

#endif
