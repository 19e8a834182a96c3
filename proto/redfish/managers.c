/*
 * The Manager collection, the BMC's Manager and its NetworkProtocol.
 */
#include "rf_private.h"

void rf_get_manager(struct ctx *x)
{
	struct jw *w = &x->w;
	struct redfish *r = x->r;
	char t[40];
	rf_hdr(x, R_MANAGER, MGR);
	jw_kstr(w, "Id", "bmc");
	jw_kstr(w, "Name", r->cfg.name[0] ? r->cfg.name : "bmcd");
	jw_kstr(w, "ManagerType", "BMC");
	jw_kstr(w, "Model", "bmcd");
	jw_kstr(w, "FirmwareVersion", r->cfg.fw_version);
	if (r->uuid_ok) {
		jw_kstr(w, "UUID", r->cfg.uuid);
		jw_kstr(w, "ServiceEntryPointUUID", r->cfg.uuid);
	}
	rf_iso_time(host_time(r->host), t);
	jw_kstr(w, "DateTime", t);
	jw_kstr(w, "DateTimeLocalOffset", "+00:00");
	jw_kstr(w, "PowerState", "On");
	rf_status_obj(w, true);
	jw_kobj(w, "SerialConsole");
	jw_kbool(w, "ServiceEnabled", r->cfg.sol_enabled);
	jw_kint(w, "MaxConcurrentSessions", r->cfg.sol_enabled ? 1 : 0);
	jw_key(w, "ConnectTypesSupported");
	jw_raw(w, r->cfg.sol_enabled ? "[\"IPMI\"]" : "[]");
	jw_obj_end(w);
	jw_link(w, "NetworkProtocol", MGR "/NetworkProtocol");
	jw_link(w, "EthernetInterfaces", MGR "/EthernetInterfaces");
	jw_link(w, "LogServices", MGR "/LogServices");
	if (r->cfg.msd && rf_system_visible(x, 0)) /* the default system's drive */
		jw_link(w, "VirtualMedia", MGR "/VirtualMedia");
	jw_kobj(w, "Links");
	uint16_t map[RF_SYSTEMS_MAX];
	unsigned n = rf_visible_systems(x, map);
	for (int k = 0; k < 2; k++) {
		jw_karr(w, k ? "ManagerForChassis" : "ManagerForServers");
		for (unsigned i = 0; i < n; i++)
			jw_link(w, NULL, k ? V1 "/Chassis/%s" : SYS, r->sys[map[i]].id);
		jw_arr_end(w);
	}
	jw_obj_end(w);
	jw_obj_end(w);
}

static void protocol(struct jw *w, const char *name, uint16_t port)
{
	jw_kobj(w, name);
	jw_kbool(w, "ProtocolEnabled", port != 0);
	if (port)
		jw_kint(w, "Port", port);
	else
		jw_knull(w, "Port");
	jw_obj_end(w);
}

void rf_get_netproto(struct ctx *x)
{
	struct jw *w = &x->w;
	const struct redfish_cfg *c = &x->r->cfg;
	rf_hdr(x, R_NETPROTO, MGR "/NetworkProtocol");
	jw_kstr(w, "Id", "NetworkProtocol");
	jw_kstr(w, "Name", "Manager Network Protocol");
	rf_status_obj(w, true);
	if (c->hostname[0]) {
		jw_kstr(w, "HostName", c->hostname);
		jw_kstr(w, "FQDN", c->hostname);
	}
	protocol(w, "HTTP", c->http_port);
	protocol(w, "HTTPS", c->https_port);
	protocol(w, "IPMI", c->ipmi_port);
	jw_obj_end(w);
}

void rf_get_managers(struct ctx *x)
{
	strcpy(x->arg, "bmc");
	rf_collection(x, "Manager Collection", 1, rf_m_one, 100);
}
