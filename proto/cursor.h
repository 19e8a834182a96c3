/*
 * Bounded readers and writers for binary packets.
 *
 * A reader never reads past its end: every accessor checks the remaining length and, when
 * too little is left, sets a sticky error flag and returns zeros. Callers parse a whole
 * structure and test `r.err` once at the end. A writer works the same way: writing past
 * `cap` sets `err` and writes nothing more. Neither allocates; both point into buffers
 * owned by the caller.
 */
#ifndef BMCD_CURSOR_H
#define BMCD_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rd {
	const uint8_t *p;
	size_t len, off;
	bool err;
};

struct wr {
	uint8_t *p;
	size_t cap, len;
	bool err;
};

static inline struct rd rd_init(const void *p, size_t len)
{
	struct rd r = { (const uint8_t *)p, len, 0, false };
	return r;
}

static inline size_t rd_left(const struct rd *r) { return r->err ? 0 : r->len - r->off; }

/* Returns a pointer to the next n bytes and advances, or NULL (and sets err). */
static inline const uint8_t *rd_ptr(struct rd *r, size_t n)
{
	if (r->err || r->len - r->off < n) {
		r->err = true;
		return NULL;
	}
	const uint8_t *q = r->p + r->off;
	r->off += n;
	return q;
}

static inline uint8_t rd_u8(struct rd *r)
{
	const uint8_t *q = rd_ptr(r, 1);
	return q ? q[0] : 0;
}

static inline uint16_t rd_u16le(struct rd *r)
{
	const uint8_t *q = rd_ptr(r, 2);
	return q ? (uint16_t)(q[0] | q[1] << 8) : 0;
}

static inline uint32_t rd_u32le(struct rd *r)
{
	const uint8_t *q = rd_ptr(r, 4);
	return q ? (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24 : 0;
}

static inline uint32_t rd_u32be(struct rd *r)
{
	const uint8_t *q = rd_ptr(r, 4);
	return q ? (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | (uint32_t)q[3] : 0;
}

static inline void rd_bytes(struct rd *r, void *dst, size_t n)
{
	const uint8_t *q = rd_ptr(r, n);
	if (q)
		memcpy(dst, q, n);
	else
		memset(dst, 0, n);
}

static inline struct wr wr_init(void *p, size_t cap)
{
	struct wr w = { (uint8_t *)p, cap, 0, false };
	return w;
}

/* Reserves n bytes and returns a pointer to them, or NULL (and sets err). */
static inline uint8_t *wr_ptr(struct wr *w, size_t n)
{
	if (w->err || w->cap - w->len < n) {
		w->err = true;
		return NULL;
	}
	uint8_t *q = w->p + w->len;
	w->len += n;
	return q;
}

static inline void wr_u8(struct wr *w, uint8_t v)
{
	uint8_t *q = wr_ptr(w, 1);
	if (q)
		q[0] = v;
}

static inline void wr_u16le(struct wr *w, uint16_t v)
{
	uint8_t *q = wr_ptr(w, 2);
	if (q) {
		q[0] = (uint8_t)v;
		q[1] = (uint8_t)(v >> 8);
	}
}

static inline void wr_u32le(struct wr *w, uint32_t v)
{
	uint8_t *q = wr_ptr(w, 4);
	if (q) {
		q[0] = (uint8_t)v;
		q[1] = (uint8_t)(v >> 8);
		q[2] = (uint8_t)(v >> 16);
		q[3] = (uint8_t)(v >> 24);
	}
}

static inline void wr_u32be(struct wr *w, uint32_t v)
{
	uint8_t *q = wr_ptr(w, 4);
	if (q) {
		q[0] = (uint8_t)(v >> 24);
		q[1] = (uint8_t)(v >> 16);
		q[2] = (uint8_t)(v >> 8);
		q[3] = (uint8_t)v;
	}
}

static inline void wr_bytes(struct wr *w, const void *src, size_t n)
{
	uint8_t *q = wr_ptr(w, n);
	if (q && n)
		memcpy(q, src, n);
}

static inline void wr_fill(struct wr *w, uint8_t v, size_t n)
{
	uint8_t *q = wr_ptr(w, n);
	if (q && n)
		memset(q, v, n);
}

static inline void put_u16le(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void put_u32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t get_u32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint16_t get_u16le(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

#endif
