/*
 * ATX through kvmd's API on its unix socket (on a PiKVM, kvmd owns the GPIO lines):
 *   GET  /atx                          -> {"ok":true,"result":{"enabled":..,"busy":..,
 *                                           "leds":{"power":..,"hdd":..}}}
 *   POST /atx/click?button=power|power_long|reset
 * or, for one port P of a PiKVM Switch (the `kvmd-switch` backend; P is kvmd's 0-based port
 * index, unit * 4 + channel):
 *   GET  /switch                       -> {"ok":true,"result":{"model":{"ports":[..],..},
 *                                           "atx":{"busy":[..],"leds":{"power":[..],
 *                                           "hdd":[..]}},..}}   (lists indexed by port)
 *   POST /switch/atx/click?port=P&button=power|power_long|reset
 * kvmd authenticates socket peers by their unix user and groups; X-KVMD-User/-Passwd are
 * sent when configured.
 *
 * Implementation notes
 * - One request at a time, one connection per request ("Connection: close"), every step
 *   non-blocking and driven by the poll loop; each request has a deadline (hal/kvmd_http.c,
 *   shared with the virtual-media backend hal/msd_kvmd.c).
 * - The LED state comes from polling GET /atx; after a click it is polled at once.
 * - A click kvmd answers 409 (busy with another press) stays pending and is sent again
 *   shortly, for up to 30 s. kvmd unreachable or answering nonsense marks the backend
 *   unavailable (IPMI answers busy, Redfish 503) until a poll succeeds again; a click
 *   accepted before that is kept and sent when kvmd is back.
 * - Switch: kvmd queues every switch action and answers 200 at once; a click on a port that
 *   is busy with a press, or that does not exist, is dropped without a word. So a click is
 *   sent only after a fresh GET /switch shows the port present and not busy (busy: asked
 *   again shortly, for up to 30 s). No switch attached (no ports), no such port, or a kvmd
 *   without the Switch API (404) make the backend unavailable, logged once per change.
 *   GET /switch is large (every port's model, the EDIDs): its own buffer and token space.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../proto/json.h"
#include "../proto/kvmd_msd.h"
#include "atx.h"
#include "kvmd_http.h"

#define RSP_MAX 4096
#define CLICK_GIVE_UP_MS 30000
#define SW_RSP_MAX (64 * 1024)	/* GET /switch: about 18 KiB with 20 ports, more per EDID */
#define SW_TOKENS 4096
#define SW_BUSY_RETRY_MS 250
#define STR_(x) #x
#define XSTR(x) STR_(x)

struct atx_kvmd {
	struct atx base;
	struct atx_kvmd_cfg cfg;
	struct kvmd_http http;		/* the request in flight (hal/kvmd_http.c) */
	bool action;			/* the request in flight is the click */
	char *rsp;			/* its body */
	size_t rsplen, rspcap;
	bool rsp_over;
	int64_t next_poll;
	char click[24];			/* pending button, "" when none */
	int64_t click_since, click_at;
	bool ok, enabled, busy, power, hdd;
	unsigned fails;
	bool logged_down;
	/* Switch: the port, -1 for kvmd's own ATX */
	int sw_port;
	struct json_tok *tok;		/* SW_TOKENS */
	bool polled;			/* a GET /switch completed since the pending click came */
	int sw_ports;			/* ports at the last poll logged, -1: none logged yet */
};

static struct atx_kvmd *kv(struct atx *a) { return (struct atx_kvmd *)a; }

#define KLOG(k, lvl, ...)                                                                  \
	do {                                                                               \
		if ((k)->cfg.log)                                                          \
			(k)->cfg.log((k)->cfg.log_ctx, lvl, __VA_ARGS__);                  \
	} while (0)

static void failed(struct atx_kvmd *k, int64_t now, const char *why)
{
	kvmd_http_close(&k->http);
	k->fails++;
	if (k->ok || !k->logged_down)
		KLOG(k, 4, "kvmd: %s: %s; power control unavailable until it answers",
		     k->http.socket, why);
	k->ok = false;
	k->logged_down = true;
	/* back off a little while kvmd is away: 1, 2, 4 s, at most the poll interval x 5 */
	int64_t wait = k->fails < 3 ? 1000 << (k->fails - 1) : 4000;
	if (wait > (int64_t)k->cfg.poll_ms * 5)
		wait = (int64_t)k->cfg.poll_ms * 5;
	k->next_poll = now + wait;
	if (k->click[0] && k->click_at < k->next_poll)
		k->click_at = k->next_poll;
}

static bool on_body(void *ctx, const char *p, size_t n)
{
	struct atx_kvmd *k = ctx;
	if (n > k->rspcap - k->rsplen) {
		k->rsp_over = true;
		return false;
	}
	memcpy(k->rsp + k->rsplen, p, n);
	k->rsplen += n;
	return true;
}

static void start(struct atx_kvmd *k, bool action, int64_t now)
{
	char target[80];
	if (k->sw_port >= 0)
		snprintf(target, sizeof(target), "/switch/atx/click?port=%d&button=%s", k->sw_port,
			 k->click);
	else
		snprintf(target, sizeof(target), "/atx/click?button=%s", k->click);
	const char *get = k->sw_port >= 0 ? "/switch" : "/atx";
	k->rsplen = 0;
	k->rsp_over = false;
	k->action = action;
	if (!kvmd_http_start(&k->http, action ? "POST" : "GET", action ? target : get,
			     now + k->cfg.timeout_ms, on_body, k))
		failed(k, now, k->http.err);
}

/* A JSON true/false at result.<a>[.<b>]; false when absent. */
static bool jbool(const char *s, const struct json_tok *t, int obj, const char *a, const char *b,
		  bool *ok)
{
	int v = json_get(s, t, obj, a);
	if (v >= 0 && b)
		v = t[v].type == JSON_OBJECT ? json_get(s, t, v, b) : -1;
	if (v < 0 || (t[v].type != JSON_TRUE && t[v].type != JSON_FALSE)) {
		*ok = false;
		return false;
	}
	return t[v].type == JSON_TRUE;
}

/* A poll was answered and understood. */
static void answered(struct atx_kvmd *k, int64_t now, bool enabled, bool busy, bool power,
		     bool hdd)
{
	k->ok = true;
	k->logged_down = false;
	k->fails = 0;
	k->enabled = enabled;
	k->busy = busy;
	k->power = power;
	k->hdd = hdd;
	k->next_poll = now + k->cfg.poll_ms;
}

/* Element idx of array token arr, or -1. */
static int elem(const struct json_tok *t, int arr, int idx)
{
	if (arr < 0 || t[arr].type != JSON_ARRAY || idx < 0 || (uint32_t)idx >= t[arr].size)
		return -1;
	int e = json_first(t, arr);
	for (int i = 0; i < idx && e >= 0; i++)
		e = json_next_elem(t, arr, e);
	return e;
}

/* A JSON true/false in the per-port list at result.<a>.<b>[port] (b may be NULL); the list
 * must have one element per port. */
static bool jport(const char *s, const struct json_tok *t, int res, const char *a, const char *b,
		  int nports, int port, bool *ok)
{
	int v = res >= 0 ? json_get(s, t, res, a) : -1; /* res: -1 when "atx" is absent */
	if (v >= 0 && b)
		v = t[v].type == JSON_OBJECT ? json_get(s, t, v, b) : -1;
	if (v < 0 || t[v].type != JSON_ARRAY || t[v].size != (uint32_t)nports) {
		*ok = false;
		return false;
	}
	int e = elem(t, v, port);
	if (e < 0 || (t[e].type != JSON_TRUE && t[e].type != JSON_FALSE)) {
		*ok = false;
		return false;
	}
	return t[e].type == JSON_TRUE;
}

/* The answer to GET /switch. */
static void sw_finished(struct atx_kvmd *k, int64_t now, const char *body, size_t blen, int code)
{
	if (code != 200) {
		char err[160], why[224];
		kvmd_msd_error(code, body, blen, err, sizeof(err));
		snprintf(why, sizeof(why), "GET /switch: %s%s", err,
			 code == 404 ? " (this kvmd has no Switch API)" : "");
		failed(k, now, why);
		return;
	}
	struct json_tok *t = k->tok;
	int n = json_parse(body, blen, t, SW_TOKENS, 12);
	bool ok = n > 0 && t[0].type == JSON_OBJECT;
	int res = ok ? json_get(body, t, 0, "result") : -1;
	ok = ok && res > 0 && t[res].type == JSON_OBJECT;
	int model = ok ? json_get(body, t, res, "model") : -1;
	int ports = model > 0 && t[model].type == JSON_OBJECT ? json_get(body, t, model, "ports") : -1;
	ok = ok && ports > 0 && t[ports].type == JSON_ARRAY && t[ports].size <= 1000;
	int nports = ok ? (int)t[ports].size : 0;
	bool present = ok && k->sw_port < nports;
	bool busy = false, power = false, hdd = false;
	if (present) {
		int pe = elem(t, ports, k->sw_port);
		ok = pe > 0 && t[pe].type == JSON_OBJECT;
		busy = jport(body, t, res, "atx", "busy", nports, k->sw_port, &ok);
		int atx = json_get(body, t, res, "atx");
		power = jport(body, t, atx, "leds", "power", nports, k->sw_port, &ok);
		hdd = jport(body, t, atx, "leds", "hdd", nports, k->sw_port, &ok);
	}
	if (!ok) {
		failed(k, now, n == JSON_ETOKENS ? "GET /switch: answer too large (more JSON values "
			       "than " XSTR(SW_TOKENS) ")" : "GET /switch: unexpected JSON");
		return;
	}
	if (!k->ok || k->sw_ports != nports) {
		if (!nports)
			KLOG(k, 4, "kvmd: %s answers, but no PiKVM Switch is attached (no ports); power "
			     "control of switch port %d unavailable", k->http.socket, k->sw_port);
		else if (!present)
			KLOG(k, 4, "kvmd: the PiKVM Switch has %d port(s) (0..%d), not port %d; power "
			     "control unavailable", nports, nports - 1, k->sw_port);
		else
			KLOG(k, 5, "kvmd: %s answers; switch port %d (unit %d, channel %d) of %d",
			     k->http.socket, k->sw_port, k->sw_port / 4 + 1, k->sw_port % 4 + 1, nports);
	}
	k->sw_ports = nports;
	answered(k, now, present, busy, power, hdd);
	if (!k->click[0])
		return;
	if (!present) {
		KLOG(k, 3, "kvmd: '%s' for switch port %d dropped: no such port", k->click, k->sw_port);
		k->click[0] = 0;
	} else if (busy) { /* kvmd would drop it: ask again shortly */
		if (now - k->click_since > CLICK_GIVE_UP_MS) {
			KLOG(k, 3, "kvmd: switch port %d still busy after %d s; '%s' dropped",
			     k->sw_port, CLICK_GIVE_UP_MS / 1000, k->click);
			k->click[0] = 0;
		} else {
			k->click_at = now + SW_BUSY_RETRY_MS;
			k->polled = false;
		}
	} else {
		k->polled = true;
	}
}

static void finished(struct atx_kvmd *k, int64_t now)
{
	const char *body = k->rsp;
	size_t blen = k->rsplen;
	int code = k->http.h.status;
	bool action = k->action;
	if (action) {
		if (code == 409) { /* busy with another press: keep it, try again soon */
			if (now - k->click_since > CLICK_GIVE_UP_MS) {
				KLOG(k, 3, "kvmd: '%s' still refused as busy after %d s; dropped", k->click,
				     CLICK_GIVE_UP_MS / 1000);
				k->click[0] = 0;
			} else {
				k->click_at = now + 500;
			}
		} else if (code == 200) {
			KLOG(k, 6, "kvmd: clicked %s", k->click);
			k->click[0] = 0;
		} else if (k->sw_port >= 0) {
			char err[160];
			KLOG(k, 3, "kvmd: click %s on switch port %d refused: %s", k->click, k->sw_port,
			     kvmd_msd_error(code, body, blen, err, sizeof(err)));
			k->click[0] = 0;
		} else {
			KLOG(k, 3, "kvmd: click %s refused with HTTP %d%s", k->click, code,
			     code == 400 ? " (ATX disabled in kvmd?)" : "");
			k->click[0] = 0;
		}
		k->next_poll = now; /* see the effect soon */
		return;
	}
	if (k->sw_port >= 0) {
		sw_finished(k, now, body, blen, code);
		return;
	}
	struct json_tok t[64];
	int n = code == 200 ? json_parse(body, blen, t, 64, 8) : -1;
	bool ok = n > 0 && t[0].type == JSON_OBJECT;
	int res = ok ? json_get(body, t, 0, "result") : -1;
	ok = ok && res > 0 && t[res].type == JSON_OBJECT;
	bool enabled = false, busy = false, power = false, hdd = false;
	if (ok) {
		enabled = jbool(body, t, res, "enabled", NULL, &ok);
		busy = jbool(body, t, res, "busy", NULL, &ok);
		power = jbool(body, t, res, "leds", "power", &ok);
		hdd = jbool(body, t, res, "leds", "hdd", &ok);
	}
	if (!ok) {
		failed(k, now, code == 200 ? "GET /atx: unexpected JSON" : "GET /atx: HTTP error");
		return;
	}
	if (!k->ok)
		KLOG(k, 5, "kvmd: %s answers; ATX %s", k->http.socket,
		     enabled ? "enabled" : "disabled");
	answered(k, now, enabled, busy, power, hdd);
}

static void pump(struct atx_kvmd *k, int64_t now)
{
	int r = kvmd_http_pump(&k->http, now);
	if (r > 0)
		finished(k, now);
	else if (r < 0)
		failed(k, now, k->rsp_over ? "answer too long" : k->http.err);
}

static int k_fds(struct atx *a, struct pollfd *out, int max)
{
	return kvmd_http_fds(&kv(a)->http, out, max);
}

static int64_t k_deadline(struct atx *a)
{
	struct atx_kvmd *k = kv(a);
	if (kvmd_http_busy(&k->http))
		return k->http.deadline;
	int64_t d = k->next_poll;
	if (k->click[0] && k->click_at < d)
		d = k->click_at;
	return d;
}

static void k_service(struct atx *a, int64_t now, short revents)
{
	struct atx_kvmd *k = kv(a);
	(void)revents;
	if (kvmd_http_busy(&k->http))
		pump(k, now);
	if (!kvmd_http_busy(&k->http)) {
		if (k->click[0] && now >= k->click_at)
			start(k, k->sw_port < 0 || k->polled, now); /* switch: a fresh look first */
		else if (now >= k->next_poll)
			start(k, false, now);
		if (kvmd_http_busy(&k->http))
			pump(k, now);
	}
}

static unsigned k_leds(struct atx *a)
{
	struct atx_kvmd *k = kv(a);
	return (k->power ? ATX_LED_POWER : 0) | (k->hdd ? ATX_LED_HDD : 0);
}

static int k_press(struct atx *a, enum atx_switch sw, bool down, uint32_t hold_ms, int64_t now)
{
	struct atx_kvmd *k = kv(a);
	if (!down)
		return 0; /* kvmd times its own clicks */
	const char *b = sw == ATX_RESET ? "reset" : hold_ms >= k->cfg.long_ms ? "power_long" : "power";
	snprintf(k->click, sizeof(k->click), "%s", b);
	k->click_since = now;
	k->click_at = now;
	k->polled = false;
	if (!kvmd_http_busy(&k->http))
		k_service(a, now, 0);
	return 0;
}

static bool k_available(struct atx *a)
{
	struct atx_kvmd *k = kv(a);
	return k->ok && k->enabled;
}

static void k_destroy(struct atx *a)
{
	struct atx_kvmd *k = kv(a);
	kvmd_http_close(&k->http);
	free(k->rsp);
	free(k->tok);
	free(k);
}

static const struct atx_ops kvmd_ops = {
	"kvmd", k_fds, k_deadline, k_service, k_leds, k_press, k_available, k_destroy,
};

static const struct atx_ops kvmd_switch_ops = {
	"kvmd-switch", k_fds, k_deadline, k_service, k_leds, k_press, k_available, k_destroy,
};

static struct atx *open_kvmd(const struct atx_kvmd_cfg *cfg, int port, int64_t now)
{
	struct atx_kvmd *k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	if (!kvmd_http_init(&k->http, cfg->socket, cfg->user, cfg->passwd)) {
		free(k);
		return NULL;
	}
	k->sw_port = port;
	k->sw_ports = -1;
	k->rspcap = port >= 0 ? SW_RSP_MAX : RSP_MAX;
	k->rsp = malloc(k->rspcap);
	k->tok = port >= 0 ? calloc(SW_TOKENS, sizeof(*k->tok)) : NULL;
	if (!k->rsp || (port >= 0 && !k->tok)) {
		free(k->rsp);
		free(k->tok);
		free(k);
		return NULL;
	}
	k->base.ops = port >= 0 ? &kvmd_switch_ops : &kvmd_ops;
	k->cfg = *cfg;
	k->cfg.socket = k->http.socket;
	if (!k->cfg.poll_ms)
		k->cfg.poll_ms = 1000;
	if (!k->cfg.timeout_ms)
		k->cfg.timeout_ms = 3000;
	k->next_poll = now;
	return &k->base;
}

struct atx *atx_kvmd_new(const struct atx_kvmd_cfg *cfg, int64_t now)
{
	return open_kvmd(cfg, -1, now);
}

struct atx *atx_kvmd_switch_new(const struct atx_kvmd_cfg *cfg, unsigned port, int64_t now)
{
	if (port >= ATX_KVMD_SWITCH_PORTS) {
		fprintf(stderr, "kvmd: switch port %u: a PiKVM Switch chain has ports 0..%d\n", port,
			ATX_KVMD_SWITCH_PORTS - 1);
		return NULL;
	}
	return open_kvmd(cfg, (int)port, now);
}
