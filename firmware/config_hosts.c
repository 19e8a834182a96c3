/*
 * The hosts beyond the default one ([host.NAME] sections, config.h's struct host_conf):
 * opening a section, completing and cross-checking them after the whole file, and each
 * host's own settings for the wiring (config_host). Their keys are in config.c's table.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

/* Where a further host's IPMI endpoint listens: its own address, else [ipmi] listen; its
 * own port, else (with its own address only) [ipmi] port. */
static void host_endpoint(const struct config *c, const struct host_conf *h,
			  char addr[CFG_ADDR_MAX], uint32_t *port)
{
	bool own = h->ipmi_listen[0] != 0;
	if (addr != h->ipmi_listen)
		memcpy(addr, own ? h->ipmi_listen : c->ipmi_listen, CFG_ADDR_MAX);
	else if (!own)
		memcpy(addr, c->ipmi_listen, CFG_ADDR_MAX);
	*port = h->ipmi_port ? h->ipmi_port : own ? c->ipmi_port : 0;
}

/* An address as 16 bytes (IPv4 v4-mapped); false: not an address. */
static bool addr16(const char *s, uint8_t out[16])
{
	uint8_t v4[4];
	if (inet_pton(AF_INET, s, v4) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xFF;
		memcpy(out + 12, v4, 4);
		return true;
	}
	return inet_pton(AF_INET6, s, out) == 1;
}

/* Whether sockets bound to a and b (the same port) take the same datagrams: the same
 * address, "::" (both families), or 0.0.0.0 and an IPv4 address. */
static bool addr_overlap(const char *a, const char *b)
{
	static const uint8_t any6[16], any4[16] = { [10] = 0xFF, [11] = 0xFF };
	uint8_t x[16], y[16];
	if (!addr16(a, x) || !addr16(b, y))
		return !strcmp(a, b); /* not addresses: start-up refuses them anyway */
	if (!memcmp(x, any6, 16) || !memcmp(y, any6, 16))
		return true;
	bool x4 = !memcmp(x, any4, 12), y4 = !memcmp(y, any4, 12);
	if ((!memcmp(x, any4, 16) && y4) || (!memcmp(y, any4, 16) && x4))
		return true;
	return !memcmp(x, y, 16);
}

/* Whether two endpoints (address, port) clash. */
static bool endpoints_clash(const char *a, uint32_t pa, const char *b, uint32_t pb)
{
	return pa && pa == pb && addr_overlap(a, b);
}

void config_host(const struct config *c, int i, struct host_conf *out)
{
	if (i > 0) {
		*out = c->hosts[i - 1];
		host_endpoint(c, out, out->ipmi_listen, &out->ipmi_port);
		return;
	}
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", c->system_id);
	out->backend = c->backend;
	out->kvmd_switch_port = c->kvmd_switch_port;
	out->ipmi_port = c->ipmi_port;
	snprintf(out->ipmi_listen, sizeof(out->ipmi_listen), "%s", c->ipmi_listen);
	snprintf(out->sol_device, sizeof(out->sol_device), "%s", c->sol_device);
	snprintf(out->product_name, sizeof(out->product_name), "%s", c->product_name);
	snprintf(out->product_serial, sizeof(out->product_serial), "%s", c->product_serial);
	out->policy = c->policy;
	out->sel_entries = c->sel_entries;
	snprintf(out->chip, sizeof(out->chip), "%s", c->chip);
	out->power_led = c->power_led;
	out->hdd_led = c->hdd_led;
	out->power_switch = c->power_switch;
	out->reset_switch = c->reset_switch;
	out->power_led_inverted = c->power_led_inverted;
	out->hdd_led_inverted = c->hdd_led_inverted;
	out->power_switch_inverted = c->power_switch_inverted;
	out->reset_switch_inverted = c->reset_switch_inverted;
	out->sim_power_on = c->sim_power_on;
	out->sim_console = c->sim_console;
	memcpy(out->users, c->host_users, sizeof(out->users));
}

bool config_host_user_allowed(const struct host_conf *hc, const char *name, size_t len)
{
	size_t n = strnlen(hc->users, sizeof(hc->users));
	if (n == 0)
		return true;
	for (size_t i = 0; i < n;) {
		const char *p = hc->users + i, *e = memchr(p, ',', n - i);
		size_t l = e ? (size_t)(e - p) : n - i;
		if (l == len && !memcmp(p, name, len))
			return true;
		i += l + 1;
	}
	return false;
}

bool config_id_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '-' || ch == '_';
}

/* A [host.NAME] header: the host it opens, or NULL (reported). */
struct host_conf *config_host_section(struct config *c, const char *name, const char *path,
				       int line)
{
	size_t nl = strlen(name);
	bool ok = nl >= 1 && nl <= HOST_NAME_MAX_LEN;
	for (size_t i = 0; ok && i < nl; i++)
		ok = config_id_char(name[i]);
	if (!ok) {
		fprintf(stderr, "%s:%d: [host.%s]: the name must be 1 to %d letters, digits, '-' "
			"or '_'\n", path, line, name, HOST_NAME_MAX_LEN);
		return NULL;
	}
	for (uint32_t i = 0; i < c->nhosts; i++) {
		if (!strcmp(c->hosts[i].name, name)) {
			fprintf(stderr, "%s:%d: [host.%s] is already defined at line %d\n", path, line,
				name, c->hosts[i].line);
			return NULL;
		}
	}
	if (c->nhosts >= HOSTS_EXTRA_MAX) {
		fprintf(stderr, "%s:%d: [host.%s]: more than %d further hosts (the ceiling)\n",
			path, line, name, HOSTS_EXTRA_MAX);
		return NULL;
	}
	struct host_conf *h = &c->hosts[c->nhosts++];
	memset(h, 0, sizeof(*h));
	strcpy(h->name, name);
	h->backend = BACKEND_SIM;
	h->kvmd_switch_port = -1;
	h->power_led = h->hdd_led = h->power_switch = h->reset_switch = HOST_LINE_UNSET;
	h->line = line;
	return h;
}

static bool gpio_shared(const struct host_conf *a, const struct host_conf *b)
{
	if (a->backend != BACKEND_GPIOD || b->backend != BACKEND_GPIOD || strcmp(a->chip, b->chip))
		return false;
	const uint32_t la[4] = { a->power_led, a->hdd_led, a->power_switch, a->reset_switch };
	const uint32_t lb[4] = { b->power_led, b->hdd_led, b->power_switch, b->reset_switch };
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			if (la[i] == lb[j])
				return true;
	return false;
}

/* Host i (1..nhosts) against every host before it, the default one included: no Switch
 * port, GPIO line or serial device is driven by two. */
static int check_shared(const struct config *c, uint32_t i, const char *path)
{
	struct host_conf h, o;
	int errors = 0;
	config_host(c, (int)i, &h);
	for (uint32_t j = 0; j < i; j++) {
		config_host(c, (int)j, &o);
		char other[48];
		if (j)
			snprintf(other, sizeof(other), "host.%s (line %d)", o.name, o.line);
		else
			snprintf(other, sizeof(other), "the default host");
		const char *what = NULL;
		if (h.backend == BACKEND_KVMD && o.backend == BACKEND_KVMD &&
		    h.kvmd_switch_port >= 0 && h.kvmd_switch_port == o.kvmd_switch_port)
			what = "switch_port";
		else if (gpio_shared(&h, &o))
			what = "GPIO lines";
		else if (h.sol_device[0] && strcmp(h.sol_device, "sim") &&
			 !strcmp(h.sol_device, o.sol_device))
			what = "sol_device";
		if (what) {
			fprintf(stderr, "%s:%d: host.%s: %s also used by %s\n", path, h.line, h.name,
				what, other);
			errors++;
		}
	}
	return errors;
}

/* After the whole file: what each [host.NAME] left out, and what must differ between hosts
 * (IPMI ports, ids, Switch ports, GPIO lines, serial devices). */
int config_check_hosts(struct config *c, const char *path)
{
	int errors = 0;
	if (c->nhosts > c->hosts_max) {
		const struct host_conf *h = &c->hosts[c->hosts_max];
		fprintf(stderr, "%s:%d: [host.%s]: more than hosts.max = %u further hosts\n", path,
			h->line, h->name, c->hosts_max);
		errors++;
	}
	for (uint32_t i = 0; i < c->nhosts; i++) {
		struct host_conf *h = &c->hosts[i];
		if (!h->id[0])
			strcpy(h->id, h->name);
		for (const char *p = h->id; *p; p++) {
			if (!config_id_char(*p)) {
				fprintf(stderr, "%s:%d: host.%s.id: only letters, digits, '-' and '_'\n",
					path, h->line, h->name);
				errors++;
				break;
			}
		}
		if (!strcmp(h->id, c->system_id)) {
			fprintf(stderr, "%s:%d: host.%s.id '%s' is the default host's "
				"redfish.system_id\n", path, h->line, h->name, h->id);
			errors++;
		}
		char ha[CFG_ADDR_MAX], oa[CFG_ADDR_MAX];
		uint32_t hp, op;
		host_endpoint(c, h, ha, &hp);
		if (!hp) {
			fprintf(stderr, "%s:%d: host.%s: ipmi_port is required (or ipmi_listen, an "
				"address of its own)\n", path, h->line, h->name);
			errors++;
		} else if (endpoints_clash(ha, hp, c->ipmi_listen, c->ipmi_port)) {
			fprintf(stderr, "%s:%d: host.%s: IPMI on [%s]:%u is the default host's "
				"(ipmi.listen, ipmi.port)\n", path, h->line, h->name, ha, hp);
			errors++;
		}
		for (uint32_t j = 0; j < i; j++) {
			const struct host_conf *o = &c->hosts[j];
			host_endpoint(c, o, oa, &op);
			if (endpoints_clash(ha, hp, oa, op)) {
				fprintf(stderr, "%s:%d: host.%s: IPMI on [%s]:%u is also host.%s's "
					"(line %d)\n", path, h->line, h->name, ha, hp, o->name, o->line);
				errors++;
			}
			if (!strcmp(h->id, o->id)) {
				fprintf(stderr, "%s:%d: host.%s.id '%s' is also host.%s's (line %d)\n",
					path, h->line, h->name, h->id, o->name, o->line);
				errors++;
			}
		}
		if (h->backend == BACKEND_KVMD) {
			fprintf(stderr, "%s:%d: host.%s.backend: kvmd is the default host's; a "
				"further host is sim, gpiod or kvmd-switch\n", path, h->line, h->name);
			errors++;
		} else if (h->backend == BACKEND_KVMD_SWITCH && h->kvmd_switch_port < 0) {
			fprintf(stderr, "%s:%d: host.%s.backend = kvmd-switch needs switch_port\n",
				path, h->line, h->name);
			errors++;
		} else if (h->backend != BACKEND_KVMD_SWITCH && h->kvmd_switch_port >= 0) {
			fprintf(stderr, "%s:%d: host.%s.switch_port is set, but its backend is not "
				"kvmd-switch\n", path, h->line, h->name);
			errors++;
		}
		if (h->backend == BACKEND_KVMD_SWITCH)
			h->backend = BACKEND_KVMD;
		if (h->backend == BACKEND_GPIOD &&
		    (h->power_led == HOST_LINE_UNSET || h->hdd_led == HOST_LINE_UNSET ||
		     h->power_switch == HOST_LINE_UNSET || h->reset_switch == HOST_LINE_UNSET)) {
			fprintf(stderr, "%s:%d: host.%s.backend = gpiod needs power_led, hdd_led, "
				"power_switch and reset_switch\n", path, h->line, h->name);
			errors++;
		}
		if (!h->sel_entries)
			h->sel_entries = c->sel_entries;
		if (!h->chip[0])
			strcpy(h->chip, c->chip);
	}
	for (uint32_t i = 1; i <= c->nhosts; i++)
		errors += check_shared(c, i, path);
	return errors;
}

int config_check_default_port(const struct config *c)
{
	int errors = 0;
	for (uint32_t i = 0; i < c->nhosts; i++) {
		const struct host_conf *h = &c->hosts[i];
		char ha[CFG_ADDR_MAX];
		uint32_t hp;
		host_endpoint(c, h, ha, &hp);
		if (endpoints_clash(ha, hp, c->ipmi_listen, c->ipmi_port)) {
			fprintf(stderr, "%s:%d: host.%s: IPMI on [%s]:%u is the default host's "
				"(as PiKVM's files set it)\n", c->path, h->line, h->name, ha, hp);
			errors++;
		}
	}
	return errors;
}
