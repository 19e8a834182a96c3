#include "guid.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "../proto/crypto.h"
#include "../proto/parse.h"
#include "config.h"
#include "log.h"
#include "textfile.h"

void guid_to_ipmi(const uint8_t uuid[16], uint8_t wire[16])
{
	for (int i = 0; i < 16; i++)
		wire[i] = uuid[15 - i];
}

void guid_format(const uint8_t u[16], char out[37])
{
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		 u[13], u[14], u[15]);
}

/* ipmitool's GUID auto-detection misreads UUIDs whose clock-sequence bytes are b2..bf 11:
 * decoded in RFC 4122 order they look like a 1970s time-based UUID. Avoid generating one. */
static void avoid_misdecode(uint8_t u[16])
{
	if (u[9] == 0x11 && u[8] >= 0xB2 && u[8] <= 0xBF)
		u[9] = 0x12;
}

int guid_setup(const struct config *c, uint8_t uuid[16])
{
	if (c->guid[0]) {
		if (!parse_uuid(c->guid, strlen(c->guid), uuid)) {
			fprintf(stderr, "%s: bmc.guid: '%s' is not a UUID (8-4-4-4-12 hex digits)\n",
				c->path, c->guid);
			return -1;
		}
		if (uuid[9] == 0x11 && uuid[8] >= 0xB2 && uuid[8] <= 0xBF)
			log_warn("bmc.guid %s: ipmitool's 'mc guid' will misread this GUID "
				 "(clock sequence b2..bf 11)", c->guid);
		return 0;
	}
	struct textfile tf;
	const char *l;
	size_t ll;
	uint8_t h[32];
	if (c->machine_id_file[0] && textfile_open(&tf, c->machine_id_file, 4096) == 0) {
		if (textfile_line(&tf, &l, &ll) && ll >= 16) {
			struct iov v[2] = { { "bmcd system guid:", 17 }, { l, ll } };
			hmac_iov(HASH_SHA256, "bmcd", 4, v, 2, h);
			textfile_close(&tf);
			goto make;
		}
		textfile_close(&tf);
	}
	log_warn("no bmc.guid and no usable %s: using a random GUID that changes at every start",
		 c->machine_id_file);
	if (getrandom(h, 16, 0) != 16)
		return -1;
make:
	memcpy(uuid, h, 16);
	uuid[6] = (uint8_t)((uuid[6] & 0x0F) | 0x40); /* version 4 layout */
	uuid[8] = (uint8_t)((uuid[8] & 0x3F) | 0x80); /* RFC 4122 variant */
	avoid_misdecode(uuid);
	return 0;
}

void guid_for_host(const uint8_t base[16], const char *id, uint8_t out[16])
{
	uint8_t h[32];
	struct iov v[2] = { { "bmcd host guid:", 15 }, { id, strlen(id) } };
	hmac_iov(HASH_SHA256, base, 16, v, 2, h);
	memcpy(out, h, 16);
	out[6] = (uint8_t)((out[6] & 0x0F) | 0x40);
	out[8] = (uint8_t)((out[8] & 0x3F) | 0x80);
	avoid_misdecode(out);
}
