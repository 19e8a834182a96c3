#include "ring.h"

#include <string.h>

void ring_init(struct ring *r, uint8_t *buf, size_t cap)
{
	r->buf = buf;
	r->cap = cap;
	r->head = 0;
}

void ring_write(struct ring *r, const uint8_t *p, size_t n)
{
	if (r->cap == 0)
		return;
	if (n > r->cap) { /* only the newest cap bytes can survive */
		r->head += n - r->cap;
		p += n - r->cap;
		n = r->cap;
	}
	size_t at = (size_t)(r->head % r->cap);
	size_t first = r->cap - at < n ? r->cap - at : n;
	memcpy(r->buf + at, p, first);
	memcpy(r->buf, p + first, n - first);
	r->head += n;
}

uint64_t ring_oldest(const struct ring *r)
{
	return r->head > r->cap ? r->head - r->cap : 0;
}

size_t ring_read(const struct ring *r, uint64_t pos, uint8_t *out, size_t n)
{
	if (pos < ring_oldest(r) || pos >= r->head)
		return 0;
	if (n > r->head - pos)
		n = (size_t)(r->head - pos);
	size_t at = (size_t)(pos % r->cap);
	size_t first = r->cap - at < n ? r->cap - at : n;
	memcpy(out, r->buf + at, first);
	memcpy(out + first, r->buf, n - first);
	return n;
}
