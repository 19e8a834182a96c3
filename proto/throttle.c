/*
 * Login throttling. See throttle.h for the policy.
 */
#include "throttle.h"

#include <string.h>

void throttle_init(struct throttle *t, const struct throttle_cfg *cfg, struct throttle_ent *tab,
		   unsigned n)
{
	t->cfg = *cfg;
	t->e = tab;
	t->n = n;
	t->used = 0;
	memset(tab, 0, sizeof(*tab) * n);
}

static bool same(const struct throttle_ent *e, const uint8_t addr[16], const char *user,
		 size_t ulen)
{
	return e->used && !memcmp(e->addr, addr, 16) && strlen(e->user) == ulen &&
	       !memcmp(e->user, user, ulen);
}

static struct throttle_ent *find(const struct throttle *t, const uint8_t addr[16],
				 const char *user, size_t ulen)
{
	if (ulen > USER_NAME_MAX)
		ulen = USER_NAME_MAX; /* longer names are not users; they share one entry */
	if (!t->used)
		return NULL;
	for (unsigned i = 0; i < t->n; i++)
		if (same(&t->e[i], addr, user, ulen))
			return &t->e[i];
	return NULL;
}

static struct throttle_ent *take(struct throttle *t, const uint8_t addr[16], const char *user,
				 size_t ulen, int64_t now)
{
	if (ulen > USER_NAME_MAX)
		ulen = USER_NAME_MAX;
	struct throttle_ent *e = find(t, addr, user, ulen), *victim = NULL;
	if (e)
		return e;
	for (unsigned i = 0; i < t->n && !e; i++) {
		struct throttle_ent *c = &t->e[i];
		if (!c->used) {
			e = c;
		} else if (!victim) {
			victim = c;
		} else {
			bool cl = c->until > now, vl = victim->until > now;
			if ((vl && !cl) || (vl == cl && c->last < victim->last))
				victim = c;
		}
	}
	if (!e)
		e = victim;
	else
		t->used++;
	memset(e, 0, sizeof(*e));
	e->used = true;
	memcpy(e->addr, addr, 16);
	memcpy(e->user, user, ulen);
	return e;
}

static int64_t wait_of(const struct throttle_ent *e, int64_t now)
{
	return e && e->until > now ? e->until - now : 0;
}

int64_t throttle_wait(const struct throttle *t, const uint8_t addr[16], const char *user,
		      size_t ulen, int64_t now)
{
	if (!t->cfg.per_user || !t->n)
		return 0;
	int64_t a = wait_of(find(t, addr, "", 0), now);
	int64_t u = user ? wait_of(find(t, addr, user, ulen), now) : 0;
	return a > u ? a : u;
}

/* One failure on entry e with threshold th; returns the wait it set, 0 if none. */
static uint32_t count(const struct throttle *t, struct throttle_ent *e, uint16_t th, int64_t now)
{
	if (e->count && now - e->first > (int64_t)t->cfg.window_ms && now >= e->until) {
		e->count = 0; /* quiet for a window, not locked: start afresh */
		e->lock_ms = 0;
	}
	if (!e->count)
		e->first = now;
	if (e->count < UINT16_MAX)
		e->count++;
	e->last = now;
	if (e->count < th)
		return 0;
	e->lock_ms = e->lock_ms ? e->lock_ms * 2 : t->cfg.lock_first_ms;
	if (e->lock_ms > t->cfg.lock_max_ms)
		e->lock_ms = t->cfg.lock_max_ms;
	e->until = now + e->lock_ms;
	return e->lock_ms;
}

uint32_t throttle_fail(struct throttle *t, const uint8_t addr[16], const char *user, size_t ulen,
		       int64_t now)
{
	if (!t->cfg.per_user || !t->n)
		return 0;
	uint32_t w = 0;
	if (user && ulen)
		w = count(t, take(t, addr, user, ulen, now), t->cfg.per_user, now);
	uint32_t a = count(t, take(t, addr, "", 0, now),
			   t->cfg.per_addr ? t->cfg.per_addr : t->cfg.per_user, now);
	return a > w ? a : w;
}

void throttle_ok(struct throttle *t, const uint8_t addr[16], const char *user, size_t ulen)
{
	struct throttle_ent *e = ulen ? find(t, addr, user, ulen) : NULL;
	if (e) {
		memset(e, 0, sizeof(*e));
		t->used--;
	}
}
