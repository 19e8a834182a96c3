/*
 * Wiring of the virtual media (hal/msd.h), one drive per host: the `sim` backend with a
 * simulated host, kvmd's drive with the `kvmd` backend (same socket and credentials) and
 * with `kvmd-switch` (its Switch port: kvmd's one drive reaches the active port only, so
 * the hosts of one Switch share it and a second host's insert is refused while another
 * host's media is connected), none with gpiod. Each drive's descriptor joins the loop
 * before each poll; its deadline is a loop timer.
 */
#include <poll.h>

#include "bmc.h"
#include "log.h"

struct msd *wire_open_media(struct bmc_host *h, int64_t now)
{
	const struct config *c = &h->b->cfg;
	const struct host_conf *hc = &h->conf;
	struct msd *m = NULL;
	h->msd_fd = -1;
	h->msd_handle = -1;
	if (hc->backend == BACKEND_SIM) {
		struct msd_sim_cfg s = { .log = log_cb };
		m = msd_sim_new(&s, now);
	} else if (hc->backend == BACKEND_KVMD) {
		struct msd_kvmd_cfg k = {
			.socket = c->kvmd_socket, .user = c->kvmd_user, .passwd = c->kvmd_passwd,
			.timeout_ms = c->kvmd_timeout_ms, .log = log_cb,
			/* a switch port: follow the active port as often as the ATX polls */
			.on_switch = hc->kvmd_switch_port >= 0,
			.switch_port = (unsigned)hc->kvmd_switch_port,
			.poll_ms = hc->kvmd_switch_port >= 0 ? c->kvmd_poll_ms : 0,
		};
		m = msd_kvmd_new(&k, now);
	}
	if (!m && hc->backend != BACKEND_GPIOD)
		log_warn("virtual media of host %s unavailable", hc->id);
	return m;
}

bool wire_media_inserting(void *ctx)
{
	struct bmc_host *h = ctx;
	if (!h->msd)
		return false;
	struct msd_status st;
	h->msd->ops->status(h->msd, &st);
	/* an action already waiting also waits for Redfish to record the drive's change (the
	 * host model catches up when the record goes into its log: the log says "inserted"
	 * before the host boots) */
	return (st.state == MSD_BUSY && st.inserting) || (st.seq != h->msd_seq && h->host.hold_until);
}

/* After the drive may have changed (its backend ran, or a Redfish request acted on it): a
 * change goes to Redfish (tasks, event log, SSE) and to the host model (a held power-on). */
static void wire_media_changed(struct bmc_host *h, int64_t now)
{
	struct msd_status st;
	h->msd->ops->status(h->msd, &st);
	if (st.seq == h->msd_seq)
		return;
	wire_redfish_media(h, now);
	h->msd_seq = st.seq;
	host_service(&h->host, now);
}

static int64_t msd_deadline_cb(void *ctx)
{
	struct bmc_host *h = ctx;
	return h->msd->ops->deadline(h->msd);
}

static void msd_tick_cb(void *ctx, int64_t now)
{
	struct bmc_host *h = ctx;
	h->msd->ops->service(h->msd, now, 0);
	wire_media_changed(h, now);
}

static void msd_ready(void *ctx, int fd, short revents, int64_t now)
{
	struct bmc_host *h = ctx;
	(void)fd;
	h->msd->ops->service(h->msd, now, revents);
	wire_media_changed(h, now);
}

/* Before each poll: the backend's descriptor may change (kvmd requests come and go). */
static void msd_prepare(void *ctx, int64_t now)
{
	struct bmc_host *h = ctx;
	struct loop *l = &h->b->loop;
	struct pollfd want[1];
	if (h->msd_dirty) {
		h->msd_dirty = false;
		wire_media_changed(h, now);
	}
	int n = h->msd->ops->fds(h->msd, want, 1);
	int fd = n > 0 ? want[0].fd : -1;
	if (h->msd_fd != fd && h->msd_handle >= 0) {
		loop_del(l, h->msd_handle);
		h->msd_handle = -1;
	}
	if (fd >= 0 && h->msd_handle < 0)
		h->msd_handle = loop_add(l, fd, want[0].events, msd_ready, h);
	else if (fd >= 0)
		loop_set_events(l, h->msd_handle, want[0].events);
	h->msd_fd = fd;
}

void wire_media_start(struct bmc_host *h)
{
	if (!h->msd)
		return;
	loop_add_prepare(&h->b->loop, msd_prepare, h);
	loop_add_timer(&h->b->loop, msd_deadline_cb, msd_tick_cb, h);
}
