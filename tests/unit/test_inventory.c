/* FRU image and SDR records against vectors computed by hand from the specifications
 * (FRU Information Storage Definition 1.0 section 8-11; IPMI 2.0 section 43). */
#include "../../proto/fru.h"
#include "../../proto/sdr.h"
#include "../../proto/sel.h"
#include "testlib.h"

static void fru(void)
{
	/* chassis type 0x17, product name "X", every other field empty:
	 * header   01 00 01 02 04 00 00 F8        (offsets in 8-byte units, zero checksum)
	 * chassis  01 01 17 C0 C0 C1 00 A6        (sum 0x5A -> checksum 0xA6)
	 * board    01 02 00 00 00 00 C0x5 C1 00 00 00 7C
	 * product  01 02 00 C0 C1 58 C0x5 C1 00 00 00 A3 */
	const unsigned char want[48] = {
		0x01, 0x00, 0x01, 0x02, 0x04, 0x00, 0x00, 0xF8,
		0x01, 0x01, 0x17, 0xC0, 0xC0, 0xC1, 0x00, 0xA6,
		0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0xC0, 0xC0,
		0xC0, 0xC0, 0xC0, 0xC1, 0x00, 0x00, 0x00, 0x7C,
		0x01, 0x02, 0x00, 0xC0, 0xC1, 0x58, 0xC0, 0xC0,
		0xC0, 0xC0, 0xC0, 0xC1, 0x00, 0x00, 0x00, 0xA3,
	};
	struct fru_info fi = { .chassis_type = 0x17, .product_name = "X" };
	uint8_t out[FRU_MAX];
	size_t n = fru_build(&fi, out, sizeof(out));
	CHECK_EQ(n, sizeof(want));
	CHECK_MEM(out, want, sizeof(want));
	/* too small a buffer: 0, never an overflow */
	CHECK_EQ(fru_build(&fi, out, 47), 0);
	/* long strings are cut at 63 bytes; every area still sums to zero */
	char big[200];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	struct fru_info fb = { .chassis_type = 1, .board_mfr = big, .product_name = big,
			       .asset_tag = "tag" };
	n = fru_build(&fb, out, sizeof(out));
	CHECK(n > 0 && n % 8 == 0);
	for (int a = 2; a <= 4; a++) {
		size_t off = (size_t)out[a] * 8, len = (size_t)out[off + 1] * 8;
		uint8_t s = 0;
		for (size_t i = 0; i < len; i++)
			s = (uint8_t)(s + out[off + i]);
		CHECK_EQ(s, 0);
	}
	CHECK_EQ(out[(size_t)out[3] * 8 + 6], 0xC0 | 63);
}

static void sdr(void)
{
	struct sdr_repo r;
	struct sdr_config c = { .have_power = true, .have_hdd = true, .have_temp = true,
				.temp_unc = 70, .temp_uc = 80, .temp_unr = 85, .bmc_name = "bmcd",
				.dev_caps = 0x8F };
	sdr_build(&r, &c, 1234);
	CHECK_EQ(r.n, 7); /* MC locator, 2 compact, temperature, 3 event-only */
	uint16_t next;
	uint8_t len;
	/* record 5: event-only "Power Unit", hand-encoded:
	 * 05 00 51 03 16 | 20 00 04 15 01 | 09 6F | 00 00 | 00 | 00 | CA "Power Unit" */
	const unsigned char pu[27] = { 0x05, 0x00, 0x51, 0x03, 0x16, 0x20, 0x00, 0x04, 0x15,
				       0x01, 0x09, 0x6F, 0x00, 0x00, 0x00, 0x00, 0xCA, 'P',
				       'o', 'w', 'e', 'r', ' ', 'U', 'n', 'i', 't' };
	const uint8_t *p = sdr_get(&r, 5, &next, &len);
	CHECK(p != NULL);
	CHECK_EQ(len, sizeof(pu));
	if (p)
		CHECK_MEM(p, pu, sizeof(pu));
	CHECK_EQ(next, 6);
	/* record 4: full sensor "BMC Temp": 8 + 43 bytes, thresholds at 36..38 */
	p = sdr_get(&r, 4, &next, &len);
	CHECK(p && len == 5 + 43 + 8 && p[3] == 0x01 && p[4] == 43 + 8);
	CHECK(p && p[7] == SENSOR_BMC_TEMP && p[12] == 0x01 && p[13] == 0x01 && p[21] == 0x01);
	CHECK(p && p[36] == 85 && p[37] == 80 && p[38] == 70 && p[18] == 0x38 && p[20] == 0x80);
	CHECK(p && p[47] == (0xC0 | 8) && memcmp(p + 48, "BMC Temp", 8) == 0);
	/* record 2: compact "Host Power", ACPI power state, S0/G0 and S5/G2 readable */
	p = sdr_get(&r, 2, &next, &len);
	CHECK(p && p[3] == 0x02 && p[12] == 0x22 && p[13] == 0x6F && p[18] == 0x21 &&
	      p[19] == 0x00 && p[4] == len - 5 && len == 32 + 10);
	/* first and last */
	CHECK(sdr_get(&r, 0, &next, &len) == r.rec[0] && next == 2);
	CHECK(sdr_get(&r, 0xFFFF, &next, &len) == r.rec[6] && next == 0xFFFF);
	CHECK(sdr_get(&r, 9, &next, &len) == NULL);
	/* without a temperature source the sensor is absent, not faked */
	c.have_temp = false;
	sdr_build(&r, &c, 1234);
	CHECK_EQ(r.n, 6);
	for (int i = 0; i < r.n; i++)
		CHECK(r.rec[i][3] != 0x01);
}

int main(void)
{
	fru();
	sdr();
	return t_done("test_inventory");
}
