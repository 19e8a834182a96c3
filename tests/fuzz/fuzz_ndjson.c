/*
 * fuzz_ndjson: kvmd's streamed answers as hal/msd_kvmd.c reads them: the chunked decoder
 * (proto/httpc.c), the NDJSON line reader (proto/ndjson.c), each line through
 * kvmd_msd_line(), and the whole input through httpc_head(), kvmd_msd_state(),
 * kvmd_msd_error() and the URL helpers (kvmd_redact, kvmd_image_name, kvmd_url_ok,
 * kvmd_query_escape).
 *
 * Input: byte 0 = control (bit 0: the body is chunked; bits 1-7: the size of the pieces it
 * is fed in), the rest = the body. Checks: the reader sees the same lines whether the body
 * comes at once or in pieces; no line is longer than NDJSON_LINE_MAX; texts meant for logs
 * hold printable ASCII only; names only [A-Za-z0-9._-].
 */
#include "../../proto/httpc.h"
#include "../../proto/kvmd_msd.h"
#include "../../proto/ndjson.h"
#include "fuzz_common.h"

struct run {
	struct ndjson nd;
	uint32_t lines, errors;
	uint64_t sum; /* of line lengths and first bytes: what the reader saw */
};

static void printable(const char *s, const char *what)
{
	for (; *s; s++)
		FUZZ_ASSERT(*s >= 0x20 && *s < 0x7F, "%s: byte %02x", what, (unsigned char)*s);
}

static bool on_line(void *ctx, const char *line, size_t len, bool truncated)
{
	struct run *r = ctx;
	FUZZ_ASSERT(len > 0 && len <= NDJSON_LINE_MAX, "line length %zu", len);
	FUZZ_ASSERT(truncated ? len == NDJSON_LINE_MAX : !memchr(line, '\n', len), "line framing");
	r->lines++;
	r->sum += len * 131 + (unsigned char)line[0] + (truncated ? 7 : 0);
	struct kvmd_msd_progress p;
	char err[160];
	enum kvmd_line k = kvmd_msd_line(line, len, truncated, &p, err, sizeof(err));
	if (k == KVMD_LINE_ERROR) {
		r->errors++;
		printable(err, "line error");
	} else if (k == KVMD_LINE_BAD) {
		printable(err, "bad line");
	}
	return true;
}

static bool to_lines(void *ctx, const char *p, size_t n)
{
	struct run *r = ctx;
	FUZZ_ASSERT(ndjson_feed(&r->nd, p, n, on_line, r) == n, "reader stopped");
	return true;
}

static void feed(struct run *r, const uint8_t *p, size_t n, size_t piece, bool chunked)
{
	struct httpc_chunked c;
	httpc_chunked_init(&c);
	ndjson_init(&r->nd);
	r->lines = r->errors = 0;
	r->sum = 0;
	for (size_t i = 0; i < n; i += piece) {
		size_t k = n - i < piece ? n - i : piece;
		if (chunked) {
			if (c.st == HC_DONE || c.st == HC_ERROR)
				break;
			size_t used = httpc_chunked_feed(&c, (const char *)p + i, k, to_lines, r);
			FUZZ_ASSERT(used == k || c.st == HC_DONE || c.st == HC_ERROR, "chunked stall");
		} else {
			to_lines(r, (const char *)p + i, k);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool chunked = data[0] & 1;
	size_t piece = (data[0] >> 1) + 1;
	const uint8_t *p = data + 1;
	size_t n = size - 1;

	static struct run a, b;
	feed(&a, p, n, n ? n : 1, chunked);
	feed(&b, p, n, piece, chunked);
	FUZZ_ASSERT(a.lines == b.lines && a.sum == b.sum && a.errors == b.errors,
		    "split changes the lines: %u/%u", a.lines, b.lines);

	struct httpc_head h;
	(void)httpc_head((const char *)p, n, &h);

	static struct json_tok t[512];
	struct kvmd_msd_state st;
	if (kvmd_msd_state((const char *)p, n, "bmcd", "bmcd/x.iso", t, 512, &st) == 0) {
		FUZZ_ASSERT(!st.ours[0] || !strncmp(st.ours, "bmcd/", 5), "ours: %s", st.ours);
		FUZZ_ASSERT(strlen(st.drive_image) <= KVMD_MSD_NAME_MAX, "drive image");
	}
	char err[160];
	printable(kvmd_msd_error(400, (const char *)p, n, err, sizeof(err)), "error");

	char s[1200], out[3 * sizeof(s)];
	size_t sl = n < sizeof(s) - 1 ? n : sizeof(s) - 1;
	memcpy(s, p, sl);
	s[sl] = 0;
	printable(kvmd_redact(s, sl, out, sizeof(out)), "redact");
	FUZZ_ASSERT(!strstr(s, "://") || strstr(out, "://"), "redact lost the scheme");
	char name[97];
	kvmd_image_name(s, name, sizeof(name));
	FUZZ_ASSERT(name[0] && name[0] != '.', "name: %s", name);
	for (const char *q = name; *q; q++)
		FUZZ_ASSERT(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-", *q),
			    "name byte %02x", (unsigned char)*q);
	const char *why;
	(void)kvmd_url_ok(s, 1024, &why);
	if (kvmd_query_escape(s, out, sizeof(out)))
		FUZZ_ASSERT(strlen(out) >= strlen(s) && !strpbrk(out, "&?#/ =+"), "escape: %s", out);
	return 0;
}
