/*
 * The BMC's own log: what the daemon itself reports (logins and their failures, sessions,
 * users-file reloads, configuration and security events, power requests with who asked),
 * kept in RAM for Redfish's Managers/bmc/LogServices/Log. A fixed ring sized at start-up
 * ([redfish] bmc_log_entries); when full the oldest entry is overwritten and counted.
 *
 * Entries are the daemon's log lines at notice level and above plus the informational ones
 * (sessions, logins); debug lines never. The text is stored as printable ASCII (anything
 * else becomes '?'), so it can go into JSON and logs as it is. Each entry's MessageId comes
 * from the subsystem that wrote it (the "ipmi:", "redfish:", ... prefix), in bmcd's own
 * message registry, Bmcd.1.0 (served by the Redfish engine).
 */
#ifndef BMCD_BMCLOG_H
#define BMCD_BMCLOG_H

#include <stdbool.h>
#include <stdint.h>

#define BMCLOG_TEXT_MAX 200	/* bytes of text kept per entry (longer lines are cut) */
#define BMCLOG_MAX 4096		/* the most entries a configuration may ask for */

enum bmclog_kind { BL_SERVICE = 0, BL_IPMI, BL_REDFISH, BL_CONSOLE, BL_HOST, BL_KINDS };

struct bmclog_entry {
	uint32_t id;		/* 1, 2, ...: never reused (clearing does not restart it) */
	uint32_t created;	/* seconds since the epoch */
	uint8_t level;		/* syslog level: 3 error, 4 warning, 5 notice, 6 info */
	uint8_t kind;		/* enum bmclog_kind */
	char text[BMCLOG_TEXT_MAX + 1];
};

struct bmclog {
	struct bmclog_entry *e;	/* ring of cap entries */
	uint16_t cap, n, head;	/* head: index of the oldest entry */
	uint32_t next_id;
	uint32_t overwritten;	/* entries lost to a full ring since the last clear */
};

void bmclog_init(struct bmclog *b, struct bmclog_entry *buf, uint16_t cap);
/* Records one line (level 3..6; others are ignored). */
void bmclog_add(struct bmclog *b, int level, uint32_t now, const char *text);
/* The i-th entry, oldest first; NULL past the end. */
const struct bmclog_entry *bmclog_at(const struct bmclog *b, uint16_t i);
/* The entry with this id, or NULL. */
const struct bmclog_entry *bmclog_find(const struct bmclog *b, uint32_t id);
void bmclog_clear(struct bmclog *b);
/* MessageId suffix for a kind ("IpmiEvent", ...) and a Redfish Severity for a level. */
const char *bmclog_message(uint8_t kind);
const char *bmclog_severity(uint8_t level);

#endif
