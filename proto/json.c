/*
 * JSON writer and strict parser (RFC 8259).
 *
 * Implementation notes
 * - Writer: first[d] says whether level d has had a member yet (level 0 is the top, which
 *   takes one value only); after_key says a key wants its value. struct jw does not record
 *   whether a level is an object or an array, so misuse is caught where these bits can see
 *   it: a key at the top level or right after a key, a second top-level value, closing the
 *   top level or right after a key, nesting past JSON_DEPTH_MAX. A value without a key in an
 *   object, or a key in an array, is not detected.
 * - Invalid UTF-8 is replaced byte by byte (each byte that does not start a valid sequence
 *   becomes one U+FFFD), so the output is always valid UTF-8 JSON whatever the input.
 * - Parser: a loop with an explicit stack of open containers (no recursion), three states:
 *   want a value, want a key, a value is complete; each turn consumes input. Depth counts
 *   open containers ("[]" is 1, a lone scalar 0); max_depth is clamped to JSON_DEPTH_MAX.
 *   Bytes that no JSON value can start with (a BOM, non-ASCII outside strings) are
 *   JSON_EMALFORMED; JSON_EUTF8 is for strings, including unpaired surrogate escapes.
 *   Offsets are uint32_t, so inputs of 4 GiB or more are refused.
 * - Tokens: containers' start/len span their brackets. A key is a JSON_STRING token whose
 *   end is its own index + 1 and whose size is the number of members after it in its object
 *   (json_next needs that: it has no other way to see the object's end). Value strings have
 *   size 0.
 * - Duplicate keys: each new key is compared with the earlier keys of its object, code point
 *   by code point after unescaping; O(n^2) per object, bounded by max_tokens.
 * - Readers (json_str, json_str_eq, json_int) trust that the token came from json_parse on
 *   the same text, but still never read outside the token's own bytes.
 */
#include "json.h"

#include "ascii.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (n >= 1 bytes available), 0 if none: no
 * overlongs, no surrogates, nothing above U+10FFFF (RFC 3629 table). */
static size_t utf8_len(const uint8_t *p, size_t n)
{
	uint8_t c = p[0], lo = 0x80, hi = 0xBF;
	size_t k;
	if (c < 0x80)
		return 1;
	if (c < 0xC2)
		return 0;
	if (c < 0xE0) {
		k = 2;
	} else if (c < 0xF0) {
		k = 3;
		lo = c == 0xE0 ? 0xA0 : 0x80;
		hi = c == 0xED ? 0x9F : 0xBF;
	} else if (c < 0xF5) {
		k = 4;
		lo = c == 0xF0 ? 0x90 : 0x80;
		hi = c == 0xF4 ? 0x8F : 0xBF;
	} else {
		return 0;
	}
	if (n < k || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t j = 2; j < k; j++)
		if ((p[j] & 0xC0) != 0x80)
			return 0;
	return k;
}

/* --- writer ----------------------------------------------------------------------------- */

void jw_init(struct jw *w, struct buf *b)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
	w->first[0] = true;
}

static void fail(struct jw *w) { w->b->err = true; }

/* Before any value: the comma, or nothing after a key. */
static void pre(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth]) {
		if (w->depth == 0)
			fail(w); /* a second top-level value */
		buf_char(w->b, ',');
	}
	w->first[w->depth] = false;
}

static void esc(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0, run = 0; /* bytes [run, i) pass through unchanged */

	buf_char(b, '"');
	while (i < n) {
		uint8_t c = p[i];
		if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
			i++; /* plain ASCII: the common case, no UTF-8 decoding */
			continue;
		}
		size_t k = c >= 0x20 && c != '"' && c != '\\' ? utf8_len(p + i, n - i) : 0;
		if (k) {
			i += k;
			continue;
		}
		buf_add(b, s + run, i - run);
		char e[6] = { '\\', (char)c };
		size_t en = 2;
		switch (c) {
		case '"': case '\\': break;
		case '\b': e[1] = 'b'; break;
		case '\f': e[1] = 'f'; break;
		case '\n': e[1] = 'n'; break;
		case '\r': e[1] = 'r'; break;
		case '\t': e[1] = 't'; break;
		default:
			en = 6;
			if (c >= 0x80) {
				memcpy(e, "\\ufffd", 6);
			} else {
				memcpy(e, "\\u00", 4);
				e[4] = hex[c >> 4];
				e[5] = hex[c & 15];
			}
		}
		buf_add(b, e, en);
		run = ++i;
	}
	buf_add(b, s + run, i - run);
	buf_char(b, '"');
}

static void open_level(struct jw *w, char c)
{
	pre(w);
	if (w->depth >= JSON_DEPTH_MAX) {
		fail(w);
		return;
	}
	w->first[++w->depth] = true;
	buf_char(w->b, c);
}

static void close_level(struct jw *w, char c)
{
	if (w->depth == 0 || w->after_key) {
		fail(w);
		return;
	}
	w->depth--;
	buf_char(w->b, c);
}

void jw_obj(struct jw *w) { open_level(w, '{'); }
void jw_obj_end(struct jw *w) { close_level(w, '}'); }
void jw_arr(struct jw *w) { open_level(w, '['); }
void jw_arr_end(struct jw *w) { close_level(w, ']'); }

void jw_key(struct jw *w, const char *k)
{
	if (w->depth == 0 || w->after_key) {
		fail(w);
		return;
	}
	if (!w->first[w->depth])
		buf_char(w->b, ',');
	w->first[w->depth] = false;
	esc(w->b, k, strlen(k));
	buf_char(w->b, ':');
	w->after_key = true;
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	pre(w);
	esc(w->b, s, n);
}

void jw_str(struct jw *w, const char *s) { jw_strn(w, s, strlen(s)); }

void jw_int(struct jw *w, int64_t v)
{
	pre(w);
	buf_i64(w->b, v);
}

void jw_bool(struct jw *w, bool v)
{
	pre(w);
	buf_str(w->b, v ? "true" : "false");
}

void jw_null(struct jw *w)
{
	pre(w);
	buf_str(w->b, "null");
}

void jw_raw(struct jw *w, const char *json)
{
	pre(w);
	buf_str(w->b, json);
}

void jw_kstr(struct jw *w, const char *k, const char *v) { jw_key(w, k); jw_str(w, v); }
void jw_kint(struct jw *w, const char *k, int64_t v) { jw_key(w, k); jw_int(w, v); }
void jw_kbool(struct jw *w, const char *k, bool v) { jw_key(w, k); jw_bool(w, v); }
void jw_knull(struct jw *w, const char *k) { jw_key(w, k); jw_null(w); }
void jw_kobj(struct jw *w, const char *k) { jw_key(w, k); jw_obj(w); }
void jw_karr(struct jw *w, const char *k) { jw_key(w, k); jw_arr(w); }

void jw_link(struct jw *w, const char *k, const char *fmt, ...)
{
	char t[256]; /* Redfish URIs are far shorter; longer is an error, not a cut link */
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t, sizeof(t), fmt, ap);
	va_end(ap);
	if (k)
		jw_key(w, k);
	jw_obj(w);
	jw_key(w, "@odata.id");
	if (n < 0 || (size_t)n >= sizeof(t)) {
		fail(w);
		jw_null(w);
	} else {
		jw_strn(w, t, (size_t)n);
	}
	jw_obj_end(w);
}

/* --- parser ----------------------------------------------------------------------------- */

struct ps {
	const char *s;
	size_t len, pos;
	struct json_tok *t;
	int n, max;
};

static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static void skip_ws(struct ps *p)
{
	while (p->pos < p->len && is_ws(p->s[p->pos]))
		p->pos++;
}

/* Four hex digits at s[i..i+4) within end, or -1. */
static int hex4(const char *s, size_t i, size_t end)
{
	int v = 0;
	if (end < 4 || i > end - 4)
		return -1;
	for (int k = 0; k < 4; k++) {
		int h = ascii_hex((unsigned char)s[i + (size_t)k]);
		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

static int new_tok(struct ps *p, int type, size_t start, size_t len)
{
	if (p->n >= p->max)
		return JSON_ETOKENS;
	struct json_tok *k = &p->t[p->n];
	k->type = (uint8_t)type;
	k->start = (uint32_t)start;
	k->len = (uint32_t)len;
	k->size = 0;
	k->end = (uint32_t)p->n + 1;
	return p->n++;
}

/* A string at p->pos (its '"'): checks escapes, surrogate pairs and UTF-8. */
static int scan_str(struct ps *p)
{
	const char *s = p->s;
	size_t i = p->pos + 1, n = p->len;
	for (;;) {
		if (i >= n)
			return JSON_EMALFORMED;
		uint8_t c = (uint8_t)s[i];
		if (c == '"')
			break;
		if (c < 0x20)
			return JSON_EMALFORMED;
		if (c != '\\') {
			size_t k = utf8_len((const uint8_t *)s + i, n - i);
			if (!k)
				return JSON_EUTF8;
			i += k;
			continue;
		}
		if (i + 1 >= n)
			return JSON_EMALFORMED;
		c = (uint8_t)s[i + 1];
		if (c != 'u') {
			if (!c || !strchr("\"\\/bfnrt", c))
				return JSON_EMALFORMED;
			i += 2;
			continue;
		}
		int u = hex4(s, i + 2, n);
		if (u < 0)
			return JSON_EMALFORMED;
		i += 6;
		if (u >= 0xDC00 && u <= 0xDFFF)
			return JSON_EUTF8; /* a low surrogate first */
		if (u >= 0xD800 && u <= 0xDBFF) {
			if (i + 1 >= n || s[i] != '\\' || s[i + 1] != 'u')
				return JSON_EUTF8;
			int l = hex4(s, i + 2, n);
			if (l < 0)
				return JSON_EMALFORMED;
			if (l < 0xDC00 || l > 0xDFFF)
				return JSON_EUTF8;
			i += 6;
		}
	}
	int r = new_tok(p, JSON_STRING, p->pos + 1, i - p->pos - 1);
	p->pos = i + 1;
	return r;
}

/* number = [ "-" ] ( "0" / 1-9 *DIGIT ) [ "." 1*DIGIT ] [ ( "e" / "E" ) [ "+" / "-" ] 1*DIGIT ] */
static int scan_num(struct ps *p)
{
	const char *s = p->s;
	size_t i = p->pos, n = p->len;
	if (s[i] == '-')
		i++;
	if (i >= n || !ascii_digit((unsigned char)s[i]))
		return JSON_EMALFORMED;
	if (s[i++] != '0')
		while (i < n && ascii_digit((unsigned char)s[i]))
			i++;
	if (i < n && s[i] == '.') {
		if (++i >= n || !ascii_digit((unsigned char)s[i]))
			return JSON_EMALFORMED;
		while (i < n && ascii_digit((unsigned char)s[i]))
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		if (++i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || !ascii_digit((unsigned char)s[i]))
			return JSON_EMALFORMED;
		while (i < n && ascii_digit((unsigned char)s[i]))
			i++;
	}
	int r = new_tok(p, JSON_NUMBER, p->pos, i - p->pos);
	p->pos = i;
	return r;
}

static int scan_lit(struct ps *p)
{
	static const struct {
		const char *s;
		int type;
	} lits[] = { { "true", JSON_TRUE }, { "false", JSON_FALSE }, { "null", JSON_NULL } };
	for (size_t k = 0; k < 3; k++) {
		size_t n = strlen(lits[k].s);
		if (p->len - p->pos >= n && memcmp(p->s + p->pos, lits[k].s, n) == 0) {
			int r = new_tok(p, lits[k].type, p->pos, n);
			p->pos += n;
			return r;
		}
	}
	return JSON_EMALFORMED;
}

static int put_utf8(uint32_t c, char *o)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xC0 | c >> 6);
		o[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xE0 | c >> 12);
		o[1] = (char)(0x80 | (c >> 6 & 0x3F));
		o[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | c >> 18);
	o[1] = (char)(0x80 | (c >> 12 & 0x3F));
	o[2] = (char)(0x80 | (c >> 6 & 0x3F));
	o[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* The next code point of string text s[*i..end) (*i < end), unescaped; U+FFFD for
 * anything json_parse would not have let through. */
static uint32_t next_cp(const char *s, size_t *i, size_t end)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t j = *i;
	uint32_t c = p[j];
	if (c == '\\' && j + 1 < end) {
		static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
		const char *e = strchr(from, p[j + 1]);
		*i = j + 2;
		if (p[j + 1] != 'u')
			return e && p[j + 1] ? (uint8_t)to[e - from] : 0xFFFD;
		int u = hex4(s, j + 2, end), l;
		if (u < 0)
			return 0xFFFD;
		*i = j + 6;
		if (u >= 0xD800 && u <= 0xDBFF && *i + 1 < end && p[*i] == '\\' &&
		    p[*i + 1] == 'u' && (l = hex4(s, *i + 2, end)) >= 0xDC00 && l <= 0xDFFF) {
			*i += 6;
			return 0x10000 + ((uint32_t)(u - 0xD800) << 10) + (uint32_t)(l - 0xDC00);
		}
		return u >= 0xD800 && u <= 0xDFFF ? 0xFFFD : (uint32_t)u;
	}
	size_t k = utf8_len(p + j, end - j);
	*i = j + (k ? k : 1);
	if (k <= 1)
		return k ? c : 0xFFFD;
	c &= 0x7F >> k;
	for (size_t m = 1; m < k; m++)
		c = c << 6 | (p[j + m] & 0x3F);
	return c;
}

static bool tok_eq(const char *s, const struct json_tok *a, const struct json_tok *b)
{
	size_t i = a->start, ie = i + a->len, j = b->start, je = j + b->len;
	if (a->len == b->len && memcmp(s + i, s + j, a->len) == 0)
		return true;
	while (i < ie && j < je)
		if (next_cp(s, &i, ie) != next_cp(s, &j, je))
			return false;
	return i == ie && j == je;
}

enum { WANT_VALUE, WANT_KEY, HAVE_VALUE };

int json_parse(const char *s, size_t len, struct json_tok *t, int max_tokens, int max_depth)
{
	struct ps p = { s, len, 0, t, 0, max_tokens };
	int stk[JSON_DEPTH_MAX], d = 0, st = WANT_VALUE, r;

	if (!t || max_tokens <= 0)
		return JSON_ETOKENS;
	if (len >= UINT32_MAX)
		return JSON_EMALFORMED;
	if (max_depth > JSON_DEPTH_MAX)
		max_depth = JSON_DEPTH_MAX;
	for (;;) {
		struct json_tok *top = d ? &t[stk[d - 1]] : NULL;
		skip_ws(&p);
		if (st == HAVE_VALUE && !top)
			return p.pos == len ? p.n : JSON_EMALFORMED;
		if (p.pos >= len)
			return JSON_EMALFORMED;
		char c = s[p.pos];
		if (st == WANT_KEY) {
			if (c != '"')
				return JSON_EMALFORMED;
			if ((r = scan_str(&p)) < 0)
				return r;
			/* each earlier key: compare, and count this member after it */
			for (int k = stk[d - 1] + 1; k < r; k = (int)t[k + 1].end) {
				if (tok_eq(s, &t[k], &t[r]))
					return JSON_EDUPKEY;
				t[k].size++;
			}
			top->size++;
			skip_ws(&p);
			if (p.pos >= len || s[p.pos] != ':')
				return JSON_EMALFORMED;
			p.pos++;
			st = WANT_VALUE;
		} else if (st == HAVE_VALUE) {
			bool obj = top->type == JSON_OBJECT;
			if (c == ',') {
				p.pos++;
				st = obj ? WANT_KEY : WANT_VALUE;
			} else if (c == (obj ? '}' : ']')) {
				top->len = (uint32_t)(++p.pos - top->start);
				top->end = (uint32_t)p.n;
				d--;
			} else {
				return JSON_EMALFORMED;
			}
		} else {
			if (top && top->type == JSON_ARRAY)
				top->size++;
			if (c == '{' || c == '[') {
				if (d >= max_depth)
					return JSON_EDEPTH;
				r = new_tok(&p, c == '{' ? JSON_OBJECT : JSON_ARRAY, p.pos, 0);
				if (r < 0)
					return r;
				stk[d++] = r;
				p.pos++;
				skip_ws(&p);
				if (p.pos < len && s[p.pos] == (c == '{' ? '}' : ']'))
					st = HAVE_VALUE; /* empty: closed on the next turn */
				else
					st = c == '{' ? WANT_KEY : WANT_VALUE;
				continue;
			}
			if (c == '"')
				r = scan_str(&p);
			else if (c == '-' || ascii_digit((unsigned char)c))
				r = scan_num(&p);
			else
				r = scan_lit(&p);
			if (r < 0)
				return r;
			st = HAVE_VALUE;
		}
	}
}

int json_first(const struct json_tok *t, int obj)
{
	if ((t[obj].type != JSON_OBJECT && t[obj].type != JSON_ARRAY) || t[obj].size == 0)
		return -1;
	return obj + 1;
}

int json_next(const struct json_tok *t, int key) { return t[key].size ? (int)t[key + 1].end : -1; }

int json_next_elem(const struct json_tok *t, int arr, int elem)
{
	int n = (int)t[elem].end;
	return n < (int)t[arr].end ? n : -1;
}

int json_get(const char *s, const struct json_tok *t, int obj, const char *key)
{
	if (t[obj].type != JSON_OBJECT)
		return -1;
	for (int k = json_first(t, obj); k >= 0; k = json_next(t, k))
		if (json_str_eq(s, t, k, key))
			return k + 1;
	return -1;
}

bool json_str_eq(const char *s, const struct json_tok *t, int i, const char *lit)
{
	size_t j = t[i].start, end = j + t[i].len, n = strlen(lit), o = 0;
	if (t[i].type != JSON_STRING)
		return false;
	while (j < end) {
		char u[4];
		size_t k = (size_t)put_utf8(next_cp(s, &j, end), u);
		if (n - o < k || memcmp(lit + o, u, k))
			return false;
		o += k;
	}
	return o == n;
}

bool json_str(const char *s, const struct json_tok *t, int i, char *out, size_t cap)
{
	size_t j = t[i].start, end = j + t[i].len, o = 0;
	if (t[i].type != JSON_STRING || cap == 0)
		return false;
	while (j < end) {
		char u[4];
		uint32_t c = next_cp(s, &j, end);
		size_t k = (size_t)put_utf8(c, u);
		if (c == 0 || cap - o <= k)
			return false;
		memcpy(out + o, u, k);
		o += k;
	}
	out[o] = 0;
	return true;
}

bool json_int(const char *s, const struct json_tok *t, int i, int64_t min, int64_t max,
	      int64_t *out)
{
	const char *p = s + t[i].start;
	size_t n = t[i].len, k = 0;
	uint64_t m = 0, lim = (uint64_t)1 << 63;
	int64_t v;
	if (t[i].type != JSON_NUMBER)
		return false;
	bool neg = n && p[0] == '-';
	k = neg;
	if (k >= n)
		return false;
	for (; k < n; k++) {
		if (!ascii_digit((unsigned char)p[k]) || m > lim / 10)
			return false;
		m = m * 10 + (uint64_t)(p[k] - '0');
		if (m > lim)
			return false;
	}
	if (neg)
		v = m == lim ? INT64_MIN : -(int64_t)m;
	else if (m > (uint64_t)INT64_MAX)
		return false;
	else
		v = (int64_t)m;
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}
