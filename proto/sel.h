/*
 * The event log: a fixed ring of 16-byte IPMI SEL records, oldest overwritten when full,
 * with a count of the overwritten ones. IPMI serves it as the SEL; Redfish as
 * LogServices/EventLog. Each record carries a little metadata that does not fit the IPMI
 * format (who asked, through which protocol) for Redfish's Message text.
 */
#ifndef BMCD_SEL_H
#define BMCD_SEL_H

#include <stdbool.h>
#include <stdint.h>

#include "users.h"

#define SEL_REC_LEN 16
#define SEL_ID_FIRST 0x0000
#define SEL_ID_LAST 0xFFFF
#define SEL_WHAT_MAX 47

/* Sensor numbers bmcd uses in its records and SDRs. */
enum sensor_num {
	SENSOR_HOST_POWER = 1,	/* ACPI power state (0x22), from the power LED */
	SENSOR_HDD = 2,		/* HDD activity, from the HDD LED */
	SENSOR_BMC_TEMP = 3,	/* the BMC board's SoC temperature */
	SENSOR_POWER_UNIT = 4,	/* event-only: power off / cycle requests */
	SENSOR_SYS_BOOT = 5,	/* event-only: power up / reset requests */
	SENSOR_BUTTON = 6,	/* event-only: raw button pushes */
};

struct sel_entry {
	uint8_t rec[SEL_REC_LEN];
	uint8_t origin; /* enum host_origin */
	uint8_t text;   /* enum sel_text: what Redfish says about it */
	char user[USER_NAME_MAX + 1];
	char what[SEL_WHAT_MAX + 1]; /* what it was about (a virtual-media image), or "" */
};

/* Meaning of a record, for human-readable text. */
enum sel_text {
	SELT_RAW = 0, SELT_POWER_ON, SELT_POWER_OFF, SELT_ACT_ON, SELT_ACT_OFF, SELT_ACT_SOFT,
	SELT_ACT_RESET, SELT_ACT_CYCLE, SELT_ACT_PUSH, SELT_ACT_SOFT_RESTART, SELT_BOOT_SET,
	SELT_POLICY_SET, SELT_CLEARED, SELT_MEDIA_INSERTED, SELT_MEDIA_EJECTED, SELT_MEDIA_FAILED,
	SELT_COUNT
};

struct sel {
	struct sel_entry *e; /* ring of cap entries */
	uint16_t cap, head, count;
	uint16_t next_id;      /* record ID the next add gets */
	uint16_t reservation;  /* current reservation ID; 0 = none */
	uint32_t overwritten;  /* records lost to the ring wrapping */
	uint32_t last_add, last_erase; /* timestamps */
	uint32_t adds;         /* adds and clears so far, for change detection */
};

void sel_init(struct sel *s, struct sel_entry *buf, uint16_t cap);
/* Appends a record: fills in record ID and timestamp (bytes 0-1 and 3-6 for timestamped
 * types). Returns the record ID. */
uint16_t sel_add(struct sel *s, const uint8_t rec[SEL_REC_LEN], uint32_t now, uint8_t origin,
		 uint8_t text, const char *user);
/* Sets the `what` of the newest record (cut to SEL_WHAT_MAX bytes). */
void sel_set_what(struct sel *s, uint16_t id, const char *what);
/* Looks a record up by ID (SEL_ID_FIRST / SEL_ID_LAST allowed). Sets *next to the next ID
 * (0xFFFF after the last). NULL if no such record. */
const struct sel_entry *sel_get(const struct sel *s, uint16_t id, uint16_t *next);
/* The i-th oldest live entry (0 <= i < count). */
const struct sel_entry *sel_at(const struct sel *s, uint16_t i);
void sel_clear(struct sel *s, uint32_t now);
uint16_t sel_reserve(struct sel *s, uint16_t nonce);
uint16_t sel_record_id(const struct sel_entry *e);
uint32_t sel_timestamp(const struct sel_entry *e);
/* Builds a standard system event record (type 0x02) for an IPMI sensor event. */
void sel_make_event(uint8_t rec[SEL_REC_LEN], uint8_t sensor_type, uint8_t sensor_num,
		    uint8_t event_type, bool deassert, uint8_t ed1, uint8_t ed2, uint8_t ed3);

#endif
