/*
 * The ComputerSystem: its GET, PATCH (boot override, identify, power restore policy; the
 * chassis PATCH shares the checks), the Reset action and its ActionInfo.
 */
#include "rf_private.h"

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

const char *const rf_led_names[] = { "Off", "Blinking", "Lit" };

static const char *const policy_names[] = { "AlwaysOff", "LastState", "AlwaysOn" };

void rf_get_system(struct ctx *x)
{
	struct redfish *r = x->r;
	struct jw *w = &x->w;
	const struct rf_system *s = x->s;
	const char *sid = s->id;
	struct host_status st;
	struct boot_override b;
	host_get_status(s->host, &st, r->now);
	host_get_boot(s->host, &b, r->now);
	rf_hdr(x, R_SYSTEM, SYS, sid);
	jw_kstr(w, "Id", sid);
	jw_kstr(w, "Name", "Computer System");
	jw_kstr(w, "SystemType", "Physical");
	rf_kstr_opt(w, "UUID", s->uuid);
	/* what the [fru] settings say; BIOS, memory and processors are unknown to a BMC on
	 * the ATX header and stay out */
	rf_kstr_opt(w, "Manufacturer", r->cfg.manufacturer);
	rf_kstr_opt(w, "Model", s->model);
	rf_kstr_opt(w, "SerialNumber", s->serial);
	rf_kstr_opt(w, "PartNumber", r->cfg.part);
	rf_kstr_opt(w, "AssetTag", r->cfg.asset_tag);
	jw_kstr(w, "PowerState", rf_power_names[rf_power_state(&st)]);
	rf_status_obj(w, st.available);
	jw_kstr(w, "IndicatorLED", rf_led_names[st.identify < 3 ? st.identify : 2]);
	jw_kbool(w, "LocationIndicatorActive", st.identify != 0);
	jw_kstr(w, "PowerRestorePolicy", policy_names[st.policy < 3 ? st.policy : 1]);
	/* the host's serial console, reachable through IPMI SoL (one session at a time) */
	jw_kobj(w, "SerialConsole");
	jw_kint(w, "MaxConcurrentSessions", s->sol_enabled ? 1 : 0);
	jw_kobj(w, "IPMI");
	jw_kbool(w, "ServiceEnabled", s->sol_enabled && s->ipmi_port != 0);
	if (s->ipmi_port)
		jw_kint(w, "Port", s->ipmi_port);
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
	if (x->s->msd)
		jw_link(w, "VirtualMedia", SYS "/VirtualMedia", sid);
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

void rf_get_reset_info(struct ctx *x)
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

void rf_get_systems(struct ctx *x)
{
	uint16_t map[RF_SYSTEMS_MAX];
	rf_collection(x, "Computer System Collection", rf_visible_systems(x, map), rf_m_system, 100);
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
	[P_LED] = { "IndicatorLED", IN_SYSTEM | IN_CHASSIS, rf_led_names, 3 },
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
						 "Description", "Manufacturer", "Model", "VirtualMedia",
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

/* PATCH of a ComputerSystem (chassis false) or a Chassis: the whole body checked first,
 * nothing applied when anything is wrong. True when applied. */
bool rf_patch_props(struct ctx *x, const struct json_tok *t, bool chassis)
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
		host_get_boot(x->s->host, &b, r->now); /* keeps ipmi_extra as the host has it */
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
		/* a one-time boot from the virtual CD with nothing in it (or on its way) would
		 * boot whatever comes next: refused, and nothing else applied */
		if (tgt == BOOT_CD && b.enabled == BOOT_ONCE && !rf_media_has_boot_image(x)) {
			x->p.resolution = "Insert an image with VirtualMedia.InsertMedia first.";
			rf_fail(x, 409, M_RESOURCE_CONFLICT, "BootSourceOverrideTarget", "Cd",
				MGR "/VirtualMedia/Cd");
			return false;
		}
		host_set_boot(x->s->host, &b, &h, r->now);
		rf_log(r, 5, "redfish: boot override set to %s %s (%s) by %s",
		     boot_enabled_names[b.enabled], boot_target_names[b.target],
		     b.uefi ? "UEFI" : "Legacy", x->uname);
	}
	/* identify: "Lit" and true light it until turned off, "Blinking" for a while */
	int led = set[P_LOCATION] >= 0 ? 2 * set[P_LOCATION] : set[P_LED];
	if (led >= 0)
		host_identify(x->s->host, led == 1 ? IDENTIFY_BLINK_S : 0, led == 2, r->now);
	if (set[P_POLICY] >= 0) {
		host_set_policy(x->s->host, (uint8_t)set[P_POLICY], &h, r->now);
		rf_log(r, 5, "redfish: power restore policy set to %s by %s", policy_names[set[P_POLICY]],
		     x->uname);
	}
	return true;
}

bool rf_patch_system(struct ctx *x, const struct json_tok *t)
{
	return rf_patch_props(x, t, false);
}

/* Checks an action body: only `param` (if given) is accepted. Returns its value token,
 * 0 if absent, -1 with the error set. */
int rf_action_body(struct ctx *x, struct json_tok *t, const char *action, const char *param)
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

void rf_post_reset(struct ctx *x)
{
	static const char act[] = "ComputerSystem.Reset";
	struct json_tok t[TOKENS];
	int v = rf_action_body(x, t, act, "ResetType");
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
	int rc = host_request(x->s->host, (enum host_action)reset_actions[i], &h, x->r->now);
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
