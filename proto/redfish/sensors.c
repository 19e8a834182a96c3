/*
 * Chassis/{id}/Sensors and the thermal view: the BMC's own temperature, the one numeric
 * sensor IPMI serves (SDR "BMC Temp", the same source and thresholds). IPMI's discrete
 * sensors (host power state, HDD activity) have no Redfish Sensor reading type; the power
 * state is the system's PowerState. A machine without a temperature source has an empty
 * collection and a ThermalSubsystem without metrics.
 */
#include "rf_private.h"

#define SENSOR_ID "BMCTemp"

static bool temp(const struct ctx *x, int *c)
{
	const struct redfish_cfg *cfg = &x->r->cfg;
	return cfg->temp && cfg->temp(cfg->temp_ctx, c);
}

static void m_sensor(struct ctx *x, unsigned i)
{
	(void)i;
	jw_link(&x->w, NULL, V1 "/Chassis/%s/Sensors/" SENSOR_ID, x->r->cfg.system_id);
}

void rf_get_sensors(struct ctx *x)
{
	rf_collection(x, "Sensors", x->r->cfg.temp ? 1 : 0, m_sensor, 120);
}

static void threshold(struct jw *w, const char *key, int8_t v)
{
	if (v <= 0)
		return;
	jw_kobj(w, key);
	jw_kint(w, "Reading", v);
	jw_obj_end(w);
}

void rf_get_sensor(struct ctx *x)
{
	const struct redfish_cfg *c = &x->r->cfg;
	if (!c->temp || strcmp(x->arg, SENSOR_ID)) {
		rf_fail(x, 404, M_NOT_FOUND, "Sensor", x->arg, NULL);
		return;
	}
	struct jw *w = &x->w;
	int t = 0;
	bool ok = temp(x, &t);
	rf_hdr(x, R_SENSOR, V1 "/Chassis/%s/Sensors/" SENSOR_ID, c->system_id);
	jw_kstr(w, "Id", SENSOR_ID);
	jw_kstr(w, "Name", "BMC Temp");
	jw_kstr(w, "Description", "The temperature of the BMC's own board (IPMI sensor 'BMC Temp')");
	jw_kstr(w, "ReadingType", "Temperature");
	jw_kstr(w, "ReadingUnits", "Cel");
	jw_kstr(w, "PhysicalContext", "Manager");
	if (ok)
		jw_kint(w, "Reading", t);
	else
		jw_knull(w, "Reading");
	jw_kobj(w, "Status");
	jw_kstr(w, "State", ok ? "Enabled" : "UnavailableOffline");
	jw_kstr(w, "Health", !ok ? "OK" : c->temp_thresholds[1] > 0 && t >= c->temp_thresholds[1]
		? "Critical" : c->temp_thresholds[0] > 0 && t >= c->temp_thresholds[0] ? "Warning"
		: "OK");
	jw_obj_end(w);
	jw_kobj(w, "Thresholds");
	threshold(w, "UpperCaution", c->temp_thresholds[0]);
	threshold(w, "UpperCritical", c->temp_thresholds[1]);
	threshold(w, "UpperFatal", c->temp_thresholds[2]);
	jw_obj_end(w);
	jw_obj_end(w);
}

void rf_get_thermal(struct ctx *x)
{
	const struct redfish_cfg *c = &x->r->cfg;
	struct jw *w = &x->w;
	rf_hdr(x, R_THERMAL, V1 "/Chassis/%s/ThermalSubsystem", c->system_id);
	jw_kstr(w, "Id", "ThermalSubsystem");
	jw_kstr(w, "Name", "Thermal Subsystem");
	jw_kstr(w, "Description", "What bmcd can measure: the BMC's own temperature (no fans, no "
		"host temperatures)");
	rf_status_obj(w, true);
	if (c->temp)
		jw_link(w, "ThermalMetrics", V1 "/Chassis/%s/ThermalSubsystem/ThermalMetrics",
			c->system_id);
	jw_obj_end(w);
}

void rf_get_thermal_metrics(struct ctx *x)
{
	const struct redfish_cfg *c = &x->r->cfg;
	if (!c->temp) {
		rf_fail(x, 404, M_NOT_FOUND, "ThermalMetrics", "ThermalMetrics", NULL);
		return;
	}
	struct jw *w = &x->w;
	int t = 0;
	bool ok = temp(x, &t);
	rf_hdr(x, R_THERMAL_METRICS, V1 "/Chassis/%s/ThermalSubsystem/ThermalMetrics", c->system_id);
	jw_kstr(w, "Id", "ThermalMetrics");
	jw_kstr(w, "Name", "Thermal Metrics");
	jw_karr(w, "TemperatureReadingsCelsius");
	jw_obj(w);
	char uri[120];
	snprintf(uri, sizeof(uri), V1 "/Chassis/%s/Sensors/" SENSOR_ID, c->system_id);
	jw_kstr(w, "DataSourceUri", uri);
	jw_kstr(w, "DeviceName", "BMC");
	jw_kstr(w, "PhysicalContext", "Manager");
	if (ok)
		jw_kint(w, "Reading", t);
	else
		jw_knull(w, "Reading");
	jw_obj_end(w);
	jw_arr_end(w);
	jw_obj_end(w);
}
