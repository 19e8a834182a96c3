/*
 * NDJSON line reader (newline-delimited JSON, as kvmd streams it from /msd/write_remote:
 * one JSON object per line, "\r\n"-terminated), sans-I/O: the caller feeds bytes as they
 * arrive, in pieces of any size, and gets each complete line through a callback.
 *
 * Lines end at '\n'; one '\r' before it is dropped. Empty lines are skipped. A line longer
 * than NDJSON_LINE_MAX (counting its '\r') is delivered once, cut to its first
 * NDJSON_LINE_MAX bytes, with `truncated` set; the rest of it is skipped up to its '\n'.
 * A last line without '\n' is not a line (kvmd's web UI reads only terminated lines too):
 * ndjson_pending() tells whether such bytes are waiting. No allocation; the buffer lives in the struct.
 */
#ifndef BMCD_NDJSON_H
#define BMCD_NDJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NDJSON_LINE_MAX 2048

/* Returns false to stop reading: ndjson_feed() returns at once with the bytes it used. */
typedef bool (*ndjson_line_fn)(void *ctx, const char *line, size_t len, bool truncated);

struct ndjson {
	char line[NDJSON_LINE_MAX];
	size_t len;
	bool skipping;		/* inside an overlong line, after it was delivered */
	uint32_t lines;		/* lines delivered so far */
};

void ndjson_init(struct ndjson *r);
/* Feeds p[0..n): the number of bytes consumed (n unless the callback stopped it). */
size_t ndjson_feed(struct ndjson *r, const char *p, size_t n, ndjson_line_fn fn, void *ctx);
/* Bytes of an unterminated line are buffered. */
bool ndjson_pending(const struct ndjson *r);

#endif
