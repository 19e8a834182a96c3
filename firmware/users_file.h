/* The users file: one account a line, `name:password` (administrator) or
 * `name:password:privilege` with privilege admin, operator or user. `#` starts a comment
 * line. PiKVM's legacy `name:password -> kvmduser:kvmdpass` lines are accepted; the part
 * after " -> " is ignored and the password is everything after the first ':'. Otherwise a
 * second ':' starts the privilege field, which must name a privilege: the password is
 * everything between the first and the last ':'. Errors are printed as file:line. */
#ifndef BMCD_USERS_FILE_H
#define BMCD_USERS_FILE_H

#include "../proto/users.h"

/* Parses path into us (us->u must hold us->max entries). Returns the number of errors; on
 * error us->n is left at the number of valid lines read. */
int users_load(struct users *us, const char *path);
/* Parses one line (no newline). Returns NULL on success or an error message. Used by
 * users_load and the unit tests. */
const char *users_parse_line(const char *l, size_t ll, struct user *out, bool *blank);

#endif
