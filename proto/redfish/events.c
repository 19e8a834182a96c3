/*
 * The event log (LogServices, EventLog, entries, ClearLog), the EventService, the SSE
 * stream's head and its event records.
 */
#include "rf_private.h"

/* --- the event log ----------------------------------------------------------------------- */

/* IPMI sensor type codes 0x01..0x2C as LogEntry SensorType */
static const char *const sensor_types[] = {
	"Temperature", "Voltage", "Current", "Fan", "Physical Chassis Security",
	"Platform Security Violation Attempt", "Processor", "Power Supply / Converter",
	"PowerUnit", "CoolingDevice", "Other Units-based Sensor", "Memory", "Drive Slot/Bay",
	"POST Memory Resize", "System Firmware Progress", "Event Logging Disabled", "Watchdog",
	"System Event", "Critical Interrupt", "Button/Switch", "Module/Board",
	"Microcontroller/Coprocessor", "Add-in Card", "Chassis", "ChipSet", "Other FRU",
	"Cable/Interconnect", "Terminator", "SystemBoot/Restart", "Boot Error",
	"BaseOSBoot/InstallationStatus", "OS Stop/Shutdown", "Slot/Connector",
	"System ACPI PowerState", "Watchdog", "Platform Alert", "Entity Presence",
	"Monitor ASIC/IC", "LAN", "Management Subsystem Health", "Battery", "Session Audit",
	"Version Change", "FRUState",
};

/* threshold event offsets 0x00..0x0B as LogEntry EntryCode */
static const char *const threshold_codes[] = {
	"Lower Non-critical - going low", "Lower Non-critical - going high",
	"Lower Critical - going low", "Lower Critical - going high",
	"Lower Non-recoverable - going low", "Lower Non-recoverable - going high",
	"Upper Non-critical - going low", "Upper Non-critical - going high",
	"Upper Critical - going low", "Upper Critical - going high",
	"Upper Non-recoverable - going low", "Upper Non-recoverable - going high",
};

static const char *const sel_texts[SELT_COUNT] = {
	[SELT_POWER_ON] = "Host powered on", [SELT_POWER_OFF] = "Host powered off",
	[SELT_ACT_ON] = "Power on requested", [SELT_ACT_OFF] = "Forced power off requested",
	[SELT_ACT_SOFT] = "Graceful shutdown requested", [SELT_ACT_RESET] = "Reset requested",
	[SELT_ACT_CYCLE] = "Power cycle requested",
	[SELT_ACT_PUSH] = "Power button push requested",
	[SELT_ACT_SOFT_RESTART] = "Graceful restart requested",
	[SELT_BOOT_SET] = "Boot override changed",
	[SELT_POLICY_SET] = "Power restore policy changed", [SELT_CLEARED] = "Event log cleared",
	[SELT_MEDIA_INSERTED] = "Virtual media inserted",
	[SELT_MEDIA_EJECTED] = "Virtual media ejected",
	[SELT_MEDIA_FAILED] = "Virtual media insertion failed",
};

static void entry_message(const struct sel_entry *e, char *m, size_t cap)
{
	static const char *const origins[] = { "bmcd", "IPMI", "Redfish", "the host" };
	const uint8_t *r = e->rec;
	struct buf b;
	buf_init(&b, m, cap - 1);
	if (e->text > SELT_RAW && e->text < SELT_COUNT)
		buf_str(&b, sel_texts[e->text]);
	else if (r[2] == 0x02)
		buf_printf(&b, "IPMI event: sensor type 0x%02X, sensor %u, event type 0x%02X, "
			   "data %02X %02X %02X", r[10], r[11], r[12], r[13], r[14], r[15]);
	else
		buf_printf(&b, "IPMI SEL record of type 0x%02X", r[2]);
	if (e->what[0]) {
		char w[SEL_WHAT_MAX + 1];
		log_safe(e->what, strnlen(e->what, SEL_WHAT_MAX), w, sizeof(w));
		buf_printf(&b, " (%s)", w);
	}
	char u[USER_NAME_MAX + 1];
	log_safe(e->user, strnlen(e->user, USER_NAME_MAX), u, sizeof(u));
	const char *o = origins[e->origin & 3];
	if (u[0])
		buf_printf(&b, " by %s via %s", u, o);
	else if (e->origin == ORIGIN_HOST)
		buf_str(&b, " (not requested through bmcd)");
	else if (e->origin == ORIGIN_BMC)
		buf_str(&b, " by bmcd");
	else
		buf_printf(&b, " via %s", o);
	m[b.len] = 0;
}

/* OK for bmcd's own records; a threshold event's level for IPMI sensor events (the OCP
 * baseline asks for Severity on every entry). */
static const char *entry_severity(const uint8_t *r)
{
	if (r[2] != 0x02 || (r[12] & 0x7F) != 0x01)
		return "OK";
	unsigned off = r[13] & 0x0F; /* 0,1,6,7 non-critical; 2..5, 8..11 critical or worse */
	if (off > 11)
		return "OK";
	return off == 0 || off == 1 || off == 6 || off == 7 ? "Warning" : "Critical";
}

static void entry_json(struct ctx *x, const struct sel_entry *e)
{
	struct jw *w = &x->w;
	const uint8_t *r = e->rec;
	unsigned id = sel_record_id(e);
	uint32_t ts = sel_timestamp(e);
	char t[40], m[200];
	rf_hdr(x, R_ENTRY, LOG "/Entries/%u", x->s->id, id);
	snprintf(t, sizeof(t), "%u", id);
	jw_kstr(w, "Id", t);
	snprintf(m, sizeof(m), "Log Entry %u", id);
	jw_kstr(w, "Name", m);
	jw_kstr(w, "EntryType", "SEL");
	jw_kstr(w, "Severity", entry_severity(r));
	if (ts >= 0x20000000) { /* below: seconds since BMC start, not a date (IPMI 31.2) */
		rf_iso_time(ts, t);
		jw_kstr(w, "Created", t);
	}
	entry_message(e, m, sizeof(m));
	jw_kstr(w, "Message", m);
	snprintf(t, sizeof(t), "Bmcd.1.0.%s", rf_sel_message(e->text));
	jw_kstr(w, "MessageId", t); /* Tacklebox and the OCP profiles want one on every entry */
	jw_karr(w, "MessageArgs");
	jw_str(w, m);
	jw_arr_end(w);
	if (r[2] == 0x02) {
		uint8_t et = r[12] & 0x7F;
		if (r[10] >= 1 && r[10] <= sizeof(sensor_types) / sizeof(sensor_types[0]))
			jw_kstr(w, "SensorType", sensor_types[r[10] - 1]);
		jw_kint(w, "SensorNumber", r[11]);
		if (et == 0x01 && (r[13] & 0x0F) < 12)
			jw_kstr(w, "EntryCode", threshold_codes[r[13] & 0x0F]);
		else if (et == 0x6F)
			jw_kstr(w, "EntryCode", r[12] & 0x80 ? "Deassert" : "Assert");
		snprintf(t, sizeof(t), "0x%04X", (unsigned)(r[7] | r[8] << 8));
		jw_kstr(w, "GeneratorId", t);
	}
	jw_obj_end(w);
}

static void m_entry(struct ctx *x, unsigned i)
{
	const struct sel_entry *e = sel_at(host_sel(x->s->host, x->r->now), (uint16_t)i);
	if (e)
		entry_json(x, e);
}

void rf_get_eventlog(struct ctx *x)
{
	struct jw *w = &x->w;
	struct sel *s = host_sel(x->s->host, x->r->now);
	char t[40];
	rf_hdr(x, R_EVENTLOG, "%s", x->path);
	jw_kstr(w, "Id", "EventLog");
	jw_kstr(w, "Name", "Event Log");
	jw_kstr(w, "Description", "The IPMI System Event Log");
	jw_kstr(w, "LogEntryType", "SEL");
	jw_kstr(w, "OverWritePolicy", "WrapsWhenFull");
	jw_kint(w, "MaxNumberOfRecords", s->cap);
	jw_kbool(w, "Overflow", s->overwritten != 0);
	jw_kbool(w, "ServiceEnabled", true);
	rf_iso_time(host_time(x->s->host), t);
	jw_kstr(w, "DateTime", t);
	jw_kstr(w, "DateTimeLocalOffset", "+00:00");
	rf_status_obj(w, true);
	jw_link(w, "Entries", "%s/Entries", x->path);
	jw_kobj(w, "Actions");
	jw_kobj(w, "#LogService.ClearLog");
	char a[300];
	snprintf(a, sizeof(a), "%s/Actions/LogService.ClearLog", x->path);
	jw_kstr(w, "target", a);
	jw_obj_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
}

void rf_get_entry(struct ctx *x)
{
	uint32_t id;
	uint16_t next;
	const struct sel_entry *e = NULL;
	/* 0 and 0xFFFF are sel_get's "first" and "last", not record IDs */
	if (rf_id_u32(x->arg, strlen(x->arg), &id) && id >= 1 && id < 0xFFFF)
		e = sel_get(host_sel(x->s->host, x->r->now), (uint16_t)id, &next);
	if (!e) {
		rf_fail(x, 404, M_NOT_FOUND, "LogEntry", x->arg, NULL);
		return;
	}
	entry_json(x, e);
}

void rf_get_eventsvc(struct ctx *x)
{
	struct jw *w = &x->w;
	rf_hdr(x, R_EVENTSVC, V1 "/EventService");
	jw_kstr(w, "Id", "EventService");
	jw_kstr(w, "Name", "Event Service");
	jw_kbool(w, "ServiceEnabled", true);
	rf_status_obj(w, true);
	jw_kstr(w, "ServerSentEventUri", V1 "/EventService/SSE");
	jw_key(w, "EventFormatTypes");
	jw_raw(w, "[\"Event\"]");
	jw_key(w, "RegistryPrefixes");
	jw_raw(w, "[\"ResourceEvent\"]");
	jw_key(w, "ResourceTypes"); /* what events come from */
	jw_raw(w, "[\"ComputerSystem\",\"LogEntry\",\"VirtualMedia\"]");
	jw_key(w, "SSEFilterPropertiesSupported"); /* no $filter on the stream */
	jw_raw(w, "{\"EventFormatType\":false,\"MessageId\":false,\"MetricReportDefinition\":false,"
		  "\"OriginResource\":false,\"RegistryPrefix\":false,\"ResourceType\":false,"
		  "\"SubordinateResources\":false}");
	rf_eventsvc_subs(x);
	jw_obj_end(w);
}

void rf_get_logservices(struct ctx *x)
{
	strcpy(x->arg, "EventLog");
	rf_collection(x, "Log Service Collection", 1, rf_m_one, 100);
}

void rf_get_entries(struct ctx *x)
{
	rf_collection(x, "Event Log Entries", host_sel(x->s->host, x->r->now)->count, m_entry, 900);
}

/* The stream's head: whose stream this is (it ends with that session, or those
 * credentials); the events follow from redfish_sse_event(). */
void rf_get_sse(struct ctx *x)
{
	x->c->sse_session = x->sess ? x->sess->id : 0;
	x->c->sse_stamp = x->sess ? x->sess->stamp : x->r->users->u[x->user].stamp;
	snprintf(x->c->sse_user, sizeof(x->c->sse_user), "%s", x->uname);
	x->p.sse = true;
	x->p.ctype = "text/event-stream";
	x->close = false; /* the stream lives until the client leaves */
}

void rf_post_clearlog(struct ctx *x)
{
	struct json_tok t[TOKENS];
	if (rf_action_body(x, t, "LogService.ClearLog", NULL) < 0)
		return;
	struct host *h = x->s->host;
	host_sel_clear(h, x->r->now);
	rf_log(x->r, 5, "redfish: event log cleared by %s", x->uname);
	x->p.status = 204;
}

/* msg_id: a ResourceEvent message, or a full MessageId when it has a '.' */
static void event_record(struct jw *w, uint64_t id, int k, const char *msg_id, const char *text,
			 const char *arg, const char *origin, const char *ts, bool log_entry)
{
	char s[40];
	jw_obj(w);
	jw_kstr(w, "EventType", "Other");
	snprintf(s, sizeof(s), k ? "%llu.%d" : "%llu", (unsigned long long)id, k);
	jw_kstr(w, "EventId", s);
	snprintf(s, sizeof(s), "%d", k);
	jw_kstr(w, "MemberId", s);
	if (strchr(msg_id, '.'))
		jw_kstr(w, "MessageId", msg_id);
	else
		jw_kstr(w, "MessageId", (snprintf(s, sizeof(s), "ResourceEvent.1.4.%s", msg_id), s));
	jw_kstr(w, "Message", text);
	jw_karr(w, "MessageArgs");
	if (arg)
		jw_str(w, arg);
	jw_arr_end(w);
	jw_kstr(w, "MessageSeverity", strstr(msg_id, "Failed") ? "Warning" : "OK");
	jw_kstr(w, "EventTimestamp", ts);
	jw_link(w, "OriginOfCondition", "%s", origin);
	if (log_entry)
		jw_link(w, "LogEntry", "%s", origin);
	jw_obj_end(w);
}

void redfish_sse_event(struct redfish *r, unsigned sys, int what, int power, struct buf *out)
{
	static const char *const powered[][2] = {
		{ "ResourcePoweredOn", "has powered on" }, { "ResourcePoweredOff", "has powered off" },
		{ "ResourcePoweringOn", "is powering on" }, { "ResourcePoweringOff", "is powering off" },
	};
	size_t start = out->len;
	uint64_t id = ++r->event_id;
	char ts[40], uri[160], text[256];
	const struct rf_system *sy = &r->sys[sys < r->nsys ? sys : 0];
	rf_iso_time(host_time(sy->host), ts);
	buf_printf(out, "id: %llu\ndata: ", (unsigned long long)id);
	struct jw w;
	jw_init(&w, out);
	jw_obj(&w);
	jw_kstr(&w, "@odata.type", "#Event.v1_13_0.Event");
	snprintf(text, sizeof(text), "%llu", (unsigned long long)id);
	jw_kstr(&w, "Id", text);
	jw_kstr(&w, "Name", "Event");
	jw_karr(&w, "Events");
	size_t recs = out->len;
	uint8_t rtype = 1; /* subscriptions.c: ComputerSystem */
	if (what == RF_NOTIFY_LOG) {
		rtype = 2; /* LogEntry */
		struct sel *s = host_sel(sy->host, r->now);
		const struct sel_entry *e = s->count ? sel_at(s, (uint16_t)(s->count - 1)) : NULL;
		if (e) {
			snprintf(uri, sizeof(uri), LOG "/Entries/%u", sy->id,
				 (unsigned)sel_record_id(e));
			event_record(&w, id, 0, "ResourceCreated", "The resource was created successfully.",
				     NULL, uri, ts, true);
		} else {
			snprintf(uri, sizeof(uri), LOG "/Entries", sy->id);
			event_record(&w, id, 0, "ResourceChanged",
				     "One or more resource properties have changed.", NULL, uri, ts, false);
		}
	} else if (what == RF_NOTIFY_MEDIA) {
		char id_text[40];
		rtype = 4; /* VirtualMedia */
		const struct rf_media *md = &r->media[sy - r->sys];
		if (sy == r->sys)
			snprintf(uri, sizeof(uri), MGR "/VirtualMedia/Cd");
		else
			snprintf(uri, sizeof(uri), SYS "/VirtualMedia/Cd", sy->id);
		event_record(&w, id, 0, "ResourceChanged",
			     "One or more resource properties have changed.", NULL, uri, ts, false);
		snprintf(id_text, sizeof(id_text), "Bmcd.1.0.%s", rf_sel_message(md->event));
		event_record(&w, id, 1, id_text, md->text, md->text, uri, ts, false);
	} else {
		snprintf(uri, sizeof(uri), SYS, sy->id);
		event_record(&w, id, 0, "ResourceChanged",
			     "One or more resource properties have changed.", NULL, uri, ts, false);
		if (power >= PS_ON && power <= PS_POWERING_OFF) {
			snprintf(text, sizeof(text), "The resource '%s' %s.", uri, powered[power][1]);
			event_record(&w, id, 1, powered[power][0], text, uri, uri, ts, false);
		}
	}
	if (!out->err) /* the same records go to the event subscriptions */
		redfish_subs_push(r, id, rtype, rtype == 4 ? 3 : 1, uri, out->p + recs,
				  out->len - recs); /* media: ResourceEvent and Bmcd records */
	jw_arr_end(&w);
	jw_obj_end(&w);
	buf_str(out, "\n\n");
	if (out->err)
		out->len = start;
}

bool redfish_sse_valid(const struct redfish *r, const struct rf_conn *c)
{
	if (c->sse_session) {
		for (unsigned i = 0; i < r->cfg.max_sessions; i++) {
			const struct rf_session *s = &r->sessions[i];
			if (s->used && s->id == c->sse_session && !rf_expired(r, s))
				return s->stamp == c->sse_stamp;
		}
		return false;
	}
	int u = users_find(r->users, c->sse_user, strlen(c->sse_user));
	return u >= 0 && r->users->u[u].stamp == c->sse_stamp && r->users->u[u].priv >= PRIV_USER;
}
