/*
 * What the BMC knows about its own network interfaces, for Redfish's
 * Managers/bmc/EthernetInterfaces: filled by the firmware (firmware/netif.c, from
 * getifaddrs, netlink via facts.c -- the same facts IPMI's LAN parameters report -- and
 * sysfs), read by the Redfish engine. Plain data, fixed sizes.
 */
#ifndef BMCD_NETIF_H
#define BMCD_NETIF_H

#include <stdbool.h>
#include <stdint.h>

#define NETIF_MAX 8		/* interfaces listed */
#define NETIF_V6_MAX 4		/* IPv6 addresses listed per interface */
#define NETIF_DNS_MAX 3		/* name servers (resolv.conf's own limit) */

struct netif {
	char name[16];
	uint8_t mac[6];
	bool up, running, loopback, has_v4;
	uint8_t ip[4], mask[4], gw[4];
	uint8_t source;		/* 0 unknown, 1 static, 2 DHCP (as IPMI's LAN parameter 4) */
	uint8_t nv6;
	uint8_t v6[NETIF_V6_MAX][16];
	uint8_t v6_prefix[NETIF_V6_MAX];
	uint32_t mtu;		/* 0: unknown */
	int32_t speed_mbps;	/* -1: unknown */
	uint8_t ndns;		/* the system's name servers (the same for every interface) */
	char dns[NETIF_DNS_MAX][46];
};

/* Fills up to max interfaces (up and non-loopback ones first); returns how many. */
typedef int (*netif_list_fn)(void *ctx, struct netif *out, int max);

#endif
