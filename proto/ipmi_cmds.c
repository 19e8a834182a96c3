/* The command table: (netfn, command, minimum privilege, minimum length, handler).
 * Privileges follow IPMI 2.0 appendix G. PRIV_NONE marks the commands a console may send
 * before it has a session. */
#include "ipmi_cmds.h"

static const struct ipmi_cmd cmds[] = {
	{ NETFN_CHASSIS, 0x00, PRIV_USER, 0, chassis_get_caps },
	{ NETFN_CHASSIS, 0x01, PRIV_USER, 0, chassis_get_status },
	{ NETFN_CHASSIS, 0x02, PRIV_OPERATOR, 1, chassis_control },
	{ NETFN_CHASSIS, 0x04, PRIV_OPERATOR, 0, chassis_identify },
	{ NETFN_APP, 0x01, PRIV_USER, 0, app_get_device_id },
	{ NETFN_APP, 0x04, PRIV_USER, 0, app_get_self_test },
	{ NETFN_APP, 0x07, PRIV_USER, 0, app_get_acpi_power },
	{ NETFN_APP, 0x08, PRIV_USER, 0, app_get_device_guid },
	{ NETFN_APP, 0x37, PRIV_NONE, 0, app_get_system_guid },
	{ NETFN_APP, 0x38, PRIV_NONE, 2, app_get_auth_caps },
	{ NETFN_APP, 0x3B, PRIV_CALLBACK, 1, app_set_session_priv },
	{ NETFN_APP, 0x3C, PRIV_CALLBACK, 4, app_close_session },
	{ NETFN_APP, 0x3D, PRIV_USER, 1, app_get_session_info },
	{ NETFN_APP, 0x41, PRIV_USER, 2, app_get_channel_access },
	{ NETFN_APP, 0x42, PRIV_USER, 1, app_get_channel_info },
	{ NETFN_APP, 0x54, PRIV_NONE, 3, app_get_cipher_suites },
};

const struct ipmi_cmd *ipmi_find_cmd(uint8_t netfn, uint8_t cmd)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (cmds[i].netfn == netfn && cmds[i].cmd == cmd)
			return &cmds[i];
	return NULL;
}
