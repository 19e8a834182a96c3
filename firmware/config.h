/*
 * bmcd.conf: INI-style, `[section]` headers, `key = value`, `#` comments (at line start, or
 * after whitespace). Every key is declared in a table in config.c with its type and limits;
 * an unknown section or key, a value out of range or a malformed line is an error reported
 * as `file:line: message`. All errors are reported, not just the first.
 *
 * Relative paths in the file are taken relative to the directory of the config file.
 */
#ifndef BMCD_CONFIG_H
#define BMCD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bmcd_limits.h"

/* BACKEND_KVMD_SWITCH is what the file says; config_load makes it BACKEND_KVMD with
 * kvmd_switch_port set (one port of a PiKVM Switch shares kvmd, its virtual media, PiKVM mode) */
enum backend { BACKEND_SIM = 0, BACKEND_GPIOD = 1, BACKEND_KVMD = 2, BACKEND_KVMD_SWITCH = 3 };

/* A further host, [host.NAME] (the default host is the rest of struct config). config_load
 * fills in what was left out: id = NAME, sel_entries and chip from [sel] and [host];
 * kvmd-switch becomes BACKEND_KVMD with kvmd_switch_port set, as for the default host. */
#define HOST_LINE_UNSET UINT32_MAX	/* a GPIO line not given */
struct host_conf {
	char name[HOST_NAME_MAX_LEN + 1];
	char id[32];			/* Redfish system id; unique, [0-9A-Za-z_-] */
	uint32_t backend;		/* sim | gpiod | kvmd-switch (not kvmd: the default host's) */
	int32_t kvmd_switch_port;	/* -1: none */
	uint32_t ipmi_port;		/* required unless ipmi_listen is given; 0: not given
					 * (config_host: [ipmi] port then) */
	char ipmi_listen[CFG_ADDR_MAX];	/* "": [ipmi] listen (config_host fills it in) */
	char sol_device[CFG_PATH_MAX];	/* empty: no SoL; "sim": the simulated host's console */
	char product_name[64], product_serial[64];
	uint32_t policy;		/* enum host_policy */
	uint32_t sel_entries;		/* 0 in the file's absence: [sel] entries */
	char chip[CFG_PATH_MAX];	/* empty in the file's absence: [host] chip */
	uint32_t power_led, hdd_led, power_switch, reset_switch;	/* gpiod: all four */
	bool power_led_inverted, hdd_led_inverted, power_switch_inverted, reset_switch_inverted;
	bool sim_power_on, sim_console;
	char users[HOST_USERS_LEN];	/* allow-list, names joined by ','; "": every user */
	int line;			/* its section header's line, for errors found at the end */
};

struct config {
	char path[CFG_PATH_MAX];

	/* [hosts] and [host.NAME]: the hosts beyond the default one */
	uint32_t hosts_max;		/* at most this many [host.NAME] sections */
	uint32_t nhosts;
	struct host_conf hosts[HOSTS_EXTRA_MAX];

	/* [ipmi] */
	bool ipmi_enabled;
	char ipmi_listen[CFG_ADDR_MAX];
	uint32_t ipmi_port;
	uint32_t max_sessions;
	uint32_t session_timeout;	/* seconds */
	uint32_t handshake_timeout_ms;
	uint32_t per_source_sessions;	/* 0: max_sessions - 2 (a reserve for everyone else) */
	uint32_t per_user_sessions;	/* below ADMINISTRATOR; 0: max_sessions / 4 (at least 1) */
	uint32_t admin_reserve;
	uint32_t failed_logins, failed_login_window_s, lockout_max_s;
	uint8_t suites[8];
	uint8_t nsuites;

	/* [users] */
	char users_file[CFG_PATH_MAX];
	uint32_t max_users;
	uint32_t users_watch_ms;	/* re-read the file when it changes; 0: only on SIGHUP */

	/* [host] */
	uint32_t backend;		/* enum backend */
	uint32_t short_press_ms, long_press_ms, busy_ms, power_cycle_off_ms;
	uint32_t graceful_timeout_ms;	/* how long a GracefulRestart waits for the OS */
	uint32_t queue;			/* action queue length */
	uint32_t policy;		/* enum host_policy */
	char chip[CFG_PATH_MAX];
	uint32_t power_led, hdd_led, power_switch, reset_switch;
	bool power_led_inverted, hdd_led_inverted, power_switch_inverted, reset_switch_inverted;
	uint32_t debounce_ms;
	char host_users[HOST_USERS_LEN];	/* the default host's allow-list (host_conf.users) */

	/* [kvmd] */
	char kvmd_socket[108];
	char kvmd_user[64], kvmd_passwd[64];
	uint32_t kvmd_poll_ms, kvmd_timeout_ms;
	int32_t kvmd_switch_port;	/* PiKVM Switch port, 0-based (unit * 4 + channel); -1: none */
	bool switch_hosts;		/* a further host per Switch port kvmd reports (switch_hosts.c) */
	uint32_t switch_ipmi_base;	/* Switch port i's IPMI port is this + i; 0: not given */
	uint32_t switch_wait_s;		/* start-up waits this long for kvmd's GET /switch */
	int switch_hosts_line;		/* where switch_hosts was set: errors about its hosts */

	/* [pikvm]: take IPMI, SoL, users and the kvmd socket from kvmd's own files */
	bool pikvm;
	char pikvm_main[CFG_PATH_MAX], pikvm_override_dir[CFG_PATH_MAX], pikvm_override[CFG_PATH_MAX];

	/* [sim] */
	uint32_t sim_force_off_ms;	/* a press held this long forces the simulated host off */
	uint32_t sim_shutdown_ms;	/* graceful shutdown time of the simulated OS */
	uint32_t sim_boot_ms;		/* time from power button to power LED on */
	bool sim_power_on;		/* initial state */
	bool sim_console;		/* the simulated host has a serial console */

	/* [bmc] */
	char guid[40];			/* empty: derived from /etc/machine-id */
	char machine_id_file[CFG_PATH_MAX];
	uint32_t manufacturer_id, product_id;
	char name[64];

	/* [redfish] */
	char rf_listen[CFG_ADDR_MAX];
	uint32_t https_port, http_port;
	char cert[CFG_PATH_MAX], key[CFG_PATH_MAX];
	uint32_t rf_max_conns, rf_session_timeout, rf_max_sessions, rf_max_sse;
	uint32_t rf_failed_logins, rf_failed_login_window_s, rf_lockout_max_s;
	uint32_t rf_per_user_sessions, rf_admin_reserve;
	uint32_t bmc_log_entries;	/* [redfish] bmc_log_entries: the BMC's own log ring */
	uint32_t rf_session_timeout_min, rf_session_timeout_max;
	uint32_t rf_header_timeout_ms, rf_idle_timeout_ms, tls_cache;
	uint32_t rf_subscriptions, rf_event_queue;	/* event subscriptions (wire_events.c) */
	uint32_t rf_retry_attempts, rf_retry_interval_s, rf_delivery_timeout_ms;
	char subscription_ca[CFG_PATH_MAX];
	char system_id[32];
	bool http_remote;
	bool forwarded_for;

	/* [sol] */
	char sol_device[CFG_PATH_MAX];	/* empty: SoL disabled; "sim": the simulated host's */
	uint32_t sol_speed, sol_data_bits, sol_stop_bits, sol_parity, sol_flow;
	uint32_t sol_history, sol_replay;
	uint32_t sol_accumulate_ms, sol_threshold, sol_retry_count, sol_retry_interval_ms;
	uint32_t sol_privilege, sol_pause_ms;
	bool sol_force_encryption;

	/* [fru] */
	uint32_t chassis_type;
	char chassis_part[64], chassis_serial[64];
	char board_mfr[64], board_product[64], board_serial[64], board_part[64];
	char product_mfr[64], product_name[64], product_part[64], product_version[64],
		product_serial[64], asset_tag[64];

	/* [sensors] */
	char temp_file[CFG_PATH_MAX];
	uint32_t temp_unc, temp_uc, temp_unr;

	/* [sel] */
	uint32_t sel_entries;

	/* [media] */
	uint32_t media_url_max, media_tasks, media_boot_wait_s;

	/* [log] */
	uint32_t log_level;

	/* [process] */
	char run_user[64];
};

/* Sets every key to its default. */
void config_defaults(struct config *c);
/* Parses the file into c (on top of the defaults). Prints every error as file:line to
 * stderr. Returns the number of errors (0 on success). */
int config_load(struct config *c, const char *path);
/* Host i's own settings: 0 is the default host (taken from the top-level sections), 1..nhosts
 * the [host.NAME] sections. */
void config_host(const struct config *c, int i, struct host_conf *out);
/* Whether the user may log in to that host: on its `users` list, or the list is empty. Only
 * the names are compared (the users file may change at run time). */
bool config_host_user_allowed(const struct host_conf *hc, const char *name, size_t len);
/* Inside the config module (config.c parses, config_hosts.c checks the hosts): a Redfish id
 * character; a [host.NAME] header opening a host (NULL: reported); the checks after the
 * whole file (returns the number of errors, each printed as file:line). */
bool config_id_char(char ch);
struct host_conf *config_host_section(struct config *c, const char *name, const char *path,
				       int line);
int config_check_hosts(struct config *c, const char *path);
/* After something else set [ipmi] port (PiKVM mode reads it from kvmd's files): no further
 * host may have that port. Returns the number of errors (printed as file:line). */
int config_check_default_port(const struct config *c);
/* Resolves a path from the config relative to the config file's directory. */
void config_resolve(const struct config *c, char *dst, size_t cap, const char *p);

#endif
