/*
 * The BMC's own log (proto/bmclog.h) as Managers/bmc/LogServices/Log, and bmcd's message
 * registry (Bmcd.1.0), which gives the MessageIds of its entries and of the event log's.
 * The registry is bmcd's own text, served at /redfish/v1/Registries/Bmcd/Bmcd.
 */
#include "rf_private.h"

#include "../bmclog.h"

#define MGRLOG MGR "/LogServices/Log"

/* Every message takes its whole text as its one argument: the text is made where the
 * event happens (who asked, through which protocol), the registry names its kind. */
static const struct {
	const char *id, *desc, *severity;
} messages[] = {
	{ "ServiceEvent", "bmcd itself: start-up, configuration, users file, stop.", "OK" },
	{ "IpmiEvent", "IPMI over LAN: logins, failed logins, sessions, lock-outs.", "OK" },
	{ "RedfishEvent", "Redfish: logins, failed logins, sessions, settings changed.", "OK" },
	{ "ConsoleEvent", "Serial-over-LAN and the host's serial port.", "OK" },
	{ "HostEvent", "The managed host: power requests and their results, the backend.", "OK" },
	{ "SelRecord", "An IPMI System Event Log record bmcd has no text of its own for.", "OK" },
	{ "HostPoweredOn", "The host's power came on.", "OK" },
	{ "HostPoweredOff", "The host's power went off.", "OK" },
	{ "PowerOnRequested", "A power-on was requested.", "OK" },
	{ "PowerOffRequested", "A forced power-off was requested.", "OK" },
	{ "GracefulShutdownRequested", "A graceful shutdown was requested.", "OK" },
	{ "ResetRequested", "A reset was requested.", "OK" },
	{ "PowerCycleRequested", "A power cycle was requested.", "OK" },
	{ "PowerButtonPushed", "The power button was pushed.", "OK" },
	{ "GracefulRestartRequested", "A graceful restart was requested.", "OK" },
	{ "BootOverrideSet", "The boot override was changed.", "OK" },
	{ "PowerRestorePolicySet", "The power restore policy was changed.", "OK" },
	{ "LogCleared", "The event log was cleared.", "OK" },
	{ "MediaInserted", "An image was inserted into the virtual CD drive.", "OK" },
	{ "MediaEjected", "The virtual CD drive's image was ejected.", "OK" },
	{ "MediaInsertFailed", "An image could not be inserted into the virtual CD drive.",
	  "Warning" },
};
#define NMESSAGES (sizeof(messages) / sizeof(messages[0]))
#define SEL_FIRST 5 /* messages[SEL_FIRST + t] is enum sel_text t */

_Static_assert(NMESSAGES == SEL_FIRST + SELT_COUNT, "one message per enum sel_text");
_Static_assert(BL_KINDS == SEL_FIRST, "one message per enum bmclog_kind");

const char *rf_bmcd_message(int kind)
{
	return messages[kind >= 0 && kind < BL_KINDS ? kind : 0].id;
}

const char *rf_sel_message(int text)
{
	return messages[SEL_FIRST + (text > 0 && text < SELT_COUNT ? text : 0)].id;
}

void rf_get_bmcd_registry(struct ctx *x)
{
	struct jw *w = &x->w;
	rf_hdr(x, R_BMCD_REGISTRY, V1 "/Registries/Bmcd/Bmcd");
	jw_kstr(w, "Id", "Bmcd.1.0.0");
	jw_kstr(w, "Name", "bmcd Message Registry");
	jw_kstr(w, "Language", "en");
	jw_kstr(w, "Description", "The messages of bmcd's own log and of its event log entries.");
	jw_kstr(w, "RegistryPrefix", "Bmcd");
	jw_kstr(w, "RegistryVersion", "1.0.0");
	jw_kstr(w, "OwningEntity", "bmcd");
	jw_kobj(w, "Messages");
	for (size_t i = 0; i < NMESSAGES; i++) {
		jw_kobj(w, messages[i].id);
		jw_kstr(w, "Description", messages[i].desc);
		jw_kstr(w, "Message", "%1");
		jw_kstr(w, "Severity", messages[i].severity);
		jw_kstr(w, "MessageSeverity", messages[i].severity);
		jw_kint(w, "NumberOfArgs", 1);
		jw_key(w, "ParamTypes");
		jw_raw(w, "[\"string\"]");
		jw_kstr(w, "Resolution", "None.");
		jw_obj_end(w);
	}
	jw_obj_end(w);
	jw_obj_end(w);
}

/* --- Managers/bmc/LogServices ------------------------------------------------------------- */

void rf_get_mgr_logservices(struct ctx *x)
{
	strcpy(x->arg, "Log");
	rf_collection(x, "Log Service Collection", 1, rf_m_one, 100);
}

void rf_get_mgr_log(struct ctx *x)
{
	struct jw *w = &x->w;
	const struct bmclog *b = x->r->cfg.bmclog;
	char t[40];
	rf_hdr(x, R_MGR_LOG, MGRLOG);
	jw_kstr(w, "Id", "Log");
	jw_kstr(w, "Name", "BMC Log");
	jw_kstr(w, "Description", "bmcd's own log: logins, sessions, configuration, security "
		"events and power requests, kept in RAM");
	jw_kstr(w, "LogEntryType", "Event");
	jw_kstr(w, "OverWritePolicy", "WrapsWhenFull");
	jw_kint(w, "MaxNumberOfRecords", b ? b->cap : 0);
	jw_kbool(w, "Overflow", b && b->overwritten != 0);
	jw_kbool(w, "ServiceEnabled", b && b->cap);
	rf_iso_time(host_time(x->r->host), t);
	jw_kstr(w, "DateTime", t);
	jw_kstr(w, "DateTimeLocalOffset", "+00:00");
	rf_status_obj(w, true);
	jw_link(w, "Entries", MGRLOG "/Entries");
	jw_kobj(w, "Actions");
	jw_kobj(w, "#LogService.ClearLog");
	jw_kstr(w, "target", MGRLOG "/Actions/LogService.ClearLog");
	jw_obj_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
}

static void bmc_entry_json(struct ctx *x, const struct bmclog_entry *e)
{
	struct jw *w = &x->w;
	char t[48];
	rf_hdr(x, R_MGR_ENTRY, MGRLOG "/Entries/%u", (unsigned)e->id);
	snprintf(t, sizeof(t), "%u", (unsigned)e->id);
	jw_kstr(w, "Id", t);
	snprintf(t, sizeof(t), "BMC Log Entry %u", (unsigned)e->id);
	jw_kstr(w, "Name", t);
	jw_kstr(w, "EntryType", "Event");
	jw_kstr(w, "Severity", bmclog_severity(e->level));
	rf_iso_time(e->created, t);
	jw_kstr(w, "Created", t);
	snprintf(t, sizeof(t), "Bmcd.1.0.%s", rf_bmcd_message(e->kind));
	jw_kstr(w, "MessageId", t);
	jw_kstr(w, "Message", e->text);
	jw_karr(w, "MessageArgs");
	jw_str(w, e->text);
	jw_arr_end(w);
	jw_obj_end(w);
}

static void m_bmc_entry(struct ctx *x, unsigned i)
{
	const struct bmclog_entry *e = bmclog_at(x->r->cfg.bmclog, (uint16_t)i);
	if (e)
		bmc_entry_json(x, e);
}

void rf_get_mgr_entries(struct ctx *x)
{
	const struct bmclog *b = x->r->cfg.bmclog;
	rf_collection(x, "BMC Log Entries", b ? b->n : 0, m_bmc_entry,
		      BMCLOG_TEXT_MAX * 2 + 500);
}

void rf_get_mgr_entry(struct ctx *x)
{
	uint32_t id;
	const struct bmclog_entry *e = NULL;
	if (x->r->cfg.bmclog && rf_id_u32(x->arg, strlen(x->arg), &id))
		e = bmclog_find(x->r->cfg.bmclog, id);
	if (!e) {
		rf_fail(x, 404, M_NOT_FOUND, "LogEntry", x->arg, NULL);
		return;
	}
	bmc_entry_json(x, e);
}

void rf_post_mgr_clearlog(struct ctx *x)
{
	struct json_tok t[TOKENS];
	if (rf_action_body(x, t, "LogService.ClearLog", NULL) < 0)
		return;
	if (x->r->cfg.bmclog)
		bmclog_clear(x->r->cfg.bmclog);
	rf_log(x->r, 5, "redfish: BMC log cleared by %s", x->uname);
	x->p.status = 204;
}
