/* Private to proto/ipmi*.c: the command handlers behind the dispatch table. */
#ifndef BMCD_IPMI_CMDS_H
#define BMCD_IPMI_CMDS_H

#include "ipmi.h"

#define H(name) void name(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
/* App */
H(app_get_device_id);
H(app_get_self_test);
H(app_get_acpi_power);
H(app_get_device_guid);
H(app_get_system_guid);
H(app_get_auth_caps);
H(app_get_cipher_suites);
H(app_get_channel_info);
H(app_get_session_info);
H(app_set_session_priv);
H(app_close_session);
H(app_get_channel_access);
/* Chassis */
H(chassis_get_caps);
H(chassis_get_status);
H(chassis_control);
H(chassis_identify);
H(app_get_user_access);
H(app_get_user_name);
H(app_get_payload_support);
H(app_read_only);
H(chassis_set_policy);
H(chassis_restart_cause);
H(chassis_poh);
H(chassis_get_boot);
H(chassis_set_boot);
/* Storage */
H(sel_get_info);
H(sel_get_alloc);
H(sel_reserve_cmd);
H(sel_get_entry);
H(sel_add_entry);
H(sel_clear_cmd);
H(sel_get_time);
H(sel_set_time);
H(sdr_get_info_cmd);
H(sdr_reserve_cmd);
H(sdr_get_cmd);
H(fru_get_area_info);
H(fru_read);
H(fru_write);
/* Sensor */
H(sensor_get_reading);
H(sensor_get_thresholds);
H(sensor_get_hysteresis);
H(sensor_get_event_enable);
/* Transport */
H(lan_get_config);
H(lan_set_config);
/* SoL */
H(app_activate_payload);
H(app_deactivate_payload);
H(app_payload_status);
H(app_payload_instance);
H(app_payload_version);
H(app_get_user_payload_access);
H(sol_get_config);
H(sol_set_config);
#undef H

/* A handler reads its request data through the bounded reader (cursor.h): the dispatcher
 * checked the table's minimum length, a handler checks r.err for anything past it. */
static inline struct rd ipmi_rd(const struct ipmi_req *rq) { return rd_init(rq->data, rq->len); }

/* True (and "request data length invalid" answered) when the request ran out. */
static inline bool ipmi_short(const struct rd *r, struct wr *w)
{
	if (!r->err)
		return false;
	wr_u8(w, CC_REQ_LEN);
	return true;
}

/* "major.minor[anything]" (BMCD_VERSION) to Get Device ID's firmware revision: major
 * 0..127, minor 0..99 (decimal; BCD on the wire). False, nothing written, otherwise. */
bool ipmi_fw_revision(const char *v, uint8_t *major, uint8_t *minor);

/* The channel a request names: 0x0E means "this one". Returns false for any other. */
bool ipmi_our_channel(const struct ipmi *m, uint8_t ch);

#endif
