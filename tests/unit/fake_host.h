/* A fake host model for protocol unit tests: records requests, reports a settable state. */
#ifndef FAKE_HOST_H
#define FAKE_HOST_H

#include "../../proto/host.h"
#include "../../proto/sel.h"

struct host {
	struct host_status st;
	struct boot_override boot;
	int requests[HOST_ACTION_COUNT];
	int last_action;
	struct host_who last_who;
	int refuse; /* 0 accept, -1 queue full, -2 unavailable */
	unsigned identify_seconds;
	int identify_force;
	struct sel sel;
	struct sel_entry sel_buf[64];
	uint32_t time;
	int sel_changes; /* host_sel_add() and host_sel_clear() calls */
	int64_t now;	 /* the time the last call was made with */
};

void fake_host_init(struct host *h);

#endif
