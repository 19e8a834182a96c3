/*
 * A simulated computer behind simulated front-panel buttons, behaving like a real ATX
 * board: a press of the power switch while off powers it on (LED after boot_ms); a short
 * press while on asks the OS to shut down (LED off after shutdown_ms); holding the switch
 * for force_off_ms forces it off at once, while still held; a reset press while on reboots
 * it (the LED stays on). HDD activity blinks while the simulated OS boots.
 *
 * With a console, the simulated host has a serial port (a pty): it prints boot messages
 * and a login prompt, and echoes what is typed, so SoL can be tried without hardware.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "atx.h"

enum sim_state { SIM_OFF, SIM_BOOTING, SIM_ON, SIM_SHUTTING_DOWN };

struct atx_sim {
	struct atx base;
	struct atx_sim_cfg cfg;
	enum sim_state state;
	bool power_down, reset_down, forced;	/* switch positions; forced-off during this press */
	int64_t power_since;			/* when the power switch went down */
	int64_t until;				/* end of booting / shutting down */
	int64_t hdd_until;			/* HDD LED lit until */
	struct atx_sim_stats st;
	int master;				/* console pty, host side; -1 without */
	char slave[64];
	char line[64];
	size_t linelen;
};

static void say(struct atx_sim *s, const char *text)
{
	if (s->master < 0)
		return;
	ssize_t r = write(s->master, text, strlen(text)); /* non-blocking: may drop if full */
	(void)r;
}

static void booted(struct atx_sim *s)
{
	const char *cd = s->cfg.boot_cd ? s->cfg.boot_cd(s->cfg.boot_ctx) : NULL;
	if (cd) {
		char line[160];
		snprintf(line, sizeof(line), "\r\nbmcd simulated host: Booting from CD: %.100s\r\n", cd);
		say(s, line);
	} else if (s->cfg.boot_cd) {
		say(s, "\r\nbmcd simulated host: Booting from disk\r\n");
	}
	say(s, "\r\nbmcd simulated host: firmware OK, booting\r\n"
	       "Linux version 6.1.0-sim (bmcd) #1 SMP\r\n"
	       "Welcome to the simulated host.\r\n\r\nsim login: ");
	s->linelen = 0;
}

/* The console's "terminal": echo, and answer each line with a prompt. */
static void typed(struct atx_sim *s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = (char)p[i];
		if (c == '\r' || c == '\n') {
			char out[160];
			s->line[s->linelen] = 0;
			if (s->linelen)
				snprintf(out, sizeof(out), "\r\nsim: you typed '%s'\r\nsim login: ", s->line);
			else
				snprintf(out, sizeof(out), "\r\nsim login: ");
			say(s, out);
			s->linelen = 0;
		} else if (c >= ' ' && c < 0x7F) {
			char echo[2] = { c, 0 };
			say(s, echo);
			if (s->linelen < sizeof(s->line) - 1)
				s->line[s->linelen++] = c;
		}
	}
}

static struct atx_sim *sim(struct atx *a) { return (struct atx_sim *)a; }

static int sim_fds(struct atx *a, struct pollfd *out, int max)
{
	struct atx_sim *s = sim(a);
	if (s->master < 0 || max < 1)
		return 0;
	out[0] = (struct pollfd){ s->master, POLLIN, 0 };
	return 1;
}

static int64_t sim_deadline(struct atx *a)
{
	struct atx_sim *s = sim(a);
	int64_t d = INT64_MAX;
	if (s->state == SIM_BOOTING || s->state == SIM_SHUTTING_DOWN)
		d = s->until;
	if (s->power_down && !s->forced && s->state != SIM_OFF) {
		int64_t f = s->power_since + s->cfg.force_off_ms;
		if (f < d)
			d = f;
	}
	if (s->hdd_until && s->hdd_until < d)
		d = s->hdd_until;
	return d;
}

static void sim_service(struct atx *a, int64_t now, short revents)
{
	struct atx_sim *s = sim(a);
	(void)revents;
	if (s->power_down && !s->forced && s->state != SIM_OFF &&
	    now - s->power_since >= s->cfg.force_off_ms) {
		s->state = SIM_OFF;
		s->forced = true;
		s->st.forced_offs++;
	}
	if (s->state == SIM_BOOTING && now >= s->until) {
		s->state = SIM_ON;
		s->st.power_ons++;
		booted(s);
	}
	if (s->state == SIM_SHUTTING_DOWN && now >= s->until) {
		s->state = SIM_OFF;
		s->st.graceful_offs++;
		say(s, "\r\nsim: System halted. Power off.\r\n");
	}
	if (s->master >= 0) {
		uint8_t in[256];
		ssize_t n;
		while ((n = read(s->master, in, sizeof(in))) > 0)
			if (s->state == SIM_ON)
				typed(s, in, (size_t)n);
	}
	if (s->hdd_until && now >= s->hdd_until)
		s->hdd_until = 0;
}

static unsigned sim_leds(struct atx *a)
{
	struct atx_sim *s = sim(a);
	unsigned l = 0;
	if (s->state == SIM_ON || s->state == SIM_SHUTTING_DOWN)
		l |= ATX_LED_POWER;
	if (s->hdd_until)
		l |= ATX_LED_HDD;
	return l;
}

static int sim_press(struct atx *a, enum atx_switch sw, bool down, uint32_t hold_ms, int64_t now)
{
	struct atx_sim *s = sim(a);
	(void)hold_ms;
	sim_service(a, now, 0);
	if (sw == ATX_POWER) {
		if (down && !s->power_down) {
			s->power_down = true;
			s->forced = false;
			s->power_since = now;
			if (s->state == SIM_OFF) {
				/* the board powers up on the press */
				s->state = SIM_BOOTING;
				s->until = now + s->cfg.boot_ms;
				s->hdd_until = now + s->cfg.boot_ms + 500;
				s->forced = true; /* this press started it: no force-off on hold */
			}
		} else if (!down && s->power_down) {
			s->power_down = false;
			if (!s->forced && s->state == SIM_ON) {
				say(s, "\r\nsim: power button pressed: shutting down\r\n");
				s->state = SIM_SHUTTING_DOWN;
				s->until = now + s->cfg.shutdown_ms;
				s->hdd_until = now + 200;
			}
		}
	} else {
		if (!down && s->reset_down && s->state != SIM_OFF) {
			/* a warm reboot: the power LED stays on */
			s->st.resets++;
			s->hdd_until = now + 500;
			say(s, "\r\nsim: reset button pressed: rebooting\r\n");
			booted(s);
		}
		s->reset_down = down;
	}
	return 0;
}

static bool sim_available(struct atx *a)
{
	(void)a;
	return true;
}

static void sim_destroy(struct atx *a)
{
	if (sim(a)->master >= 0)
		close(sim(a)->master);
	free(a);
}

static const struct atx_ops sim_ops = {
	"sim", sim_fds, sim_deadline, sim_service, sim_leds, sim_press, sim_available, sim_destroy,
};

struct atx *atx_sim_new(const struct atx_sim_cfg *cfg, int64_t now)
{
	struct atx_sim *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	(void)now;
	s->base.ops = &sim_ops;
	s->cfg = *cfg;
	s->state = cfg->power_on ? SIM_ON : SIM_OFF;
	s->master = -1;
	if (cfg->console) {
		int m = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		const char *name = m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0 ? ptsname(m) : NULL;
		if (!name || strlen(name) >= sizeof(s->slave)) {
			fprintf(stderr, "sim: cannot create a console pty: %s\n", strerror(errno));
			if (m >= 0)
				close(m);
			free(s);
			return NULL;
		}
		strcpy(s->slave, name);
		s->master = m;
		struct termios t;
		if (tcgetattr(m, &t) == 0) { /* the host side is raw too: no echo, no CR mapping */
			cfmakeraw(&t);
			tcsetattr(m, TCSANOW, &t);
		}
	}
	return &s->base;
}

const char *atx_sim_console(struct atx *a)
{
	return a->ops == &sim_ops && sim(a)->master >= 0 ? sim(a)->slave : NULL;
}

void atx_sim_stats(struct atx *a, struct atx_sim_stats *st)
{
	if (a->ops == &sim_ops)
		*st = sim(a)->st;
	else
		memset(st, 0, sizeof(*st));
}
