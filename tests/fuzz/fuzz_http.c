/*
 * fuzz_http: the HTTP/1.1 request parser (http_parse) on raw bytes as a client sends them,
 * pipelined requests included, plus the helpers the Redfish engine calls on what it
 * returns: header lookup and counting, token lists, percent-decoding of paths and the
 * reason phrases.
 *
 * Besides the sanitizers, the harness checks the parser's documented contract:
 * - every field of a complete request points into the bytes it was given (the body right
 *   after the head, body_len == content_length, head + body == the returned length);
 * - re-parsing exactly the returned number of bytes (in an exact-size copy, so ASan sees
 *   any read past it) gives the same answer;
 * - a prefix of the input answers 0 ("need more") or what the whole input answers
 *   (http.h: the parser keeps nothing between calls, the caller just calls again);
 * - a path that decodes has no NUL, no '/' that was not there before, and fits the buffer.
 */
#include "../../proto/http.h"
#include "fuzz_common.h"

#define PIPELINE_MAX 8

static void check_inside(const char *buf, size_t len, const char *p, size_t n, const char *what)
{
	if (n == 0)
		return;
	FUZZ_ASSERT(p >= buf && p + n <= buf + len, "%s outside the request", what);
}

static int hexv(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 32);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A plain reference decoder: every %XX becomes its byte, nothing is refused. */
static size_t ref_decode(const char *p, size_t len, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '%' && i + 2 < len && hexv(p[i + 1]) >= 0 && hexv(p[i + 2]) >= 0) {
			out[o++] = (char)(hexv(p[i + 1]) << 4 | hexv(p[i + 2]));
			i += 2;
		} else {
			out[o++] = p[i];
		}
	}
	return o;
}

static void check_decode(const char *p, size_t len)
{
	static const size_t caps[] = { 1, 2, 16, 256, 8192 };
	char *ref = malloc(len + 1);
	size_t rl = ref_decode(p, len, ref);
	for (size_t k = 0; k < sizeof(caps) / sizeof(caps[0]); k++) {
		char *o = malloc(caps[k]); /* exact size: ASan catches a write past cap */
		if (http_path_decode(p, len, o, caps[k])) {
			size_t n = strlen(o);
			FUZZ_ASSERT(n < caps[k], "decoded path overflows its buffer");
			FUZZ_ASSERT(n == rl && memcmp(o, ref, n) == 0, "decoded path differs");
			size_t raw = 0, dec = 0;
			for (size_t i = 0; i < len; i++)
				raw += p[i] == '/';
			for (size_t i = 0; i < n; i++)
				dec += o[i] == '/';
			FUZZ_ASSERT(raw == dec, "%%2F decoded into a path separator");
		}
		free(o);
	}
	free(ref);
}

static void check_request(const char *buf, size_t len, int r, const struct http_request *rq)
{
	FUZZ_ASSERT((size_t)r <= len, "consumed %d of %zu bytes", r, len);
	FUZZ_ASSERT(rq->head_len > 0 && rq->head_len <= (size_t)r, "head_len %zu", rq->head_len);
	FUZZ_ASSERT(rq->body == buf + rq->head_len, "body does not follow the head");
	FUZZ_ASSERT(rq->body_len == rq->content_length, "body_len != content_length");
	FUZZ_ASSERT(rq->head_len + rq->body_len == (size_t)r, "head + body != consumed");
	FUZZ_ASSERT(rq->method_len > 0, "empty method");
	check_inside(buf, len, rq->method_str, rq->method_len, "method");
	check_inside(buf, len, rq->target, rq->target_len, "target");
	if (!(rq->path_len == 1 && rq->path[0] == '/'))
		check_inside(buf, len, rq->path, rq->path_len, "path");
	if (rq->query)
		check_inside(buf, len, rq->query, rq->query_len, "query");
	FUZZ_ASSERT(rq->nh >= 0 && rq->nh <= HTTP_HEADERS_MAX, "nh %d", rq->nh);
	for (int i = 0; i < rq->nh; i++) {
		const struct http_header *h = &rq->h[i];
		check_inside(buf, len, h->name, h->name_len, "header name");
		check_inside(buf, len, h->value, h->value_len, "header value");
		FUZZ_ASSERT(h->name_len > 0, "empty header name");
		/* names are looked up case-insensitively: the field itself must be found */
		char name[HTTP_HEAD_MAX + 1];
		memcpy(name, h->name, h->name_len);
		name[h->name_len] = 0;
		const struct http_header *g = http_header_get(rq, name);
		FUZZ_ASSERT(g && g <= h, "header '%s' not found by name", name);
		FUZZ_ASSERT(http_header_count(rq, name) >= 1, "header count");
		(void)http_token_list_has(h->value, h->value_len, "close");
		(void)http_token_list_has(h->value, h->value_len, "keep-alive");
		(void)http_token_list_has(h->value, h->value_len, "100-continue");
	}
	static const char *const names[] = { "Host", "Content-Type", "Authorization",
					     "X-Auth-Token", "If-Match", "If-None-Match",
					     "OData-Version", "Accept", "Connection" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		(void)http_header_get(rq, names[i]);
	FUZZ_ASSERT(http_header_count(rq, "host") <= 1, "two Host fields accepted");
	FUZZ_ASSERT(!http_header_get(rq, "transfer-encoding"), "Transfer-Encoding accepted");
	check_decode(rq->path, rq->path_len);
	if (rq->query)
		check_decode(rq->query, rq->query_len);
}

/* Parses buf[0..len) from an exact-size copy. */
static int parse_copy(const char *buf, size_t len, struct http_request *rq)
{
	char *c = malloc(len ? len : 1);
	memcpy(c, buf, len);
	int r = http_parse(c, len, rq);
	free(c);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_request rq, rq2;
	const char *buf = (const char *)data;
	size_t off = 0;
	for (int k = 0; k < PIPELINE_MAX && off < size; k++) {
		const char *b = buf + off;
		size_t len = size - off;
		int r = http_parse(b, len, &rq);
		(void)http_reason(r < 0 ? -r : 200);
		/* prefixes: the midpoint and one byte short */
		size_t cuts[2] = { len / 2, len ? len - 1 : 0 };
		for (int i = 0; i < 2; i++) {
			int p = parse_copy(b, cuts[i], &rq2);
			FUZZ_ASSERT(p == 0 || p == r, "prefix of %zu bytes answers %d, whole %d",
				    cuts[i], p, r);
		}
		if (r <= 0) {
			if (r == 0 && rq.head_len)
				FUZZ_ASSERT(rq.head_len <= len, "head_len past the input");
			break;
		}
		check_request(b, len, r, &rq);
		int again = parse_copy(b, (size_t)r, &rq2);
		FUZZ_ASSERT(again == r, "exactly the request's bytes answer %d, not %d", again, r);
		off += (size_t)r;
	}
	/* the decoder on raw bytes too: paths only ever hold printable ASCII, queries not */
	check_decode(buf, size < 4096 ? size : 4096);
	return 0;
}
