/*
 * bmcd: start-up, wiring, and the loop. All state lives in one struct bmc.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../hal/atx.h"
#include "../hal/uart.h"
#include "../net/httpd.h"
#include "../net/tls.h"
#include "../net/udp.h"
#include "../proto/bmclog.h"
#include "../proto/fru.h"
#include "../proto/ipmi.h"
#include "../proto/redfish.h"
#include "../proto/ring.h"
#include "../proto/sdr.h"
#include "../proto/sol.h"
#include "config.h"
#include "facts.h"
#include "guid.h"
#include "host_model.h"
#include "log.h"
#include "loop.h"
#include "pikvm.h"
#include "privdrop.h"
#include "users_file.h"

#ifndef BMCD_VERSION
#define BMCD_VERSION "0.1.0"
#endif

struct bmc {
	struct config cfg;
	struct users users;
	struct loop loop;
	struct atx *atx;
	int atx_fd[4], atx_handle[4];	/* the backend's descriptors in the loop */
	struct host host;
	struct ipmi ipmi;
	struct facts facts;
	struct sdr_repo sdr;
	uint8_t fru[FRU_MAX];
	size_t fru_len;
	int udp_fd;
	int sig_fd;
	/* replies to one received batch, sent together */
	struct {
		bool on;
		int n;
		uint8_t buf[UDP_BATCH][IPMI_PKT_MAX];
		struct peer to[UDP_BATCH];
		struct udp_out out[UDP_BATCH];
	} txq;
	/* Serial-over-LAN */
	struct uart uart;
	struct ring ring;
	struct sol sol;
	int uart_handle;		/* loop handle while the port is open, else -1 */
	/* Redfish */
	struct tls_ctx *tls;
	struct httpd httpd;
	struct redfish rf;
	struct bmclog bmclog;		/* the BMC's own log (Managers/bmc/LogServices/Log) */
	bool rf_on;
	char last_power[16];		/* PowerState last announced to SSE clients */
	uint32_t last_sel_adds;
	uint8_t uuid[16];
	char uuid_str[37];
	struct stat users_st;		/* to notice edits of the users file */
	int64_t users_check_at;
	int64_t started;
};

/* --- IPMI over UDP ----------------------------------------------------------------------- */

static void tx_flush(struct bmc *b)
{
	int n = b->txq.n;
	if (n && udp_send_batch(b->udp_fd, b->txq.out, n) < n)
		b->ipmi.st.dropped++; /* a full socket buffer: UDP may drop, the client retries */
	b->txq.n = 0;
}

static void udp_send_cb(void *ctx, const struct peer *to, const uint8_t *buf, size_t len)
{
	struct bmc *b = ctx;
	if (b->txq.on && len <= IPMI_PKT_MAX) {
		if (b->txq.n == UDP_BATCH)
			tx_flush(b);
		int i = b->txq.n++;
		memcpy(b->txq.buf[i], buf, len);
		b->txq.to[i] = *to;
		b->txq.out[i] = (struct udp_out){ b->txq.buf[i], len, &b->txq.to[i] };
		return;
	}
	if (udp_send(b->udp_fd, to, buf, len) < 0)
		b->ipmi.st.dropped++; /* a full socket buffer: UDP may drop, the client retries */
}

static void udp_readable(void *ctx, int fd, short revents, int64_t now)
{
	struct bmc *b = ctx;
	static uint8_t bufs[UDP_BATCH][IPMI_PKT_MAX];
	struct udp_pkt pkts[UDP_BATCH];
	(void)revents;
	host_service(&b->host, now);
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < UDP_BATCH; i++) {
			pkts[i].buf = bufs[i];
			pkts[i].cap = sizeof(bufs[i]);
		}
		int n = udp_recv(fd, pkts, UDP_BATCH);
		b->txq.on = true; /* the answers to this batch leave in one system call */
		for (int i = 0; i < n; i++) {
			if (pkts[i].len > pkts[i].cap) {
				b->ipmi.st.dropped++; /* larger than any IPMI packet */
				continue;
			}
			ipmi_input(&b->ipmi, pkts[i].buf, pkts[i].len, &pkts[i].peer, now);
		}
		tx_flush(b);
		b->txq.on = false;
		if (n < UDP_BATCH)
			return;
	}
}

/* --- timers ---------------------------------------------------------------------------- */

static int64_t host_deadline_cb(void *ctx) { return host_deadline(&((struct bmc *)ctx)->host); }
static void host_tick_cb(void *ctx, int64_t now) { host_service(&((struct bmc *)ctx)->host, now); }
static int64_t ipmi_deadline_cb(void *ctx) { return ipmi_deadline(&((struct bmc *)ctx)->ipmi); }
static void ipmi_tick_cb(void *ctx, int64_t now) { ipmi_tick(&((struct bmc *)ctx)->ipmi, now); }

static void atx_readable(void *ctx, int fd, short revents, int64_t now)
{
	struct bmc *b = ctx;
	(void)fd;
	b->atx->ops->service(b->atx, now, revents);
	host_service(&b->host, now);
}

/* Before each poll: the backend's descriptors may have changed (kvmd reconnects). */
static void atx_prepare(void *ctx, int64_t now)
{
	struct bmc *b = ctx;
	struct pollfd want[4];
	(void)now;
	int n = b->atx->ops->fds(b->atx, want, 4);
	for (int i = 0; i < 4; i++) {
		int fd = i < n ? want[i].fd : -1;
		if (b->atx_fd[i] != fd && b->atx_handle[i] >= 0) {
			loop_del(&b->loop, b->atx_handle[i]);
			b->atx_handle[i] = -1;
		}
		if (fd >= 0 && b->atx_handle[i] < 0)
			b->atx_handle[i] = loop_add(&b->loop, fd, want[i].events, atx_readable, b);
		else if (fd >= 0)
			loop_set_events(&b->loop, b->atx_handle[i], want[i].events);
		b->atx_fd[i] = fd;
	}
}

/* --- the host's serial port ----------------------------------------------------------------- */

static void uart_io(void *ctx, int fd, short revents, int64_t now);

static void uart_attach(struct bmc *b)
{
	if (b->uart_handle < 0 && uart_up(&b->uart))
		b->uart_handle = loop_add(&b->loop, b->uart.fd, POLLIN, uart_io, b);
}

static void uart_detach(struct bmc *b)
{
	if (b->uart_handle >= 0)
		loop_del(&b->loop, b->uart_handle);
	b->uart_handle = -1;
}

/* Reads host output into the console ring, as much as SoL's flow control allows. */
static void uart_io(void *ctx, int fd, short revents, int64_t now)
{
	struct bmc *b = ctx;
	uint8_t buf[4096];
	bool got = false;
	(void)fd;
	if (revents & POLLOUT && !uart_flush(&b->uart, now)) {
		uart_detach(b);
		return;
	}
	for (int i = 0; i < 16 && (revents & (POLLIN | POLLHUP | POLLERR)); i++) {
		size_t room = sol_room(&b->sol, now);
		if (room == 0)
			break;
		ssize_t n = uart_read(&b->uart, buf, room < sizeof(buf) ? room : sizeof(buf), now);
		if (n < 0) {
			uart_detach(b);
			return;
		}
		if (n == 0) {
			if (revents & (POLLHUP | POLLERR)) { /* hung up with nothing left to read */
				uart_gone(&b->uart, now, "hang-up");
				uart_detach(b);
				return;
			}
			break;
		}
		ring_write(&b->ring, buf, (size_t)n);
		got = true;
	}
	if (got)
		sol_host_output(&b->sol, now);
}

/* Before each poll: read only when the ring may take more; write when keystrokes wait. */
static void uart_prepare(void *ctx, int64_t now)
{
	struct bmc *b = ctx;
	if (b->uart_handle < 0)
		return;
	short ev = 0;
	if (sol_room(&b->sol, now) > 0)
		ev |= POLLIN;
	if (b->uart.txlen)
		ev |= POLLOUT;
	loop_set_events(&b->loop, b->uart_handle, ev);
}

static int64_t uart_deadline_cb(void *ctx) { return uart_deadline(&((struct bmc *)ctx)->uart); }

static void uart_tick_cb(void *ctx, int64_t now)
{
	struct bmc *b = ctx;
	if (uart_tick(&b->uart, now))
		uart_attach(b);
}

static size_t port_write(void *ctx, const uint8_t *p, size_t n)
{
	struct bmc *b = ctx;
	size_t acc = uart_write(&b->uart, p, n);
	uart_flush(&b->uart, now_ms()); /* keystrokes go out at once when the port takes them */
	return acc;
}

static void port_break(void *ctx) { uart_break(&((struct bmc *)ctx)->uart, now_ms()); }
static bool port_up(void *ctx) { return uart_up(&((struct bmc *)ctx)->uart); }

static void port_rate(void *ctx, uint8_t code)
{
	static const uint32_t rates[] = { 9600, 19200, 38400, 57600, 115200 };
	struct bmc *b = ctx;
	if (code >= 6 && code <= 10)
		uart_set_speed(&b->uart, rates[code - 6]);
	else if (code == 0)
		uart_set_speed(&b->uart, b->cfg.sol_speed);
}

static uint8_t rate_code(uint32_t speed)
{
	switch (speed) {
	case 9600: return 6;
	case 19200: return 7;
	case 38400: return 8;
	case 57600: return 9;
	case 115200: return 10;
	default: return 0;
	}
}

static int setup_sol(struct bmc *b, int64_t now)
{
	const struct config *c = &b->cfg;
	uint8_t *rb = calloc(1, c->sol_history);
	if (!rb)
		return -1;
	ring_init(&b->ring, rb, c->sol_history);
	b->uart_handle = -1;
	const char *dev = c->sol_device;
	if (!strcmp(dev, "sim")) {
		dev = atx_sim_console(b->atx);
		if (!dev) {
			log_err("sol.device = sim needs host.backend = sim and sim.console = true");
			return -1;
		}
	}
	bool configured = dev[0] != '\0';
	struct sol_port port = { port_write, port_break, port_up, port_rate, b };
	sol_init(&b->sol, &b->ipmi, &b->ring, &port, configured, (uint16_t)c->ipmi_port);
	b->sol.replay = c->sol_replay;
	b->sol.pause_ms = c->sol_pause_ms;
	b->sol.p.auth = (uint8_t)((c->sol_force_encryption ? 0xC0 : 0x40) | c->sol_privilege);
	b->sol.p.accumulate = (uint8_t)((c->sol_accumulate_ms + 4) / 5);
	b->sol.p.threshold = (uint8_t)c->sol_threshold;
	b->sol.p.retry_count = (uint8_t)c->sol_retry_count;
	b->sol.p.retry_interval = (uint8_t)((c->sol_retry_interval_ms + 9) / 10);
	b->sol.p.nv_rate = b->sol.p.v_rate = rate_code(c->sol_speed);
	if (!configured)
		return 0;
	struct uart_cfg uc = { .speed = c->sol_speed, .data_bits = (uint8_t)c->sol_data_bits,
			       .parity = (uint8_t)c->sol_parity, .stop_bits = (uint8_t)c->sol_stop_bits,
			       .rtscts = c->sol_flow == 1 };
	snprintf(uc.path, sizeof(uc.path), "%s", dev);
	uart_init(&b->uart, &uc);
	b->uart.log = log_cb;
	uart_open(&b->uart, now); /* absent now is fine: it is retried every second */
	uart_attach(b);
	loop_add_prepare(&b->loop, uart_prepare, b);
	loop_add_timer(&b->loop, uart_deadline_cb, uart_tick_cb, b);
	return 0;
}

/* --- Redfish over HTTP and HTTPS ------------------------------------------------------------- */

static bool sse_keep(void *ctx, const struct rf_conn *c)
{
	return redfish_sse_valid(&((struct bmc *)ctx)->rf, c);
}

/* A session ended or the users changed: streams opened under it end too. */
static void rf_revoke(struct bmc *b)
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
	host_service(&b->host, now);
	int fl = redfish_handle(&b->rf, rq, c, out, now);
	rf_revoke(b);
	return fl;
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

static void bmclog_sink(void *ctx, int level, const char *line)
{
	bmclog_add(ctx, level, (uint32_t)time(NULL), line);
}

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
	rf_revoke(b);
}

static const char *power_state(const struct host_status *st)
{
	return st->transition == HOST_POWERING_ON ? "PoweringOn"
	       : st->transition == HOST_POWERING_OFF ? "PoweringOff" : st->on ? "On" : "Off";
}

/* The host model changed something: tell the SSE clients, once per real change. */
static void host_changed(void *ctx, int what)
{
	struct bmc *b = ctx;
	if (!b->rf_on || b->httpd.nsse == 0)
		return;
	char frame[4096];
	struct buf out;
	if (what == HOST_NOTIFY_POWER) {
		struct host_status st;
		host_get_status(&b->host, &st);
		const char *ps = power_state(&st);
		if (!strcmp(ps, b->last_power))
			return;
		snprintf(b->last_power, sizeof(b->last_power), "%s", ps);
	} else if (what == HOST_NOTIFY_LOG) {
		if (b->host.sel.adds == b->last_sel_adds)
			return;
		b->last_sel_adds = b->host.sel.adds;
	}
	buf_init(&out, frame, sizeof(frame));
	redfish_sse_event(&b->rf, what, &out);
	if (!out.err && out.len)
		httpd_broadcast(&b->httpd, out.p, out.len, now_ms());
}

static int setup_redfish(struct bmc *b, int64_t now, const uint8_t master[SEED_LEN])
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
		.sol_enabled = b->sol.configured,
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
	uint8_t seed[SEED_LEN];
	seed_derive(master, "redfish sessions", seed);
	redfish_init(&b->rf, &rc, rs, &b->users, &b->host, seed, sizeof(seed));
	memset(seed, 0, sizeof(seed));
	b->rf.log = log_cb;
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
	b->host.notify = host_changed;
	b->host.notify_ctx = b;
	struct host_status st;
	host_get_status(&b->host, &st);
	snprintf(b->last_power, sizeof(b->last_power), "%s", power_state(&st));
	b->last_sel_adds = b->host.sel.adds;
	loop_add_timer(&b->loop, http_deadline_cb, http_tick_cb, b);
	(void)now;
	return 0;
}

/* --- signals --------------------------------------------------------------------------- */

static void reload_users(struct bmc *b)
{
	struct users fresh = { 0 };
	fresh.max = b->users.max;
	fresh.u = calloc((size_t)fresh.max, sizeof(struct user));
	if (!fresh.u) {
		log_err("reload: out of memory");
		return;
	}
	int errs = users_load(&fresh, b->cfg.users_file);
	if (errs) {
		log_err("reload: %s has %d error(s); keeping the users already loaded",
			b->cfg.users_file, errs);
	} else {
		memcpy(b->users.u, fresh.u, (size_t)fresh.n * sizeof(struct user));
		b->users.n = fresh.n;
		users_prepare(&b->users);
		b->users.generation++;
		ipmi_users_changed(&b->ipmi);
		if (b->rf_on) {
			redfish_users_changed(&b->rf);
			rf_revoke(b);
		}
		log_notice("reload: %d user(s) from %s", b->users.n, b->cfg.users_file);
	}
	memset(fresh.u, 0, (size_t)fresh.max * sizeof(struct user));
	free(fresh.u);
}

/* The users file changed on disk (PiKVM's docs: "edit /etc/kvmd/ipmipasswd"): reload it. */
static int64_t users_deadline_cb(void *ctx)
{
	struct bmc *b = ctx;
	return b->cfg.users_watch_ms ? b->users_check_at : INT64_MAX;
}

static void users_tick_cb(void *ctx, int64_t now)
{
	struct bmc *b = ctx;
	struct stat st;
	b->users_check_at = now + b->cfg.users_watch_ms;
	if (stat(b->cfg.users_file, &st) < 0)
		return;
	if (st.st_mtim.tv_sec != b->users_st.st_mtim.tv_sec ||
	    st.st_mtim.tv_nsec != b->users_st.st_mtim.tv_nsec || st.st_size != b->users_st.st_size ||
	    st.st_ino != b->users_st.st_ino) {
		b->users_st = st;
		log_info("%s changed", b->cfg.users_file);
		reload_users(b);
	}
}

static void signal_readable(void *ctx, int fd, short revents, int64_t now)
{
	struct bmc *b = ctx;
	struct signalfd_siginfo si;
	(void)revents;
	(void)now;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			reload_users(b);
		} else {
			log_notice("signal %u: stopping", si.ssi_signo);
			b->loop.stop = true;
		}
	}
}

/* --- start-up ---------------------------------------------------------------------------- */

/* FRU image, temperature source and SDR repository: built once, read-only afterwards. */
static void setup_inventory(struct bmc *b, int64_t now)
{
	const struct config *c = &b->cfg;
	struct fru_info fi = {
		(uint8_t)c->chassis_type, c->chassis_part, c->chassis_serial, c->board_mfr,
		c->board_product, c->board_serial, c->board_part, c->product_mfr, c->product_name,
		c->product_part, c->product_version, c->product_serial, c->asset_tag,
	};
	b->fru_len = fru_build(&fi, b->fru, sizeof(b->fru));
	snprintf(b->facts.temp_path, sizeof(b->facts.temp_path), "%s", c->temp_file);
	bool temp = facts_temp_probe(&b->facts);
	if (!temp && c->temp_file[0])
		log_info("sensors: no BMC temperature (%s unreadable): sensor left out", c->temp_file);
	if (!temp)
		b->facts.temp_path[0] = '\0';
	struct sdr_config sc = {
		.have_power = true, .have_hdd = true, .have_temp = temp,
		.temp_unc = (int8_t)c->temp_unc, .temp_uc = (int8_t)c->temp_uc,
		.temp_unr = (int8_t)c->temp_unr, .bmc_name = c->name, .dev_caps = 0x8F,
	};
	sdr_build(&b->sdr, &sc, host_time(&b->host));
	(void)now;
	b->ipmi.sdr = &b->sdr;
	b->ipmi.fru = b->fru;
	b->ipmi.fru_len = b->fru_len;
	b->ipmi.lan_info = facts_lan;
	b->ipmi.bmc_temp = facts_temp;
	b->ipmi.info_ctx = &b->facts;
	b->ipmi.temp_thresholds[0] = (int8_t)c->temp_unc;
	b->ipmi.temp_thresholds[1] = (int8_t)c->temp_uc;
	b->ipmi.temp_thresholds[2] = (int8_t)c->temp_unr;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bmcd [-c FILE] [--kvmd] [--check-config] [--version] [--help]\n"
		"  -c, --config FILE   configuration file (default /etc/bmcd/bmcd.conf)\n"
		"      --kvmd          PiKVM mode: take IPMI, SoL, users and the kvmd socket from\n"
		"                      kvmd's files (/usr/lib/kvmd/main.yaml, /etc/kvmd/override.d,\n"
		"                      /etc/kvmd/override.yaml, /etc/kvmd/ipmipasswd); drive power\n"
		"                      through kvmd. Without -c no bmcd.conf is read.\n"
		"      --check-config  parse the configuration and users file, print every error\n"
		"                      as file:line, and exit (1 on error)\n"
		"  -V, --version       print the version\n"
		"  -h, --help          this text\n");
}

static int load_all(struct bmc *b, const char *path, bool kvmd)
{
	int errs = 0;
	if (kvmd && !path)
		pikvm_defaults(&b->cfg);
	else
		errs += config_load(&b->cfg, path ? path : "/etc/bmcd/bmcd.conf");
	if (kvmd)
		b->cfg.pikvm = true;
	if (b->cfg.pikvm)
		errs += pikvm_apply(&b->cfg);
	b->users.max = (int)b->cfg.max_users;
	b->users.u = calloc((size_t)b->users.max, sizeof(struct user));
	if (!b->users.u)
		return errs + 1;
	errs += users_load(&b->users, b->cfg.users_file);
	if (guid_setup(&b->cfg, b->uuid) < 0)
		errs++;
	return errs;
}

/* The users file holds clear-text passwords (IPMI needs them as keys): say so when others
 * may read it. Group read is fine for the group bmcd runs as (PiKVM: kvmd-ipmi). */
static void check_users_mode(const struct config *c)
{
	struct stat st;
	if (stat(c->users_file, &st) < 0)
		return;
	unsigned mode = (unsigned)st.st_mode & 0777;
	if (st.st_mode & S_IROTH) {
		log_warn("%s is world-readable (mode %03o) and holds clear-text passwords: "
			 "chmod o-r it", c->users_file, mode);
		return;
	}
	if (!(st.st_mode & S_IRGRP))
		return;
	const struct passwd *pw = c->run_user[0] ? getpwnam(c->run_user) : NULL;
	if (!pw || pw->pw_gid != st.st_gid)
		log_warn("%s is readable by group %u (mode %03o) and holds clear-text passwords: "
			 "chmod g-r it unless that group is bmcd's own", c->users_file,
			 (unsigned)st.st_gid, mode);
}

static struct atx *open_backend(struct bmc *b, int64_t now)
{
	const struct config *c = &b->cfg;
	if (c->backend == BACKEND_GPIOD) {
		struct atx_gpiod_cfg g = {
			c->chip, c->power_led, c->hdd_led, c->power_switch, c->reset_switch,
			c->power_led_inverted, c->hdd_led_inverted, c->power_switch_inverted,
			c->reset_switch_inverted, c->debounce_ms,
		};
		return atx_gpiod_open(&g, now);
	}
	if (c->backend == BACKEND_SIM) {
		struct atx_sim_cfg s = { c->sim_force_off_ms, c->sim_shutdown_ms, c->sim_boot_ms,
					 c->sim_power_on, c->sim_console };
		return atx_sim_new(&s, now);
	}
	struct atx_kvmd_cfg k = {
		.socket = c->kvmd_socket, .user = c->kvmd_user, .passwd = c->kvmd_passwd,
		.poll_ms = c->kvmd_poll_ms, .timeout_ms = c->kvmd_timeout_ms,
		.long_ms = (c->short_press_ms + c->long_press_ms) / 2, .log = log_cb,
	};
	return atx_kvmd_new(&k, now);
}

int main(int argc, char **argv)
{
	static struct bmc bmc;
	struct bmc *b = &bmc;
	const char *path = NULL;
	bool check = false, kvmd = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if ((!strcmp(a, "-c") || !strcmp(a, "--config")) && i + 1 < argc) {
			path = argv[++i];
		} else if (!strncmp(a, "--config=", 9)) {
			path = a + 9;
		} else if (!strcmp(a, "--check-config")) {
			check = true;
		} else if (!strcmp(a, "--kvmd")) {
			kvmd = true;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("bmcd %s\n", BMCD_VERSION);
			return 0;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "bmcd: unknown argument '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}

	log_init();
	int64_t t0 = now_ms();
	b->started = t0;
	config_defaults(&b->cfg);
	int errs = load_all(b, path, kvmd);
	const char *shown = path ? path : kvmd ? "PiKVM configuration" : "/etc/bmcd/bmcd.conf";
	log_level = (int)b->cfg.log_level < 3 ? 3 : (int)b->cfg.log_level;
	if (!errs && !check && b->cfg.bmc_log_entries) {
		struct bmclog_entry *ring = calloc(b->cfg.bmc_log_entries, sizeof(*ring));
		if (ring) {
			bmclog_init(&b->bmclog, ring, (uint16_t)b->cfg.bmc_log_entries);
			log_set_sink(bmclog_sink, &b->bmclog);
		}
	}
	if (!errs)
		check_users_mode(&b->cfg);
	if (check) {
		if (errs) {
			fprintf(stderr, "%s: %d error(s)\n", shown, errs);
			return 1;
		}
		printf("%s: OK (%d user(s))\n", shown, b->users.n);
		return 0;
	}
	if (errs) {
		fprintf(stderr, "bmcd: %d configuration error(s); not starting\n", errs);
		return 1;
	}
	guid_format(b->uuid, b->uuid_str);

	signal(SIGPIPE, SIG_IGN);
	sigset_t ss;
	sigemptyset(&ss);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGHUP);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	b->sig_fd = signalfd(-1, &ss, SFD_NONBLOCK | SFD_CLOEXEC);

	if (loop_init(&b->loop, LOOP_FDS_MAX) < 0) {
		log_err("out of memory");
		return 1;
	}
	/* one master secret from the kernel; every generator gets its own seed derived from it
	 * (SECURITY.md: randomness), and the master is wiped once they are all seeded */
	uint8_t master[SEED_LEN], seed[SEED_LEN];
	if (getrandom(master, sizeof(master), 0) != (ssize_t)sizeof(master)) {
		log_err("getrandom: %s", strerror(errno));
		return 1;
	}

	/* everything that needs root: sockets, the GPIO chip */
	b->udp_fd = -1;
	if (b->cfg.ipmi_enabled) {
		char err[160];
		b->udp_fd = udp_open(b->cfg.ipmi_listen, (uint16_t)b->cfg.ipmi_port, err, sizeof(err));
		if (b->udp_fd < 0) {
			log_err("ipmi: %s", err);
			return 1;
		}
	}
	int64_t now = now_ms();
	b->atx = open_backend(b, now);
	if (!b->atx) {
		log_err("host backend could not be opened");
		return 1;
	}

	struct sel_entry *sel = calloc(b->cfg.sel_entries, sizeof(*sel));
	struct ipmi_session *sess = calloc(b->cfg.max_sessions, sizeof(*sess));
	if (!sel || !sess) {
		log_err("out of memory");
		return 1;
	}
	struct host_cfg hc = {
		.short_press_ms = b->cfg.short_press_ms,
		.long_press_ms = b->cfg.long_press_ms,
		.busy_ms = b->cfg.busy_ms,
		.power_cycle_off_ms = b->cfg.power_cycle_off_ms,
		.graceful_timeout_ms = b->cfg.graceful_timeout_ms,
		.policy = (uint8_t)b->cfg.policy,
		.sel_entries = (uint16_t)b->cfg.sel_entries,
	};
	host_init(&b->host, &hc, b->atx, sel, now);

	struct ipmi_cfg ic = {
		.max_sessions = (uint16_t)b->cfg.max_sessions,
		.session_timeout_ms = b->cfg.session_timeout * 1000,
		.handshake_timeout_ms = b->cfg.handshake_timeout_ms,
		.nsuites = b->cfg.nsuites,
		.manufacturer = b->cfg.manufacturer_id,
		.product = (uint16_t)b->cfg.product_id,
		.fw_major = 0,
		.fw_minor = 1,
		.channel = 1,
		.per_user_max = (uint16_t)(b->cfg.per_user_sessions ? b->cfg.per_user_sessions
					   : b->cfg.max_sessions >= 8 ? b->cfg.max_sessions / 4 : 2),
		.admin_reserve = (uint16_t)(b->cfg.admin_reserve < b->cfg.max_sessions
					    ? b->cfg.admin_reserve : 0),
		.per_source_max = (uint16_t)(b->cfg.per_source_sessions ? b->cfg.per_source_sessions
					     : b->cfg.max_sessions > 2 ? b->cfg.max_sessions - 2 : 1),
		.throttle = { (uint16_t)b->cfg.failed_logins, (uint16_t)(b->cfg.failed_logins * 4),
			      b->cfg.failed_login_window_s * 1000, 1000, b->cfg.lockout_max_s * 1000 },
	};
	memcpy(ic.suites, b->cfg.suites, sizeof(ic.suites));
	guid_to_ipmi(b->uuid, ic.guid);
	seed_derive(master, "ipmi", seed);
	ipmi_init(&b->ipmi, &ic, sess, &b->users, &b->host, seed, sizeof(seed));
	memset(seed, 0, sizeof(seed));
	b->ipmi.send = udp_send_cb;
	b->ipmi.send_ctx = b;
	b->ipmi.log = log_cb;
	setup_inventory(b, now);
	if (setup_sol(b, now) < 0 || setup_redfish(b, now, master) < 0)
		return 1;
	memset(master, 0, sizeof(master));
	/* every socket is bound, the GPIO chip, the tty and the key are open: drop root */
	if (b->cfg.run_user[0] && privdrop(b->cfg.run_user) < 0)
		return 1;

	if (b->sig_fd >= 0)
		loop_add(&b->loop, b->sig_fd, POLLIN, signal_readable, b);
	if (b->udp_fd >= 0)
		loop_add(&b->loop, b->udp_fd, POLLIN, udp_readable, b);
	for (int i = 0; i < 4; i++)
		b->atx_handle[i] = -1;
	loop_add_prepare(&b->loop, atx_prepare, b);
	loop_add_timer(&b->loop, host_deadline_cb, host_tick_cb, b);
	stat(b->cfg.users_file, &b->users_st);
	b->users_check_at = now + b->cfg.users_watch_ms;
	loop_add_timer(&b->loop, users_deadline_cb, users_tick_cb, b);
	loop_add_timer(&b->loop, ipmi_deadline_cb, ipmi_tick_cb, b);

	host_apply_policy(&b->host);
	log_notice("bmcd %s ready in %lld ms: IPMI on [%s]:%u, host backend %s (power %s), "
		   "SoL %s, Redfish https %u http %u, %d user(s), GUID %s", BMCD_VERSION,
		   (long long)(now_ms() - t0), b->cfg.ipmi_listen, b->cfg.ipmi_port,
		   b->atx->ops->name, b->host.on ? "on" : "off",
		   b->sol.configured ? b->uart.cfg.path : "off", b->rf_on ? b->cfg.https_port : 0,
		   b->rf_on ? b->cfg.http_port : 0, b->users.n, b->uuid_str);

	loop_run(&b->loop);

	ipmi_close_all(&b->ipmi);
	if (b->rf_on)
		httpd_close_all(&b->httpd);
	b->atx->ops->destroy(b->atx);
	log_notice("stopped");
	return 0;
}
