/*
 * Managers/bmc/EthernetInterfaces: the BMC's own network interfaces, from the same facts
 * IPMI's LAN parameters report (proto/netif.h, filled by the firmware at each request).
 */
#include "rf_private.h"

#include <arpa/inet.h>

#include "../netif.h"

#define ETH MGR "/EthernetInterfaces"

static int list(struct ctx *x, struct netif *out)
{
	const struct redfish_cfg *c = &x->r->cfg;
	return c->netifs ? c->netifs(c->netifs_ctx, out, NETIF_MAX) : 0;
}

/* The interfaces of the collection being written: read once per request, not per member
 * (each read is getifaddrs plus netlink). One thread, one request at a time. */
static struct netif members[NETIF_MAX];
static int nmembers;

static void m_eth(struct ctx *x, unsigned i)
{
	if ((int)i < nmembers)
		jw_link(&x->w, NULL, ETH "/%s", members[i].name);
}

void rf_get_eths(struct ctx *x)
{
	nmembers = list(x, members);
	rf_collection(x, "Ethernet Network Interface Collection", (unsigned)nmembers, m_eth, 120);
}

static void v4(struct jw *w, const char *key, const uint8_t a[4])
{
	char s[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, a, s, sizeof(s));
	jw_kstr(w, key, s);
}

void rf_get_eth(struct ctx *x)
{
	struct netif all[NETIF_MAX];
	int k = list(x, all);
	const struct netif *n = NULL;
	for (int i = 0; i < k && !n; i++)
		if (!strcmp(all[i].name, x->arg))
			n = &all[i];
	if (!n) {
		rf_fail(x, 404, M_NOT_FOUND, "EthernetInterface", x->arg, NULL);
		return;
	}
	struct jw *w = &x->w;
	const struct redfish_cfg *c = &x->r->cfg;
	char s[INET6_ADDRSTRLEN];
	rf_hdr(x, R_ETH, ETH "/%s", n->name);
	jw_kstr(w, "Id", n->name);
	jw_kstr(w, "Name", n->loopback ? "Loopback Interface" : "Manager Ethernet Interface");
	jw_kstr(w, "Description", "A network interface of the BMC itself");
	jw_kobj(w, "Status");
	jw_kstr(w, "State", n->up ? "Enabled" : "Disabled");
	jw_kstr(w, "Health", "OK");
	jw_obj_end(w);
	jw_kbool(w, "InterfaceEnabled", n->up);
	jw_kstr(w, "LinkStatus", n->running ? "LinkUp" : n->up ? "NoLink" : "LinkDown");
	snprintf(s, sizeof(s), "%02x:%02x:%02x:%02x:%02x:%02x", n->mac[0], n->mac[1], n->mac[2],
		 n->mac[3], n->mac[4], n->mac[5]);
	jw_kstr(w, "MACAddress", s);
	jw_kstr(w, "PermanentMACAddress", s);
	if (n->speed_mbps >= 0)
		jw_kint(w, "SpeedMbps", n->speed_mbps);
	else
		jw_knull(w, "SpeedMbps");
	if (n->mtu)
		jw_kint(w, "MTUSize", (long long)n->mtu);
	if (c->hostname[0]) {
		jw_kstr(w, "HostName", c->hostname);
		jw_kstr(w, "FQDN", c->hostname);
	}
	jw_karr(w, "NameServers");
	for (int i = 0; i < n->ndns && i < NETIF_DNS_MAX; i++)
		jw_str(w, n->dns[i]);
	jw_arr_end(w);
	jw_karr(w, "IPv4Addresses");
	if (n->has_v4) {
		jw_obj(w);
		v4(w, "Address", n->ip);
		v4(w, "SubnetMask", n->mask);
		if (n->source)
			jw_kstr(w, "AddressOrigin", n->source == 2 ? "DHCP" : "Static");
		v4(w, "Gateway", n->gw); /* 0.0.0.0: none, as IPMI's LAN parameter 12 says */
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_karr(w, "IPv6Addresses");
	for (int i = 0; i < n->nv6; i++) {
		jw_obj(w);
		inet_ntop(AF_INET6, n->v6[i], s, sizeof(s));
		jw_kstr(w, "Address", s);
		jw_kint(w, "PrefixLength", n->v6_prefix[i]);
		if (n->v6[i][0] == 0xFE && (n->v6[i][1] & 0xC0) == 0x80)
			jw_kstr(w, "AddressOrigin", "LinkLocal"); /* others: not known here */
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}
