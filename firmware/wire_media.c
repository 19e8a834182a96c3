/*
 * Wiring of the virtual media (hal/msd.h): the `sim` backend with the simulated host, the
 * `kvmd` backend with kvmd's ATX (same socket and credentials; on a PiKVM Switch, its port),
 * none with gpiod. Its one descriptor joins the loop before each poll; its deadline is a loop
 * timer.
 */
#include <poll.h>

#include "bmc.h"
#include "log.h"

struct msd *wire_open_media(struct bmc *b, int64_t now)
{
	const struct config *c = &b->cfg;
	struct msd *m = NULL;
	b->msd_fd = -1;
	b->msd_handle = -1;
	if (c->backend == BACKEND_SIM) {
		struct msd_sim_cfg s = { .log = log_cb };
		m = msd_sim_new(&s, now);
	} else if (c->backend == BACKEND_KVMD) {
		struct msd_kvmd_cfg k = {
			.socket = c->kvmd_socket, .user = c->kvmd_user, .passwd = c->kvmd_passwd,
			.timeout_ms = c->kvmd_timeout_ms, .log = log_cb,
			/* a switch port: follow the active port as often as the ATX polls */
			.on_switch = c->kvmd_switch_port >= 0, .switch_port = (unsigned)c->kvmd_switch_port,
			.poll_ms = c->kvmd_switch_port >= 0 ? c->kvmd_poll_ms : 0,
		};
		m = msd_kvmd_new(&k, now);
	}
	if (!m && c->backend != BACKEND_GPIOD)
		log_warn("virtual media unavailable");
	return m;
}

bool wire_media_inserting(void *ctx)
{
	struct bmc *b = ctx;
	if (!b->msd)
		return false;
	struct msd_status st;
	b->msd->ops->status(b->msd, &st);
	/* an action already waiting also waits for Redfish to record the drive's change (the
	 * host model catches up when the record goes into its log: the log says "inserted"
	 * before the host boots) */
	return (st.state == MSD_BUSY && st.inserting) || (st.seq != b->msd_seq && b->hosts[0].host.hold_until);
}

/* After the backend ran: a changed drive goes to Redfish (tasks, event log, SSE), and a
 * power-on waiting for the insertion may go ahead. */
/* After the drive may have changed (its backend ran, or a Redfish request acted on it): a
 * change goes to Redfish (tasks, event log, SSE) and to the host model (a held power-on). */
static void wire_media_changed(struct bmc *b, int64_t now)
{
	struct msd_status st;
	if (!b->msd)
		return;
	b->msd->ops->status(b->msd, &st);
	if (st.seq == b->msd_seq)
		return;
	wire_redfish_media(b, now);
	b->msd_seq = st.seq;
	host_service(&b->hosts[0].host, now);
}

static int64_t msd_deadline_cb(void *ctx)
{
	struct bmc *b = ctx;
	return b->msd->ops->deadline(b->msd);
}

static void msd_tick_cb(void *ctx, int64_t now)
{
	struct bmc *b = ctx;
	b->msd->ops->service(b->msd, now, 0);
	wire_media_changed(b, now);
}

static void msd_ready(void *ctx, int fd, short revents, int64_t now)
{
	struct bmc *b = ctx;
	(void)fd;
	b->msd->ops->service(b->msd, now, revents);
	wire_media_changed(b, now);
}

/* Before each poll: the backend's descriptor may change (kvmd requests come and go). */
static void msd_prepare(void *ctx, int64_t now)
{
	struct bmc *b = ctx;
	struct pollfd want[1];
	if (b->msd_dirty) {
		b->msd_dirty = false;
		wire_media_changed(b, now);
	}
	int n = b->msd->ops->fds(b->msd, want, 1);
	int fd = n > 0 ? want[0].fd : -1;
	if (b->msd_fd != fd && b->msd_handle >= 0) {
		loop_del(&b->loop, b->msd_handle);
		b->msd_handle = -1;
	}
	if (fd >= 0 && b->msd_handle < 0)
		b->msd_handle = loop_add(&b->loop, fd, want[0].events, msd_ready, b);
	else if (fd >= 0)
		loop_set_events(&b->loop, b->msd_handle, want[0].events);
	b->msd_fd = fd;
}

void wire_media_start(struct bmc *b)
{
	if (!b->msd)
		return;
	loop_add_prepare(&b->loop, msd_prepare, b);
	loop_add_timer(&b->loop, msd_deadline_cb, msd_tick_cb, b);
}
