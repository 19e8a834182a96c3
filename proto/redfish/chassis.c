/*
 * The Chassis collection and the one chassis (GET, PATCH of its identify LED).
 */
#include "rf_private.h"

void rf_get_chassis(struct ctx *x)
{
	struct jw *w = &x->w;
	const char *sid = x->s->id;
	bool first = x->si == 0; /* the BMC's sensors and the [fru] chassis are the default one's */
	struct host_status st;
	host_get_status(x->s->host, &st, x->r->now);
	rf_hdr(x, R_CHASSIS, V1 "/Chassis/%s", sid);
	jw_kstr(w, "Id", sid);
	jw_kstr(w, "Name", "Chassis");
	jw_kstr(w, "ChassisType", "Other"); /* any computer with an ATX header */
	if (first) {
		rf_kstr_opt(w, "SerialNumber", x->r->cfg.chassis_serial);
		rf_kstr_opt(w, "PartNumber", x->r->cfg.chassis_part);
	}
	/* the same identify state IPMI's chassis identify and Systems/{id} show */
	jw_kstr(w, "IndicatorLED", rf_led_names[st.identify < 3 ? st.identify : 2]);
	jw_kbool(w, "LocationIndicatorActive", st.identify != 0);
	jw_kstr(w, "PowerState", rf_power_names[rf_power_state(&st)]);
	rf_status_obj(w, st.available);
	if (first) {
		jw_link(w, "Sensors", V1 "/Chassis/%s/Sensors", sid);
		jw_link(w, "ThermalSubsystem", V1 "/Chassis/%s/ThermalSubsystem", sid);
	}
	jw_kobj(w, "Links");
	rf_link_list(w, "ComputerSystems", SYS, sid);
	rf_link_list(w, "ManagedBy", "%s", MGR);
	jw_obj_end(w);
	jw_obj_end(w);
}

void rf_get_chassis_all(struct ctx *x)
{
	uint16_t map[RF_SYSTEMS_MAX];
	rf_collection(x, "Chassis Collection", rf_visible_systems(x, map), rf_m_system, 100);
}

bool rf_patch_chassis(struct ctx *x, const struct json_tok *t)
{
	return rf_patch_props(x, t, true);
}
