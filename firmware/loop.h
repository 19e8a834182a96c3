/*
 * The poll() loop: descriptors with callbacks, and deadline sources (a function that says
 * when it next needs to run, and one that runs it). One thread; nothing in a callback may
 * block. Removal of a descriptor during a round is deferred to the end of the round.
 */
#ifndef BMCD_LOOP_H
#define BMCD_LOOP_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "bmcd_limits.h"

typedef void (*loop_fd_cb)(void *ctx, int fd, short revents, int64_t now);
typedef int64_t (*loop_deadline_fn)(void *ctx);
typedef void (*loop_tick_fn)(void *ctx, int64_t now);

struct loop_src {
	int fd;
	short events;
	bool dead;
	loop_fd_cb cb;
	void *ctx;
};

struct loop_timer {
	loop_deadline_fn deadline;
	loop_tick_fn tick;
	void *ctx;
};

/* Runs before every poll(): lets a module adjust the events it waits for. */
typedef void (*loop_prepare_fn)(void *ctx, int64_t now);

struct loop {
	struct pollfd *pfd;		/* cap entries, allocated at start-up */
	struct loop_src *src;
	int n, cap;
	struct loop_timer timers[LOOP_TIMERS_MAX];
	int ntimers;
	struct {
		loop_prepare_fn fn;
		void *ctx;
	} prepare[LOOP_TIMERS_MAX];
	int nprepare;
	bool stop;
	bool dirty;			/* a source was removed this round */
	uint64_t rounds;
};

int64_t now_ms(void); /* CLOCK_MONOTONIC in milliseconds */

int loop_init(struct loop *l, int cap);
/* Returns a handle (>= 0) or -1 when the table is full. */
int loop_add(struct loop *l, int fd, short events, loop_fd_cb cb, void *ctx);
void loop_set_events(struct loop *l, int handle, short events);
void loop_del(struct loop *l, int handle);
int loop_add_timer(struct loop *l, loop_deadline_fn d, loop_tick_fn t, void *ctx);
int loop_add_prepare(struct loop *l, loop_prepare_fn fn, void *ctx);
/* Runs until loop->stop is set. */
void loop_run(struct loop *l);

#endif
