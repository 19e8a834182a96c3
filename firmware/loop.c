#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int loop_init(struct loop *l, int cap)
{
	memset(l, 0, sizeof(*l));
	if (cap > LOOP_FDS_MAX)
		cap = LOOP_FDS_MAX;
	l->pfd = calloc((size_t)cap, sizeof(*l->pfd));
	l->src = calloc((size_t)cap, sizeof(*l->src));
	if (!l->pfd || !l->src)
		return -1;
	l->cap = cap;
	return 0;
}

int loop_add(struct loop *l, int fd, short events, loop_fd_cb cb, void *ctx)
{
	for (int i = 0; i < l->n; i++) {
		/* reuse a slot freed in an earlier round */
		if (l->src[i].fd < 0 && !l->src[i].dead) {
			l->src[i] = (struct loop_src){ fd, events, false, cb, ctx };
			return i;
		}
	}
	if (l->n >= l->cap)
		return -1;
	l->src[l->n] = (struct loop_src){ fd, events, false, cb, ctx };
	return l->n++;
}

void loop_set_events(struct loop *l, int h, short events)
{
	if (h >= 0 && h < l->n)
		l->src[h].events = events;
}

void loop_del(struct loop *l, int h)
{
	if (h >= 0 && h < l->n) {
		l->src[h].dead = true;
		l->dirty = true;
	}
}

int loop_add_timer(struct loop *l, loop_deadline_fn d, loop_tick_fn t, void *ctx)
{
	if (l->ntimers >= LOOP_TIMERS_MAX)
		return -1;
	l->timers[l->ntimers++] = (struct loop_timer){ d, t, ctx };
	return 0;
}

int loop_add_prepare(struct loop *l, loop_prepare_fn fn, void *ctx)
{
	if (l->nprepare >= LOOP_TIMERS_MAX)
		return -1;
	l->prepare[l->nprepare].fn = fn;
	l->prepare[l->nprepare++].ctx = ctx;
	return 0;
}

void loop_run(struct loop *l)
{
	int map[LOOP_FDS_MAX];
	int64_t due[LOOP_TIMERS_MAX];
	while (!l->stop) {
		int64_t now = now_ms();
		int64_t next = INT64_MAX;
		for (int i = 0; i < l->nprepare; i++)
			l->prepare[i].fn(l->prepare[i].ctx, now);
		/* each deadline is asked once a round; a deadline that events in this round move
		 * earlier is seen at the start of the next round (poll then returns at once) */
		for (int i = 0; i < l->ntimers; i++) {
			due[i] = l->timers[i].deadline(l->timers[i].ctx);
			if (due[i] < next)
				next = due[i];
		}
		int np = 0;
		for (int i = 0; i < l->n && np < LOOP_FDS_MAX; i++) {
			struct loop_src *s = &l->src[i];
			if (s->dead || s->fd < 0 || !s->events)
				continue;
			l->pfd[np] = (struct pollfd){ s->fd, s->events, 0 };
			map[np++] = i;
		}
		int timeout = next == INT64_MAX ? -1 : next <= now ? 0 : next - now > 60000 ? 60000
											 : (int)(next - now);
		int r = poll(l->pfd, (nfds_t)np, timeout);
		if (r < 0 && errno != EINTR) {
			log_err("poll: %s", strerror(errno));
			l->stop = true;
			break;
		}
		now = now_ms();
		l->rounds++;
		for (int k = 0; r > 0 && k < np; k++) {
			if (!l->pfd[k].revents)
				continue;
			struct loop_src *s = &l->src[map[k]];
			if (!s->dead)
				s->cb(s->ctx, s->fd, l->pfd[k].revents, now);
		}
		for (int i = 0; i < l->ntimers; i++)
			if (due[i] <= now)
				l->timers[i].tick(l->timers[i].ctx, now);
		if (l->dirty) {
			for (int i = 0; i < l->n; i++) {
				if (l->src[i].dead)
					l->src[i] = (struct loop_src){ -1, 0, false, NULL, NULL };
			}
			while (l->n && l->src[l->n - 1].fd < 0)
				l->n--;
			l->dirty = false;
		}
	}
}
