/*
 * The client side of HTTP/1.1, sans-I/O: a response head parser and a chunked
 * transfer-coding decoder (RFC 9112 section 7.1), for talking to kvmd's API socket.
 *
 * httpc_head() looks at buf[0..len): the status line and header fields up to the blank
 * line (CRLF line endings). It reads the status code, Content-Length and whether the body is
 * chunked. The chunked decoder takes the bytes after the head in pieces of any size and
 * hands the payload to a callback; chunk extensions and trailer fields are skipped.
 */
#ifndef BMCD_HTTPC_H
#define BMCD_HTTPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTPC_HEAD_MAX 4096

struct httpc_head {
	int status;			/* 100..599 */
	bool chunked;			/* Transfer-Encoding: chunked */
	bool has_length;
	uint64_t content_length;
	size_t head_len;		/* status line + fields + blank line */
};

/* > 0: the head is complete and that long; 0: incomplete (read more; a head longer than
 * HTTPC_HEAD_MAX is an error instead); < 0: malformed. */
int httpc_head(const char *buf, size_t len, struct httpc_head *h);

enum httpc_chunk_state {
	HC_SIZE, HC_EXT, HC_SIZE_LF, HC_DATA, HC_DATA_CR, HC_DATA_LF, HC_TRAILER, HC_TRAILER_LINE,
	HC_TRAILER_LF, HC_DONE, HC_ERROR
};

typedef bool (*httpc_data_fn)(void *ctx, const char *p, size_t n); /* false: stop */

struct httpc_chunked {
	enum httpc_chunk_state st;
	uint64_t left;			/* payload bytes left in this chunk */
	int digits;			/* hex digits of the size so far */
};

void httpc_chunked_init(struct httpc_chunked *c);
/* Decodes in[0..n): the number of bytes consumed. Stops at the end of the body (st ==
 * HC_DONE; the rest is not part of it), at a framing error (st == HC_ERROR), or when the
 * callback returns false. */
size_t httpc_chunked_feed(struct httpc_chunked *c, const char *in, size_t n, httpc_data_fn fn,
			  void *ctx);

#endif
