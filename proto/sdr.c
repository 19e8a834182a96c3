#include "sdr.h"

#include <string.h>

#include "sel.h"

enum { SDR_FULL = 0x01, SDR_COMPACT = 0x02, SDR_EVENT_ONLY = 0x03, SDR_MC_LOCATOR = 0x12 };

static uint8_t *start(struct sdr_repo *r, uint8_t type)
{
	if (r->n >= SDR_MAX_RECORDS)
		return NULL;
	uint8_t *p = r->rec[r->n];
	memset(p, 0, SDR_REC_MAX);
	uint16_t id = (uint16_t)(r->n + 1);
	p[0] = (uint8_t)id;
	p[1] = (uint8_t)(id >> 8);
	p[2] = 0x51;	/* SDR version */
	p[3] = type;
	return p;
}

/* Appends the ID string at offset `at` and closes the record. */
static void finish(struct sdr_repo *r, uint8_t *p, size_t at, const char *name)
{
	size_t n = strlen(name);
	if (n > SDR_ID_MAX)
		n = SDR_ID_MAX;
	p[at] = (uint8_t)(0xC0 | n); /* 8-bit ASCII */
	memcpy(p + at + 1, name, n);
	size_t total = at + 1 + n;
	p[4] = (uint8_t)(total - 5);
	r->len[r->n++] = (uint8_t)total;
}

static void owner(uint8_t *p, uint8_t num, uint8_t entity, uint8_t instance)
{
	p[5] = 0x20;	/* owned by the BMC */
	p[6] = 0x00;	/* LUN 0 */
	p[7] = num;
	p[8] = entity;
	p[9] = instance;
}

static void compact(struct sdr_repo *r, uint8_t num, uint8_t entity, uint8_t type,
		    uint8_t reading_type, uint16_t states, const char *name)
{
	uint8_t *p = start(r, SDR_COMPACT);
	if (!p)
		return;
	owner(p, num, entity, 1);
	p[10] = 0x41;		/* initialise scanning; scanning enabled */
	p[11] = 0x43;		/* auto re-arm, no hysteresis, no thresholds, no events */
	p[12] = type;
	p[13] = reading_type;
	p[18] = (uint8_t)states; /* offsets the reading can report */
	p[19] = (uint8_t)(states >> 8);
	p[20] = 0xC0;		/* no analog reading */
	finish(r, p, 31, name);
}

static void event_only(struct sdr_repo *r, uint8_t num, uint8_t entity, uint8_t type,
		       const char *name)
{
	uint8_t *p = start(r, SDR_EVENT_ONLY);
	if (!p)
		return;
	owner(p, num, entity, 1);
	p[10] = type;
	p[11] = 0x6F;		/* sensor-specific offsets */
	finish(r, p, 16, name);
}

static void temperature(struct sdr_repo *r, const struct sdr_config *c)
{
	uint8_t *p = start(r, SDR_FULL);
	if (!p)
		return;
	owner(p, SENSOR_BMC_TEMP, 0x06 /* system management module */, 1);
	p[10] = 0x41;		/* initialise scanning; scanning enabled */
	p[11] = 0x47;		/* auto re-arm, thresholds readable (fixed), no events */
	p[12] = 0x01;		/* temperature */
	p[13] = 0x01;		/* threshold */
	p[16] = 0x00;
	p[17] = 0x70;		/* upper non-critical, critical, non-recoverable comparisons */
	p[18] = 0x38;		/* readable thresholds: UNC, UC, UNR */
	p[19] = 0x00;		/* none settable */
	p[20] = 0x80;		/* two's complement readings */
	p[21] = 0x01;		/* degrees C */
	p[24] = 1;		/* M = 1, B = 0, exponents 0: reading = raw */
	p[34] = 0x7F;		/* sensor maximum */
	p[35] = 0x80;		/* sensor minimum */
	p[36] = (uint8_t)c->temp_unr;
	p[37] = (uint8_t)c->temp_uc;
	p[38] = (uint8_t)c->temp_unc;
	p[42] = 2;		/* hysteresis, degrees */
	p[43] = 2;
	finish(r, p, 47, "BMC Temp");
}

static void mc_locator(struct sdr_repo *r, const struct sdr_config *c)
{
	uint8_t *p = start(r, SDR_MC_LOCATOR);
	if (!p)
		return;
	p[5] = 0x20;		/* slave address */
	p[6] = 0x00;		/* channel 0 */
	p[7] = 0x00;
	p[8] = c->dev_caps;
	p[12] = 0x06;		/* system management module */
	p[13] = 0x01;
	finish(r, p, 15, c->bmc_name && c->bmc_name[0] ? c->bmc_name : "BMC");
}

void sdr_build(struct sdr_repo *r, const struct sdr_config *c, uint32_t now)
{
	memset(r, 0, sizeof(*r));
	r->built = now;
	mc_locator(r, c);
	if (c->have_power)	/* ACPI power state: S0/G0 (offset 0) or S5/G2 (offset 5) */
		compact(r, SENSOR_HOST_POWER, 0x17 /* system chassis */, 0x22, 0x6F, 0x0021,
			"Host Power");
	if (c->have_hdd)	/* digital discrete: deasserted / asserted */
		compact(r, SENSOR_HDD, 0x04 /* disk or disk bay */, 0x0D, 0x03, 0x0003,
			"HDD Activity");
	if (c->have_temp)
		temperature(r, c);
	event_only(r, SENSOR_POWER_UNIT, 0x15 /* power unit */, 0x09, "Power Unit");
	event_only(r, SENSOR_SYS_BOOT, 0x17, 0x1D, "System Boot");
	event_only(r, SENSOR_BUTTON, 0x17, 0x14, "Power Button");
}

const uint8_t *sdr_get(const struct sdr_repo *r, uint16_t id, uint16_t *next, uint8_t *len)
{
	int i = id == 0x0000 ? 0 : id == 0xFFFF ? r->n - 1 : id - 1;
	if (r->n == 0 || i < 0 || i >= r->n)
		return NULL;
	*next = i + 1 < r->n ? (uint16_t)(i + 2) : 0xFFFF;
	*len = r->len[i];
	return r->rec[i];
}
