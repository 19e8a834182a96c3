/*
 * fuzz_yaml: the kvmd YAML subset reader (proto/yaml.c) on whole files: block mappings,
 * quoted scalars, flow mappings, !include, and everything it has to step over.
 *
 * Checks beyond the sanitizers (yaml.h's contract): each callback gets a known kind, a
 * NUL-terminated path shorter than YAML_PATH_MAX that starts with the prefix, a value
 * shorter than YAML_VALUE_MAX, a line number inside the file; the error count returned
 * equals the YAML_ERROR callbacks; two runs see the same callbacks; a callback that asks
 * to stop gets no further calls.
 */
#include "../../proto/yaml.h"
#include "fuzz_common.h"

#define TRACE_MAX 4096

struct run {
	const char *prefix;
	int max_line;
	int n, errors, stop_at;
	uint64_t trace[TRACE_MAX]; /* rolling hash after each callback */
	uint64_t h;
};

static uint64_t mix(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return (h ^ 0xFF) * 0x100000001b3ull;
}

static int cb(void *ctx, enum yaml_kind kind, const char *path, const char *value, int line)
{
	struct run *r = ctx;
	FUZZ_ASSERT(r->stop_at == 0 || r->n < r->stop_at, "callback after a stop");
	FUZZ_ASSERT(kind == YAML_SCALAR || kind == YAML_INCLUDE || kind == YAML_ERROR, "kind %d",
		    kind);
	FUZZ_ASSERT(path && value, "NULL path or value");
	FUZZ_ASSERT(strnlen(path, YAML_PATH_MAX) < YAML_PATH_MAX, "path too long");
	FUZZ_ASSERT(strnlen(value, YAML_VALUE_MAX) < YAML_VALUE_MAX, "value too long");
	FUZZ_ASSERT(line >= 1 && line <= r->max_line, "line %d of %d", line, r->max_line);
	if (kind != YAML_ERROR && r->prefix[0])
		FUZZ_ASSERT(!strncmp(path, r->prefix, strlen(r->prefix)), "path '%s' lacks the prefix",
			    path);
	if (kind == YAML_ERROR)
		r->errors++;
	r->h = mix(mix(r->h ^ (uint64_t)kind * 31 ^ (uint64_t)line << 8, path), value);
	if (r->n < TRACE_MAX)
		r->trace[r->n] = r->h;
	r->n++;
	return r->stop_at && r->n == r->stop_at;
}

static struct run a, b;

static int parse(struct run *r, const char *s, size_t n, const char *prefix, int stop_at,
		 int max_line)
{
	memset(r, 0, sizeof(*r));
	r->prefix = prefix;
	r->stop_at = stop_at;
	r->max_line = max_line;
	r->h = 0xcbf29ce484222325ull;
	return yaml_parse(s, n, prefix, cb, r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	int lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n' || data[i] == '\r';
	int e1 = parse(&a, s, size, "", 0, lines);
	FUZZ_ASSERT(e1 == a.errors, "returned %d errors, reported %d", e1, a.errors);
	int e2 = parse(&b, s, size, "", 0, lines);
	FUZZ_ASSERT(e2 == e1 && b.n == a.n && b.h == a.h, "a second run differs");
	if (a.n > 1 && a.n <= TRACE_MAX) {
		int k = a.n / 2;
		parse(&b, s, size, "", k, lines);
		FUZZ_ASSERT(b.n == k && b.trace[k - 1] == a.trace[k - 1],
			    "stopping at callback %d gave %d callbacks", k, b.n);
	}
	parse(&b, s, size, "override.d", 0, lines);
	return 0;
}
