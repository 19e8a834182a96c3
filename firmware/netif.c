/* The BMC's network interfaces for Redfish (proto/netif.h): names, flags and addresses from
 * getifaddrs, MAC/netmask/gateway/DHCP-or-static from the same netlink facts IPMI uses
 * (facts_lan), MTU and link speed from sysfs. Stack buffers only. */
#include "netif.h"


#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "facts.h"

static long sys_num(const char *name, const char *what)
{
	char path[96], b[32];
	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", name, what);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, b, sizeof(b) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	b[n] = 0;
	char *end;
	long v = strtol(b, &end, 10);
	return end == b ? -1 : v;
}

/* nameserver lines of /etc/resolv.conf, at most NETIF_DNS_MAX, each a literal address */
static int name_servers(char out[NETIF_DNS_MAX][46])
{
	char b[2048];
	int fd = open("/etc/resolv.conf", O_RDONLY | O_CLOEXEC), n = 0;
	if (fd < 0)
		return 0;
	ssize_t len = read(fd, b, sizeof(b) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	b[len] = 0;
	for (char *l = b; l && *l && n < NETIF_DNS_MAX;) {
		char *e = strchr(l, '\n');
		if (e)
			*e++ = 0;
		if (!strncmp(l, "nameserver", 10) && (l[10] == ' ' || l[10] == '\t')) {
			char *a = l + 11;
			while (*a == ' ' || *a == '\t')
				a++;
			size_t k = strcspn(a, " \t\r");
			unsigned char tmp[16];
			char addr[46];
			if (k && k < sizeof(addr)) {
				memcpy(addr, a, k);
				addr[k] = 0;
				if (inet_pton(AF_INET, addr, tmp) == 1 || inet_pton(AF_INET6, addr, tmp) == 1)
					memcpy(out[n++], addr, k + 1);
			}
		}
		l = e;
	}
	return n;
}

static struct netif *find(struct netif *out, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(out[i].name, name) == 0)
			return &out[i];
	return NULL;
}

static int rank(const struct netif *x)
{
	return (x->loopback ? 2 : 0) + (x->up ? 0 : 1);
}

static int cmp(const void *a, const void *b)
{
	int d = rank(a) - rank(b);
	return d ? d : strcmp(((const struct netif *)a)->name, ((const struct netif *)b)->name);
}

int netif_list(void *ctx, struct netif *out, int max)
{
	struct facts *f = ctx;
	struct ifaddrs *all;
	if (max <= 0 || getifaddrs(&all) != 0)
		return 0;
	int n = 0;
	for (struct ifaddrs *a = all; a; a = a->ifa_next) {
		if (!a->ifa_name || strlen(a->ifa_name) >= sizeof(out->name))
			continue;
		struct netif *x = find(out, n, a->ifa_name);
		if (!x) {
			if (n >= max)
				continue;
			x = &out[n++];
			memset(x, 0, sizeof(*x));
			strcpy(x->name, a->ifa_name);
			x->up = a->ifa_flags & IFF_UP;
			x->running = a->ifa_flags & IFF_RUNNING;
			x->loopback = a->ifa_flags & IFF_LOOPBACK;
			long v = sys_num(x->name, "mtu");
			x->mtu = v > 0 ? (uint32_t)v : 0;
			v = sys_num(x->name, "speed");
			x->speed_mbps = v > 0 && v < 10000000 ? (int32_t)v : -1;
		}
		if (!a->ifa_addr)
			continue;
		if (a->ifa_addr->sa_family == AF_PACKET) {
			const struct sockaddr_ll *ll = (const struct sockaddr_ll *)a->ifa_addr;
			if (ll->sll_halen == 6)
				memcpy(x->mac, ll->sll_addr, 6);
		} else if (a->ifa_addr->sa_family == AF_INET && !x->has_v4) {
			/* the facts IPMI reports for a console that reached us on this address */
			struct peer via;
			memset(&via, 0, sizeof(via));
			memcpy(&via.local, a->ifa_addr, sizeof(struct sockaddr_in));
			via.ifindex = (int)if_nametoindex(x->name);
			struct lan_info lan;
			facts_lan(f, &via, &lan);
			memcpy(x->ip, lan.ip, 4);
			memcpy(x->mask, lan.mask, 4);
			memcpy(x->gw, lan.gw, 4);
			if (lan.mac[0] | lan.mac[1] | lan.mac[2] | lan.mac[3] | lan.mac[4] | lan.mac[5])
				memcpy(x->mac, lan.mac, 6);
			x->source = lan.source;
			x->has_v4 = true;
		} else if (a->ifa_addr->sa_family == AF_INET6 && x->nv6 < NETIF_V6_MAX) {
			const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)a->ifa_addr;
			memcpy(x->v6[x->nv6], s6->sin6_addr.s6_addr, 16);
			uint8_t plen = 0;
			if (a->ifa_netmask) {
				const uint8_t *m = ((const struct sockaddr_in6 *)a->ifa_netmask)->sin6_addr.s6_addr;
				for (int i = 0; i < 16; i++)
					plen = (uint8_t)(plen + __builtin_popcount(m[i]));
			}
			x->v6_prefix[x->nv6++] = plen;
		}
	}
	freeifaddrs(all);
	char dns[NETIF_DNS_MAX][46];
	memset(dns, 0, sizeof(dns));
	int nd = name_servers(dns);
	for (int i = 0; i < n; i++) {
		out[i].ndns = (uint8_t)nd;
		memcpy(out[i].dns, dns, sizeof(dns));
	}
	qsort(out, (size_t)n, sizeof(*out), cmp);
	return n;
}
