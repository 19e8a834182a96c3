#include "config.h"

#include "../proto/bmclog.h"
#include "../proto/media.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../hal/atx.h"
#include "../hal/uart.h"
#include "../proto/parse.h"
#include "../proto/redfish.h"
#include "textfile.h"

enum ktype { K_U32, K_BOOL, K_STR, K_ENUM, K_SUITES, K_SWITCH_PORT, K_USERS };

struct key {
	const char *section, *name;
	const char *const *names;	/* K_ENUM: value names, index is the value */
	uint32_t min, max;		/* K_U32 range */
	uint16_t off, size;		/* offset in the struct; buffer size for K_STR */
	uint8_t type;			/* enum ktype */
	bool path;			/* K_STR: resolve relative to the config file */
};
_Static_assert(sizeof(struct config) <= UINT16_MAX && sizeof(struct host_conf) <= UINT16_MAX,
	       "struct key's offsets are 16 bits");

/* One key of struct S's field: its type, K_STR buffer size, K_U32 range, K_ENUM names, and
 * whether a K_STR is a path. */
#define KEY(sec, k, t, S, field, sz, lo, hi, nm, pth)                                         \
	{ .section = sec, .name = k, .type = t, .off = offsetof(S, field), .size = sz, .min = lo, \
	  .max = hi, .names = nm, .path = pth }
#define FSIZE(S, field) sizeof(((S *)0)->field)

static const char *const backend_names[] = { "sim", "gpiod", "kvmd", "kvmd-switch", NULL };
static const char *const policy_names[] = { "always-off", "previous", "always-on", NULL };
static const char *const parity_names[] = { "none", "odd", "even", NULL };
static const char *const flow_names[] = { "none", "rtscts", NULL };
static const char *const priv_names[] = { "0", "callback", "user", "operator", "admin", NULL };
static const char *const level_names[] = { "0", "1", "2", "error", "warning", "notice",
					   "info", "debug", NULL };

#define CFG_T struct config
#define U32(sec, k, field, lo, hi) KEY(sec, k, K_U32, CFG_T, field, 0, lo, hi, NULL, false)
#define BOOL(sec, k, field) KEY(sec, k, K_BOOL, CFG_T, field, 0, 0, 0, NULL, false)
#define STR(sec, k, field) KEY(sec, k, K_STR, CFG_T, field, FSIZE(CFG_T, field), 0, 0, NULL, false)
#define PATH(sec, k, field) KEY(sec, k, K_STR, CFG_T, field, FSIZE(CFG_T, field), 0, 0, NULL, true)
#define ENUM(sec, k, field, names) KEY(sec, k, K_ENUM, CFG_T, field, 0, 0, 0, names, false)

static const struct key keys[] = {
	BOOL("ipmi", "enabled", ipmi_enabled),
	STR("ipmi", "listen", ipmi_listen),
	U32("ipmi", "port", ipmi_port, 1, 65535),
	U32("ipmi", "max_sessions", max_sessions, 1, IPMI_SESSIONS_MAX),
	U32("ipmi", "session_timeout", session_timeout, 5, 3600),
	U32("ipmi", "handshake_timeout_ms", handshake_timeout_ms, 100, 60000),
	U32("ipmi", "max_sessions_per_source", per_source_sessions, 0, IPMI_SESSIONS_MAX),
	U32("ipmi", "max_sessions_per_user", per_user_sessions, 0, IPMI_SESSIONS_MAX),
	U32("ipmi", "admin_reserve", admin_reserve, 0, IPMI_SESSIONS_MAX),
	U32("ipmi", "failed_logins", failed_logins, 0, 1000),
	U32("ipmi", "failed_login_window", failed_login_window_s, 1, 86400),
	U32("ipmi", "lockout_max", lockout_max_s, 1, 86400),
	{ .section = "ipmi", .name = "cipher_suites", .type = K_SUITES },

	STR("redfish", "listen", rf_listen),
	U32("redfish", "https_port", https_port, 0, 65535),
	U32("redfish", "http_port", http_port, 0, 65535),
	PATH("redfish", "cert", cert),
	PATH("redfish", "key", key),
	U32("redfish", "max_connections", rf_max_conns, 2, 1000),
	U32("redfish", "session_timeout", rf_session_timeout, 30, 86400),
	U32("redfish", "session_timeout_min", rf_session_timeout_min, 30, 86400),
	U32("redfish", "session_timeout_max", rf_session_timeout_max, 30, 86400),
	U32("redfish", "max_sessions", rf_max_sessions, 1, RF_SESSIONS_HARD_MAX),
	U32("redfish", "max_sse", rf_max_sse, 0, 64),
	U32("redfish", "max_sessions_per_user", rf_per_user_sessions, 0, RF_SESSIONS_HARD_MAX),
	U32("redfish", "admin_reserve", rf_admin_reserve, 0, RF_SESSIONS_HARD_MAX),
	U32("redfish", "failed_logins", rf_failed_logins, 0, 1000),
	U32("redfish", "failed_login_window", rf_failed_login_window_s, 1, 86400),
	U32("redfish", "bmc_log_entries", bmc_log_entries, 0, BMCLOG_MAX),
	U32("redfish", "lockout_max", rf_lockout_max_s, 1, 86400),
	U32("redfish", "header_timeout_ms", rf_header_timeout_ms, 100, 120000),
	U32("redfish", "idle_timeout_ms", rf_idle_timeout_ms, 100, 600000),
	U32("redfish", "tls_session_cache", tls_cache, 0, 4096),
	U32("redfish", "subscriptions", rf_subscriptions, 0, RF_SUBS_HARD_MAX),
	U32("redfish", "event_queue", rf_event_queue, 1, RF_EVENT_QUEUE_HARD_MAX),
	PATH("redfish", "subscription_ca", subscription_ca),
	U32("redfish", "delivery_retry_attempts", rf_retry_attempts, 0, 100),
	U32("redfish", "delivery_retry_interval", rf_retry_interval_s, 1, 3600),
	U32("redfish", "delivery_timeout_ms", rf_delivery_timeout_ms, 100, 60000),
	STR("redfish", "system_id", system_id),
	BOOL("redfish", "http_remote", http_remote),
	BOOL("redfish", "trust_forwarded_for", forwarded_for),

	PATH("users", "file", users_file),
	U32("users", "max_users", max_users, 1, 63),
	U32("users", "watch_ms", users_watch_ms, 0, 3600000),

	STR("kvmd", "socket", kvmd_socket),
	STR("kvmd", "user", kvmd_user),
	STR("kvmd", "passwd", kvmd_passwd),
	U32("kvmd", "poll_ms", kvmd_poll_ms, 100, 60000),
	U32("kvmd", "timeout_ms", kvmd_timeout_ms, 100, 60000),
	KEY("kvmd", "switch_port", K_SWITCH_PORT, CFG_T, kvmd_switch_port, 0, 0, 0, NULL, false),
	BOOL("kvmd", "switch_hosts", switch_hosts),
	U32("kvmd", "switch_ipmi_base", switch_ipmi_base, 1, 65535 - (ATX_KVMD_SWITCH_PORTS - 1)),
	U32("kvmd", "switch_discovery_timeout_s", switch_wait_s, 1, 3600),

	BOOL("pikvm", "enabled", pikvm),
	PATH("pikvm", "main_yaml", pikvm_main),
	PATH("pikvm", "override_dir", pikvm_override_dir),
	PATH("pikvm", "override_yaml", pikvm_override),

	ENUM("host", "backend", backend, backend_names),
	U32("host", "short_press_ms", short_press_ms, 10, 10000),
	U32("host", "long_press_ms", long_press_ms, 10, 30000),
	U32("host", "busy_ms", busy_ms, 0, 60000),
	U32("host", "power_cycle_off_ms", power_cycle_off_ms, 0, 600000),
	U32("host", "graceful_timeout_ms", graceful_timeout_ms, 1000, 3600000),
	U32("host", "queue", queue, 1, HOST_QUEUE_MAX), /* ignored: requests are intents */
	ENUM("host", "power_restore_policy", policy, policy_names),
	PATH("host", "chip", chip),
	U32("host", "power_led", power_led, 0, 511),
	U32("host", "hdd_led", hdd_led, 0, 511),
	U32("host", "power_switch", power_switch, 0, 511),
	U32("host", "reset_switch", reset_switch, 0, 511),
	BOOL("host", "power_led_inverted", power_led_inverted),
	BOOL("host", "hdd_led_inverted", hdd_led_inverted),
	BOOL("host", "power_switch_inverted", power_switch_inverted),
	BOOL("host", "reset_switch_inverted", reset_switch_inverted),
	U32("host", "debounce_ms", debounce_ms, 0, 1000),
	KEY("host", "users", K_USERS, CFG_T, host_users, HOST_USERS_LEN, 0, 0, NULL, false),

	U32("sim", "force_off_ms", sim_force_off_ms, 10, 30000),
	U32("sim", "shutdown_ms", sim_shutdown_ms, 0, 600000),
	U32("sim", "boot_ms", sim_boot_ms, 0, 60000),
	BOOL("sim", "power_on", sim_power_on),
	BOOL("sim", "console", sim_console),

	STR("sol", "device", sol_device),
	U32("sol", "speed", sol_speed, 1200, 2000000),
	U32("sol", "data_bits", sol_data_bits, 5, 8),
	ENUM("sol", "parity", sol_parity, parity_names),
	U32("sol", "stop_bits", sol_stop_bits, 1, 2),
	ENUM("sol", "flow_control", sol_flow, flow_names),
	U32("sol", "history", sol_history, 1024, 16 << 20),
	U32("sol", "replay_on_activate", sol_replay, 0, 16 << 20),
	U32("sol", "accumulate_ms", sol_accumulate_ms, 5, 1275),
	U32("sol", "send_threshold", sol_threshold, 1, 255),
	U32("sol", "retry_count", sol_retry_count, 0, 7),
	U32("sol", "retry_interval_ms", sol_retry_interval_ms, 10, 2550),
	ENUM("sol", "privilege", sol_privilege, priv_names),
	U32("sol", "pause_ms", sol_pause_ms, 0, 60000),
	BOOL("sol", "force_encryption", sol_force_encryption),

	STR("bmc", "guid", guid),
	PATH("bmc", "machine_id_file", machine_id_file),
	U32("bmc", "manufacturer_id", manufacturer_id, 0, 0xFFFFF),
	U32("bmc", "product_id", product_id, 0, 0xFFFF),
	STR("bmc", "name", name),

	U32("fru", "chassis_type", chassis_type, 0, 255),
	STR("fru", "chassis_part_number", chassis_part),
	STR("fru", "chassis_serial", chassis_serial),
	STR("fru", "board_manufacturer", board_mfr),
	STR("fru", "board_product", board_product),
	STR("fru", "board_serial", board_serial),
	STR("fru", "board_part_number", board_part),
	STR("fru", "product_manufacturer", product_mfr),
	STR("fru", "product_name", product_name),
	STR("fru", "product_part_number", product_part),
	STR("fru", "product_version", product_version),
	STR("fru", "product_serial", product_serial),
	STR("fru", "asset_tag", asset_tag),

	PATH("sensors", "temp_file", temp_file),
	U32("sensors", "temp_upper_noncritical", temp_unc, 0, 127),
	U32("sensors", "temp_upper_critical", temp_uc, 0, 127),
	U32("sensors", "temp_upper_nonrecoverable", temp_unr, 0, 127),

	U32("sel", "entries", sel_entries, 16, SEL_ENTRIES_MAX),

	U32("media", "url_max", media_url_max, 16, MSD_URL_MAX),
	U32("media", "tasks", media_tasks, 1, RF_TASKS_HARD_MAX),
	U32("media", "boot_wait_s", media_boot_wait_s, 0, 3600),

	ENUM("log", "level", log_level, level_names),

	U32("hosts", "max", hosts_max, 0, HOSTS_EXTRA_MAX),

	STR("process", "user", run_user),
};

/* [host.NAME]: offsets into struct host_conf */
#define HOST_T struct host_conf
#define HU32(k, field, lo, hi) KEY("host", k, K_U32, HOST_T, field, 0, lo, hi, NULL, false)
#define HBOOL(k, field) KEY("host", k, K_BOOL, HOST_T, field, 0, 0, 0, NULL, false)
#define HSTR(k, field) KEY("host", k, K_STR, HOST_T, field, FSIZE(HOST_T, field), 0, 0, NULL, false)
#define HPATH(k, field) KEY("host", k, K_STR, HOST_T, field, FSIZE(HOST_T, field), 0, 0, NULL, true)
#define HENUM(k, field, names) KEY("host", k, K_ENUM, HOST_T, field, 0, 0, 0, names, false)

static const struct key host_keys[] = {
	HSTR("id", id),
	HSTR("ipmi_listen", ipmi_listen),
	HENUM("backend", backend, backend_names),
	KEY("host", "switch_port", K_SWITCH_PORT, HOST_T, kvmd_switch_port, 0, 0, 0, NULL, false),
	HU32("ipmi_port", ipmi_port, 1, 65535),
	HSTR("sol_device", sol_device),
	HSTR("product_name", product_name),
	HSTR("product_serial", product_serial),
	HENUM("power_restore_policy", policy, policy_names),
	HU32("sel_entries", sel_entries, 16, SEL_ENTRIES_MAX),
	HPATH("chip", chip),
	HU32("power_led", power_led, 0, 511),
	HU32("hdd_led", hdd_led, 0, 511),
	HU32("power_switch", power_switch, 0, 511),
	HU32("reset_switch", reset_switch, 0, 511),
	HBOOL("power_led_inverted", power_led_inverted),
	HBOOL("hdd_led_inverted", hdd_led_inverted),
	HBOOL("power_switch_inverted", power_switch_inverted),
	HBOOL("reset_switch_inverted", reset_switch_inverted),
	HBOOL("sim_power_on", sim_power_on),
	HBOOL("sim_console", sim_console),
	KEY("host", "users", K_USERS, HOST_T, users, HOST_USERS_LEN, 0, 0, NULL, false),
};

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->ipmi_enabled = true;
	strcpy(c->ipmi_listen, "::");
	c->ipmi_port = 623;
	c->max_sessions = 16;
	c->session_timeout = 60;
	c->handshake_timeout_ms = 5000;
	c->admin_reserve = 2;
	c->failed_logins = 5;
	c->failed_login_window_s = 60;
	c->lockout_max_s = 60;
	c->suites[0] = 3;
	c->suites[1] = 17;
	c->nsuites = 2;
	strcpy(c->users_file, "/etc/bmcd/users");
	c->max_users = 16;
	c->users_watch_ms = 2000;
	strcpy(c->kvmd_socket, "/run/kvmd/kvmd.sock");
	c->kvmd_poll_ms = 1000;
	c->kvmd_timeout_ms = 3000;
	c->kvmd_switch_port = -1;
	c->switch_wait_s = 30;
	strcpy(c->pikvm_main, "/usr/lib/kvmd/main.yaml");
	strcpy(c->pikvm_override_dir, "/etc/kvmd/override.d");
	strcpy(c->pikvm_override, "/etc/kvmd/override.yaml");
	c->backend = BACKEND_SIM;
	c->short_press_ms = 100;
	c->long_press_ms = 5500;
	c->busy_ms = 1000;
	c->power_cycle_off_ms = 3000;
	c->graceful_timeout_ms = 120000;
	c->queue = 8;
	c->policy = 0;
	strcpy(c->chip, "/dev/gpiochip0");
	c->power_led = 24;
	c->hdd_led = 22;
	c->power_switch = 23;
	c->reset_switch = 27;
	c->debounce_ms = 20;
	c->sim_force_off_ms = 4000;
	c->sim_shutdown_ms = 2000;
	c->sim_boot_ms = 100;
	strcpy(c->machine_id_file, "/etc/machine-id");
	strcpy(c->name, "bmcd");
	strcpy(c->rf_listen, "::");
	c->https_port = 443;
	c->http_port = 0;
	c->rf_max_conns = 32;
	c->rf_session_timeout = 1800;
	c->rf_max_sessions = 16;
	c->rf_admin_reserve = 2;
	c->rf_session_timeout_min = 30;
	c->rf_session_timeout_max = 86400;
	c->rf_failed_logins = 5;
	c->rf_failed_login_window_s = 60;
	c->rf_lockout_max_s = 256;
	c->bmc_log_entries = 128;
	c->rf_max_sse = 4;
	c->rf_header_timeout_ms = 10000;
	c->rf_idle_timeout_ms = 30000;
	c->tls_cache = 64;
	c->rf_subscriptions = 8;
	c->rf_event_queue = 16;
	c->rf_retry_attempts = 3;
	c->rf_retry_interval_s = 30;
	c->rf_delivery_timeout_ms = 5000;
	strcpy(c->system_id, "0");
	c->sol_speed = 115200;
	c->sol_data_bits = 8;
	c->sol_stop_bits = 1;
	c->sol_history = 65536;
	c->sol_accumulate_ms = 5; /* echo comes back within 5 ms; bursts still fill packets */
	c->sol_threshold = 96;
	c->sol_retry_count = 7;
	c->sol_retry_interval_ms = 500;
	c->sol_privilege = 3; /* operator: a console can type into a root shell */
	c->sol_pause_ms = 2000;
	c->sol_force_encryption = true;
	c->chassis_type = 0x17; /* rack mount chassis */
	strcpy(c->temp_file, "/sys/class/thermal/thermal_zone0/temp");
	c->temp_unc = 70;
	c->temp_uc = 80;
	c->temp_unr = 85;
	c->sel_entries = 256;
	c->media_url_max = MSD_URL_MAX;
	c->media_tasks = 4;
	c->media_boot_wait_s = 600;
	c->log_level = 6;
	c->hosts_max = 4;
}

void config_resolve(const struct config *c, char *dst, size_t cap, const char *p)
{
	const char *slash = strrchr(c->path, '/');
	if (p[0] == '/' || p[0] == '\0' || !slash) {
		snprintf(dst, cap, "%s", p);
		return;
	}
	snprintf(dst, cap, "%.*s/%s", (int)(slash - c->path), c->path, p);
}

/* base: the struct the key's offset is in (the config, or one of its hosts); sec: the
 * section as errors name it */
static int set_value(struct config *c, char *base, const char *sec, const struct key *k,
		     const char *v, size_t vl, const char *file, int line)
{
	switch (k->type) {
	case K_U32:
		if (!parse_u32(v, vl, k->min, k->max, (uint32_t *)(base + k->off))) {
			fprintf(stderr, "%s:%d: %s.%s: expected a number from %u to %u, got '%.*s'\n",
				file, line, sec, k->name, k->min, k->max, (int)vl, v);
			return 1;
		}
		return 0;
	case K_BOOL:
		if (!parse_bool(v, vl, (bool *)(base + k->off))) {
			fprintf(stderr, "%s:%d: %s.%s: expected true or false, got '%.*s'\n", file,
				line, sec, k->name, (int)vl, v);
			return 1;
		}
		return 0;
	case K_STR: {
		char tmp[CFG_PATH_MAX];
		if (vl >= k->size || vl >= sizeof(tmp)) {
			fprintf(stderr, "%s:%d: %s.%s: value longer than %d bytes\n", file, line,
				sec, k->name, k->size - 1);
			return 1;
		}
		if (memchr(v, '\0', vl)) {
			fprintf(stderr, "%s:%d: %s.%s: NUL byte in value\n", file, line, sec,
				k->name);
			return 1;
		}
		memcpy(tmp, v, vl);
		tmp[vl] = '\0';
		if (k->path) {
			char res[CFG_PATH_MAX];
			config_resolve(c, res, sizeof(res), tmp);
			if (strlen(res) >= k->size) {
				fprintf(stderr, "%s:%d: %s.%s: path too long\n", file, line,
					sec, k->name);
				return 1;
			}
			strcpy(base + k->off, res);
		} else {
			strcpy(base + k->off, tmp);
		}
		return 0;
	}
	case K_ENUM:
		for (uint32_t i = 0; k->names[i]; i++) {
			if (str_ieq(v, vl, k->names[i])) {
				*(uint32_t *)(base + k->off) = i;
				return 0;
			}
		}
		fprintf(stderr, "%s:%d: %s.%s: unknown value '%.*s' (one of:", file, line, sec,
			k->name, (int)vl, v);
		for (int i = 0; k->names[i]; i++)
			fprintf(stderr, " %s", k->names[i]);
		fprintf(stderr, ")\n");
		return 1;
	case K_SWITCH_PORT: { /* kvmd's forms: the 0-based index, or unit.channel from 1.1 */
		uint32_t i;
		if (parse_u32(v, vl, 0, ATX_KVMD_SWITCH_PORTS - 1, &i)) {
			*(int32_t *)(base + k->off) = (int32_t)i;
			return 0;
		}
		if (vl == 3 && v[0] >= '1' && v[0] <= '5' && v[1] == '.' && v[2] >= '1' && v[2] <= '4') {
			*(int32_t *)(base + k->off) = (v[0] - '1') * 4 + (v[2] - '1');
			return 0;
		}
		fprintf(stderr, "%s:%d: %s.switch_port: expected a port index from 0 to %d or "
			"unit.channel from 1.1 to 5.4, got '%.*s'\n", file, line, sec,
			ATX_KVMD_SWITCH_PORTS - 1, (int)vl, v);
		return 1;
	}
	case K_USERS: { /* names split by ',' and/or blanks, kept joined by ',' */
		char tmp[HOST_USERS_LEN];
		size_t o = 0, n = 0;
		for (size_t i = 0, j; i < vl; i = j) {
			for (j = i; j < vl && v[j] != ',' && v[j] != ' ' && v[j] != '\t'; j++)
				if ((unsigned char)v[j] < ' ' || (unsigned char)v[j] >= 0x7F) {
					fprintf(stderr, "%s:%d: %s.users: user names are printable "
						"ASCII\n", file, line, sec);
					return 1;
				}
			if (j == i) {
				j++;
				continue;
			}
			if (j - i > 16 || ++n > HOST_USERS_MAX) {
				fprintf(stderr, "%s:%d: %s.users: at most %d names of at most 16 "
					"bytes ('%.*s')\n", file, line, sec, HOST_USERS_MAX,
					(int)(j - i), v + i);
				return 1;
			}
			if (o)
				tmp[o++] = ',';
			memcpy(tmp + o, v + i, j - i);
			o += j - i;
		}
		tmp[o] = '\0';
		memcpy(base + k->off, tmp, o + 1);
		return 0;
	}
	case K_SUITES: {
		uint8_t n = 0, list[sizeof(c->suites)]; /* all or nothing: applied at the end */
		size_t i = 0;
		while (i <= vl) {
			size_t j = i;
			while (j < vl && v[j] != ',')
				j++;
			const char *t = v + i;
			size_t tl = j - i;
			trim(&t, &tl);
			uint32_t id;
			if (!parse_u32(t, tl, 0, 255, &id)) {
				fprintf(stderr, "%s:%d: ipmi.cipher_suites: '%.*s' is not a number\n",
					file, line, (int)tl, t);
				return 1;
			}
			if (id == 0) {
				fprintf(stderr, "%s:%d: ipmi.cipher_suites: suite 0 (no authentication) "
					"is never accepted\n", file, line);
				return 1;
			}
			if (id != 1 && id != 2 && id != 3 && id != 15 && id != 16 && id != 17) {
				fprintf(stderr, "%s:%d: ipmi.cipher_suites: suite %u is not supported "
					"(1, 2, 3, 15, 16, 17)\n", file, line, id);
				return 1;
			}
			if (n >= sizeof(c->suites)) {
				fprintf(stderr, "%s:%d: ipmi.cipher_suites: too many suites\n", file,
					line);
				return 1;
			}
			for (uint8_t q = 0; q < n; q++) {
				if (list[q] == id) {
					fprintf(stderr, "%s:%d: ipmi.cipher_suites: suite %u listed "
						"twice\n", file, line, id);
					return 1;
				}
			}
			list[n++] = (uint8_t)id;
			i = j + 1;
		}
		memcpy(c->suites, list, n);
		c->nsuites = n;
		return 0;
	}
	}
	return 1;
}

static bool section_known(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (str_eq(s, len, keys[i].section))
			return true;
	return false;
}

/* Cuts a trailing comment: '#' at the start or after a space or tab. */
static void strip_comment(const char *s, size_t *len)
{
	for (size_t i = 0; i < *len; i++) {
		if (s[i] == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')) {
			*len = i;
			return;
		}
	}
}

int config_load(struct config *c, const char *path)
{
	struct textfile tf;
	int errors = 0;
	if (strlen(path) >= sizeof(c->path)) {
		fprintf(stderr, "%s: path too long\n", path);
		return 1;
	}
	strcpy(c->path, path);
	if (textfile_open(&tf, path, CFG_FILE_MAX) < 0)
		return 1;
	char section[32] = "";
	bool section_ok = false;
	struct host_conf *host = NULL;	/* in a [host.NAME] section */
	const char *l;
	size_t ll;
	while (textfile_line(&tf, &l, &ll)) {
		int line = tf.lineno;
		if (ll > CFG_LINE_MAX) {
			fprintf(stderr, "%s:%d: line longer than %d bytes\n", path, line, CFG_LINE_MAX);
			errors++;
			continue;
		}
		strip_comment(l, &ll);
		trim(&l, &ll);
		if (ll == 0)
			continue;
		if (l[0] == '[') {
			if (l[ll - 1] != ']' || ll < 3 || ll - 2 >= sizeof(section)) {
				fprintf(stderr, "%s:%d: malformed section header\n", path, line);
				errors++;
				section_ok = false;
				continue;
			}
			const char *s = l + 1;
			size_t sl = ll - 2;
			trim(&s, &sl);
			memcpy(section, s, sl);
			section[sl] = '\0';
			host = NULL;
			if (sl > 5 && !memcmp(s, "host.", 5)) {
				host = config_host_section(c, section + 5, path, line);
				section_ok = host != NULL;
				errors += !section_ok;
				continue;
			}
			section_ok = section_known(s, sl);
			if (!section_ok) {
				fprintf(stderr, "%s:%d: unknown section [%s]\n", path, line, section);
				errors++;
			}
			continue;
		}
		const char *eq = memchr(l, '=', ll);
		if (!eq) {
			fprintf(stderr, "%s:%d: expected 'key = value'\n", path, line);
			errors++;
			continue;
		}
		const char *k = l, *v = eq + 1;
		size_t kl = (size_t)(eq - l), vl = ll - kl - 1;
		trim(&k, &kl);
		trim(&v, &vl);
		if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
			v++;
			vl -= 2;
		}
		if (section[0] == '\0') {
			fprintf(stderr, "%s:%d: key '%.*s' outside any section\n", path, line, (int)kl, k);
			errors++;
			continue;
		}
		if (!section_ok)
			continue; /* already reported */
		const struct key *key = NULL;
		if (host) {
			for (size_t i = 0; i < sizeof(host_keys) / sizeof(host_keys[0]) && !key; i++)
				if (str_eq(k, kl, host_keys[i].name))
					key = &host_keys[i];
		}
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && !key && !host; i++)
			if (strcmp(keys[i].section, section) == 0 && str_eq(k, kl, keys[i].name))
				key = &keys[i];
		if (!key) {
			fprintf(stderr, "%s:%d: unknown key '%.*s' in [%s]\n", path, line, (int)kl, k,
				section);
			errors++;
			continue;
		}
		errors += set_value(c, host ? (char *)host : (char *)c, section, key, v, vl, path,
				    line);
		if (!host && key->off == offsetof(struct config, switch_hosts))
			c->switch_hosts_line = line;
	}
	if (tf.error) {
		fprintf(stderr, "%s:%d: %s\n", path, tf.lineno, tf.error);
		errors++;
	}
	textfile_close(&tf);
	for (const char *p = c->system_id; *p; p++) {
		if (!config_id_char(*p)) {
			fprintf(stderr, "%s: redfish.system_id: only letters, digits, '-' and '_'\n", path);
			errors++;
			break;
		}
	}
	if (!c->system_id[0]) {
		fprintf(stderr, "%s: redfish.system_id must not be empty\n", path);
		errors++;
	}
	if (c->key[0] && !c->cert[0]) {
		fprintf(stderr, "%s: redfish.key is set but redfish.cert is not\n", path);
		errors++;
	}
	if (c->sol_privilege < 2) {
		fprintf(stderr, "%s: sol.privilege must be user, operator or admin\n", path);
		errors++;
	}
	if (!uart_speed_ok(c->sol_speed)) {
		fprintf(stderr, "%s: sol.speed %u is not a rate the port supports (1200 ... 115200, "
			"230400, 460800, 921600, 1000000, 1500000, 2000000)\n", path, c->sol_speed);
		errors++;
	}
	if (c->sol_replay > c->sol_history) {
		fprintf(stderr, "%s: sol.replay_on_activate (%u) is larger than sol.history (%u)\n",
			path, c->sol_replay, c->sol_history);
		errors++;
	}
	if (!(c->temp_unc <= c->temp_uc && c->temp_uc <= c->temp_unr)) {
		fprintf(stderr, "%s: sensors: thresholds must rise: non-critical <= critical <= "
			"non-recoverable\n", path);
		errors++;
	}
	if (c->backend == BACKEND_KVMD_SWITCH && c->kvmd_switch_port < 0) {
		fprintf(stderr, "%s: host.backend = kvmd-switch needs kvmd.switch_port\n", path);
		errors++;
	} else if (c->backend != BACKEND_KVMD_SWITCH && c->kvmd_switch_port >= 0) {
		fprintf(stderr, "%s: kvmd.switch_port is set, but host.backend is not kvmd-switch\n",
			path);
		errors++;
	}
	if (c->backend == BACKEND_KVMD_SWITCH)
		c->backend = BACKEND_KVMD;
	if (c->long_press_ms <= c->short_press_ms) {
		fprintf(stderr, "%s: host.long_press_ms (%u) must be longer than host.short_press_ms "
			"(%u)\n", path, c->long_press_ms, c->short_press_ms);
		errors++;
	}
	return errors + config_check_hosts(c, path);
}
