/*
 * The console ring: a fixed-size byte history of the host's serial output. One writer (the
 * UART reader); readers keep their own absolute positions (a 64-bit count of bytes ever
 * written), so a reader that falls behind can tell exactly how many bytes it lost.
 */
#ifndef BMCD_RING_H
#define BMCD_RING_H

#include <stddef.h>
#include <stdint.h>

struct ring {
	uint8_t *buf;
	size_t cap;	/* a power of two is not required */
	uint64_t head;	/* total bytes ever written */
};

void ring_init(struct ring *r, uint8_t *buf, size_t cap);
void ring_write(struct ring *r, const uint8_t *p, size_t n);
/* Oldest position still held. */
uint64_t ring_oldest(const struct ring *r);
/* Copies up to n bytes starting at absolute position pos (which must be >= ring_oldest and
 * <= head); returns how many. */
size_t ring_read(const struct ring *r, uint64_t pos, uint8_t *out, size_t n);

#endif
