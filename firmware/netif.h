/* Lists the BMC's network interfaces for Redfish (see proto/netif.h); ctx: struct facts. */
#ifndef BMCD_FW_NETIF_H
#define BMCD_FW_NETIF_H

#include "../proto/netif.h"

int netif_list(void *ctx, struct netif *out, int max);

#endif
