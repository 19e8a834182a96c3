/* The hosts of a PiKVM Switch's ports, from kvmd at start-up: see switch_hosts.h. */
#include "switch_hosts.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../hal/atx.h"
#include "../hal/kvmd_http.h"
#include "../proto/kvmd_msd.h"
#include "config.h"
#include "log.h"
#include "loop.h"

#define BODY_MAX (64 * 1024)	/* GET /switch: about 18 KiB with 20 ports, more per EDID */
#define TOKENS 4096
#define RETRY_MS 500

int switch_hosts_check(const struct config *c)
{
	const char *why = c->backend != BACKEND_KVMD ? "the kvmd backend (PiKVM mode, or "
			  "host.backend = kvmd or kvmd-switch)" : "kvmd.switch_ipmi_base";
	if (!c->switch_hosts || (c->backend == BACKEND_KVMD && c->switch_ipmi_base))
		return 0;
	fprintf(stderr, "%s:%d: kvmd.switch_hosts needs %s\n", c->path, c->switch_hosts_line, why);
	return 1;
}

int switch_hosts_add(struct config *c, int nports)
{
	uint32_t had = c->nhosts;
	int errors = 0;
	if (nports > ATX_KVMD_SWITCH_PORTS) {
		fprintf(stderr, "%s:%d: kvmd.switch_hosts: kvmd reports %d Switch ports; a chain has at "
			"most %d\n", c->path, c->switch_hosts_line, nports, ATX_KVMD_SWITCH_PORTS);
		return 1;
	}
	for (int i = 0; i < nports; i++) {
		bool taken = c->kvmd_switch_port == i;
		for (uint32_t j = 0; j < had; j++)
			taken |= c->hosts[j].kvmd_switch_port == i;
		char name[16];
		snprintf(name, sizeof(name), "port%d", i);
		struct host_conf *h = taken ? NULL : config_host_section(c, name, c->path,
									 c->switch_hosts_line);
		if (!h) {
			errors += !taken;
			continue;
		}
		h->backend = BACKEND_KVMD_SWITCH;
		h->kvmd_switch_port = i;
		h->ipmi_port = c->switch_ipmi_base + (uint32_t)i;
		snprintf(h->id, sizeof(h->id), "SwitchPort%d", i);
	}
	/* every host is checked again, the file's as the file said them */
	for (uint32_t j = 0; j < had; j++)
		if (c->hosts[j].backend == BACKEND_KVMD)
			c->hosts[j].backend = BACKEND_KVMD_SWITCH;
	return errors + config_check_hosts(c, c->path);
}

struct body {
	char *p;
	size_t n;
	bool over;
};

static bool on_body(void *ctx, const char *p, size_t n)
{
	struct body *b = ctx;
	b->over = n > BODY_MAX - b->n;
	if (!b->over) {
		memcpy(b->p + b->n, p, n);
		b->n += n;
	}
	return !b->over;
}

int switch_hosts_discover(struct config *c)
{
	struct kvmd_http http;
	struct body b = { malloc(BODY_MAX), 0, false };
	struct json_tok *t = calloc(TOKENS, sizeof(*t));
	const char *sock = c->kvmd_socket;
	int ports = -1, active, rc = -1;
	bool told = false;
	int64_t end = now_ms() + (int64_t)c->switch_wait_s * 1000;
	if (!kvmd_http_init(&http, sock, c->kvmd_user, c->kvmd_passwd))
		goto out;
	if (!b.p || !t) {
		log_err("out of memory");
		goto out;
	}
	for (;;) {
		int64_t dl = now_ms() + c->kvmd_timeout_ms;
		b.n = 0;
		int r = kvmd_http_start(&http, "GET", "/switch", dl < end ? dl : end, on_body, &b) - 1;
		while (!r) {
			struct pollfd p;
			int64_t left = http.deadline - now_ms();
			if (kvmd_http_fds(&http, &p, 1))
				poll(&p, 1, left > 0 ? (int)left : 0);
			r = kvmd_http_pump(&http, now_ms());
		}
		char err[160];
		const char *why = http.err;
		if (r > 0 && http.h.status != 200) {
			log_err("kvmd: %s: GET /switch: %s%s; not starting", sock,
				kvmd_msd_error(http.h.status, b.p, b.n, err, sizeof(err)),
				http.h.status == 404 ? " (this kvmd has no Switch API)" : "");
			goto out;
		}
		if (b.over || (r > 0 && kvmd_switch_active(b.p, b.n, t, TOKENS, &ports, &active) < 0)) {
			log_err("kvmd: %s: GET /switch: not kvmd's Switch state (%s); not starting", sock,
				b.over ? "over 64 KiB" : "bad JSON");
			goto out;
		}
		if (ports > 0)
			break;
		if (r > 0)
			why = "no PiKVM Switch (no ports) yet";
		if (now_ms() >= end)
			break;
		if (!told)
			log_notice("kvmd: %s: %s; asking again for up to %u s", sock, why,
				   c->switch_wait_s);
		told = true;
		int64_t left = end - now_ms();
		poll(NULL, 0, left < RETRY_MS ? (int)left : RETRY_MS);
	}
	if (ports < 0) {
		log_err("kvmd: %s: no answer to GET /switch in %u s (kvmd.switch_discovery_timeout_s; "
			"last: %s); not starting", sock, c->switch_wait_s, http.err);
		goto out;
	}
	if (!ports)
		log_warn("kvmd: %s: no PiKVM Switch attached (no ports): no hosts made for it", sock);
	uint32_t had = c->nhosts;
	if (switch_hosts_add(c, ports)) {
		log_err("kvmd: the Switch's %d port(s) do not fit the configuration; not starting",
			ports);
		goto out;
	}
	for (uint32_t i = had; i < c->nhosts; i++) {
		const struct host_conf *h = &c->hosts[i];
		log_notice("switch port %d: host %s (id %s), IPMI port %u", h->kvmd_switch_port, h->name,
			   h->id, h->ipmi_port);
	}
	rc = 0;
out:
	kvmd_http_close(&http);
	free(b.p);
	free(t);
	return rc;
}
