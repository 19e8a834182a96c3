/* The one set of ASCII character helpers (locale-free, no <ctype.h>): every parser and
 * engine uses these instead of keeping its own copy. */
#ifndef BMCD_ASCII_H
#define BMCD_ASCII_H

#include <stdbool.h>
#include <stddef.h>

static inline bool ascii_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static inline unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}
static inline bool ascii_alpha(unsigned char c) { return ascii_lower(c) >= 'a' && ascii_lower(c) <= 'z'; }
static inline bool ascii_alnum(unsigned char c) { return ascii_digit(c) || ascii_alpha(c); }
/* The value of a hex digit, or -1. */
static inline int ascii_hex(unsigned char c)
{
	if (ascii_digit(c))
		return c - '0';
	c = ascii_lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}
/* n bytes equal but for ASCII letter case. */
static inline bool ascii_ieq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i]))
			return false;
	return true;
}

#endif
