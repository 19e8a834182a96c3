/*
 * ATX through kvmd's API on its unix socket (on a PiKVM, kvmd owns the GPIO lines):
 *   GET  /atx                          -> {"ok":true,"result":{"enabled":..,"busy":..,
 *                                           "leds":{"power":..,"hdd":..}}}
 *   POST /atx/click?button=power|power_long|reset
 * kvmd authenticates socket peers by their unix user and groups; X-KVMD-User/-Passwd are
 * sent when configured.
 *
 * Implementation notes
 * - One request at a time, one connection per request ("Connection: close"), every step
 *   non-blocking and driven by the poll loop; each request has a deadline.
 * - The LED state comes from polling GET /atx; after a click it is polled at once.
 * - A click kvmd answers 409 (busy with another press) stays pending and is sent again
 *   shortly, for up to 30 s. kvmd unreachable or answering nonsense marks the backend
 *   unavailable (IPMI answers busy, Redfish 503) until a poll succeeds again; a click
 *   accepted before that is kept and sent when kvmd is back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../proto/json.h"
#include "../proto/parse.h"
#include "atx.h"

#define REQ_MAX 512
#define RSP_MAX 4096
#define CLICK_GIVE_UP_MS 30000

enum kst { K_IDLE, K_CONNECTING, K_SENDING, K_RECEIVING };

struct atx_kvmd {
	struct atx base;
	struct atx_kvmd_cfg cfg;
	char socket[108], user[64], passwd[64];
	int fd;
	enum kst st;
	bool action;			/* the request in flight is the click */
	char req[REQ_MAX];
	size_t reqlen, reqoff;
	char rsp[RSP_MAX];
	size_t rsplen;
	int64_t deadline, next_poll;
	char click[24];			/* pending button, "" when none */
	int64_t click_since, click_at;
	bool ok, enabled, busy, power, hdd;
	unsigned fails;
	bool logged_down;
};

static struct atx_kvmd *kv(struct atx *a) { return (struct atx_kvmd *)a; }

#define KLOG(k, lvl, ...)                                                                  \
	do {                                                                               \
		if ((k)->cfg.log)                                                          \
			(k)->cfg.log((k)->cfg.log_ctx, lvl, __VA_ARGS__);                  \
	} while (0)

static void close_conn(struct atx_kvmd *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
	k->st = K_IDLE;
}

static void failed(struct atx_kvmd *k, int64_t now, const char *why)
{
	close_conn(k);
	k->fails++;
	if (k->ok || !k->logged_down)
		KLOG(k, 4, "kvmd: %s: %s; power control unavailable until it answers", k->socket, why);
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

static void start(struct atx_kvmd *k, bool action, int64_t now)
{
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, k->socket, strlen(k->socket));
	char auth[160] = "";
	if (k->user[0])
		snprintf(auth, sizeof(auth), "X-KVMD-User: %s\r\nX-KVMD-Passwd: %s\r\n", k->user,
			 k->passwd);
	int n = action ? snprintf(k->req, sizeof(k->req),
				  "POST /atx/click?button=%s HTTP/1.1\r\nHost: localhost\r\n"
				  "Connection: close\r\nContent-Length: 0\r\n%s\r\n",
				  k->click, auth)
		       : snprintf(k->req, sizeof(k->req),
				  "GET /atx HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n%s\r\n",
				  auth);
	if (n < 0 || (size_t)n >= sizeof(k->req))
		return;
	k->reqlen = (size_t)n;
	k->reqoff = 0;
	k->rsplen = 0;
	k->action = action;
	k->deadline = now + k->cfg.timeout_ms;
	k->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (k->fd < 0) {
		failed(k, now, strerror(errno));
		return;
	}
	if (connect(k->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno == EINPROGRESS || errno == EAGAIN) {
			k->st = K_CONNECTING;
			return;
		}
		failed(k, now, strerror(errno));
		return;
	}
	k->st = K_SENDING;
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

/* Status code and body of a complete response in k->rsp. */
static int parse_response(struct atx_kvmd *k, const char **body, size_t *blen)
{
	/* "HTTP/1.1 200 OK\r\n ... \r\n\r\nbody" -- read until the peer closed */
	uint32_t code;
	if (k->rsplen < 12 || memcmp(k->rsp, "HTTP/1.", 7) != 0 || k->rsp[8] != ' ' ||
	    !parse_u32(k->rsp + 9, 3, 100, 599, &code))
		return -1;
	const char *end = NULL;
	for (size_t i = 0; i + 3 < k->rsplen; i++) {
		if (!memcmp(k->rsp + i, "\r\n\r\n", 4)) {
			end = k->rsp + i + 4;
			break;
		}
	}
	if (!end)
		return -1;
	*body = end;
	*blen = k->rsplen - (size_t)(end - k->rsp);
	return (int)code;
}

static void finished(struct atx_kvmd *k, int64_t now)
{
	const char *body = NULL;
	size_t blen = 0;
	int code = parse_response(k, &body, &blen);
	bool action = k->action;
	close_conn(k);
	if (code < 0) {
		failed(k, now, "answer not understood");
		return;
	}
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
		} else {
			KLOG(k, 3, "kvmd: click %s refused with HTTP %d%s", k->click, code,
			     code == 400 ? " (ATX disabled in kvmd?)" : "");
			k->click[0] = 0;
		}
		k->next_poll = now; /* see the effect soon */
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
		KLOG(k, 5, "kvmd: %s answers; ATX %s", k->socket, enabled ? "enabled" : "disabled");
	k->ok = true;
	k->logged_down = false;
	k->fails = 0;
	k->enabled = enabled;
	k->busy = busy;
	k->power = power;
	k->hdd = hdd;
	k->next_poll = now + k->cfg.poll_ms;
}

static void pump(struct atx_kvmd *k, int64_t now)
{
	if (k->st == K_CONNECTING) {
		int err = 0;
		socklen_t el = sizeof(err);
		if (getsockopt(k->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err) {
			failed(k, now, strerror(err ? err : errno));
			return;
		}
		k->st = K_SENDING;
	}
	if (k->st == K_SENDING) {
		ssize_t w = send(k->fd, k->req + k->reqoff, k->reqlen - k->reqoff, MSG_NOSIGNAL);
		if (w < 0 && errno != EAGAIN && errno != EINTR) {
			failed(k, now, strerror(errno));
			return;
		}
		if (w > 0)
			k->reqoff += (size_t)w;
		if (k->reqoff == k->reqlen)
			k->st = K_RECEIVING;
	}
	if (k->st == K_RECEIVING) {
		for (;;) {
			if (k->rsplen == sizeof(k->rsp)) {
				failed(k, now, "answer too long");
				return;
			}
			ssize_t r = recv(k->fd, k->rsp + k->rsplen, sizeof(k->rsp) - k->rsplen, 0);
			if (r > 0) {
				k->rsplen += (size_t)r;
				continue;
			}
			if (r == 0) {
				finished(k, now);
				return;
			}
			if (errno != EAGAIN && errno != EINTR)
				failed(k, now, strerror(errno));
			return;
		}
	}
}

static int k_fds(struct atx *a, struct pollfd *out, int max)
{
	struct atx_kvmd *k = kv(a);
	if (k->fd < 0 || max < 1)
		return 0;
	out[0] = (struct pollfd){ k->fd, k->st == K_RECEIVING ? POLLIN : POLLOUT, 0 };
	return 1;
}

static int64_t k_deadline(struct atx *a)
{
	struct atx_kvmd *k = kv(a);
	if (k->st != K_IDLE)
		return k->deadline;
	int64_t d = k->next_poll;
	if (k->click[0] && k->click_at < d)
		d = k->click_at;
	return d;
}

static void k_service(struct atx *a, int64_t now, short revents)
{
	struct atx_kvmd *k = kv(a);
	(void)revents;
	if (k->st != K_IDLE) {
		if (now >= k->deadline) {
			failed(k, now, "no answer in time");
			return;
		}
		pump(k, now);
	}
	if (k->st == K_IDLE) {
		if (k->click[0] && now >= k->click_at)
			start(k, true, now);
		else if (now >= k->next_poll)
			start(k, false, now);
		if (k->st != K_IDLE)
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
	if (k->st == K_IDLE)
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
	close_conn(kv(a));
	free(a);
}

static const struct atx_ops kvmd_ops = {
	"kvmd", k_fds, k_deadline, k_service, k_leds, k_press, k_available, k_destroy,
};

struct atx *atx_kvmd_new(const struct atx_kvmd_cfg *cfg, int64_t now)
{
	struct atx_kvmd *k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	if (strlen(cfg->socket) >= sizeof(k->socket)) {
		fprintf(stderr, "kvmd: socket path too long: %s\n", cfg->socket);
		free(k);
		return NULL;
	}
	k->base.ops = &kvmd_ops;
	k->cfg = *cfg;
	snprintf(k->socket, sizeof(k->socket), "%s", cfg->socket);
	snprintf(k->user, sizeof(k->user), "%s", cfg->user ? cfg->user : "");
	snprintf(k->passwd, sizeof(k->passwd), "%s", cfg->passwd ? cfg->passwd : "");
	k->cfg.socket = k->socket;
	if (!k->cfg.poll_ms)
		k->cfg.poll_ms = 1000;
	if (!k->cfg.timeout_ms)
		k->cfg.timeout_ms = 3000;
	k->fd = -1;
	k->next_poll = now;
	return &k->base;
}
