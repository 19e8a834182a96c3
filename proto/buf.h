/*
 * A bounded output buffer for text protocols (HTTP heads, JSON bodies). Appending past
 * `cap` sets a sticky `err` and appends nothing more; the caller checks once at the end
 * and answers 500 (or a smaller error) instead. Never allocates.
 */
#ifndef BMCD_BUF_H
#define BMCD_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	char *p;
	size_t cap, len;
	bool err;
};

void buf_init(struct buf *b, char *p, size_t cap);
void buf_add(struct buf *b, const void *s, size_t n);
void buf_str(struct buf *b, const char *s);
void buf_char(struct buf *b, char c);
void buf_u64(struct buf *b, uint64_t v);
void buf_i64(struct buf *b, int64_t v);
/* printf into the buffer (vsnprintf; truncation sets err) */
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
