/*
 * Wiring of event subscriptions: the subscription table and event ring for the Redfish
 * engine (sized from [redfish] subscriptions and event_queue), the webhook deliveries
 * (net/webhook.c) in the loop, the CA bundle for https:// destinations.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bmc.h"
#include "log.h"

static int wh_add(void *ctx, int fd, short events, struct wh_conn *c)
{
	return loop_add(&((struct bmc *)ctx)->loop, fd, events, webhook_io, c);
}
static void wh_set(void *ctx, int h, short ev) { loop_set_events(&((struct bmc *)ctx)->loop, h, ev); }
static void wh_del(void *ctx, int h) { loop_del(&((struct bmc *)ctx)->loop, h); }

static int64_t wh_deadline_cb(void *ctx)
{
	return webhook_deadline(&((struct bmc *)ctx)->webhook);
}

static void wh_tick_cb(void *ctx, int64_t now)
{
	webhook_tick(&((struct bmc *)ctx)->webhook, now);
}

/* Before every poll(): a request or a host change queued events or changed the table. */
static void wh_prepare(void *ctx, int64_t now)
{
	struct bmc *b = ctx;
	if (b->rf.subs_changed) {
		b->rf.subs_changed = false;
		webhook_kick(&b->webhook, now);
	}
}

int wire_events(struct bmc *b, struct redfish_cfg *rc)
{
	const struct config *c = &b->cfg;
	if (!c->rf_subscriptions)
		return 0;
	struct rf_sub *subs = calloc(c->rf_subscriptions, sizeof(*subs));
	struct rf_event *ring = calloc(c->rf_event_queue, sizeof(*ring));
	if (!subs || !ring) {
		log_err("redfish: out of memory for %u event subscriptions", c->rf_subscriptions);
		return -1;
	}
	rc->subs = subs;
	rc->max_subs = (uint16_t)c->rf_subscriptions;
	rc->ring = ring;
	rc->queue = (uint16_t)c->rf_event_queue;
	rc->retry_attempts = (uint16_t)c->rf_retry_attempts;
	rc->retry_interval_s = (uint16_t)c->rf_retry_interval_s;
	rc->tls_client = true;
	struct webhook_cfg wc = {
		.timeout_ms = c->rf_delivery_timeout_ms,
		.idle_ms = 30000,
		.ca_path = c->subscription_ca,
		.tls = true,
		.slots = rc->max_subs,
	};
	struct webhook_poll wp = { wh_add, wh_set, wh_del, b };
	char err[300];
	if (webhook_init(&b->webhook, &b->rf, &wc, &wp, err, sizeof(err)) < 0) {
		log_err("redfish: subscription_ca: %s", err);
		return -1;
	}
	rc->ca_loaded = b->webhook.nanchors > 0;
	if (b->webhook.nanchors)
		log_info("redfish: %zu trust anchors for event destinations from %s",
			 b->webhook.nanchors, c->subscription_ca);
	loop_add_timer(&b->loop, wh_deadline_cb, wh_tick_cb, b);
	loop_add_prepare(&b->loop, wh_prepare, b);
	return 0;
}
