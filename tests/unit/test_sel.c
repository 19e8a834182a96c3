/* The event log ring: IDs, wrap-around, overwrite count, lookup, clear. */
#include "../../proto/sel.h"
#include "testlib.h"

int main(void)
{
	struct sel s;
	struct sel_entry buf[4];
	uint8_t rec[16];
	uint16_t next;
	sel_init(&s, buf, 4);
	CHECK(sel_get(&s, SEL_ID_FIRST, &next) == NULL);
	sel_make_event(rec, 0x22, 1, 0x6F, false, 0x00, 0xFF, 0xFF);
	CHECK_EQ(rec[2], 0x02);
	CHECK_EQ(rec[7], 0x20);
	CHECK_EQ(rec[9], 0x04);
	CHECK_EQ(rec[12], 0x6F);
	for (int i = 0; i < 6; i++)
		CHECK_EQ(sel_add(&s, rec, 1000u + (unsigned)i, 1, SELT_POWER_ON, "admin"), i + 1);
	CHECK_EQ(s.count, 4);
	CHECK_EQ(s.overwritten, 2);
	const struct sel_entry *e = sel_get(&s, SEL_ID_FIRST, &next);
	CHECK(e && sel_record_id(e) == 3 && next == 4);
	CHECK_EQ(sel_timestamp(e), 1002);
	e = sel_get(&s, SEL_ID_LAST, &next);
	CHECK(e && sel_record_id(e) == 6 && next == 0xFFFF);
	CHECK(sel_get(&s, 2, &next) == NULL); /* overwritten */
	e = sel_get(&s, 5, &next);
	CHECK(e && next == 6 && strcmp(e->user, "admin") == 0);
	/* a non-timestamped OEM record (0xE0..0xFF) keeps its bytes 3..6 */
	uint8_t oem[16] = { 0, 0, 0xE0, 1, 2, 3, 4 };
	sel_add(&s, oem, 5555, 0, SELT_RAW, NULL);
	e = sel_get(&s, SEL_ID_LAST, &next);
	CHECK(e && e->rec[3] == 1 && e->rec[6] == 4 && sel_timestamp(e) == 0);
	uint16_t r1 = sel_reserve(&s, 7), r2 = sel_reserve(&s, 7);
	CHECK(r1 != r2 && r2 == s.reservation);
	sel_clear(&s, 2000);
	CHECK_EQ(s.count, 0);
	CHECK_EQ(s.last_erase, 2000);
	CHECK_EQ(s.reservation, 0);
	/* IDs keep counting after a clear, and skip 0 and 0xFFFF when they wrap */
	CHECK_EQ(sel_add(&s, rec, 1, 0, SELT_RAW, NULL), 8);
	s.next_id = 0xFFFE;
	CHECK_EQ(sel_add(&s, rec, 1, 0, SELT_RAW, NULL), 0xFFFE);
	CHECK_EQ(sel_add(&s, rec, 1, 0, SELT_RAW, NULL), 1);
	return t_done("test_sel");
}
