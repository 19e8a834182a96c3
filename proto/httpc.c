/* HTTP/1.1 client-side parsing: see httpc.h. */
#include "httpc.h"

#include <string.h>

#include "http.h"
#include "parse.h"

int httpc_head(const char *buf, size_t len, struct httpc_head *h)
{
	memset(h, 0, sizeof(*h));
	const char *end = NULL;
	size_t lim = len < HTTPC_HEAD_MAX ? len : HTTPC_HEAD_MAX;
	for (size_t i = 0; i + 3 < lim; i++) {
		if (buf[i] == '\r' && !memcmp(buf + i, "\r\n\r\n", 4)) {
			end = buf + i + 4;
			break;
		}
	}
	if (!end)
		return len >= HTTPC_HEAD_MAX ? -1 : 0;
	/* "HTTP/1.x NNN reason" */
	uint32_t code;
	if (end - buf < 14 || memcmp(buf, "HTTP/1.", 7) != 0 || (buf[7] != '0' && buf[7] != '1') ||
	    buf[8] != ' ' || !parse_u32(buf + 9, 3, 100, 599, &code) ||
	    (buf[12] != ' ' && buf[12] != '\r'))
		return -1;
	h->status = (int)code;
	const char *p = memchr(buf, '\n', (size_t)(end - buf)) + 1;
	int lengths = 0;
	while (p < end - 2) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl || nl == p || nl[-1] != '\r')
			return -1;
		const char *colon = memchr(p, ':', (size_t)(nl - p));
		if (!colon || colon == p)
			return -1;
		size_t nlen = (size_t)(colon - p);
		const char *v = colon + 1;
		size_t vlen = (size_t)(nl - 1 - v);
		trim(&v, &vlen);
		if (str_ieq(p, nlen, "transfer-encoding")) {
			if (!http_token_list_has(v, vlen, "chunked"))
				return -1; /* a coding we cannot undo */
			h->chunked = true;
		} else if (str_ieq(p, nlen, "content-length")) {
			uint64_t cl = 0;
			if (!vlen || vlen > 15)
				return -1;
			for (size_t i = 0; i < vlen; i++) {
				if (v[i] < '0' || v[i] > '9')
					return -1;
				cl = cl * 10 + (uint64_t)(v[i] - '0');
			}
			if (lengths++ && cl != h->content_length)
				return -1;
			h->has_length = true;
			h->content_length = cl;
		}
		p = nl + 1;
	}
	if (h->chunked)
		h->has_length = false; /* RFC 9112 6.3: chunked wins */
	h->head_len = (size_t)(end - buf);
	return (int)h->head_len;
}

void httpc_chunked_init(struct httpc_chunked *c)
{
	memset(c, 0, sizeof(*c));
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

size_t httpc_chunked_feed(struct httpc_chunked *c, const char *in, size_t n, httpc_data_fn fn,
			  void *ctx)
{
	size_t i = 0;
	while (i < n && c->st != HC_DONE && c->st != HC_ERROR) {
		char ch = in[i];
		switch (c->st) {
		case HC_SIZE: {
			int v = hexval(ch);
			if (v >= 0 && c->digits < 15) {
				c->left = c->left << 4 | (uint64_t)v;
				c->digits++;
			} else if (c->digits && (ch == ';' || ch == ' ' || ch == '\t')) {
				c->st = HC_EXT;
			} else if (c->digits && ch == '\r') {
				c->st = HC_SIZE_LF;
			} else {
				c->st = HC_ERROR;
				continue;
			}
			i++;
			break;
		}
		case HC_EXT:
			if (ch == '\r')
				c->st = HC_SIZE_LF;
			else if (ch == '\n')
				c->st = HC_ERROR;
			i++;
			break;
		case HC_SIZE_LF:
			if (ch != '\n') {
				c->st = HC_ERROR;
				continue;
			}
			i++;
			c->st = c->left ? HC_DATA : HC_TRAILER;
			break;
		case HC_DATA: {
			size_t take = n - i;
			if (take > c->left)
				take = (size_t)c->left;
			c->left -= take;
			size_t at = i;
			i += take;
			if (!c->left)
				c->st = HC_DATA_CR;
			if (!fn(ctx, in + at, take))
				return i;
			break;
		}
		case HC_DATA_CR:
			c->st = ch == '\r' ? HC_DATA_LF : HC_ERROR;
			if (c->st == HC_ERROR)
				continue;
			i++;
			break;
		case HC_DATA_LF:
			if (ch != '\n') {
				c->st = HC_ERROR;
				continue;
			}
			i++;
			c->st = HC_SIZE;
			c->digits = 0;
			c->left = 0;
			break;
		case HC_TRAILER: /* at the start of a trailer line, or of the final CRLF */
			c->st = ch == '\r' ? HC_TRAILER_LF : HC_TRAILER_LINE;
			i++;
			break;
		case HC_TRAILER_LINE:
			if (ch == '\n')
				c->st = HC_TRAILER;
			i++;
			break;
		case HC_TRAILER_LF:
			if (ch != '\n') {
				c->st = HC_ERROR;
				continue;
			}
			i++;
			c->st = HC_DONE;
			break;
		default:
			break;
		}
	}
	return i;
}
