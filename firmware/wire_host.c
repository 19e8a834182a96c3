/*
 * Wiring of the host model: its ATX backend (sim, gpiod or kvmd), the backend's descriptors
 * in the loop, the model's timer, and the event log it owns.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include "bmc.h"
#include "log.h"

/* The simulated host boots from the simulated virtual media's CD when the boot override
 * of this power-on or reset said CD, else from its disk. */
static const char *sim_boot_cd(void *ctx)
{
	struct bmc_host *h = ctx;
	uint8_t t = h->host.boot_used.target;
	if (!h->msd || h->host.boot_used.enabled == BOOT_DISABLED ||
	    (t != BOOT_CD && t != BOOT_REMOTE_CD))
		return NULL;
	return msd_sim_cd(h->msd);
}

/* The host's backend, and its virtual media (wire_media.c). */
struct atx *wire_open_backend(struct bmc_host *h, int64_t now)
{
	struct bmc *b = h->b;
	const struct config *c = &b->cfg;
	const struct host_conf *hc = &h->conf;
	if (hc->backend == BACKEND_GPIOD) {
		struct atx_gpiod_cfg g = {
			hc->chip, hc->power_led, hc->hdd_led, hc->power_switch, hc->reset_switch,
			hc->power_led_inverted, hc->hdd_led_inverted, hc->power_switch_inverted,
			hc->reset_switch_inverted, c->debounce_ms,
		};
		return atx_gpiod_open(&g, now);
	}
	h->msd = wire_open_media(h, now);
	if (hc->backend == BACKEND_SIM) {
		struct atx_sim_cfg s = { c->sim_force_off_ms, c->sim_shutdown_ms, c->sim_boot_ms,
					 hc->sim_power_on, hc->sim_console, sim_boot_cd, h };
		return atx_sim_new(&s, now);
	}
	struct atx_kvmd_cfg k = {
		.socket = c->kvmd_socket, .user = c->kvmd_user, .passwd = c->kvmd_passwd,
		.poll_ms = c->kvmd_poll_ms, .timeout_ms = c->kvmd_timeout_ms,
		.long_ms = (c->short_press_ms + c->long_press_ms) / 2, .log = log_cb,
	};
	if (hc->kvmd_switch_port >= 0)
		return atx_kvmd_switch_new(&k, (unsigned)hc->kvmd_switch_port, now);
	return atx_kvmd_new(&k, now);
}

/* --- the backend's descriptors and the model's timer -------------------------------------- */

static int64_t host_deadline_cb(void *ctx) { return host_deadline(&((struct bmc_host *)ctx)->host); }
static void host_tick_cb(void *ctx, int64_t now) { host_service(&((struct bmc_host *)ctx)->host, now); }

static void atx_readable(void *ctx, int fd, short revents, int64_t now)
{
	struct bmc_host *h = ctx;
	(void)fd;
	h->atx->ops->service(h->atx, now, revents);
	host_service(&h->host, now);
}

/* Before each poll: the backend's descriptors may have changed (kvmd reconnects). */
static void atx_prepare(void *ctx, int64_t now)
{
	struct bmc_host *h = ctx;
	struct loop *l = &h->b->loop;
	struct pollfd want[4];
	(void)now;
	int n = h->atx->ops->fds(h->atx, want, 4);
	for (int i = 0; i < 4; i++) {
		int fd = i < n ? want[i].fd : -1;
		if (h->atx_fd[i] != fd && h->atx_handle[i] >= 0) {
			loop_del(l, h->atx_handle[i]);
			h->atx_handle[i] = -1;
		}
		if (fd >= 0 && h->atx_handle[i] < 0)
			h->atx_handle[i] = loop_add(l, fd, want[i].events, atx_readable, h);
		else if (fd >= 0)
			loop_set_events(l, h->atx_handle[i], want[i].events);
		h->atx_fd[i] = fd;
	}
}

/* The host's model holds power-ons for its virtual media and tells Redfish of its changes. */
int wire_host(struct bmc_host *h, int64_t now)
{
	struct bmc *b = h->b;
	struct sel_entry *sel = calloc(h->conf.sel_entries, sizeof(*sel));
	if (!sel) {
		log_err("out of memory");
		return -1;
	}
	struct host_cfg hc = {
		.short_press_ms = b->cfg.short_press_ms,
		.long_press_ms = b->cfg.long_press_ms,
		.busy_ms = b->cfg.busy_ms,
		.power_cycle_off_ms = b->cfg.power_cycle_off_ms,
		.graceful_timeout_ms = b->cfg.graceful_timeout_ms,
		.policy = (uint8_t)h->conf.policy,
		.sel_entries = (uint16_t)h->conf.sel_entries,
		.hold = wire_media_inserting,
		.hold_ctx = h,
		.hold_ms = b->cfg.media_boot_wait_s * 1000,
		.notify = wire_redfish_host_changed,
		.notify_ctx = h,
	};
	if (b->nhosts > 1) /* log lines say which host */
		snprintf(hc.label, sizeof(hc.label), "host %s", h->conf.id);
	host_init(&h->host, &hc, h->atx, sel, now);
	return 0;
}

/* After the privilege drop: the backend's descriptors and the model's timer join the loop. */
void wire_host_start(struct bmc_host *h)
{
	for (int i = 0; i < 4; i++)
		h->atx_handle[i] = -1;
	loop_add_prepare(&h->b->loop, atx_prepare, h);
	loop_add_timer(&h->b->loop, host_deadline_cb, host_tick_cb, h);
}
