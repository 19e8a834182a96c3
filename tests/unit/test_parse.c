/* Cursor readers/writers and the bounded text parsers. */
#include "../../proto/cursor.h"
#include "../../proto/parse.h"
#include "testlib.h"

static void cursor(void)
{
	const uint8_t b[6] = { 1, 2, 3, 4, 5, 6 };
	struct rd r = rd_init(b, sizeof(b));
	CHECK_EQ(rd_u8(&r), 1);
	CHECK_EQ(rd_u16le(&r), 0x0302);
	CHECK_EQ(rd_left(&r), 3);
	CHECK_EQ(rd_u32le(&r), 0); /* only 3 left: error, zero */
	CHECK(r.err);
	CHECK_EQ(rd_u8(&r), 0); /* sticky */
	CHECK_EQ(rd_left(&r), 0);
	CHECK(rd_ptr(&r, 0) == NULL);

	r = rd_init(b, sizeof(b));
	CHECK_EQ(rd_u32be(&r), 0x01020304);
	uint8_t two[2];
	rd_bytes(&r, two, 2);
	CHECK(!r.err && two[0] == 5 && two[1] == 6);
	CHECK(rd_ptr(&r, 1) == NULL && r.err);

	uint8_t o[5];
	struct wr w = wr_init(o, sizeof(o));
	wr_u16le(&w, 0xBEEF);
	wr_u16le(&w, 0x1234);
	CHECK(!w.err && w.len == 4 && o[0] == 0xEF && o[1] == 0xBE);
	wr_u16le(&w, 1); /* does not fit */
	CHECK(w.err);
	CHECK_EQ(w.len, 4);
	wr_u8(&w, 1);	/* sticky: nothing more is written */
	CHECK_EQ(w.len, 4);
	w = wr_init(o, sizeof(o));
	wr_fill(&w, 0xAA, 6);
	CHECK(w.err && w.len == 0);
}

static void numbers(void)
{
	uint32_t v;
	CHECK(parse_u32("623", 3, 1, 65535, &v) && v == 623);
	CHECK(!parse_u32("0", 1, 1, 65535, &v));
	CHECK(!parse_u32("65536", 5, 1, 65535, &v));
	CHECK(!parse_u32("", 0, 0, 10, &v));
	CHECK(!parse_u32("-1", 2, 0, 10, &v));
	CHECK(!parse_u32("1 2", 3, 0, 100, &v));
	CHECK(!parse_u32("99999999999999999999", 20, 0, 0xFFFFFFFF, &v));
	CHECK(!parse_u32("4294967296", 10, 0, 0xFFFFFFFF, &v));
	CHECK(parse_u32("4294967295", 10, 0, 0xFFFFFFFF, &v) && v == 0xFFFFFFFF);
	CHECK(!parse_u32("0x1F", 4, 0, 255, &v)); /* decimal only */
	CHECK(!parse_u32("12", 1, 0, 0, &v)); /* length honoured: "1" is out of range */
	bool b;
	CHECK(parse_bool("Yes", 3, &b) && b);
	CHECK(parse_bool("off", 3, &b) && !b);
	CHECK(!parse_bool("maybe", 5, &b));
	uint8_t u[16];
	CHECK(parse_uuid("6745835d-8204-45f6-ac38-d58782ef7544", 36, u) && u[0] == 0x67 &&
	      u[15] == 0x44);
	CHECK(!parse_uuid("6745835d-8204-45f6-ac38-d58782ef754", 35, u));
	CHECK(!parse_uuid("6745835d-8204-45f6-ac38-d58782ef754g", 36, u));
	CHECK(!parse_uuid("6745835d+8204-45f6-ac38-d58782ef7544", 36, u));
	const char *s = "  x y \t";
	size_t n = strlen(s);
	trim(&s, &n);
	CHECK(n == 3 && s[0] == 'x');
}

int main(void)
{
	cursor();
	numbers();
	return t_done("test_parse");
}
