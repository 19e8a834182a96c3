/*
 * Event subscriptions (proto/redfish/subscriptions.c), sans-I/O: Destination parsing, POST
 * and PATCH bodies as byte vectors with the Base MessageIds they must give, the delivery
 * request's bytes, retries, suspension, termination and the bounded queue.
 */
#include <stdarg.h>

#include "../../proto/redfish/rf_private.h"
#include "fake_host.h"
#include "testlib.h"

static struct host host;
static struct user user_tab[2];
static struct users users = { user_tab, 0, 2, 1 };
static struct rf_session sess[2];
static struct redfish rf;
static struct rf_sub subs[2];
static struct rf_event ring[4];
static struct rf_conn conn = { .loopback = true };
static char outb[RF_RESPONSE_MAX];
static char logline[512];

static void logcb(void *ctx, int level, const char *fmt, ...)
{
	va_list ap;
	(void)ctx;
	(void)level;
	va_start(ap, fmt);
	vsnprintf(logline, sizeof(logline), fmt, ap);
	va_end(ap);
}

static void add_user(const char *name, const char *pw, int priv)
{
	struct user *u = &user_tab[users.n++];
	memset(u, 0, sizeof(*u));
	strcpy(u->name, name);
	u->name_len = (uint8_t)strlen(name);
	memcpy(u->pass, pw, strlen(pw));
	u->pass_len = (uint8_t)strlen(pw);
	u->priv = (uint8_t)priv;
}

static void setup(void)
{
	struct redfish_cfg cfg;
	fake_host_init(&host);
	users.n = 0;
	add_user("admin", "adminpw", PRIV_ADMIN);  /* YWRtaW46YWRtaW5wdw== */
	add_user("oper", "operpw", PRIV_OPERATOR); /* b3BlcjpvcGVycHc= */
	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.system_id, "0");
	cfg.max_sessions = 2;
	cfg.throttle = (struct throttle_cfg)RF_THROTTLE_DEFAULT;
	cfg.retry_attempts = 2;
	cfg.retry_interval_s = 5;
	cfg.tls_client = true;
	cfg.log = logcb;
	cfg.subs = subs;
	cfg.max_subs = 2;
	cfg.ring = ring;
	cfg.queue = 4;
	redfish_init(&rf, &cfg, sess, &users, &host, "seed", 4);
}

/* Sends raw request bytes; the status, and the response in outb (NUL-terminated). */
static int raw(const char *req)
{
	struct http_request rq;
	size_t n = strlen(req);
	if (http_parse(req, n, &rq) != (int)n)
		return -1;
	struct buf out;
	buf_init(&out, outb, sizeof(outb) - 1);
	redfish_handle(&rf, &rq, &conn, &out, 1000);
	outb[out.len] = 0;
	return atoi(outb + 9);
}

/* POST or PATCH a JSON body as admin. */
static int send_json(const char *method, const char *path, const char *json)
{
	static char req[8192];
	snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: b\r\nAuthorization: Basic "
		 "YWRtaW46YWRtaW5wdw==\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
		 "\r\n%s", method, path, strlen(json), json);
	return raw(req);
}

#define SUBS "/redfish/v1/EventService/Subscriptions"
#define HAS(s) (strstr(outb, s) != NULL)

static void test_destinations(void)
{
	static const struct {
		const char *d;
		bool ok, https, v6;
		uint16_t port;
		const char *path;
	} v[] = {
		{ "http://127.0.0.1/hook", true, false, false, 80, "/hook" },
		{ "HTTPS://10.0.0.1:8443/a?b=c", true, true, false, 8443, "/a?b=c" },
		{ "http://[::1]:9000", true, false, true, 9000, "" },
		{ "http://localhost:81/x", true, false, false, 81, "/x" },
		{ "http://[fe80::1%25eth0]/", false },	/* scoped addresses: no */
		{ "http://example.com/", false },	/* a name needs DNS */
		{ "http://127.0.0.1:0/", false },
		{ "http://127.0.0.1:65536/", false },
		{ "http://127.0.0.1:80x/", false },
		{ "http://127.0.0.1/a b", false },
		{ "http://127.0.0.1/\r\nX: y", false },
		{ "http://user@127.0.0.1/", false },
		{ "ftp://127.0.0.1/", false },
		{ "http://", false },
		{ "http://[::1/", false },
		{ "http://1.2.3/", false },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct rf_sub s;
		memset(&s, 0, sizeof(s));
		bool ok = rf_sub_parse_dest(&s, v[i].d);
		if (ok != v[i].ok)
			printf("  destination %s\n", v[i].d);
		CHECK(ok == v[i].ok);
		if (!ok || !v[i].ok)
			continue;
		CHECK(s.https == v[i].https && s.v6 == v[i].v6 && s.port == v[i].port);
		CHECK(!strcmp(s.dest + s.path_off, v[i].path));
	}
	char longd[300] = "http://127.0.0.1/";
	memset(longd + 17, 'a', 260);
	longd[277] = 0;
	struct rf_sub s;
	CHECK(!rf_sub_parse_dest(&s, longd));
}

static void test_bodies(void)
{
	static const struct {
		const char *body;
		int status;
		const char *msg;	/* a MessageId the answer must carry */
	} v[] = {
		{ "{\"Destination\":\"http://127.0.0.1:8080/e\",\"Protocol\":\"Redfish\","
		  "\"EventTypes\":[\"Alert\"],\"Context\":\"ironic\"}", 201, "\"Context\":\"ironic\"" },
		{ "{\"Destination\":\"http://example.com/e\"}", 400, "PropertyValueFormatError" },
		{ "{\"Destination\":7}", 400, "PropertyValueTypeError" },
		{ "{\"Destination\":\"http://127.0.0.1/\",\"Foo\":1}", 400, "PropertyUnknown" },
		{ "{\"Destination\":\"http://127.0.0.1/\",\"Id\":\"9\"}", 400, "PropertyNotWritable" },
		{ "{\"Destination\":\"http://127.0.0.1/\",\"Protocol\":\"SMTP\"}", 400,
		  "PropertyValueNotInList" },
		{ "{\"Destination\":\"http://127.0.0.1/\",\"EventTypes\":\"Alert\"}", 400,
		  "PropertyValueTypeError" },
		{ "{\"Destination\":\"http://127.0.0.1/\",\"EventTypes\":[\"MetricReport\"]}", 400,
		  "PropertyValueNotInList" },
		{ "{\"Destination\":\"http://127.0.0.1/\",\"ResourceTypes\":[\"Chassis\"]}", 400,
		  "PropertyValueNotInList" },
		{ "{\"Destination\":\"http://127.0.0.1/\",\"OriginResources\":[\"/redfish/v1\"]}", 400,
		  "PropertyValueTypeError" },
		{ "{\"Destination\":\"http://127.0.0.1/\",\"OriginResources\":[{\"@odata.id\":\"/x\"}]}",
		  400, "PropertyValueFormatError" },
		{ "{\"Destination\":\"http://127.0.0.1/\",\"HttpHeaders\":{\"A\":\"b\"}}", 400,
		  "PropertyValueTypeError" },
		{ "{\"Destination\":\"http://127.0.0.1/\",\"HttpHeaders\":[{\"A\":1}]}", 400,
		  "PropertyValueTypeError" },
		{ "{\"Destination\":\"http://127.0.0.1/\",\"HttpHeaders\":[{\"A B\":\"c\"}]}", 400,
		  "PropertyValueFormatError" },
		{ "{\"Destination\":\"http://127.0.0.1/\",\"HttpHeaders\":[{\"A\":\"b\\r\\nC: d\"}]}", 400,
		  "PropertyValueFormatError" },
		{ "{\"Destination\":\"http://127.0.0.1/\",\"HttpHeaders\":[{\"Content-Length\":\"1\"}]}",
		  400, "PropertyValueNotInList" },
		{ "{\"Destination\":\"http://127.0.0.1/\",\"DeliveryRetryPolicy\":\"Sometimes\"}", 400,
		  "PropertyValueNotInList" },
		{ "{\"Destination\":\"http://127.0.0.1/\",\"VerifyCertificate\":1}", 400,
		  "PropertyValueTypeError" },
		{ "{\"Context\":\"c\"}", 400, "CreateFailedMissingReqProperties" },
		{ "{\"Destination\":\"http://127.0.0.1/\",", 400, "MalformedJSON" },
		{ "{\"Destination\":\"https://127.0.0.1/\",\"VerifyCertificate\":false,"
		  "\"HttpHeaders\":[{\"X-Secret\":\"s3cret\",\"Content-Type\":\"text/plain\"}]}", 201,
		  "\"HttpHeaders\":[]" },
		{ "{\"Destination\":\"http://127.0.0.1/\"}", 503, "CreateLimitReachedForResource" },
	};
	setup();
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int st = send_json("POST", SUBS, v[i].body);
		if (st != v[i].status || !HAS(v[i].msg))
			printf("  POST %s: %d\n%s\n", v[i].body, st, outb);
		CHECK_EQ(st, v[i].status);
		CHECK(HAS(v[i].msg));
	}
	CHECK(!HAS("s3cret"));
	CHECK(subs[1].headers_len && !strcmp(subs[1].headers, "X-Secret: s3cret\r\n"));
	/* the first is Subscriptions/1, with a Location */
	CHECK_EQ(raw("GET " SUBS "/1 HTTP/1.1\r\nHost: b\r\nAuthorization: Basic "
		     "YWRtaW46YWRtaW5wdw==\r\n\r\n"), 200);
	CHECK(HAS("\"EventTypes\":[\"Alert\"]") && HAS("\"Status\":{\"State\":\"Enabled\""));
	/* operators may not read or write them */
	CHECK_EQ(raw("GET " SUBS " HTTP/1.1\r\nHost: b\r\nAuthorization: Basic b3BlcjpvcGVycHc=\r\n\r\n"),
		 403);
	/* PATCH: Context and policy yes, Destination no, Status/State */
	CHECK_EQ(send_json("PATCH", SUBS "/1", "{\"Context\":\"new\",\"DeliveryRetryPolicy\":"
			   "\"RetryForever\"}"), 200);
	CHECK(HAS("\"Context\":\"new\"") && HAS("\"DeliveryRetryPolicy\":\"RetryForever\""));
	CHECK_EQ(send_json("PATCH", SUBS "/1", "{\"Destination\":\"http://127.0.0.1/\"}"), 400);
	CHECK(HAS("PropertyNotWritable"));
	CHECK_EQ(send_json("PATCH", SUBS "/1", "{\"Status\":{\"State\":\"Sleeping\"}}"), 400);
	CHECK(HAS("PropertyValueNotInList"));
	CHECK_EQ(send_json("PATCH", SUBS "/1", "{\"Status\":{\"State\":\"Disabled\"}}"), 200);
	CHECK(!subs[0].enabled);
	CHECK_EQ(send_json("PATCH", SUBS "/9", "{\"Context\":\"x\"}"), 404);
	CHECK_EQ(raw("DELETE " SUBS "/2 HTTP/1.1\r\nHost: b\r\nAuthorization: Basic "
		     "YWRtaW46YWRtaW5wdw==\r\n\r\n"), 204);
	CHECK(!subs[1].used);
	/* https with VerifyCertificate (the default) and no CA bundle: taken, and the log says
	 * deliveries will fail (the Protocol Validator and sushy send no VerifyCertificate) */
	CHECK_EQ(send_json("POST", SUBS, "{\"Destination\":\"https://192.0.2.50/Destination1\","
			   "\"Protocol\":\"Redfish\"}"), 201);
	CHECK(HAS("\"VerifyCertificate\":true"));
}

static const char rec[] = "{\"EventType\":\"Other\",\"MessageId\":\"ResourceEvent.1.4.ResourceChanged\"}";

static void test_delivery(void)
{
	setup();
	CHECK_EQ(send_json("POST", SUBS, "{\"Destination\":\"http://127.0.0.1:8080/e\",\"Context\":"
			   "\"c1\",\"HttpHeaders\":[{\"X-T\":\"v\"}]}"), 201);
	struct buf b;
	char o[4096];
	buf_init(&b, o, sizeof(o));
	CHECK(!redfish_sub_request(&rf, 0, 0, &b)); /* nothing queued */
	redfish_subs_push(&rf, 41, 1, 1, "/redfish/v1/Systems/0", rec, strlen(rec));
	CHECK(redfish_sub_request(&rf, 0, 0, &b));
	o[b.len] = 0;
	static const char want[] =
		"POST /e HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: bmcd\r\n"
		"Content-Type: application/json\r\nOData-Version: 4.0\r\nX-T: v\r\n"
		"Content-Length: 159\r\n\r\n"
		"{\"@odata.type\":\"#Event.v1_13_0.Event\",\"Id\":\"41\",\"Name\":\"Event\","
		"\"Context\":\"c1\",\"Events\":[{\"EventType\":\"Other\",\"MessageId\":"
		"\"ResourceEvent.1.4.ResourceChanged\"}]}";
	if (strcmp(o, want))
		printf("  got:\n%s\n", o);
	CHECK(!strcmp(o, want));
	CHECK_EQ(strlen(strstr(o, "\r\n\r\n") + 4), 159);
	/* failures: retried after the interval, then (SuspendRetries) disabled */
	redfish_sub_result(&rf, 0, false, "HTTP status 500", 1000);
	CHECK(subs[0].enabled && subs[0].retry_at == 6000);
	CHECK_EQ(redfish_subs_deadline(&rf), 6000);
	b.len = 0;
	CHECK(!redfish_sub_request(&rf, 0, 5999, &b));
	CHECK(redfish_sub_request(&rf, 0, 6000, &b));
	redfish_sub_result(&rf, 0, false, "timed out", 6000);
	b.len = 0;
	CHECK(redfish_sub_request(&rf, 0, 11000, &b));
	redfish_sub_result(&rf, 0, false, "Connection refused", 11000);
	CHECK(!subs[0].enabled && subs[0].used);
	CHECK(strstr(logline, "suspended after 3 failed deliveries (Connection refused)") != NULL);
	/* re-enabled: new events only */
	CHECK_EQ(send_json("PATCH", SUBS "/1", "{\"Status\":{\"State\":\"Enabled\"}}"), 200);
	b.len = 0;
	CHECK(!redfish_sub_request(&rf, 0, 20000, &b));
	/* the queue holds 4: six events while the receiver is away lose the two oldest */
	for (int i = 0; i < 6; i++)
		redfish_subs_push(&rf, 50 + (uint64_t)i, 2, 1, "/redfish/v1/Systems/0/LogServices/"
				  "EventLog/Entries/1", rec, strlen(rec));
	CHECK_EQ(subs[0].dropped, 2);
	b.len = 0;
	CHECK(redfish_sub_request(&rf, 0, 20000, &b));
	o[b.len] = 0;
	CHECK(strstr(o, "\"Id\":\"52\"") != NULL);
	redfish_sub_result(&rf, 0, true, NULL, 20000);
	CHECK(strstr(logline, "2 events dropped (queue full)") != NULL);
	/* filters: a ComputerSystem-only subscription skips log events */
	CHECK_EQ(send_json("PATCH", SUBS "/1", "{\"ResourceTypes\":[\"ComputerSystem\"]}"), 400);
	CHECK_EQ(send_json("POST", SUBS, "{\"Destination\":\"http://[::1]:9/\",\"ResourceTypes\":"
			   "[\"ComputerSystem\"],\"DeliveryRetryPolicy\":\"TerminateAfterRetries\"}"), 201);
	redfish_subs_push(&rf, 60, 2, 1, "/redfish/v1/Systems/0/LogServices/EventLog/Entries/2",
			  rec, strlen(rec));
	b.len = 0;
	CHECK(!redfish_sub_request(&rf, 1, 20000, &b));
	redfish_subs_push(&rf, 61, 1, 1, "/redfish/v1/Systems/0", rec, strlen(rec));
	CHECK(redfish_sub_request(&rf, 1, 20000, &b));
	o[b.len] = 0;
	CHECK(strstr(o, "Host: [::1]:9\r\n") && strstr(o, "\"Id\":\"61\""));
	/* TerminateAfterRetries: gone after the last retry */
	for (int i = 0; i < 3; i++) {
		b.len = 0;
		CHECK(redfish_sub_request(&rf, 1, 100000 + i * 5000, &b));
		redfish_sub_result(&rf, 1, false, "reset", 100000 + i * 5000);
	}
	CHECK(!subs[1].used);
	CHECK(strstr(logline, "removed after 3 failed deliveries") != NULL);
	/* an attempt whose event the ring overtook meanwhile still counts against the
	 * receiver, and its retry waits the interval (a fast event stream never hammers) */
	redfish_subs_push(&rf, 70, 1, 1, "/redfish/v1/Systems/0", rec, strlen(rec));
	b.len = 0;
	CHECK(redfish_sub_request(&rf, 0, 200000, &b));
	for (int i = 0; i < 5; i++)
		redfish_subs_push(&rf, 71 + (uint64_t)i, 1, 1, "/redfish/v1/Systems/0", rec,
				  strlen(rec));
	redfish_sub_result(&rf, 0, false, "timed out", 200000);
	CHECK_EQ(subs[0].failures, 1);
	CHECK_EQ(subs[0].retry_at, 205000);
	b.len = 0;
	CHECK(!redfish_sub_request(&rf, 0, 204999, &b));
	CHECK(redfish_sub_request(&rf, 0, 205000, &b));
}

int main(void)
{
	test_destinations();
	test_bodies();
	test_delivery();
	printf("test_subscriptions: %d passed, %d failed\n", t_pass, t_fail);
	return t_fail ? 1 : 0;
}
