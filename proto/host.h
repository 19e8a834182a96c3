/*
 * What protocol engines may ask of the managed host.
 *
 * The host model (firmware/host.c) owns the truth about the managed computer: power state,
 * queued button-press actions, boot override, identify, power-restore policy and the event
 * log. IPMI and Redfish only call the functions below; they never touch hardware. Unit tests
 * and fuzz harnesses link a fake implementation (tests/unit/fake_host.c) instead.
 */
#ifndef BMCD_HOST_H
#define BMCD_HOST_H

#include <stdbool.h>
#include <stdint.h>

struct host;
struct sel;

enum host_action {
	HOST_ON,		/* short press if off */
	HOST_OFF,		/* long press if on (forced off) */
	HOST_SOFT,		/* short press if on (graceful shutdown) */
	HOST_RESET,		/* reset press if on */
	HOST_CYCLE,		/* long press, wait for off, pause, short press; if off: on */
	HOST_PUSH,		/* short press whatever the state */
	HOST_SOFT_RESTART,	/* short press, wait for off, short press; if off: on */
	HOST_ACTION_COUNT
};

enum host_origin { ORIGIN_BMC = 0, ORIGIN_IPMI = 1, ORIGIN_REDFISH = 2, ORIGIN_HOST = 3 };

struct host_who {
	uint8_t origin;  /* enum host_origin */
	uint8_t user_id; /* 1-based index in the users table; 0 for none */
	const char *user;
};

enum host_transition { HOST_STEADY = 0, HOST_POWERING_ON = 1, HOST_POWERING_OFF = 2 };

/* The power state as Redfish names it (PowerState): the LED, or where a program is heading
 * while the LED has not followed yet. The host model reports its changes (host_model.h). */
enum host_power {
	HOST_POWER_ON = 0, HOST_POWER_OFF = 1, HOST_POWER_POWERING_ON = 2, HOST_POWER_POWERING_OFF = 3
};

/* Power restore policy, in IPMI's encoding. */
enum host_policy { POLICY_ALWAYS_OFF = 0, POLICY_PREVIOUS = 1, POLICY_ALWAYS_ON = 2 };

struct host_status {
	bool on;		/* power LED (debounced) */
	bool hdd;		/* HDD LED */
	bool available;		/* backend reachable (kvmd up, GPIO open) */
	bool busy;		/* a press sequence or its hold-off is running */
	uint8_t transition;	/* enum host_transition */
	uint8_t policy;		/* enum host_policy */
	uint8_t last_event;	/* IPMI Get Chassis Status "last power event" bits */
	uint8_t identify;	/* 0 off, 1 on for a time, 2 on until turned off */
	uint8_t restart_cause;	/* IPMI Get System Restart Cause code */
	uint8_t queued;		/* actions waiting */
	uint32_t poh_minutes;	/* minutes powered on since bmcd started */
};

/* Boot source override, shared by IPMI (boot flags) and Redfish (Boot). */
enum boot_target {
	BOOT_NONE = 0, BOOT_PXE, BOOT_HDD, BOOT_HDD_SAFE, BOOT_DIAGS, BOOT_CD, BOOT_BIOS,
	BOOT_REMOTE_FLOPPY, BOOT_REMOTE_CD, BOOT_REMOTE_MEDIA, BOOT_REMOTE_HDD, BOOT_FLOPPY,
	BOOT_USB, BOOT_UEFI_HTTP, BOOT_TARGET_COUNT
};
enum boot_enabled { BOOT_DISABLED = 0, BOOT_ONCE = 1, BOOT_CONTINUOUS = 2 };

struct boot_override {
	uint8_t enabled; /* enum boot_enabled */
	uint8_t target;  /* enum boot_target */
	bool uefi;       /* BootSourceOverrideMode: UEFI (true) or Legacy */
	uint8_t ipmi_extra[4]; /* IPMI boot flags: byte 2 without the device bits, bytes 3..5 */
};

/* Every call that reads or changes the model's state takes `now` (monotonic milliseconds,
 * the time of the request being handled): the model first catches up to it (timers, the
 * power LED), so a front door need not service it before handing a request to an engine. */

/* Queue an action. Returns 0 when accepted (it runs now or when the buttons are free),
 * -1 when the queue is full, -2 when the backend is unavailable. */
int host_request(struct host *h, enum host_action a, const struct host_who *who, int64_t now);
void host_get_status(struct host *h, struct host_status *st, int64_t now);
/* Identify: seconds > 0 lights it for that long, 0 turns it off, force lights it until
 * turned off. */
void host_identify(struct host *h, unsigned seconds, bool force, int64_t now);
void host_set_policy(struct host *h, uint8_t policy, const struct host_who *who, int64_t now);
void host_get_boot(struct host *h, struct boot_override *b, int64_t now);
void host_set_boot(struct host *h, const struct boot_override *b, const struct host_who *who,
		   int64_t now);
/* The event log (SEL), read directly. Entries are added and the log cleared only through
 * host_sel_add() and host_sel_clear(): they stamp host_time() and tell the listeners
 * (Redfish SSE). host_sel_add returns the record ID. */
struct sel *host_sel(struct host *h, int64_t now);
uint16_t host_sel_add(struct host *h, const uint8_t *rec, uint8_t origin, uint8_t text,
		      const char *user, int64_t now);
void host_sel_clear(struct host *h, int64_t now);
/* Wall-clock seconds since the epoch, as the SEL sees it (Set SEL Time moves it). */
uint32_t host_time(struct host *h);
void host_set_time(struct host *h, uint32_t t);

#endif
