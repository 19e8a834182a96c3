/* bmcd.conf and users-file parsing: values, limits, and file:line errors. */
#include <stdio.h>
#include <unistd.h>

#include "../../firmware/config.h"
#include "../../firmware/switch_hosts.h"
#include "../../firmware/users_file.h"
#include "testlib.h"

static char dir[] = "/tmp/bmcd-test-config-XXXXXX";

static const char *write_file(const char *name, const char *text)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

/* Loads text as a config with stderr captured; returns the error count. */
static int load(const char *text, struct config *c, char *errs, size_t cap)
{
	const char *p = write_file("t.conf", text);
	char path[256];
	strcpy(path, p);
	fflush(stderr);
	int saved = dup(2);
	FILE *tmp = tmpfile();
	dup2(fileno(tmp), 2);
	config_defaults(c);
	int n = config_load(c, path);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	size_t got = fread(errs, 1, cap - 1, tmp);
	errs[got] = 0;
	fclose(tmp);
	return n;
}

static void config_cases(void)
{
	struct config c;
	char e[4096];
	CHECK_EQ(load("[ipmi]\nlisten = 127.0.0.1   # inline comment\nport = 6230\n"
		      "cipher_suites = 17, 3\nmax_sessions = 4\n[users]\nfile = users.txt\n"
		      "[host]\nbackend = gpiod\npower_led_inverted = yes\n", &c, e, sizeof(e)), 0);
	CHECK(strcmp(c.ipmi_listen, "127.0.0.1") == 0);
	CHECK_EQ(c.ipmi_port, 6230);
	CHECK_EQ(c.nsuites, 2);
	CHECK(c.suites[0] == 17 && c.suites[1] == 3);
	CHECK_EQ(c.max_sessions, 4);
	CHECK_EQ(c.backend, BACKEND_GPIOD);
	CHECK(c.power_led_inverted);
	/* relative paths are relative to the config file */
	char want[300];
	snprintf(want, sizeof(want), "%s/users.txt", dir);
	CHECK(strcmp(c.users_file, want) == 0);

	/* every error, with file:line */
	int n = load("[ipmi]\nport = 70000\ncipher_suites = 0\nbogus = 1\n[nosuch]\nx = 1\n"
		     "[host]\nbackend = magic\nno equals sign\n", &c, e, sizeof(e));
	CHECK_EQ(n, 6);
	CHECK(strstr(e, "t.conf:2: ipmi.port") != NULL);
	CHECK(strstr(e, "t.conf:3: ipmi.cipher_suites: suite 0") != NULL);
	CHECK(strstr(e, "t.conf:4: unknown key 'bogus'") != NULL);
	CHECK(strstr(e, "t.conf:5: unknown section [nosuch]") != NULL);
	CHECK(strstr(e, "t.conf:8: host.backend: unknown value 'magic'") != NULL);
	CHECK(strstr(e, "t.conf:9: expected 'key = value'") != NULL);
	CHECK(strstr(e, "t.conf:6") == NULL); /* keys in an unknown section: reported once */

	CHECK_EQ(load("port = 1\n", &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "outside any section") != NULL);
	CHECK_EQ(load("[ipmi]\ncipher_suites = 3,3\n", &c, e, sizeof(e)), 1);
	/* found by fuzz_config: a list refused half-way must not be half-applied */
	CHECK_EQ(load("[ipmi]\ncipher_suites = 3,17\ncipher_suites = 17,bad\n", &c, e, sizeof(e)), 1);
	CHECK(c.nsuites == 2 && c.suites[0] == 3 && c.suites[1] == 17);
	CHECK_EQ(load("[ipmi]\ncipher_suites = 11\n", &c, e, sizeof(e)), 1);
	CHECK_EQ(load("[host]\nshort_press_ms = 500\nlong_press_ms = 400\n", &c, e, sizeof(e)), 1);
	CHECK_EQ(load("[bmc]\nname = \"quoted value\"\n", &c, e, sizeof(e)), 0);
	CHECK(strcmp(c.name, "quoted value") == 0);
	char big[600];
	memset(big, 'a', sizeof(big));
	memcpy(big, "[bmc]\nname = ", 13);
	big[sizeof(big) - 2] = '\n';
	big[sizeof(big) - 1] = 0;
	CHECK_EQ(load(big, &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "longer than") != NULL);

	/* kvmd-switch: switch_port is kvmd's 0-based index or unit.channel; the backend becomes
	 * kvmd with the port set */
	CHECK_EQ(load("[host]\nbackend = kvmd-switch\n[kvmd]\nswitch_port = 19\n", &c, e,
		      sizeof(e)), 0);
	CHECK(c.backend == BACKEND_KVMD && c.kvmd_switch_port == 19);
	CHECK_EQ(load("[host]\nbackend = kvmd-switch\n[kvmd]\nswitch_port = 2.3\n", &c, e,
		      sizeof(e)), 0);
	CHECK(c.backend == BACKEND_KVMD && c.kvmd_switch_port == 6);
	CHECK_EQ(load("[host]\nbackend = kvmd-switch\n[kvmd]\nswitch_port = 1.1\n", &c, e,
		      sizeof(e)), 0);
	CHECK_EQ(c.kvmd_switch_port, 0);
	CHECK_EQ(load("[host]\nbackend = kvmd\n", &c, e, sizeof(e)), 0);
	CHECK(c.backend == BACKEND_KVMD && c.kvmd_switch_port == -1);
	static const char *const bad_ports[] = { "20", "-1", "0.5", "6.1", "1.5", "1.10", "two", "" };
	for (size_t i = 0; i < sizeof(bad_ports) / sizeof(bad_ports[0]); i++) {
		char conf[128], want_err[160];
		snprintf(conf, sizeof(conf), "[host]\nbackend = kvmd-switch\n[kvmd]\nswitch_port = %s\n",
			 bad_ports[i]);
		CHECK(load(conf, &c, e, sizeof(e)) >= 1);
		snprintf(want_err, sizeof(want_err), "t.conf:4: kvmd.switch_port: expected a port index "
			 "from 0 to 19 or unit.channel from 1.1 to 5.4, got '%s'", bad_ports[i]);
		CHECK(strstr(e, want_err) != NULL);
	}
	CHECK_EQ(load("[host]\nbackend = kvmd-switch\n", &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "host.backend = kvmd-switch needs kvmd.switch_port") != NULL);
	CHECK_EQ(load("[host]\nbackend = kvmd\n[kvmd]\nswitch_port = 1\n", &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "kvmd.switch_port is set, but host.backend is not kvmd-switch") != NULL);
	CHECK_EQ(load("[kvmd]\nswitch_port = 1\n", &c, e, sizeof(e)), 1); /* sim by default */
	char nul[] = "[ipmi]\nport = 6\0" "23\n";
	(void)nul;
	CHECK_EQ(load("", &c, e, sizeof(e)), 0); /* empty file: all defaults */
	CHECK_EQ(c.nhosts, 0);
}

/* [hosts] and [host.NAME]: further hosts beside the default one */
static void hosts_cases(void)
{
	struct config c;
	char e[4096];
	CHECK_EQ(load("[ipmi]\nport = 6230\n[sel]\nentries = 64\n"
		      "[host.b]\nipmi_port = 6231\nsol_device = sim\nsim_console = true\n"
		      "product_name = Box B\nproduct_serial = SN-B\npower_restore_policy = always-on\n"
		      "[host.c]\nid = SwitchPort2\nbackend = kvmd-switch\nswitch_port = 1.3\n"
		      "ipmi_port = 6232\nsel_entries = 32\n"
		      "[host.d]\nbackend = gpiod\nipmi_port = 6233\nchip = chip1\npower_led = 5\n"
		      "hdd_led = 6\npower_switch = 7\nreset_switch = 8\nreset_switch_inverted = 1\n",
		      &c, e, sizeof(e)), 0);
	CHECK_EQ(c.ipmi_port, 6230); /* the default host is as before */
	CHECK_EQ(c.backend, BACKEND_SIM);
	CHECK_EQ(c.nhosts, 3);
	const struct host_conf *h = &c.hosts[0];
	CHECK(strcmp(h->name, "b") == 0 && strcmp(h->id, "b") == 0);
	CHECK(h->backend == BACKEND_SIM && h->ipmi_port == 6231 && h->sim_console);
	CHECK(strcmp(h->sol_device, "sim") == 0 && strcmp(h->product_name, "Box B") == 0);
	CHECK(strcmp(h->product_serial, "SN-B") == 0 && h->policy == 2);
	CHECK_EQ(h->sel_entries, 64); /* [sel] entries */
	h = &c.hosts[1];
	CHECK(strcmp(h->id, "SwitchPort2") == 0 && h->backend == BACKEND_KVMD);
	CHECK(h->kvmd_switch_port == 2 && h->sel_entries == 32);
	h = &c.hosts[2];
	char want[300];
	snprintf(want, sizeof(want), "%s/chip1", dir);
	CHECK(h->backend == BACKEND_GPIOD && strcmp(h->chip, want) == 0);
	CHECK(h->power_led == 5 && h->reset_switch == 8 && h->reset_switch_inverted);
	CHECK(!h->power_led_inverted);

	/* the limit: [hosts] max (default 4), wherever it stands, reported at the first host
	 * past it */
	CHECK_EQ(load("[host.a]\nipmi_port = 7001\n[host.b]\nipmi_port = 7002\n"
		      "[hosts]\nmax = 1\n", &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "t.conf:3: [host.b]: more than hosts.max = 1 further hosts") != NULL);
	char conf[2048] = "";
	for (int i = 0; i < 5; i++) {
		char one[64];
		snprintf(one, sizeof(one), "[host.h%d]\nipmi_port = %d\n", i, 7000 + i);
		strcat(conf, one);
	}
	CHECK_EQ(load(conf, &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "t.conf:9: [host.h4]: more than hosts.max = 4 further hosts") != NULL);
	CHECK_EQ(load("[hosts]\nmax = 21\n", &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "t.conf:2: hosts.max: expected a number from 0 to 20") != NULL);
	strcpy(conf, "[hosts]\nmax = 20\n");
	for (int i = 0; i < 21; i++) {
		char one[64];
		snprintf(one, sizeof(one), "[host.h%d]\nipmi_port = %d\n", i, 7000 + i);
		strcat(conf, one);
	}
	CHECK_EQ(load(conf, &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "t.conf:43: [host.h20]: more than 20 further hosts (the ceiling)") != NULL);
	CHECK_EQ(c.nhosts, 20);

	/* what must differ */
	CHECK_EQ(load("[host.a]\nipmi_port = 7001\n[host.b]\nipmi_port = 7001\n", &c, e,
		      sizeof(e)), 1);
	CHECK(strstr(e, "t.conf:3: host.b: IPMI on [::]:7001 is also host.a's (line 1)") != NULL);
	CHECK_EQ(load("[host.a]\nipmi_port = 623\n", &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "t.conf:1: host.a: IPMI on [::]:623 is the default host's (ipmi.listen, ipmi.port)") != NULL);
	/* an IPMI address of its own: the port defaults to [ipmi] port, and only endpoints
	 * that would take the same datagrams clash */
	struct host_conf hc;
	CHECK_EQ(load("[ipmi]\nlisten = 127.0.0.1\n[host.a]\nipmi_listen = 127.0.0.2\n"
		      "[host.b]\nipmi_listen = 127.0.0.3\n[host.c]\nipmi_listen = 127.0.0.3\n"
		      "ipmi_port = 7001\n[host.d]\nipmi_listen = ::1\n", &c, e, sizeof(e)), 0);
	config_host(&c, 1, &hc);
	CHECK(!strcmp(hc.ipmi_listen, "127.0.0.2") && hc.ipmi_port == 623);
	config_host(&c, 3, &hc);
	CHECK(!strcmp(hc.ipmi_listen, "127.0.0.3") && hc.ipmi_port == 7001);
	config_host(&c, 0, &hc);
	CHECK(!strcmp(hc.ipmi_listen, "127.0.0.1") && hc.ipmi_port == 623);
	CHECK_EQ(load("[ipmi]\nlisten = 127.0.0.1\n[host.a]\nipmi_port = 7001\n", &c, e,
		      sizeof(e)), 0);
	config_host(&c, 1, &hc);
	CHECK(!strcmp(hc.ipmi_listen, "127.0.0.1") && hc.ipmi_port == 7001);
	CHECK_EQ(load("[ipmi]\nlisten = 127.0.0.1\n[host.a]\nipmi_listen = 0.0.0.0\n", &c, e,
		      sizeof(e)), 1);
	CHECK(strstr(e, "t.conf:3: host.a: IPMI on [0.0.0.0]:623 is the default host's") != NULL);
	CHECK_EQ(load("[ipmi]\nlisten = ::ffff:127.0.0.1\n[host.a]\nipmi_listen = 127.0.0.1\n",
		      &c, e, sizeof(e)), 1);
	CHECK_EQ(load("[ipmi]\nlisten = 127.0.0.1\n[host.a]\nipmi_listen = 127.0.0.2\n"
		      "[host.b]\nipmi_listen = ::\nipmi_port = 7001\n[host.c]\nipmi_listen = "
		      "127.0.0.9\nipmi_port = 7001\n", &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "t.conf:8: host.c: IPMI on [127.0.0.9]:7001 is also host.b's (line 5)") !=
	      NULL);
	CHECK_EQ(load("[host.a]\nipmi_port = 7001\n[host.b]\nid = a\nipmi_port = 7002\n", &c, e,
		      sizeof(e)), 1);
	CHECK(strstr(e, "t.conf:3: host.b.id 'a' is also host.a's (line 1)") != NULL);
	CHECK_EQ(load("[host.a]\nid = 0\nipmi_port = 7001\n", &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "host.a.id '0' is the default host's redfish.system_id") != NULL);
	CHECK_EQ(load("[host.a]\nid = a/b\nipmi_port = 7001\n", &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "t.conf:1: host.a.id: only letters") != NULL);
	CHECK_EQ(load("[host.a]\nipmi_port = 7001\n[host.a]\n", &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "t.conf:3: [host.a] is already defined at line 1") != NULL);
	CHECK_EQ(load("[host.a b]\nipmi_port = 7001\n", &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "t.conf:1: [host.a b]: the name must be") != NULL);

	/* what each host needs, and its own keys only */
	CHECK_EQ(load("[host.a]\nbackend = sim\n", &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "t.conf:1: host.a: ipmi_port is required") != NULL);
	CHECK_EQ(load("[host.a]\nipmi_port = 7001\nbackend = kvmd\n", &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "host.a.backend: kvmd is the default host's") != NULL);
	CHECK_EQ(load("[host.a]\nipmi_port = 7001\nbackend = kvmd-switch\n", &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "host.a.backend = kvmd-switch needs switch_port") != NULL);
	CHECK_EQ(load("[host.a]\nipmi_port = 7001\nswitch_port = 3\n", &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "host.a.switch_port is set, but its backend is not kvmd-switch") != NULL);
	CHECK_EQ(load("[host.a]\nipmi_port = 7001\nswitch_port = 9.9\n", &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "t.conf:3: host.a.switch_port: expected a port index") != NULL);
	CHECK_EQ(load("[host.a]\nipmi_port = 7001\nbackend = gpiod\npower_led = 1\n", &c, e,
		      sizeof(e)), 1);
	CHECK(strstr(e, "host.a.backend = gpiod needs power_led, hdd_led") != NULL);
	CHECK_EQ(load("[host.a]\nipmi_port = 0\nport = 1\nsel_entries = 8\n", &c, e,
		      sizeof(e)), 4);
	CHECK(strstr(e, "t.conf:2: host.a.ipmi_port: expected a number from 1 to 65535") != NULL);
	CHECK(strstr(e, "t.conf:3: unknown key 'port' in [host.a]") != NULL);
	CHECK(strstr(e, "t.conf:4: host.a.sel_entries: expected a number from 16 to 4096") != NULL);

	/* nothing driven by two hosts: a Switch port, a GPIO line on one chip, a serial device */
	CHECK_EQ(load("[host]\nbackend = kvmd-switch\n[kvmd]\nswitch_port = 2\n"
		      "[host.a]\nipmi_port = 7001\nbackend = kvmd-switch\nswitch_port = 1.3\n"
		      "[host.b]\nipmi_port = 7002\nbackend = kvmd-switch\nswitch_port = 3\n"
		      "[host.c]\nipmi_port = 7003\nbackend = kvmd-switch\nswitch_port = 3\n",
		      &c, e, sizeof(e)), 2);
	CHECK(strstr(e, "t.conf:5: host.a: switch_port also used by the default host") != NULL);
	CHECK(strstr(e, "t.conf:13: host.c: switch_port also used by host.b (line 9)") != NULL);
	CHECK_EQ(load("[host]\nbackend = gpiod\n"
		      "[host.a]\nipmi_port = 7001\nbackend = gpiod\npower_led = 1\nhdd_led = 2\n"
		      "power_switch = 3\nreset_switch = 23\n"
		      "[host.b]\nipmi_port = 7002\nbackend = gpiod\nchip = /dev/gpiochip1\n"
		      "power_led = 1\nhdd_led = 2\npower_switch = 3\nreset_switch = 4\n",
		      &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "t.conf:3: host.a: GPIO lines also used by the default host") != NULL);
	CHECK_EQ(load("[sol]\ndevice = /dev/ttyUSB0\n"
		      "[host.a]\nipmi_port = 7001\nsol_device = /dev/ttyUSB0\n"
		      "[host.b]\nipmi_port = 7002\nsol_device = sim\n"
		      "[host.c]\nipmi_port = 7003\nsol_device = sim\n",
		      &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "t.conf:3: host.a: sol_device also used by the default host") != NULL);

	/* PiKVM mode sets [ipmi] port after the file: checked again then */
	CHECK_EQ(load("[host.a]\nipmi_port = 7001\n[host.b]\nipmi_port = 7002\n", &c, e,
		      sizeof(e)), 0);
	CHECK_EQ(config_check_default_port(&c), 0);
	c.ipmi_port = 7002;
	fflush(stderr);
	int saved = dup(2);
	FILE *tmp = tmpfile();
	dup2(fileno(tmp), 2);
	CHECK_EQ(config_check_default_port(&c), 1);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	size_t got = fread(e, 1, sizeof(e) - 1, tmp);
	e[got] = 0;
	fclose(tmp);
	CHECK(strstr(e, "t.conf:3: host.b: IPMI on [::]:7002 is the default host's (as PiKVM's files set it)") != NULL);
}

/* `users` in [host] and [host.NAME]: a per-host allow-list (names only, not checked against
 * the users file); empty or absent: every user */
static void host_users_cases(void)
{
	struct config c;
	struct host_conf h;
	char e[4096];
	CHECK_EQ(load("[host]\nusers = admin, op\n[host.b]\nipmi_port = 7001\n"
		      "users = ,alice\t bob,,carol , ghost\n[host.c]\nipmi_port = 7002\n"
		      "[host.d]\nipmi_port = 7003\nusers =\n", &c, e, sizeof(e)), 0);
	config_host(&c, 0, &h);
	CHECK(strcmp(h.users, "admin,op") == 0);
	CHECK(config_host_user_allowed(&h, "admin", 5) && config_host_user_allowed(&h, "op", 2));
	CHECK(!config_host_user_allowed(&h, "adm", 3) && !config_host_user_allowed(&h, "o", 1));
	CHECK(!config_host_user_allowed(&h, "admin,op", 8) && !config_host_user_allowed(&h, "", 0));
	CHECK(!config_host_user_allowed(&h, "opx", 3) && !config_host_user_allowed(&h, "Admin", 5));
	config_host(&c, 1, &h);
	CHECK(strcmp(h.users, "alice,bob,carol,ghost") == 0);
	CHECK(config_host_user_allowed(&h, "ghost", 5) && !config_host_user_allowed(&h, "admin", 5));
	config_host(&c, 2, &h); /* absent and empty: everyone */
	CHECK(h.users[0] == '\0' && config_host_user_allowed(&h, "anyone", 6));
	config_host(&c, 3, &h);
	CHECK(h.users[0] == '\0' && config_host_user_allowed(&h, "admin", 5));

	/* limits: 16 names of 16 bytes fit, a 17th name or a 17-byte name do not */
	char conf[1024] = "[host.b]\nipmi_port = 7001\nusers =";
	for (int i = 0; i < HOST_USERS_MAX; i++)
		snprintf(conf + strlen(conf), sizeof(conf) - strlen(conf), " user%02d_678901234", i);
	strcat(conf, "\n");
	CHECK_EQ(load(conf, &c, e, sizeof(e)), 0);
	CHECK_EQ(strlen(c.hosts[0].users), HOST_USERS_MAX * 17 - 1);
	CHECK(config_host_user_allowed(&c.hosts[0], "user15_678901234", 16));
	conf[strlen(conf) - 1] = '\0';
	strcat(conf, ",x\n");
	CHECK_EQ(load(conf, &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "t.conf:3: host.b.users: at most 16 names of at most 16 bytes ('x')") != NULL);
	CHECK_EQ(load("[host]\nusers = admin 12345678901234567\n", &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "t.conf:2: host.users: at most 16 names of at most 16 bytes "
		     "('12345678901234567')") != NULL);
	CHECK_EQ(load("[host.b]\nipmi_port = 7001\nusers = a\x01b\n", &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "t.conf:3: host.b.users: user names are printable ASCII") != NULL);
	CHECK_EQ(load("[host.b]\nipmi_port = 7001\nusers = a\xc3\xa9\n", &c, e, sizeof(e)), 1);
	CHECK(strstr(e, "t.conf:3: host.b.users: user names are printable ASCII") != NULL);
}

/* stderr of the calls between the two, into e */
static int saved_fd = -1;
static FILE *cap_tmp;
static void capture(void)
{
	fflush(stderr);
	saved_fd = dup(2);
	cap_tmp = tmpfile();
	dup2(fileno(cap_tmp), 2);
}

static void captured(char *e, size_t cap)
{
	fflush(stderr);
	dup2(saved_fd, 2);
	close(saved_fd);
	rewind(cap_tmp);
	size_t got = fread(e, 1, cap - 1, cap_tmp);
	e[got] = 0;
	fclose(cap_tmp);
}

/* [kvmd] switch_hosts: a further host per Switch port kvmd reports (firmware/switch_hosts.c) */
static void switch_cases(void)
{
	struct config c;
	char e[4096];
	CHECK_EQ(load("", &c, e, sizeof(e)), 0);
	CHECK(!c.switch_hosts && c.switch_ipmi_base == 0 && c.switch_wait_s == 30);
	CHECK_EQ(switch_hosts_check(&c), 0); /* off: nothing asked */
	const char *base = "[host]\nbackend = kvmd\n[kvmd]\nswitch_hosts = yes\n"
			   "switch_ipmi_base = 7000\nswitch_discovery_timeout_s = 5\n";
	CHECK_EQ(load(base, &c, e, sizeof(e)), 0);
	CHECK(c.switch_hosts && c.switch_ipmi_base == 7000 && c.switch_wait_s == 5);
	CHECK_EQ(c.switch_hosts_line, 4);
	CHECK_EQ(switch_hosts_check(&c), 0);
	CHECK_EQ(c.nhosts, 0); /* nothing made before kvmd is asked */

	/* values and their bounds: port i's IPMI port base + i must exist for all 20 ports */
	CHECK_EQ(load("[kvmd]\nswitch_ipmi_base = 65517\nswitch_discovery_timeout_s = 0\n"
		      "switch_hosts = maybe\n", &c, e, sizeof(e)), 3);
	CHECK(strstr(e, "t.conf:2: kvmd.switch_ipmi_base: expected a number from 1 to 65516") != NULL);
	CHECK(strstr(e, "t.conf:3: kvmd.switch_discovery_timeout_s: expected a number from 1 to "
		      "3600") != NULL);
	CHECK(strstr(e, "t.conf:4: kvmd.switch_hosts: expected true or false") != NULL);
	CHECK_EQ(load("[kvmd]\nswitch_ipmi_base = 65516\nswitch_discovery_timeout_s = 3600\n", &c, e,
		      sizeof(e)), 0);

	/* only with kvmd (the check runs after PiKVM's files, which make the backend kvmd) */
	CHECK_EQ(load("[kvmd]\nswitch_ipmi_base = 7000\nswitch_hosts = yes\n", &c, e, sizeof(e)), 0);
	capture();
	CHECK_EQ(switch_hosts_check(&c), 1);
	captured(e, sizeof(e));
	CHECK(strstr(e, "t.conf:3: kvmd.switch_hosts needs the kvmd backend") != NULL);
	c.backend = BACKEND_KVMD; /* as pikvm_apply sets it */
	CHECK_EQ(switch_hosts_check(&c), 0);
	CHECK_EQ(load("[host]\nbackend = kvmd\n[kvmd]\nswitch_hosts = yes\n", &c, e, sizeof(e)), 0);
	capture();
	CHECK_EQ(switch_hosts_check(&c), 1);
	captured(e, sizeof(e));
	CHECK(strstr(e, "t.conf:4: kvmd.switch_hosts needs kvmd.switch_ipmi_base") != NULL);

	/* four ports: one host each, as a [host.NAME] section's defaults */
	CHECK_EQ(load(base, &c, e, sizeof(e)), 0);
	CHECK_EQ(switch_hosts_add(&c, 4), 0);
	CHECK_EQ(c.nhosts, 4);
	for (int i = 0; i < 4; i++) {
		const struct host_conf *h = &c.hosts[i];
		char name[24], id[24];
		snprintf(name, sizeof(name), "port%d", i);
		snprintf(id, sizeof(id), "SwitchPort%d", i);
		CHECK(!strcmp(h->name, name) && !strcmp(h->id, id));
		CHECK(h->backend == BACKEND_KVMD && h->kvmd_switch_port == i);
		CHECK_EQ(h->ipmi_port, 7000 + (uint32_t)i);
		CHECK(h->sel_entries == c.sel_entries && !strcmp(h->chip, c.chip));
		CHECK(!h->sol_device[0] && h->policy == 0 && h->line == 4);
	}
	/* none: nothing made */
	CHECK_EQ(load(base, &c, e, sizeof(e)), 0);
	CHECK_EQ(switch_hosts_add(&c, 0), 0);
	CHECK_EQ(c.nhosts, 0);

	/* a port a host already drives (the default host's, a [host.NAME]'s) gets none; the file's
	 * hosts stay as they were */
	CHECK_EQ(load("[host]\nbackend = kvmd-switch\n[kvmd]\nswitch_port = 3\nswitch_hosts = yes\n"
		      "switch_ipmi_base = 7000\n[host.web]\nbackend = kvmd-switch\nswitch_port = 1.2\n"
		      "ipmi_port = 8001\n[host.lab]\nipmi_port = 8002\n", &c, e, sizeof(e)), 0);
	CHECK_EQ(switch_hosts_add(&c, 4), 0);
	CHECK_EQ(c.nhosts, 4);
	CHECK(!strcmp(c.hosts[0].name, "web") && c.hosts[0].backend == BACKEND_KVMD);
	CHECK(c.hosts[0].kvmd_switch_port == 1 && c.hosts[0].ipmi_port == 8001);
	CHECK(!strcmp(c.hosts[1].name, "lab") && c.hosts[1].backend == BACKEND_SIM);
	CHECK(!strcmp(c.hosts[2].name, "port0") && c.hosts[2].ipmi_port == 7000);
	CHECK(!strcmp(c.hosts[3].name, "port2") && c.hosts[3].ipmi_port == 7002);

	/* the checks of the file's hosts apply: IPMI ports, ids, names, limits */
	const char *clash[][2] = {
		{ "[host.x]\nipmi_port = 7002\n[hosts]\nmax = 5\n", "t.conf:4: host.port2: IPMI on [::]:7002 is also host.x's (line 7)" },
		{ "[host.x]\nid = SwitchPort1\nipmi_port = 8000\n[hosts]\nmax = 5\n", "t.conf:4: host.port1.id 'SwitchPort1' is also host.x's (line 7)" },
		{ "[host.port3]\nipmi_port = 8000\n", "t.conf:4: [host.port3] is already defined at line 7" },
		{ "[ipmi]\nport = 7001\n", "t.conf:4: host.port1: IPMI on [::]:7001 is the default host's (ipmi.listen, ipmi.port)" },
		{ "[hosts]\nmax = 3\n", "t.conf:4: [host.port3]: more than hosts.max = 3 further hosts" },
	};
	for (size_t i = 0; i < sizeof(clash) / sizeof(clash[0]); i++) {
		char conf[512];
		snprintf(conf, sizeof(conf), "%s%s", base, clash[i][0]);
		CHECK_EQ(load(conf, &c, e, sizeof(e)), 0);
		capture();
		int n = switch_hosts_add(&c, 4);
		captured(e, sizeof(e));
		CHECK_EQ(n, 1);
		CHECK(strstr(e, clash[i][1]) != NULL);
		if (n != 1 || !strstr(e, clash[i][1]))
			fprintf(stderr, "expected '%s' in:\n%s", clash[i][1], e);
	}
	/* a whole chain (20 ports) fits [hosts] max = 20; more is not a Switch kvmd has */
	char conf[512];
	snprintf(conf, sizeof(conf), "%s[hosts]\nmax = 20\n", base);
	CHECK_EQ(load(conf, &c, e, sizeof(e)), 0);
	CHECK_EQ(switch_hosts_add(&c, 20), 0);
	CHECK(c.nhosts == 20 && c.hosts[19].ipmi_port == 7019 && !strcmp(c.hosts[19].id, "SwitchPort19"));
	CHECK_EQ(load(conf, &c, e, sizeof(e)), 0);
	capture();
	CHECK_EQ(switch_hosts_add(&c, 21), 1);
	captured(e, sizeof(e));
	CHECK(strstr(e, "t.conf:4: kvmd.switch_hosts: kvmd reports 21 Switch ports; a chain has at "
		      "most 20") != NULL);
	CHECK_EQ(c.nhosts, 0);
	snprintf(conf, sizeof(conf), "%s[hosts]\nmax = 20\n[host.x]\nipmi_port = 8000\n", base);
	CHECK_EQ(load(conf, &c, e, sizeof(e)), 0);
	capture();
	CHECK(switch_hosts_add(&c, 20) >= 1); /* 21 hosts: past the ceiling */
	captured(e, sizeof(e));
	CHECK(strstr(e, "t.conf:4: [host.port19]: more than 20 further hosts (the ceiling)") != NULL);
}

static void users_cases(void)
{
	struct user u;
	bool blank;
	CHECK(users_parse_line("admin:admin", 11, &u, &blank) == NULL);
	CHECK(u.priv == PRIV_ADMIN && u.pass_len == 5 && strcmp(u.name, "admin") == 0);
	CHECK(users_parse_line("op:pa:ss:operator", 17, &u, &blank) == NULL);
	CHECK(u.priv == PRIV_OPERATOR && u.pass_len == 5 && memcmp(u.pass, "pa:ss", 5) == 0);
	/* a third field that is not a privilege is an error, never ADMIN (issue 12, finding 5) */
	CHECK(users_parse_line("x:pa:ss", 7, &u, &blank) != NULL);
	CHECK(users_parse_line("bob:Secret42:no-access", 22, &u, &blank) != NULL);
	CHECK(users_parse_line("bob:Secret42:", 13, &u, &blank) != NULL);
	CHECK(users_parse_line("bob:pa:ss:user", 14, &u, &blank) == NULL);
	CHECK(u.priv == PRIV_USER && u.pass_len == 5 && memcmp(u.pass, "pa:ss", 5) == 0);
	const char *pk = "bob:pa:ss -> admin:admin"; /* PiKVM's format has no privilege field */
	CHECK(users_parse_line(pk, strlen(pk), &u, &blank) == NULL);
	CHECK(u.priv == PRIV_ADMIN && u.pass_len == 5 && memcmp(u.pass, "pa:ss", 5) == 0);
	const char *legacy = "admin:admin -> admin:admin";
	CHECK(users_parse_line(legacy, strlen(legacy), &u, &blank) == NULL);
	CHECK(u.pass_len == 5 && memcmp(u.pass, "admin", 5) == 0);
	CHECK(users_parse_line("  # comment", 11, &u, &blank) == NULL && blank);
	CHECK(users_parse_line("", 0, &u, &blank) == NULL && blank);
	CHECK(users_parse_line("nocolon", 7, &u, &blank) != NULL);
	CHECK(users_parse_line(":pw", 3, &u, &blank) != NULL);
	CHECK(users_parse_line("u:", 2, &u, &blank) != NULL);
	CHECK(users_parse_line("seventeen-chars-x:pw", 20, &u, &blank) != NULL);
	CHECK(users_parse_line("u:123456789012345678901", 23, &u, &blank) != NULL);
	CHECK(users_parse_line("u:12345678901234567890", 22, &u, &blank) == NULL);
	CHECK(users_parse_line("a b:pw", 6, &u, &blank) != NULL);

	struct user tab[2];
	struct users us = { tab, 0, 2, 0 };
	char e[2048];
	const char *p = write_file("users", "a:1\n# c\nb:2:user\na:3\nbad\nc:3\n");
	fflush(stderr);
	int saved = dup(2);
	FILE *tmp = tmpfile();
	dup2(fileno(tmp), 2);
	int n = users_load(&us, p);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	size_t got = fread(e, 1, sizeof(e) - 1, tmp);
	e[got] = 0;
	fclose(tmp);
	CHECK_EQ(n, 3);
	CHECK(strstr(e, "users:4: duplicate user 'a'") != NULL);
	CHECK(strstr(e, "users:5: expected name:password") != NULL);
	CHECK(strstr(e, "users:6: too many users") != NULL);
	CHECK_EQ(us.n, 2);
	CHECK(users_check_password(&tab[0], "1", 1));
	CHECK(!users_check_password(&tab[0], "1\0", 2));
	CHECK(!users_check_password(&tab[0], "2", 1));
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	config_cases();
	hosts_cases();
	host_users_cases();
	switch_cases();
	users_cases();
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return t_done("test_config");
}
