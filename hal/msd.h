/*
 * The virtual-media backends (the interface they implement, and what the Redfish engine
 * uses, is proto/media.h): a simulated drive for the sim host, and kvmd's mass-storage
 * drive.
 */
#ifndef BMCD_MSD_H
#define BMCD_MSD_H

#include "../proto/media.h"

/* --- sim ------------------------------------------------------------------------------- */

struct msd_sim_cfg {
	uint32_t rate_kib_s;	/* simulated download rate; 0: 20480 (20 MiB/s) */
	uint64_t size;		/* simulated image size; 0: 64 MiB */
	uint32_t step_ms;	/* progress granularity; 0: 100 */
	msd_log_fn log;
	void *log_ctx;
};
/* URLs containing "fail" fail (after a first progress step); "404" fails at once. */
struct msd *msd_sim_new(const struct msd_sim_cfg *cfg, int64_t now);
/* For the simulated host's console: the name of the image inserted as a CD-ROM, or NULL
 * (also for a backend that is not `sim`). Wire it as atx_sim_cfg.boot_cd (with a wrapper
 * taking the struct msd * as ctx) and the host prints "Booting from CD: NAME" at boot. */
const char *msd_sim_cd(struct msd *m);

/* --- kvmd ------------------------------------------------------------------------------ */

struct msd_kvmd_cfg {
	const char *socket;		/* kvmd's API socket, e.g. /run/kvmd/kvmd.sock */
	const char *user, *passwd;	/* optional X-KVMD-User / X-KVMD-Passwd */
	const char *prefix;		/* kvmd storage directory of bmcd's images; "" -> "bmcd" */
	uint32_t timeout_ms;		/* one request (not a download); 0: 5000 */
	uint32_t poll_ms;		/* GET /msd this often while idle; 0: 5000 */
	uint32_t remote_timeout_s;	/* kvmd's connect timeout to the URL's server; 0: 10 */
	uint32_t stall_ms;		/* a download with no progress this long fails; 0: 60000 */
	uint32_t busy_ms;		/* wait this long for a busy kvmd MSD; 0: 30000 */
	bool insecure;			/* https without certificate checks (kvmd's insecure=1) */
	/* kvmd-switch: the host is port switch_port (0-based, < 20) of a PiKVM Switch. kvmd's
	 * one drive reaches the Switch's active port only, so an insert makes this port active
	 * (POST /switch/set_active) before it connects the drive, and the media counts as
	 * connected (msd_status.connected) only while this port is the active one. The prefix
	 * defaults to "bmcd-portN", so bmcd processes for other ports of the same kvmd have
	 * their own images (another port's image is someone else's media, never taken over). */
	bool on_switch;
	unsigned switch_port;
	msd_log_fn log;
	void *log_ctx;
};
/* NULL (and a message on stderr) when the socket path is too long, the switch port is out
 * of range or memory is short. */
struct msd *msd_kvmd_new(const struct msd_kvmd_cfg *cfg, int64_t now);

#endif
