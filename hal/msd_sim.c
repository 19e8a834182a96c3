/*
 * A simulated virtual-media drive for the `sim` backend: state only, no bytes. An insert
 * "downloads" cfg.size bytes at cfg.rate_kib_s (progress every step_ms), then the media is
 * inserted; eject is immediate. URLs containing "404" fail at once, URLs containing "fail"
 * fail after the first progress step (for tests). msd_sim_cd() tells the simulated host
 * what it would boot from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../proto/kvmd_msd.h"
#include "msd.h"

struct msd_sim {
	struct msd base;
	struct msd_sim_cfg cfg;
	char url[MSD_URL_MAX + 1];
	int64_t started, next;
	struct msd_status st;
};

static struct msd_sim *sm(struct msd *m) { return (struct msd_sim *)m; }

#define SLOG(s, lvl, ...)                                                                  \
	do {                                                                               \
		if ((s)->cfg.log)                                                          \
			(s)->cfg.log((s)->cfg.log_ctx, lvl, __VA_ARGS__);                  \
	} while (0)

static int sim_fds(struct msd *m, struct pollfd *out, int max)
{
	(void)m;
	(void)out;
	(void)max;
	return 0;
}

static int64_t sim_deadline(struct msd *m)
{
	struct msd_sim *s = sm(m);
	return s->st.state == MSD_BUSY ? s->next : INT64_MAX;
}

static void sim_service(struct msd *m, int64_t now, short revents)
{
	struct msd_sim *s = sm(m);
	(void)revents;
	if (s->st.state != MSD_BUSY || now < s->next)
		return;
	uint64_t done = (uint64_t)(now - s->started) * s->cfg.rate_kib_s * 1024 / 1000;
	s->st.written = done < s->st.size ? done : s->st.size;
	if (strstr(s->url, "fail")) {
		snprintf(s->st.error, sizeof(s->st.error),
			 "ClientPayloadError: simulated download failure");
		s->st.state = MSD_FAILED;
		s->st.seq++;
		SLOG(s, 4, "msd: insert %s failed: %s", s->st.url, s->st.error);
		return;
	}
	if (s->st.written >= s->st.size) {
		s->st.state = MSD_INSERTED;
		s->st.connected = true;
		s->st.seq++;
		SLOG(s, 6, "msd: %s inserted (%s)", s->st.url, s->st.cdrom ? "CD-ROM" : "flash");
		return;
	}
	s->next = now + s->cfg.step_ms;
}

static int sim_insert(struct msd *m, const char *url, bool cdrom, bool rw, int64_t now, char *err,
		      size_t errlen)
{
	struct msd_sim *s = sm(m);
	const char *why;
	if (!kvmd_url_ok(url, MSD_URL_MAX, &why)) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if (s->st.state == MSD_BUSY) {
		snprintf(err, errlen, "another insert is in progress");
		return -1;
	}
	if (s->st.state == MSD_INSERTED && !strcmp(url, s->url) && cdrom == s->st.cdrom &&
	    (rw && !cdrom) == s->st.rw)
		return 1;
	snprintf(s->url, sizeof(s->url), "%s", url);
	kvmd_redact(url, strlen(url), s->st.url, sizeof(s->st.url));
	kvmd_image_name(url, s->st.image, sizeof(s->st.image));
	s->st.cdrom = cdrom;
	s->st.rw = rw && !cdrom;
	s->st.connected = false;
	s->st.error[0] = 0;
	s->st.size = s->cfg.size;
	s->st.written = 0;
	s->st.inserting = true;
	s->st.seq++;
	if (strstr(url, "404")) {
		snprintf(s->st.error, sizeof(s->st.error),
			 "ClientResponseError: 404, message='Not Found' (simulated)");
		s->st.state = MSD_FAILED;
		return 0;
	}
	s->st.state = MSD_BUSY;
	s->started = now;
	s->next = now + s->cfg.step_ms;
	return 0;
}

static int sim_eject(struct msd *m, int64_t now, char *err, size_t errlen)
{
	struct msd_sim *s = sm(m);
	(void)now;
	(void)err;
	(void)errlen;
	if (s->st.state == MSD_EMPTY)
		return 0;
	s->url[0] = s->st.url[0] = s->st.image[0] = s->st.error[0] = 0;
	s->st.size = s->st.written = 0;
	s->st.connected = false;
	s->st.state = MSD_EMPTY;
	s->st.seq++;
	SLOG(s, 6, "msd: ejected");
	return 0;
}

static void sim_status(struct msd *m, struct msd_status *out)
{
	*out = sm(m)->st;
}

static void sim_destroy(struct msd *m)
{
	free(m);
}

static const struct msd_ops sim_ops = {
	"sim", sim_fds, sim_deadline, sim_service, sim_insert, sim_eject, sim_status, sim_destroy,
};

struct msd *msd_sim_new(const struct msd_sim_cfg *cfg, int64_t now)
{
	(void)now;
	struct msd_sim *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->base.ops = &sim_ops;
	s->cfg = *cfg;
	if (!s->cfg.rate_kib_s)
		s->cfg.rate_kib_s = 20480;
	if (!s->cfg.size)
		s->cfg.size = 64ull << 20;
	if (!s->cfg.step_ms)
		s->cfg.step_ms = 100;
	s->st.online = true;
	return &s->base;
}

const char *msd_sim_cd(struct msd *m)
{
	struct msd_sim *s = sm(m);
	if (!m || m->ops != &sim_ops)
		return NULL;
	return s->st.state == MSD_INSERTED && s->st.cdrom ? s->st.image : NULL;
}
