/* A whole text file read into memory (bounded), walked line by line. Used at start-up and
 * on reload only. */
#ifndef BMCD_TEXTFILE_H
#define BMCD_TEXTFILE_H

#include <stdbool.h>
#include <stddef.h>

struct textfile {
	char *buf;
	size_t len, pos;
	int lineno;
	const char *error; /* set when the file could not be read whole */
};

/* Reads at most max bytes; a larger file is an error. Prints "path: reason" on failure
 * and returns -1. */
int textfile_open(struct textfile *t, const char *path, size_t max);
/* Next line without its newline; false at the end. */
bool textfile_line(struct textfile *t, const char **line, size_t *len);
void textfile_close(struct textfile *t);

#endif
