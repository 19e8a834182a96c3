/*
 * YAML subset reader. See yaml.h.
 *
 * Implementation notes
 * - Line oriented. A stack of (indent, key) holds the mapping path; a line with an indent
 *   at or below a stack entry closes that entry. Lines inside a construct we step over
 *   (a sequence item, a block scalar) are skipped by indent alone.
 * - Flow mappings are parsed by a small recursive-descent reader bounded by the same
 *   depth limit; they must close on the line they open (kvmd's files never wrap them).
 * - Everything is bounded: key and path lengths, value length, depth. Anything else is an
 *   error reported with its path and line, and parsing goes on with the next line.
 */
#include "yaml.h"

#include <stdio.h>
#include <string.h>

#define KEY_MAX 64

struct yst {
	const char *prefix;
	yaml_cb cb;
	void *ctx;
	int errors, line;
	bool stop;
	int depth;
	int indent[YAML_DEPTH_MAX];
	char key[YAML_DEPTH_MAX][KEY_MAX];
	int skip_indent; /* >= 0: skip lines indented deeper than this */
};

static void emit(struct yst *y, enum yaml_kind k, const char *path, const char *v)
{
	if (k == YAML_ERROR)
		y->errors++;
	if (!y->stop && y->cb(y->ctx, k, path, v, y->line))
		y->stop = true;
}

/* The dotted path of the stack plus `last` (may be NULL). false if too long. */
static bool make_path(const struct yst *y, int depth, const char *last, char *out)
{
	size_t n = 0;
	out[0] = 0;
	const char *parts[YAML_DEPTH_MAX + 2];
	int np = 0;
	if (y->prefix && y->prefix[0])
		parts[np++] = y->prefix;
	for (int i = 0; i < depth; i++)
		parts[np++] = y->key[i];
	if (last)
		parts[np++] = last;
	for (int i = 0; i < np; i++) {
		size_t l = strlen(parts[i]);
		if (n + l + 2 > YAML_PATH_MAX)
			return false;
		if (n)
			out[n++] = '.';
		memcpy(out + n, parts[i], l);
		n += l;
		out[n] = 0;
	}
	return true;
}

static void error_at(struct yst *y, const char *last, const char *msg)
{
	char path[YAML_PATH_MAX];
	if (!make_path(y, y->depth, last, path))
		strcpy(path, "?");
	emit(y, YAML_ERROR, path, msg);
}

/* --- scalars ---------------------------------------------------------------------------- */

/* Reads a quoted scalar at s[*i] (a quote); unescapes into out. */
static bool quoted(const char *s, size_t len, size_t *i, char *out, size_t cap, const char **why)
{
	char q = s[(*i)++];
	size_t n = 0;
	while (*i < len) {
		char c = s[(*i)++];
		if (c == q) {
			if (q == '\'' && *i < len && s[*i] == '\'') { /* '' is a quote */
				(*i)++;
			} else {
				out[n] = 0;
				return true;
			}
		} else if (c == '\\' && q == '"') {
			if (*i >= len)
				break;
			char e = s[(*i)++];
			switch (e) {
			case '"': case '\\': case '/': c = e; break;
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			default:
				*why = "unsupported escape in a double-quoted string";
				return false;
			}
		}
		if (c == '\0') {
			*why = "NUL byte in a string";
			return false;
		}
		if (n + 1 >= cap) {
			*why = "value too long";
			return false;
		}
		out[n++] = c;
	}
	*why = "unterminated quoted string";
	return false;
}

/* A plain scalar up to one of `stops` (or the end), trimmed. */
static bool plain(const char *s, size_t len, size_t *i, const char *stops, char *out, size_t cap,
		  const char **why)
{
	size_t start = *i;
	while (*i < len && !(s[*i] && strchr(stops, s[*i])))
		(*i)++;
	size_t a = start, b = *i;
	while (a < b && (s[a] == ' ' || s[a] == '\t'))
		a++;
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
		b--;
	if (b - a + 1 > cap) {
		*why = "value too long";
		return false;
	}
	if (memchr(s + a, '\0', b - a)) {
		*why = "NUL byte in a value";
		return false;
	}
	memcpy(out, s + a, b - a);
	out[b - a] = 0;
	return true;
}

static void skip_ws(const char *s, size_t len, size_t *i)
{
	while (*i < len && (s[*i] == ' ' || s[*i] == '\t'))
		(*i)++;
}

/* --- flow mappings ---------------------------------------------------------------------- */

static bool flow_map(struct yst *y, const char *s, size_t len, size_t *i, int depth,
		     const char *path, const char **why);

static bool flow_value(struct yst *y, const char *s, size_t len, size_t *i, int depth,
		       const char *path, const char **why)
{
	char v[YAML_VALUE_MAX];
	skip_ws(s, len, i);
	if (*i < len && s[*i] == '{')
		return flow_map(y, s, len, i, depth + 1, path, why);
	if (*i < len && s[*i] == '[') { /* a flow sequence: stepped over */
		int nest = 0;
		for (; *i < len; (*i)++) {
			if (s[*i] == '[')
				nest++;
			else if (s[*i] == ']' && --nest == 0) {
				(*i)++;
				return true;
			}
		}
		*why = "unterminated flow sequence";
		return false;
	}
	if (*i < len && (s[*i] == '"' || s[*i] == '\'')) {
		if (!quoted(s, len, i, v, sizeof(v), why))
			return false;
	} else if (!plain(s, len, i, ",}", v, sizeof(v), why)) {
		return false;
	}
	emit(y, YAML_SCALAR, path, v);
	return true;
}

static bool flow_map(struct yst *y, const char *s, size_t len, size_t *i, int depth,
		     const char *path, const char **why)
{
	if (depth > YAML_DEPTH_MAX) {
		*why = "nested too deep";
		return false;
	}
	(*i)++; /* '{' */
	for (;;) {
		skip_ws(s, len, i);
		if (*i < len && s[*i] == '}') {
			(*i)++;
			return true;
		}
		char k[KEY_MAX];
		if (*i < len && (s[*i] == '"' || s[*i] == '\'')) {
			if (!quoted(s, len, i, k, sizeof(k), why))
				return false;
		} else if (!plain(s, len, i, ":,}", k, sizeof(k), why)) {
			return false;
		}
		skip_ws(s, len, i);
		if (*i >= len || s[*i] != ':' || !k[0]) {
			*why = "expected 'key: value' in a flow mapping";
			return false;
		}
		(*i)++;
		char sub[YAML_PATH_MAX];
		if (strlen(path) + strlen(k) + 2 > sizeof(sub)) {
			*why = "path too long";
			return false;
		}
		snprintf(sub, sizeof(sub), "%s.%s", path, k);
		if (!flow_value(y, s, len, i, depth, sub, why))
			return false;
		skip_ws(s, len, i);
		if (*i < len && s[*i] == ',') {
			(*i)++;
			continue;
		}
		if (*i < len && s[*i] == '}') {
			(*i)++;
			return true;
		}
		*why = "expected ',' or '}' in a flow mapping";
		return false;
	}
}

/* --- lines ------------------------------------------------------------------------------ */

/* Length of the line without a comment ('#' at the start or after a blank, outside
 * quotes) and without trailing blanks. */
static size_t strip(const char *s, size_t len)
{
	char q = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (q) {
			if (c == q)
				q = 0;
		} else if (c == '"' || c == '\'') {
			q = c;
		} else if (c == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')) {
			len = i;
			break;
		}
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	return len;
}

static void value_part(struct yst *y, const char *key, const char *s, size_t len, int indent)
{
	size_t i = 0;
	const char *why = NULL;
	char path[YAML_PATH_MAX];
	if (!make_path(y, y->depth, key, path)) {
		error_at(y, key, "path too long");
		return;
	}
	skip_ws(s, len, &i);
	if (i >= len) { /* a nested mapping follows */
		if (y->depth >= YAML_DEPTH_MAX) {
			error_at(y, key, "nested too deep");
			y->skip_indent = indent;
			return;
		}
		y->indent[y->depth] = indent;
		snprintf(y->key[y->depth], KEY_MAX, "%s", key);
		y->depth++;
		return;
	}
	char c = s[i];
	if (c == '|' || c == '>') { /* block scalar: stepped over */
		y->skip_indent = indent;
		return;
	}
	if (c == '&' || c == '*') {
		error_at(y, key, "anchors and aliases are not supported");
		y->skip_indent = indent;
		return;
	}
	if (c == '!') {
		if (len - i >= 8 && memcmp(s + i, "!include", 8) == 0 &&
		    (len - i == 8 || s[i + 8] == ' ')) {
			i += 8;
			skip_ws(s, len, &i);
			char v[YAML_VALUE_MAX];
			if (i < len && s[i] == '[') { /* a list of files */
				i++;
				for (;;) {
					skip_ws(s, len, &i);
					if (i < len && s[i] == ']')
						return;
					bool ok = i < len && (s[i] == '"' || s[i] == '\'')
							  ? quoted(s, len, &i, v, sizeof(v), &why)
							  : plain(s, len, &i, ",]", v, sizeof(v), &why);
					if (!ok || !v[0]) {
						error_at(y, key, why ? why : "empty file name");
						return;
					}
					emit(y, YAML_INCLUDE, path, v);
					skip_ws(s, len, &i);
					if (i < len && s[i] == ',') {
						i++;
						continue;
					}
					if (i < len && s[i] == ']')
						return;
					error_at(y, key, "expected ',' or ']' in the include list");
					return;
				}
			}
			bool ok = i < len && (s[i] == '"' || s[i] == '\'')
					  ? quoted(s, len, &i, v, sizeof(v), &why)
					  : plain(s, len, &i, "", v, sizeof(v), &why);
			if (!ok || !v[0])
				error_at(y, key, why ? why : "!include needs a file name");
			else
				emit(y, YAML_INCLUDE, path, v);
			return;
		}
		error_at(y, key, "unsupported tag");
		return;
	}
	if (c == '{') {
		if (!flow_map(y, s, len, &i, 1, path, &why)) {
			error_at(y, key, why);
			return;
		}
		skip_ws(s, len, &i);
		if (i != len)
			error_at(y, key, "text after a flow mapping");
		return;
	}
	if (c == '[') { /* flow sequence: no values for us */
		if (s[len - 1] != ']')
			error_at(y, key, "flow sequences must close on their line");
		return;
	}
	char v[YAML_VALUE_MAX];
	if (c == '"' || c == '\'') {
		if (!quoted(s, len, &i, v, sizeof(v), &why)) {
			error_at(y, key, why);
			return;
		}
		skip_ws(s, len, &i);
		if (i != len) {
			error_at(y, key, "text after a quoted string");
			return;
		}
	} else if (!plain(s, len, &i, "", v, sizeof(v), &why)) {
		error_at(y, key, why);
		return;
	}
	emit(y, YAML_SCALAR, path, v);
}

static void one_line(struct yst *y, const char *s, size_t len)
{
	size_t ind = 0;
	while (ind < len && s[ind] == ' ')
		ind++;
	len = strip(s, len);
	if (len <= ind)
		return; /* blank or comment */
	if (s[ind] == '\t') {
		error_at(y, NULL, "tab in indentation");
		return;
	}
	int indent = (int)ind;
	if (y->skip_indent >= 0) {
		if (indent > y->skip_indent)
			return;
		y->skip_indent = -1;
	}
	if (indent == 0 && len >= 3 && (!memcmp(s, "---", 3) || !memcmp(s, "...", 3))) {
		y->depth = 0;
		return;
	}
	while (y->depth && y->indent[y->depth - 1] >= indent)
		y->depth--;
	s += ind;
	len -= ind;
	if (s[0] == '-' && (len == 1 || s[1] == ' ')) { /* a sequence item: stepped over */
		y->skip_indent = indent;
		return;
	}
	char key[KEY_MAX];
	size_t i = 0;
	const char *why = NULL;
	if (s[0] == '"' || s[0] == '\'') {
		if (!quoted(s, len, &i, key, sizeof(key), &why)) {
			error_at(y, NULL, why);
			return;
		}
	} else {
		/* a plain key ends at ": " or a final ':' */
		while (i < len && !(s[i] == ':' && (i + 1 == len || s[i + 1] == ' ')))
			i++;
		if (i == len || i == 0 || i >= KEY_MAX) {
			error_at(y, NULL, i >= KEY_MAX ? "key too long" : "expected 'key: value'");
			return;
		}
		memcpy(key, s, i);
		key[i] = 0;
		size_t kl = i; /* i stays at the ':' */
		while (kl && key[kl - 1] == ' ')
			key[--kl] = 0;
	}
	skip_ws(s, len, &i);
	if (i >= len || s[i] != ':') {
		error_at(y, NULL, "expected ':' after the key");
		return;
	}
	if (strchr(key, '.')) {
		error_at(y, NULL, "dots in keys are not supported");
		return;
	}
	i++;
	value_part(y, key, s + i, len - i, indent);
}

int yaml_parse(const char *text, size_t len, const char *prefix, yaml_cb cb, void *ctx)
{
	struct yst y;
	memset(&y, 0, sizeof(y));
	y.prefix = prefix;
	y.cb = cb;
	y.ctx = ctx;
	y.skip_indent = -1;
	size_t pos = 0;
	while (pos < len && !y.stop) {
		const char *s = text + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		pos += n + (nl ? 1 : 0);
		y.line++;
		one_line(&y, s, n);
	}
	return y.errors;
}
