/*
 * ATX front-panel backends: two switches (power, reset) the BMC presses, two LEDs (power,
 * HDD) it watches. One backend is chosen by the config: `sim` (a simulated computer),
 * `gpiod` (libgpiod v1 on a GPIO chip) or, with the PiKVM backend, kvmd's API.
 *
 * A backend never blocks and owns no thread. The loop asks it for descriptors to poll and
 * a deadline, calls service() when any fires (the backend reads all of its descriptors
 * without blocking), and reads the debounced LED state.
 */
#ifndef BMCD_ATX_H
#define BMCD_ATX_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

enum atx_switch { ATX_POWER = 0, ATX_RESET = 1 };

#define ATX_LED_POWER 1u
#define ATX_LED_HDD 2u

struct atx;

struct atx_ops {
	const char *name;
	/* descriptors to poll now, with their events (count); may change between calls */
	int (*fds)(struct atx *a, struct pollfd *out, int max);
	int64_t (*deadline)(struct atx *a);		/* INT64_MAX: none */
	void (*service)(struct atx *a, int64_t now, short revents);
	unsigned (*leds)(struct atx *a);		/* ATX_LED_* bits, debounced */
	/* hold_ms: how long the press is meant to last (a backend that can only "click"
	 * picks a short or a long click from it) */
	int (*press)(struct atx *a, enum atx_switch sw, bool down, uint32_t hold_ms, int64_t now);
	bool (*available)(struct atx *a);
	void (*destroy)(struct atx *a);
};

struct atx {
	const struct atx_ops *ops;
};

struct atx_sim_cfg {
	uint32_t force_off_ms;	/* power switch held this long forces the machine off */
	uint32_t shutdown_ms;	/* short press while on: OS shuts down after this */
	uint32_t boot_ms;	/* short press while off: power LED on after this */
	bool power_on;		/* initial state */
	bool console;		/* give the simulated host a serial console (a pty) */
	/* optional: the name of the CD the host boots from, or NULL (e.g. msd_sim_cd() of the
	 * virtual media); printed as "Booting from CD: NAME" on the console at boot, or
	 * "Booting from disk" when it gives NULL */
	const char *(*boot_cd)(void *ctx);
	void *boot_ctx;
};

struct atx_gpiod_cfg {
	const char *chip;
	unsigned power_led, hdd_led, power_switch, reset_switch;
	bool power_led_inv, hdd_led_inv, power_switch_inv, reset_switch_inv;
	uint32_t debounce_ms;
};

struct atx *atx_sim_new(const struct atx_sim_cfg *cfg, int64_t now);
/* Simulation counters, for logs and tests. */
struct atx_sim_stats {
	uint32_t power_ons, graceful_offs, forced_offs, resets;
};
void atx_sim_stats(struct atx *a, struct atx_sim_stats *st);
/* The path of the simulated host's serial port (the pty's slave side), or NULL. */
const char *atx_sim_console(struct atx *a);

/* Opens the chip and requests the lines. On failure prints why and returns NULL. */
struct atx *atx_gpiod_open(const struct atx_gpiod_cfg *cfg, int64_t now);

struct atx_kvmd_cfg {
	const char *socket;		/* kvmd's API socket, e.g. /run/kvmd/kvmd.sock */
	const char *user, *passwd;	/* optional X-KVMD-User / X-KVMD-Passwd */
	uint32_t poll_ms;		/* GET /atx this often */
	uint32_t timeout_ms;		/* one request may take this long */
	uint32_t long_ms;		/* a press held this long is kvmd's power_long */
	void (*log)(void *ctx, int level, const char *fmt, ...);
	void *log_ctx;
};

/* Drives the ATX lines through kvmd (which owns the GPIO on a PiKVM). Never blocks. */
struct atx *atx_kvmd_new(const struct atx_kvmd_cfg *cfg, int64_t now);

/* The same for one port of a PiKVM Switch, through kvmd's /switch API. port: kvmd's 0-based
 * port index, unit * 4 + channel (a chain has at most 5 units of 4 ports). */
#define ATX_KVMD_SWITCH_PORTS 20
struct atx *atx_kvmd_switch_new(const struct atx_kvmd_cfg *cfg, unsigned port, int64_t now);

#endif
