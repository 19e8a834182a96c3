/*
 * The host model's life-cycle side (proto/host.h is what protocols may ask of it).
 *
 * It owns: the power state seen on the LED, the action being run and at most one pending
 * action (a newer request replaces it), the press sequence being run (press, release,
 * busy hold-off, wait for the LED), identify, the power-restore policy, the boot override
 * and the event log. Actions are decided when they run, not when they are requested: "on"
 * waiting behind "off" presses the button only if the machine is off by then.
 */
#ifndef BMCD_HOST_MODEL_H
#define BMCD_HOST_MODEL_H

#include <stdint.h>

#include "../hal/atx.h"
#include "bmcd_limits.h"
#include "../proto/host.h"
#include "../proto/sel.h"

/* What the model tells its listener (Redfish events) after a change. */
enum { HOST_NOTIFY_POWER = 1, HOST_NOTIFY_LOG = 2 };
struct host_change {
	int what;		/* HOST_NOTIFY_POWER: the PowerState changed; HOST_NOTIFY_LOG: the
				 * event log did */
	uint8_t from, to;	/* HOST_NOTIFY_POWER: enum host_power before and after */
};
typedef void (*host_notify_fn)(void *ctx, const struct host_change *c);

struct host_cfg {
	uint32_t short_press_ms, long_press_ms, busy_ms, power_cycle_off_ms;
	uint32_t graceful_timeout_ms;
	uint32_t cycle_timeout_ms;	/* how long a forced off may take to show on the LED */
	uint8_t policy;			/* enum host_policy */
	uint16_t sel_entries;
	/* While hold(hold_ctx) is true (a virtual-media insertion is downloading), an action
	 * that would boot the host (power on, reset, cycle, restart) waits, at most hold_ms
	 * from when it first had to wait, so the host boots the new image. NULL: never. */
	bool (*hold)(void *ctx);
	void *hold_ctx;
	uint32_t hold_ms;
	host_notify_fn notify;		/* NULL: nobody listens */
	void *notify_ctx;
	char label[40];			/* how log lines name the host ("": "host") */
};

enum step_kind { STEP_PRESS, STEP_HOLDOFF, STEP_WAIT_OFF, STEP_DELAY };

struct step {
	uint8_t kind;		/* enum step_kind */
	uint8_t sw;		/* STEP_PRESS: enum atx_switch */
	uint8_t target;		/* the power state this step heads to: 0 none, 1 on, 2 off */
	uint32_t ms;		/* duration or timeout */
};

#define HOST_STEPS_MAX 8

struct host_queued {
	uint8_t action;
	uint8_t origin, user_id;
	char user[USER_NAME_MAX + 1];
};

struct host {
	struct host_cfg cfg;
	struct atx *atx;
	int64_t now;			/* the time the model was last brought up to */
	bool servicing;			/* host_service() is running (its listeners may call back) */
	bool on, hdd;
	uint8_t power;			/* enum host_power last reported (power_report) */
	bool led_ours;			/* the last LED change was heading where our action was */
	bool leds_known;		/* the backend has told us the LED state at least once */

	/* the sequence being run */
	struct step steps[HOST_STEPS_MAX];
	uint8_t nsteps, cur;
	bool running, pressed;
	int64_t step_until;
	struct host_queued act;		/* the action being run */
	uint8_t heading;		/* 0 none, 1 on, 2 off: for PoweringOn/PoweringOff */
	int64_t heading_until;		/* after the sequence: how long to keep heading */
	bool did_power_on;		/* this sequence pressed power while off */

	/* Requests are intents: besides the action running, at most one waits, and a newer
	 * request replaces it (the latest intent wins; a burst can never fill anything). */
	struct host_queued pending;
	bool has_pending;

	struct boot_override boot;
	struct boot_override boot_used;	/* the override in effect at the last power-on or
					 * reset bmcd performed (what the host boots from) */
	bool identify_force;
	int64_t identify_until;
	int64_t hold_until;		/* the waiting action goes ahead then (0: not held) */
	uint8_t policy;
	uint8_t last_event, restart_cause;
	bool expect_on;			/* our own action is turning it on */
	uint8_t expect_origin;
	int64_t on_since;		/* when the LED came on (if on) */
	uint64_t on_ms;			/* powered-on time accumulated before on_since */
	int32_t time_offset;		/* Set SEL Time minus the real clock */

	struct sel sel;
};

/* The backend must already be open. sel_buf holds cfg->sel_entries entries. */
void host_init(struct host *h, const struct host_cfg *cfg, struct atx *atx,
	       struct sel_entry *sel_buf, int64_t now);
/* Applies the power-restore policy once, at start. */
void host_apply_policy(struct host *h);
int64_t host_deadline(const struct host *h);
/* Runs timers and picks up LED changes; call after the backend was serviced too. */
void host_service(struct host *h, int64_t now);
const char *host_action_name(enum host_action a);

#endif
