#ifndef BMCD_PRIVDROP_H
#define BMCD_PRIVDROP_H
/* Drops root to the named user: supplementary groups from the group database, then
 * setresgid, setresuid, PR_SET_NO_NEW_PRIVS; each step checked. Returns 0 or -1 (printed).
 * Extra groups (e.g. the serial group) come from the group file like any other. */
int privdrop(const char *user);
#endif
