/*
 * bmcd: arguments, configuration, signals, the users file, start-up order and the loop.
 * All state lives in one struct bmc (bmc.h); each front door's wiring has its own file.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bmc.h"
#include "guid.h"
#include "log.h"
#include "pikvm.h"
#include "privdrop.h"
#include "switch_hosts.h"
#include "users_file.h"

/* --- signals --------------------------------------------------------------------------- */

static void reload_users(struct bmc *b)
{
	struct users fresh = { 0 };
	fresh.max = b->users.max;
	fresh.u = calloc((size_t)fresh.max, sizeof(struct user));
	if (!fresh.u) {
		log_err("reload: out of memory");
		return;
	}
	int errs = users_load(&fresh, b->cfg.users_file);
	if (errs) {
		log_err("reload: %s has %d error(s); keeping the users already loaded",
			b->cfg.users_file, errs);
	} else {
		memcpy(b->users.u, fresh.u, (size_t)fresh.n * sizeof(struct user));
		b->users.n = fresh.n;
		users_prepare(&b->users);
		b->users.generation++;
		for (int i = 0; i < b->nhosts; i++)
			ipmi_users_changed(&b->hosts[i].ipmi);
		if (b->rf_on) {
			redfish_users_changed(&b->rf);
			wire_redfish_revoke(b);
		}
		log_notice("reload: %d user(s) from %s", b->users.n, b->cfg.users_file);
	}
	memset(fresh.u, 0, (size_t)fresh.max * sizeof(struct user));
	free(fresh.u);
}

/* The users file changed on disk (PiKVM's docs: "edit /etc/kvmd/ipmipasswd"): reload it. */
static int64_t users_deadline_cb(void *ctx)
{
	struct bmc *b = ctx;
	return b->cfg.users_watch_ms ? b->users_check_at : INT64_MAX;
}

static void users_tick_cb(void *ctx, int64_t now)
{
	struct bmc *b = ctx;
	struct stat st;
	b->users_check_at = now + b->cfg.users_watch_ms;
	if (stat(b->cfg.users_file, &st) < 0)
		return;
	if (st.st_mtim.tv_sec != b->users_st.st_mtim.tv_sec ||
	    st.st_mtim.tv_nsec != b->users_st.st_mtim.tv_nsec || st.st_size != b->users_st.st_size ||
	    st.st_ino != b->users_st.st_ino) {
		b->users_st = st;
		log_info("%s changed", b->cfg.users_file);
		reload_users(b);
	}
}

static void signal_readable(void *ctx, int fd, short revents, int64_t now)
{
	struct bmc *b = ctx;
	struct signalfd_siginfo si;
	(void)revents;
	(void)now;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			reload_users(b);
		} else {
			log_notice("signal %u: stopping", si.ssi_signo);
			b->loop.stop = true;
		}
	}
}

/* --- start-up ---------------------------------------------------------------------------- */

static void bmclog_sink(void *ctx, int level, const char *line)
{
	bmclog_add(ctx, level, (uint32_t)time(NULL), line);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bmcd [-c FILE] [--kvmd] [--check-config] [--version] [--help]\n"
		"  -c, --config FILE   configuration file (default /etc/bmcd/bmcd.conf)\n"
		"      --kvmd          PiKVM mode: take IPMI, SoL, users and the kvmd socket from\n"
		"                      kvmd's files (/usr/lib/kvmd/main.yaml, /etc/kvmd/override.d,\n"
		"                      /etc/kvmd/override.yaml, /etc/kvmd/ipmipasswd); drive power\n"
		"                      through kvmd. Without -c no bmcd.conf is read.\n"
		"      --check-config  parse the configuration and users file, print every error\n"
		"                      as file:line, and exit (1 on error)\n"
		"  -V, --version       print the version\n"
		"  -h, --help          this text\n");
}

static int load_all(struct bmc *b, const char *path, bool kvmd)
{
	int errs = 0;
	if (kvmd && !path)
		pikvm_defaults(&b->cfg);
	else
		errs += config_load(&b->cfg, path ? path : "/etc/bmcd/bmcd.conf");
	if (kvmd)
		b->cfg.pikvm = true;
	if (b->cfg.pikvm) {
		errs += pikvm_apply(&b->cfg);
		errs += config_check_default_port(&b->cfg);
	}
	errs += switch_hosts_check(&b->cfg);
	b->users.max = (int)b->cfg.max_users;
	b->users.u = calloc((size_t)b->users.max, sizeof(struct user));
	if (!b->users.u)
		return errs + 1;
	errs += users_load(&b->users, b->cfg.users_file);
	if (guid_setup(&b->cfg, b->uuid) < 0)
		errs++;
	return errs;
}

/* The users file holds clear-text passwords (IPMI needs them as keys): say so when others
 * may read it. Group read is fine for the group bmcd runs as (PiKVM: kvmd-ipmi). */
static void check_users_mode(const struct config *c)
{
	struct stat st;
	if (stat(c->users_file, &st) < 0)
		return;
	unsigned mode = (unsigned)st.st_mode & 0777;
	if (st.st_mode & S_IROTH) {
		log_warn("%s is world-readable (mode %03o) and holds clear-text passwords: "
			 "chmod o-r it", c->users_file, mode);
		return;
	}
	if (!(st.st_mode & S_IRGRP))
		return;
	const struct passwd *pw = c->run_user[0] ? getpwnam(c->run_user) : NULL;
	if (!pw || pw->pw_gid != st.st_gid)
		log_warn("%s is readable by group %u (mode %03o) and holds clear-text passwords: "
			 "chmod g-r it unless that group is bmcd's own", c->users_file,
			 (unsigned)st.st_gid, mode);
}
int main(int argc, char **argv)
{
	static struct bmc bmc;
	struct bmc *b = &bmc;
	const char *path = NULL;
	bool check = false, kvmd = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if ((!strcmp(a, "-c") || !strcmp(a, "--config")) && i + 1 < argc) {
			path = argv[++i];
		} else if (!strncmp(a, "--config=", 9)) {
			path = a + 9;
		} else if (!strcmp(a, "--check-config")) {
			check = true;
		} else if (!strcmp(a, "--kvmd")) {
			kvmd = true;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("bmcd %s\n", BMCD_VERSION);
			return 0;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "bmcd: unknown argument '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}

	log_init();
	int64_t t0 = now_ms();
	b->started = t0;
	config_defaults(&b->cfg);
	int errs = load_all(b, path, kvmd);
	const char *shown = path ? path : kvmd ? "PiKVM configuration" : "/etc/bmcd/bmcd.conf";
	log_level = (int)b->cfg.log_level < 3 ? 3 : (int)b->cfg.log_level;
	if (!errs && !check && b->cfg.bmc_log_entries) {
		struct bmclog_entry *ring = calloc(b->cfg.bmc_log_entries, sizeof(*ring));
		if (ring) {
			bmclog_init(&b->bmclog, ring, (uint16_t)b->cfg.bmc_log_entries);
			log_set_sink(bmclog_sink, &b->bmclog);
		}
	}
	if (!errs)
		check_users_mode(&b->cfg);
	if (check) {
		if (errs) {
			fprintf(stderr, "%s: %d error(s)\n", shown, errs);
			return 1;
		}
		printf("%s: OK (%d user(s))\n", shown, b->users.n);
		return 0;
	}
	if (errs) {
		fprintf(stderr, "bmcd: %d configuration error(s); not starting\n", errs);
		return 1;
	}
	if (b->cfg.switch_hosts && switch_hosts_discover(&b->cfg) < 0)
		return 1;
	guid_format(b->uuid, b->uuid_str);

	signal(SIGPIPE, SIG_IGN);
	sigset_t ss;
	sigemptyset(&ss);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGHUP);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	b->sig_fd = signalfd(-1, &ss, SFD_NONBLOCK | SFD_CLOEXEC);

	if (loop_init(&b->loop, LOOP_FDS_MAX) < 0) {
		log_err("out of memory");
		return 1;
	}
	/* one master secret from the kernel; every generator gets its own seed derived from it
	 * (SECURITY.md: randomness), and the master is wiped once they are all seeded */
	uint8_t master[SEED_LEN];
	if (getrandom(master, sizeof(master), 0) != (ssize_t)sizeof(master)) {
		log_err("getrandom: %s", strerror(errno));
		return 1;
	}

	/* the hosts: the default one, then each [host.NAME] */
	b->nhosts = 1 + (int)b->cfg.nhosts;
	b->hosts = calloc((size_t)b->nhosts, sizeof(*b->hosts));
	if (!b->hosts) {
		log_err("out of memory");
		return 1;
	}
	for (int i = 0; i < b->nhosts; i++) {
		b->hosts[i].b = b;
		b->hosts[i].idx = i;
		b->hosts[i].udp_fd = -1;
		config_host(&b->cfg, i, &b->hosts[i].conf);
	}
	struct bmc_host *h0 = &b->hosts[0];

	/* everything that needs root: sockets, the GPIO chips */
	int64_t now = now_ms();
	for (int i = 0; i < b->nhosts; i++) {
		struct bmc_host *h = &b->hosts[i];
		if (b->cfg.ipmi_enabled) {
			char err[160];
			h->udp_fd = udp_open(h->conf.ipmi_listen, (uint16_t)h->conf.ipmi_port, err,
					     sizeof(err));
			if (h->udp_fd < 0) {
				log_err("ipmi%s%s: %s", i ? " " : "", h->conf.name, err);
				return 1;
			}
		}
		h->atx = wire_open_backend(h, now);
		if (!h->atx) {
			log_err("host%s%s: backend could not be opened", i ? " " : "", h->conf.name);
			return 1;
		}
		if (wire_host(h, now) < 0 || wire_ipmi(h, master, now) < 0 || wire_sol(h, now) < 0)
			return 1;
	}
	if (wire_redfish(b, now, master) < 0)
		return 1;
	memset(master, 0, sizeof(master));
	/* every socket is bound, the GPIO chip, the tty and the key are open: drop root */
	if (b->cfg.run_user[0] && privdrop(b->cfg.run_user) < 0)
		return 1;

	if (b->sig_fd >= 0)
		loop_add(&b->loop, b->sig_fd, POLLIN, signal_readable, b);
	for (int i = 0; i < b->nhosts; i++)
		wire_host_start(&b->hosts[i]);
	for (int i = 0; i < b->nhosts; i++)
		wire_media_start(&b->hosts[i]);
	stat(b->cfg.users_file, &b->users_st);
	b->users_check_at = now + b->cfg.users_watch_ms;
	loop_add_timer(&b->loop, users_deadline_cb, users_tick_cb, b);
	for (int i = 0; i < b->nhosts; i++) {
		wire_ipmi_start(&b->hosts[i]);
		host_apply_policy(&b->hosts[i].host);
	}
	for (int i = 1; i < b->nhosts; i++) {
		const struct bmc_host *h = &b->hosts[i];
		log_notice("host %s (id %s): IPMI on [%s]:%u, backend %s (power %s), SoL %s",
			   h->conf.name, h->conf.id, h->conf.ipmi_listen, h->conf.ipmi_port,
			   h->atx->ops->name, h->host.on ? "on" : "off",
			   h->sol.configured ? h->uart.cfg.path : "off");
	}
	log_notice("bmcd %s ready in %lld ms: IPMI on [%s]:%u, host backend %s (power %s), "
		   "SoL %s, Redfish https %u http %u, %d user(s), GUID %s", BMCD_VERSION,
		   (long long)(now_ms() - t0), b->cfg.ipmi_listen, b->cfg.ipmi_port,
		   h0->atx->ops->name, h0->host.on ? "on" : "off",
		   h0->sol.configured ? h0->uart.cfg.path : "off", b->rf_on ? b->cfg.https_port : 0,
		   b->rf_on ? b->cfg.http_port : 0, b->users.n, b->uuid_str);

	loop_run(&b->loop);

	for (int i = 0; i < b->nhosts; i++)
		ipmi_close_all(&b->hosts[i].ipmi);
	if (b->rf_on)
		httpd_close_all(&b->httpd);
	for (int i = 0; i < b->nhosts; i++)
		b->hosts[i].atx->ops->destroy(b->hosts[i].atx);
	log_notice("stopped");
	return 0;
}
