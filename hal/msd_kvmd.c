/*
 * Virtual media through kvmd's mass-storage API on its unix socket (see hal/msd.h for the
 * contract, proto/kvmd_msd.h for kvmd's shapes):
 *   GET  /msd                                   state: online, busy, images, drive
 *   POST /msd/set_connected?connected=0|1
 *   POST /msd/remove?image=PREFIX/NAME          only images under bmcd's prefix
 *   POST /msd/write_remote?url=..&image=NAME&prefix=PREFIX&timeout=..&remove_incomplete=1
 *        streams NDJSON progress lines; a final {"ok": false, ..} line on failure
 *   POST /msd/set_params?image=PREFIX/NAME&cdrom=0|1&rw=0|1
 *
 * Implementation: one request at a time (hal/kvmd_http.c). An operation is a goal (insert
 * or eject) reached in steps: every step starts with GET /msd and decides the next request
 * from kvmd's state, so a state changed behind bmcd's back (the web UI, a restart of either
 * side) is seen and handled. Insert: disconnect the drive, remove bmcd's old images, download,
 * select it with cdrom/rw, connect, confirm. Eject: disconnect, remove bmcd's images. kvmd
 * busy (409, or "busy" in the state) is waited for up to busy_ms; every other refusal ends
 * the operation as MSD_FAILED with kvmd's error class and message. While idle, GET /msd is
 * polled every poll_ms to follow kvmd (online, and media ejected through the web UI).
 *
 * On a PiKVM Switch port (cfg.on_switch), every GET /msd is followed by a GET /switch for the
 * active port (kvmd's drive reaches only that port):
 *   POST /switch/set_active?port=P            queued by kvmd; the next GET /switch shows it
 * - Insert: after set_params, the port is made active (and its GET /switch awaited, up to
 *   SW_ACTIVE_MS) before the drive is connected; the insert ends when the drive holds the
 *   image and the port is active.
 * - Connected media while another port is active: the host does not see it. The state stays
 *   MSD_INSERTED with connected false (Redfish: Inserted false, Health Warning), logged once;
 *   when the port is active again, connected is true again. bmcd does not switch back by
 *   itself: a person (kvmd's web UI) or another client chose the other port on purpose, and
 *   two BMCs fighting over the active port would flip every host's KVM.
 * - The drive connected to an image that is not bmcd's (not under its prefix) while another
 *   port is active is another host's media: insert() refuses with MSD_IN_USE (and an insert
 *   that finds it on its first look fails) instead of disconnecting it; eject() leaves it.
 * - Eject: disconnect and remove, as without a switch; the active port stays as it is.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../proto/kvmd_msd.h"
#include "../proto/ndjson.h"
#include "kvmd_http.h"
#include "msd.h"

#define RSP_MAX 32768		/* GET /msd with about 100 images */
#define TOKENS 2048
#define SW_RSP_MAX (64 * 1024)	/* GET /switch: about 18 KiB with 20 ports, more per EDID */
#define SW_TOKENS 4096
#define SW_ACTIVE_MS 10000	/* a port asked to be active shows so within this */
#define MAX_STEPS 32		/* requests in one operation */
#define RETRY_MS 500

enum goal { G_NONE, G_INSERT, G_EJECT };
enum req { R_NONE, R_STATE, R_DISCONNECT, R_REMOVE, R_WRITE, R_PARAMS, R_CONNECT, R_SWITCH,
	   R_ACTIVE };

struct msd_kvmd {
	struct msd base;
	struct msd_kvmd_cfg cfg;
	char prefix[32];
	struct kvmd_http http;
	enum req req;
	int64_t now;			/* of the service() call in progress */
	char body[SW_RSP_MAX];		/* GET /msd and POST answers: RSP_MAX at most */
	size_t bodylen;
	bool body_over;
	struct json_tok tok[SW_TOKENS];	/* GET /msd: TOKENS at most */
	struct ndjson nd;
	bool line_error, progress;
	char line_err[160];
	enum goal goal;
	char url[MSD_URL_MAX + 1];	/* with any credentials: for kvmd only */
	char kname[KVMD_MSD_NAME_MAX + 1]; /* PREFIX/NAME, kvmd's name of the image */
	bool want_cdrom, want_rw;	/* as asked; st.cdrom/rw: as kvmd applied them */
	bool downloaded, params_set;
	int steps;
	int64_t busy_since, next_at;
	bool polled;			/* kvmd answered a GET /msd at least once */
	struct kvmd_msd_state ks;
	struct msd_status st;
	/* PiKVM Switch (cfg.on_switch; else sw_port is -1) */
	int sw_port;
	bool sw_ok;			/* the last GET /switch was understood and has sw_port */
	int active;			/* its active port, -1: none or not known */
	char sw_err[160];		/* why not sw_ok; logged once per change */
	bool sw_asked;			/* this insert sent set_active (at sw_asked_at) */
	int64_t sw_asked_at;
	bool away;			/* inserted media while another port is active (logged) */
};

static struct msd_kvmd *kv(struct msd *m) { return (struct msd_kvmd *)m; }

#define KLOG(k, lvl, ...)                                                                  \
	do {                                                                               \
		if ((k)->cfg.log)                                                          \
			(k)->cfg.log((k)->cfg.log_ctx, lvl, __VA_ARGS__);                  \
	} while (0)

static void changed(struct msd_kvmd *k) { k->st.seq++; }

static void set_state(struct msd_kvmd *k, enum msd_state s)
{
	k->st.state = s;
	changed(k);
}

static void finish(struct msd_kvmd *k, enum msd_state s, int64_t now)
{
	k->goal = G_NONE;
	k->away = false;
	k->req = R_NONE;
	k->next_at = now + k->cfg.poll_ms;
	if (s == MSD_EMPTY) {
		k->st.image[0] = 0;
		k->st.url[0] = 0;
		k->url[0] = 0;
		k->kname[0] = 0;
		k->st.size = k->st.written = 0;
		KLOG(k, 6, "msd: ejected");
	} else if (s == MSD_INSERTED) {
		KLOG(k, 6, "msd: %s inserted as %s (%s)", k->st.url, k->kname,
		     k->st.cdrom ? "CD-ROM" : k->st.rw ? "flash, writable" : "flash, read-only");
	}
	set_state(k, s);
}

static void fail(struct msd_kvmd *k, int64_t now, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct msd_kvmd *k, int64_t now, const char *fmt, ...)
{
	char raw[sizeof(k->st.error)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	kvmd_redact(raw, strlen(raw), k->st.error, sizeof(k->st.error));
	KLOG(k, 4, "msd: %s %s failed: %s", k->goal == G_EJECT ? "eject" : "insert", k->st.url,
	     k->st.error);
	kvmd_http_close(&k->http);
	finish(k, MSD_FAILED, now);
}

/* --- requests --------------------------------------------------------------------------- */

static bool on_body(void *ctx, const char *p, size_t n);

static void request(struct msd_kvmd *k, enum req r, const char *method, const char *target,
		    int64_t now, int64_t timeout)
{
	k->req = r;
	k->bodylen = 0;
	k->body_over = false;
	ndjson_init(&k->nd);
	k->line_error = k->progress = false;
	if (!kvmd_http_start(&k->http, method, target, now + timeout, on_body, k)) {
		k->req = R_NONE;
		if (k->goal != G_NONE) {
			fail(k, now, "kvmd: %s", k->http.err);
			return;
		}
		if (k->st.online || !k->polled)
			KLOG(k, 4, "msd: kvmd: %s: %s", k->http.socket, k->http.err);
		if (k->st.online) {
			k->st.online = false;
			changed(k);
		}
		k->polled = true;
		k->next_at = now + k->cfg.poll_ms;
		return;
	}
	k->http.err[0] = 0;
}

static void get_state(struct msd_kvmd *k, int64_t now)
{
	request(k, R_STATE, "GET", "/msd", now, k->cfg.timeout_ms);
}

static void post_image(struct msd_kvmd *k, enum req r, const char *path, const char *image,
		       const char *more, int64_t now)
{
	char esc[3 * KVMD_MSD_NAME_MAX + 1], target[3 * KVMD_MSD_NAME_MAX + 128];
	if (!kvmd_query_escape(image, esc, sizeof(esc))) {
		fail(k, now, "image name too long");
		return;
	}
	snprintf(target, sizeof(target), "%s?image=%s%s", path, esc, more);
	request(k, r, "POST", target, now, k->cfg.timeout_ms);
}

static void write_remote(struct msd_kvmd *k, int64_t now)
{
	char esc[3 * MSD_URL_MAX + 1], name[3 * MSD_NAME_MAX + 1], pre[3 * sizeof(k->prefix)];
	char target[KVMD_HTTP_REQ_MAX - 512];
	if (!kvmd_query_escape(k->url, esc, sizeof(esc)) ||
	    !kvmd_query_escape(k->st.image, name, sizeof(name)) ||
	    !kvmd_query_escape(k->prefix, pre, sizeof(pre))) {
		fail(k, now, "image URL too long");
		return;
	}
	int n = snprintf(target, sizeof(target),
			 "/msd/write_remote?url=%s&image=%s&prefix=%s&timeout=%u&remove_incomplete=1%s",
			 esc, name, pre, k->cfg.remote_timeout_s, k->cfg.insecure ? "&insecure=1" : "");
	if (n < 0 || (size_t)n >= sizeof(target)) {
		fail(k, now, "image URL too long");
		return;
	}
	KLOG(k, 6, "msd: kvmd downloads %s as %s", k->st.url, k->kname);
	request(k, R_WRITE, "POST", target, now,
		(int64_t)k->cfg.remote_timeout_s * 1000 + k->cfg.stall_ms);
}

static bool on_line(void *ctx, const char *line, size_t len, bool truncated)
{
	struct msd_kvmd *k = ctx;
	struct kvmd_msd_progress p;
	char err[sizeof(k->line_err)];
	switch (kvmd_msd_line(line, len, truncated, &p, err, sizeof(err))) {
	case KVMD_LINE_PROGRESS:
		k->progress = true;
		if (strcmp(p.name, k->kname)) {
			snprintf(k->kname, sizeof(k->kname), "%s", p.name);
			changed(k);
		}
		if (k->st.size != p.size)
			changed(k);
		k->st.size = p.size;
		k->st.written = p.written;
		k->http.deadline = k->now + k->cfg.stall_ms;
		return true;
	case KVMD_LINE_ERROR:
		k->line_error = true;
		memcpy(k->line_err, err, sizeof(err));
		return false; /* kvmd's final word; what follows may be garbage */
	default:
		return true; /* not a line kvmd sends: ignored, the end of the stream decides */
	}
}

static bool on_body(void *ctx, const char *p, size_t n)
{
	struct msd_kvmd *k = ctx;
	if (k->req == R_WRITE && k->http.h.status == 200)
		return ndjson_feed(&k->nd, p, n, on_line, k) == n;
	size_t cap = k->req == R_SWITCH ? sizeof(k->body) : RSP_MAX;
	if (n > cap - k->bodylen) {
		k->body_over = true;
		return false;
	}
	memcpy(k->body + k->bodylen, p, n);
	k->bodylen += n;
	return true;
}

/* --- decisions ---------------------------------------------------------------------------- */

/* The drive holds media that is not bmcd's while another port of the switch is active: some
 * other host's (kvmd's web UI, another client, a bmcd for another port). */
static bool held_elsewhere(const struct msd_kvmd *k, const struct kvmd_msd_state *s)
{
	size_t pl = strlen(k->prefix);
	bool ours = !strncmp(s->drive_image, k->prefix, pl) && s->drive_image[pl] == '/';
	return k->sw_port >= 0 && s->connected && !ours && k->active >= 0 &&
	       k->active != k->sw_port;
}

static void held_why(const struct msd_kvmd *k, char *out, size_t n)
{
	char name[64];
	kvmd_redact(k->ks.drive_image, strlen(k->ks.drive_image), name, sizeof(name));
	snprintf(out, n, "kvmd's drive is connected to %s for switch port %d, the active port; "
		 "eject it there first", name[0] ? name : "an image", k->active);
}

/* Makes our switch port the active one, then waits for GET /switch to show it. */
static void activate(struct msd_kvmd *k, int64_t now)
{
	if (!k->sw_asked) {
		char target[48];
		snprintf(target, sizeof(target), "/switch/set_active?port=%d", k->sw_port);
		KLOG(k, 6, "msd: switch port %d made active for the virtual media (%d was)", k->sw_port,
		     k->active);
		k->sw_asked = true;
		k->sw_asked_at = now;
		request(k, R_ACTIVE, "POST", target, now, k->cfg.timeout_ms);
		return;
	}
	if (now - k->sw_asked_at > SW_ACTIVE_MS) {
		fail(k, now, "the PiKVM Switch did not make port %d active within %d s (port %d is)",
		     k->sw_port, SW_ACTIVE_MS / 1000, k->active);
		return;
	}
	k->steps--; /* waiting for kvmd's queue is not a step */
	k->next_at = now + RETRY_MS / 2;
}

static void decide(struct msd_kvmd *k, int64_t now)
{
	const struct kvmd_msd_state *s = &k->ks;
	if (!s->enabled || !s->online) {
		fail(k, now, "kvmd's mass storage drive is %s", s->enabled ? "offline" : "disabled");
		return;
	}
	if (s->busy) {
		if (!k->busy_since)
			k->busy_since = now;
		if (now - k->busy_since > k->cfg.busy_ms) {
			fail(k, now, "kvmd's mass storage drive stays busy (an upload in kvmd's web UI?)");
			return;
		}
		k->next_at = now + RETRY_MS;
		return;
	}
	k->busy_since = 0;
	if (++k->steps > MAX_STEPS) {
		fail(k, now, "gave up after %d steps (is someone else using kvmd's drive?)", MAX_STEPS);
		return;
	}
	bool ours_in_drive = s->connected && !strcmp(s->drive_image, k->kname);
	if (k->goal == G_EJECT) {
		if (s->connected && !held_elsewhere(k, s)) /* another host's media stays */
			request(k, R_DISCONNECT, "POST", "/msd/set_connected?connected=0", now,
				k->cfg.timeout_ms);
		else if (s->ours[0])
			post_image(k, R_REMOVE, "/msd/remove", s->ours, "", now);
		else
			finish(k, MSD_EMPTY, now);
		return;
	}
	if (k->sw_port >= 0 && !k->sw_ok) {
		fail(k, now, "%s", k->sw_err);
		return;
	}
	if (!k->downloaded) {
		if (held_elsewhere(k, s)) {
			char why[160];
			held_why(k, why, sizeof(why));
			fail(k, now, "%s", why);
			return;
		}
		if (s->connected)
			request(k, R_DISCONNECT, "POST", "/msd/set_connected?connected=0", now,
				k->cfg.timeout_ms);
		else if (s->ours[0])
			post_image(k, R_REMOVE, "/msd/remove", s->ours, "", now);
		else
			write_remote(k, now);
		return;
	}
	if (!s->target_found) {
		/* kvmd lists a new image after its inotify watcher saw it */
		k->next_at = now + RETRY_MS / 2;
		return;
	}
	if (!k->params_set) {
		if (s->connected) {
			request(k, R_DISCONNECT, "POST", "/msd/set_connected?connected=0", now,
				k->cfg.timeout_ms);
		} else {
			char more[32];
			snprintf(more, sizeof(more), "&cdrom=%d&rw=%d", k->want_cdrom,
				 k->want_rw && !k->want_cdrom);
			post_image(k, R_PARAMS, "/msd/set_params", k->kname, more, now);
		}
		return;
	}
	if (k->sw_port >= 0 && k->active != k->sw_port)
		activate(k, now); /* the drive reaches the active port only */
	else if (!s->connected)
		request(k, R_CONNECT, "POST", "/msd/set_connected?connected=1", now, k->cfg.timeout_ms);
	else if (ours_in_drive) {
		k->st.cdrom = s->cdrom;
		k->st.rw = s->rw;
		finish(k, MSD_INSERTED, now);
	}
	else
		fail(k, now, "another image (%s) was connected meanwhile", s->drive_image);
}

static void followed(struct msd_kvmd *k, int64_t now);

/* GET /msd answered: follow kvmd while idle, or take the next step (on a switch: after
 * GET /switch). */
static void got_state(struct msd_kvmd *k, int code, int64_t now)
{
	struct kvmd_msd_state ns;
	int r = -1;
	if (code == 200 && !k->body_over)
		r = kvmd_msd_state(k->body, k->bodylen, k->prefix, k->kname[0] ? k->kname : NULL,
				   k->tok, TOKENS, &ns);
	if (r < 0) {
		char err[160];
		if (k->body_over)
			snprintf(err, sizeof(err), "GET /msd: answer too long (too many images?)");
		else if (code == 200)
			snprintf(err, sizeof(err), "GET /msd: unexpected JSON");
		else
			kvmd_msd_error(code, k->body, k->bodylen, err, sizeof(err));
		if (k->goal != G_NONE) {
			fail(k, now, "kvmd: %s", err);
			return;
		}
		if (k->st.online)
			KLOG(k, 4, "msd: kvmd: %s", err);
		if (k->st.online) {
			k->st.online = false;
			changed(k);
		}
		k->next_at = now + k->cfg.poll_ms;
		return;
	}
	k->ks = ns;
	if (k->sw_port >= 0) {
		request(k, R_SWITCH, "GET", "/switch", now, k->cfg.timeout_ms);
		return;
	}
	followed(k, now);
}

/* GET /switch answered (after a GET /msd): the active port. Not understood, or no such port:
 * the drive reaches no known port (logged once per reason); an insert fails on it. */
static void got_switch(struct msd_kvmd *k, int res, int code, int64_t now)
{
	int ports = 0, active = -1, r = -1;
	char err[sizeof(k->sw_err)];
	if (res > 0 && code == 200 && !k->body_over)
		r = kvmd_switch_active(k->body, k->bodylen, k->tok, SW_TOKENS, &ports, &active);
	if (res < 0) {
		snprintf(err, sizeof(err), "kvmd: GET /switch: %s",
			 k->body_over ? "answer too long" : k->http.err);
	} else if (code != 200) {
		char e[80];
		kvmd_msd_error(code, k->body, k->bodylen, e, sizeof(e));
		snprintf(err, sizeof(err), "kvmd: GET /switch: %s%s", e,
			 code == 404 ? " (this kvmd has no Switch API)" : "");
	} else if (r < 0) {
		snprintf(err, sizeof(err), "kvmd: GET /switch: %s", k->body_over ? "answer too long" :
			 r == JSON_ETOKENS ? "too many JSON values" : "unexpected JSON");
	} else if (!ports) {
		snprintf(err, sizeof(err), "no PiKVM Switch is attached to kvmd");
	} else if (k->sw_port >= ports) {
		snprintf(err, sizeof(err), "the PiKVM Switch has %d port(s), not port %d", ports,
			 k->sw_port);
	} else {
		err[0] = 0;
	}
	bool ok = !err[0];
	if (!ok && (k->sw_ok || strcmp(err, k->sw_err)))
		KLOG(k, 4, "msd: %s; virtual media for switch port %d unavailable", err, k->sw_port);
	else if (ok && !k->sw_ok && k->sw_err[0])
		KLOG(k, 5, "msd: kvmd's Switch has port %d again", k->sw_port);
	memcpy(k->sw_err, err, sizeof(err));
	k->sw_ok = ok;
	k->active = ok ? active : -1;
	followed(k, now);
}

/* kvmd's state is known (GET /msd, and GET /switch on a switch): follow it while idle, or
 * take the next step. */
static void followed(struct msd_kvmd *k, int64_t now)
{
	const struct kvmd_msd_state ns = k->ks;
	bool online = ns.enabled && ns.online;
	/* on a switch, the host sees the drive only while its port is the active one */
	bool reach = ns.connected && (k->sw_port < 0 || (k->sw_ok && k->active == k->sw_port));
	if (online != k->st.online || reach != k->st.connected || !k->polled) {
		if (online != k->st.online || !k->polled)
			KLOG(k, 5, "msd: kvmd's mass storage drive is %s",
			     online ? "online" : ns.enabled ? "offline" : "disabled");
		k->st.online = online;
		k->st.connected = reach;
		changed(k);
	}
	k->polled = true;
	if (k->goal != G_NONE) {
		decide(k, now);
		return;
	}
	k->next_at = now + k->cfg.poll_ms;
	bool ours_in = ns.connected && !strcmp(ns.drive_image, k->kname);
	if (k->sw_port >= 0 && k->st.state == MSD_INSERTED && ours_in && reach == k->away) {
		k->away = !reach;
		if (k->away)
			KLOG(k, 4, "msd: switch port %d is not the active one (%s); the host does not "
			     "see %s until it is again (bmcd does not switch back)", k->sw_port,
			     k->sw_ok ? "another port is" : k->sw_err, k->kname);
		else
			KLOG(k, 5, "msd: switch port %d is active again; the host sees %s", k->sw_port,
			     k->kname);
	}
	size_t pl = strlen(k->prefix);
	bool ours_connected = ns.connected && !strncmp(ns.drive_image, k->prefix, pl) &&
			      ns.drive_image[pl] == '/';
	if (k->st.state == MSD_INSERTED && !(ns.connected && !strcmp(ns.drive_image, k->kname))) {
		KLOG(k, 5, "msd: %s was ejected through kvmd", k->kname);
		finish(k, MSD_EMPTY, now);
	} else if (k->st.state == MSD_EMPTY && ours_connected) {
		/* bmcd restarted while its image was connected: adopt it */
		snprintf(k->kname, sizeof(k->kname), "%s", ns.drive_image);
		snprintf(k->st.image, sizeof(k->st.image), "%s", ns.drive_image + pl + 1);
		k->st.cdrom = k->want_cdrom = ns.cdrom;
		k->st.rw = k->want_rw = ns.rw;
		KLOG(k, 6, "msd: %s is connected: taken as bmcd's media", k->kname);
		set_state(k, MSD_INSERTED);
	}
}

static void answered(struct msd_kvmd *k, int res, int64_t now)
{
	enum req r = k->req;
	int code = k->http.h.status;
	k->req = R_NONE;
	if (r == R_WRITE) {
		if (k->line_error) {
			fail(k, now, "%s", k->line_err);
			return;
		}
		if (res < 0) {
			fail(k, now, "kvmd: download: %s", k->http.err);
			return;
		}
		if (code == 200) {
			if (!k->progress || k->st.written < k->st.size || ndjson_pending(&k->nd)) {
				fail(k, now, "kvmd: download ended early (%llu of %llu bytes)",
				     (unsigned long long)k->st.written, (unsigned long long)k->st.size);
				return;
			}
			k->downloaded = true;
			KLOG(k, 6, "msd: %s downloaded (%llu bytes)", k->kname,
			     (unsigned long long)k->st.size);
			get_state(k, now);
			return;
		}
	} else if (r == R_SWITCH) {
		got_switch(k, res, code, now);
		return;
	} else if (res < 0) {
		if (r == R_STATE && k->goal == G_NONE) {
			if (k->st.online || !k->polled)
				KLOG(k, 4, "msd: kvmd: %s: %s", k->http.socket, k->http.err);
			if (k->st.online) {
				k->st.online = false;
				changed(k);
			}
			k->polled = true;
			k->next_at = now + k->cfg.poll_ms;
			return;
		}
		fail(k, now, "kvmd: %s", k->http.err);
		return;
	}
	if (r == R_STATE) {
		got_state(k, code, now);
		return;
	}
	if (code == 409) { /* busy: look again shortly */
		if (!k->busy_since)
			k->busy_since = now;
		if (now - k->busy_since > k->cfg.busy_ms) {
			fail(k, now, "kvmd's mass storage drive stays busy");
			return;
		}
		k->next_at = now + RETRY_MS;
		return;
	}
	if (code != 200) {
		char err[160];
		kvmd_msd_error(code, k->body, k->bodylen, err, sizeof(err));
		fail(k, now, "%s", err);
		return;
	}
	if (r == R_PARAMS)
		k->params_set = true;
	if (r == R_DISCONNECT)
		k->params_set = false;
	get_state(k, now);
}

/* --- ops ------------------------------------------------------------------------------------ */

static int k_fds(struct msd *m, struct pollfd *out, int max)
{
	return kvmd_http_fds(&kv(m)->http, out, max);
}

static int64_t k_deadline(struct msd *m)
{
	struct msd_kvmd *k = kv(m);
	return kvmd_http_busy(&k->http) ? k->http.deadline : k->next_at;
}

static void k_service(struct msd *m, int64_t now, short revents)
{
	struct msd_kvmd *k = kv(m);
	(void)revents;
	k->now = now;
	if (kvmd_http_busy(&k->http)) {
		int res = kvmd_http_pump(&k->http, now);
		if (res)
			answered(k, res, now);
	}
	if (!kvmd_http_busy(&k->http) && k->req == R_NONE && now >= k->next_at) {
		k->next_at = now + k->cfg.poll_ms;
		get_state(k, now);
		if (kvmd_http_busy(&k->http)) {
			int res = kvmd_http_pump(&k->http, now);
			if (res)
				answered(k, res, now);
		}
	}
}

/* again: the image is downloaded and selected already (only the switch port is to be made
 * active again) */
static void begin(struct msd_kvmd *k, enum goal g, bool again, int64_t now)
{
	kvmd_http_close(&k->http); /* an insert in progress is cancelled (kvmd drops the file) */
	k->req = R_NONE;
	k->goal = g;
	k->downloaded = k->params_set = again;
	k->sw_asked = false;
	k->steps = 0;
	k->busy_since = 0;
	k->st.error[0] = 0;
	k->st.inserting = g == G_INSERT;
	k->next_at = now;
	set_state(k, MSD_BUSY);
	k_service(&k->base, now, 0);
}

static int k_insert(struct msd *m, const char *url, bool cdrom, bool rw, int64_t now, char *err,
		    size_t errlen)
{
	struct msd_kvmd *k = kv(m);
	const char *why;
	if (!kvmd_url_ok(url, MSD_URL_MAX, &why)) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if (k->st.state == MSD_BUSY) {
		snprintf(err, errlen, "another %s is in progress", k->st.inserting ? "insert" : "eject");
		return -1;
	}
	if (k->polled && !k->st.online) {
		snprintf(err, errlen, "kvmd's mass storage drive is not available");
		return -1;
	}
	if (held_elsewhere(k, &k->ks)) {
		held_why(k, err, errlen);
		return MSD_IN_USE;
	}
	if (k->st.state == MSD_INSERTED && !strcmp(url, k->url) && cdrom == k->want_cdrom &&
	    rw == k->want_rw) {
		if (k->sw_port < 0 || k->st.connected)
			return 1;
		/* in the drive, but another switch port is active: make ours active again */
		KLOG(k, 6, "msd: insert %s again: switch port %d", k->st.url, k->sw_port);
		begin(k, G_INSERT, true, now);
		return 0;
	}
	snprintf(k->url, sizeof(k->url), "%s", url);
	kvmd_redact(url, strlen(url), k->st.url, sizeof(k->st.url));
	kvmd_image_name(url, k->st.image, sizeof(k->st.image));
	snprintf(k->kname, sizeof(k->kname), "%s/%s", k->prefix, k->st.image);
	k->st.cdrom = k->want_cdrom = cdrom;
	k->want_rw = rw;
	k->st.rw = rw && !cdrom;
	k->st.size = k->st.written = 0;
	KLOG(k, 6, "msd: insert %s (%s)", k->st.url, cdrom ? "CD-ROM" : "flash");
	begin(k, G_INSERT, false, now);
	return 0;
}

static int k_eject(struct msd *m, int64_t now, char *err, size_t errlen)
{
	struct msd_kvmd *k = kv(m);
	if (k->st.state == MSD_BUSY && !k->st.inserting)
		return 0;
	if (k->st.state == MSD_EMPTY && !k->st.connected && !k->ks.ours[0])
		return 0;
	if (k->polled && !k->st.online) {
		snprintf(err, errlen, "kvmd's mass storage drive is not available");
		return -1;
	}
	KLOG(k, 6, "msd: eject%s", k->st.state == MSD_BUSY ? " (insert cancelled)" : "");
	begin(k, G_EJECT, false, now);
	return 0;
}

static void k_status(struct msd *m, struct msd_status *out)
{
	*out = kv(m)->st;
}

static void k_destroy(struct msd *m)
{
	kvmd_http_close(&kv(m)->http);
	free(m);
}

static const struct msd_ops kvmd_ops = {
	"kvmd", k_fds, k_deadline, k_service, k_insert, k_eject, k_status, k_destroy,
};

struct msd *msd_kvmd_new(const struct msd_kvmd_cfg *cfg, int64_t now)
{
	struct msd_kvmd *k = calloc(1, sizeof(*k));
	if (!k) {
		fprintf(stderr, "msd: out of memory\n");
		return NULL;
	}
	char sw_prefix[24];
	snprintf(sw_prefix, sizeof(sw_prefix), "bmcd-port%u", cfg->switch_port);
	const char *prefix = cfg->prefix && cfg->prefix[0] ? cfg->prefix :
			     cfg->on_switch ? sw_prefix : "bmcd";
	if (cfg->on_switch && cfg->switch_port >= 20) {
		fprintf(stderr, "msd: switch port %u: a PiKVM Switch chain has ports 0..19\n",
			cfg->switch_port);
		free(k);
		return NULL;
	}
	if (!kvmd_http_init(&k->http, cfg->socket, cfg->user, cfg->passwd) ||
	    strlen(prefix) >= sizeof(k->prefix) || strchr(prefix, '/') || prefix[0] == '.') {
		fprintf(stderr, "msd: bad kvmd socket path or image prefix\n");
		free(k);
		return NULL;
	}
	k->base.ops = &kvmd_ops;
	k->cfg = *cfg;
	snprintf(k->prefix, sizeof(k->prefix), "%s", prefix);
	k->cfg.socket = k->http.socket;
	k->cfg.prefix = k->prefix;
	k->cfg.user = k->cfg.passwd = NULL;
	if (!k->cfg.timeout_ms)
		k->cfg.timeout_ms = 5000;
	if (!k->cfg.poll_ms)
		k->cfg.poll_ms = 5000;
	if (!k->cfg.remote_timeout_s)
		k->cfg.remote_timeout_s = 10;
	if (!k->cfg.stall_ms)
		k->cfg.stall_ms = 60000;
	if (!k->cfg.busy_ms)
		k->cfg.busy_ms = 30000;
	k->sw_port = cfg->on_switch ? (int)cfg->switch_port : -1;
	k->active = -1;
	k->next_at = now;
	return &k->base;
}
