/*
 * Wiring of Redfish: TLS set-up, the HTTP server and its listeners, the Redfish engine's
 * configuration, Server-Sent Events on host changes, and the revocation of streams whose
 * session or credentials are gone.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bmc.h"
#include "guid.h"
#include "log.h"
#include "netif.h"

_Static_assert(RF_SYSTEMS_MAX >= 1 + HOSTS_EXTRA_MAX, "a ComputerSystem per host");

/* --- Redfish over HTTP and HTTPS ------------------------------------------------------------- */

static bool sse_keep(void *ctx, const struct rf_conn *c)
{
	return redfish_sse_valid(&((struct bmc *)ctx)->rf, c);
}

/* A session ended or the users changed: streams opened under it end too. */
void wire_redfish_revoke(struct bmc *b)
{
	if (b->rf_on && b->rf.revoked) {
		b->rf.revoked = false;
		httpd_sse_revoke(&b->httpd, sse_keep, b);
	}
}

static int rf_handle(void *ctx, const struct http_request *rq, struct rf_conn *c,
		     struct buf *out, int64_t now)
{
	struct bmc *b = ctx;
	int fl = redfish_handle(&b->rf, rq, c, out, now);
	wire_redfish_revoke(b);
	for (int i = 0; (fl & RF_MEDIA) && i < b->nhosts; i++)
		b->hosts[i].msd_dirty = true; /* wire_media.c looks at the drives before the next poll */
	return fl & ~RF_MEDIA;
}

static void rf_error(void *ctx, int status, struct buf *out)
{
	redfish_error_response(&((struct bmc *)ctx)->rf, status, out);
}

static int hp_add(void *ctx, int fd, short events, struct httpd_io *io)
{
	return loop_add(&((struct bmc *)ctx)->loop, fd, events, httpd_io, io);
}
static void hp_set(void *ctx, int h, short ev) { loop_set_events(&((struct bmc *)ctx)->loop, h, ev); }
static void hp_del(void *ctx, int h) { loop_del(&((struct bmc *)ctx)->loop, h); }

static int64_t http_deadline_cb(void *ctx)
{
	struct bmc *b = ctx;
	int64_t a = httpd_deadline(&b->httpd), r = redfish_deadline(&b->rf);
	return a < r ? a : r;
}

static void http_tick_cb(void *ctx, int64_t now)
{
	struct bmc *b = ctx;
	httpd_tick(&b->httpd, now);
	redfish_tick(&b->rf, now);
	wire_redfish_revoke(b);
}

/* The virtual-media drive changed: tasks and the event log follow; the SSE clients and
 * the event subscriptions hear of it. */
void wire_redfish_media(struct bmc_host *h, int64_t now)
{
	struct bmc *b = h->b;
	if (!b->rf_on || !redfish_media_update(&b->rf, (unsigned)h->idx, now) ||
	    (b->httpd.nsse == 0 && !redfish_subs_any(&b->rf)))
		return;
	char frame[4096];
	struct buf out;
	buf_init(&out, frame, sizeof(frame));
	redfish_sse_event(&b->rf, (unsigned)h->idx, RF_NOTIFY_MEDIA, -1, &out);
	if (!out.err && out.len)
		httpd_broadcast(&b->httpd, out.p, out.len, now);
}

/* A host's `users` allow-list (config_hosts.c), for its ComputerSystem. */
static bool user_allowed(void *ctx, const char *name)
{
	return config_host_user_allowed(ctx, name, strlen(name));
}

/* The host model's listener (wire_host.c): a new PowerState (the model reports each change
 * once, with the old and new state) or a new event-log entry goes to the SSE clients. */
void wire_redfish_host_changed(void *ctx, const struct host_change *c)
{
	struct bmc_host *h = ctx;
	struct bmc *b = h->b;
	if (!b->rf_on || (b->httpd.nsse == 0 && !redfish_subs_any(&b->rf)))
		return;
	char frame[4096];
	struct buf out;
	if (c->what == HOST_NOTIFY_LOG) {
		if (h->host.sel.adds == h->rf_sel_adds)
			return;
		h->rf_sel_adds = h->host.sel.adds;
	}
	buf_init(&out, frame, sizeof(frame));
	redfish_sse_event(&b->rf, (unsigned)h->idx, c->what, c->what == HOST_NOTIFY_POWER ? c->to : -1, &out);
	if (!out.err && out.len)
		httpd_broadcast(&b->httpd, out.p, out.len, now_ms());
}

int wire_redfish(struct bmc *b, int64_t now, const uint8_t master[SEED_LEN])
{
	const struct config *c = &b->cfg;
	if (!c->https_port && !c->http_port)
		return 0;
	if (c->https_port) {
		char err[256];
		b->tls = calloc(1, sizeof(*b->tls));
		if (!b->tls)
			return -1;
		uint8_t seed[SEED_LEN];
		seed_derive(master, "https", seed);
		int rc = tls_setup(b->tls, c->cert[0] ? c->cert : NULL, c->key[0] ? c->key : NULL,
				   c->name[0] ? c->name : "bmcd", seed, sizeof(seed), c->tls_cache, err,
				   sizeof(err));
		memset(seed, 0, sizeof(seed));
		if (rc < 0) {
			log_err("redfish: %s", err);
			return -1;
		}
		char fp[96];
		tls_fingerprint_str(b->tls, fp);
		log_notice("redfish: %s certificate, SHA-256 fingerprint %s",
			   c->cert[0] ? "configured" : "ephemeral self-signed", fp);
	}
	struct rf_session *rs = calloc(c->rf_max_sessions, sizeof(*rs));
	if (!rs)
		return -1;
	struct redfish_cfg rc = {
		.session_timeout_s = c->rf_session_timeout,
		.session_timeout_min = c->rf_session_timeout_min,
		.session_timeout_max = c->rf_session_timeout_max,
		.max_sessions = (uint16_t)c->rf_max_sessions,
		.ipmi_port = c->ipmi_enabled ? (uint16_t)c->ipmi_port : 0,
		.http_port = (uint16_t)c->http_port,
		.https_port = (uint16_t)c->https_port,
		.sol_enabled = b->hosts[0].sol.configured,
		.max_sse = (uint8_t)c->rf_max_sse,
		.http_remote = c->http_remote,
		.forwarded_for = c->forwarded_for,
		.per_user_max = (uint16_t)(c->rf_per_user_sessions ? c->rf_per_user_sessions
					   : c->rf_max_sessions >= 8 ? c->rf_max_sessions / 4 : 2),
		.admin_reserve = (uint16_t)(c->rf_admin_reserve < c->rf_max_sessions
					    ? c->rf_admin_reserve : 0),
		.throttle = { (uint16_t)c->rf_failed_logins, (uint16_t)(c->rf_failed_logins * 4),
			      c->rf_failed_login_window_s * 1000, 2000, c->rf_lockout_max_s * 1000 },
	};
	snprintf(rc.system_id, sizeof(rc.system_id), "%s", c->system_id);
	snprintf(rc.uuid, sizeof(rc.uuid), "%s", b->uuid_str);
	snprintf(rc.name, sizeof(rc.name), "%s", c->name);
	snprintf(rc.fw_version, sizeof(rc.fw_version), "%s", BMCD_VERSION);
	/* the product area first, the board area where the product says nothing */
	snprintf(rc.manufacturer, sizeof(rc.manufacturer), "%s",
		 c->product_mfr[0] ? c->product_mfr : c->board_mfr);
	snprintf(rc.model, sizeof(rc.model), "%s",
		 c->product_name[0] ? c->product_name : c->board_product);
	snprintf(rc.serial, sizeof(rc.serial), "%s",
		 c->product_serial[0] ? c->product_serial : c->board_serial);
	snprintf(rc.part, sizeof(rc.part), "%s", c->product_part[0] ? c->product_part : c->board_part);
	snprintf(rc.asset_tag, sizeof(rc.asset_tag), "%s", c->asset_tag);
	snprintf(rc.chassis_serial, sizeof(rc.chassis_serial), "%s", c->chassis_serial);
	snprintf(rc.chassis_part, sizeof(rc.chassis_part), "%s", c->chassis_part);
	if (gethostname(rc.hostname, sizeof(rc.hostname) - 1) < 0)
		rc.hostname[0] = 0;
	rc.bmclog = &b->bmclog;
	rc.netifs = netif_list;
	rc.netifs_ctx = &b->hosts[0].facts;
	if (b->hosts[0].facts.temp_path[0]) { /* the same source and thresholds as IPMI's BMC Temp */
		rc.temp = facts_temp;
		rc.temp_ctx = &b->hosts[0].facts;
	}
	rc.temp_thresholds[0] = (int8_t)c->temp_unc;
	rc.temp_thresholds[1] = (int8_t)c->temp_uc;
	rc.temp_thresholds[2] = (int8_t)c->temp_unr;
	rc.media_url_max = (uint16_t)c->media_url_max;
	rc.max_tasks = (uint8_t)c->media_tasks;
	rc.log = log_cb;
	/* every host is a ComputerSystem: the default one with the BMC's GUID, each further
	 * one with the GUID its IPMI endpoint reports */
	struct rf_system sys[RF_SYSTEMS_MAX];
	memset(sys, 0, sizeof(sys));
	rc.systems = sys;
	rc.nsystems = (uint8_t)(b->nhosts < RF_SYSTEMS_MAX ? b->nhosts : RF_SYSTEMS_MAX);
	for (int i = 0; i < rc.nsystems; i++) {
		struct bmc_host *h = &b->hosts[i];
		struct rf_system *s = &sys[i];
		snprintf(s->id, sizeof(s->id), "%s", h->conf.id);
		if (i) {
			uint8_t g[16];
			guid_for_host(b->uuid, h->conf.id, g);
			guid_format(g, s->uuid);
		} else {
			memcpy(s->uuid, b->uuid_str, sizeof(s->uuid));
		}
		s->host = &h->host;
		s->ipmi_port = c->ipmi_enabled ? (uint16_t)h->conf.ipmi_port : 0;
		s->sol_enabled = h->sol.configured;
		s->msd = h->msd;
		/* kvmd has one drive: its hosts (the main port, the Switch's ports) share it */
		s->shared_drive = h->msd && h->conf.backend == BACKEND_KVMD;
		if (h->conf.users[0]) {
			s->allowed = user_allowed;
			s->allowed_ctx = &h->conf;
		}
		snprintf(s->model, sizeof(s->model), "%s", i ? h->conf.product_name : rc.model);
		snprintf(s->serial, sizeof(s->serial), "%s", i ? h->conf.product_serial : rc.serial);
		h->rf_sel_adds = h->host.sel.adds;
	}
	if (wire_events(b, &rc) < 0)
		return -1;
	uint8_t seed[SEED_LEN];
	seed_derive(master, "redfish sessions", seed);
	redfish_init(&b->rf, &rc, rs, &b->users, &b->hosts[0].host, seed, sizeof(seed));
	memset(seed, 0, sizeof(seed));
	struct httpd_cfg hc = {
		.max_conns = (uint16_t)c->rf_max_conns,
		.max_sse = (uint16_t)c->rf_max_sse,
		.header_timeout_ms = c->rf_header_timeout_ms,
		.idle_timeout_ms = c->rf_idle_timeout_ms,
	};
	struct httpd_poll hp = { hp_add, hp_set, hp_del, b };
	if (httpd_init(&b->httpd, &hc, c->https_port ? b->tls : NULL, rf_handle, rf_error, b, &hp) < 0)
		return -1;
	char err[160];
	if (c->https_port &&
	    httpd_listen(&b->httpd, c->rf_listen, (uint16_t)c->https_port, true, err, sizeof(err)) < 0) {
		log_err("redfish: https: %s", err);
		return -1;
	}
	if (c->http_port &&
	    httpd_listen(&b->httpd, c->rf_listen, (uint16_t)c->http_port, false, err, sizeof(err)) < 0) {
		log_err("redfish: http: %s", err);
		return -1;
	}
	b->rf_on = true;
	loop_add_timer(&b->loop, http_deadline_cb, http_tick_cb, b);
	(void)now;
	return 0;
}
