/*
 * The host model. See host_model.h for what it owns.
 *
 * Implementation notes
 * - An action becomes a short program of steps when it reaches the head of the queue:
 *   press a switch for a time, hold off (the busy time after every press), wait for the
 *   power LED to go off, pause. The program is chosen from the power state at that moment.
 * - Requests are intents (DESIGN.md): the action in progress completes, and at most one
 *   more waits; a newer request replaces the waiting one, and the log and the SEL say who
 *   was superseded by whom. "Off, then on at once" ends on; "off, on, off" ends off. A
 *   request already satisfied with nothing running or waiting succeeds at once. Nothing
 *   can fill up, so "busy" (IPMI 0xC0) means only that the backend is unavailable.
 * - A step waiting for the LED gives way when another action waits: a ForceOff sent
 *   during a GracefulRestart's wait for the OS runs at once instead of minutes later.
 * - A power change the running (or just finished) action was heading for is attributed to
 *   whoever asked for that action; only other changes are "not requested through bmcd".
 * - "Heading" is the power state a running or just-finished program is driving towards;
 *   Redfish reports it as PoweringOn / PoweringOff until the LED agrees or it times out.
 */
#include <string.h>
#include <time.h>

#include "host_model.h"
#include "log.h"

enum { TO_NONE = 0, TO_ON = 1, TO_OFF = 2 };

static const char *const action_names[HOST_ACTION_COUNT] = {
	"power on", "power off", "soft off", "reset", "power cycle", "push power button",
	"graceful restart",
};

static const char *const origin_names[] = { "bmcd", "IPMI", "Redfish", "host" };

const char *host_action_name(enum host_action a)
{
	return (unsigned)a < HOST_ACTION_COUNT ? action_names[a] : "?";
}

static void notify(struct host *h, const struct host_change *c)
{
	if (h->cfg.notify)
		h->cfg.notify(h->cfg.notify_ctx, c);
}

static void notify_log(struct host *h)
{
	struct host_change c = { HOST_NOTIFY_LOG, h->power, h->power };
	notify(h, &c);
}

/* The PowerState now: the LED, or where a program is heading while the LED lags. */
static uint8_t power_now(const struct host *h)
{
	if (h->heading == TO_ON && !h->on)
		return HOST_POWER_POWERING_ON;
	if (h->heading == TO_OFF && h->on)
		return HOST_POWER_POWERING_OFF;
	return h->on ? HOST_POWER_ON : HOST_POWER_OFF;
}

void host_init(struct host *h, const struct host_cfg *cfg, struct atx *atx,
	       struct sel_entry *sel_buf, int64_t now)
{
	memset(h, 0, sizeof(*h));
	h->cfg = *cfg;
	h->cfg.label[sizeof(h->cfg.label) - 1] = 0;
	if (!h->cfg.label[0])
		strcpy(h->cfg.label, "host");
	if (!h->cfg.cycle_timeout_ms)
		h->cfg.cycle_timeout_ms = 15000;
	h->atx = atx;
	h->now = now;
	h->policy = cfg->policy;
	sel_init(&h->sel, sel_buf, cfg->sel_entries);
	unsigned leds = atx->ops->leds(atx);
	h->on = leds & ATX_LED_POWER;
	h->hdd = leds & ATX_LED_HDD;
	h->leds_known = atx->ops->available(atx);
	h->on_since = now;
	h->power = power_now(h);
}

uint32_t host_time(struct host *h)
{
	return (uint32_t)((int64_t)time(NULL) + h->time_offset);
}

void host_set_time(struct host *h, uint32_t t)
{
	h->time_offset = (int32_t)((int64_t)t - (int64_t)time(NULL));
}

/* Brings the model up to `now` before a protocol engine's call reads or changes it (the
 * engines pass the time of the request they handle). Calls made while the model is being
 * serviced (its listeners asking back) see it as it is. */
static void catch_up(struct host *h, int64_t now)
{
	if (now > h->now && !h->servicing)
		host_service(h, now);
}

struct sel *host_sel(struct host *h, int64_t now)
{
	catch_up(h, now);
	return &h->sel;
}

static uint16_t sel_add_now(struct host *h, const uint8_t *rec, uint8_t origin, uint8_t text,
			    const char *user)
{
	uint16_t id = sel_add(&h->sel, rec, host_time(h), origin, text, user);
	notify_log(h);
	return id;
}

uint16_t host_sel_add(struct host *h, const uint8_t *rec, uint8_t origin, uint8_t text,
		      const char *user, int64_t now)
{
	catch_up(h, now);
	return sel_add_now(h, rec, origin, text, user);
}

void host_sel_clear(struct host *h, int64_t now)
{
	catch_up(h, now);
	sel_clear(&h->sel, host_time(h));
	notify_log(h);
}

static void log_event(struct host *h, uint8_t stype, uint8_t snum, uint8_t offset, bool oem,
		      uint8_t ed2, uint8_t ed3, uint8_t origin, uint8_t text, const char *user)
{
	uint8_t rec[SEL_REC_LEN];
	sel_make_event(rec, stype, snum, 0x6F, false, (uint8_t)((oem ? 0xA0 : 0x00) | offset),
		       oem ? ed2 : 0xFF, oem ? ed3 : 0xFF);
	sel_add_now(h, rec, origin, text, user);
}

/* --- power LED ------------------------------------------------------------------------ */

/* The one power-change detector. Called after anything that may move the PowerState (the
 * LED, a program starting, heading somewhere or ending): when it differs from the one last
 * reported, an LED change goes into the SEL (attributed by power_changed), then the
 * listener hears the old and the new state. */
static void power_report(struct host *h)
{
	uint8_t to = power_now(h);
	if (to == h->power)
		return;
	struct host_change c = { HOST_NOTIFY_POWER, h->power, to };
	h->power = to;
	bool was_on = c.from == HOST_POWER_ON || c.from == HOST_POWER_POWERING_OFF;
	if (was_on != h->on) {
		bool on = h->on;
		uint8_t origin = h->led_ours ? h->act.origin : ORIGIN_HOST;
		const char *user = h->led_ours && h->act.user[0] ? h->act.user : NULL;
		if (origin == ORIGIN_HOST)
			log_info("%s: power %s (not requested through bmcd)", h->cfg.label, on ? "on" : "off");
		else
			log_info("%s: power %s (%s requested by %s via %s)", h->cfg.label, on ? "on" : "off",
				 host_action_name(h->act.action), user ? user : "-",
				 origin_names[origin & 3]);
		/* ACPI power state sensor: S0/G0 working, or S5/G2 soft-off */
		log_event(h, 0x22, SENSOR_HOST_POWER, on ? 0x00 : 0x05, false, 0, 0, origin,
			  on ? SELT_POWER_ON : SELT_POWER_OFF, user);
	}
	notify(h, &c);
}

/* The power LED changed: the facts that follow from it, and who it is attributed to. */
static void power_changed(struct host *h, bool on)
{
	h->on = on;
	if (on) {
		h->on_since = h->now;
		h->last_event = h->expect_on && h->expect_origin != ORIGIN_BMC ? 0x10 : 0x00;
		h->restart_cause = !h->expect_on ? 0x03 /* power-up via power button */
				   : h->expect_origin == ORIGIN_BMC ? 0x06 /* restore: always on */
				   : 0x01; /* chassis control command */
	} else {
		h->on_ms += (uint64_t)(h->now - h->on_since);
	}
	h->led_ours = h->expect_on || h->running || (h->heading == TO_ON && on) ||
		      (h->heading == TO_OFF && !on);
	h->expect_on = false;
	if ((h->heading == TO_ON && on) || (h->heading == TO_OFF && !on))
		h->heading = TO_NONE;
	power_report(h);
}

/* --- programs ------------------------------------------------------------------------- */

static void add_step(struct host *h, uint8_t kind, uint8_t sw, uint8_t target, uint32_t ms)
{
	if (h->nsteps < HOST_STEPS_MAX)
		h->steps[h->nsteps++] = (struct step){ kind, sw, target, ms };
}

static void program_on(struct host *h)
{
	add_step(h, STEP_PRESS, ATX_POWER, TO_ON, h->cfg.short_press_ms);
	add_step(h, STEP_HOLDOFF, 0, TO_ON, h->cfg.busy_ms);
}

/* Builds the program for an action from the present state; empty when there is nothing to
 * do (e.g. "on" while on). */
static void build_program(struct host *h, enum host_action a)
{
	h->nsteps = 0;
	h->cur = 0;
	switch (a) {
	case HOST_ON:
		if (!h->on)
			program_on(h);
		break;
	case HOST_OFF:
		if (h->on) {
			add_step(h, STEP_PRESS, ATX_POWER, TO_OFF, h->cfg.long_press_ms);
			add_step(h, STEP_HOLDOFF, 0, TO_OFF, h->cfg.busy_ms);
		}
		break;
	case HOST_SOFT:
		if (h->on) {
			add_step(h, STEP_PRESS, ATX_POWER, TO_OFF, h->cfg.short_press_ms);
			add_step(h, STEP_HOLDOFF, 0, TO_OFF, h->cfg.busy_ms);
		}
		break;
	case HOST_RESET:
		if (h->on) {
			add_step(h, STEP_PRESS, ATX_RESET, TO_NONE, h->cfg.short_press_ms);
			add_step(h, STEP_HOLDOFF, 0, TO_NONE, h->cfg.busy_ms);
		}
		break;
	case HOST_CYCLE:
	case HOST_SOFT_RESTART:
		if (!h->on) {
			program_on(h);
			break;
		}
		add_step(h, STEP_PRESS, ATX_POWER, TO_OFF,
			 a == HOST_CYCLE ? h->cfg.long_press_ms : h->cfg.short_press_ms);
		add_step(h, STEP_HOLDOFF, 0, TO_OFF, h->cfg.busy_ms);
		add_step(h, STEP_WAIT_OFF, 0, TO_OFF,
			 a == HOST_CYCLE ? h->cfg.cycle_timeout_ms : h->cfg.graceful_timeout_ms);
		add_step(h, STEP_DELAY, 0, TO_ON, h->cfg.power_cycle_off_ms);
		program_on(h);
		break;
	case HOST_PUSH:
		add_step(h, STEP_PRESS, ATX_POWER, h->on ? TO_OFF : TO_ON, h->cfg.short_press_ms);
		add_step(h, STEP_HOLDOFF, 0, TO_NONE, h->cfg.busy_ms);
		break;
	default:
		break;
	}
}

static void sel_for_action(struct host *h, const struct host_queued *q)
{
	/* sensor type, sensor number, offset: see sel.h's sensor list */
	static const uint8_t map[HOST_ACTION_COUNT][3] = {
		[HOST_ON] = { 0x1D, SENSOR_SYS_BOOT, 0x00 },		/* initiated by power up */
		[HOST_OFF] = { 0x09, SENSOR_POWER_UNIT, 0x00 },		/* power off / down */
		[HOST_SOFT] = { 0x09, SENSOR_POWER_UNIT, 0x00 },	/* power off / down */
		[HOST_RESET] = { 0x1D, SENSOR_SYS_BOOT, 0x01 },		/* initiated by hard reset */
		[HOST_CYCLE] = { 0x09, SENSOR_POWER_UNIT, 0x01 },	/* power cycle */
		[HOST_PUSH] = { 0x14, SENSOR_BUTTON, 0x00 },		/* power button pressed */
		[HOST_SOFT_RESTART] = { 0x1D, SENSOR_SYS_BOOT, 0x02 },	/* initiated by warm reset */
	};
	const uint8_t *e = map[q->action];
	/* event data 2: the user's ID; 3: origin (high nibble) and action (low nibble) */
	log_event(h, e[0], e[1], e[2], true, q->user_id,
		  (uint8_t)((q->origin & 0x0F) << 4 | (q->action & 0x0F)), q->origin,
		  (uint8_t)(SELT_ACT_ON + q->action), q->user);
}

/* Would action a boot the host from where it is now? */
static bool boots(const struct host *h, enum host_action a)
{
	switch (a) {
	case HOST_ON:
	case HOST_PUSH: return !h->on;
	case HOST_RESET: return h->on;
	case HOST_CYCLE:
	case HOST_SOFT_RESTART: return true;
	default: return false;
	}
}

/* Must the waiting action wait for the virtual media (host_cfg.hold)? */
static bool held(struct host *h)
{
	const struct host_queued *q = &h->pending;
	if (!h->cfg.hold || !boots(h, (enum host_action)q->action) || !h->cfg.hold(h->cfg.hold_ctx)) {
		h->hold_until = 0;
		return false;
	}
	if (!h->hold_until) {
		h->hold_until = h->now + h->cfg.hold_ms;
		log_notice("%s: %s requested by %s via %s waits for the virtual media insertion "
			   "(at most %u s)", h->cfg.label, host_action_name(q->action), q->user[0] ? q->user : "-",
			   origin_names[q->origin & 3], h->cfg.hold_ms / 1000);
	}
	if (h->now < h->hold_until)
		return true;
	log_warn("%s: the virtual media insertion is still running after %u s: %s goes ahead", h->cfg.label,
		 h->cfg.hold_ms / 1000, host_action_name(q->action));
	h->hold_until = 0;
	return false;
}

static void start_next(struct host *h)
{
	while (!h->running && h->has_pending) {
		if (held(h))
			return;
		h->act = h->pending;
		h->has_pending = false;
		build_program(h, (enum host_action)h->act.action);
		const char *who = h->act.user[0] ? h->act.user : "-";
		if (h->nsteps == 0) {
			log_info("%s: %s requested by %s via %s: nothing to do (power is %s)", h->cfg.label,
				 host_action_name(h->act.action), who, origin_names[h->act.origin & 3],
				 h->on ? "on" : "off");
			continue;
		}
		log_notice("%s: %s requested by %s via %s", h->cfg.label, host_action_name(h->act.action), who,
			   origin_names[h->act.origin & 3]);
		sel_for_action(h, &h->act);
		h->running = true;
		h->pressed = false;
		h->step_until = 0;
		h->did_power_on = false;
		h->heading = h->steps[0].target;
		h->heading_until = 0;
		power_report(h);
	}
}

/* At a power-on or reset press: the host boots with the override as it is now. */
static void clear_one_time_boot(struct host *h)
{
	h->boot_used = h->boot;
	if (h->boot.enabled == BOOT_ONCE) {
		log_info("%s: one-time boot override consumed", h->cfg.label);
		memset(&h->boot, 0, sizeof(h->boot));
	}
}

static void finish_program(struct host *h, bool aborted)
{
	if (h->pressed) {
		h->atx->ops->press(h->atx, (enum atx_switch)h->steps[h->cur].sw, false, 0, h->now);
		h->pressed = false;
	}
	h->running = false;
	if (aborted) {
		h->heading = TO_NONE;
	} else if (h->heading != TO_NONE) {
		bool done = (h->heading == TO_ON) == h->on;
		if (done)
			h->heading = TO_NONE;
		else
			h->heading_until = h->now + (h->act.action == HOST_SOFT ?
						    h->cfg.graceful_timeout_ms : 10000);
	}
	power_report(h);
}

/* Advances the running program as far as time and the LED allow. */
static void run_steps(struct host *h)
{
	while (h->running) {
		if (h->cur >= h->nsteps) {
			finish_program(h, false);
			return;
		}
		struct step *st = &h->steps[h->cur];
		if (st->target != TO_NONE && st->target != h->heading) {
			h->heading = st->target;
			power_report(h);
		}
		switch (st->kind) {
		case STEP_PRESS:
			if (!h->pressed) {
				if (st->sw == ATX_POWER && !h->on) {
					h->did_power_on = true;
					h->expect_on = true;
					h->expect_origin = h->act.origin;
					clear_one_time_boot(h);
				}
				if (st->sw == ATX_RESET)
					clear_one_time_boot(h);
				if (h->atx->ops->press(h->atx, (enum atx_switch)st->sw, true, st->ms,
						       h->now) < 0) {
					log_err("%s: pressing the %s switch failed", h->cfg.label,
						st->sw == ATX_POWER ? "power" : "reset");
					finish_program(h, true);
					return;
				}
				h->pressed = true;
				h->step_until = h->now + st->ms;
				if (st->sw == ATX_RESET) {
					h->restart_cause = 0x01;
				}
				return;
			}
			if (h->now < h->step_until)
				return;
			h->atx->ops->press(h->atx, (enum atx_switch)st->sw, false, 0, h->now);
			h->pressed = false;
			h->step_until = 0;
			h->cur++;
			break;
		case STEP_HOLDOFF:
		case STEP_DELAY:
			if (!h->step_until)
				h->step_until = h->now + st->ms;
			if (h->now < h->step_until)
				return;
			h->step_until = 0;
			h->cur++;
			break;
		case STEP_WAIT_OFF:
			if (!h->on) {
				h->step_until = 0;
				h->cur++;
				break;
			}
			if (!h->step_until)
				h->step_until = h->now + st->ms;
			if (h->has_pending) {
				log_notice("%s: %s interrupted by a newer request", h->cfg.label,
					   host_action_name(h->act.action));
				finish_program(h, true);
				return;
			}
			if (h->now >= h->step_until) {
				log_warn("%s: %s: the power LED did not go off within %u ms; giving "
					 "up", h->cfg.label, host_action_name(h->act.action), st->ms);
				finish_program(h, true);
				return;
			}
			return;
		}
	}
}

void host_service(struct host *h, int64_t now)
{
	bool nested = h->servicing;
	h->servicing = true;
	h->now = now;
	h->atx->ops->service(h->atx, now, 0);
	unsigned leds = h->atx->ops->leds(h->atx);
	bool on = leds & ATX_LED_POWER;
	h->hdd = leds & ATX_LED_HDD;
	if (!h->leds_known && h->atx->ops->available(h->atx)) {
		/* the first word from a remote backend (kvmd) is the initial state, not an event */
		h->leds_known = true;
		h->on = on;
		h->on_since = now;
		h->power = power_now(h);
		log_info("%s: power is %s", h->cfg.label, on ? "on" : "off");
	} else if (h->leds_known && on != h->on) {
		power_changed(h, on);
	}
	if (h->expect_on && !h->running && h->heading == TO_NONE)
		h->expect_on = false;
	if (!h->running && h->heading != TO_NONE && h->heading_until && now >= h->heading_until) {
		h->heading = TO_NONE;
		power_report(h);
	}
	for (int guard = 0; guard < 4; guard++) {
		run_steps(h);
		if (h->running || !h->has_pending)
			break;
		start_next(h);
	}
	h->servicing = nested;
}

int64_t host_deadline(const struct host *h)
{
	int64_t d = h->atx->ops->deadline(h->atx);
	if (h->running && h->step_until && h->step_until < d)
		d = h->step_until;
	if (!h->running && h->heading != TO_NONE && h->heading_until && h->heading_until < d)
		d = h->heading_until;
	if (h->identify_until > h->now && h->identify_until < d)
		d = h->identify_until;
	if (h->hold_until && h->has_pending && !h->running && h->hold_until < d)
		d = h->hold_until;
	return d;
}

/* Would action a change nothing now (with nothing running or waiting)? */
static bool satisfied(const struct host *h, enum host_action a)
{
	switch (a) {
	case HOST_ON: return h->on;
	case HOST_OFF:
	case HOST_SOFT:
	case HOST_RESET: return !h->on;
	default: return false;
	}
}

int host_request(struct host *h, enum host_action a, const struct host_who *who, int64_t now)
{
	if ((unsigned)a >= HOST_ACTION_COUNT)
		return -1;
	catch_up(h, now);
	if (!h->atx->ops->available(h->atx))
		return -2;
	struct host_queued q;
	memset(&q, 0, sizeof(q));
	q.action = (uint8_t)a;
	q.origin = who ? who->origin : ORIGIN_BMC;
	q.user_id = who ? who->user_id : 0;
	if (who && who->user)
		strncpy(q.user, who->user, USER_NAME_MAX);
	const char *by = q.user[0] ? q.user : "-";
	if (!h->running && !h->has_pending && satisfied(h, a)) {
		log_info("%s: %s requested by %s via %s: nothing to do (power is %s)", h->cfg.label,
			 host_action_name(a), by, origin_names[q.origin & 3], h->on ? "on" : "off");
		return 0;
	}
	if (h->has_pending)
		log_notice("%s: %s requested by %s via %s supersedes %s requested by %s via %s", h->cfg.label,
			   host_action_name(a), by, origin_names[q.origin & 3],
			   host_action_name(h->pending.action),
			   h->pending.user[0] ? h->pending.user : "-",
			   origin_names[h->pending.origin & 3]);
	else if (h->running)
		log_info("%s: %s requested by %s via %s waits for %s to finish", h->cfg.label,
			 host_action_name(a), by, origin_names[q.origin & 3],
			 host_action_name(h->act.action));
	h->pending = q;
	h->has_pending = true;
	host_service(h, h->now);
	return 0;
}

void host_get_status(struct host *h, struct host_status *st, int64_t now)
{
	catch_up(h, now);
	memset(st, 0, sizeof(*st));
	st->on = h->on;
	st->hdd = h->hdd;
	st->available = h->atx->ops->available(h->atx);
	st->busy = h->running;
	uint8_t p = power_now(h);
	st->transition = p == HOST_POWER_POWERING_ON    ? HOST_POWERING_ON
			 : p == HOST_POWER_POWERING_OFF ? HOST_POWERING_OFF
							: HOST_STEADY;
	st->policy = h->policy;
	st->last_event = h->last_event;
	st->identify = h->identify_force ? 2 : h->identify_until > h->now ? 1 : 0;
	st->restart_cause = h->restart_cause;
	st->queued = h->has_pending;
	uint64_t ms = h->on_ms + (h->on ? (uint64_t)(h->now - h->on_since) : 0);
	st->poh_minutes = (uint32_t)(ms / 60000);
}

void host_identify(struct host *h, unsigned seconds, bool force, int64_t now)
{
	catch_up(h, now);
	h->identify_force = force;
	h->identify_until = force || seconds == 0 ? 0 : h->now + (int64_t)seconds * 1000;
	log_info("%s: identify %s", h->cfg.label, force ? "on" : seconds ? "on for a while" : "off");
}

void host_set_policy(struct host *h, uint8_t policy, const struct host_who *who, int64_t now)
{
	catch_up(h, now);
	if (policy > POLICY_ALWAYS_ON)
		return;
	h->policy = policy;
	log_notice("%s: power restore policy set to %s by %s", h->cfg.label,
		   policy == POLICY_ALWAYS_ON ? "always-on" : policy == POLICY_PREVIOUS ? "previous"
											 : "always-off",
		   who && who->user ? who->user : "-");
}

void host_get_boot(struct host *h, struct boot_override *b, int64_t now)
{
	catch_up(h, now);
	*b = h->boot;
}

void host_set_boot(struct host *h, const struct boot_override *b, const struct host_who *who,
		   int64_t now)
{
	catch_up(h, now);
	h->boot = *b;
	if (h->boot.enabled == BOOT_DISABLED)
		h->boot.target = BOOT_NONE;
	log_notice("%s: boot override set (target %u, %s%s) by %s", h->cfg.label, b->target,
		   b->enabled == BOOT_CONTINUOUS ? "persistent" : b->enabled == BOOT_ONCE ? "once"
											  : "disabled",
		   b->uefi ? ", UEFI" : "", who && who->user ? who->user : "-");
}

void host_apply_policy(struct host *h)
{
	if (h->policy == POLICY_ALWAYS_ON && !h->on) {
		struct host_who who = { ORIGIN_BMC, 0, NULL };
		log_notice("%s: power restore policy is always-on and the host is off: powering on", h->cfg.label);
		host_request(h, HOST_ON, &who, h->now);
	}
}
