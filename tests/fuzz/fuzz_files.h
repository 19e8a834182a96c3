/*
 * For the harnesses of file parsers (config_load, users_load take a path): the input is
 * written to an anonymous memory file (memfd) and loaded through /proc/self/fd/N, so the
 * harness never touches the filesystem, and the parsers' stderr messages are silenced
 * around each load without losing sanitizer reports (they go to a saved copy of stderr).
 */
#ifndef BMCD_FUZZ_FILES_H
#define BMCD_FUZZ_FILES_H

#include <fcntl.h>
#include <sanitizer/common_interface_defs.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"

/*
 * firmware/textfile.c allocates CFG_FILE_MAX + 1 bytes (1 MiB) for every file it reads.
 * Under ASan each such malloc is a fresh mmap with 128 KiB of shadow to poison and unpoison
 * (about 1 ms, most of an input's time), so fuzz.mk compiles textfile.c with its malloc
 * and free renamed to these two: a request of the size seen first is served from one heap
 * buffer allocated once, ASan-poisoned while "free" so a use after textfile_close is still
 * reported; any other size goes to the real allocator.
 */
#include <sanitizer/asan_interface.h>

void *fuzz_textfile_malloc(size_t n);
void fuzz_textfile_free(void *p);

static void *ff_buf;
static size_t ff_buf_size;
static bool ff_buf_used;

void *fuzz_textfile_malloc(size_t n)
{
	if (!ff_buf) {
		ff_buf = malloc(n);
		ff_buf_size = n;
		ASAN_POISON_MEMORY_REGION(ff_buf, n);
	}
	if (n != ff_buf_size || ff_buf_used)
		return malloc(n);
	ff_buf_used = true;
	ASAN_UNPOISON_MEMORY_REGION(ff_buf, n);
	return ff_buf;
}

void fuzz_textfile_free(void *p)
{
	if (p && p == ff_buf) {
		FUZZ_ASSERT(ff_buf_used, "textfile buffer freed twice");
		ff_buf_used = false;
		ASAN_POISON_MEMORY_REGION(ff_buf, ff_buf_size);
		return;
	}
	free(p);
}

/* After a load: the reused buffer must be back, or it leaked (LeakSanitizer cannot see
 * that one: ff_buf still points to it). */
static void ff_check_released(void)
{
	FUZZ_ASSERT(!ff_buf_used, "textfile buffer not freed after the load (a leak)");
}

static int ff_fd = -1, ff_null = -1, ff_err = -1;
static char ff_path[64];

static void ff_init(void)
{
	ff_fd = memfd_create("bmcd-fuzz", MFD_CLOEXEC);
	FUZZ_ASSERT(ff_fd >= 0, "memfd_create");
	snprintf(ff_path, sizeof(ff_path), "/proc/self/fd/%d", ff_fd);
	ff_null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	ff_err = fcntl(2, F_DUPFD_CLOEXEC, 10);
	FUZZ_ASSERT(ff_null >= 0 && ff_err >= 0, "/dev/null or dup(2)");
	/* a crash while stderr points at /dev/null still reports here */
	__sanitizer_set_report_fd((void *)(intptr_t)ff_err);
}

/* Replaces the memory file's contents. */
static void ff_write(const uint8_t *data, size_t size)
{
	FUZZ_ASSERT(ftruncate(ff_fd, 0) == 0, "ftruncate");
	size_t off = 0;
	for (int i = 0; i < 16 && off < size; i++) {
		ssize_t w = pwrite(ff_fd, data + off, size - off, (off_t)off);
		FUZZ_ASSERT(w > 0, "pwrite");
		off += (size_t)w;
	}
}

static void ff_quiet(bool on)
{
	fflush(stderr);
	dup2(on ? ff_null : ff_err, 2);
}

#endif
