/*
 * The Redfish service. See redfish.h for the contract.
 *
 * Implementation notes
 * - One pass per request, in this order: decode the path (one trailing '/' dropped, so every
 *   URI answers with and without it, no redirects), route, the plain-HTTP rule,
 *   authentication (unless the route/method is public), OData-Version (anything but 4.0:
 *   412), unknown method (501), 404, 405, privilege, query, Content-Type, then the
 *   handler. Authentication comes before every other header (DSP0266: an anonymous
 *   If-None-Match gets 401, not 304) and before the 404, so an anonymous client learns
 *   nothing about which URIs exist.
 * - Routes are one static table: pattern ('%' = the system id, '*' = a member id), the
 *   methods, the privilege for GET and for the one writing method, and the schema family
 *   and version. The same table gives @odata.type, the Link header, Allow, $metadata's
 *   references and what a 404 names. Versions are exactly the DMTF files in
 *   shared/redfish/json-schema, so offline validation finds them.
 * - A body is built once into r->body (RF_BODY_MAX), hashed for a strong ETag (FNV-1a
 *   over 64-bit words), then the head is written into `out` and the body copied after it.
 *   Nothing is allocated; the work is proportional to the response. A body that overflows
 *   the scratch becomes a 500; so does a response that does not fit `out`.
 * - Collections page: $skip/$top, and a member is only started while the scratch still
 *   has room for the largest member plus the closing bytes; when it stops early it adds
 *   Members@odata.nextLink. Members@odata.count is always the full count. LogEntry
 *   collections embed whole entries (one GET reads the log); others hold links.
 * - Errors are Redfish error bodies with Base 1.22 MessageIds; PATCH and action bodies
 *   are checked whole first (every problem reported, up to ERR_MAX) and nothing is applied
 *   when any is wrong.
 * - Auth: X-Auth-Token is compared with ct_equal against every live session (no early
 *   exit); Basic is decoded by a strict bounded base64 decoder; an unknown user still costs
 *   one constant-time password comparison. Password checks (Basic and session login) are
 *   throttled per (source address, user name) and per address (throttle.h; by default
 *   RF_THROTTLE_DEFAULT: 5 failures in a minute lock that name out for 2 s, doubling per further
 *   failure up to 256 s); while locked nothing is checked and the answer is 429 with
 *   Retry-After. A success forgets only its own (address, user) failures.
 * - ETags: If-Match on PATCH and If-None-Match on GET accept the tag quoted, unquoted or
 *   as W/"..." (clients differ); "*" matches. If-Match is never required (no 428).
 * - Behind a reverse proxy on loopback (PiKVM's nginx) every peer is 127.0.0.1, so one
 *   guesser would lock everyone out. With cfg.forwarded_for, a plain-HTTP request from a
 *   loopback peer is attributed to the last address in X-Forwarded-For (the one the proxy
 *   wrote); anything unparsable keeps the peer's address. TLS peers and remote peers are
 *   never attributed by header.
 * - Plain HTTP from a non-loopback peer with http_remote off serves only GET/HEAD of
 *   /redfish and the service root, so credentials never cross the wire in clear.
 */
#include "redfish/rf_private.h"

#include <arpa/inet.h>

enum { U = PRIV_USER, O = PRIV_OPERATOR, A = PRIV_ADMIN };

/* schema family f, version v: @odata.type, Link file, family, version (all literals) */
#define T(f, v) "#" f "." v "." f, f "." v ".json", f, v
#define C(f) "#" f "." f, f ".json", f, NULL
#define NOTYPE NULL, NULL, NULL, NULL

const struct route rf_routes[R_COUNT] = {
	[R_VERSIONS] = { "/redfish", MG, 0, 0, false, NOTYPE },
	[R_ROOT] = { V1, MG, 0, 0, false, T("ServiceRoot", "v1_20_0") },
	[R_ODATA] = { V1 "/odata", MG, 0, 0, false, NOTYPE },
	[R_METADATA] = { V1 "/$metadata", MG, 0, 0, false, NOTYPE },
	[R_SYSTEMS] = { V1 "/Systems", MG, U, 0, true, C("ComputerSystemCollection") },
	[R_SYSTEM] = { V1 "/Systems/%", MG | MPATCH, U, O, false, T("ComputerSystem", "v1_27_0") },
	[R_RESET_INFO] = { V1 "/Systems/%/ResetActionInfo", MG, U, 0, false, T("ActionInfo", "v1_5_0") },
	[R_RESET] = { V1 "/Systems/%/Actions/ComputerSystem.Reset", MPOST, U, O, false, NOTYPE },
	[R_LOGSERVICES] = { V1 "/Systems/%/LogServices", MG, U, 0, true, C("LogServiceCollection") },
	[R_EVENTLOG] = { EL, MG, U, 0, false, T("LogService", "v1_9_0") },
	[R_ENTRIES] = { EL "/Entries", MG, U, 0, true, C("LogEntryCollection") },
	[R_ENTRY] = { EL "/Entries/*", MG, U, 0, false, T("LogEntry", "v1_21_0") },
	[R_CLEARLOG] = { EL "/Actions/LogService.ClearLog", MPOST, U, A, false, NOTYPE },
	[R_CHASSIS_ALL] = { V1 "/Chassis", MG, U, 0, true, C("ChassisCollection") },
	[R_CHASSIS] = { V1 "/Chassis/%", MG | MPATCH, U, O, false, T("Chassis", "v1_28_0") },
	[R_MANAGERS] = { V1 "/Managers", MG, U, 0, true, C("ManagerCollection") },
	[R_MANAGER] = { MGR, MG, U, 0, false, T("Manager", "v1_24_0") },
	[R_NETPROTO] = { MGR "/NetworkProtocol", MG, U, 0, false, T("ManagerNetworkProtocol", "v1_12_0") },
	[R_ACCOUNTSVC] = { V1 "/AccountService", MG, U, 0, false, T("AccountService", "v1_18_1") },
	[R_ACCOUNTS] = { V1 "/AccountService/Accounts", MG, U, 0, true, C("ManagerAccountCollection") },
	[R_ACCOUNT] = { V1 "/AccountService/Accounts/*", MG, U, 0, false, T("ManagerAccount", "v1_14_1") },
	[R_ROLES] = { V1 "/AccountService/Roles", MG, U, 0, true, C("RoleCollection") },
	[R_ROLE] = { V1 "/AccountService/Roles/*", MG, U, 0, false, T("Role", "v1_3_3") },
	[R_SESSIONSVC] = { V1 "/SessionService", MG | MPATCH, U, A, false, T("SessionService", "v1_2_0") },
	[R_SESSIONS] = { V1 "/SessionService/Sessions", MG | MPOST, U, 0, true, C("SessionCollection") },
	[R_SESSIONS_MEMBERS] = { V1 "/SessionService/Sessions/Members", MPOST, U, 0, false, NOTYPE },
	[R_SESSION] = { V1 "/SessionService/Sessions/*", MG | MDEL, U, U, false, T("Session", "v1_8_0") },
	[R_EVENTSVC] = { V1 "/EventService", MG, U, 0, false, T("EventService", "v1_12_0") },
	[R_SSE] = { V1 "/EventService/SSE", MG, U, 0, false, NOTYPE },
	[R_SCHEMAS] = { V1 "/JsonSchemas", MG, U, 0, true, C("JsonSchemaFileCollection") },
	[R_SCHEMA] = { V1 "/JsonSchemas/*", MG, U, 0, false, T("JsonSchemaFile", "v1_1_5") },
	[R_REGISTRIES] = { V1 "/Registries", MG, U, 0, true, C("MessageRegistryFileCollection") },
	[R_REGISTRY] = { V1 "/Registries/*", MG, U, 0, false, T("MessageRegistryFile", "v1_1_5") },
};

/* Segment-wise match; '%' and '*' stand for one non-empty segment each. */
static bool match(const char *pat, const char *p, struct seg *sys, struct seg *arg)
{
	while (*pat && *p) {
		if (*pat == '%' || *pat == '*') {
			const char *e = strchr(p, '/');
			if (!e)
				e = p + strlen(p);
			if (e == p)
				return false;
			struct seg *s = *pat == '%' ? sys : arg;
			s->p = p;
			s->n = (size_t)(e - p);
			p = e;
			pat++;
		} else if (*pat++ != *p++) {
			return false;
		}
	}
	return !*pat && !*p;
}

static void m_account(struct ctx *x, unsigned i)
{
	jw_link(&x->w, NULL, V1 "/AccountService/Accounts/%u", x->map[i] + 1u);
}

static void m_session(struct ctx *x, unsigned i)
{
	jw_link(&x->w, NULL, V1 "/SessionService/Sessions/%u",
		(unsigned)x->r->sessions[x->map[i]].id);
}

static const char *const role_ids[] = { "Administrator", "Operator", "ReadOnly" };

static void m_role(struct ctx *x, unsigned i)
{
	jw_link(&x->w, NULL, V1 "/AccountService/Roles/%s", role_ids[i]);
}

static int role_of(uint8_t priv)
{
	return priv >= PRIV_ADMIN ? 0 : priv == PRIV_OPERATOR ? 1 : priv == PRIV_USER ? 2 : -1;
}

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
	rf_hdr(x, R_ENTRY, LOG "/Entries/%u", x->r->cfg.system_id, id);
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
	const struct sel_entry *e = sel_at(host_sel(x->r->host), (uint16_t)i);
	if (e)
		entry_json(x, e);
}

/* --- resources --------------------------------------------------------------------------- */

static const char *const boot_enabled_names[] = { "Disabled", "Once", "Continuous" };

/* Redfish names for enum boot_target. IPMI's "remote" devices are the KVM's emulated
 * drives; RemoteDrive is not offered, so they show as the device they emulate: a CD
 * (PiKVM's mass storage default), a floppy, or a USB disk. BOOT_HDD_SAFE is an Hdd. */
static const char *const boot_target_names[BOOT_TARGET_COUNT] = {
	[BOOT_NONE] = "None", [BOOT_PXE] = "Pxe", [BOOT_HDD] = "Hdd", [BOOT_HDD_SAFE] = "Hdd",
	[BOOT_DIAGS] = "Diags", [BOOT_CD] = "Cd", [BOOT_BIOS] = "BiosSetup",
	[BOOT_REMOTE_FLOPPY] = "Floppy", [BOOT_REMOTE_CD] = "Cd", [BOOT_REMOTE_MEDIA] = "Cd",
	[BOOT_REMOTE_HDD] = "Usb", [BOOT_FLOPPY] = "Floppy", [BOOT_USB] = "Usb",
	[BOOT_UEFI_HTTP] = "UefiHttp",
};

/* What PATCH accepts (the AllowableValues) and what each sets. */
static const char *const boot_targets[] = {
	"None", "Pxe", "Floppy", "Cd", "Usb", "Hdd", "BiosSetup", "Diags", "UefiHttp",
};
static const uint8_t boot_target_vals[] = {
	BOOT_NONE, BOOT_PXE, BOOT_FLOPPY, BOOT_CD, BOOT_USB, BOOT_HDD, BOOT_BIOS, BOOT_DIAGS,
	BOOT_UEFI_HTTP,
};
#define NTARGETS (sizeof(boot_targets) / sizeof(boot_targets[0]))

static const char *const reset_types[] = {
	"On", "ForceOff", "GracefulShutdown", "GracefulRestart", "ForceRestart", "ForceOn",
	"PushPowerButton", "PowerCycle",
};
static const uint8_t reset_actions[] = {
	HOST_ON, HOST_OFF, HOST_SOFT, HOST_SOFT_RESTART, HOST_RESET, HOST_ON, HOST_PUSH,
	HOST_CYCLE,
};
#define NRESET (sizeof(reset_types) / sizeof(reset_types[0]))

static const char *const led_names[] = { "Off", "Blinking", "Lit" };

static const char *const policy_names[] = { "AlwaysOff", "LastState", "AlwaysOn" };

static void get_system(struct ctx *x)
{
	struct redfish *r = x->r;
	struct jw *w = &x->w;
	const char *sid = r->cfg.system_id;
	struct host_status st;
	struct boot_override b;
	host_get_status(r->host, &st);
	host_get_boot(r->host, &b);
	rf_hdr(x, R_SYSTEM, SYS, sid);
	jw_kstr(w, "Id", sid);
	jw_kstr(w, "Name", "Computer System");
	jw_kstr(w, "SystemType", "Physical");
	if (r->uuid_ok)
		jw_kstr(w, "UUID", r->cfg.uuid);
	/* what the [fru] settings say; BIOS, memory and processors are unknown to a BMC on
	 * the ATX header and stay out */
	rf_kstr_opt(w, "Manufacturer", r->cfg.manufacturer);
	rf_kstr_opt(w, "Model", r->cfg.model);
	rf_kstr_opt(w, "SerialNumber", r->cfg.serial);
	rf_kstr_opt(w, "PartNumber", r->cfg.part);
	rf_kstr_opt(w, "AssetTag", r->cfg.asset_tag);
	jw_kstr(w, "PowerState", rf_power_names[rf_power_state(&st)]);
	rf_status_obj(w, st.available);
	jw_kstr(w, "IndicatorLED", led_names[st.identify < 3 ? st.identify : 2]);
	jw_kbool(w, "LocationIndicatorActive", st.identify != 0);
	jw_kstr(w, "PowerRestorePolicy", policy_names[st.policy < 3 ? st.policy : 1]);
	/* the host's serial console, reachable through IPMI SoL (one session at a time) */
	jw_kobj(w, "SerialConsole");
	jw_kint(w, "MaxConcurrentSessions", r->cfg.sol_enabled ? 1 : 0);
	jw_kobj(w, "IPMI");
	jw_kbool(w, "ServiceEnabled", r->cfg.sol_enabled && r->cfg.ipmi_port != 0);
	if (r->cfg.ipmi_port)
		jw_kint(w, "Port", r->cfg.ipmi_port);
	jw_obj_end(w);
	jw_obj_end(w);
	jw_kobj(w, "Boot");
	jw_kstr(w, "BootSourceOverrideEnabled", boot_enabled_names[b.enabled < 3 ? b.enabled : 0]);
	rf_str_array(w, "BootSourceOverrideEnabled@Redfish.AllowableValues", boot_enabled_names, 3);
	jw_kstr(w, "BootSourceOverrideTarget",
		b.target < BOOT_TARGET_COUNT ? boot_target_names[b.target] : "None");
	rf_str_array(w, "BootSourceOverrideTarget@Redfish.AllowableValues", boot_targets, NTARGETS);
	jw_kstr(w, "BootSourceOverrideMode", b.uefi ? "UEFI" : "Legacy");
	jw_key(w, "BootSourceOverrideMode@Redfish.AllowableValues");
	jw_raw(w, "[\"UEFI\",\"Legacy\"]");
	jw_obj_end(w);
	jw_link(w, "LogServices", SYS "/LogServices", sid);
	jw_kobj(w, "Links");
	rf_link_list(w, "Chassis", V1 "/Chassis/%s", sid);
	rf_link_list(w, "ManagedBy", "%s", MGR);
	jw_obj_end(w);
	jw_kobj(w, "Actions");
	jw_kobj(w, "#ComputerSystem.Reset");
	char t[200];
	snprintf(t, sizeof(t), SYS "/Actions/ComputerSystem.Reset", sid);
	jw_kstr(w, "target", t);
	rf_str_array(w, "ResetType@Redfish.AllowableValues", reset_types, NRESET);
	snprintf(t, sizeof(t), SYS "/ResetActionInfo", sid);
	jw_kstr(w, "@Redfish.ActionInfo", t);
	jw_obj_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
}

static void get_root(struct ctx *x)
{
	struct jw *w = &x->w;
	struct redfish *r = x->r;
	rf_hdr(x, R_ROOT, V1 "/");
	jw_kstr(w, "Id", "RootService");
	jw_kstr(w, "Name", "Root Service");
	jw_kstr(w, "RedfishVersion", "1.21.0");
	if (r->uuid_ok)
		jw_kstr(w, "UUID", r->cfg.uuid);
	jw_kstr(w, "Product", "bmcd");
	/* the truth: $top/$skip only (query() answers 501 for the rest) */
	jw_key(w, "ProtocolFeaturesSupported");
	jw_raw(w, "{\"ExpandQuery\":{\"ExpandAll\":false,\"Levels\":false,\"Links\":false,"
		  "\"NoLinks\":false},\"FilterQuery\":false,\"SelectQuery\":false,"
		  "\"OnlyMemberQuery\":false,\"ExcerptQuery\":false,\"TopSkipQuery\":true,"
		  "\"DeepOperations\":{\"DeepPATCH\":false,\"DeepPOST\":false}}");
	jw_link(w, "Systems", V1 "/Systems");
	jw_link(w, "Chassis", V1 "/Chassis");
	jw_link(w, "Managers", V1 "/Managers");
	jw_link(w, "SessionService", V1 "/SessionService");
	jw_link(w, "AccountService", V1 "/AccountService");
	jw_link(w, "EventService", V1 "/EventService");
	jw_link(w, "JsonSchemas", V1 "/JsonSchemas");
	jw_link(w, "Registries", V1 "/Registries");
	jw_kobj(w, "Links");
	jw_link(w, "Sessions", V1 "/SessionService/Sessions");
	jw_obj_end(w);
	jw_obj_end(w);
}

static void get_odata(struct ctx *x)
{
	static const char *const v[][2] = {
		{ "Service", V1 "/" }, { "Systems", V1 "/Systems" }, { "Chassis", V1 "/Chassis" },
		{ "Managers", V1 "/Managers" }, { "SessionService", V1 "/SessionService" },
		{ "AccountService", V1 "/AccountService" }, { "EventService", V1 "/EventService" },
		{ "JsonSchemas", V1 "/JsonSchemas" }, { "Registries", V1 "/Registries" },
		{ "Sessions", V1 "/SessionService/Sessions" },
	};
	struct jw *w = &x->w;
	jw_obj(w);
	jw_kstr(w, "@odata.context", V1 "/$metadata");
	jw_karr(w, "value");
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		jw_obj(w);
		jw_kstr(w, "name", v[i][0]);
		jw_kstr(w, "kind", "Singleton");
		jw_kstr(w, "url", v[i][1]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

static void metadata_ref(struct buf *b, const char *family, const char *ver, const char *extra)
{
	buf_printf(b, "<edmx:Reference Uri=\"" SCHEMAS "%s_v1.xml\">", family);
	buf_printf(b, "<edmx:Include Namespace=\"%s\"/>", family);
	if (ver)
		buf_printf(b, "<edmx:Include Namespace=\"%s.%s\"/>", family, ver);
	if (extra)
		buf_printf(b, "<edmx:Include Namespace=\"%s\"/>", extra);
	buf_str(b, "</edmx:Reference>\n");
}

/* Schemas the resources embed without a route of their own. */
static const char *const more[][2] = {
	{ "Resource", "v1_23_0" }, { "Message", "v1_3_0" }, { "Privileges", "v1_0_6" },
	{ "Event", "v1_13_0" },
};
#define NMORE (sizeof(more) / sizeof(more[0]))

/* The i-th schema the service uses (the routes', then the embedded ones): false past the
 * end. ver is NULL for the unversioned collection schemas. */
static bool schema_at(unsigned i, const char **type, const char **ver)
{
	for (int r = 0; r < R_COUNT; r++)
		if (rf_routes[r].type && i-- == 0) {
			*type = rf_routes[r].type, *ver = rf_routes[r].ver;
			return true;
		}
	if (i >= NMORE)
		return false;
	*type = more[i][0], *ver = more[i][1];
	return true;
}

static unsigned schema_count(void)
{
	unsigned n = 0;
	const char *t, *v;
	while (schema_at(n, &t, &v))
		n++;
	return n;
}

/* The DMTF registries the messages come from, as published. */
static const char *const registries[][2] = {
	{ "Base", "1.22.1" }, { "ResourceEvent", "1.4.3" },
};
#define NREGISTRIES (sizeof(registries) / sizeof(registries[0]))

/* JsonSchemas and Registries (HPE's ilorest logs in only when the service root links
 * them): where DMTF publishes what the service uses; nothing is copied here. */
static void m_schema(struct ctx *x, unsigned i)
{
	const char *t, *v;
	if (schema_at(i, &t, &v))
		jw_link(&x->w, NULL, V1 "/JsonSchemas/%s", t);
}

static void m_registry(struct ctx *x, unsigned i)
{
	jw_link(&x->w, NULL, V1 "/Registries/%s", registries[i][0]);
}

static void location(struct jw *w, const char *uri)
{
	jw_karr(w, "Location");
	jw_obj(w);
	jw_kstr(w, "Language", "en");
	jw_kstr(w, "PublicationUri", uri);
	jw_obj_end(w);
	jw_arr_end(w);
	jw_key(w, "Languages");
	jw_raw(w, "[\"en\"]");
}

static void get_schema_file(struct ctx *x)
{
	const char *t = NULL, *v = NULL;
	unsigned i = 0;
	while (schema_at(i, &t, &v) && strcmp(t, x->arg))
		i++;
	if (!t || strcmp(t, x->arg)) {
		rf_fail(x, 404, M_NOT_FOUND, "JsonSchemaFile", x->arg, NULL);
		return;
	}
	struct jw *w = &x->w;
	char s[160];
	rf_hdr(x, R_SCHEMA, V1 "/JsonSchemas/%s", t);
	jw_kstr(w, "Id", t);
	snprintf(s, sizeof(s), "%s Schema File", t);
	jw_kstr(w, "Name", s);
	if (v)
		snprintf(s, sizeof(s), "#%s.%s.%s", t, v, t);
	else
		snprintf(s, sizeof(s), "#%s.%s", t, t);
	jw_kstr(w, "Schema", s);
	if (v)
		snprintf(s, sizeof(s), SCHEMAS "%s.%s.json", t, v);
	else
		snprintf(s, sizeof(s), SCHEMAS "%s.json", t);
	location(w, s);
	jw_obj_end(w);
}

static void get_registry_file(struct ctx *x)
{
	size_t i = 0;
	while (i < NREGISTRIES && strcmp(registries[i][0], x->arg))
		i++;
	if (i == NREGISTRIES) {
		rf_fail(x, 404, M_NOT_FOUND, "MessageRegistryFile", x->arg, NULL);
		return;
	}
	struct jw *w = &x->w;
	char s[160];
	const char *n = registries[i][0], *v = registries[i][1];
	rf_hdr(x, R_REGISTRY, V1 "/Registries/%s", n);
	jw_kstr(w, "Id", n);
	snprintf(s, sizeof(s), "%s Message Registry File", n);
	jw_kstr(w, "Name", s);
	snprintf(s, sizeof(s), "%s.%.*s", n, (int)(strrchr(v, '.') - v), v); /* Base.1.22 */
	jw_kstr(w, "Registry", s);
	snprintf(s, sizeof(s), "http://redfish.dmtf.org/registries/%s.%s.json", n, v);
	location(w, s);
	jw_obj_end(w);
}

/* CSDL referencing every schema the service uses: the routes' and the ones they embed. */
static void get_metadata(struct ctx *x)
{
	struct buf *b = &x->b;
	x->p.ctype = "application/xml";
	buf_str(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<edmx:Edmx "
		   "xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\" Version=\"4.0\">\n");
	for (int i = 0; i < R_COUNT; i++)
		if (rf_routes[i].type)
			metadata_ref(b, rf_routes[i].type, rf_routes[i].ver,
				     i == R_ROOT ? "ServiceRoot.v1_0_0" : NULL);
	for (size_t i = 0; i < NMORE; i++)
		metadata_ref(b, more[i][0], more[i][1], NULL);
	buf_str(b, "<edmx:Reference Uri=\"" SCHEMAS "RedfishExtensions_v1.xml\"><edmx:Include "
		   "Namespace=\"RedfishExtensions.v1_0_0\" Alias=\"Redfish\"/></edmx:Reference>\n"
		   "<edmx:DataServices><Schema xmlns=\"http://docs.oasis-open.org/odata/ns/edm\" "
		   "Namespace=\"Service\"><EntityContainer Name=\"Service\" "
		   "Extends=\"ServiceRoot.v1_0_0.ServiceContainer\"/></Schema></edmx:DataServices>\n"
		   "</edmx:Edmx>\n");
}

static void get_reset_info(struct ctx *x)
{
	struct jw *w = &x->w;
	rf_hdr(x, R_RESET_INFO, "%s", x->path);
	jw_kstr(w, "Id", "ResetActionInfo");
	jw_kstr(w, "Name", "Reset Action Info");
	jw_karr(w, "Parameters");
	jw_obj(w);
	jw_kstr(w, "Name", "ResetType");
	jw_kbool(w, "Required", true);
	jw_kstr(w, "DataType", "String");
	rf_str_array(w, "AllowableValues", reset_types, NRESET);
	jw_obj_end(w);
	jw_arr_end(w);
	jw_obj_end(w);
}

static void get_eventlog(struct ctx *x)
{
	struct jw *w = &x->w;
	struct sel *s = host_sel(x->r->host);
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
	rf_iso_time(host_time(x->r->host), t);
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

static void get_entry(struct ctx *x)
{
	uint32_t id;
	uint16_t next;
	const struct sel_entry *e = NULL;
	/* 0 and 0xFFFF are sel_get's "first" and "last", not record IDs */
	if (rf_id_u32(x->arg, strlen(x->arg), &id) && id >= 1 && id < 0xFFFF)
		e = sel_get(host_sel(x->r->host), (uint16_t)id, &next);
	if (!e) {
		rf_fail(x, 404, M_NOT_FOUND, "LogEntry", x->arg, NULL);
		return;
	}
	entry_json(x, e);
}

static void get_chassis(struct ctx *x)
{
	struct jw *w = &x->w;
	const char *sid = x->r->cfg.system_id;
	struct host_status st;
	host_get_status(x->r->host, &st);
	rf_hdr(x, R_CHASSIS, V1 "/Chassis/%s", sid);
	jw_kstr(w, "Id", sid);
	jw_kstr(w, "Name", "Chassis");
	jw_kstr(w, "ChassisType", "Other"); /* any computer with an ATX header */
	rf_kstr_opt(w, "SerialNumber", x->r->cfg.chassis_serial);
	rf_kstr_opt(w, "PartNumber", x->r->cfg.chassis_part);
	/* the same identify state IPMI's chassis identify and Systems/{id} show */
	jw_kstr(w, "IndicatorLED", led_names[st.identify < 3 ? st.identify : 2]);
	jw_kbool(w, "LocationIndicatorActive", st.identify != 0);
	jw_kstr(w, "PowerState", rf_power_names[rf_power_state(&st)]);
	rf_status_obj(w, st.available);
	jw_kobj(w, "Links");
	rf_link_list(w, "ComputerSystems", SYS, sid);
	rf_link_list(w, "ManagedBy", "%s", MGR);
	jw_obj_end(w);
	jw_obj_end(w);
}

static void get_manager(struct ctx *x)
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
	jw_kobj(w, "Links");
	rf_link_list(w, "ManagerForServers", SYS, r->cfg.system_id);
	rf_link_list(w, "ManagerForChassis", V1 "/Chassis/%s", r->cfg.system_id);
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

static void get_netproto(struct ctx *x)
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

static void get_accountsvc(struct ctx *x)
{
	struct jw *w = &x->w;
	rf_hdr(x, R_ACCOUNTSVC, V1 "/AccountService");
	jw_kstr(w, "Id", "AccountService");
	jw_kstr(w, "Name", "Account Service");
	jw_kstr(w, "Description", "Accounts come from the users file, shared with IPMI; read-only");
	jw_kbool(w, "ServiceEnabled", true);
	jw_kstr(w, "LocalAccountAuth", "Enabled");
	jw_kint(w, "MinPasswordLength", 1);
	jw_kint(w, "MaxPasswordLength", USER_PASS_MAX);
	/* no account lockout: failures are throttled per source address instead */
	jw_kint(w, "AccountLockoutThreshold", 0);
	rf_status_obj(w, true);
	jw_link(w, "Accounts", V1 "/AccountService/Accounts");
	jw_link(w, "Roles", V1 "/AccountService/Roles");
	jw_obj_end(w);
}

/* Accounts: an administrator sees all, others their own (DSP8011: ConfigureUsers, or
 * ConfigureSelf for one's own); also who may delete a session. */
bool rf_visible_user(const struct ctx *x, const char *name)
{
	return x->priv >= PRIV_ADMIN || (x->uname && !strcmp(x->uname, name));
}

static void get_accounts(struct ctx *x)
{
	uint16_t map[USERS_HARD_MAX];
	unsigned n = 0;
	const struct users *us = x->r->users;
	for (int i = 0; i < us->n && n < USERS_HARD_MAX; i++)
		if (rf_visible_user(x, us->u[i].name))
			map[n++] = (uint16_t)i;
	x->map = map;
	rf_collection(x, "Accounts", n, m_account, 100);
}

static void get_account(struct ctx *x)
{
	struct jw *w = &x->w;
	const struct users *us = x->r->users;
	uint32_t id;
	if (!rf_id_u32(x->arg, strlen(x->arg), &id) || id < 1 || id > (uint32_t)us->n) {
		rf_fail(x, 404, M_NOT_FOUND, "ManagerAccount", x->arg, NULL);
		return;
	}
	const struct user *u = &us->u[id - 1];
	if (!rf_visible_user(x, u->name)) {
		rf_fail(x, 403, M_PRIVILEGE, NULL, NULL, NULL);
		return;
	}
	int role = role_of(u->priv);
	rf_hdr(x, R_ACCOUNT, V1 "/AccountService/Accounts/%u", (unsigned)id);
	jw_kstr(w, "Id", x->arg);
	jw_kstr(w, "Name", "User Account");
	jw_kstr(w, "UserName", u->name);
	jw_kstr(w, "RoleId", role >= 0 ? role_ids[role] : "NoAccess");
	jw_kbool(w, "Enabled", role >= 0);
	jw_kbool(w, "Locked", false);
	jw_knull(w, "Password");
	jw_key(w, "AccountTypes");
	jw_raw(w, "[\"Redfish\",\"IPMI\"]");
	if (role >= 0) {
		jw_kobj(w, "Links");
		jw_link(w, "Role", V1 "/AccountService/Roles/%s", role_ids[role]);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

static void get_role(struct ctx *x)
{
	static const char *const privs[] = {
		"[\"Login\",\"ConfigureManager\",\"ConfigureUsers\",\"ConfigureComponents\",\"ConfigureSelf\"]",
		"[\"Login\",\"ConfigureComponents\",\"ConfigureSelf\"]",
		"[\"Login\",\"ConfigureSelf\"]",
	};
	struct jw *w = &x->w;
	int i = 0;
	while (i < 3 && strcmp(x->arg, role_ids[i]))
		i++;
	if (i == 3) {
		rf_fail(x, 404, M_NOT_FOUND, "Role", x->arg, NULL);
		return;
	}
	rf_hdr(x, R_ROLE, V1 "/AccountService/Roles/%s", role_ids[i]);
	jw_kstr(w, "Id", role_ids[i]);
	jw_kstr(w, "Name", role_ids[i]);
	jw_kstr(w, "RoleId", role_ids[i]);
	jw_kbool(w, "IsPredefined", true);
	jw_key(w, "AssignedPrivileges");
	jw_raw(w, privs[i]);
	jw_obj_end(w);
}

static void get_sessionsvc(struct ctx *x)
{
	struct jw *w = &x->w;
	rf_hdr(x, R_SESSIONSVC, V1 "/SessionService");
	jw_kstr(w, "Id", "SessionService");
	jw_kstr(w, "Name", "Session Service");
	jw_kbool(w, "ServiceEnabled", true);
	jw_kint(w, "SessionTimeout", x->r->cfg.session_timeout_s);
	rf_status_obj(w, true);
	jw_link(w, "Sessions", V1 "/SessionService/Sessions");
	jw_obj_end(w);
}

static void get_sessions(struct ctx *x)
{
	struct redfish *r = x->r;
	uint16_t map[RF_SESSIONS_HARD_MAX];
	unsigned n = 0;
	for (unsigned i = 0; i < r->cfg.max_sessions; i++) {
		const struct rf_session *s = &r->sessions[i];
		if (s->used && !rf_expired(r, s))
			map[n++] = (uint16_t)i;
	}
	x->map = map;
	rf_collection(x, "Session Collection", n, m_session, 100);
}

void rf_session_json(struct ctx *x, const struct rf_session *s)
{
	struct jw *w = &x->w;
	char id[16];
	snprintf(id, sizeof(id), "%u", (unsigned)s->id);
	rf_hdr(x, R_SESSION, V1 "/SessionService/Sessions/%s", id);
	jw_kstr(w, "Id", id);
	jw_kstr(w, "Name", "User Session");
	jw_kstr(w, "UserName", s->user_name);
	jw_kstr(w, "SessionType", "Redfish");
	jw_obj_end(w);
}

static void get_eventsvc(struct ctx *x)
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
	jw_raw(w, "[\"ComputerSystem\",\"LogEntry\"]");
	jw_key(w, "SSEFilterPropertiesSupported"); /* no $filter on the stream */
	jw_raw(w, "{\"EventFormatType\":false,\"MessageId\":false,\"MetricReportDefinition\":false,"
		  "\"OriginResource\":false,\"RegistryPrefix\":false,\"ResourceType\":false,"
		  "\"SubordinateResources\":false}");
	jw_obj_end(w);
}

static void get_versions(struct ctx *x)
{
	jw_raw(&x->w, "{\"v1\":\"" V1 "/\"}");
}

static void get_systems(struct ctx *x)
{
	snprintf(x->arg, sizeof(x->arg), "%s", x->r->cfg.system_id);
	rf_collection(x, "Computer System Collection", 1, rf_m_one, 100);
}

static void get_logservices(struct ctx *x)
{
	strcpy(x->arg, "EventLog");
	rf_collection(x, "Log Service Collection", 1, rf_m_one, 100);
}

static void get_entries(struct ctx *x)
{
	rf_collection(x, "Event Log Entries", host_sel(x->r->host)->count, m_entry, 900);
}

static void get_chassis_all(struct ctx *x)
{
	snprintf(x->arg, sizeof(x->arg), "%s", x->r->cfg.system_id);
	rf_collection(x, "Chassis Collection", 1, rf_m_one, 100);
}

static void get_managers(struct ctx *x)
{
	strcpy(x->arg, "bmc");
	rf_collection(x, "Manager Collection", 1, rf_m_one, 100);
}

static void get_roles(struct ctx *x)
{
	rf_collection(x, "Roles", 3, m_role, 100);
}

static void get_session(struct ctx *x)
{
	struct rf_session *s = rf_find_session(x, false);
	if (s)
		rf_session_json(x, s);
}

static void get_schemas(struct ctx *x)
{
	rf_collection(x, "JSON Schema Files", schema_count(), m_schema, 100);
}

static void get_registries(struct ctx *x)
{
	rf_collection(x, "Message Registry Files", NREGISTRIES, m_registry, 100);
}

/* The stream's head: whose stream this is (it ends with that session, or those
 * credentials); the events follow from redfish_sse_event(). */
static void get_sse(struct ctx *x)
{
	x->c->sse_session = x->sess ? x->sess->id : 0;
	x->c->sse_stamp = x->sess ? x->sess->stamp : x->r->users->u[x->user].stamp;
	snprintf(x->c->sse_user, sizeof(x->c->sse_user), "%s", x->uname);
	x->p.sse = true;
	x->p.ctype = "text/event-stream";
	x->close = false; /* the stream lives until the client leaves */
}

static void get(struct ctx *x)
{
	const struct route *rt = &rf_routes[x->rid];
	switch (x->rid) {
	case R_VERSIONS: get_versions(x); break;
	case R_ROOT: get_root(x); break;
	case R_ODATA: get_odata(x); break;
	case R_METADATA: get_metadata(x); break;
	case R_SYSTEMS: get_systems(x); break;
	case R_SYSTEM: get_system(x); break;
	case R_RESET_INFO: get_reset_info(x); break;
	case R_LOGSERVICES: get_logservices(x); break;
	case R_EVENTLOG: get_eventlog(x); break;
	case R_ENTRIES: get_entries(x); break;
	case R_ENTRY: get_entry(x); break;
	case R_CHASSIS_ALL: get_chassis_all(x); break;
	case R_CHASSIS: get_chassis(x); break;
	case R_MANAGERS: get_managers(x); break;
	case R_MANAGER: get_manager(x); break;
	case R_NETPROTO: get_netproto(x); break;
	case R_ACCOUNTSVC: get_accountsvc(x); break;
	case R_ACCOUNTS: get_accounts(x); break;
	case R_ACCOUNT: get_account(x); break;
	case R_ROLES: get_roles(x); break;
	case R_ROLE: get_role(x); break;
	case R_SESSIONSVC: get_sessionsvc(x); break;
	case R_SESSIONS: get_sessions(x); break;
	case R_SESSION: get_session(x); break;
	case R_EVENTSVC: get_eventsvc(x); break;
	case R_SCHEMAS: get_schemas(x); break;
	case R_SCHEMA: get_schema_file(x); break;
	case R_REGISTRIES: get_registries(x); break;
	case R_REGISTRY: get_registry_file(x); break;
	case R_SSE: get_sse(x); break;
	}
	if (x->p.status != 200 || x->p.sse)
		return;
	x->p.allow = rt->methods;
	x->p.link = rt->link;
	rf_set_etag(x);
	const struct http_header *h = http_header_get(x->rq, "If-None-Match");
	if (h && x->method == MG && rf_etag_match(h->value, h->value_len, x->p.etag))
		x->p.status = 304;
}

/* The writable properties of a ComputerSystem; vals NULL: a boolean. */
enum { P_TARGET, P_ENABLED, P_MODE, P_LED, P_POLICY, P_LOCATION, P_COUNT };
static const char *const modes[] = { "Legacy", "UEFI" };
/* Where a property may be written: a ComputerSystem, its Boot object, a Chassis. */
enum { IN_SYSTEM = 1, IN_BOOT = 2, IN_CHASSIS = 4 };
static const struct prop {
	const char *name;
	uint8_t where;
	const char *const *vals;
	size_t n;
} props[P_COUNT] = {
	[P_TARGET] = { "BootSourceOverrideTarget", IN_BOOT, boot_targets, NTARGETS },
	[P_ENABLED] = { "BootSourceOverrideEnabled", IN_BOOT, boot_enabled_names, 3 },
	[P_MODE] = { "BootSourceOverrideMode", IN_BOOT, modes, 2 },
	[P_LED] = { "IndicatorLED", IN_SYSTEM | IN_CHASSIS, led_names, 3 },
	[P_POLICY] = { "PowerRestorePolicy", IN_SYSTEM, policy_names, 3 },
	[P_LOCATION] = { "LocationIndicatorActive", IN_SYSTEM | IN_CHASSIS, NULL, 0 },
};

/* Checks the members of object obj (a system, its Boot, or a chassis: `where`) into set[]
 * (value indexes), recording every problem in e. OData annotations are ignored (DSP0266: a
 * PATCH of annotations alone is a NoOperation). Returns the number of other members. */
static int patch_check(struct ctx *x, const struct json_tok *t, int obj, uint8_t where, int *set,
		       struct elist *e)
{
	static const char *const ro_system[] = { "Id", "Name", "SystemType", "UUID", "PowerState",
						 "Status", "Links", "Actions", "LogServices",
						 "Description", "Manufacturer", "Model",
						 "SerialNumber", "PartNumber", "AssetTag" };
	static const char *const ro_boot[] = {
		"BootSourceOverrideEnabled@Redfish.AllowableValues",
		"BootSourceOverrideTarget@Redfish.AllowableValues",
		"BootSourceOverrideMode@Redfish.AllowableValues",
	};
	static const char *const ro_chassis[] = { "Id", "Name", "ChassisType", "PowerState",
						  "Status", "Links", "Description", "SerialNumber",
						  "PartNumber" };
	const char *const *ro = where == IN_BOOT ? ro_boot : where == IN_CHASSIS ? ro_chassis
										  : ro_system;
	size_t nro = where == IN_BOOT	   ? sizeof(ro_boot) / sizeof(ro_boot[0])
		     : where == IN_CHASSIS ? sizeof(ro_chassis) / sizeof(ro_chassis[0])
					   : sizeof(ro_system) / sizeof(ro_system[0]);
	int n = 0;
	for (int k = json_first(t, obj); k >= 0; k = json_next(t, k)) {
		int v = k + 1, p = 0, i;
		char key[16];
		if (json_str(x->rq->body, t, k, key, sizeof(key)) && !strncmp(key, "@odata.", 7))
			continue;
		n++;
		while (p < P_COUNT && (!(props[p].where & where) ||
				       !json_str_eq(x->rq->body, t, k, props[p].name)))
			p++;
		if (p < P_COUNT && props[p].vals) {
			i = rf_lookup(x, t, v, props[p].vals, props[p].n);
			if (i < 0)
				rf_add(e, i == -2 ? M_TYPE : M_NOT_IN_LIST, rf_tok_text(e, x, t, v), props[p].name, NULL);
			set[p] = i;
		} else if (p < P_COUNT) {
			if (t[v].type != JSON_TRUE && t[v].type != JSON_FALSE)
				rf_add(e, M_TYPE, rf_tok_text(e, x, t, v), props[p].name, NULL);
			set[p] = t[v].type == JSON_TRUE;
		} else if (where == IN_SYSTEM && json_str_eq(x->rq->body, t, k, "Boot")) {
			if (t[v].type == JSON_OBJECT)
				patch_check(x, t, v, IN_BOOT, set, e);
			else
				rf_add(e, M_TYPE, rf_tok_text(e, x, t, v), "Boot", NULL);
		} else if (rf_lookup(x, t, k, ro, nro) >= 0) {
			rf_add(e, M_NOT_WRITABLE, rf_tok_text(e, x, t, k), NULL, NULL);
		} else {
			rf_add(e, M_PROP_UNKNOWN, rf_tok_text(e, x, t, k), NULL, NULL);
		}
	}
	return n;
}

/* SessionService: SessionTimeout within the configured range (Ansible's
 * SetSessionService), kept in RAM; the rest is read-only. */
static bool patch_sessionsvc(struct ctx *x, const struct json_tok *t)
{
	static const char *const ro[] = { "Id", "Name", "Description", "ServiceEnabled", "Status",
					  "Sessions" };
	struct redfish *r = x->r;
	struct elist e = { 0 };
	int n = 0;
	int64_t v = -1;
	for (int k = json_first(t, 0); k >= 0; k = json_next(t, k)) {
		char key[16];
		if (json_str(x->rq->body, t, k, key, sizeof(key)) && !strncmp(key, "@odata.", 7))
			continue;
		n++;
		if (json_str_eq(x->rq->body, t, k, "SessionTimeout")) {
			if (t[k + 1].type != JSON_NUMBER ||
			    !json_int(x->rq->body, t, k + 1, INT64_MIN, INT64_MAX, &v))
				rf_add(&e, M_TYPE, rf_tok_text(&e, x, t, k + 1), "SessionTimeout", NULL);
			else if (v < r->cfg.session_timeout_min || v > r->cfg.session_timeout_max)
				rf_add(&e, M_OUT_OF_RANGE, rf_tok_text(&e, x, t, k + 1), "SessionTimeout", NULL);
		} else if (rf_lookup(x, t, k, ro, sizeof(ro) / sizeof(ro[0])) >= 0) {
			rf_add(&e, M_NOT_WRITABLE, rf_tok_text(&e, x, t, k), NULL, NULL);
		} else {
			rf_add(&e, M_PROP_UNKNOWN, rf_tok_text(&e, x, t, k), NULL, NULL);
		}
	}
	if (e.n || !n) {
		if (!n)
			rf_add(&e, M_NO_OPERATION, NULL, NULL, NULL);
		rf_fail_list(x, 400, &e);
		return false;
	}
	r->cfg.session_timeout_s = (uint32_t)v;
	rf_log(r, 5, "redfish: session timeout set to %u s by %s", r->cfg.session_timeout_s, x->uname);
	return true;
}

/* PATCH of a ComputerSystem (chassis false) or a Chassis: the whole body checked first,
 * nothing applied when anything is wrong. True when applied. */
static bool patch_props(struct ctx *x, const struct json_tok *t, bool chassis)
{
	struct redfish *r = x->r;
	struct elist e = { 0 };
	int set[P_COUNT];
	for (int i = 0; i < P_COUNT; i++)
		set[i] = -1;
	int n_props = patch_check(x, t, 0, chassis ? IN_CHASSIS : IN_SYSTEM, set, &e);
	if (e.n || !n_props) {
		if (!n_props)
			rf_add(&e, M_NO_OPERATION, NULL, NULL, NULL);
		rf_fail_list(x, 400, &e);
		return false;
	}
	if (set[P_POLICY] >= 0 && x->priv < PRIV_ADMIN) {
		rf_fail(x, 403, M_PRIVILEGE, NULL, NULL, NULL);
		return false;
	}
	struct host_who h = rf_who(x);
	int tgt = set[P_TARGET] >= 0 ? boot_target_vals[set[P_TARGET]] : -1, en = set[P_ENABLED];
	if (tgt >= 0 || en >= 0 || set[P_MODE] >= 0) {
		struct boot_override b;
		host_get_boot(r->host, &b); /* keeps ipmi_extra as the host has it */
		if (tgt >= 0) {
			b.target = (uint8_t)tgt;
			/* Ironic sends Target None alone to cancel, and a target alone to set one */
			if (en < 0 && tgt == BOOT_NONE)
				en = BOOT_DISABLED;
			else if (en < 0 && b.enabled == BOOT_DISABLED)
				en = BOOT_ONCE;
		}
		if (en >= 0) {
			b.enabled = (uint8_t)en;
			if (en == BOOT_DISABLED)
				b.target = BOOT_NONE;
		}
		if (set[P_MODE] >= 0)
			b.uefi = set[P_MODE] == 1;
		host_set_boot(r->host, &b, &h);
		rf_log(r, 5, "redfish: boot override set to %s %s (%s) by %s",
		     boot_enabled_names[b.enabled], boot_target_names[b.target],
		     b.uefi ? "UEFI" : "Legacy", x->uname);
	}
	/* identify: "Lit" and true light it until turned off, "Blinking" for a while */
	int led = set[P_LOCATION] >= 0 ? 2 * set[P_LOCATION] : set[P_LED];
	if (led >= 0)
		host_identify(r->host, led == 1 ? IDENTIFY_BLINK_S : 0, led == 2);
	if (set[P_POLICY] >= 0) {
		host_set_policy(r->host, (uint8_t)set[P_POLICY], &h);
		rf_log(r, 5, "redfish: power restore policy set to %s by %s", policy_names[set[P_POLICY]],
		     x->uname);
	}
	return true;
}

static bool patch_system(struct ctx *x, const struct json_tok *t)
{
	return patch_props(x, t, false);
}

static bool patch_chassis(struct ctx *x, const struct json_tok *t)
{
	return patch_props(x, t, true);
}

/* PATCH of a ComputerSystem, a Chassis or the SessionService: If-Match against the
 * representation a GET would give now, the body parsed, then the resource's own checks;
 * 200 with the resource as it is now when applied. */
static void patch(struct ctx *x)
{
	struct json_tok t[TOKENS];
	const struct http_header *im = http_header_get(x->rq, "If-Match");
	if (im) { /* the tag of the representation a GET would give now */
		if (x->rid == R_CHASSIS)
			get_chassis(x);
		else if (x->rid == R_SESSIONSVC)
			get_sessionsvc(x);
		else
			get_system(x);
		rf_set_etag(x);
		x->b.len = 0;
		jw_init(&x->w, &x->b);
		bool ok = rf_etag_match(im->value, im->value_len, x->p.etag);
		x->p.etag[0] = 0;
		if (!ok) {
			rf_fail(x, 412, M_PRECONDITION, NULL, NULL, NULL);
			return;
		}
	}
	int n = rf_body_json(x, t);
	if (n < 0)
		return;
	if (n == 0 || t[0].size == 0) {
		rf_fail(x, 400, n ? M_EMPTY : M_MALFORMED, NULL, NULL, NULL);
		return;
	}
	bool ok = x->rid == R_SESSIONSVC ? patch_sessionsvc(x, t)
		  : x->rid == R_CHASSIS	 ? patch_chassis(x, t)
					 : patch_system(x, t);
	if (ok)
		get(x);
}

/* Checks an action body: only `param` (if given) is accepted. Returns its value token,
 * 0 if absent, -1 with the error set. */
static int action_body(struct ctx *x, struct json_tok *t, const char *action, const char *param)
{
	int n = rf_body_json(x, t), v = 0;
	if (n <= 0)
		return n;
	struct elist e = { 0 };
	for (int k = json_first(t, 0); k >= 0; k = json_next(t, k)) {
		if (param && json_str_eq(x->rq->body, t, k, param))
			v = k + 1;
		else
			rf_add(&e, M_ACT_UNKNOWN, action, rf_tok_text(&e, x, t, k), NULL);
	}
	if (e.n) {
		rf_fail_list(x, 400, &e);
		return -1;
	}
	return v;
}

static void post_reset(struct ctx *x)
{
	static const char act[] = "ComputerSystem.Reset";
	struct json_tok t[TOKENS];
	int v = action_body(x, t, act, "ResetType");
	if (v < 0)
		return;
	if (v == 0) {
		rf_fail(x, 400, M_ACT_MISSING, act, "ResetType", NULL);
		return;
	}
	int i = rf_lookup(x, t, v, reset_types, NRESET);
	if (i < 0) {
		struct elist e = { 0 };
		rf_add(&e, i == -2 ? M_ACT_TYPE : M_ACT_NOT_IN_LIST, rf_tok_text(&e, x, t, v), "ResetType",
		    act);
		rf_fail_list(x, 400, &e);
		return;
	}
	struct host_who h = rf_who(x);
	int rc = host_request(x->r->host, (enum host_action)reset_actions[i], &h);
	if (rc < 0) {
		/* -2: the backend (kvmd) is down; -1 cannot happen for a listed ResetType */
		unsigned s = rc == -1 ? 10 : 30;
		char a[8];
		snprintf(a, sizeof(a), "%u", s);
		rf_fail(x, 503, M_UNAVAILABLE, a, NULL, NULL);
		x->p.retry_after = s;
		return;
	}
	x->p.status = 204;
}

static void post_clearlog(struct ctx *x)
{
	struct json_tok t[TOKENS];
	if (action_body(x, t, "LogService.ClearLog", NULL) < 0)
		return;
	struct host *h = x->r->host;
	host_sel_clear(h);
	rf_log(x->r, 5, "redfish: event log cleared by %s", x->uname);
	x->p.status = 204;
}

/* --- dispatch ---------------------------------------------------------------------------- */

/* $top/$skip on collections; other $-parameters are not supported (501); parameters
 * without '$' are ignored as the specification asks. False with the error set. */
static bool query(struct ctx *x)
{
	const char *q = x->rq->query;
	size_t n = q ? x->rq->query_len : 0;
	for (size_t s = 0, e; s < n; s = e + 1) {
		for (e = s; e < n && q[e] != '&'; e++)
			;
		size_t eq = s;
		while (eq < e && q[eq] != '=')
			eq++;
		size_t vs = eq < e ? eq + 1 : e; /* the value: [vs, e) */
		char k[32], v[32];
		if (!http_path_decode(q + s, eq - s, k, sizeof(k)) || k[0] != '$')
			continue;
		bool top = !strcmp(k, "$top");
		if (!top && strcmp(k, "$skip")) {
			rf_fail(x, 501, M_QUERY, NULL, NULL, NULL);
			return false;
		}
		if (x->method != MG) {
			rf_fail(x, 400, M_QUERY_OPERATION, NULL, NULL, NULL);
			return false;
		}
		if (!rf_routes[x->rid].coll) {
			rf_fail(x, 400, M_QUERY_RESOURCE, NULL, NULL, NULL);
			return false;
		}
		uint32_t val;
		if (!http_path_decode(q + vs, e - vs, v, sizeof(v)) || !rf_id_u32(v, strlen(v), &val)) {
			char raw[ARG_MAX + 1];
			snprintf(raw, sizeof(raw), "%.*s", (int)(e - vs > ARG_MAX ? ARG_MAX : e - vs), q + vs);
			rf_fail(x, 400, M_QUERY_TYPE, raw, k, NULL);
			return false;
		}
		if (top)
			x->top = val, x->has_top = true;
		else
			x->skip = val;
	}
	return true;
}

static void dispatch(struct ctx *x)
{
	struct redfish *r = x->r;
	const struct http_request *rq = x->rq;
	char *p = x->path;

	/* first: every answer to a HEAD, errors included, is a head without a body */
	switch (rq->method) {
	case HTTP_GET: x->method = MG; break;
	case HTTP_HEAD: x->method = MG; x->p.head = true; break;
	case HTTP_POST: x->method = MPOST; break;
	case HTTP_PATCH: x->method = MPATCH; break;
	case HTTP_DELETE: x->method = MDEL; break;
	default: x->method = 0; break;
	}
	if (!http_path_decode(rq->path, rq->path_len, p, sizeof(x->path))) {
		rf_fail(x, 404, M_NOT_FOUND, "Resource", "", NULL);
		return;
	}
	size_t pl = strlen(p);
	if (pl > 1 && p[pl - 1] == '/')
		p[--pl] = 0;
	x->rid = -1;
	struct seg arg = { NULL, 0 };
	for (int i = 0; i < R_COUNT && x->rid < 0; i++) {
		x->sys.n = arg.n = 0;
		if (match(rf_routes[i].pat, p, &x->sys, &arg))
			x->rid = i;
	}
	if (arg.n)
		snprintf(x->arg, sizeof(x->arg), "%.*s", (int)arg.n, arg.p);
	const struct route *rt = x->rid >= 0 ? &rf_routes[x->rid] : NULL;
	if (!x->c->tls && !x->c->loopback && !r->cfg.http_remote &&
	    !(x->method == MG && (x->rid == R_VERSIONS || x->rid == R_ROOT))) {
		x->p.resolution = "Use HTTPS: over plain HTTP this service only shows /redfish and "
				  "the service root to remote clients.";
		rf_fail(x, 403, M_GENERAL, NULL, NULL, NULL);
		return;
	}
	uint8_t need = !rt ? U : x->method == MG ? rt->rpriv : (rt->methods & x->method) ? rt->wpriv : U;
	x->user = -1;
	if (need && !rf_auth(x))
		return;
	/* after authentication: headers that change the answer come second (DSP0266) */
	const struct http_header *h = http_header_get(rq, "OData-Version");
	if (h && (h->value_len != 3 || memcmp(h->value, "4.0", 3))) {
		rf_fail(x, 412, M_HEADER_INVALID, "OData-Version", NULL, NULL);
		return;
	}
	if (rq->method == HTTP_OTHER) { /* a method HTTP/Redfish does not define here */
		rf_fail(x, 501, M_NOT_ALLOWED, NULL, NULL, NULL);
		return;
	}
	if (!rt) {
		rf_fail(x, 404, M_NOT_FOUND, "Resource", p, NULL);
		return;
	}
	if (!(rt->methods & x->method)) {
		if (rq->method == HTTP_OPTIONS) {
			x->p.status = 204;
		} else {
			rf_fail(x, 405, M_NOT_ALLOWED, NULL, NULL, NULL);
		}
		x->p.allow = rt->methods;
		return;
	}
	if (x->sys.n && (x->sys.n != strlen(r->cfg.system_id) ||
			 memcmp(x->sys.p, r->cfg.system_id, x->sys.n))) {
		char id[48];
		snprintf(id, sizeof(id), "%.*s", (int)(x->sys.n > 40 ? 40 : x->sys.n), x->sys.p);
		rf_fail(x, 404, M_NOT_FOUND, x->rid == R_CHASSIS ? "Chassis" : "ComputerSystem", id, NULL);
		return;
	}
	if (x->priv < need) {
		rf_fail(x, 403, M_PRIVILEGE, NULL, NULL, NULL);
		return;
	}
	if (!query(x))
		return;
	if (rq->body_len && (x->method == MPOST || x->method == MPATCH)) {
		h = http_header_get(rq, "Content-Type");
		size_t n = 0;
		while (h && n < h->value_len && h->value[n] != ';' && h->value[n] != ' ')
			n++;
		/* a body without a Content-Type is refused too: a browser sends such a request
		 * cross-origin without a preflight */
		if (!h || !(n == 16 && rf_ieq(h->value, "application/json", 16))) {
			rf_fail(x, 415, M_HEADER_INVALID, "Content-Type", NULL, NULL);
			return;
		}
	}
	switch (x->method) {
	case MG:
		get(x);
		break;
	case MPATCH:
		patch(x);
		break;
	case MPOST:
		if (x->rid == R_RESET)
			post_reset(x);
		else if (x->rid == R_CLEARLOG)
			post_clearlog(x);
		else
			rf_post_session(x);
		break;
	case MDEL:
		rf_delete_session(x);
		break;
	}
}

/* --- API --------------------------------------------------------------------------------- */

static bool uuid_valid(const char *u)
{
	for (int i = 0; i < 36; i++) {
		char c = u[i];
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
		if (dash ? c != '-' : !hex)
			return false;
	}
	return u[36] == 0;
}

void redfish_init(struct redfish *r, const struct redfish_cfg *cfg, struct rf_session *sessions,
		  const struct users *users, struct host *host, const void *seed, size_t seedlen)
{
	memset(r, 0, offsetof(struct redfish, body));
	r->cfg = *cfg;
	if (r->cfg.max_sessions > RF_SESSIONS_HARD_MAX)
		r->cfg.max_sessions = RF_SESSIONS_HARD_MAX;
	if (r->cfg.session_timeout_s == 0)
		r->cfg.session_timeout_s = 1800;
	/* the schema's range for SessionTimeout is 30..86400 */
	if (r->cfg.session_timeout_min < 30)
		r->cfg.session_timeout_min = 30;
	if (!r->cfg.session_timeout_max || r->cfg.session_timeout_max > 86400)
		r->cfg.session_timeout_max = 86400;
	if (r->cfg.session_timeout_min > r->cfg.session_timeout_max)
		r->cfg.session_timeout_min = r->cfg.session_timeout_max;
	r->cfg.system_id[sizeof(r->cfg.system_id) - 1] = 0;
	if (!r->cfg.system_id[0])
		strcpy(r->cfg.system_id, "0");
	r->cfg.uuid[sizeof(r->cfg.uuid) - 1] = 0;
	r->cfg.name[sizeof(r->cfg.name) - 1] = 0;
	r->cfg.fw_version[sizeof(r->cfg.fw_version) - 1] = 0;
	char *inv[] = { r->cfg.manufacturer, r->cfg.model, r->cfg.serial, r->cfg.part,
			r->cfg.asset_tag, r->cfg.chassis_serial, r->cfg.chassis_part, r->cfg.hostname };
	for (size_t i = 0; i < sizeof(inv) / sizeof(inv[0]); i++)
		inv[i][63] = 0;
	r->uuid_ok = uuid_valid(r->cfg.uuid);
	r->sessions = sessions;
	if (!sessions)
		r->cfg.max_sessions = 0;
	else
		memset(sessions, 0, sizeof(*sessions) * r->cfg.max_sessions);
	r->users = users;
	r->host = host;
	r->sse_power = 0xFF;
	rng_init(&r->rng, seed, seedlen);
	throttle_init(&r->thr, &r->cfg.throttle, r->thr_tab, RF_FAIL_SOURCES);
}

/* The last element of an X-Forwarded-For list as a v4-mapped or IPv6 address. */
static bool forwarded_addr(const struct http_request *rq, uint8_t out[16])
{
	if (http_header_count(rq, "X-Forwarded-For") != 1)
		return false; /* none, or several fields: which one the proxy wrote is unclear */
	const struct http_header *h = http_header_get(rq, "X-Forwarded-For");
	size_t pos = 0, s = 0, e = 0; /* the last element: what our proxy appended */
	while (http_list_next(h->value, h->value_len, &pos, &s, &e))
		;
	char a[INET6_ADDRSTRLEN];
	if (e - s == 0 || e - s >= sizeof(a))
		return false;
	memcpy(a, h->value + s, e - s);
	a[e - s] = 0;
	uint8_t v4[4];
	if (inet_pton(AF_INET, a, v4) == 1) {
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF };
		memcpy(out, mapped, 12);
		memcpy(out + 12, v4, 4);
		return true;
	}
	uint8_t v6[16];
	if (inet_pton(AF_INET6, a, v6) != 1)
		return false;
	memcpy(out, v6, 16);
	return true;
}

int redfish_handle(struct redfish *r, const struct http_request *rq, struct rf_conn *c,
		   struct buf *out, int64_t now)
{
	struct ctx x;
	memset(&x, 0, sizeof(x));
	r->now = now;
	x.r = r;
	x.rq = rq;
	x.c = c;
	memcpy(x.from, c->addr, 16);
	if (r->cfg.forwarded_for && c->loopback && !c->tls)
		forwarded_addr(rq, x.from);
	x.p.status = 200;
	x.close = !rq->keep_alive;
	buf_init(&x.b, r->body, sizeof(r->body));
	jw_init(&x.w, &x.b);
	dispatch(&x);
	return rf_finish(&x, out);
}

void redfish_error_response(struct redfish *r, int status, struct buf *out)
{
	struct ctx x; /* no request: fail() and finish() only use the response side */
	memset(&x, 0, sizeof(x));
	x.r = r;
	x.close = true;
	buf_init(&x.b, r->body, sizeof(r->body));
	int m = M_GENERAL;
	const char *a = NULL;
	switch (status) {
	case 411: m = M_HEADER_MISSING, a = "Content-Length"; break;
	case 413: m = M_TOO_LARGE; break;
	case 417: m = M_HEADER_INVALID, a = "Expect"; break;
	case 500: m = M_INTERNAL; break;
	case 503: m = M_UNAVAILABLE, a = "5"; x.p.retry_after = 5; break;
	case 400: x.p.resolution = "Send a valid HTTP/1.1 request."; break;
	case 408: x.p.resolution = "Send the whole request without pausing."; break;
	case 431: x.p.resolution = "Send fewer or shorter header fields."; break;
	case 501: x.p.resolution = "Use GET, HEAD, POST, PATCH or DELETE."; break;
	case 505: x.p.resolution = "Use HTTP/1.1."; break;
	}
	rf_fail(&x, status, m, a, NULL, NULL);
	rf_finish(&x, out);
}

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
	snprintf(s, sizeof(s), "ResourceEvent.1.4.%s", msg_id);
	jw_kstr(w, "MessageId", s);
	jw_kstr(w, "Message", text);
	jw_karr(w, "MessageArgs");
	if (arg)
		jw_str(w, arg);
	jw_arr_end(w);
	jw_kstr(w, "MessageSeverity", "OK");
	jw_kstr(w, "EventTimestamp", ts);
	jw_link(w, "OriginOfCondition", "%s", origin);
	if (log_entry)
		jw_link(w, "LogEntry", "%s", origin);
	jw_obj_end(w);
}

void redfish_sse_event(struct redfish *r, int what, struct buf *out)
{
	static const char *const powered[][2] = {
		{ "ResourcePoweredOn", "has powered on" }, { "ResourcePoweredOff", "has powered off" },
		{ "ResourcePoweringOn", "is powering on" }, { "ResourcePoweringOff", "is powering off" },
	};
	size_t start = out->len;
	uint64_t id = ++r->event_id;
	char ts[40], uri[160], text[256];
	rf_iso_time(host_time(r->host), ts);
	buf_printf(out, "id: %llu\ndata: ", (unsigned long long)id);
	struct jw w;
	jw_init(&w, out);
	jw_obj(&w);
	jw_kstr(&w, "@odata.type", "#Event.v1_13_0.Event");
	snprintf(text, sizeof(text), "%llu", (unsigned long long)id);
	jw_kstr(&w, "Id", text);
	jw_kstr(&w, "Name", "Event");
	jw_karr(&w, "Events");
	if (what == RF_NOTIFY_LOG) {
		struct sel *s = host_sel(r->host);
		const struct sel_entry *e = s->count ? sel_at(s, (uint16_t)(s->count - 1)) : NULL;
		if (e) {
			snprintf(uri, sizeof(uri), LOG "/Entries/%u", r->cfg.system_id,
				 (unsigned)sel_record_id(e));
			event_record(&w, id, 0, "ResourceCreated", "The resource was created successfully.",
				     NULL, uri, ts, true);
		} else {
			snprintf(uri, sizeof(uri), LOG "/Entries", r->cfg.system_id);
			event_record(&w, id, 0, "ResourceChanged",
				     "One or more resource properties have changed.", NULL, uri, ts, false);
		}
	} else {
		struct host_status st;
		host_get_status(r->host, &st);
		int ps = rf_power_state(&st);
		snprintf(uri, sizeof(uri), SYS, r->cfg.system_id);
		event_record(&w, id, 0, "ResourceChanged",
			     "One or more resource properties have changed.", NULL, uri, ts, false);
		if (ps != r->sse_power) {
			r->sse_power = (uint8_t)ps;
			snprintf(text, sizeof(text), "The resource '%s' %s.", uri, powered[ps][1]);
			event_record(&w, id, 1, powered[ps][0], text, uri, uri, ts, false);
		}
	}
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
