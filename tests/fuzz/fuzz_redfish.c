/*
 * fuzz_redfish: HTTP requests through http_parse into redfish_handle, as net/httpd.c does
 * it (pipelined requests, error responses for what the parser refuses), with the fake host
 * model behind the engine: every method and path the fuzzer makes, authenticated or not.
 *
 * Input: one control byte, then the bytes of one or more requests.
 *   bits 0-1  credentials the harness adds to the first request (a header line inserted
 *             after its request line, so mutations of the request itself keep them):
 *             0 Basic admin:admin, 1 X-Auth-Token of a live admin session,
 *             2 Basic for the user named by bits 6-7 (operator, user, a callback-level
 *             account, admin with a wrong password), 3 none (anonymous, or what the input
 *             itself carries: seeds use the live tokens below)
 *   bit 2     the connection is TLS;  bit 3: the peer is on loopback
 *   bit 4     [redfish] http_remote;  bit 5: the host is powered on
 * Two systems: 0 (the fake host, the drive) and b (a second fake host, no drive, an
 * allow-list without the user "user"), so system lookups, per-system events and the
 * allow-list's 404/403 are reached.
 * Three sessions exist before every input, with the tokens in tokens[] (admin, operator,
 * user); a fourth slot is free so POST .../Sessions succeeds once and then hits the limit.
 * The engine is rebuilt for every input (login throttling, sessions, SEL, ETags start the
 * same), so saved inputs reproduce alone.
 *
 * A simulated virtual-media drive (hal/msd_sim.c, a fresh one per input) stands behind
 * VirtualMedia, so InsertMedia bodies and the tasks they start are reached too; between
 * requests it runs on (one simulated second per request) and the engine hears of its
 * changes as the wiring tells it (redfish_media_update, then an SSE event).
 *
 * Checked on every response: a well-formed status line and head with no bare CR or LF and
 * no control bytes (request data is echoed into Location and error messages), a
 * Content-Length that matches the body (HEAD: no body), and a JSON body the strict parser
 * accepts. SSE events get the same JSON check.
 */
#include <stdarg.h>

#include "../../proto/http.h"
#include "../../proto/json.h"
#include "../../proto/redfish.h"
#include "../../proto/sel.h"
#include "../../hal/msd.h"
#include "../unit/fake_host.h"
#include "fuzz_common.h"

#define PIPELINE_MAX 8
#define OUT_MAX 65536 /* net/httpd.h HTTPD_OUT_MAX */
#define NSESS 4

static struct redfish rf;
static struct rf_session sess[NSESS];
static struct host host, host_b;
static struct rf_system systems[2]; /* the default host and "b", whose allow-list leaves
				     * out the user "user" */
static struct users users;
static struct user user_tab[FUZZ_USERS_MAX];
static struct json_tok tok[4096];
static struct msd *msd;
static struct rf_sub subs[2];	/* event subscriptions: POST .../Subscriptions fills them */
static struct rf_event ring[4];

static const char *const tokens[3] = {
	"0123456789abcdef0123456789abcdef",
	"fedcba9876543210fedcba9876543210",
	"00112233445566778899aabbccddeeff",
};
static const char *const basic[5] = {
	"Authorization: Basic YWRtaW46YWRtaW4=\r\n",		/* admin:admin */
	"Authorization: Basic b3BlcmF0b3I6b3BlcmF0b3I=\r\n",	/* operator:operator */
	"Authorization: Basic dXNlcjp1c2Vy\r\n",		/* user:user */
	"Authorization: Basic Y2I6Y2FsbGJhY2s=\r\n",		/* cb:callback */
	"Authorization: Basic YWRtaW46d3Jvbmc=\r\n",		/* admin:wrong */
};

static bool not_user(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "user") != 0;
}

static void setup(uint8_t ctl)
{
	fuzz_users_init(&users, user_tab);
	fake_host_init(&host);
	host.st.on = ctl & 0x20;
	uint8_t rec[SEL_REC_LEN];
	sel_make_event(rec, 0x22, 1, 0x6F, false, 0, 0xFF, 0xFF);
	sel_add(&host.sel, rec, host.time, 2, SELT_POWER_ON, "admin");
	sel_make_event(rec, 0x09, 4, 0x6F, false, 0, 0xFF, 0xFF);
	sel_add(&host.sel, rec, host.time + 5, 1, SELT_ACT_OFF, "operator");
	sel_add(&host.sel, rec, host.time + 9, 0, SELT_RAW, "");
	struct redfish_cfg cfg = {
		.system_id = "0",
		.uuid = "a1a2a3a4-b1b2-c1c2-d1d2-010203040506",
		.name = "bmcd-fuzz",
		.fw_version = "0.0.0",
		.session_timeout_s = 60,
		.max_sessions = NSESS,
		.ipmi_port = 623,
		.http_port = 80,
		.https_port = 443,
		.sol_enabled = true,
		.max_sse = 2,
		.http_remote = ctl & 0x10,
		.throttle = RF_THROTTLE_DEFAULT,
		.max_tasks = 2,
		.log = fuzz_log,
		.subs = subs,
		.max_subs = 2,
		.ring = ring,
		.queue = 4,
		.retry_attempts = 1,
		.retry_interval_s = 1,
		.tls_client = true,
	};
	struct msd_sim_cfg mc = { .size = 4 << 20, .rate_kib_s = 2048, .step_ms = 500 };
	msd = msd_sim_new(&mc, 1000000);
	cfg.msd = msd;
	fake_host_init(&host_b);
	memset(systems, 0, sizeof(systems));
	systems[0] = (struct rf_system){ .id = "0", .host = &host, .ipmi_port = 623,
					 .sol_enabled = true, .msd = msd };
	memcpy(systems[0].uuid, cfg.uuid, sizeof(systems[0].uuid));
	systems[1] = (struct rf_system){ .id = "b", .uuid = "a1a2a3a4-b1b2-c1c2-d1d2-0102030405b2",
					 .host = &host_b, .ipmi_port = 6231, .model = "Box B",
					 .allowed = not_user };
	cfg.systems = systems;
	cfg.nsystems = 2;
	static const uint8_t seed[32] = "bmcd fuzz seed: fixed on purpose";
	redfish_init(&rf, &cfg, sess, &users, &host, seed, sizeof(seed));
	/* live sessions with known tokens: admin, operator, user */
	for (int i = 0; i < 3; i++) {
		struct rf_session *s = &sess[i];
		s->used = true;
		s->id = (uint32_t)(i + 1);
		memcpy(s->token, tokens[i], RF_TOKEN_LEN + 1);
		s->user = (int16_t)i;
		memcpy(s->user_name, users.u[i].name, sizeof(s->user_name));
		s->priv = users.u[i].priv;
		s->created = s->last_used = 1000000;
	}
	rf.next_session_id = 3;
}

/* A response as a client reads it. head_only: a HEAD request (no body follows). */
static void check_response(const struct buf *out, bool head_only)
{
	FUZZ_ASSERT(!out->err, "response overflowed its buffer");
	FUZZ_ASSERT(out->len >= 16 && !memcmp(out->p, "HTTP/1.1 ", 9), "bad status line");
	const char *p = out->p;
	const char *end = memmem(p, out->len, "\r\n\r\n", 4);
	FUZZ_ASSERT(end, "no end of head");
	size_t hl = (size_t)(end - p) + 4;
	long clen = -1;
	bool json = false, sse = false;
	for (size_t i = 0; i < hl - 2;) {
		const char *eol = memmem(p + i, hl - i, "\r\n", 2);
		size_t n = (size_t)(eol - (p + i));
		for (size_t k = 0; k < n; k++) {
			unsigned char c = (unsigned char)p[i + k];
			FUZZ_ASSERT(c >= 0x20 && c != 0x7F, "control byte 0x%02x in response head", c);
		}
		if (i > 0) {
			const char *colon = memchr(p + i, ':', n);
			FUZZ_ASSERT(colon && colon > p + i, "header line without a name");
		}
		if (n > 16 && !strncmp(p + i, "Content-Length: ", 16)) {
			clen = 0;
			for (size_t k = 16; k < n; k++) {
				FUZZ_ASSERT(p[i + k] >= '0' && p[i + k] <= '9', "Content-Length value");
				clen = clen * 10 + (p[i + k] - '0');
			}
		}
		if (n >= 30 && !strncmp(p + i, "Content-Type: application/json", 30))
			json = true;
		if (n >= 31 && !strncmp(p + i, "Content-Type: text/event-stream", 31))
			sse = true;
		i += n + 2;
	}
	size_t body = out->len - hl;
	if (head_only || sse) {
		/* RFC 9110 9.3.2: a HEAD answer has no content, whatever its status; bytes after
		 * the head would be read as the start of the next response on this connection */
		FUZZ_CHECK("head-body", body == 0, "%zu body bytes after a %s head", body,
			   sse ? "SSE" : "HEAD");
		return;
	}
	FUZZ_ASSERT(clen < 0 || (size_t)clen == body, "Content-Length %ld, body %zu", clen, body);
	if (json && body) {
		int n = json_parse(p + hl, body, tok, (int)(sizeof(tok) / sizeof(tok[0])),
				   JSON_DEPTH_MAX);
		FUZZ_ASSERT(n > 0 || n == JSON_ETOKENS, "invalid JSON body (%d): %.*s", n,
			    (int)(body < 300 ? body : 300), p + hl);
	}
}

static void check_event(const struct buf *out)
{
	if (out->len == 0)
		return;
	FUZZ_ASSERT(!out->err, "event overflowed");
	const char *d = memmem(out->p, out->len, "\ndata: ", 7);
	FUZZ_ASSERT(!memcmp(out->p, "id: ", 4) && d, "malformed SSE event");
	FUZZ_ASSERT(out->len >= 2 && !memcmp(out->p + out->len - 2, "\n\n", 2), "event end");
	size_t s = (size_t)(d - out->p) + 7, n = out->len - 2 - s;
	int k = json_parse(out->p + s, n, tok, (int)(sizeof(tok) / sizeof(tok[0])), JSON_DEPTH_MAX);
	FUZZ_ASSERT(k > 0, "invalid JSON in an SSE event (%d)", k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t ctl = data[0];
	const char *in = (const char *)data + 1;
	size_t n = size - 1;
	setup(ctl);

	/* the credentials header goes right after the first request line */
	const char *hdr = NULL;
	char tokhdr[64];
	switch (ctl & 3) {
	case 0:
		hdr = basic[0];
		break;
	case 1:
		snprintf(tokhdr, sizeof(tokhdr), "X-Auth-Token: %s\r\n", tokens[0]);
		hdr = tokhdr;
		break;
	case 2:
		hdr = basic[1 + (ctl >> 6)];
		break;
	}
	const char *lf = hdr ? memchr(in, '\n', n) : NULL;
	size_t hn = lf ? strlen(hdr) : 0, total = n + hn;
	char *req = malloc(total ? total : 1); /* exact size: ASan sees reads past the end */
	if (lf) {
		size_t first = (size_t)(lf - in) + 1;
		memcpy(req, in, first);
		memcpy(req + first, hdr, hn);
		memcpy(req + first + hn, in + first, n - first);
	} else if (n) {
		memcpy(req, in, n);
	}

	struct rf_conn conn = { .tls = ctl & 4, .loopback = ctl & 8 };
	static const uint8_t v4[16] = { [10] = 0xFF, [11] = 0xFF, 192, 0, 2, 7 };
	static const uint8_t lo[16] = { [10] = 0xFF, [11] = 0xFF, 127, 0, 0, 1 };
	memcpy(conn.addr, conn.loopback ? lo : v4, 16);
	char *outp = malloc(OUT_MAX);
	struct buf out;
	int64_t now = 1000000;
	size_t off = 0;
	for (int k = 0; k < PIPELINE_MAX && off < total; k++) {
		struct http_request rq;
		int r = http_parse(req + off, total - off, &rq);
		buf_init(&out, outp, OUT_MAX);
		if (r < 0) {
			redfish_error_response(&rf, -r, &out);
			check_response(&out, false);
			break;
		}
		if (r == 0)
			break; /* incomplete: the network layer waits (or sends 100 Continue) */
		now += 1000;
		int fl = redfish_handle(&rf, &rq, &conn, &out, now);
		check_response(&out, rq.method == HTTP_HEAD);
		off += (size_t)r;
		msd->ops->service(msd, now + 500, 0);
		if (redfish_media_update(&rf, 0, now + 500)) {
			char ev[4096];
			struct buf eb;
			buf_init(&eb, ev, sizeof(ev));
			redfish_sse_event(&rf, 0, RF_NOTIFY_MEDIA, -1, &eb);
			check_event(&eb);
		}
		if (fl & RF_SSE) {
			/* what the loop sends a subscriber when the host changes */
			for (int e = 0; e < 3; e++) {
				buf_init(&out, outp, OUT_MAX);
				host.st.on = e & 1;
				redfish_sse_event(&rf, (unsigned)e & 1, /* both systems */
						  e == 2 ? RF_NOTIFY_LOG : RF_NOTIFY_POWER,
						  e & 1 ? HOST_POWER_ON : HOST_POWER_OFF, &out);
				check_event(&out);
			}
			break;
		}
		if (fl & RF_CLOSE)
			break;
	}
	/* what the subscriptions the input made get: well-formed requests with exact lengths */
	for (int e = 0; e < 2 && redfish_subs_any(&rf); e++) {
		buf_init(&out, outp, OUT_MAX);
		redfish_sse_event(&rf, (unsigned)e, e ? RF_NOTIFY_LOG : RF_NOTIFY_POWER,
				  host.st.on ? HOST_POWER_ON : HOST_POWER_OFF, &out);
		for (unsigned i = 0; i < 2; i++) {
			buf_init(&out, outp, OUT_MAX);
			if (!redfish_sub_request(&rf, i, now, &out))
				continue;
			const char *end = memmem(out.p, out.len, "\r\n\r\n", 4);
			const char *cl = memmem(out.p, out.len, "Content-Length: ", 16);
			FUZZ_ASSERT(end && cl && !memcmp(out.p, "POST /", 6), "malformed event request");
			size_t hl = (size_t)(end - out.p) + 4;
			FUZZ_ASSERT((size_t)atol(cl + 16) == out.len - hl, "event Content-Length");
			for (size_t k = 0; k < hl; k++)
				FUZZ_ASSERT((unsigned char)out.p[k] >= 0x20 || out.p[k] == '\r' ||
					    out.p[k] == '\n', "control byte in an event request head");
			int k = json_parse(out.p + hl, out.len - hl, tok,
					   (int)(sizeof(tok) / sizeof(tok[0])), JSON_DEPTH_MAX);
			FUZZ_ASSERT(k > 0, "invalid JSON in an event (%d)", k);
			redfish_sub_result(&rf, i, e == 0, e == 0 ? NULL : "fuzz", now);
		}
		(void)redfish_subs_deadline(&rf);
	}
	/* sessions expire; a user disappears from the table */
	(void)redfish_deadline(&rf);
	redfish_tick(&rf, now + 61000);
	users.n = 1;
	redfish_users_changed(&rf);
	msd->ops->destroy(msd);
	free(outp);
	free(req);
	return 0;
}
