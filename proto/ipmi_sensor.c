/* Sensor/Event netfn (0x04): readings of the sensors in the SDR repository. */
#include "cursor.h"
#include "host.h"
#include "ipmi_cmds.h"
#include "sdr.h"
#include "sel.h"

/* The record type of sensor `num` in the repository, or 0 when there is none. */
static uint8_t sensor_record(const struct ipmi *m, uint8_t num)
{
	for (int i = 0; m->cfg.sdr && i < m->cfg.sdr->n; i++) {
		const uint8_t *r = m->cfg.sdr->rec[i];
		if (r[3] >= 0x01 && r[3] <= 0x03 && r[7] == num)
			return r[3];
	}
	return 0;
}

void sensor_get_reading(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint8_t num = rd_u8(&r);
	if (ipmi_short(&r, w))
		return;
	uint8_t type = sensor_record(m, num);
	if (type == 0 || type == 0x03) { /* none, or event-only: nothing to read */
		wr_u8(w, CC_NOT_PRESENT);
		return;
	}
	struct host_status st;
	host_get_status(m->host, &st, m->now);
	if (num == SENSOR_BMC_TEMP) {
		int c = 0;
		bool ok = m->cfg.bmc_temp && m->cfg.bmc_temp(m->cfg.info_ctx, &c);
		if (c < -128)
			c = -128;
		if (c > 127)
			c = 127;
		uint8_t cmp = 0;
		if (ok && c >= m->cfg.temp_thresholds[0])
			cmp |= 0x08;
		if (ok && c >= m->cfg.temp_thresholds[1])
			cmp |= 0x10;
		if (ok && c >= m->cfg.temp_thresholds[2])
			cmp |= 0x20;
		wr_u8(w, CC_OK);
		wr_u8(w, (uint8_t)(int8_t)c);
		wr_u8(w, ok ? 0x40 : 0x60); /* scanning enabled; reading unavailable */
		wr_u8(w, cmp);
		return;
	}
	uint8_t states = num == SENSOR_HOST_POWER ? (st.on ? 0x01 : 0x20) /* S0/G0 or S5/G2 */
						  : (st.hdd ? 0x02 : 0x01); /* asserted or not */
	wr_u8(w, CC_OK);
	wr_u8(w, 0x00);
	wr_u8(w, 0x40);
	wr_u8(w, states);
	wr_u8(w, 0x80);
}

void sensor_get_thresholds(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint8_t num = rd_u8(&r); /* (Get Sensor Hysteresis: then a reserved byte) */
	if (ipmi_short(&r, w))
		return;
	if (num != SENSOR_BMC_TEMP || sensor_record(m, SENSOR_BMC_TEMP) != 0x01) {
		wr_u8(w, CC_NOT_PRESENT);
		return;
	}
	wr_u8(w, CC_OK);
	wr_u8(w, 0x38); /* UNC, UC, UNR readable */
	wr_fill(w, 0, 3);
	for (int i = 0; i < 3; i++)
		wr_u8(w, (uint8_t)m->cfg.temp_thresholds[i]);
}

void sensor_get_hysteresis(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint8_t num = rd_u8(&r); /* (Get Sensor Hysteresis: then a reserved byte) */
	if (ipmi_short(&r, w))
		return;
	if (num != SENSOR_BMC_TEMP || sensor_record(m, SENSOR_BMC_TEMP) != 0x01) {
		wr_u8(w, CC_NOT_PRESENT);
		return;
	}
	wr_u8(w, CC_OK);
	wr_u8(w, 2);
	wr_u8(w, 2);
}

void sensor_get_event_enable(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint8_t num = rd_u8(&r);
	if (ipmi_short(&r, w))
		return;
	if (!sensor_record(m, num)) {
		wr_u8(w, CC_NOT_PRESENT);
		return;
	}
	wr_u8(w, CC_OK);
	wr_u8(w, 0x40);		/* event messages disabled (bmcd sends none), scanning on */
	wr_fill(w, 0, 4);	/* no assertion or deassertion events enabled */
}
