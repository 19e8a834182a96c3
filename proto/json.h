/*
 * JSON: a streaming writer into a struct buf, and a strict, bounded parser for request
 * bodies (RFC 8259).
 *
 * Writer: keeps its own comma state for up to JSON_DEPTH_MAX levels; escapes '"', '\\' and
 * control characters, passes valid UTF-8 through, replaces invalid UTF-8 with U+FFFD.
 * Errors (overflow, too deep, a key outside an object) set the buffer's err flag.
 *
 * Parser: jsmn-like tokens into a caller-provided array; no allocation. Rejects: trailing
 * garbage, depth over max_depth, more tokens than provided, duplicate keys in one object
 * (compared after unescaping), invalid UTF-8 anywhere, unpaired surrogate escapes, control
 * characters in strings, leading zeros, and numbers that are not RFC 8259 numbers.
 */
#ifndef BMCD_JSON_H
#define BMCD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define JSON_DEPTH_MAX 16

/* --- writer ----------------------------------------------------------------------------- */

struct jw {
	struct buf *b;
	int depth;
	bool first[JSON_DEPTH_MAX + 1]; /* no member written yet at this level */
	bool after_key;
};

void jw_init(struct jw *w, struct buf *b);
void jw_obj(struct jw *w);		/* { */
void jw_obj_end(struct jw *w);		/* } */
void jw_arr(struct jw *w);		/* [ */
void jw_arr_end(struct jw *w);		/* ] */
void jw_key(struct jw *w, const char *k);
void jw_str(struct jw *w, const char *s);
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, int64_t v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
void jw_raw(struct jw *w, const char *json); /* a pre-encoded JSON value */
/* key + value shorthands */
void jw_kstr(struct jw *w, const char *k, const char *v);
void jw_kint(struct jw *w, const char *k, int64_t v);
void jw_kbool(struct jw *w, const char *k, bool v);
void jw_knull(struct jw *w, const char *k);
void jw_kobj(struct jw *w, const char *k);
void jw_karr(struct jw *w, const char *k);
/* {"@odata.id": "<printf>"} as a member value of key k, or as an array element when k is NULL */
void jw_link(struct jw *w, const char *k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* --- parser ----------------------------------------------------------------------------- */

enum json_type { JSON_OBJECT = 1, JSON_ARRAY, JSON_STRING, JSON_NUMBER, JSON_TRUE, JSON_FALSE,
		 JSON_NULL };

struct json_tok {
	uint8_t type;	/* enum json_type */
	uint32_t start;	/* offset of the value (for strings: after the opening quote) */
	uint32_t len;	/* raw length (strings: without quotes, still escaped) */
	uint32_t size;	/* objects: number of members; arrays: number of elements */
	uint32_t end;	/* index of the first token after this value's subtree */
};

enum json_err {
	JSON_OK = 0, JSON_EMALFORMED = -1, JSON_EDEPTH = -2, JSON_ETOKENS = -3,
	JSON_EDUPKEY = -4, JSON_EUTF8 = -5,
};

/* Parses s[0..len). Object members are stored as key token then value token. Returns the
 * number of tokens (>= 1) or an enum json_err. */
int json_parse(const char *s, size_t len, struct json_tok *t, int max_tokens, int max_depth);
/* In object token obj, the value token of member `key`, or -1. */
int json_get(const char *s, const struct json_tok *t, int obj, const char *key);
/* Iterate members of obj: k = json_first(t, obj) ... k = json_next(t, k) while k >= 0;
 * key token k, value token k + 1. */
int json_first(const struct json_tok *t, int obj);
int json_next(const struct json_tok *t, int key);
/* Array elements: e = json_first(t, arr) ... e = json_next_elem(t, e) */
int json_next_elem(const struct json_tok *t, int arr, int elem);
/* True when string token i equals lit after unescaping. */
bool json_str_eq(const char *s, const struct json_tok *t, int i, const char *lit);
/* Unescapes string token i into out (NUL-terminated, UTF-8); false if it does not fit or
 * contains a NUL character. */
bool json_str(const char *s, const struct json_tok *t, int i, char *out, size_t cap);
/* Integer value of number token i (no fraction/exponent) within [min, max]. */
bool json_int(const char *s, const struct json_tok *t, int i, int64_t min, int64_t max, int64_t *out);

#endif
