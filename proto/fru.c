#include "fru.h"

#include <string.h>

#include "cursor.h"

static uint8_t zero_sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	for (size_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return (uint8_t)-s;
}

static void field(struct wr *w, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n > FRU_FIELD_MAX)
		n = FRU_FIELD_MAX;
	wr_u8(w, (uint8_t)(0xC0 | n)); /* 8-bit ASCII + Latin-1 */
	wr_bytes(w, s, n);
}

/* Closes an area started at `start`: end marker, pad to 8 bytes, checksum; fills in the
 * length byte (in 8-byte units). */
static void area_end(struct wr *w, size_t start)
{
	wr_u8(w, 0xC1);
	while (!w->err && (w->len - start + 1) % 8)
		wr_u8(w, 0);
	wr_u8(w, 0);
	if (w->err)
		return;
	w->p[start + 1] = (uint8_t)((w->len - start) / 8);
	w->p[w->len - 1] = zero_sum(w->p + start, w->len - start - 1);
}

size_t fru_build(const struct fru_info *fi, uint8_t *out, size_t cap)
{
	struct wr w = wr_init(out, cap);
	wr_fill(&w, 0, 8); /* common header, filled in below */

	size_t chassis = w.len;
	wr_u8(&w, 0x01);
	wr_u8(&w, 0);
	wr_u8(&w, fi->chassis_type);
	field(&w, fi->chassis_part);
	field(&w, fi->chassis_serial);
	area_end(&w, chassis);

	size_t board = w.len;
	wr_u8(&w, 0x01);
	wr_u8(&w, 0);
	wr_u8(&w, 0x00);	/* language: English */
	wr_fill(&w, 0, 3);	/* manufacturing date: unspecified */
	field(&w, fi->board_mfr);
	field(&w, fi->board_product);
	field(&w, fi->board_serial);
	field(&w, fi->board_part);
	field(&w, NULL);	/* FRU file ID */
	area_end(&w, board);

	size_t product = w.len;
	wr_u8(&w, 0x01);
	wr_u8(&w, 0);
	wr_u8(&w, 0x00);
	field(&w, fi->product_mfr);
	field(&w, fi->product_name);
	field(&w, fi->product_part);
	field(&w, fi->product_version);
	field(&w, fi->product_serial);
	field(&w, fi->asset_tag);
	field(&w, NULL);	/* FRU file ID */
	area_end(&w, product);
	if (w.err)
		return 0;

	out[0] = 0x01;		/* format version */
	out[1] = 0;		/* no internal use area */
	out[2] = (uint8_t)(chassis / 8);
	out[3] = (uint8_t)(board / 8);
	out[4] = (uint8_t)(product / 8);
	out[5] = 0;		/* no multi-record area */
	out[6] = 0;
	out[7] = zero_sum(out, 7);
	return w.len;
}
