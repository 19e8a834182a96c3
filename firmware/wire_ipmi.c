/*
 * Wiring of IPMI over LAN: the UDP socket (answers to one received batch leave in one
 * system call), the engine's configuration and timer, and what it reports about the BMC
 * (FRU image, SDR repository, LAN facts, the SoC temperature).
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmc.h"
#include "guid.h"
#include "log.h"

/* --- IPMI over UDP ----------------------------------------------------------------------- */

/* The batch queue is the daemon's (one batch is answered at a time); h is its owner. */
static void tx_flush(struct bmc_host *h)
{
	struct bmc *b = h->b;
	int n = b->txq.n;
	if (n && udp_send_batch(h->udp_fd, b->txq.out, n) < n)
		h->ipmi.st.dropped++; /* a full socket buffer: UDP may drop, the client retries */
	b->txq.n = 0;
}

static void udp_send_cb(void *ctx, const struct peer *to, const uint8_t *buf, size_t len)
{
	struct bmc_host *h = ctx;
	struct bmc *b = h->b;
	if (b->txq.on == h && len <= IPMI_PKT_MAX) {
		if (b->txq.n == UDP_BATCH)
			tx_flush(h);
		int i = b->txq.n++;
		memcpy(b->txq.buf[i], buf, len);
		b->txq.to[i] = *to;
		b->txq.out[i] = (struct udp_out){ b->txq.buf[i], len, &b->txq.to[i] };
		return;
	}
	if (udp_send(h->udp_fd, to, buf, len) < 0)
		h->ipmi.st.dropped++; /* a full socket buffer: UDP may drop, the client retries */
}

static void udp_readable(void *ctx, int fd, short revents, int64_t now)
{
	struct bmc_host *h = ctx;
	struct bmc *b = h->b;
	static uint8_t bufs[UDP_BATCH][IPMI_PKT_MAX];
	struct udp_pkt pkts[UDP_BATCH];
	(void)revents;
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < UDP_BATCH; i++) {
			pkts[i].buf = bufs[i];
			pkts[i].cap = sizeof(bufs[i]);
		}
		int n = udp_recv(fd, pkts, UDP_BATCH);
		b->txq.on = h; /* the answers to this batch leave in one system call */
		for (int i = 0; i < n; i++) {
			if (pkts[i].len > pkts[i].cap) {
				h->ipmi.st.dropped++; /* larger than any IPMI packet */
				continue;
			}
			ipmi_input(&h->ipmi, pkts[i].buf, pkts[i].len, &pkts[i].peer, now);
		}
		tx_flush(h);
		b->txq.on = NULL;
		if (n < UDP_BATCH)
			return;
	}
}

static bool user_allowed_cb(void *ctx, const char *name, size_t len)
{
	return config_host_user_allowed(&((struct bmc_host *)ctx)->conf, name, len);
}

static int64_t ipmi_deadline_cb(void *ctx) { return ipmi_deadline(&((struct bmc_host *)ctx)->ipmi); }
static void ipmi_tick_cb(void *ctx, int64_t now) { ipmi_tick(&((struct bmc_host *)ctx)->ipmi, now); }

/* FRU image, temperature source and SDR repository: built once, read-only afterwards, and
 * handed to the engine in its configuration. */
static void setup_inventory(struct bmc_host *h, struct ipmi_cfg *ic)
{
	const struct config *c = &h->b->cfg;
	struct fru_info fi = {
		(uint8_t)c->chassis_type, c->chassis_part, c->chassis_serial, c->board_mfr,
		c->board_product, c->board_serial, c->board_part, c->product_mfr,
		h->conf.product_name, c->product_part, c->product_version, h->conf.product_serial,
		c->asset_tag,
	};
	h->fru_len = fru_build(&fi, h->fru, sizeof(h->fru));
	snprintf(h->facts.temp_path, sizeof(h->facts.temp_path), "%s", c->temp_file);
	bool temp = facts_temp_probe(&h->facts);
	if (!temp && c->temp_file[0] && h->idx == 0)
		log_info("sensors: no BMC temperature (%s unreadable): sensor left out", c->temp_file);
	if (!temp)
		h->facts.temp_path[0] = '\0';
	struct sdr_config sc = {
		.have_power = true, .have_hdd = true, .have_temp = temp,
		.temp_unc = (int8_t)c->temp_unc, .temp_uc = (int8_t)c->temp_uc,
		.temp_unr = (int8_t)c->temp_unr, .bmc_name = c->name, .dev_caps = 0x8F,
	};
	sdr_build(&h->sdr, &sc, host_time(&h->host));
	ic->sdr = &h->sdr;
	ic->fru = h->fru;
	ic->fru_len = h->fru_len;
	ic->lan_info = facts_lan;
	ic->bmc_temp = facts_temp;
	ic->info_ctx = &h->facts;
	ic->temp_thresholds[0] = (int8_t)c->temp_unc;
	ic->temp_thresholds[1] = (int8_t)c->temp_uc;
	ic->temp_thresholds[2] = (int8_t)c->temp_unr;
}

int wire_ipmi(struct bmc_host *h, const uint8_t master[SEED_LEN], int64_t now)
{
	struct bmc *b = h->b;
	uint8_t seed[SEED_LEN];
	struct ipmi_session *sess = calloc(b->cfg.max_sessions, sizeof(*sess));
	if (!sess) {
		log_err("out of memory");
		return -1;
	}
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
		.shared_throttle = &b->ipmi_thr,
		.user_allowed = h->conf.users[0] ? user_allowed_cb : NULL,
		.user_ctx = h,
		.send = udp_send_cb,
		.send_ctx = h,
		.log = log_host_cb, /* with several hosts, the lines name theirs */
		.log_ctx = b->nhosts > 1 ? h->host.cfg.label : NULL,
	};
	memcpy(ic.suites, b->cfg.suites, sizeof(ic.suites));
	if (h->idx == 0) /* the first host's engine sets up the table all of them share */
		throttle_init(&b->ipmi_thr, &ic.throttle, b->ipmi_thr_tab, IPMI_FAIL_SOURCES);
	/* the default host has the BMC's GUID; each further host one derived from it and its id,
	 * and its own generator seed */
	uint8_t uuid[16];
	char label[16];
	if (h->idx == 0) {
		memcpy(uuid, b->uuid, sizeof(uuid));
		snprintf(label, sizeof(label), "ipmi");
	} else {
		guid_for_host(b->uuid, h->conf.id, uuid);
		snprintf(label, sizeof(label), "ipmi.%d", h->idx);
	}
	guid_to_ipmi(uuid, ic.guid);
	setup_inventory(h, &ic);
	seed_derive(master, label, seed);
	ipmi_init(&h->ipmi, &ic, sess, &b->users, &h->host, seed, sizeof(seed));
	memset(seed, 0, sizeof(seed));
	(void)now;
	return 0;
}

/* After the privilege drop: the socket and the engine's timer join the loop. */
void wire_ipmi_start(struct bmc_host *h)
{
	if (h->udp_fd >= 0)
		loop_add(&h->b->loop, h->udp_fd, POLLIN, udp_readable, h);
	loop_add_timer(&h->b->loop, ipmi_deadline_cb, ipmi_tick_cb, h);
}
