/*
 * Virtual media (a mass-storage drive the host sees as a CD-ROM or a flash disk), for
 * Redfish VirtualMedia: InsertMedia -> insert(), EjectMedia -> eject(), the resource and
 * its task's progress -> status(). Backends: `sim` (state only, a simulated download) and
 * `kvmd` (PiKVM's kvmd: downloads the image into kvmd's storage with /msd/write_remote and
 * connects it).
 *
 * Like hal/atx.h, a backend never blocks and owns no thread: the loop asks for descriptors
 * (fds) and a deadline, and calls service() when one of them fires or the deadline passes
 * (service() reads its descriptors without blocking and may be called early).
 *
 * Contract
 * - insert(url, cdrom, rw): refuses at once (< 0, reason in err) an URL that is not http(s)
 *   or too long, any call while an insert or eject runs (state MSD_BUSY), and any call while
 *   the drive is known to be unavailable (online false). Returns 1 when that URL is already
 *   inserted, asked with the same cdrom/rw (nothing to do), else 0: the state becomes
 *   MSD_BUSY and ends as MSD_INSERTED or MSD_FAILED (error says why). Inserting over
 *   inserted media replaces it (eject first is implied).
 * - eject(): 0 when started or already empty; < 0 only while the drive is unavailable.
 *   While an insert runs it cancels it (the partial download is dropped). Ends as MSD_EMPTY
 *   or MSD_FAILED; eject after MSD_FAILED cleans up and ends as MSD_EMPTY.
 * - status(): a snapshot. seq increases on every change of state, url, image, size or
 *   error (progress bytes alone do not bump it: poll written/size for a task's percentage).
 *   online is false while the backend cannot reach its drive (then insert is refused).
 * - Texts (url, error) never hold credentials: "user:pass@" in an URL is shown as "***@".
 *   The credentials in the URL given to insert() are used for the download only.
 * - kvmd backend: only images bmcd created (under its prefix directory in kvmd's storage)
 *   are ever removed; images a person uploaded through kvmd stay. A drive connected by
 *   someone else is disconnected by insert() and eject() (the drive is one), except on a
 *   PiKVM Switch port while another port is active: that is another host's media, and
 *   insert() refuses with MSD_IN_USE (eject() leaves it). On a switch port, connected is
 *   false while another port is active (the host does not see the drive; the state stays).
 */
#ifndef BMCD_MEDIA_H
#define BMCD_MEDIA_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MSD_URL_MAX 1024
#define MSD_NAME_MAX 96		/* an image name, without kvmd's prefix directory */
#define MSD_IN_USE (-2)		/* insert(): another host holds the drive (err says who) */

enum msd_state {
	MSD_EMPTY,
	MSD_BUSY,		/* an insert or eject is in progress */
	MSD_INSERTED,
	MSD_FAILED,		/* the last insert or eject failed; the drive is disconnected
				 * (or in whatever state kvmd left it: see online/connected) */
};

struct msd_status {
	enum msd_state state;
	bool inserting;			/* MSD_BUSY: true for an insert, false for an eject */
	bool online;			/* the drive is there and usable */
	bool connected;			/* the host sees media (kvmd: drive.connected) */
	char url[MSD_URL_MAX + 1];	/* what was asked for (Redfish Image), redacted */
	char image[MSD_NAME_MAX + 1];	/* the image's name (Redfish ImageName) */
	bool cdrom, rw;			/* as asked; once inserted, as the drive took them (kvmd
					 * turns rw off for a CD-ROM and for *.iso images) */
	uint64_t size, written;		/* download progress (size 0: unknown yet) */
	uint32_t seq;			/* bumps on every state change */
	char error[160];		/* last failure, printable, no credentials */
};

struct msd;

struct msd_ops {
	const char *name;
	int (*fds)(struct msd *m, struct pollfd *out, int max); /* at most 1 today */
	int64_t (*deadline)(struct msd *m);			 /* INT64_MAX: none */
	void (*service)(struct msd *m, int64_t now, short revents);
	int (*insert)(struct msd *m, const char *url, bool cdrom, bool rw, int64_t now, char *err,
		      size_t errlen);
	int (*eject)(struct msd *m, int64_t now, char *err, size_t errlen);
	void (*status)(struct msd *m, struct msd_status *out);
	void (*destroy)(struct msd *m);
};

struct msd {
	const struct msd_ops *ops;
};

typedef void (*msd_log_fn)(void *ctx, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
