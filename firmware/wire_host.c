/*
 * Wiring of the host model: its ATX backend (sim, gpiod or kvmd), the backend's descriptors
 * in the loop, the model's timer, and the event log it owns.
 */
#include <poll.h>
#include <stdlib.h>

#include "bmc.h"
#include "log.h"

/* The simulated host boots from the simulated virtual media's CD when the boot override
 * of this power-on or reset said CD, else from its disk. */
static const char *sim_boot_cd(void *ctx)
{
	struct bmc *b = ctx;
	uint8_t t = b->host.boot_used.target;
	if (!b->msd || b->host.boot_used.enabled == BOOT_DISABLED ||
	    (t != BOOT_CD && t != BOOT_REMOTE_CD))
		return NULL;
	return msd_sim_cd(b->msd);
}

struct atx *wire_open_backend(struct bmc *b, int64_t now)
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
		b->msd = wire_open_media(b, now);
		struct atx_sim_cfg s = { c->sim_force_off_ms, c->sim_shutdown_ms, c->sim_boot_ms,
					 c->sim_power_on, c->sim_console, sim_boot_cd, b };
		return atx_sim_new(&s, now);
	}
	b->msd = wire_open_media(b, now);
	struct atx_kvmd_cfg k = {
		.socket = c->kvmd_socket, .user = c->kvmd_user, .passwd = c->kvmd_passwd,
		.poll_ms = c->kvmd_poll_ms, .timeout_ms = c->kvmd_timeout_ms,
		.long_ms = (c->short_press_ms + c->long_press_ms) / 2, .log = log_cb,
	};
	if (c->kvmd_switch_port >= 0)
		return atx_kvmd_switch_new(&k, (unsigned)c->kvmd_switch_port, now);
	return atx_kvmd_new(&k, now);
}

/* --- the backend's descriptors and the model's timer -------------------------------------- */

static int64_t host_deadline_cb(void *ctx) { return host_deadline(&((struct bmc *)ctx)->host); }
static void host_tick_cb(void *ctx, int64_t now) { host_service(&((struct bmc *)ctx)->host, now); }

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

int wire_host(struct bmc *b, int64_t now)
{
	struct sel_entry *sel = calloc(b->cfg.sel_entries, sizeof(*sel));
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
		.policy = (uint8_t)b->cfg.policy,
		.sel_entries = (uint16_t)b->cfg.sel_entries,
		.hold = wire_media_inserting,
		.hold_ctx = b,
		.hold_ms = b->cfg.media_boot_wait_s * 1000,
		.notify = wire_redfish_host_changed,
		.notify_ctx = b,
	};
	host_init(&b->host, &hc, b->atx, sel, now);
	return 0;
}

/* After the privilege drop: the backend's descriptors and the model's timer join the loop. */
void wire_host_start(struct bmc *b)
{
	for (int i = 0; i < 4; i++)
		b->atx_handle[i] = -1;
	loop_add_prepare(&b->loop, atx_prepare, b);
	loop_add_timer(&b->loop, host_deadline_cb, host_tick_cb, b);
}
