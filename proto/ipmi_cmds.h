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
#undef H

/* The channel a request names: 0x0E means "this one". Returns false for any other. */
bool ipmi_our_channel(const struct ipmi *m, uint8_t ch);

#endif
