/*
 * Shared pieces of the libFuzzer harnesses: a bounded reader over the fuzz input (so a
 * harness can take "operations" out of it without ever reading past its end), the test
 * accounts every harness uses, and a loopback peer.
 *
 * Everything is static and header-only: each harness is one translation unit linked with
 * the engines it exercises, nothing else.
 */
#ifndef BMCD_FUZZ_COMMON_H
#define BMCD_FUZZ_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../proto/users.h"

/* libFuzzer's entry points (declared here so -Wmissing-prototypes stays quiet). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A harness-level invariant broke: print why and abort, which libFuzzer reports as a
 * crash with the input saved, exactly like a sanitizer finding. */
#define FUZZ_ASSERT(cond, ...)                                                             \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "FUZZ_ASSERT %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                      \
			fprintf(stderr, "\n");                                             \
			abort();                                                           \
		}                                                                          \
	} while (0)

/*
 * A check that has found a bug which is reported but not fixed yet can be silenced by
 * naming it in FUZZ_KNOWN (comma-separated ids, e.g. FUZZ_KNOWN=head-body), so a long run
 * goes on to find other things. Unset, every check is fatal.
 */
static inline bool fuzz_known(const char *id)
{
	static const char *known;
	static bool read;
	if (!read) {
		known = getenv("FUZZ_KNOWN");
		read = true;
	}
	size_t n = strlen(id);
	for (const char *k = known; k && *k;) {
		const char *e = strchr(k, ',');
		size_t l = e ? (size_t)(e - k) : strlen(k);
		if (l == n && !memcmp(k, id, n))
			return true;
		k = e ? e + 1 : k + l;
	}
	return false;
}

#define FUZZ_CHECK(id, cond, ...)                                                          \
	do {                                                                               \
		if (!(cond) && !fuzz_known(id)) {                                          \
			fprintf(stderr, "FUZZ_ASSERT [%s] %s:%d: %s: ", id, __FILE__,      \
				__LINE__, #cond);                                          \
			fprintf(stderr, __VA_ARGS__);                                      \
			fprintf(stderr, " (FUZZ_KNOWN=%s skips this check)\n", id);       \
			abort();                                                           \
		}                                                                          \
	} while (0)

/* --- reading operations out of the fuzz input ------------------------------------------- */

struct fz {
	const uint8_t *p;
	size_t n;
};

static inline bool fz_empty(const struct fz *f) { return f->n == 0; }

static inline uint8_t fz_u8(struct fz *f)
{
	if (!f->n)
		return 0;
	f->n--;
	return *f->p++;
}

static inline uint16_t fz_u16(struct fz *f)
{
	uint16_t lo = fz_u8(f);
	return (uint16_t)(lo | fz_u8(f) << 8);
}

/* Up to want bytes (fewer at the end of the input); *out points into the input. */
static inline size_t fz_take(struct fz *f, size_t want, const uint8_t **out)
{
	if (want > f->n)
		want = f->n;
	*out = f->p;
	f->p += want;
	f->n -= want;
	return want;
}

/* --- accounts --------------------------------------------------------------------------- */

/* The same accounts the integration tests use, so recorded client traffic (ipmitool -U
 * admin -P admin, curl -u admin:admin) authenticates against the harnesses too. */
#define FUZZ_USERS_MAX 8

static inline void fuzz_add_user(struct users *us, const char *name, const char *pw, uint8_t priv)
{
	struct user *u = &us->u[us->n++];
	memset(u, 0, sizeof(*u));
	memcpy(u->name, name, strlen(name));
	u->name_len = (uint8_t)strlen(name);
	memcpy(u->pass, pw, strlen(pw));
	u->pass_len = (uint8_t)strlen(pw);
	u->priv = priv;
}

static inline void fuzz_users_init(struct users *us, struct user *tab)
{
	memset(us, 0, sizeof(*us));
	us->u = tab;
	us->max = FUZZ_USERS_MAX;
	fuzz_add_user(us, "admin", "admin", PRIV_ADMIN);
	fuzz_add_user(us, "operator", "operator", PRIV_OPERATOR);
	fuzz_add_user(us, "user", "user", PRIV_USER);
	fuzz_add_user(us, "cb", "callback", PRIV_CALLBACK);
	/* the longest name and password IPMI allows: 16 and 20 bytes */
	fuzz_add_user(us, "sixteen-byte-usr", "twenty-byte-password", PRIV_OPERATOR);
	us->generation = 1;
	users_prepare(us); /* the per-user K_UID keys, as the firmware does after loading */
}

/* Log lines of engines and backends: formatted (vsnprintf over input data, under the
 * sanitizers) and dropped. ctx, when not NULL, is a secret no line may contain. */
static inline void fuzz_log(void *ctx, int level, const char *fmt, ...)
{
	char m[512];
	va_list ap;
	(void)level;
	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	FUZZ_ASSERT(!ctx || !strstr(m, ctx), "a secret in a log line: %s", m);
}

#endif
