/* Small bounded parsers for text input (config lines, HTTP headers, YAML scalars). None of
 * them uses sscanf/atoi; all take an explicit length. */
#ifndef BMCD_PARSE_H
#define BMCD_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A decimal unsigned integer in [min, max]: digits only, no sign, no spaces. */
bool parse_u32(const char *s, size_t len, uint32_t min, uint32_t max, uint32_t *out);
/* true/false, yes/no, on/off, 1/0 */
bool parse_bool(const char *s, size_t len, bool *out);
/* A UUID in text form (8-4-4-4-12 hex digits) to 16 bytes in text (big-endian) order. */
bool parse_uuid(const char *s, size_t len, uint8_t out[16]);
/* Trims ASCII spaces and tabs on both ends. */
void trim(const char **s, size_t *len);
bool str_eq(const char *s, size_t len, const char *lit);
bool str_ieq(const char *s, size_t len, const char *lit);
/* A copy of peer-controlled text fit for a log line or a message: every byte outside
 * printable ASCII (newlines, journald's <N> prefixes need a line start, escapes) becomes
 * '?'; cut to cap - 1 bytes; always terminated. Returns out. */
const char *log_safe(const char *s, size_t n, char *out, size_t cap);

#endif
