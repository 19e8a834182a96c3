/*
 * HTTP/1.1 request parsing (RFC 9112), sans-I/O, in the picohttpparser style: the caller
 * keeps the bytes; http_parse() looks at buf[0..len) and either says "need more", reports
 * a complete request whose fields point into buf, or names the HTTP status to answer.
 *
 * Limits (each answered with its status code): request line + headers HTTP_HEAD_MAX bytes
 * (431), HTTP_HEADERS_MAX header fields (431), body HTTP_BODY_MAX bytes (413). A body must
 * come with Content-Length: any Transfer-Encoding gets 411 (Length Required). Malformed
 * syntax, a bad or repeated Content-Length, a missing Host on HTTP/1.1, control bytes in
 * the target: 400. A version other than HTTP/1.0 or 1.1: 505. A method token longer than
 * 16 bytes: 501. Line endings: CRLF; a bare LF is accepted too. Obsolete line folding and
 * whitespace between a field name and its colon: 400 (request smuggling defences).
 */
#ifndef BMCD_HTTP_H
#define BMCD_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_HEAD_MAX 8192
#define HTTP_BODY_MAX 65536
#define HTTP_HEADERS_MAX 40

enum http_method {
	HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_PATCH, HTTP_PUT, HTTP_DELETE, HTTP_OPTIONS,
	HTTP_OTHER
};

struct http_header {
	const char *name, *value; /* value with surrounding whitespace removed */
	size_t name_len, value_len;
};

struct http_request {
	enum http_method method;
	const char *method_str;
	size_t method_len;
	const char *target;	/* request-target as sent */
	size_t target_len;
	const char *path;	/* target up to '?' (origin-form), or "*" */
	size_t path_len;
	const char *query;	/* after '?', without it; NULL if none */
	size_t query_len;
	int minor;		/* HTTP/1.<minor> */
	struct http_header h[HTTP_HEADERS_MAX];
	int nh;
	size_t head_len;	/* request line + headers + blank line, once complete */
	/* interpreted */
	size_t content_length;	/* 0 without a Content-Length */
	bool keep_alive;	/* HTTP/1.1 unless "Connection: close"; 1.0 only with keep-alive */
	bool expect_continue;	/* "Expect: 100-continue" */
	const char *body;	/* points into buf; valid when the request is complete */
	size_t body_len;
};

/*
 * Returns:
 *   > 0  a complete request of that many bytes (head + body) starts at buf;
 *   0    incomplete: read more. If rq->head_len is non-zero the head is complete and
 *        valid and only the body is missing (the caller may answer 100 Continue);
 *   < 0  minus the status code to answer before closing (-400, -411, -413, -431, -501, -505).
 * rq is filled as far as parsing got; on success every field is valid.
 */
int http_parse(const char *buf, size_t len, struct http_request *rq);

/* Case-insensitive header lookup: the first field with that name, or NULL. */
const struct http_header *http_header_get(const struct http_request *rq, const char *name);
/* Number of fields with that name (duplicates matter for some headers). */
int http_header_count(const struct http_request *rq, const char *name);
/* The reason phrase for a status code ("Not Found"), "Unknown" if not known. */
const char *http_reason(int status);
/* Decodes %XX escapes of a path into out (NUL-terminated); false on a bad escape, an
 * encoded NUL or '/', or overflow. */
bool http_path_decode(const char *p, size_t len, char *out, size_t cap);
/* Token comparison helpers for header values */
/* Walks a comma-separated header list "a, b ,c": from *pos (start at 0), sets [*s, *e) to
 * the next element without surrounding blanks and returns true, or false at the end. Empty
 * elements count: "a," ends with one, and "" is one. */
bool http_list_next(const char *v, size_t len, size_t *pos, size_t *s, size_t *e);
bool http_token_list_has(const char *v, size_t len, const char *token); /* "a, b, c" */

#endif
