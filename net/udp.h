/* UDP sockets for IPMI. */
#ifndef BMCD_UDP_H
#define BMCD_UDP_H

#include <stddef.h>
#include <stdint.h>

/* Opens a non-blocking UDP socket bound to addr:port. "::" is dual-stack (IPv6 and IPv4
 * mapped); an IPv4 literal binds IPv4 only. Returns the fd, or -1 with a message in err. */
int udp_open(const char *addr, uint16_t port, char *err, size_t errlen);

#endif
