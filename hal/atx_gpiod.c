/*
 * ATX backend on GPIO lines through libgpiod (v1 API). This is the only file that includes
 * gpiod.h. Switch lines are outputs (active = pressed); LED lines are inputs with edge
 * events, debounced: a new level counts once it has held for debounce_ms.
 */
#include <errno.h>
#include <fcntl.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atx.h"

#define CONSUMER "bmcd"

struct led {
	struct gpiod_line *line;
	int fd;
	bool stable, raw;
	int64_t changed; /* when raw last changed */
};

struct atx_gpiod {
	struct atx base;
	struct atx_gpiod_cfg cfg;
	struct gpiod_chip *chip;
	struct gpiod_line *sw[2];
	struct led led[2]; /* power, hdd */
	bool ok;
};

static struct atx_gpiod *gp(struct atx *a) { return (struct atx_gpiod *)a; }

static int g_fds(struct atx *a, struct pollfd *out, int max)
{
	struct atx_gpiod *g = gp(a);
	int n = 0;
	for (int i = 0; i < 2 && n < max; i++)
		if (g->led[i].fd >= 0)
			out[n++] = (struct pollfd){ g->led[i].fd, POLLIN, 0 };
	return n;
}

static int64_t g_deadline(struct atx *a)
{
	struct atx_gpiod *g = gp(a);
	int64_t d = INT64_MAX;
	for (int i = 0; i < 2; i++) {
		struct led *l = &g->led[i];
		if (l->line && l->raw != l->stable) {
			int64_t t = l->changed + g->cfg.debounce_ms;
			if (t < d)
				d = t;
		}
	}
	return d;
}

static void g_service(struct atx *a, int64_t now, short revents)
{
	struct atx_gpiod *g = gp(a);
	(void)revents;
	for (int i = 0; i < 2; i++) {
		struct led *l = &g->led[i];
		if (!l->line)
			continue;
		struct gpiod_line_event ev[16];
		int n;
		bool got = false;
		while ((n = gpiod_line_event_read_fd_multiple(l->fd, ev, 16)) > 0) {
			got = true;
			if (n < 16)
				break;
		}
		if (got) {
			/* edges only say "something changed": read the level itself */
			int v = gpiod_line_get_value(l->line);
			if (v >= 0 && (bool)v != l->raw) {
				l->raw = v;
				l->changed = now;
			}
		}
		if (l->raw != l->stable && now - l->changed >= (int64_t)g->cfg.debounce_ms)
			l->stable = l->raw;
	}
}

static unsigned g_leds(struct atx *a)
{
	struct atx_gpiod *g = gp(a);
	return (g->led[0].stable ? ATX_LED_POWER : 0) | (g->led[1].stable ? ATX_LED_HDD : 0);
}

static int g_press(struct atx *a, enum atx_switch sw, bool down, uint32_t hold_ms, int64_t now)
{
	struct atx_gpiod *g = gp(a);
	(void)now;
	(void)hold_ms;
	if (!g->sw[sw])
		return -1;
	return gpiod_line_set_value(g->sw[sw], down ? 1 : 0) < 0 ? -1 : 0;
}

static bool g_available(struct atx *a) { return gp(a)->ok; }

static void g_destroy(struct atx *a)
{
	struct atx_gpiod *g = gp(a);
	for (int i = 0; i < 2; i++) {
		if (g->sw[i]) {
			gpiod_line_set_value(g->sw[i], 0);
			gpiod_line_release(g->sw[i]);
		}
		if (g->led[i].line)
			gpiod_line_release(g->led[i].line);
	}
	if (g->chip)
		gpiod_chip_close(g->chip);
	free(g);
}

static const struct atx_ops gpiod_ops = {
	"gpiod", g_fds, g_deadline, g_service, g_leds, g_press, g_available, g_destroy,
};

struct atx *atx_gpiod_open(const struct atx_gpiod_cfg *cfg, int64_t now)
{
	struct atx_gpiod *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->base.ops = &gpiod_ops;
	g->cfg = *cfg;
	g->led[0].fd = g->led[1].fd = -1;
	g->chip = gpiod_chip_open(cfg->chip);
	if (!g->chip) {
		fprintf(stderr, "gpiod: cannot open %s: %s\n", cfg->chip, strerror(errno));
		goto fail;
	}
	const unsigned sw_off[2] = { cfg->power_switch, cfg->reset_switch };
	const bool sw_inv[2] = { cfg->power_switch_inv, cfg->reset_switch_inv };
	for (int i = 0; i < 2; i++) {
		g->sw[i] = gpiod_chip_get_line(g->chip, sw_off[i]);
		if (!g->sw[i] ||
		    gpiod_line_request_output_flags(g->sw[i], CONSUMER,
						    sw_inv[i] ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0,
						    0) < 0) {
			fprintf(stderr, "gpiod: %s line %u (%s switch): %s\n", cfg->chip, sw_off[i],
				i ? "reset" : "power", strerror(errno));
			g->sw[i] = NULL;
			goto fail;
		}
	}
	const unsigned led_off[2] = { cfg->power_led, cfg->hdd_led };
	const bool led_inv[2] = { cfg->power_led_inv, cfg->hdd_led_inv };
	for (int i = 0; i < 2; i++) {
		struct led *l = &g->led[i];
		l->line = gpiod_chip_get_line(g->chip, led_off[i]);
		if (!l->line ||
		    gpiod_line_request_both_edges_events_flags(
			    l->line, CONSUMER, led_inv[i] ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0) < 0) {
			fprintf(stderr, "gpiod: %s line %u (%s LED): %s\n", cfg->chip, led_off[i],
				i ? "HDD" : "power", strerror(errno));
			l->line = NULL;
			goto fail;
		}
		l->fd = gpiod_line_event_get_fd(l->line);
		int fl = fcntl(l->fd, F_GETFL);
		if (fl < 0 || fcntl(l->fd, F_SETFL, fl | O_NONBLOCK) < 0)
			goto fail;
		int v = gpiod_line_get_value(l->line);
		l->raw = l->stable = v > 0;
		l->changed = now;
	}
	g->ok = true;
	return &g->base;
fail:
	g_destroy(&g->base);
	return NULL;
}
