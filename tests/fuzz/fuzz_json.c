/*
 * fuzz_json: the strict JSON parser on request bodies, every accessor on what it accepts,
 * and the writer in a round trip.
 *
 * For every accepted document:
 * - walking it with json_first/json_next/json_next_elem visits exactly the tokens the
 *   parser produced, each container's size matches its members;
 * - json_get finds each member by its (unescaped) key, json_str_eq agrees, json_int agrees
 *   with the literal text (and with jw_int printing it back);
 * - the writer re-emits the tree (keys and strings unescaped with json_str and escaped again
 *   by jw_*, integers through jw_int, other numbers through jw_raw), and the parser must
 *   accept that output and find the same tree: same types, sizes, strings and numbers.
 * For every input, jw_strn on the raw bytes must give one valid JSON string (invalid UTF-8
 * becomes U+FFFD), which unescapes back to the input when the input is valid UTF-8.
 */
#include "../../proto/json.h"
#include "fuzz_common.h"

#define TOKS 512

static struct json_tok t1[TOKS], t2[TOKS];

/* RFC 3629 validity, written independently of json.c: length of the sequence at p or 0. */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
	static const struct {
		uint8_t lo, hi, len, lo2, hi2;
	} rows[] = {
		{ 0x00, 0x7F, 1, 0, 0 },	 { 0xC2, 0xDF, 2, 0x80, 0xBF },
		{ 0xE0, 0xE0, 3, 0xA0, 0xBF }, { 0xE1, 0xEC, 3, 0x80, 0xBF },
		{ 0xED, 0xED, 3, 0x80, 0x9F }, { 0xEE, 0xEF, 3, 0x80, 0xBF },
		{ 0xF0, 0xF0, 4, 0x90, 0xBF }, { 0xF1, 0xF3, 4, 0x80, 0xBF },
		{ 0xF4, 0xF4, 4, 0x80, 0x8F },
	};
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		if (p[0] < rows[r].lo || p[0] > rows[r].hi)
			continue;
		size_t k = rows[r].len;
		if (k == 1)
			return 1;
		if (n < k || p[1] < rows[r].lo2 || p[1] > rows[r].hi2)
			return 0;
		for (size_t j = 2; j < k; j++)
			if (p[j] < 0x80 || p[j] > 0xBF)
				return 0;
		return k;
	}
	return 0;
}

static bool valid_utf8(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq(p + i, n - i);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

/* Unescaped string token i of s (a malloc'd NUL-terminated copy) or NULL if json_str
 * refuses it (an escaped NUL). Unescaping never makes a string longer. */
static char *str_of(const char *s, const struct json_tok *t, int i)
{
	char *o = malloc((size_t)t[i].len + 1);
	if (!json_str(s, t, i, o, (size_t)t[i].len + 1)) {
		free(o);
		return NULL;
	}
	return o;
}

/* Writes token i's subtree; false if something cannot be represented (NUL in a key). */
static bool emit(struct jw *w, const char *s, const struct json_tok *t, int i, int depth)
{
	FUZZ_ASSERT(depth <= JSON_DEPTH_MAX, "tree deeper than the parser allows");
	bool ok = true;
	switch (t[i].type) {
	case JSON_OBJECT:
		jw_obj(w);
		for (int k = json_first(t, i); k >= 0 && ok; k = json_next(t, k)) {
			char *key = str_of(s, t, k);
			if (!key || strlen(key) != strnlen(key, t[k].len + 1))
				ok = false;
			else
				jw_key(w, key);
			free(key);
			if (ok)
				ok = emit(w, s, t, k + 1, depth + 1);
		}
		jw_obj_end(w);
		break;
	case JSON_ARRAY:
		jw_arr(w);
		for (int e = json_first(t, i); e >= 0 && ok; e = json_next_elem(t, i, e))
			ok = emit(w, s, t, e, depth + 1);
		jw_arr_end(w);
		break;
	case JSON_STRING: {
		char *v = str_of(s, t, i);
		if (!v)
			return false;
		jw_str(w, v);
		free(v);
		break;
	}
	case JSON_NUMBER: {
		int64_t v;
		if (json_int(s, t, i, INT64_MIN, INT64_MAX, &v)) {
			jw_int(w, v);
		} else {
			char *raw = malloc((size_t)t[i].len + 1);
			memcpy(raw, s + t[i].start, t[i].len);
			raw[t[i].len] = 0;
			jw_raw(w, raw);
			free(raw);
		}
		break;
	}
	case JSON_TRUE:
	case JSON_FALSE:
		jw_bool(w, t[i].type == JSON_TRUE);
		break;
	case JSON_NULL:
		jw_null(w);
		break;
	default:
		FUZZ_ASSERT(0, "token %d has type %d", i, t[i].type);
	}
	return ok;
}

/* Walks token i's subtree; returns the index after it. Checks sizes, keys, accessors. */
static int walk(const char *s, int n, int i)
{
	FUZZ_ASSERT(i >= 0 && i < n, "token index %d of %d", i, n);
	const struct json_tok *t = t1;
	FUZZ_ASSERT((int)t[i].end > i && (int)t[i].end <= n, "token %d ends at %u", i, t[i].end);
	if (t[i].type == JSON_OBJECT) {
		uint32_t members = 0;
		int next = i + 1;
		for (int k = json_first(t, i); k >= 0; k = json_next(t, k)) {
			FUZZ_ASSERT(k == next, "member key at %d, expected %d", k, next);
			FUZZ_ASSERT(t[k].type == JSON_STRING, "key of type %d", t[k].type);
			char *key = str_of(s, t, k);
			if (key && strlen(key) == strnlen(key, t[k].len + 1)) {
				FUZZ_ASSERT(json_str_eq(s, t, k, key), "key not equal to itself");
				/* keys are unique (duplicates are refused): lookup finds this one */
				FUZZ_ASSERT(json_get(s, t, i, key) == k + 1, "json_get misses '%s'",
					    key);
			}
			free(key);
			next = walk(s, n, k + 1);
			members++;
		}
		FUZZ_ASSERT(members == t[i].size, "object %d: %u members, size %u", i, members,
			    t[i].size);
		FUZZ_ASSERT(next == (int)t[i].end, "object %d ends at %d, not %u", i, next, t[i].end);
		return next;
	}
	if (t[i].type == JSON_ARRAY) {
		uint32_t elems = 0;
		int next = i + 1;
		for (int e = json_first(t, i); e >= 0; e = json_next_elem(t, i, e)) {
			FUZZ_ASSERT(e == next, "element at %d, expected %d", e, next);
			next = walk(s, n, e);
			elems++;
		}
		FUZZ_ASSERT(elems == t[i].size, "array %d: %u elements, size %u", i, elems, t[i].size);
		FUZZ_ASSERT(next == (int)t[i].end, "array %d ends at %d, not %u", i, next, t[i].end);
		return next;
	}
	if (t[i].type == JSON_NUMBER) {
		int64_t v, w2;
		if (json_int(s, t, i, INT64_MIN, INT64_MAX, &v)) {
			char txt[32];
			struct buf b;
			buf_init(&b, txt, sizeof(txt));
			buf_i64(&b, v);
			bool minus_zero = t[i].len == 2 && !memcmp(s + t[i].start, "-0", 2);
			bool same = b.len == t[i].len && !memcmp(txt, s + t[i].start, b.len);
			FUZZ_ASSERT(minus_zero || same, "json_int %lld from '%.*s'", (long long)v,
				    (int)t[i].len, s + t[i].start);
			FUZZ_ASSERT(json_int(s, t, i, v, v, &w2) && w2 == v, "range [v, v] refused");
			if (v > INT64_MIN)
				FUZZ_ASSERT(!json_int(s, t, i, INT64_MIN, v - 1, &w2), "range ignored");
		}
	}
	(void)json_first(t, i); /* -1 for a scalar */
	return i + 1;
}

static void same_tree(const char *a, const char *b, int n)
{
	for (int i = 0; i < n; i++) {
		FUZZ_ASSERT(t1[i].type == t2[i].type && t1[i].size == t2[i].size &&
				    t1[i].end == t2[i].end,
			    "token %d differs after the round trip", i);
		if (t1[i].type == JSON_STRING) {
			char *x = str_of(a, t1, i), *y = str_of(b, t2, i);
			FUZZ_ASSERT(x && y && !strcmp(x, y), "string %d differs after a round trip", i);
			free(x);
			free(y);
		} else if (t1[i].type == JSON_NUMBER) {
			int64_t x, y;
			bool xi = json_int(a, t1, i, INT64_MIN, INT64_MAX, &x);
			bool yi = json_int(b, t2, i, INT64_MIN, INT64_MAX, &y);
			FUZZ_ASSERT(xi == yi && (!xi || x == y), "number %d differs", i);
			if (!xi)
				FUZZ_ASSERT(t1[i].len == t2[i].len &&
						    !memcmp(a + t1[i].start, b + t2[i].start, t1[i].len),
					    "number %d text differs", i);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	int n = json_parse(s, size, t1, TOKS, JSON_DEPTH_MAX);
	/* tighter limits must only ever refuse more, never crash */
	int small = json_parse(s, size, t2, 8, 2);
	FUZZ_ASSERT(small <= 0 || small == n, "a smaller budget changed the result");
	if (n > 0) {
		FUZZ_ASSERT(n <= TOKS, "%d tokens", n);
		FUZZ_ASSERT(walk(s, n, 0) == n, "the tree does not cover every token");
		size_t cap = size * 6 + 64;
		char *out = malloc(cap);
		struct buf b;
		struct jw w;
		buf_init(&b, out, cap);
		jw_init(&w, &b);
		if (emit(&w, s, t1, 0, 0)) {
			FUZZ_ASSERT(!b.err, "writer failed on a parsed document");
			int m = json_parse(out, b.len, t2, TOKS, JSON_DEPTH_MAX);
			FUZZ_ASSERT(m == n, "re-parse of the writer's output: %d, want %d (%.*s)", m, n,
				    (int)(b.len < 200 ? b.len : 200), out);
			same_tree(s, out, n);
		}
		free(out);
	}
	/* the raw bytes as one string value */
	size_t cap = size * 6 + 8;
	char *out = malloc(cap);
	struct buf b;
	struct jw w;
	buf_init(&b, out, cap);
	jw_init(&w, &b);
	jw_strn(&w, s, size);
	FUZZ_ASSERT(!b.err, "jw_strn overflowed %zu bytes for %zu", cap, size);
	int m = json_parse(out, b.len, t2, TOKS, JSON_DEPTH_MAX);
	FUZZ_ASSERT(m == 1 && t2[0].type == JSON_STRING, "jw_strn output is not a JSON string");
	if (valid_utf8(data, size) && !memchr(data, 0, size)) {
		char *back = str_of(out, t2, 0);
		FUZZ_ASSERT(back && strlen(back) == size && !memcmp(back, s, size),
			    "valid UTF-8 did not survive escaping");
		free(back);
	}
	free(out);
	return 0;
}
