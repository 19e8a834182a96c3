/*
 * Where a console is: its address, and the local address and interface its packet arrived
 * on (so the answer leaves from the address the console talked to, and LAN configuration
 * can describe that interface). Shared by the UDP layer (net/udp.h), the IPMI engine
 * (proto/ipmi.h) and the firmware's facts about the interface (firmware/facts.h).
 */
#ifndef BMCD_PEER_H
#define BMCD_PEER_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

struct peer {
	struct sockaddr_storage sa;
	socklen_t len;
	int ifindex;			/* 0 when unknown */
	struct sockaddr_storage local;	/* AF_UNSPEC when unknown */
};

/* What Get LAN Configuration Parameters reports about the interface a session uses. */
struct lan_info {
	uint8_t ip[4], mask[4], gw[4], mac[6], gw_mac[6];
	uint8_t source;			/* 0 unspecified, 1 static, 2 DHCP */
};

#endif
