/* The FRU 0 inventory image (Platform Management FRU Information Storage Definition 1.0):
 * common header, chassis, board and product info areas, built once at start-up from the
 * config. Read-only at run time. */
#ifndef BMCD_FRU_H
#define BMCD_FRU_H

#include <stddef.h>
#include <stdint.h>

#define FRU_MAX 512
#define FRU_FIELD_MAX 63 /* a type/length byte holds 6 bits of length */

struct fru_info {
	uint8_t chassis_type;	/* SMBIOS chassis type (0x17 rack mount chassis) */
	const char *chassis_part, *chassis_serial;
	const char *board_mfr, *board_product, *board_serial, *board_part;
	const char *product_mfr, *product_name, *product_part, *product_version,
		*product_serial, *asset_tag;
};

/* Writes the image into out; returns its length, or 0 if it does not fit. Strings longer
 * than FRU_FIELD_MAX are cut. */
size_t fru_build(const struct fru_info *fi, uint8_t *out, size_t cap);

#endif
