/* JSON writer and parser: exact output, escaping, misuse, round trips, the RFC 8259 edge
 * cases, limits, a guard page behind the input, and random mutations. */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../proto/json.h"
#include "testlib.h"

#define NT 256
static struct json_tok t[NT];
static char ob[8192];
static struct buf b;
static struct jw w;

static void start(void)
{
	buf_init(&b, ob, sizeof(ob));
	jw_init(&w, &b);
}

/* The writer produced exactly `want`, without error. */
static bool out_is(const char *want)
{
	if (b.err || b.len != strlen(want) || memcmp(b.p, want, b.len)) {
		printf("  got  %.*s%s\n  want %s\n", (int)b.len, b.p, b.err ? " (err)" : "", want);
		return false;
	}
	return true;
}

static int J(const char *s) { return json_parse(s, strlen(s), t, NT, JSON_DEPTH_MAX); }

static void writer(void)
{
	start();
	jw_obj(&w);
	jw_kstr(&w, "a", "x");
	jw_kint(&w, "b", -12);
	jw_kbool(&w, "c", true);
	jw_kbool(&w, "d", false);
	jw_knull(&w, "e");
	jw_karr(&w, "f");
	jw_int(&w, 1);
	jw_arr(&w);
	jw_arr_end(&w);
	jw_obj(&w);
	jw_obj_end(&w);
	jw_arr(&w);
	jw_null(&w);
	jw_str(&w, "s");
	jw_arr_end(&w);
	jw_raw(&w, "{\"r\":[1]}");
	jw_arr_end(&w);
	jw_kobj(&w, "g");
	jw_kobj(&w, "h");
	jw_kobj(&w, "i");
	jw_obj_end(&w);
	jw_kint(&w, "j", 0);
	jw_obj_end(&w);
	jw_obj_end(&w);
	jw_link(&w, "Self", "/redfish/v1/Systems/%d", 1);
	jw_karr(&w, "Members");
	jw_link(&w, NULL, "/m/%s", "a");
	jw_link(&w, NULL, "/m/%s", "b\"c");
	jw_arr_end(&w);
	jw_obj_end(&w);
	CHECK(out_is("{\"a\":\"x\",\"b\":-12,\"c\":true,\"d\":false,\"e\":null,"
		     "\"f\":[1,[],{},[null,\"s\"],{\"r\":[1]}],"
		     "\"g\":{\"h\":{\"i\":{},\"j\":0}},"
		     "\"Self\":{\"@odata.id\":\"/redfish/v1/Systems/1\"},"
		     "\"Members\":[{\"@odata.id\":\"/m/a\"},{\"@odata.id\":\"/m/b\\\"c\"}]}"));
	CHECK_EQ(w.depth, 0);

	/* top-level scalars and arrays */
	start();
	jw_int(&w, INT64_MIN);
	CHECK(out_is("-9223372036854775808"));
	start();
	jw_arr(&w);
	jw_int(&w, INT64_MAX);
	jw_int(&w, 0);
	jw_int(&w, -1);
	jw_strn(&w, "ab\0c", 4);
	jw_arr_end(&w);
	CHECK(out_is("[9223372036854775807,0,-1,\"ab\\u0000c\"]"));
	start();
	jw_str(&w, "");
	CHECK(out_is("\"\""));

	/* depth JSON_DEPTH_MAX is fine, one more is an error */
	start();
	for (int i = 0; i < JSON_DEPTH_MAX; i++)
		jw_arr(&w);
	for (int i = 0; i < JSON_DEPTH_MAX; i++)
		jw_arr_end(&w);
	CHECK(!b.err && b.len == 2 * JSON_DEPTH_MAX);
	start();
	for (int i = 0; i < JSON_DEPTH_MAX; i++)
		jw_obj(&w), jw_key(&w, "k");
	jw_obj(&w);
	CHECK(b.err);
}

static void misuse(void)
{
	start();
	jw_key(&w, "a"); /* top level is not an object */
	CHECK(b.err);
	start();
	jw_obj(&w);
	jw_key(&w, "a");
	jw_key(&w, "b");
	CHECK(b.err);
	start();
	jw_obj(&w);
	jw_key(&w, "a");
	jw_obj_end(&w);
	CHECK(b.err);
	start();
	jw_obj_end(&w);
	CHECK(b.err);
	start();
	jw_arr_end(&w);
	CHECK(b.err);
	start();
	jw_obj(&w);
	jw_obj_end(&w);
	jw_obj(&w); /* a second top-level value */
	CHECK(b.err);
	start();
	jw_int(&w, 1);
	jw_int(&w, 2);
	CHECK(b.err);
	/* overflow */
	char small[8];
	buf_init(&b, small, sizeof(small));
	jw_init(&w, &b);
	jw_str(&w, "0123456789");
	CHECK(b.err);
	CHECK(b.len <= sizeof(small));
	buf_init(&b, small, sizeof(small));
	jw_init(&w, &b);
	jw_str(&w, "\x01\x01");
	CHECK(b.err);
	/* a link that does not fit its formatting buffer */
	char big[400];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	start();
	jw_arr(&w);
	jw_link(&w, NULL, "/%s", big);
	jw_arr_end(&w);
	CHECK(b.err);
}

static void escaping(void)
{
	char in[40];
	for (int i = 0; i < 32; i++)
		in[i] = (char)(i + 1 == 32 ? 0x7f : i + 1);
	start();
	jw_strn(&w, in, 32);
	CHECK(out_is("\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r"
		     "\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018"
		     "\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\x7f\""));
	start();
	jw_str(&w, "q\"b\\s/ \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf");
	CHECK(out_is("\"q\\\"b\\\\s/ \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\""));
	/* invalid UTF-8: one U+FFFD per byte that does not start a valid sequence */
	static const struct {
		const char *in, *out;
	} bad[] = {
		{ "\xff", "\"\\ufffd\"" },
		{ "a\x80z", "\"a\\ufffdz\"" },
		{ "\xc0\x80", "\"\\ufffd\\ufffd\"" },		/* overlong NUL */
		{ "\xc1\xbf", "\"\\ufffd\\ufffd\"" },		/* overlong */
		{ "\xe0\x9f\xbf", "\"\\ufffd\\ufffd\\ufffd\"" }, /* overlong 3 */
		{ "\xf0\x8f\xbf\xbf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" }, /* U+D800 */
		{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" }, /* > U+10FFFF */
		{ "\xf5\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
		{ "\xe2\x82", "\"\\ufffd\\ufffd\"" },		/* truncated at the end */
		{ "\xe2\x82x", "\"\\ufffd\\ufffdx\"" },
		{ "\xc3\xa9\xc3", "\"\xc3\xa9\\ufffd\"" },
		{ "\xf0\x9f\x98", "\"\\ufffd\\ufffd\\ufffd\"" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		start();
		jw_str(&w, bad[i].in);
		CHECK(out_is(bad[i].out));
	}
	/* keys are escaped the same way */
	start();
	jw_obj(&w);
	jw_kint(&w, "k\n\xff", 1);
	jw_obj_end(&w);
	CHECK(out_is("{\"k\\n\\ufffd\":1}"));
}

static void round_trip(void)
{
	char any[128]; /* every ASCII character but NUL */
	for (int i = 0; i < 127; i++)
		any[i] = (char)(i + 1);
	any[127] = 0;
	start();
	jw_obj(&w);
	jw_kstr(&w, "Name", "bmc \"one\"\t\\");
	jw_kint(&w, "Min", INT64_MIN);
	jw_kint(&w, "Max", INT64_MAX);
	jw_kbool(&w, "T", true);
	jw_kbool(&w, "F", false);
	jw_knull(&w, "N");
	jw_kstr(&w, "Any", any);
	jw_kstr(&w, "Emoji", "\xf0\x9f\x98\x80");
	jw_karr(&w, "Arr");
	for (int i = 0; i < 5; i++) {
		jw_obj(&w);
		jw_kint(&w, "i", i);
		jw_karr(&w, "sub");
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_link(&w, "Link", "/redfish/v1/Managers/%s", "bmc");
	jw_obj_end(&w);
	CHECK(!b.err);

	int n = json_parse(ob, b.len, t, NT, JSON_DEPTH_MAX);
	CHECK(n > 0);
	if (n <= 0)
		return;
	CHECK_EQ(t[0].type, JSON_OBJECT);
	CHECK_EQ(t[0].size, 10);
	CHECK_EQ(t[0].end, n);
	CHECK_EQ(t[0].start, 0);
	CHECK_EQ(t[0].len, b.len);
	char s[300];
	int64_t v;
	int k = json_get(ob, t, 0, "Name");
	CHECK(k > 0 && json_str(ob, t, k, s, sizeof(s)) && strcmp(s, "bmc \"one\"\t\\") == 0);
	CHECK(json_str_eq(ob, t, k, "bmc \"one\"\t\\"));
	CHECK(!json_str_eq(ob, t, k, "bmc \"one\"\t"));
	CHECK(!json_str_eq(ob, t, k, "bmc \"one\"\t\\x"));
	k = json_get(ob, t, 0, "Min");
	CHECK(k > 0 && json_int(ob, t, k, INT64_MIN, INT64_MAX, &v) && v == INT64_MIN);
	CHECK(!json_int(ob, t, k, INT64_MIN + 1, INT64_MAX, &v));
	k = json_get(ob, t, 0, "Max");
	CHECK(k > 0 && json_int(ob, t, k, INT64_MIN, INT64_MAX, &v) && v == INT64_MAX);
	CHECK(!json_int(ob, t, k, 0, INT64_MAX - 1, &v));
	CHECK_EQ(t[json_get(ob, t, 0, "T")].type, JSON_TRUE);
	CHECK_EQ(t[json_get(ob, t, 0, "F")].type, JSON_FALSE);
	CHECK_EQ(t[json_get(ob, t, 0, "N")].type, JSON_NULL);
	k = json_get(ob, t, 0, "Any");
	CHECK(k > 0 && json_str(ob, t, k, s, sizeof(s)) && strcmp(s, any) == 0);
	k = json_get(ob, t, 0, "Emoji");
	CHECK(k > 0 && json_str_eq(ob, t, k, "\xf0\x9f\x98\x80"));
	CHECK(json_get(ob, t, 0, "name") < 0);
	CHECK(json_get(ob, t, 0, "") < 0);
	int a = json_get(ob, t, 0, "Arr");
	CHECK(a > 0 && t[a].type == JSON_ARRAY && t[a].size == 5);
	int i = 0;
	for (int e = json_first(t, a); e >= 0; e = json_next_elem(t, a, e), i++) {
		CHECK_EQ(t[e].type, JSON_OBJECT);
		int x = json_get(ob, t, e, "i");
		CHECK(x > 0 && json_int(ob, t, x, 0, 10, &v) && v == i);
		x = json_get(ob, t, e, "sub");
		CHECK(x > 0 && t[x].type == JSON_ARRAY && json_first(t, x) < 0);
	}
	CHECK_EQ(i, 5);
	int l = json_get(ob, t, 0, "Link");
	CHECK(l > 0 && t[l].type == JSON_OBJECT && t[l].size == 1);
	CHECK(json_str_eq(ob, t, json_get(ob, t, l, "@odata.id"), "/redfish/v1/Managers/bmc"));
	/* iterating members visits each key once, in order, skipping subtrees */
	static const char *const keys[] = { "Name", "Min", "Max", "T", "F", "N", "Any", "Emoji",
					    "Arr", "Link" };
	i = 0;
	for (int m = json_first(t, 0); m >= 0; m = json_next(t, m), i++)
		CHECK(i < 10 && json_str_eq(ob, t, m, keys[i]));
	CHECK_EQ(i, 10);
}

static void structure(void)
{
	const char *s = " {\"a\" : [1, {\"b\":null}, \"x\\n\"], \"c\":{}} ";
	/* 0 {  1 "a"  2 [  3 1  4 {  5 "b"  6 null  7 "x\n"  8 "c"  9 {} */
	CHECK_EQ(J(s), 10);
	CHECK_EQ(t[0].type, JSON_OBJECT);
	CHECK_EQ(t[0].start, 1);
	CHECK_EQ(t[0].len, strlen(s) - 2);
	CHECK_EQ(t[0].size, 2);
	CHECK_EQ(t[1].type, JSON_STRING);
	CHECK_EQ(t[1].start, 3);
	CHECK_EQ(t[1].len, 1);
	CHECK_EQ(t[2].type, JSON_ARRAY);
	CHECK_EQ(t[2].size, 3);
	CHECK_EQ(t[2].end, 8);
	CHECK_EQ(t[3].type, JSON_NUMBER);
	CHECK_EQ(t[3].len, 1);
	CHECK_EQ(t[4].type, JSON_OBJECT);
	CHECK_EQ(t[4].end, 7);
	CHECK_EQ(t[5].type, JSON_STRING);
	CHECK_EQ(t[6].type, JSON_NULL);
	CHECK_EQ(t[6].len, 4);
	CHECK_EQ(t[7].type, JSON_STRING);
	CHECK_EQ(t[7].len, 3); /* still escaped */
	CHECK_EQ(t[8].type, JSON_STRING);
	CHECK_EQ(t[0].end, 10);
	CHECK_EQ(t[1].size, 1); /* a key: members after it */
	CHECK_EQ(t[8].size, 0);
	CHECK_EQ(t[7].size, 0);
	CHECK_EQ(json_next(t, 1), 8); /* skips the array's subtree to key "c" */
	CHECK_EQ(json_next(t, 8), -1);
}

static void structure2(void)
{
	const char *s = "{\"a\":[1,{\"b\":null},\"x\"],\"c\":{}}";
	CHECK_EQ(J(s), 10);
	CHECK_EQ(t[0].end, 10);
	CHECK_EQ(t[0].size, 2);
	CHECK_EQ(t[2].end, 8);
	CHECK_EQ(t[4].end, 7);
	CHECK_EQ(t[9].type, JSON_OBJECT);
	CHECK_EQ(t[9].size, 0);
	CHECK_EQ(t[9].len, 2);
	CHECK_EQ(t[9].end, 10);
	CHECK_EQ(json_first(t, 0), 1);
	CHECK_EQ(json_next(t, 1), 8);
	CHECK_EQ(json_next(t, 8), -1);
	CHECK_EQ(json_first(t, 2), 3);
	CHECK_EQ(json_next_elem(t, 2, 3), 4);
	CHECK_EQ(json_next_elem(t, 2, 4), 7);
	CHECK_EQ(json_next_elem(t, 2, 7), -1);
	CHECK_EQ(json_first(t, 9), -1);
	CHECK_EQ(json_first(t, 3), -1); /* not a container */
	CHECK_EQ(json_get(s, t, 2, "a"), -1); /* not an object */
	CHECK_EQ(json_get(s, t, 0, "c"), 9);
	CHECK_EQ(json_get(s, t, 4, "b"), 6);

	/* top-level scalars and whitespace */
	CHECK_EQ(J(" \t\r\n\"x\" \n"), 1);
	CHECK(t[0].type == JSON_STRING && t[0].start == 5 && t[0].len == 1);
	CHECK_EQ(J("true"), 1);
	CHECK_EQ(t[0].type, JSON_TRUE);
	CHECK_EQ(J("false"), 1);
	CHECK_EQ(t[0].type, JSON_FALSE);
	CHECK_EQ(J("null"), 1);
	CHECK_EQ(J("[]"), 1);
	CHECK_EQ(J("{ }"), 1);
	CHECK_EQ(J("[[[]]]"), 3);
	CHECK_EQ(J("[ true , false , null ]"), 4);
}

static void numbers(void)
{
	static const char *const good[] = { "0", "-0", "1e5", "1E+5", "1e-5", "1.5e-3", "-12.34",
					    "123", "0.0", "-0.0e0", "9999999999999999999999999",
					    "1E400", "0e0" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CHECK_EQ(J(good[i]), 1);
		CHECK(t[0].type == JSON_NUMBER && t[0].len == strlen(good[i]));
		char a[64];
		snprintf(a, sizeof(a), "[%s]", good[i]);
		CHECK_EQ(J(a), 2);
	}
	static const char *const bad[] = { "01", "1.", ".5", "-", "+1", "1e", "1e+", "--1", "0x10",
					   "1.e5", "-01", "00", "1.5.", "1e5e", "- 1", "Infinity",
					   "NaN", "-.5", "1,", "[01]", "[1.]", "[.5]", "1 2", "0-" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = J(bad[i]);
		CHECK_EQ(r, JSON_EMALFORMED);
		if (r != JSON_EMALFORMED)
			printf("  input %s\n", bad[i]);
	}
	int64_t v = 5;
	CHECK(J("-0") == 1 && json_int("-0", t, 0, -1, 1, &v) && v == 0);
	CHECK(J("1e5") == 1 && !json_int("1e5", t, 0, INT64_MIN, INT64_MAX, &v));
	CHECK(J("1.0") == 1 && !json_int("1.0", t, 0, INT64_MIN, INT64_MAX, &v));
	const char *s = "9223372036854775807";
	CHECK(J(s) == 1 && json_int(s, t, 0, INT64_MIN, INT64_MAX, &v) && v == INT64_MAX);
	s = "9223372036854775808";
	CHECK(J(s) == 1 && !json_int(s, t, 0, INT64_MIN, INT64_MAX, &v));
	s = "-9223372036854775808";
	CHECK(J(s) == 1 && json_int(s, t, 0, INT64_MIN, INT64_MAX, &v) && v == INT64_MIN);
	s = "-9223372036854775809";
	CHECK(J(s) == 1 && !json_int(s, t, 0, INT64_MIN, INT64_MAX, &v));
	s = "99999999999999999999999999";
	CHECK(J(s) == 1 && !json_int(s, t, 0, INT64_MIN, INT64_MAX, &v));
	s = "18446744073709551616"; /* 2^64 must not wrap to 0 */
	CHECK(J(s) == 1 && !json_int(s, t, 0, INT64_MIN, INT64_MAX, &v));
	s = "[10, 11, -3]";
	CHECK(J(s) == 4);
	CHECK(json_int(s, t, 1, 0, 10, &v) && v == 10);
	CHECK(!json_int(s, t, 2, 0, 10, &v));
	CHECK(!json_int(s, t, 3, 0, 10, &v));
	CHECK(json_int(s, t, 3, -3, -3, &v) && v == -3);
	CHECK(!json_int(s, t, 0, 0, 10, &v)); /* not a number token */
	s = "\"5\"";
	CHECK(J(s) == 1 && !json_int(s, t, 0, 0, 10, &v));
}

static void strings(void)
{
	char o[64];
	const char *s = "\"\\ud83d\\ude00 \\u00e9\\u20AC\\\"\\\\\\/\\b\\f\\n\\r\\t\"";
	CHECK_EQ(J(s), 1);
	CHECK(json_str(s, t, 0, o, sizeof(o)));
	CHECK(strcmp(o, "\xf0\x9f\x98\x80 \xc3\xa9\xe2\x82\xac\"\\/\b\f\n\r\t") == 0);
	CHECK(json_str_eq(s, t, 0, "\xf0\x9f\x98\x80 \xc3\xa9\xe2\x82\xac\"\\/\b\f\n\r\t"));
	/* exactly fitting, one short */
	size_t need = strlen(o) + 1;
	CHECK(json_str(s, t, 0, o, need));
	CHECK(!json_str(s, t, 0, o, need - 1));
	CHECK(!json_str(s, t, 0, o, 0));
	s = "\"\\udbff\\udfff\""; /* U+10FFFF */
	CHECK(J(s) == 1 && json_str_eq(s, t, 0, "\xf4\x8f\xbf\xbf"));
	s = "\"\\uD800\\uDC00\""; /* U+10000 */
	CHECK(J(s) == 1 && json_str_eq(s, t, 0, "\xf0\x90\x80\x80"));
	s = "\"\\u0000\"";
	CHECK(J(s) == 1 && !json_str(s, t, 0, o, sizeof(o)));
	CHECK(!json_str_eq(s, t, 0, ""));
	s = "\"a\\u0000b\"";
	CHECK(J(s) == 1 && !json_str(s, t, 0, o, sizeof(o)));
	s = "\"\"";
	CHECK(J(s) == 1 && json_str(s, t, 0, o, 1) && o[0] == 0 && json_str_eq(s, t, 0, ""));
	s = "[1]";
	CHECK(J(s) == 2 && !json_str(s, t, 0, o, sizeof(o)) && !json_str(s, t, 1, o, sizeof(o)));
	CHECK(!json_str_eq(s, t, 1, "1"));

	/* surrogates: lone, reversed, followed by something else */
	static const char *const utf[] = {
		"\"\\ud83d\"", "\"\\ude00\"", "\"\\ude00\\ud83d\"", "\"\\ud83d\\u0041\"",
		"\"\\ud83dx\"", "\"\\ud83d\\ud83d\"", "\"\\ud83d\\n\"",
		/* raw invalid UTF-8 */
		"\"\xc0\x80\"", "\"\xc1\xbf\"", "\"\xe0\x80\x80\"", "\"\xed\xa0\x80\"",
		"\"\xed\xbf\xbf\"", "\"\xf0\x80\x80\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xf5\x80\x80\x80\"",
		"\"\xff\"", "\"\x80\"", "\"\xe2\x82\"", "\"\xc3\"", "\"\xf0\x9f\x98\"", "\"\xc3x\"",
		"{\"\xff\":1}",
	};
	for (size_t i = 0; i < sizeof(utf) / sizeof(utf[0]); i++) {
		int r = J(utf[i]);
		CHECK_EQ(r, JSON_EUTF8);
		if (r != JSON_EUTF8)
			printf("  input %zu\n", i);
	}
	static const char *const good[] = { "\"\xc2\x80\"", "\"\xdf\xbf\"", "\"\xe0\xa0\x80\"",
					    "\"\xed\x9f\xbf\"", "\"\xee\x80\x80\"", "\"\xef\xbf\xbf\"",
					    "\"\xf0\x90\x80\x80\"", "\"\xf4\x8f\xbf\xbf\"", "\"\x7f\"" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CHECK_EQ(J(good[i]), 1);
		CHECK(json_str(good[i], t, 0, o, sizeof(o)));
		CHECK(strlen(o) == strlen(good[i]) - 2 && memcmp(o, good[i] + 1, strlen(o)) == 0);
	}
	/* escapes and control characters */
	static const char *const bad[] = { "\"\\x\"", "\"\\u12G4\"", "\"\\u123\"", "\"\\U0041\"",
					   "\"\\\"", "\"abc", "\"\\", "\"\\u", "\"\\ud83d\\u12\"",
					   "\"\t\"", "\"\n\"", "\"a\x01\"", "\"\\'\"", "\"\\0\"", "'a'" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = J(bad[i]);
		CHECK_EQ(r, JSON_EMALFORMED);
		if (r != JSON_EMALFORMED)
			printf("  input %zu\n", i);
	}
	CHECK_EQ(json_parse("\"a\0b\"", 5, t, NT, 4), JSON_EMALFORMED);
}

static void dup_keys(void)
{
	CHECK_EQ(J("{\"a\":1,\"a\":2}"), JSON_EDUPKEY);
	CHECK_EQ(J("{\"a\":1,\"\\u0061\":2}"), JSON_EDUPKEY);
	CHECK_EQ(J("{\"\xf0\x9f\x98\x80\":1,\"\\ud83d\\ude00\":2}"), JSON_EDUPKEY);
	CHECK_EQ(J("{\"\\/\":1,\"/\":2}"), JSON_EDUPKEY);
	CHECK_EQ(J("{\"a\":1,\"b\":{\"x\":[1,{\"a\":2}]},\"c\":3,\"a\":3}"), JSON_EDUPKEY);
	CHECK_EQ(J("{\"a\":{\"a\":{\"a\":1}}}"), 7);
	CHECK_EQ(J("{\"ab\":1,\"a\":2,\"a\\u0062c\":3,\"\":4}"), 9);
	CHECK_EQ(J("[{\"a\":1},{\"a\":1}]"), 7);
	CHECK_EQ(J("{\"a\":1,\"A\":1}"), 5);
	CHECK_EQ(J("{\"\":1,\"\":1}"), JSON_EDUPKEY);
	/* a duplicate inside a nested object */
	CHECK_EQ(J("{\"x\":{\"k\":1,\"j\":2,\"k\":3}}"), JSON_EDUPKEY);
}

static void depth_limit(void)
{
	char s[4096];
	for (int d = 1; d <= JSON_DEPTH_MAX + 1; d++) {
		for (int i = 0; i < d; i++)
			s[i] = '[', s[2 * d - 1 - i] = ']';
		int r = json_parse(s, (size_t)(2 * d), t, NT, JSON_DEPTH_MAX);
		CHECK_EQ(r, d <= JSON_DEPTH_MAX ? d : JSON_EDEPTH);
		r = json_parse(s, (size_t)(2 * d), t, NT, 3);
		CHECK_EQ(r, d <= 3 ? d : JSON_EDEPTH);
		r = json_parse(s, (size_t)(2 * d), t, NT, 1000); /* clamped */
		CHECK_EQ(r, d <= JSON_DEPTH_MAX ? d : JSON_EDEPTH);
	}
	/* objects count too */
	CHECK_EQ(json_parse("{\"a\":{\"b\":[]}}", 14, t, NT, 2), JSON_EDEPTH);
	CHECK_EQ(json_parse("{\"a\":{\"b\":[]}}", 14, t, NT, 3), 5);
	CHECK_EQ(json_parse("1", 1, t, NT, 0), 1);
	CHECK_EQ(json_parse("[]", 2, t, NT, 0), JSON_EDEPTH);
	/* far too deep: no recursion, no stack growth */
	memset(s, '[', sizeof(s));
	CHECK_EQ(json_parse(s, sizeof(s), t, NT, JSON_DEPTH_MAX), JSON_EDEPTH);
}

static void token_limit(void)
{
	CHECK_EQ(json_parse("[1,2,3]", 7, t, 4, 4), 4);
	CHECK_EQ(json_parse("[1,2,3]", 7, t, 3, 4), JSON_ETOKENS);
	CHECK_EQ(json_parse("{\"a\":1}", 7, t, 2, 4), JSON_ETOKENS);
	CHECK_EQ(json_parse("{\"a\":1}", 7, t, 3, 4), 3);
	CHECK_EQ(json_parse("1", 1, t, 0, 4), JSON_ETOKENS);
	CHECK_EQ(json_parse("1", 1, NULL, 4, 4), JSON_ETOKENS);
	/* a sentinel right after the allowed tokens is never written */
	memset(&t[3], 0xAB, sizeof(t[3]));
	json_parse("[1,2,3,4]", 9, t, 3, 4);
	CHECK_EQ(t[3].type, 0xAB);
}

static void malformed(void)
{
	static const char *const bad[] = {
		"", " ", "\n\t", "{", "[", "}", "]", "{\"a\"}", "{\"a\":}", "{,}", "[,1]", "[1,]",
		"{\"a\":1,}", "{1:2}", "{\"a\" 1}", "[1 2]", "{\"a\":1 \"b\":2}", "{\"a\":1}}",
		"[1]]", "{} x", "{}{}", "1 2", "[1],", "tru", "nul", "fals", "truex", "True",
		"NULL", "[true false]", "{\"a\"::1}", "{\"a\":1,,\"b\":2}", "[1,,2]",
		"\xef\xbb\xbf{}", "{\"a\":1]", "[1}", "{'a':1}", "/* */{}", "[\"a\" \"b\"]",
		"{\"a\":[}", "{a:1}", "\x0b{}", "\x0c[]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = J(bad[i]);
		CHECK_EQ(r, JSON_EMALFORMED);
		if (r != JSON_EMALFORMED)
			printf("  input %zu: %s\n", i, bad[i]);
	}
	CHECK_EQ(json_parse("{}\0", 3, t, NT, 4), JSON_EMALFORMED);
	CHECK_EQ(json_parse("{}", 0, t, NT, 4), JSON_EMALFORMED);
	CHECK_EQ(json_parse("{}x", 2, t, NT, 4), 1); /* len is the end, not the NUL */
}

/* Input ending right at a PROT_NONE page. */
static char *gbase;
static size_t gpage;

static const char *guarded(const char *s, size_t n)
{
	memcpy(gbase + gpage - n, s, n);
	return gbase + gpage - n;
}

static void guard_page_test(void)
{
	gpage = (size_t)sysconf(_SC_PAGESIZE);
	gbase = mmap(NULL, 2 * gpage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(gbase != MAP_FAILED);
	if (gbase == MAP_FAILED)
		return;
	CHECK_EQ(mprotect(gbase + gpage, gpage, PROT_NONE), 0);
	static const char *const docs[] = {
		"{\"a\":[1.5e-3,true,false,null,\"\\ud83d\\ude00\\u00e9\\n\xc3\xa9\"],\"b\":{\"c\":-0}}",
		"\"\\ud83d\\u", "[1.", "[-", "[1e+", "tru", "\"\xe2\x82", "\"\\", "{\"a\"", "{\"a\":",
		"\"\xf0\x9f\x98", "nul", "fals", "[0", "12345",
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		size_t n = strlen(docs[i]);
		for (size_t k = 0; k <= n; k++) {
			const char *g = guarded(docs[i], k);
			int r = json_parse(g, k, t, NT, JSON_DEPTH_MAX);
			CHECK(r != 0);
			/* the readers stay inside each token too */
			for (int j = 0; j < r; j++) {
				char o[128];
				int64_t v;
				json_str(g, t, j, o, sizeof(o));
				json_str_eq(g, t, j, "x");
				json_int(g, t, j, INT64_MIN, INT64_MAX, &v);
			}
		}
	}
	/* writer input at the page end: a truncated sequence is replaced, not over-read */
	start();
	jw_strn(&w, guarded("a\xf0\x9f\x98", 4), 4);
	CHECK(out_is("\"a\\ufffd\\ufffd\\ufffd\""));
	start();
	jw_strn(&w, guarded("\xe2", 1), 1);
	CHECK(out_is("\"\\ufffd\""));
	munmap(gbase, 2 * gpage);
}

static uint32_t rng = 0x9E3779B9; /* fixed seed: the same mutants every run */

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

#define REQ(c)                                                                             \
	do {                                                                               \
		if (!(c))                                                                  \
			return #c;                                                         \
	} while (0)

/* Writes the parsed value at token i (of text s) back out with the writer. NULL, or why
 * not: *skip is set when a string cannot be a C string (\u0000, too long). */
static const char *dump(const char *s, const struct json_tok *k, int i, struct jw *o,
			bool *skip)
{
	char tmp[600];
	const char *why;
	switch (k[i].type) {
	case JSON_OBJECT:
	case JSON_ARRAY: {
		bool obj = k[i].type == JSON_OBJECT;
		uint32_t n = 0;
		obj ? jw_obj(o) : jw_arr(o);
		for (int m = json_first(k, i); m >= 0 && !*skip; n++) {
			if (obj) {
				if (!json_str(s, k, m, tmp, sizeof(tmp))) {
					*skip = true;
					break;
				}
				jw_key(o, tmp);
				if ((why = dump(s, k, m + 1, o, skip)))
					return why;
				REQ(json_next(k, m) < 0 || json_next(k, m) == (int)k[m + 1].end);
				m = json_next(k, m);
			} else {
				if ((why = dump(s, k, m, o, skip)))
					return why;
				m = json_next_elem(k, i, m);
			}
		}
		REQ(*skip || n == k[i].size);
		obj ? jw_obj_end(o) : jw_arr_end(o);
		return NULL;
	}
	case JSON_STRING:
		if (!json_str(s, k, i, tmp, sizeof(tmp)))
			*skip = true;
		else
			jw_str(o, tmp);
		return NULL;
	case JSON_NUMBER:
		REQ(k[i].len < sizeof(tmp));
		memcpy(tmp, s + k[i].start, k[i].len);
		tmp[k[i].len] = 0;
		jw_raw(o, tmp);
		return NULL;
	case JSON_TRUE: jw_bool(o, true); return NULL;
	case JSON_FALSE: jw_bool(o, false); return NULL;
	case JSON_NULL: jw_null(o); return NULL;
	}
	return "bad token type";
}

static const char *check_tokens(const char *s, size_t len, int n)
{
	for (int i = 0; i < n; i++) {
		const struct json_tok *k = &t[i];
		REQ((size_t)k->start + k->len <= len);
		REQ(k->end > (uint32_t)i && k->end <= (uint32_t)n);
		REQ(k->type >= JSON_OBJECT && k->type <= JSON_NULL);
		if (k->type == JSON_OBJECT || k->type == JSON_ARRAY) {
			REQ(s[k->start] == (k->type == JSON_OBJECT ? '{' : '['));
			REQ(s[k->start + k->len - 1] == (k->type == JSON_OBJECT ? '}' : ']'));
		} else if (k->type == JSON_STRING) {
			REQ(k->start > 0 && s[k->start - 1] == '"' && s[k->start + k->len] == '"');
		}
	}
	REQ(t[0].end == (uint32_t)n);
	return NULL;
}

/* Parses s twice (same tokens), writes it back out and parses that (same shape). */
static const char *reparse(const char *s, size_t n, int r, bool *skip)
{
	static struct json_tok t2[NT];
	static char out[4096];
	const char *why;
	if ((why = check_tokens(s, n, r)))
		return why;
	REQ(json_parse(s, n, t2, NT, JSON_DEPTH_MAX) == r);
	for (int i = 0; i < r; i++)
		REQ(t[i].type == t2[i].type && t[i].start == t2[i].start && t[i].len == t2[i].len &&
		    t[i].size == t2[i].size && t[i].end == t2[i].end);
	struct buf ob2;
	struct jw w2;
	buf_init(&ob2, out, sizeof(out));
	jw_init(&w2, &ob2);
	if ((why = dump(s, t, 0, &w2, skip)) || *skip)
		return why;
	REQ(!ob2.err && w2.depth == 0);
	REQ(json_parse(out, ob2.len, t2, NT, JSON_DEPTH_MAX) == r);
	for (int i = 0; i < r; i++)
		REQ(t2[i].type == t[i].type && t2[i].size == t[i].size && t2[i].end == t[i].end);
	return NULL;
}

static void fuzz(void)
{
	static const char *const seeds[] = {
		"{\"UserName\":\"admin\",\"Password\":\"p\\u00e9\\\"w\",\"RoleId\":\"Administrator\","
		"\"Enabled\":true,\"Locked\":false,\"Oem\":null}",
		"{\"ResetType\":\"ForceRestart\",\"n\":[1,-2.5e+3,0,{\"a\":[[],{}]}],"
		"\"s\":\"\\ud83d\\ude00\"}",
		"[\"\xc3\xa9\xe2\x82\xac\",12,{\"Boot\":{\"BootSourceOverrideTarget\":\"Pxe\","
		"\"BootSourceOverrideEnabled\":\"Once\"}}]",
		" {\"a\" : { \"b\" : { \"c\" : [ 1 , 2 , 3 ] } } , \"d\" : \"\\t\\n\" } ",
	};
	static const char spice[] = "{}[]\",:\\u0123456789.eE+-truefalsenull \t\n\0"
				    "\x01\x7f\x80\xc3\xed\xf0\xff";
	char b2[1024];
	int ok = 0, bad = 0, trips = 0, fails = 0;
	for (int it = 0; it < 20000; it++) {
		const char *s = seeds[rnd() % 4];
		size_t n = strlen(s);
		memcpy(b2, s, n);
		for (int m = (int)(rnd() % 3) + 1; m > 0; m--) {
			size_t at = rnd() % (n + 1);
			char c = spice[rnd() % (sizeof(spice) - 1)];
			switch (rnd() % 3) {
			case 0:
				if (at < n)
					b2[at] = c;
				break;
			case 1:
				if (n < sizeof(b2)) {
					memmove(b2 + at + 1, b2 + at, n - at);
					b2[at] = c;
					n++;
				}
				break;
			default:
				if (at < n) {
					memmove(b2 + at, b2 + at + 1, n - at - 1);
					n--;
				}
			}
		}
		char *h = malloc(n ? n : 1); /* exactly n bytes: ASan sees any over-read */
		memcpy(h, b2, n);
		int r = json_parse(h, n, t, NT, JSON_DEPTH_MAX);
		const char *why = NULL;
		bool skip = false;
		if (r == 0 || r < JSON_EUTF8 || r > NT)
			why = "result out of range";
		else if (r > 0)
			why = reparse(h, n, r, &skip);
		if (why && fails++ < 5)
			printf("  fuzz: %s (result %d) on %.*s\n", why, r, (int)n, h);
		ok += r > 0;
		bad += r < 0;
		trips += r > 0 && !skip && !why;
		free(h);
	}
	CHECK_EQ(fails, 0);
	CHECK(ok > 1000 && bad > 1000 && trips > 1000);
	printf("  fuzz: %d mutants (%d valid, %d round trips, %d rejected)\n", ok + bad, ok, trips,
	       bad);
}

int main(void)
{
	writer();
	misuse();
	escaping();
	round_trip();
	structure();
	structure2();
	numbers();
	strings();
	dup_keys();
	depth_limit();
	token_limit();
	malformed();
	guard_page_test();
	fuzz();
	return t_done("test_json");
}
