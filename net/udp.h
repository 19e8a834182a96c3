/* UDP sockets for IPMI: dual-stack binding, batched receive that records the local
 * address and interface each datagram arrived on, and sends from that same address. */
#ifndef BMCD_UDP_H
#define BMCD_UDP_H

#include <stddef.h>
#include <stdint.h>

#include "../proto/peer.h"

/* Opens a non-blocking UDP socket bound to addr:port. "::" is dual-stack (IPv6 and IPv4
 * mapped); an IPv4 literal binds IPv4 only. Returns the fd, or -1 with a message in err. */
int udp_open(const char *addr, uint16_t port, char *err, size_t errlen);

struct udp_pkt {
	uint8_t *buf;
	size_t cap, len;
	struct peer peer;
};

/* Receives up to n datagrams without blocking; returns how many (0 when none). A datagram
 * larger than cap has len > cap (it was cut) and should be dropped. */
int udp_recv(int fd, struct udp_pkt *pkts, int n);
/* Sends buf to `to`, from to->local when known. Returns 0, or -1 (EAGAIN: dropped). */
int udp_send(int fd, const struct peer *to, const void *buf, size_t len);

struct udp_out {
	const uint8_t *buf;
	size_t len;
	const struct peer *to;
};
/* Sends n datagrams with one system call where the kernel allows; returns how many left
 * (the rest were dropped: a full socket buffer, as UDP may). */
int udp_send_batch(int fd, const struct udp_out *out, int n);

#endif
