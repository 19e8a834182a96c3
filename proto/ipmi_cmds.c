/* The command table: (netfn, command, minimum privilege, minimum length, handler).
 * Privileges follow IPMI 2.0 appendix G. PRIV_NONE marks the commands a console may send
 * before it has a session. */
#include "ipmi_cmds.h"

static const struct ipmi_cmd cmds[] = {
	{ NETFN_CHASSIS, 0x00, PRIV_USER, 0, chassis_get_caps },
	{ NETFN_CHASSIS, 0x01, PRIV_USER, 0, chassis_get_status },
	{ NETFN_CHASSIS, 0x02, PRIV_OPERATOR, 1, chassis_control },
	{ NETFN_CHASSIS, 0x04, PRIV_OPERATOR, 0, chassis_identify },
	{ NETFN_CHASSIS, 0x06, PRIV_OPERATOR, 1, chassis_set_policy },
	{ NETFN_CHASSIS, 0x07, PRIV_USER, 0, chassis_restart_cause },
	{ NETFN_CHASSIS, 0x08, PRIV_OPERATOR, 1, chassis_set_boot },
	{ NETFN_CHASSIS, 0x09, PRIV_OPERATOR, 3, chassis_get_boot },
	{ NETFN_CHASSIS, 0x0F, PRIV_USER, 0, chassis_poh },
	{ NETFN_SENSOR, 0x25, PRIV_USER, 1, sensor_get_hysteresis },
	{ NETFN_SENSOR, 0x27, PRIV_USER, 1, sensor_get_thresholds },
	{ NETFN_SENSOR, 0x29, PRIV_USER, 1, sensor_get_event_enable },
	{ NETFN_SENSOR, 0x2D, PRIV_USER, 1, sensor_get_reading },
	{ NETFN_APP, 0x01, PRIV_USER, 0, app_get_device_id },
	{ NETFN_APP, 0x04, PRIV_USER, 0, app_get_self_test },
	{ NETFN_APP, 0x07, PRIV_USER, 0, app_get_acpi_power },
	{ NETFN_APP, 0x08, PRIV_USER, 0, app_get_device_guid },
	{ NETFN_APP, 0x37, PRIV_NONE, 0, app_get_system_guid },
	{ NETFN_APP, 0x38, PRIV_NONE, 2, app_get_auth_caps },
	{ NETFN_APP, 0x3B, PRIV_CALLBACK, 1, app_set_session_priv },
	{ NETFN_APP, 0x3C, PRIV_CALLBACK, 4, app_close_session },
	{ NETFN_APP, 0x3D, PRIV_USER, 1, app_get_session_info },
	{ NETFN_APP, 0x40, PRIV_ADMIN, 0, app_read_only },	/* Set Channel Access */
	{ NETFN_APP, 0x41, PRIV_USER, 2, app_get_channel_access },
	{ NETFN_APP, 0x42, PRIV_USER, 1, app_get_channel_info },
	{ NETFN_APP, 0x43, PRIV_ADMIN, 0, app_read_only },	/* Set User Access */
	{ NETFN_APP, 0x44, PRIV_OPERATOR, 2, app_get_user_access },
	{ NETFN_APP, 0x45, PRIV_ADMIN, 0, app_read_only },	/* Set User Name */
	{ NETFN_APP, 0x46, PRIV_OPERATOR, 1, app_get_user_name },
	{ NETFN_APP, 0x47, PRIV_ADMIN, 0, app_read_only },	/* Set User Password */
	{ NETFN_APP, 0x48, PRIV_USER, 6, app_activate_payload },
	{ NETFN_APP, 0x49, PRIV_USER, 6, app_deactivate_payload },
	{ NETFN_APP, 0x4A, PRIV_USER, 1, app_payload_status },
	{ NETFN_APP, 0x4B, PRIV_USER, 2, app_payload_instance },
	{ NETFN_APP, 0x4C, PRIV_ADMIN, 0, app_read_only },	/* Set User Payload Access */
	{ NETFN_APP, 0x4D, PRIV_OPERATOR, 2, app_get_user_payload_access },
	{ NETFN_APP, 0x4E, PRIV_USER, 1, app_get_payload_support },
	{ NETFN_APP, 0x4F, PRIV_USER, 2, app_payload_version },
	{ NETFN_APP, 0x54, PRIV_NONE, 3, app_get_cipher_suites },
	{ NETFN_STORAGE, 0x10, PRIV_USER, 1, fru_get_area_info },
	{ NETFN_STORAGE, 0x11, PRIV_USER, 4, fru_read },
	{ NETFN_STORAGE, 0x12, PRIV_OPERATOR, 3, fru_write },
	{ NETFN_STORAGE, 0x20, PRIV_USER, 0, sdr_get_info_cmd },
	{ NETFN_STORAGE, 0x22, PRIV_USER, 0, sdr_reserve_cmd },
	{ NETFN_STORAGE, 0x23, PRIV_USER, 6, sdr_get_cmd },
	{ NETFN_STORAGE, 0x40, PRIV_USER, 0, sel_get_info },
	{ NETFN_STORAGE, 0x41, PRIV_USER, 0, sel_get_alloc },
	{ NETFN_STORAGE, 0x42, PRIV_USER, 0, sel_reserve_cmd },
	{ NETFN_STORAGE, 0x43, PRIV_USER, 6, sel_get_entry },
	{ NETFN_STORAGE, 0x44, PRIV_OPERATOR, 16, sel_add_entry },
	{ NETFN_STORAGE, 0x47, PRIV_OPERATOR, 6, sel_clear_cmd },
	{ NETFN_STORAGE, 0x48, PRIV_USER, 0, sel_get_time },
	{ NETFN_STORAGE, 0x49, PRIV_OPERATOR, 4, sel_set_time },
	{ NETFN_TRANSPORT, 0x01, PRIV_ADMIN, 2, lan_set_config },
	{ NETFN_TRANSPORT, 0x02, PRIV_OPERATOR, 4, lan_get_config },
	{ NETFN_TRANSPORT, 0x21, PRIV_ADMIN, 3, sol_set_config },
	{ NETFN_TRANSPORT, 0x22, PRIV_USER, 4, sol_get_config },
};

const struct ipmi_cmd *ipmi_find_cmd(uint8_t netfn, uint8_t cmd)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (cmds[i].netfn == netfn && cmds[i].cmd == cmd)
			return &cmds[i];
	return NULL;
}
