/* HTTP request parser: every limit and status, pipelining, byte-at-a-time input, a guard
 * page behind the input, and random mutations checked for consistency. */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../proto/http.h"
#include "testlib.h"

static struct http_request rq;

static int P(const char *s) { return http_parse(s, strlen(s), &rq); }
/* s is one complete request, all of it consumed */
static bool whole(const char *s) { return P(s) == (int)strlen(s); }

/* The value of header `name` equals v. */
static bool hv(const char *name, const char *v)
{
	const struct http_header *h = http_header_get(&rq, name);
	return h && h->value_len == strlen(v) && memcmp(h->value, v, h->value_len) == 0;
}

static bool field(const char *p, size_t n, const char *v)
{
	return p && n == strlen(v) && memcmp(p, v, n) == 0;
}

static void basic(void)
{
	const char *s = "GET /redfish/v1/Systems?$expand=.&x=1 HTTP/1.1\r\n"
			"Host: bmc.example:443\r\n"
			"Accept:application/json  \r\n"
			"X-Empty:\r\n"
			"X-Tab:\t a\tb \t\r\n"
			"\r\n";
	CHECK_EQ(P(s), strlen(s));
	CHECK_EQ(rq.method, HTTP_GET);
	CHECK(field(rq.method_str, rq.method_len, "GET"));
	CHECK(field(rq.target, rq.target_len, "/redfish/v1/Systems?$expand=.&x=1"));
	CHECK(field(rq.path, rq.path_len, "/redfish/v1/Systems"));
	CHECK(field(rq.query, rq.query_len, "$expand=.&x=1"));
	CHECK_EQ(rq.minor, 1);
	CHECK_EQ(rq.nh, 4);
	CHECK(hv("host", "bmc.example:443"));
	CHECK(hv("ACCEPT", "application/json"));
	CHECK(hv("x-empty", ""));
	CHECK(hv("X-Tab", "a\tb"));
	CHECK(http_header_get(&rq, "Accep") == NULL);
	CHECK(http_header_get(&rq, "Accept-") == NULL);
	CHECK_EQ(http_header_count(&rq, "host"), 1);
	CHECK_EQ(http_header_count(&rq, "nope"), 0);
	CHECK_EQ(rq.head_len, strlen(s));
	CHECK_EQ(rq.content_length, 0);
	CHECK(rq.keep_alive);
	CHECK(!rq.expect_continue);
	CHECK_EQ(rq.body_len, 0);

	CHECK(whole("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
	CHECK(field(rq.path, rq.path_len, "/"));
	CHECK(rq.query == NULL && rq.query_len == 0);
	CHECK(whole("GET /? HTTP/1.1\r\nHost: a\r\n\r\n"));
	CHECK(field(rq.path, rq.path_len, "/") && rq.query && rq.query_len == 0);

	/* bare LF line endings */
	CHECK(whole("GET /x HTTP/1.0\nA: b\n\n"));
	CHECK_EQ(rq.minor, 0);
	CHECK(hv("a", "b"));
	CHECK(!rq.keep_alive);
	/* empty lines before the request line are skipped and counted */
	s = "\r\n\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
	CHECK_EQ(P(s), strlen(s));
	CHECK_EQ(rq.head_len, strlen(s));
	CHECK(field(rq.method_str, rq.method_len, "GET"));
	CHECK_EQ(P("\r\n\r\n"), 0);
	CHECK_EQ(P(""), 0);
	/* a bare CR is not a line end */
	CHECK_EQ(P("GET / HTTP/1.1\rHost: a\r\n\r\n"), -400);
	CHECK_EQ(P("\r\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"), -400);
	CHECK_EQ(P("GET / HTTP/1.1\r\nHost: a\r\n\r\r\n"), -400);
}

static void methods(void)
{
	static const struct {
		const char *m;
		enum http_method e;
	} k[] = {
		{ "GET", HTTP_GET }, { "HEAD", HTTP_HEAD }, { "POST", HTTP_POST },
		{ "PATCH", HTTP_PATCH }, { "PUT", HTTP_PUT }, { "DELETE", HTTP_DELETE },
		{ "OPTIONS", HTTP_OPTIONS }, { "PROPFIND", HTTP_OTHER }, { "get", HTTP_OTHER },
		{ "GETS", HTTP_OTHER }, { "!#$%&'*+-.^_`|~0", HTTP_OTHER },
	};
	char b[128];
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		snprintf(b, sizeof(b), "%s / HTTP/1.1\r\nHost: h\r\n\r\n", k[i].m);
		CHECK_EQ(P(b), strlen(b));
		CHECK_EQ(rq.method, k[i].e);
		CHECK(field(rq.method_str, rq.method_len, k[i].m));
	}
	CHECK(whole("ABCDEFGHIJKLMNOP / HTTP/1.1\r\nHost: h\r\n\r\n")); /* 16 */
	CHECK_EQ(P("ABCDEFGHIJKLMNOPQ / HTTP/1.1\r\nHost: h\r\n\r\n"), -501);
	CHECK_EQ(P("GE(T / HTTP/1.1\r\nHost: h\r\n\r\n"), -400);
	CHECK_EQ(P("GE\x80T / HTTP/1.1\r\nHost: h\r\n\r\n"), -400);
	CHECK_EQ(P(" GET / HTTP/1.1\r\nHost: h\r\n\r\n"), -400);
	CHECK_EQ(P("GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n"), -400);
	CHECK_EQ(P("GET  / HTTP/1.1\r\nHost: h\r\n\r\n"), -400);
	CHECK_EQ(P("GET / HTTP/1.1 \r\nHost: h\r\n\r\n"), -400);
	CHECK_EQ(P("GET /  HTTP/1.1\r\nHost: h\r\n\r\n"), -400);
	CHECK_EQ(P("GET /\r\nHost: h\r\n\r\n"), -400);
	CHECK_EQ(P("GET\r\nHost: h\r\n\r\n"), -400);
}

static void targets(void)
{
	CHECK(whole("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"));
	CHECK(field(rq.path, rq.path_len, "*") && rq.query == NULL);
	CHECK_EQ(P("GET * HTTP/1.1\r\nHost: h\r\n\r\n"), -400);
	CHECK_EQ(P("OPTIONS *x HTTP/1.1\r\nHost: h\r\n\r\n"), -400);

	const char *s = "GET http://bmc:80/redfish/v1?a=b HTTP/1.1\r\nHost: x\r\n\r\n";
	CHECK_EQ(P(s), strlen(s));
	CHECK(field(rq.path, rq.path_len, "/redfish/v1"));
	CHECK(field(rq.query, rq.query_len, "a=b"));
	CHECK(field(rq.target, rq.target_len, "http://bmc:80/redfish/v1?a=b"));
	CHECK(whole("GET HTTPS://bmc/x HTTP/1.1\r\nHost: x\r\n\r\n"));
	CHECK(field(rq.path, rq.path_len, "/x"));
	CHECK(whole("GET https://bmc HTTP/1.1\r\nHost: x\r\n\r\n"));
	CHECK(field(rq.path, rq.path_len, "/") && rq.query == NULL);
	CHECK(whole("GET https://bmc?q HTTP/1.1\r\nHost: x\r\n\r\n"));
	CHECK(field(rq.path, rq.path_len, "/") && field(rq.query, rq.query_len, "q"));
	CHECK_EQ(P("GET http:// HTTP/1.1\r\nHost: x\r\n\r\n"), -400);
	CHECK_EQ(P("GET http:///x HTTP/1.1\r\nHost: x\r\n\r\n"), -400);
	CHECK_EQ(P("GET http://u:p@bmc/ HTTP/1.1\r\nHost: x\r\n\r\n"), -400);
	CHECK_EQ(P("GET ftp://bmc/ HTTP/1.1\r\nHost: x\r\n\r\n"), -400);
	CHECK_EQ(P("CONNECT bmc:443 HTTP/1.1\r\nHost: x\r\n\r\n"), -400);
	CHECK_EQ(P("GET x/y HTTP/1.1\r\nHost: x\r\n\r\n"), -400);
	CHECK_EQ(P("GET /a#frag HTTP/1.1\r\nHost: x\r\n\r\n"), -400);
	/* control bytes, DEL and non-ASCII in the target */
	const char bad[] = { 0x01, 0x1f, 0x7f, (char)0x80, (char)0xff, '\t', '\0' };
	for (size_t i = 0; i < sizeof(bad); i++) {
		char b[64] = "GET /a_b HTTP/1.1\r\nHost: h\r\n\r\n";
		size_t n = strlen(b);
		b[6] = bad[i];
		CHECK_EQ(http_parse(b, n, &rq), -400);
	}
}

static void versions(void)
{
	CHECK(whole("GET / HTTP/1.0\r\n\r\n"));
	CHECK_EQ(rq.minor, 0);
	CHECK_EQ(P("GET / HTTP/2.0\r\nHost: h\r\n\r\n"), -505);
	CHECK_EQ(P("GET / HTTP/1.2\r\nHost: h\r\n\r\n"), -505);
	CHECK_EQ(P("GET / HTTP/0.9\r\nHost: h\r\n\r\n"), -505);
	CHECK_EQ(P("GET / HTTP/3.1\r\nHost: h\r\n\r\n"), -505);
	CHECK_EQ(P("GET / HTTP/1.10\r\nHost: h\r\n\r\n"), -400);
	CHECK_EQ(P("GET / HTTP/11\r\nHost: h\r\n\r\n"), -400);
	CHECK_EQ(P("GET / http/1.1\r\nHost: h\r\n\r\n"), -400);
	CHECK_EQ(P("GET / HTTP/1.x\r\nHost: h\r\n\r\n"), -400);
	CHECK_EQ(P("GET / HTTP/1,1\r\nHost: h\r\n\r\n"), -400);
	CHECK_EQ(P("GET / XTTP/1.1\r\nHost: h\r\n\r\n"), -400);
}

static void headers(void)
{
	/* obs-fold, whitespace before the colon, names that are not tokens */
	CHECK_EQ(P("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n"), -400);
	CHECK_EQ(P("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n\tb\r\n\r\n"), -400);
	CHECK_EQ(P("GET / HTTP/1.1\r\n Host: h\r\n\r\n"), -400);
	CHECK_EQ(P("GET / HTTP/1.1\r\nHost : h\r\n\r\n"), -400);
	CHECK_EQ(P("GET / HTTP/1.1\r\nHost\t: h\r\n\r\n"), -400);
	CHECK_EQ(P("GET / HTTP/1.1\r\nHost: h\r\n: x\r\n\r\n"), -400);
	CHECK_EQ(P("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n"), -400);
	CHECK_EQ(P("GET / HTTP/1.1\r\nHost: h\r\nA(b: c\r\n\r\n"), -400);
	CHECK_EQ(P("GET / HTTP/1.1\r\nHost: h\r\nA\x80: c\r\n\r\n"), -400);
	/* control bytes in values; HTAB and obs-text are fine */
	const char bad[] = { '\0', '\r', 0x01, 0x1f, 0x7f, 0x0b };
	for (size_t i = 0; i < sizeof(bad); i++) {
		char b[64] = "GET / HTTP/1.1\r\nHost: h\r\nX: a_b\r\n\r\n";
		size_t n = strlen(b);
		b[28] = bad[i];
		CHECK_EQ(http_parse(b, n, &rq), -400);
	}
	CHECK(whole("GET / HTTP/1.1\r\nHost: h\r\nX: a\tb\xc3\xa9\xff\r\n\r\n"));
	CHECK(hv("x", "a\tb\xc3\xa9\xff"));
	/* 40 fields are fine, 41 are 431 */
	char b[4096];
	size_t n = (size_t)snprintf(b, sizeof(b), "GET / HTTP/1.1\r\nHost: h\r\n");
	for (int i = 1; i < HTTP_HEADERS_MAX; i++)
		n += (size_t)snprintf(b + n, sizeof(b) - n, "X-%d: %d\r\n", i, i);
	memcpy(b + n, "\r\n", 3);
	CHECK_EQ(http_parse(b, n + 2, &rq), n + 2);
	CHECK_EQ(rq.nh, HTTP_HEADERS_MAX);
	CHECK(hv("x-39", "39"));
	n += (size_t)snprintf(b + n, sizeof(b) - n, "X-last: 1\r\n\r\n");
	CHECK_EQ(http_parse(b, n, &rq), -431);
	/* the 41st field is refused as soon as its line is complete */
	CHECK_EQ(http_parse(b, n - 2, &rq), -431);
	CHECK_EQ(http_parse(b, n - 3, &rq), 0);
}

static void head_limit(void)
{
	static char b[HTTP_HEAD_MAX + 64];
	const char *pre = "GET / HTTP/1.1\r\nHost: h\r\nX: ";
	size_t pn = strlen(pre);
	/* a head of exactly HTTP_HEAD_MAX bytes */
	memcpy(b, pre, pn);
	memset(b + pn, 'a', HTTP_HEAD_MAX - pn - 4);
	memcpy(b + HTTP_HEAD_MAX - 4, "\r\n\r\n", 4);
	CHECK_EQ(http_parse(b, HTTP_HEAD_MAX, &rq), HTTP_HEAD_MAX);
	CHECK_EQ(rq.head_len, HTTP_HEAD_MAX);
	CHECK_EQ(http_parse(b, HTTP_HEAD_MAX - 1, &rq), 0);
	/* one more byte: the blank line's LF is past the limit */
	memset(b + pn, 'a', HTTP_HEAD_MAX - pn - 3);
	memcpy(b + HTTP_HEAD_MAX - 3, "\r\n\r\n", 4);
	CHECK_EQ(http_parse(b, HTTP_HEAD_MAX + 1, &rq), -431);
	CHECK_EQ(http_parse(b, HTTP_HEAD_MAX, &rq), -431);
	CHECK_EQ(http_parse(b, HTTP_HEAD_MAX - 1, &rq), 0);
	/* no line end at all; endless empty lines */
	memset(b, 'G', sizeof(b));
	CHECK_EQ(http_parse(b, HTTP_HEAD_MAX - 1, &rq), 0);
	CHECK_EQ(http_parse(b, HTTP_HEAD_MAX, &rq), -431);
	CHECK_EQ(http_parse(b, sizeof(b), &rq), -431);
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = i % 2 ? '\n' : '\r';
	CHECK_EQ(http_parse(b, HTTP_HEAD_MAX - 1, &rq), 0);
	CHECK_EQ(http_parse(b, sizeof(b), &rq), -431);
}

static void host(void)
{
	CHECK_EQ(P("GET / HTTP/1.1\r\n\r\n"), -400);
	CHECK_EQ(P("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n"), -400);
	CHECK_EQ(P("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n"), -400);
	CHECK_EQ(P("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"), -400);
	CHECK_EQ(P("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"), -400);
	CHECK_EQ(P("GET / HTTP/1.1\r\nHost: a\"b\r\n\r\n"), -400);
	CHECK(whole("GET / HTTP/1.1\r\nHost:\r\n\r\n")); /* empty is allowed */
	CHECK(whole("GET / HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n"));
	CHECK(whole("GET / HTTP/1.0\r\n\r\n"));
}

static void body(void)
{
	const char *s = "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello";
	size_t n = strlen(s);
	CHECK_EQ(P(s), n);
	CHECK_EQ(rq.content_length, 5);
	CHECK_EQ(rq.head_len, n - 5);
	CHECK(rq.body == s + n - 5 && rq.body_len == 5);
	for (size_t k = n - 5; k < n; k++) {
		CHECK_EQ(http_parse(s, k, &rq), 0);
		CHECK_EQ(rq.head_len, n - 5);
		CHECK_EQ(rq.content_length, 5);
		CHECK(rq.body == NULL);
		CHECK(field(rq.path, rq.path_len, "/x"));
	}
	/* the head ends before the body: extra bytes belong to the next request */
	CHECK_EQ(http_parse(s, n - 2, &rq), 0);
	CHECK_EQ(P("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\nXYZ"), 47);
	CHECK_EQ(rq.body_len, 0);
	CHECK(whole("POST / HTTP/1.1\r\nHost: h\r\nContent-Length:  3 \r\n\r\nabc"));
	CHECK(whole("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 003\r\n\r\nabc"));
	CHECK_EQ(rq.content_length, 3);

	/* limits */
	CHECK_EQ(P("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 65536\r\n\r\n"), 0);
	CHECK_EQ(rq.content_length, HTTP_BODY_MAX);
	CHECK(rq.head_len > 0);
	CHECK_EQ(P("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 65537\r\n\r\n"), -413);
	CHECK_EQ(P("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000000000\r\n\r\n"), -413);
	CHECK_EQ(P("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n"), -413);
	CHECK(whole("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0000000000000000000001\r\n\r\nx"));
	/* malformed */
	const char *bad[] = { "", "-1", "+1", "1,1", "1, 1", "0x10", "1 1", "1.0", "١" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char b[128];
		snprintf(b, sizeof(b), "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: %s\r\n\r\n", bad[i]);
		CHECK_EQ(P(b), -400);
	}
	/* repeated: equal is fine, different is 400 (also when both are too large) */
	CHECK(whole("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\ncontent-length: 02\r\n\r\nab"));
	CHECK_EQ(rq.content_length, 2);
	CHECK_EQ(P("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n"
		   "Content-Length: 3\r\n\r\nabc"), -400);
	CHECK_EQ(P("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n"
		   "Content-Length: x\r\n\r\nabc"), -400);
	CHECK_EQ(P("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999\r\n"
		   "Content-Length: 99999999998\r\n\r\n"), -400);
	CHECK_EQ(P("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999\r\n"
		   "Content-Length: 99999999999\r\n\r\n"), -413);
	/* any Transfer-Encoding: 411, with or without Content-Length */
	CHECK_EQ(P("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"), -411);
	CHECK_EQ(P("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
		   "transfer-encoding: identity\r\n\r\nabc"), -411);
	CHECK_EQ(P("POST / HTTP/1.0\r\nTransfer-Encoding:\r\n\r\n"), -411);
}

static void connection(void)
{
	CHECK(P("GET / HTTP/1.1\r\nHost: h\r\n\r\n") > 0 && rq.keep_alive);
	CHECK(P("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n") > 0 && !rq.keep_alive);
	CHECK(P("GET / HTTP/1.1\r\nHost: h\r\nConnection: Keep-Alive, CLOSE\r\n\r\n") > 0 &&
	      !rq.keep_alive);
	CHECK(P("GET / HTTP/1.1\r\nHost: h\r\nConnection: te\r\nConnection: ,close,\r\n\r\n") > 0 &&
	      !rq.keep_alive);
	CHECK(P("GET / HTTP/1.1\r\nHost: h\r\nConnection: closed\r\n\r\n") > 0 && rq.keep_alive);
	CHECK(P("GET / HTTP/1.0\r\n\r\n") > 0 && !rq.keep_alive);
	CHECK(P("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") > 0 && rq.keep_alive);
	CHECK(P("GET / HTTP/1.0\r\nConnection: Upgrade, Keep-Alive\r\n\r\n") > 0 && rq.keep_alive);
	CHECK(P("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n") > 0 && !rq.keep_alive);
	CHECK(P("GET / HTTP/1.0\r\nConnection: keep-alive-x\r\n\r\n") > 0 && !rq.keep_alive);

	CHECK(http_token_list_has("a, b ,c", 7, "b"));
	CHECK(http_token_list_has("a, b ,c", 7, "C"));
	CHECK(http_token_list_has("a, b ,c", 7, "a"));
	CHECK(!http_token_list_has("a, b ,c", 7, "d"));
	CHECK(!http_token_list_has("a, b ,c", 6, "c"));
	CHECK(!http_token_list_has("", 0, "a"));
	CHECK(!http_token_list_has("ab", 2, "a"));
	CHECK(http_token_list_has(" , ,\tx\t, ", 9, "x"));
}

static void expect(void)
{
	const char *s = "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n";
	CHECK_EQ(P(s), 0);
	CHECK(rq.expect_continue);
	CHECK_EQ(rq.head_len, strlen(s));
	CHECK_EQ(rq.content_length, 4);
	CHECK(P("POST / HTTP/1.1\r\nHost: h\r\nExpect:  100-Continue \r\nContent-Length: 0\r\n\r\n") > 0 &&
	      rq.expect_continue);
	CHECK_EQ(P("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue, x\r\n\r\n"), -417);
	CHECK_EQ(P("POST / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\n\r\n"), -417);
	CHECK_EQ(P("POST / HTTP/1.1\r\nHost: h\r\nExpect:\r\n\r\n"), -417);
	CHECK_EQ(P("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nExpect: foo\r\n\r\n"), -417);
	/* ignored on HTTP/1.0 */
	CHECK(P("POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n") > 0 && !rq.expect_continue);
	/* the head is judged before the body is waited for */
	CHECK_EQ(P("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
		   "Content-Length: 99999\r\n\r\n"), -413);
}

static void pipelined(void)
{
	const char *s = "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz"
			"GET /b?c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
			"\r\nDELETE /c HTTP/1.1\r\nHost: h\r\n\r\n"
			"GET /partial HTTP/1.1\r\nHo";
	size_t n = strlen(s), off = 0;
	int r = http_parse(s, n, &rq);
	CHECK_EQ(r, (int)strlen("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz"));
	CHECK(field(rq.body, rq.body_len, "xyz"));
	CHECK(field(rq.path, rq.path_len, "/a"));
	off += (size_t)r;
	r = http_parse(s + off, n - off, &rq);
	CHECK_EQ(r, (int)strlen("GET /b?c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"));
	CHECK(field(rq.path, rq.path_len, "/b") && field(rq.query, rq.query_len, "c"));
	CHECK(!rq.keep_alive);
	off += (size_t)r;
	r = http_parse(s + off, n - off, &rq);
	CHECK_EQ(r, (int)strlen("\r\nDELETE /c HTTP/1.1\r\nHost: h\r\n\r\n"));
	CHECK_EQ(rq.method, HTTP_DELETE);
	off += (size_t)r;
	CHECK_EQ(http_parse(s + off, n - off, &rq), 0);
	CHECK_EQ(rq.head_len, 0);
}

/* Every prefix of s, each in a heap block of exactly its size (ASan sees any over-read). */
static void prefixes(const char *s, size_t n, int want)
{
	for (size_t k = 0; k <= n; k++) {
		char *b = malloc(k ? k : 1);
		memcpy(b, s, k);
		int r = http_parse(b, k, &rq);
		if (k < n && r != 0) {
			CHECK_EQ(r, 0);
			printf("  prefix %zu of %s\n", k, s);
		}
		if (k == n)
			CHECK_EQ(r, want);
		free(b);
	}
}

static void byte_by_byte(void)
{
	const char *s = "\r\nPUT /redfish/v1/x?y=%20 HTTP/1.1\r\nHost: h\r\nX-A:  b \r\n"
			"Expect: 100-continue\r\nContent-Length: 7\r\n\r\n{\"a\":1}";
	prefixes(s, strlen(s), (int)strlen(s));
	s = "GET / HTTP/1.0\n\n";
	prefixes(s, strlen(s), (int)strlen(s));
	/* the error appears only once its line is complete */
	s = "GET / HTTP/1.1\r\nHost: h\r\nX : y\r\n";
	prefixes(s, strlen(s), -400);
}

/* Input ending right at a PROT_NONE page: an over-read faults. */
static char *guard_base;
static size_t guard_page;

static const char *guarded(const char *s, size_t n)
{
	memcpy(guard_base + guard_page - n, s, n);
	return guard_base + guard_page - n;
}

static void guard_page_test(void)
{
	guard_page = (size_t)sysconf(_SC_PAGESIZE);
	guard_base = mmap(NULL, 2 * guard_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	CHECK(guard_base != MAP_FAILED);
	if (guard_base == MAP_FAILED)
		return;
	CHECK_EQ(mprotect(guard_base + guard_page, guard_page, PROT_NONE), 0);
	static const char *const in[] = {
		"POST /a?b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nabc",
		"GET http://h HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nX: y\r\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 12345678901234567890",
		"\r\n\r\n\r",
	};
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		size_t n = strlen(in[i]);
		int full = http_parse(guarded(in[i], n), n, &rq);
		for (size_t k = 0; k < n; k++) {
			int r = http_parse(guarded(in[i], k), k, &rq);
			CHECK(r == 0 || r == full);
		}
	}
	/* the helpers too */
	char out[64];
	CHECK(!http_path_decode(guarded("/a%4", 4), 4, out, sizeof(out)));
	CHECK(!http_path_decode(guarded("/a%", 3), 3, out, sizeof(out)));
	CHECK(http_path_decode(guarded("/a%41", 5), 5, out, sizeof(out)) && strcmp(out, "/aA") == 0);
	CHECK(http_token_list_has(guarded("a, b", 4), 4, "b"));
	CHECK(!http_token_list_has(guarded("a, b ,", 6), 6, "c"));
	/* the whole page full of header bytes: 431, reading stops at the limit */
	memset(guard_base, 'a', guard_page);
	CHECK_EQ(http_parse(guard_base, guard_page, &rq), guard_page >= HTTP_HEAD_MAX ? -431 : 0);
	munmap(guard_base, 2 * guard_page);
}

static uint32_t rng = 0x2545F491;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static bool inside(const char *b, size_t n, const char *p, size_t pn)
{
	return p >= b && p <= b + n && pn <= (size_t)(b + n - p);
}

/* Structural checks of one result: NULL, or the first check that failed. */
#define REQ(c)                                                                             \
	do {                                                                               \
		if (!(c))                                                                  \
			return #c;                                                         \
	} while (0)

static const char *consistent(const char *b, size_t n, int r)
{
	if (r < 0) {
		REQ(r == -400 || r == -411 || r == -413 || r == -417 || r == -431 || r == -501 ||
		    r == -505);
		return NULL;
	}
	if (r == 0) {
		REQ(rq.head_len <= n);
		return NULL;
	}
	REQ((size_t)r <= n);
	REQ((size_t)r == rq.head_len + rq.body_len);
	REQ(rq.body == b + rq.head_len && rq.body_len == rq.content_length);
	REQ(rq.content_length <= HTTP_BODY_MAX && rq.head_len <= HTTP_HEAD_MAX);
	REQ(inside(b, rq.head_len, rq.method_str, rq.method_len));
	REQ(inside(b, rq.head_len, rq.target, rq.target_len));
	REQ(rq.path_len >= 1 && (rq.path[0] == '/' || rq.path[0] == '*'));
	REQ(rq.nh >= 0 && rq.nh <= HTTP_HEADERS_MAX);
	for (int i = 0; i < rq.nh; i++) {
		const struct http_header *h = &rq.h[i];
		REQ(inside(b, rq.head_len, h->name, h->name_len) && h->name_len > 0);
		REQ(inside(b, rq.head_len, h->value, h->value_len));
		for (size_t k = 0; k < h->value_len; k++)
			REQ((unsigned char)h->value[k] >= ' ' || h->value[k] == '\t');
	}
	REQ(rq.minor == 0 || rq.minor == 1);
	return NULL;
}

static int fuzz_fail;

static void fuzz_check(const char *b, size_t n, int r, int want)
{
	const char *why = r == want ? consistent(b, n, r) : "result differs from the prefix rule";
	if (why && fuzz_fail++ < 5)
		printf("  fuzz: %s (got %d, want %d) on %zu bytes: %.*s\n", why, r, want, n, (int)n, b);
}

static void fuzz(void)
{
	static const char *const seeds[] = {
		"POST /redfish/v1/SessionService/Sessions HTTP/1.1\r\nHost: bmc\r\n"
		"Content-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"UserName\":\"a\"}",
		"GET /redfish/v1?x HTTP/1.1\r\nHost: h:1\r\nConnection: close\r\n"
		"Expect: 100-continue\r\n\r\n",
		"\r\nOPTIONS * HTTP/1.0\nConnection: keep-alive\n\n",
		"PATCH http://h/x HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n"
		"Content-Length: 2\r\n\r\n{}",
	};
	static const char spice[] = " :\r\n\t\0%?/*#,0123456789aZ\x7f\x80\xff";
	char b[512];
	int ok = 0, errs = 0, partial = 0, runs = 0;
	for (int it = 0; it < 3000; it++) {
		const char *s = seeds[rnd() % 4];
		size_t n = strlen(s);
		memcpy(b, s, n);
		for (int m = (int)(rnd() % 4) + 1; m > 0; m--) {
			size_t at = rnd() % (n + 1);
			char c = spice[rnd() % (sizeof(spice) - 1)];
			switch (rnd() % 4) {
			case 0: /* replace */
				if (at < n)
					b[at] = c;
				break;
			case 1: /* insert */
				if (n < sizeof(b)) {
					memmove(b + at + 1, b + at, n - at);
					b[at] = c;
					n++;
				}
				break;
			case 2: /* delete */
				if (at < n) {
					memmove(b + at, b + at + 1, n - at - 1);
					n--;
				}
				break;
			default: /* duplicate a chunk */
				if (at < n && n + 16 <= sizeof(b)) {
					size_t k = (n - at) < 16 ? n - at : 16;
					memmove(b + at + k, b + at, n - at);
					n += k;
				}
			}
		}
		/* the whole, then every prefix, each in a heap block of exactly its size: a
		 * prefix answers 0 or what the whole answers (a complete request: from its
		 * length on) */
		char *h = malloc(n ? n : 1);
		memcpy(h, b, n);
		int full = http_parse(h, n, &rq);
		fuzz_check(h, n, full, full);
		ok += full > 0;
		errs += full < 0;
		partial += full == 0;
		free(h);
		for (size_t k = 0; k < n; k++, runs++) {
			h = malloc(k ? k : 1);
			memcpy(h, b, k);
			int r = http_parse(h, k, &rq);
			int want = full > 0 ? ((size_t)full <= k ? full : 0) : r == 0 ? 0 : full;
			fuzz_check(h, k, r, want);
			free(h);
		}
	}
	CHECK_EQ(fuzz_fail, 0);
	/* the mutations reach all three outcomes */
	CHECK(ok > 100 && errs > 100 && partial > 10);
	printf("  fuzz: %d mutants (%d complete, %d errors, %d incomplete), %d prefixes\n",
	       ok + errs + partial, ok, errs, partial, runs);
}

static void reasons(void)
{
	static const int codes[] = { 100, 101, 200, 201, 202, 204, 206, 301, 302, 304, 400, 401,
				     403, 404, 405, 406, 409, 411, 412, 413, 414, 415, 417, 422,
				     428, 429, 431, 500, 501, 503, 505 };
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		CHECK(strcmp(http_reason(codes[i]), "Unknown") != 0);
	CHECK(strcmp(http_reason(404), "Not Found") == 0);
	CHECK(strcmp(http_reason(431), "Request Header Fields Too Large") == 0);
	CHECK(strcmp(http_reason(999), "Unknown") == 0);
	CHECK(strcmp(http_reason(0), "Unknown") == 0);
	CHECK(strcmp(http_reason(-404), "Unknown") == 0);
}

static void path_decode(void)
{
	char o[16];
	CHECK(http_path_decode("/a%20b+c", 8, o, sizeof(o)) && strcmp(o, "/a b+c") == 0);
	CHECK(http_path_decode("/%C3%a9", 7, o, sizeof(o)) && strcmp(o, "/\xc3\xa9") == 0);
	CHECK(http_path_decode("", 0, o, sizeof(o)) && o[0] == 0);
	CHECK(!http_path_decode("/a%2Fb", 6, o, sizeof(o)));
	CHECK(!http_path_decode("/a%2fb", 6, o, sizeof(o)));
	CHECK(!http_path_decode("/a%00b", 6, o, sizeof(o)));
	CHECK(!http_path_decode("/a%", 3, o, sizeof(o)));
	CHECK(!http_path_decode("/a%4", 4, o, sizeof(o)));
	CHECK(!http_path_decode("/a%4g", 5, o, sizeof(o)));
	CHECK(!http_path_decode("/a%g4", 5, o, sizeof(o)));
	CHECK(!http_path_decode("/a%%41", 6, o, sizeof(o)));
	CHECK(!http_path_decode("/a\0b", 4, o, sizeof(o)));
	/* "%41%42" needs 3 bytes with the NUL */
	CHECK(http_path_decode("%41%42", 6, o, 3) && strcmp(o, "AB") == 0);
	CHECK(!http_path_decode("%41%42", 6, o, 2));
	CHECK(!http_path_decode("", 0, o, 0));
	CHECK(http_path_decode("", 0, o, 1) && o[0] == 0);
	memset(o, 'x', sizeof(o));
	CHECK(!http_path_decode("/0123456789abcdef", 17, o, sizeof(o)));
	CHECK(http_path_decode("/0123456789abcd", 15, o, sizeof(o)) && o[15] == 0);
}

int main(void)
{
	basic();
	methods();
	targets();
	versions();
	headers();
	head_limit();
	host();
	body();
	connection();
	expect();
	pipelined();
	byte_by_byte();
	guard_page_test();
	fuzz();
	reasons();
	path_decode();
	return t_done("test_http");
}
