/* NDJSON line reader: see ndjson.h. */
#include "ndjson.h"

#include <string.h>

void ndjson_init(struct ndjson *r)
{
	memset(r, 0, sizeof(*r));
}

static bool deliver(struct ndjson *r, bool truncated, ndjson_line_fn fn, void *ctx)
{
	size_t len = r->len;
	if (!truncated && len && r->line[len - 1] == '\r')
		len--;
	r->len = 0;
	if (!len)
		return true;
	r->lines++;
	return fn(ctx, r->line, len, truncated);
}

size_t ndjson_feed(struct ndjson *r, const char *p, size_t n, ndjson_line_fn fn, void *ctx)
{
	size_t i = 0;
	while (i < n) {
		const char *nl = memchr(p + i, '\n', n - i);
		size_t seg = nl ? (size_t)(nl - (p + i)) : n - i;
		if (r->skipping) {
			i += seg;
			if (nl) {
				i++;
				r->skipping = false;
			}
			continue;
		}
		size_t room = sizeof(r->line) - r->len;
		if (seg > room) {
			/* overlong: deliver the first NDJSON_LINE_MAX bytes, skip to the '\n' */
			memcpy(r->line + r->len, p + i, room);
			r->len += room;
			i += room;
			r->skipping = true;
			if (!deliver(r, true, fn, ctx))
				return i;
			continue;
		}
		memcpy(r->line + r->len, p + i, seg);
		r->len += seg;
		i += seg;
		if (!nl)
			break;
		i++;
		if (!deliver(r, false, fn, ctx))
			return i;
	}
	return i;
}

bool ndjson_pending(const struct ndjson *r)
{
	return r->len > 0;
}
