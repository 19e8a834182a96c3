/*
 * The daemon's state (one struct bmc, static in main.c) and the wiring of each front door,
 * one file each: wire_host.c (the host model and its backend), wire_ipmi.c (IPMI over
 * UDP), wire_sol.c (Serial-over-LAN and the serial port), wire_redfish.c (HTTP, TLS,
 * Redfish, SSE). main.c keeps arguments, configuration loading, signals, the users file
 * and start-up order. Each wire_X() runs before the privilege drop (it may open devices
 * and sockets); each wire_X_start() after it, adding descriptors and timers to the loop.
 */
#ifndef BMCD_BMC_H
#define BMCD_BMC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "../hal/atx.h"
#include "../hal/msd.h"
#include "../hal/uart.h"
#include "../net/httpd.h"
#include "../net/tls.h"
#include "../net/udp.h"
#include "../net/webhook.h"
#include "../proto/bmclog.h"
#include "../proto/crypto.h"
#include "../proto/fru.h"
#include "../proto/ipmi.h"
#include "../proto/redfish.h"
#include "../proto/ring.h"
#include "../proto/sdr.h"
#include "../proto/sol.h"
#include "bmcd_limits.h"
#include "config.h"
#include "facts.h"
#include "host_model.h"
#include "loop.h"

#ifndef BMCD_VERSION
#define BMCD_VERSION "0.1.0"
#endif

struct bmc;

/* One host and its IPMI endpoint. b->hosts[0] is the default host (the top-level sections of
 * the config); further hosts ([host.NAME]) follow. Each has its own backend, host model (with
 * its SEL ring), IPMI engine and UDP socket, SoL and console ring. */
struct bmc_host {
	struct bmc *b;
	int idx;			/* its index in b->hosts */
	struct host_conf conf;		/* its own settings (config_host) */
	struct atx *atx;
	int atx_fd[4], atx_handle[4];	/* the backend's descriptors in the loop */
	struct host host;
	struct ipmi ipmi;
	struct facts facts;
	struct sdr_repo sdr;
	uint8_t fru[FRU_MAX];
	size_t fru_len;
	int udp_fd;
	/* Serial-over-LAN */
	struct uart uart;
	struct ring ring;
	struct sol sol;
	int uart_handle;		/* loop handle while the port is open, else -1 */
	uint32_t rf_sel_adds;		/* its SEL's adds when Redfish last announced an entry */
	/* virtual media (wire_media.c): its own drive; NULL: none (gpiod) */
	struct msd *msd;
	int msd_fd, msd_handle;
	uint32_t msd_seq;		/* the drive's status seq last handed to Redfish */
	bool msd_dirty;			/* a Redfish request acted on a drive (RF_MEDIA) */
};

struct bmc {
	struct config cfg;
	struct users users;
	struct loop loop;
	struct bmc_host *hosts;		/* 1 + cfg.nhosts, allocated at start-up */
	int nhosts;
	int sig_fd;
	/* failed IPMI logins, one table for every host's endpoint (wire_ipmi) */
	struct throttle ipmi_thr;
	struct throttle_ent ipmi_thr_tab[IPMI_FAIL_SOURCES];
	/* replies to one received batch (of one host's socket), sent together */
	struct {
		struct bmc_host *on;	/* the host whose batch is being answered, or NULL */
		int n;
		uint8_t buf[UDP_BATCH][IPMI_PKT_MAX];
		struct peer to[UDP_BATCH];
		struct udp_out out[UDP_BATCH];
	} txq;
	/* Redfish (every host is a ComputerSystem) */
	struct tls_ctx *tls;
	struct httpd httpd;
	struct redfish rf;
	struct bmclog bmclog;		/* the BMC's own log (Managers/bmc/LogServices/Log) */
	bool rf_on;
	struct webhook webhook;		/* event subscriptions' deliveries (wire_events.c) */
	uint8_t uuid[16];
	char uuid_str[37];
	struct stat users_st;		/* to notice edits of the users file */
	int64_t users_check_at;
	int64_t started;
};

struct atx *wire_open_backend(struct bmc_host *h, int64_t now);
int wire_host(struct bmc_host *h, int64_t now);
void wire_host_start(struct bmc_host *h);
/* Virtual media (wire_media.c): each host's drive, created with its backend (sim, kvmd,
 * kvmd-switch), started after the privilege drop. */
struct msd *wire_open_media(struct bmc_host *h, int64_t now);
void wire_media_start(struct bmc_host *h);
/* Whether an insertion into host ctx's drive is downloading (a power-on waits for it:
 * host_cfg.hold). */
bool wire_media_inserting(void *ctx);

int wire_ipmi(struct bmc_host *h, const uint8_t master[SEED_LEN], int64_t now);
void wire_ipmi_start(struct bmc_host *h);
int wire_sol(struct bmc_host *h, int64_t now);
int wire_redfish(struct bmc *b, int64_t now, const uint8_t master[SEED_LEN]);
/* A session ended or the users changed: streams opened under it end too. */
void wire_redfish_revoke(struct bmc *b);
/* A host's drive's status changed: Redfish tasks, the event log and SSE follow. */
void wire_redfish_media(struct bmc_host *h, int64_t now);
/* Event subscriptions and their deliveries (wire_events.c), called by wire_redfish before
 * redfish_init: the table, the event ring and the delivery settings go into its config. */
int wire_events(struct bmc *b, struct redfish_cfg *rc);
/* The host models' listener (set in wire_host, ctx the struct bmc_host): Redfish events for
 * their changes. */
void wire_redfish_host_changed(void *ctx, const struct host_change *c);

#endif
