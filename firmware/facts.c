#include "facts.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "../proto/parse.h"

static bool local_v4(const struct peer *via, uint8_t ip[4])
{
	if (via->local.ss_family == AF_INET) {
		memcpy(ip, &((const struct sockaddr_in *)&via->local)->sin_addr, 4);
		return true;
	}
	if (via->local.ss_family == AF_INET6) {
		const uint8_t *a = ((const struct sockaddr_in6 *)&via->local)->sin6_addr.s6_addr;
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF };
		if (memcmp(a, mapped, 12) == 0) {
			memcpy(ip, a + 12, 4);
			return true;
		}
	}
	return false;
}

/* Netmask and static/dynamic origin of ip on ifindex, from an RTM_GETADDR dump. */
static void addr_facts(int ifindex, const uint8_t ip[4], struct lan_info *out)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return;
	struct timeval tv = { 0, 200000 }; /* a local kernel answer; never wait long */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
	} req;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = RTM_GETADDR;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 1;
	req.ifa.ifa_family = AF_INET;
	if (send(fd, &req, sizeof(req), 0) < 0) {
		close(fd);
		return;
	}
	char buf[8192] __attribute__((aligned(4)));
	for (int rounds = 0; rounds < 64; rounds++) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
				close(fd);
				return;
			}
			if (h->nlmsg_type != RTM_NEWADDR)
				continue;
			struct ifaddrmsg *ifa = NLMSG_DATA(h);
			if ((int)ifa->ifa_index != ifindex && ifindex)
				continue;
			int len = (int)IFA_PAYLOAD(h);
			bool match = false;
			uint32_t flags = ifa->ifa_flags;
			for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
				if (a->rta_type == IFA_LOCAL && RTA_PAYLOAD(a) == 4 &&
				    memcmp(RTA_DATA(a), ip, 4) == 0)
					match = true;
				if (a->rta_type == IFA_FLAGS && RTA_PAYLOAD(a) >= 4)
					memcpy(&flags, RTA_DATA(a), 4);
			}
			if (!match)
				continue;
			uint32_t mask = ifa->ifa_prefixlen ? 0xFFFFFFFFu << (32 - ifa->ifa_prefixlen) : 0;
			mask = htonl(mask);
			memcpy(out->mask, &mask, 4);
			/* a DHCP client gives its address a lifetime; a static one is permanent */
			out->source = (flags & IFA_F_PERMANENT) ? 1 : 2;
		}
	}
	close(fd);
}

static int hexnib(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10
						   : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The default route's gateway on interface `name`, from /proc/net/route. */
static void gateway(const char *name, struct lan_info *out)
{
	int fd = open("/proc/net/route", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	size_t nl = strlen(name);
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		/* Iface \t Destination \t Gateway \t ... (hex, host byte order) */
		if (strncmp(l, name, nl) != 0 || l[nl] != '\t' || strncmp(l + nl + 1, "00000000\t", 9))
			continue;
		const char *g = l + nl + 10;
		uint8_t v[4];
		for (int i = 0; i < 4; i++) {
			int hi = hexnib(g[2 * i]), lo = hexnib(g[2 * i + 1]);
			if (hi < 0 || lo < 0)
				return;
			v[3 - i] = (uint8_t)(hi << 4 | lo);
		}
		memcpy(out->gw, v, 4);
		return;
	}
}

/* The gateway's MAC from the neighbour table (/proc/net/arp), if it is there. */
static void gateway_mac(struct lan_info *out)
{
	if (!out->gw[0] && !out->gw[1] && !out->gw[2] && !out->gw[3])
		return;
	char want[20];
	snprintf(want, sizeof(want), "%u.%u.%u.%u ", out->gw[0], out->gw[1], out->gw[2], out->gw[3]);
	int fd = open("/proc/net/arp", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, want, strlen(want)) != 0)
			continue;
		/* IP address, HW type, Flags, HW address "aa:bb:cc:dd:ee:ff" */
		char *p = l;
		for (int f = 0; f < 3 && p; f++) {
			p = strpbrk(p, " \t");
			while (p && (*p == ' ' || *p == '\t'))
				p++;
		}
		if (!p || strlen(p) < 17)
			return;
		for (int i = 0; i < 6; i++) {
			int hi = hexnib(p[3 * i]), lo = hexnib(p[3 * i + 1]);
			if (hi < 0 || lo < 0)
				return;
			out->gw_mac[i] = (uint8_t)(hi << 4 | lo);
		}
		return;
	}
}

void facts_lan(void *ctx, const struct peer *via, struct lan_info *out)
{
	struct facts *f = ctx;
	memset(out, 0, sizeof(*out));
	uint8_t ip[4];
	if (!local_v4(via, ip))
		return; /* IPv6 consoles: IPMI's LAN parameters describe IPv4 only */
	time_t now = time(NULL);
	if (f->lan_if == via->ifindex && memcmp(f->lan_ip, ip, 4) == 0 && now - f->lan_at < 5) {
		*out = f->lan;
		return;
	}
	memcpy(out->ip, ip, 4);
	addr_facts(via->ifindex, ip, out);
	char name[IF_NAMESIZE];
	if (via->ifindex && if_indextoname((unsigned)via->ifindex, name)) {
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd >= 0) {
			struct ifreq ifr;
			memset(&ifr, 0, sizeof(ifr));
			strncpy(ifr.ifr_name, name, IF_NAMESIZE - 1);
			if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0)
				memcpy(out->mac, ifr.ifr_hwaddr.sa_data, 6);
			close(fd);
		}
		gateway(name, out);
		gateway_mac(out);
	}
	f->lan = *out;
	f->lan_if = via->ifindex;
	memcpy(f->lan_ip, ip, 4);
	f->lan_at = now;
}

/* A thermal zone's "temp" file: millidegrees Celsius as decimal text. */
static bool read_temp(const char *path, int *c)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	char b[32];
	ssize_t n = read(fd, b, sizeof(b) - 1);
	close(fd);
	if (n <= 0)
		return false;
	const char *s = b;
	size_t len = (size_t)n;
	trim(&s, &len);
	while (len && (s[len - 1] == '\n'))
		len--;
	bool neg = len && s[0] == '-';
	uint32_t v;
	if (!parse_u32(s + neg, len - neg, 0, 1000000, &v))
		return false;
	int milli = neg ? -(int)v : (int)v;
	*c = (milli + (milli >= 0 ? 500 : -500)) / 1000;
	return true;
}

bool facts_temp(void *ctx, int *celsius)
{
	struct facts *f = ctx;
	if (!f->temp_path[0])
		return false;
	time_t now = time(NULL);
	if (now != f->temp_at) {
		f->temp_ok = read_temp(f->temp_path, &f->temp_c);
		f->temp_at = now;
	}
	*celsius = f->temp_c;
	return f->temp_ok;
}

bool facts_temp_probe(struct facts *f)
{
	if (!f->temp_path[0])
		return false;
	f->temp_ok = read_temp(f->temp_path, &f->temp_c);
	f->temp_at = time(NULL);
	return f->temp_ok;
}
