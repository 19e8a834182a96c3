/* The system GUID: from the config, or derived from /etc/machine-id so it is stable across
 * restarts without a writable store. One UUID is published everywhere: IPMI sends its 16
 * bytes in reverse order (the IPMI spec's encoding, which ipmitool's auto-detection and
 * FreeIPMI both print as the canonical string), Redfish prints the canonical string. */
#ifndef BMCD_GUID_H
#define BMCD_GUID_H

#include <stdint.h>

struct config;

/* Fills uuid (RFC 4122 byte order). Returns 0, or -1 with the error printed. */
int guid_setup(const struct config *c, uint8_t uuid[16]);
/* A further host's GUID: derived from the BMC's and the host's id, so it is stable across
 * restarts and differs between hosts. */
void guid_for_host(const uint8_t base[16], const char *id, uint8_t out[16]);
void guid_to_ipmi(const uint8_t uuid[16], uint8_t wire[16]);
void guid_format(const uint8_t uuid[16], char out[37]); /* lowercase 8-4-4-4-12 */

#endif
