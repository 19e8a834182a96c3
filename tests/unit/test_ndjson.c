/* NDJSON line reader, HTTP client-side parsing (response head, chunked body) and kvmd's
 * MSD parsers, with byte vectors: lines split across reads, overlong lines, garbage,
 * ok:false lines, GET /msd shapes, image names and credential redaction. */
#include "../../proto/httpc.h"
#include "../../proto/kvmd_msd.h"
#include "../../proto/ndjson.h"
#include "testlib.h"

struct lines {
	char got[8][256];
	bool trunc[8];
	size_t len[8];
	int n, stop_after;
};

static bool collect(void *ctx, const char *line, size_t len, bool truncated)
{
	struct lines *l = ctx;
	if (l->n < 8) {
		size_t c = len < 255 ? len : 255;
		memcpy(l->got[l->n], line, c);
		l->got[l->n][c] = 0;
		l->len[l->n] = len;
		l->trunc[l->n] = truncated;
	}
	l->n++;
	return !l->stop_after || l->n < l->stop_after;
}

static void feed_split(const char *s, size_t step, struct lines *l)
{
	struct ndjson r;
	ndjson_init(&r);
	memset(l, 0, sizeof(*l));
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i += step) {
		size_t c = n - i < step ? n - i : step;
		CHECK_EQ(ndjson_feed(&r, s + i, c, collect, l), c);
	}
}

static void test_ndjson(void)
{
	const char *s = "{\"a\": 1}\r\n\r\n{\"b\": 2}\n\n{\"c\"";
	for (size_t step = 1; step <= strlen(s); step++) {
		struct lines l;
		feed_split(s, step, &l);
		CHECK_EQ(l.n, 2);
		CHECK(!strcmp(l.got[0], "{\"a\": 1}"));
		CHECK(!strcmp(l.got[1], "{\"b\": 2}"));
		CHECK(!l.trunc[0] && !l.trunc[1]);
	}
	/* overlong: delivered once, cut, then the next line is fine */
	static char big[NDJSON_LINE_MAX * 2 + 64];
	memset(big, 'x', NDJSON_LINE_MAX + 100);
	strcpy(big + NDJSON_LINE_MAX + 100, "\r\nok\r\n");
	for (size_t step = 1; step < 5000; step = step * 3 + 1) {
		struct lines l;
		feed_split(big, step, &l);
		CHECK_EQ(l.n, 2);
		CHECK(l.trunc[0]);
		CHECK_EQ(l.len[0], NDJSON_LINE_MAX);
		CHECK(!strcmp(l.got[1], "ok"));
	}
	/* exactly NDJSON_LINE_MAX bytes is not overlong */
	memset(big, 'y', NDJSON_LINE_MAX);
	strcpy(big + NDJSON_LINE_MAX, "\n");
	struct lines l;
	feed_split(big, 7, &l);
	CHECK_EQ(l.n, 1);
	CHECK(!l.trunc[0]);
	CHECK_EQ(l.len[0], NDJSON_LINE_MAX);
	/* the callback stops the reader */
	struct ndjson r;
	ndjson_init(&r);
	memset(&l, 0, sizeof(l));
	l.stop_after = 1;
	const char *two = "a\nb\n";
	CHECK_EQ(ndjson_feed(&r, two, 4, collect, &l), 2);
	CHECK_EQ(l.n, 1);
	/* binary garbage and NULs are lines like any other */
	ndjson_init(&r);
	memset(&l, 0, sizeof(l));
	const char g[] = { 0, 1, (char)0xff, '\n', '\r', '\n' };
	CHECK_EQ(ndjson_feed(&r, g, sizeof(g), collect, &l), sizeof(g));
	CHECK_EQ(l.n, 1);
	CHECK_EQ(l.len[0], 3);
	CHECK(!ndjson_pending(&r));
	CHECK_EQ(ndjson_feed(&r, "{", 1, collect, &l), 1);
	CHECK(ndjson_pending(&r));
}

static char dechunked[4096];
static size_t dlen;
static bool sink(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	if (dlen + n <= sizeof(dechunked)) {
		memcpy(dechunked + dlen, p, n);
		dlen += n;
	}
	return true;
}

static void test_httpc(void)
{
	struct httpc_head h;
	const char *r = "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n"
			"Transfer-Encoding: chunked\r\nDate: x\r\n\r\n5\r\nhello\r\n";
	size_t n = strlen(r);
	for (size_t i = 0; i < n; i++)
		CHECK(httpc_head(r, i, &h) == 0 || i >= (size_t)(strstr(r, "\r\n\r\n") - r) + 4);
	int hl = httpc_head(r, n, &h);
	CHECK_EQ(hl, (int)(strstr(r, "\r\n\r\n") - r) + 4);
	CHECK_EQ(h.status, 200);
	CHECK(h.chunked && !h.has_length);
	CHECK(httpc_head("HTTP/1.1 409 Conflict\r\nContent-Length: 12\r\n\r\n", strlen("HTTP/1.1 409 Conflict\r\nContent-Length: 12\r\n\r\n"), &h) > 0);
	CHECK_EQ(h.status, 409);
	CHECK(h.has_length && h.content_length == 12);
	CHECK(httpc_head("HTTP/1.1 200\r\n\r\n", strlen("HTTP/1.1 200\r\n\r\n"), &h) > 0);
	CHECK(httpc_head("HTTP/2 200 OK\r\n\r\n", strlen("HTTP/2 200 OK\r\n\r\n"), &h) < 0);
	CHECK(httpc_head("HTTP/1.1 20 OK\r\n\r\n", strlen("HTTP/1.1 20 OK\r\n\r\n"), &h) < 0);
	CHECK(httpc_head("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", strlen("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n"), &h) < 0);
	CHECK(httpc_head("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", strlen("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"), &h) < 0);
	CHECK(httpc_head("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", strlen("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"), &h) < 0);
	CHECK(httpc_head("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", strlen("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"), &h) < 0);
	static char longhead[HTTPC_HEAD_MAX + 10];
	memcpy(longhead, "HTTP/1.1 200 OK\r\nX: ", 20);
	memset(longhead + 20, 'a', sizeof(longhead) - 20);
	CHECK(httpc_head(longhead, sizeof(longhead), &h) < 0);
	CHECK(httpc_head(longhead, 100, &h) == 0);

	/* chunked, fed in every split */
	const char *body = "5;ext=1\r\nhello\r\n0006\r\n world\r\n0\r\nTrailer: x\r\n\r\nNEXT";
	size_t bl = strlen(body);
	for (size_t step = 1; step <= bl; step++) {
		struct httpc_chunked c;
		httpc_chunked_init(&c);
		dlen = 0;
		size_t used = 0;
		for (size_t i = 0; i < bl && c.st != HC_DONE; i += step) {
			size_t k = bl - i < step ? bl - i : step;
			used += httpc_chunked_feed(&c, body + i, k, sink, NULL);
		}
		CHECK_EQ(c.st, HC_DONE);
		CHECK_EQ(used, bl - 4);
		CHECK_EQ(dlen, 11);
		CHECK_MEM(dechunked, "hello world", 11);
	}
	const char *bad[] = { "x\r\n", "5\r\nhelloXX", "5\nhello", "\r\n", "1234567890123456\r\n" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct httpc_chunked c;
		httpc_chunked_init(&c);
		httpc_chunked_feed(&c, bad[i], strlen(bad[i]), sink, NULL);
		CHECK_EQ(c.st, HC_ERROR);
	}
}

static const char *STATE =
	"{\n    \"ok\": true,\n    \"result\": {\n        \"busy\": false,\n"
	"        \"drive\": {\"cdrom\": true, \"connected\": true, \"image\": {\"complete\": true,"
	" \"in_storage\": true, \"mod_ts\": 1.5, \"name\": \"bmcd/debian.iso\", \"removable\": true,"
	" \"size\": 1000, \"writable\": false}, \"rw\": false},\n"
	"        \"enabled\": true, \"online\": true,\n"
	"        \"storage\": {\"downloading\": null, \"images\": {"
	"\"bmcd/debian.iso\": {\"complete\": true, \"mod_ts\": 1.5, \"removable\": true, \"size\": 1000, \"writable\": false},"
	"\"bmcdx/a.iso\": {\"complete\": true, \"mod_ts\": 1.5, \"removable\": true, \"size\": 1, \"writable\": false},"
	"\"isos/ubuntu.iso\": {\"complete\": false, \"mod_ts\": 1.5, \"removable\": true, \"size\": 6114656256, \"writable\": false}},"
	" \"parts\": {\"\": {\"free\": 20401094656, \"size\": 31037849600, \"writable\": true}},"
	" \"uploading\": null}\n    }\n}";

static void test_state(void)
{
	static struct json_tok t[512];
	struct kvmd_msd_state s;
	CHECK_EQ(kvmd_msd_state(STATE, strlen(STATE), "bmcd", "isos/ubuntu.iso", t, 512, &s), 0);
	CHECK(s.enabled && s.online && !s.busy && s.connected && s.cdrom && !s.rw);
	CHECK(!strcmp(s.drive_image, "bmcd/debian.iso"));
	CHECK_EQ(s.images, 3);
	CHECK(!strcmp(s.ours, "bmcd/debian.iso"));
	CHECK(s.target_found && !s.target_complete && s.target_size == 6114656256ull);
	CHECK(s.has_free && s.free == 20401094656ull);
	CHECK_EQ(kvmd_msd_state(STATE, strlen(STATE), "isos", NULL, t, 512, &s), 0);
	CHECK(!strcmp(s.ours, "isos/ubuntu.iso"));
	CHECK(!s.target_found);
	CHECK_EQ(kvmd_msd_state(STATE, strlen(STATE), "bmcd", NULL, t, 8, &s), -1); /* tokens */
	const char *off = "{\"ok\": true, \"result\": {\"busy\": false, \"drive\": null, \"enabled\": true,"
			  " \"online\": false, \"storage\": null}}";
	CHECK_EQ(kvmd_msd_state(off, strlen(off), "bmcd", NULL, t, 512, &s), 0);
	CHECK(s.enabled && !s.online && !s.connected && !s.ours[0]);
	const char *old = "{\"ok\": true, \"result\": {\"busy\": true, \"enabled\": true, \"online\": true,"
			  " \"drive\": {\"image\": null, \"connected\": false, \"cdrom\": false, \"rw\": true},"
			  " \"storage\": {\"size\": 10, \"free\": 7, \"images\": {}}}}";
	CHECK_EQ(kvmd_msd_state(old, strlen(old), "bmcd", NULL, t, 512, &s), 0);
	CHECK(s.busy && s.rw && !s.drive_image[0] && s.has_free && s.free == 7);
	const char *bad[] = {
		"", "[]", "{\"ok\": false, \"result\": {}}", "{\"ok\": true, \"result\": {}}",
		"{\"ok\": true, \"result\": {\"busy\": 1, \"enabled\": true, \"online\": true}}",
		"{\"ok\": true, \"result\": {\"busy\": false, \"enabled\": true, \"online\": true, \"drive\": 5}}",
		"{\"ok\": true, \"result\": {\"busy\": false, \"enabled\": true, \"online\": true, \"drive\": {}}}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(kvmd_msd_state(bad[i], strlen(bad[i]), "bmcd", NULL, t, 512, &s), -1);
}

static void test_lines(void)
{
	struct kvmd_msd_progress p;
	char err[160];
	const char *l1 = "{\"ok\": true, \"result\": {\"image\": {\"name\": \"bmcd/x.iso\", \"size\": 123456789, \"written\": 65536}}}";
	CHECK_EQ(kvmd_msd_line(l1, strlen(l1), false, &p, err, sizeof(err)), KVMD_LINE_PROGRESS);
	CHECK(!strcmp(p.name, "bmcd/x.iso") && p.size == 123456789 && p.written == 65536);
	const char *l2 = "{\"ok\": false, \"result\": {\"error\": \"ClientResponseError\", \"error_msg\":"
			 " \"404, message='Not Found', url='http://joe:secret@h/x.iso'\"}}";
	CHECK_EQ(kvmd_msd_line(l2, strlen(l2), false, &p, err, sizeof(err)), KVMD_LINE_ERROR);
	CHECK(!strcmp(err, "ClientResponseError: 404, message='Not Found', url='http://***@h/x.iso'"));
	CHECK(!strstr(err, "secret"));
	const char *l3 = "{\"ok\": false, \"result\": {\"error\": \"OSError\", \"error_msg\": \"[Errno 28] No space";
	CHECK_EQ(kvmd_msd_line(l3, strlen(l3), true, &p, err, sizeof(err)), KVMD_LINE_ERROR);
	CHECK(strstr(err, "OSError") != NULL);
	const char *garbage[] = { "HTTP/1.1 500 Internal", "{\"ok\": true}", "[1,2]",
				  "{\"ok\": true, \"result\": {\"image\": {\"name\": \"a\", \"size\": -1, \"written\": 0}}}",
				  "\x01\x02" };
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++)
		CHECK_EQ(kvmd_msd_line(garbage[i], strlen(garbage[i]), false, &p, err, sizeof(err)),
			 KVMD_LINE_BAD);
	/* an error without a message, and one whose message has control characters */
	const char *l4 = "{\"ok\": false, \"result\": {\"error\": \"MsdIsBusyError\"}}";
	CHECK_EQ(kvmd_msd_line(l4, strlen(l4), false, &p, err, sizeof(err)), KVMD_LINE_ERROR);
	CHECK(!strcmp(err, "MsdIsBusyError"));
	const char *l5 = "{\"ok\": false, \"result\": {\"error\": \"X\", \"error_msg\": \"a\\nb\\u001b[31m\"}}";
	CHECK_EQ(kvmd_msd_line(l5, strlen(l5), false, &p, err, sizeof(err)), KVMD_LINE_ERROR);
	CHECK(!strcmp(err, "X: a?b?[31m"));

	const char *e409 = "{\"ok\": false, \"result\": {\"error\": \"MsdIsBusyError\", \"error_msg\": \"Performing another MSD operation, please try again later\"}}";
	kvmd_msd_error(409, e409, strlen(e409), err, sizeof(err));
	CHECK(!strcmp(err, "MsdIsBusyError: Performing another MSD operation, please try again later"));
	const char *e500 = "500 Internal Server Error\n\nServer got itself in trouble";
	kvmd_msd_error(500, e500, strlen(e500), err, sizeof(err));
	CHECK(!strcmp(err, "kvmd answered HTTP 500: 500 Internal Server Error"));
	kvmd_msd_error(404, "", 0, err, sizeof(err));
	CHECK(!strcmp(err, "kvmd answered HTTP 404"));
}

static void test_names(void)
{
	char out[64], small[8];
	CHECK(!strcmp(kvmd_image_name("http://h/isos/debian-12.iso", out, sizeof(out)), "debian-12.iso"));
	CHECK(!strcmp(kvmd_image_name("https://h/a/b%20c.iso?x=1/y#f/z", out, sizeof(out)), "b_20c.iso"));
	CHECK(!strcmp(kvmd_image_name("http://h", out, sizeof(out)), "image.iso"));
	CHECK(!strcmp(kvmd_image_name("http://h/", out, sizeof(out)), "image.iso"));
	CHECK(!strcmp(kvmd_image_name("http://h/dir/", out, sizeof(out)), "image.iso"));
	CHECK(!strcmp(kvmd_image_name("http://h/..", out, sizeof(out)), "image.iso"));
	CHECK(!strcmp(kvmd_image_name("http://h/.hidden", out, sizeof(out)), "hidden"));
	CHECK(!strcmp(kvmd_image_name("http://u:p@h/x/y.img", out, sizeof(out)), "y.img"));
	CHECK(!strcmp(kvmd_image_name("http://h/abcdefghijkl", small, sizeof(small)), "abcdefg"));
	CHECK(!strcmp(kvmd_image_name("http://h/\xc3\xa9.iso", out, sizeof(out)), "__.iso"));

	const char *why;
	CHECK(kvmd_url_ok("http://h/x.iso", 100, &why));
	CHECK(kvmd_url_ok("HTTPS://u:p@h:8080/x.iso", 100, &why));
	CHECK(!kvmd_url_ok("ftp://h/x.iso", 100, &why));
	CHECK(!kvmd_url_ok("http:///x.iso", 100, &why));
	CHECK(!kvmd_url_ok("http://u@/x.iso", 100, &why));
	CHECK(!kvmd_url_ok("http://h/a b.iso", 100, &why));
	CHECK(!kvmd_url_ok("http://h/x.iso", 10, &why));
	CHECK(!kvmd_url_ok("http://h/\n", 100, &why));

	char esc[64];
	CHECK(kvmd_query_escape("http://h/a b?c=d&e#f", esc, sizeof(esc)));
	CHECK(!strcmp(esc, "http%3A%2F%2Fh%2Fa%20b%3Fc%3Dd%26e%23f"));
	CHECK(!kvmd_query_escape("&&&&&&&&&&&&&&&&&&&&&&", esc, sizeof(esc)));
	CHECK(kvmd_query_escape("", esc, 1));

	char red[128];
	const char *in = "get http://joe:pw@h/x and https://h2/y ftp://a@b";
	CHECK(!strcmp(kvmd_redact(in, strlen(in), red, sizeof(red)),
		      "get http://***@h/x and https://h2/y ftp://***@b"));
	/* cut inside the credentials: no '@' left, still hidden */
	CHECK(!strcmp(kvmd_redact("url http://joe:sec", 18, red, sizeof(red)), "url http://***"));
	CHECK(!strcmp(kvmd_redact("http://host:80", 14, red, sizeof(red)), "http://***"));
	CHECK(!strcmp(kvmd_redact("http://host/x", 13, red, sizeof(red)), "http://host/x"));
	CHECK(!strcmp(kvmd_redact("a\tb", 3, red, 3), "a?"));
}

/* GET /switch as kvmd 4.197 sends it (kvmd/apps/kvmd/switch/state.py), one unit, EDID data cut */
static const char *SWITCH =
	"{\n    \"ok\": true,\n    \"result\": {\n"
	"        \"atx\": {\"busy\": [false, false, false, false], \"leds\": {\"hdd\": [false, true, false, false],"
	" \"power\": [true, true, false, false]}},\n"
	"        \"beacons\": {\"downlinks\": [false], \"ports\": [false, false, false, false], \"uplinks\": [false]},\n"
	"        \"colors\": {\"active\": {\"blink_ms\": 0, \"blue\": 0, \"brightness\": 128, \"green\": 255, \"red\": 0}},\n"
	"        \"edids\": {\"all\": {\"default\": {\"data\": \"00FFFF\", \"name\": \"Default\", \"parsed\": null}},"
	" \"used\": [\"default\", \"default\", \"default\", \"default\"]},\n"
	"        \"model\": {\"firmware\": {\"version\": 9}, \"limits\": {\"atx\": {\"click_delays\": {"
	"\"power\": {\"default\": 0.5, \"max\": 10, \"min\": 0}}}},\n"
	"            \"ports\": [\n"
	"                {\"atx\": {\"click_delays\": {\"power\": 0.5, \"power_long\": 5.5, \"reset\": 0.5}},"
	" \"channel\": 0, \"id\": \"1\", \"name\": \"web01\", \"unit\": 0, \"video\": {\"dummy\": true}},\n"
	"                {\"channel\": 1, \"id\": \"2\", \"name\": \"\", \"unit\": 0},\n"
	"                {\"channel\": 2, \"id\": \"3\", \"name\": \"\", \"unit\": 0},\n"
	"                {\"channel\": 3, \"id\": \"4\", \"name\": \"\", \"unit\": 0}],\n"
	"            \"units\": [{\"firmware\": {\"devbuild\": false, \"version\": 9}}]},\n"
	"        \"summary\": {\"active_id\": \"2\", \"active_port\": 1, \"synced\": true},\n"
	"        \"usb\": {\"links\": [true, true, false, false]}, \"video\": {\"links\": [true, true, false, false]}\n"
	"    }\n}";

/* kvmd_switch_active: what start-up discovery (firmware/switch_hosts.c) and the Switch port's
 * virtual media read from GET /switch; anything but kvmd's shape is refused */
static void test_switch(void)
{
	static struct json_tok t[512];
	int ports = 99, active = 99;
	CHECK_EQ(kvmd_switch_active(SWITCH, strlen(SWITCH), t, 512, &ports, &active), 0);
	CHECK(ports == 4 && active == 1);
	/* no Switch attached (or its units not reported yet): empty lists, a stale active port */
	const char *none = "{\"ok\": true, \"result\": {\"model\": {\"firmware\": {\"version\": 9},"
			   " \"ports\": [], \"units\": []}, \"summary\": {\"active_id\": \"2\","
			   " \"active_port\": 1, \"synced\": true}, \"atx\": {\"busy\": []}}}";
	CHECK_EQ(kvmd_switch_active(none, strlen(none), t, 512, &ports, &active), 0);
	CHECK(ports == 0 && active == 1);
	CHECK(kvmd_switch_active(SWITCH, strlen(SWITCH), t, 16, &ports, &active) < -1); /* tokens */
	/* 25 ports parse (the caller bounds them); 1001 do not */
	static char many[16384];
	for (int n = 25; n <= 1001; n += 976) {
		size_t o = (size_t)snprintf(many, sizeof(many), "{\"ok\": true, \"result\": {\"summary\":"
					    " {\"active_port\": -1}, \"model\": {\"ports\": [");
		for (int i = 0; i < n; i++)
			o += (size_t)snprintf(many + o, sizeof(many) - o, "%s{}", i ? "," : "");
		snprintf(many + o, sizeof(many) - o, "]}}}");
		int r = kvmd_switch_active(many, strlen(many), t, 512, &ports, &active);
		CHECK_EQ(r, n == 25 ? 0 : JSON_ETOKENS);
		static struct json_tok big[2048];
		r = kvmd_switch_active(many, strlen(many), big, 2048, &ports, &active);
		CHECK_EQ(r, n == 25 ? 0 : -1);
		CHECK_EQ(ports, n == 25 ? 25 : 0);
	}
	const char *bad[] = {
		"", "null", "[]", "{", "{\"ok\": true}",
		"{\"ok\": false, \"result\": {\"error\": \"UnauthorizedError\", \"error_msg\": \"Unauthorized\"}}",
		"{\"ok\": 1, \"result\": {\"model\": {\"ports\": []}, \"summary\": {\"active_port\": -1}}}",
		"{\"ok\": true, \"result\": []}",
		"{\"ok\": true, \"result\": {\"summary\": {\"active_port\": -1}}}",
		"{\"ok\": true, \"result\": {\"model\": [], \"summary\": {\"active_port\": -1}}}",
		"{\"ok\": true, \"result\": {\"model\": {}, \"summary\": {\"active_port\": -1}}}",
		"{\"ok\": true, \"result\": {\"model\": {\"ports\": 4}, \"summary\": {\"active_port\": -1}}}",
		"{\"ok\": true, \"result\": {\"model\": {\"ports\": {\"0\": {}}}, \"summary\": {\"active_port\": -1}}}",
		"{\"ok\": true, \"result\": {\"model\": {\"ports\": \"[{}]\"}, \"summary\": {\"active_port\": -1}}}",
		"{\"ok\": true, \"result\": {\"model\": {\"ports\": []}}}",
		"{\"ok\": true, \"result\": {\"model\": {\"ports\": []}, \"summary\": {}}}",
		"{\"ok\": true, \"result\": {\"model\": {\"ports\": []}, \"summary\": {\"active_port\": \"1\"}}}",
		"{\"ok\": true, \"result\": {\"model\": {\"ports\": []}, \"summary\": {\"active_port\": 1.5}}}",
		"{\"ok\": true, \"result\": {\"model\": {\"ports\": []}, \"summary\": {\"active_port\": -2}}}",
		"{\"ok\": true, \"result\": {\"model\": {\"ports\": []}, \"summary\": {\"active_port\": 1e30}}}",
		"{\"ok\": true, \"result\": {\"model\": {\"ports\": []}, \"summary\": {\"active_port\": 99999999999999999999999}}}",
		"{\"ok\": true, \"result\": {\"model\": {\"ports\": [{}]}, \"summary\": {\"active_port\": -1}}",
		"{\"ok\": true, \"ok\": true, \"result\": {\"model\": {\"ports\": []}, \"summary\": {\"active_port\": -1}}}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ports = active = 99;
		int r = kvmd_switch_active(bad[i], strlen(bad[i]), t, 512, &ports, &active);
		CHECK(r < 0);
		if (r >= 0)
			fprintf(stderr, "accepted: %s\n", bad[i]);
		CHECK(ports == 0 && active == -1);
	}
}

int main(void)
{
	test_ndjson();
	test_httpc();
	test_state();
	test_switch();
	test_lines();
	test_names();
	return t_done("test_ndjson");
}
