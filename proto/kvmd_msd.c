/* kvmd's mass-storage API, the pure half: see kvmd_msd.h. */
#include "kvmd_msd.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

#define NDJSON_REDACT_MAX 2100

static int get(const char *s, const struct json_tok *t, int obj, const char *key)
{
	return obj >= 0 ? json_get(s, t, obj, key) : -1;
}

static bool getbool(const char *s, const struct json_tok *t, int obj, const char *key, bool *ok)
{
	int v = get(s, t, obj, key);
	if (v < 0 || (t[v].type != JSON_TRUE && t[v].type != JSON_FALSE)) {
		*ok = false;
		return false;
	}
	return t[v].type == JSON_TRUE;
}

static bool getu64(const char *s, const struct json_tok *t, int obj, const char *key, uint64_t *out)
{
	int64_t v;
	int i = get(s, t, obj, key);
	if (i < 0 || !json_int(s, t, i, 0, INT64_MAX, &v))
		return false;
	*out = (uint64_t)v;
	return true;
}

/* A string token unescaped, or (when it does not fit or holds a NUL) its raw bytes, cut. */
static void lossy(const char *s, const struct json_tok *t, int i, char *out, size_t cap)
{
	if (json_str(s, t, i, out, cap))
		return;
	size_t n = t[i].len < cap - 1 ? t[i].len : cap - 1;
	memcpy(out, s + t[i].start, n);
	out[n] = 0;
}

static bool is_obj(const struct json_tok *t, int i) { return i >= 0 && t[i].type == JSON_OBJECT; }

int kvmd_msd_state(const char *body, size_t len, const char *prefix, const char *target,
		   struct json_tok *t, int maxt, struct kvmd_msd_state *st)
{
	memset(st, 0, sizeof(*st));
	int n = json_parse(body, len, t, maxt, 8);
	if (n < 1 || t[0].type != JSON_OBJECT)
		return -1;
	int ok_i = get(body, t, 0, "ok"), res = get(body, t, 0, "result");
	if (ok_i < 0 || t[ok_i].type != JSON_TRUE || !is_obj(t, res))
		return -1;
	bool ok = true;
	st->enabled = getbool(body, t, res, "enabled", &ok);
	st->online = getbool(body, t, res, "online", &ok);
	st->busy = getbool(body, t, res, "busy", &ok);
	if (!ok)
		return -1;
	int drive = get(body, t, res, "drive");
	if (is_obj(t, drive)) {
		st->connected = getbool(body, t, drive, "connected", &ok);
		st->cdrom = getbool(body, t, drive, "cdrom", &ok);
		st->rw = getbool(body, t, drive, "rw", &ok);
		if (!ok)
			return -1;
		int img = get(body, t, drive, "image");
		int name = is_obj(t, img) ? get(body, t, img, "name") : -1;
		if (name >= 0 && !json_str(body, t, name, st->drive_image, sizeof(st->drive_image)))
			st->drive_image[0] = 0;
	} else if (drive >= 0 && t[drive].type != JSON_NULL) {
		return -1;
	}
	int storage = get(body, t, res, "storage");
	if (!is_obj(t, storage))
		return storage < 0 || t[storage].type == JSON_NULL ? 0 : -1;
	int parts = get(body, t, storage, "parts");
	int root = is_obj(t, parts) ? get(body, t, parts, "") : -1;
	if (is_obj(t, root))
		st->has_free = getu64(body, t, root, "free", &st->free);
	else
		st->has_free = getu64(body, t, storage, "free", &st->free); /* kvmd < 3.206 */
	int images = get(body, t, storage, "images");
	if (!is_obj(t, images))
		return 0;
	size_t plen = prefix ? strlen(prefix) : 0;
	for (int k = json_first(t, images); k >= 0; k = json_next(t, k)) {
		char name[KVMD_MSD_NAME_MAX + 1];
		st->images++;
		if (!json_str(body, t, k, name, sizeof(name)))
			continue; /* longer than any name bmcd makes */
		if (plen && !st->ours[0] && !strncmp(name, prefix, plen) && name[plen] == '/')
			memcpy(st->ours, name, strlen(name) + 1);
		if (target && !strcmp(name, target) && is_obj(t, k + 1)) {
			bool c_ok = true;
			st->target_found = true;
			st->target_complete = getbool(body, t, k + 1, "complete", &c_ok) && c_ok;
			getu64(body, t, k + 1, "size", &st->target_size);
		}
	}
	return 0;
}

int kvmd_switch_active(const char *body, size_t len, struct json_tok *t, int maxt, int *ports,
		       int *active)
{
	int64_t a;
	*ports = 0;
	*active = -1;
	int n = json_parse(body, len, t, maxt, 12);
	if (n == JSON_ETOKENS)
		return n;
	if (n < 1 || t[0].type != JSON_OBJECT)
		return -1;
	int ok_i = get(body, t, 0, "ok"), res = get(body, t, 0, "result");
	if (ok_i < 0 || t[ok_i].type != JSON_TRUE || !is_obj(t, res))
		return -1;
	int model = get(body, t, res, "model");
	int p = is_obj(t, model) ? get(body, t, model, "ports") : -1;
	int sum = get(body, t, res, "summary");
	int act = is_obj(t, sum) ? get(body, t, sum, "active_port") : -1;
	if (p < 0 || t[p].type != JSON_ARRAY || t[p].size > 1000 || act < 0 ||
	    !json_int(body, t, act, -1, 1000, &a))
		return -1;
	*ports = (int)t[p].size;
	*active = (int)a;
	return 0;
}

static void error_text(const char *s, const struct json_tok *t, int res, char *err, size_t errlen)
{
	char cls[64] = "", msg[512] = "", both[600];
	int c = get(s, t, res, "error"), m = get(s, t, res, "error_msg");
	if (c >= 0 && t[c].type == JSON_STRING)
		lossy(s, t, c, cls, sizeof(cls));
	if (m >= 0 && t[m].type == JSON_STRING)
		lossy(s, t, m, msg, sizeof(msg));
	if (!cls[0])
		memcpy(cls, "kvmd error", 11);
	size_t cl = strlen(cls), ml = strlen(msg);
	memcpy(both, cls, cl);
	if (ml) {
		memcpy(both + cl, ": ", 2);
		memcpy(both + cl + 2, msg, ml);
		cl += ml + 2;
	}
	kvmd_redact(both, cl, err, errlen);
}

enum kvmd_line kvmd_msd_line(const char *line, size_t len, bool truncated,
			     struct kvmd_msd_progress *p, char *err, size_t errlen)
{
	struct json_tok t[24];
	memset(p, 0, sizeof(*p));
	if (errlen)
		err[0] = 0;
	int n = truncated ? -1 : json_parse(line, len, t, 24, 6);
	if (n < 1 || t[0].type != JSON_OBJECT) {
		/* a cut line: an error when it starts like one */
		static const char *const starts[] = { "{\"ok\": false", "{\"ok\":false" };
		for (size_t i = 0; i < 2; i++) {
			size_t sl = strlen(starts[i]);
			if (len >= sl && !memcmp(line, starts[i], sl)) {
				char raw[NDJSON_REDACT_MAX];
				kvmd_redact(line, len, raw, sizeof(raw));
				snprintf(err, errlen, "kvmd error (line not readable): %.100s", raw);
				return KVMD_LINE_ERROR;
			}
		}
		snprintf(err, errlen, "kvmd sent an unreadable progress line");
		return KVMD_LINE_BAD;
	}
	int ok = get(line, t, 0, "ok"), res = get(line, t, 0, "result");
	if (ok < 0 || !is_obj(t, res) || (t[ok].type != JSON_TRUE && t[ok].type != JSON_FALSE)) {
		snprintf(err, errlen, "kvmd sent an unexpected progress line");
		return KVMD_LINE_BAD;
	}
	if (t[ok].type == JSON_FALSE) {
		error_text(line, t, res, err, errlen);
		return KVMD_LINE_ERROR;
	}
	int img = get(line, t, res, "image");
	int name = is_obj(t, img) ? get(line, t, img, "name") : -1;
	if (name < 0 || !json_str(line, t, name, p->name, sizeof(p->name)) ||
	    !getu64(line, t, img, "size", &p->size) || !getu64(line, t, img, "written", &p->written)) {
		snprintf(err, errlen, "kvmd sent an unexpected progress line");
		return KVMD_LINE_BAD;
	}
	return KVMD_LINE_PROGRESS;
}

const char *kvmd_msd_error(int status, const char *body, size_t len, char *err, size_t errlen)
{
	struct json_tok t[24];
	int n = json_parse(body, len, t, 24, 6);
	int res = n > 0 && t[0].type == JSON_OBJECT ? get(body, t, 0, "result") : -1;
	if (is_obj(t, res) && get(body, t, res, "error") >= 0) {
		error_text(body, t, res, err, errlen);
		return err;
	}
	/* aiohttp's text/plain answers: "500 Internal Server Error\n\n..." */
	char first[80] = "";
	const char *nl = memchr(body, '\n', len);
	size_t fl = nl ? (size_t)(nl - body) : len;
	if (fl && fl < 70 && n < 1)
		log_safe(body, fl, first, sizeof(first));
	snprintf(err, errlen, "kvmd answered HTTP %d%s%s", status, first[0] ? ": " : "", first);
	return err;
}

const char *kvmd_redact(const char *in, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	if (!cap)
		return out;
	for (size_t i = 0; i < n && o + 1 < cap;) {
		if (i + 3 <= n && !memcmp(in + i, "://", 3)) {
			/* the authority: up to '/', '?', '#', a quote, a blank or the end */
			size_t a = i + 3, e = a, at = 0;
			while (e < n && !strchr("/?#'\" \t<>", in[e]) && in[e] >= 0x20 && in[e] < 0x7F) {
				if (in[e] == '@')
					at = e;
				e++;
			}
			bool colon = memchr(in + a, ':', e - a) != NULL;
			/* an authority that runs to the end of text that may have been cut could
			 * be a "user:password" whose '@' was cut off */
			const char *rep = at ? "://***@" : e == n && colon ? "://***" : "://";
			if (!at && e == n && colon)
				at = n - 1;
			for (const char *r = rep; *r && o + 1 < cap; r++)
				out[o++] = *r;
			i = at ? at + 1 : a;
			continue;
		}
		char ch = in[i++];
		out[o++] = ch >= 0x20 && ch < 0x7F ? ch : '?';
	}
	out[o] = 0;
	return out;
}

bool kvmd_url_ok(const char *url, size_t max, const char **why)
{
	size_t n = strlen(url), skip;
	if (!strncasecmp(url, "http://", 7))
		skip = 7;
	else if (!strncasecmp(url, "https://", 8))
		skip = 8;
	else {
		*why = "the image URL must start with http:// or https://";
		return false;
	}
	if (n > max) {
		*why = "the image URL is too long";
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (url[i] <= 0x20 || url[i] >= 0x7F) {
			*why = "the image URL has spaces or characters outside printable ASCII";
			return false;
		}
	}
	const char *host = url + skip, *at = NULL;
	size_t hl = strcspn(host, "/?#");
	for (size_t i = 0; i < hl; i++)
		if (host[i] == '@')
			at = host + i;
	if (at)
		hl -= (size_t)(at + 1 - host);
	if (!hl || (at ? at[1] : host[0]) == ':') {
		*why = "the image URL has no host";
		return false;
	}
	return true;
}

const char *kvmd_image_name(const char *url, char *out, size_t cap)
{
	size_t n = strcspn(url, "?#"), start = 0, o = 0;
	const char *sch = strstr(url, "://");
	size_t path = sch && (size_t)(sch - url) < n ? (size_t)(sch - url) + 3 : 0;
	path += strcspn(url + path, "/?#"); /* skip the authority */
	if (path > n)
		path = n;
	for (size_t i = path; i < n; i++)
		if (url[i] == '/')
			start = i + 1;
	if (!start)
		start = n; /* no path: nothing to name it by */
	if (!cap)
		return out;
	for (size_t i = start; i < n && o + 1 < cap; i++) {
		char c = url[i];
		bool good = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			    c == '.' || c == '_' || c == '-';
		if (!o && c == '.')
			continue;
		out[o++] = good ? c : '_';
	}
	out[o] = 0;
	if (!o && cap > 9)
		memcpy(out, "image.iso", 10);
	return out;
}

bool kvmd_query_escape(const char *in, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	for (; *in; in++) {
		unsigned char c = (unsigned char)*in;
		bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			     c == '.' || c == '_' || c == '~' || c == '-';
		if (o + (plain ? 1 : 3) >= cap)
			return false;
		if (plain) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (o >= cap)
		return false;
	out[o] = 0;
	return true;
}
