#include "fake_host.h"

#include <string.h>

void fake_host_init(struct host *h)
{
	memset(h, 0, sizeof(*h));
	h->st.available = true;
	h->last_action = -1;
	h->time = 1700000000;
	sel_init(&h->sel, h->sel_buf, 64);
}

int host_request(struct host *h, enum host_action a, const struct host_who *who, int64_t now)
{
	h->now = now;
	if (h->refuse)
		return h->refuse;
	h->requests[a]++;
	h->last_action = (int)a;
	h->last_who = *who;
	return 0;
}

void host_get_status(struct host *h, struct host_status *st, int64_t now)
{
	h->now = now;
	*st = h->st;
}

void host_identify(struct host *h, unsigned seconds, bool force, int64_t now)
{
	h->now = now;
	h->identify_seconds = seconds;
	h->identify_force = force;
	h->st.identify = force ? 2 : seconds ? 1 : 0;
}

void host_set_policy(struct host *h, uint8_t policy, const struct host_who *who, int64_t now)
{
	h->now = now;
	(void)who;
	h->st.policy = policy;
}

void host_get_boot(struct host *h, struct boot_override *b, int64_t now)
{
	h->now = now;
	*b = h->boot;
}

void host_set_boot(struct host *h, const struct boot_override *b, const struct host_who *who,
		   int64_t now)
{
	h->now = now;
	(void)who;
	h->boot = *b;
}

struct sel *host_sel(struct host *h, int64_t now)
{
	h->now = now;
	return &h->sel;
}
uint16_t host_sel_add(struct host *h, const uint8_t *rec, uint8_t origin, uint8_t text,
		      const char *user, int64_t now)
{
	h->now = now;
	h->sel_changes++;
	return sel_add(&h->sel, rec, h->time, origin, text, user);
}
void host_sel_clear(struct host *h, int64_t now)
{
	h->now = now;
	h->sel_changes++;
	sel_clear(&h->sel, h->time);
}
uint32_t host_time(struct host *h) { return h->time; }
void host_set_time(struct host *h, uint32_t t) { h->time = t; }
