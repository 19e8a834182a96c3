#include "textfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int textfile_open(struct textfile *t, const char *path, size_t max)
{
	memset(t, 0, sizeof(*t));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "%s: not a regular file\n", path);
		close(fd);
		return -1;
	}
	t->buf = malloc(max + 1);
	if (!t->buf) {
		fprintf(stderr, "%s: out of memory\n", path);
		close(fd);
		return -1;
	}
	for (;;) {
		ssize_t n = read(fd, t->buf + t->len, max + 1 - t->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "%s: %s\n", path, strerror(errno));
			textfile_close(t);
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		t->len += (size_t)n;
		if (t->len > max) {
			fprintf(stderr, "%s: larger than %zu bytes\n", path, max);
			textfile_close(t);
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
}

bool textfile_line(struct textfile *t, const char **line, size_t *len)
{
	if (t->pos >= t->len)
		return false;
	const char *s = t->buf + t->pos;
	const char *nl = memchr(s, '\n', t->len - t->pos);
	size_t n = nl ? (size_t)(nl - s) : t->len - t->pos;
	t->pos += n + (nl ? 1 : 0);
	t->lineno++;
	*line = s;
	*len = n;
	return true;
}

void textfile_close(struct textfile *t)
{
	free(t->buf);
	t->buf = NULL;
}
