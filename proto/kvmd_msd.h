/*
 * kvmd's mass-storage API, the pure half (no I/O), for hal/msd_kvmd.c: reading GET /msd,
 * the NDJSON progress lines of POST /msd/write_remote and kvmd's error answers; image names
 * from URLs; query escaping; and removing credentials from text that may hold a URL.
 *
 * kvmd's shapes (kvmd/apps/kvmd/api/msd.py, kvmd/plugins/msd/otg):
 *   GET /msd -> {"ok":true,"result":{"enabled","online","busy",
 *                "storage":{"images":{NAME:{"size","complete",..}},
 *                           "parts":{"":{"free",..}},..}|null,
 *                "drive":{"image":{"name",..}|null,"connected","cdrom","rw"}|null}}
 *   progress -> {"ok": true, "result": {"image": {"name", "size", "written"}}}
 *   errors   -> {"ok": false, "result": {"error": CLASS, "error_msg": TEXT}}
 * and, for the virtual media of one PiKVM Switch port, the active port of GET /switch
 * (kvmd/apps/kvmd/api/switch.py):
 *   GET /switch -> {"ok":true,"result":{"model":{"ports":[..],..},
 *                   "summary":{"active_port":N|-1,..},..}}
 */
#ifndef BMCD_KVMD_MSD_H
#define BMCD_KVMD_MSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"

#define KVMD_MSD_NAME_MAX 160	/* a kvmd image name (prefix/name) this client handles */

struct kvmd_msd_state {
	bool enabled, online, busy;
	bool connected, cdrom, rw;
	char drive_image[KVMD_MSD_NAME_MAX + 1];	/* selected image, "" when none (or too long) */
	uint32_t images;				/* images in the storage */
	char ours[KVMD_MSD_NAME_MAX + 1];		/* an image under "<prefix>/", "" when none */
	bool target_found, target_complete;		/* the image named `target` */
	uint64_t target_size;
	bool has_free;
	uint64_t free;					/* storage.parts[""].free (or storage.free) */
};

/* Reads a GET /msd body. prefix: the directory whose images are bmcd's (no slashes);
 * target: an image name to look for (may be NULL). t/maxt: token space for the parser.
 * 0 on success, -1 when the body is not kvmd's MSD state. */
int kvmd_msd_state(const char *body, size_t len, const char *prefix, const char *target,
		   struct json_tok *t, int maxt, struct kvmd_msd_state *st);

/* Reads a GET /switch body: the number of ports (model.ports) and summary.active_port
 * (-1: none). 0 on success, -1 when the body is not kvmd's Switch state, JSON_ETOKENS (< -1)
 * when it has more JSON values than maxt. */
int kvmd_switch_active(const char *body, size_t len, struct json_tok *t, int maxt, int *ports,
		       int *active);

enum kvmd_line { KVMD_LINE_BAD = -1, KVMD_LINE_PROGRESS = 0, KVMD_LINE_ERROR = 1 };

struct kvmd_msd_progress {
	char name[KVMD_MSD_NAME_MAX + 1];
	uint64_t size, written;
};

/* One NDJSON line of write_remote. PROGRESS fills p; ERROR writes "Class: message" (log-safe,
 * without credentials) into err; BAD: not a line kvmd sends (err says so). A truncated line
 * starting like an error is an ERROR. */
enum kvmd_line kvmd_msd_line(const char *line, size_t len, bool truncated,
			     struct kvmd_msd_progress *p, char *err, size_t errlen);

/* The error text of a non-200 answer: "Class: message" from kvmd's JSON, else "HTTP <status>"
 * with the start of a text body. Log-safe, without credentials. Returns err. */
const char *kvmd_msd_error(int status, const char *body, size_t len, char *err, size_t errlen);

/* Copies in to out with any URL's "user:password@" replaced by "***@" and every byte outside
 * printable ASCII replaced by '?'; cut to fit. Returns out. */
const char *kvmd_redact(const char *in, size_t n, char *out, size_t cap);

/* An http:// or https:// URL with a host, printable ASCII without spaces, at most max bytes.
 * false with a reason in *why. */
bool kvmd_url_ok(const char *url, size_t max, const char **why);

/* The image name for a URL: its last path segment (query and fragment dropped), each byte
 * outside [A-Za-z0-9._-] replaced by '_', leading dots dropped, cut to cap - 1 bytes;
 * "image.iso" when nothing is left. Returns out. */
const char *kvmd_image_name(const char *url, char *out, size_t cap);

/* Percent-encodes everything but [A-Za-z0-9._~-] for a query value. false if it does not fit. */
bool kvmd_query_escape(const char *in, char *out, size_t cap);

#endif
