/*
 * Login throttling, one policy for IPMI and Redfish (issue 12, finding 3).
 *
 * Failed logins are counted per (source address, user name) and per source address. A
 * success clears only its own (address, user) count: logging in as oneself never wipes
 * the failures an address piled up against another account, and never the address's own
 * count, which only ages out. Past `per_user` failures for one (address, user) within
 * `window_ms`, or `per_addr` failures from the address for any names, that pair (or the
 * whole address) waits: first `lock_first_ms`, doubling with every further failure up to
 * `lock_max_ms`. Other addresses are never affected, so a guesser cannot lock the real
 * administrator out from elsewhere.
 *
 * The table is fixed (the caller's array); when it is full, the entry quiet for longest
 * that is not locked is reused. Addresses are 16 bytes (IPv4 as v4-mapped IPv6).
 */
#ifndef BMCD_THROTTLE_H
#define BMCD_THROTTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "users.h"

struct throttle_cfg {
	uint16_t per_user;	/* failures for one (address, user); 0 turns throttling off */
	uint16_t per_addr;	/* failures from one address, any user names */
	uint32_t window_ms;	/* failures older than this are forgotten (when not locked) */
	uint32_t lock_first_ms;	/* the first wait */
	uint32_t lock_max_ms;	/* the wait doubles up to this */
};

struct throttle_ent {
	uint8_t addr[16];
	char user[USER_NAME_MAX + 1];	/* "" counts the address as a whole */
	bool used;
	uint16_t count;
	uint32_t lock_ms;
	int64_t first, last, until;
};

struct throttle {
	struct throttle_cfg cfg;
	struct throttle_ent *e;
	unsigned n;
	unsigned used;	/* entries in use: none (the usual case) means no lookup at all */
};

void throttle_init(struct throttle *t, const struct throttle_cfg *cfg, struct throttle_ent *tab,
		   unsigned n);
/* Milliseconds until a login as `user` from addr may be checked; 0: now. */
int64_t throttle_wait(const struct throttle *t, const uint8_t addr[16], const char *user,
		      size_t ulen, int64_t now);
/* Counts a failure; returns the wait it started (ms), 0 when none (for the log). */
uint32_t throttle_fail(struct throttle *t, const uint8_t addr[16], const char *user, size_t ulen,
		       int64_t now);
/* A successful login: forgets that (address, user) pair only. */
void throttle_ok(struct throttle *t, const uint8_t addr[16], const char *user, size_t ulen);

#endif
