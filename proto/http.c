/*
 * HTTP/1.1 request parsing (RFC 9112 / RFC 9110).
 *
 * Implementation notes
 * - The head is read one line at a time and a line is only looked at once its LF is in the
 *   buffer, so every prefix of a valid request answers 0, and a prefix of any input answers
 *   either 0 or what the whole input answers. The search for an LF never looks past len or
 *   HTTP_HEAD_MAX; nothing is kept between calls, the caller simply calls again with more.
 * - Empty lines before the request line are skipped (RFC 9112 2.2); they count in head_len
 *   and in the returned length, so the caller always consumes exactly what it was told.
 * - Strict where leniency helps request smuggling or header injection: single SP between
 *   the request-line parts, no bare CR, no control bytes (other than HTAB) in field values,
 *   no obs-fold, no whitespace before the colon, no Transfer-Encoding at all (411), one
 *   Content-Length value (repeats must be equal; compared as digit strings without leading
 *   zeros so two huge different values are still 400), exactly one valid Host.
 * - absolute-form targets (http:// or https://) are accepted; path points at their path
 *   part, or at a static "/" when they have none. Userinfo, an empty authority or a
 *   fragment ('#') in any target is 400. Host is still required on HTTP/1.1 (RFC 9112 3.2).
 * - Expect: "100-continue" (any case) sets expect_continue on HTTP/1.1; it is ignored on
 *   HTTP/1.0 (RFC 9110 10.1.1). Any other expectation is answered -417.
 * - Checks after the head, in this order: Host (400), Transfer-Encoding (411),
 *   Content-Length (400, then 413), Expect (417).
 */
#include "http.h"

#include "ascii.h"

#include <string.h>

#define METHOD_MAX 16

static bool one_of(unsigned char c, const char *set) { return c && strchr(set, c); }

/* RFC 9110 5.6.2 tchar */
static bool is_tchar(unsigned char c) { return ascii_alnum(c) || one_of(c, "!#$%&'*+-.^_`|~"); }

static bool name_is(const struct http_header *h, const char *name)
{
	size_t n = strlen(name);
	return h->name_len == n && ascii_ieq(h->name, name, n);
}

/* The line starting at pos: [pos, *eol) without its CRLF/LF, the next one at *next. Returns
 * 1, or 0 when its LF is not here yet, or -431 when it cannot be within HTTP_HEAD_MAX. */
static int line(const char *buf, size_t len, size_t pos, size_t *eol, size_t *next)
{
	size_t lim = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;
	const char *lf = pos < lim ? memchr(buf + pos, '\n', lim - pos) : NULL;
	if (!lf)
		return len >= HTTP_HEAD_MAX ? -431 : 0;
	*next = (size_t)(lf - buf) + 1;
	*eol = *next - 1;
	if (*eol > pos && buf[*eol - 1] == '\r')
		(*eol)--;
	return 1;
}

static const struct {
	const char *s;
	enum http_method m;
} methods[] = {
	{ "GET", HTTP_GET }, { "HEAD", HTTP_HEAD }, { "POST", HTTP_POST },
	{ "PATCH", HTTP_PATCH }, { "PUT", HTTP_PUT }, { "DELETE", HTTP_DELETE },
	{ "OPTIONS", HTTP_OPTIONS },
};

static void split_query(struct http_request *rq, const char *p, size_t n)
{
	const char *q = memchr(p, '?', n);
	rq->path = p;
	rq->path_len = q ? (size_t)(q - p) : n;
	if (q) {
		rq->query = q + 1;
		rq->query_len = n - rq->path_len - 1;
	}
}

static int target_form(struct http_request *rq)
{
	const char *t = rq->target;
	size_t n = rq->target_len, a;

	if (memchr(t, '#', n))
		return -400;
	if (t[0] == '/') {
		split_query(rq, t, n);
		return 0;
	}
	if (n == 1 && t[0] == '*') {
		if (rq->method != HTTP_OPTIONS)
			return -400;
		rq->path = t;
		rq->path_len = 1;
		return 0;
	}
	if (n > 7 && ascii_ieq(t, "http://", 7))
		a = 7;
	else if (n > 8 && ascii_ieq(t, "https://", 8))
		a = 8;
	else
		return -400;
	size_t e = a;
	while (e < n && t[e] != '/' && t[e] != '?')
		e++;
	if (e == a || memchr(t + a, '@', e - a))
		return -400;
	if (e < n && t[e] == '/') {
		split_query(rq, t + e, n - e);
	} else {
		split_query(rq, t + e, n - e); /* "" or "?query" */
		rq->path = "/";
		rq->path_len = 1;
	}
	return 0;
}

static int request_line(const char *p, size_t n, struct http_request *rq)
{
	size_t i = 0;
	while (i < n && is_tchar((unsigned char)p[i]))
		i++;
	if (i == 0 || i == n || p[i] != ' ')
		return -400;
	if (i > METHOD_MAX)
		return -501;
	rq->method_str = p;
	rq->method_len = i;
	rq->method = HTTP_OTHER;
	for (size_t k = 0; k < sizeof(methods) / sizeof(methods[0]); k++)
		if (strlen(methods[k].s) == i && memcmp(methods[k].s, p, i) == 0)
			rq->method = methods[k].m;

	size_t t = ++i;
	while (i < n && (unsigned char)p[i] > ' ' && (unsigned char)p[i] < 0x7F)
		i++;
	if (i == t || i == n || p[i] != ' ')
		return -400;
	rq->target = p + t;
	rq->target_len = i - t;

	const char *v = p + i + 1;
	if (n - i - 1 != 8 || memcmp(v, "HTTP/", 5) || !ascii_digit((unsigned char)v[5]) ||
	    v[6] != '.' || !ascii_digit((unsigned char)v[7]))
		return -400;
	if (v[5] != '1' || v[7] > '1')
		return -505;
	rq->minor = v[7] - '0';
	return target_form(rq);
}

static int header_line(const char *p, size_t n, struct http_request *rq)
{
	size_t i = 0;
	if (p[0] == ' ' || p[0] == '\t')
		return -400; /* obs-fold */
	if (rq->nh == HTTP_HEADERS_MAX)
		return -431;
	while (i < n && is_tchar((unsigned char)p[i]))
		i++;
	if (i == 0 || i == n || p[i] != ':')
		return -400; /* also catches "Name :" */
	struct http_header *h = &rq->h[rq->nh];
	h->name = p;
	h->name_len = i++;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	while (n > i && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	for (size_t k = i; k < n; k++) {
		unsigned char c = (unsigned char)p[k];
		if ((c < ' ' && c != '\t') || c == 0x7F)
			return -400; /* NUL, bare CR, ... */
	}
	h->value = p + i;
	h->value_len = n - i;
	rq->nh++;
	return 0;
}

/* Content-Length: all fields must be the same digit string (leading zeros aside). */
static int content_length(struct http_request *rq)
{
	const char *d = NULL;
	size_t dn = 0;
	for (int k = 0; k < rq->nh; k++) {
		const struct http_header *h = &rq->h[k];
		if (!name_is(h, "content-length"))
			continue;
		size_t i = 0, n = h->value_len;
		if (n == 0)
			return -400;
		for (size_t j = 0; j < n; j++)
			if (!ascii_digit((unsigned char)h->value[j]))
				return -400;
		while (i + 1 < n && h->value[i] == '0')
			i++;
		if (d && (dn != n - i || memcmp(d, h->value + i, dn)))
			return -400;
		d = h->value + i;
		dn = n - i;
	}
	if (!d)
		return 0;
	if (dn > 9)
		return -413;
	size_t v = 0;
	for (size_t i = 0; i < dn; i++)
		v = v * 10 + (size_t)(d[i] - '0');
	if (v > HTTP_BODY_MAX)
		return -413;
	rq->content_length = v;
	return 0;
}

/* After a complete head: the interpreted fields. */
static int interpret(struct http_request *rq)
{
	int hosts = http_header_count(rq, "host");
	const struct http_header *h = http_header_get(rq, "host");
	if (hosts > 1 || (hosts == 0 && rq->minor == 1))
		return -400;
	for (size_t i = 0; h && i < h->value_len; i++) {
		unsigned char c = (unsigned char)h->value[i];
		if (!ascii_alnum(c) && !one_of(c, "-._~!$&'()*+,;=:[]%"))
			return -400; /* RFC 3986 host [ ":" port ] characters */
	}
	if (http_header_get(rq, "transfer-encoding"))
		return -411;
	int r = content_length(rq);
	if (r)
		return r;
	bool close = false, ka = false;
	for (int k = 0; k < rq->nh; k++) {
		h = &rq->h[k];
		if (name_is(h, "connection")) {
			close |= http_token_list_has(h->value, h->value_len, "close");
			ka |= http_token_list_has(h->value, h->value_len, "keep-alive");
		} else if (name_is(h, "expect")) {
			if (h->value_len != 12 || !ascii_ieq(h->value, "100-continue", 12))
				return -417;
			rq->expect_continue = rq->minor == 1;
		}
	}
	rq->keep_alive = !close && (rq->minor == 1 || ka);
	return 0;
}

int http_parse(const char *buf, size_t len, struct http_request *rq)
{
	size_t pos = 0, eol = 0, next = 0;
	int r;

	memset(rq, 0, sizeof(*rq));
	for (;;) { /* empty lines before the request line */
		if ((r = line(buf, len, pos, &eol, &next)) <= 0)
			return r;
		if (eol > pos)
			break;
		pos = next;
	}
	if ((r = request_line(buf + pos, eol - pos, rq)))
		return r;
	for (;;) {
		pos = next;
		if ((r = line(buf, len, pos, &eol, &next)) <= 0)
			return r;
		if (eol == pos)
			break;
		if ((r = header_line(buf + pos, eol - pos, rq)))
			return r;
	}
	if ((r = interpret(rq)))
		return r;
	rq->head_len = next;
	if (len - next < rq->content_length)
		return 0;
	rq->body = buf + next;
	rq->body_len = rq->content_length;
	return (int)(next + rq->content_length);
}

const struct http_header *http_header_get(const struct http_request *rq, const char *name)
{
	for (int k = 0; k < rq->nh; k++)
		if (name_is(&rq->h[k], name))
			return &rq->h[k];
	return NULL;
}

int http_header_count(const struct http_request *rq, const char *name)
{
	int n = 0;
	for (int k = 0; k < rq->nh; k++)
		n += name_is(&rq->h[k], name);
	return n;
}

bool http_list_next(const char *v, size_t len, size_t *pos, size_t *s, size_t *e)
{
	size_t i = *pos;
	if (i > len)
		return false; /* past the end: "a," has an empty last element, "" one empty one */
	size_t a = i, b;
	while (i < len && v[i] != ',')
		i++;
	b = i;
	*pos = i + 1;
	while (a < b && (v[a] == ' ' || v[a] == '\t'))
		a++;
	while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t'))
		b--;
	*s = a;
	*e = b;
	return true;
}

bool http_token_list_has(const char *v, size_t len, const char *token)
{
	size_t tn = strlen(token), pos = 0, s, e;
	while (http_list_next(v, len, &pos, &s, &e))
		if (e - s == tn && ascii_ieq(v + s, token, tn))
			return true;
	return false;
}

bool http_path_decode(const char *p, size_t len, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)p[i];
		if (c == '%') {
			int h = i + 2 < len ? ascii_hex((unsigned char)p[i + 1]) : -1;
			int l = h >= 0 ? ascii_hex((unsigned char)p[i + 2]) : -1;
			if (l < 0)
				return false;
			c = h << 4 | l;
			if (c == '/')
				return false; /* would change the path's structure */
			i += 2;
		}
		if (c == 0 || o + 1 >= cap)
			return false;
		out[o++] = (char)c;
	}
	if (cap == 0)
		return false;
	out[o] = 0;
	return true;
}

const char *http_reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 101: return "Switching Protocols";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 411: return "Length Required";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 417: return "Expectation Failed";
	case 422: return "Unprocessable Content";
	case 428: return "Precondition Required";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}
