/* The SDR repository: sensor data records for the sensors bmcd really has, built once at
 * start-up. Record IDs are 1..n in order. */
#ifndef BMCD_SDR_H
#define BMCD_SDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SDR_MAX_RECORDS 12
#define SDR_REC_MAX 64
#define SDR_ID_MAX 16

struct sdr_repo {
	uint8_t rec[SDR_MAX_RECORDS][SDR_REC_MAX];
	uint8_t len[SDR_MAX_RECORDS];
	int n;
	uint32_t built;		/* timestamp of the last addition */
};

struct sdr_config {
	bool have_power;	/* the power LED is wired (host power state sensor) */
	bool have_hdd;		/* the HDD LED is wired */
	bool have_temp;		/* a BMC temperature source exists */
	int8_t temp_unc, temp_uc, temp_unr; /* upper thresholds, degrees C */
	const char *bmc_name;	/* MC device locator ID string */
	uint8_t dev_caps;	/* Get Device ID additional device support bits */
};

void sdr_build(struct sdr_repo *r, const struct sdr_config *c, uint32_t now);
/* Record with this ID (0x0000 = first); *next = the following ID or 0xFFFF. NULL if none. */
const uint8_t *sdr_get(const struct sdr_repo *r, uint16_t id, uint16_t *next, uint8_t *len);

#endif
