/* Facts about the BMC itself for IPMI: the network interface a console reaches bmcd
 * through (address, netmask, MAC, static/DHCP, default gateway and its MAC -- from netlink,
 * ioctl and /proc, stack buffers only, cached briefly), and the board's SoC temperature
 * (from a sysfs thermal zone, read at most once a second). */
#ifndef BMCD_FACTS_H
#define BMCD_FACTS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "../proto/peer.h"

struct facts {
	struct lan_info lan;
	int lan_if;
	uint8_t lan_ip[4];
	time_t lan_at;
	char temp_path[256];	/* empty: no temperature sensor */
	int temp_c;
	bool temp_ok;
	time_t temp_at;
};

/* Callbacks for struct ipmi (ctx = struct facts *). */
void facts_lan(void *ctx, const struct peer *via, struct lan_info *out);
bool facts_temp(void *ctx, int *celsius);
/* Reads the temperature once; false when the source is missing (the sensor is left out). */
bool facts_temp_probe(struct facts *f);

#endif
