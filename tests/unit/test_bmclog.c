/* The BMC's own log ring: ids, wrap-around with the overwritten count, lookup, clear (ids
 * go on), which lines are kept, text made printable and cut, MessageId kinds, severities. */
#include "../../proto/bmclog.h"
#include "testlib.h"

int main(void)
{
	struct bmclog b;
	struct bmclog_entry buf[3];
	bmclog_init(&b, buf, 3);
	CHECK(bmclog_at(&b, 0) == NULL);
	bmclog_add(&b, 7, 100, "ipmi: debug lines are not kept");
	bmclog_add(&b, 2, 100, "nor levels below error");
	CHECK_EQ(b.n, 0);
	bmclog_add(&b, 5, 101, "ipmi: login failed for user 'x'");
	bmclog_add(&b, 6, 102, "redfish: session 3 opened for admin");
	bmclog_add(&b, 4, 103, "sol: console\x01\xff");
	bmclog_add(&b, 3, 104, "bmcd: configuration error");
	CHECK_EQ(b.n, 3);
	CHECK_EQ(b.overwritten, 1);
	const struct bmclog_entry *e = bmclog_at(&b, 0);
	CHECK(e && e->id == 2 && e->created == 102 && e->kind == BL_REDFISH);
	CHECK(bmclog_find(&b, 1) == NULL); /* overwritten */
	e = bmclog_find(&b, 3);
	CHECK(e && strcmp(e->text, "sol: console??") == 0 && e->kind == BL_CONSOLE);
	CHECK(strcmp(bmclog_message(e->kind), "ConsoleEvent") == 0);
	CHECK(strcmp(bmclog_severity(e->level), "Warning") == 0);
	e = bmclog_at(&b, 2);
	CHECK(e && e->id == 4 && e->kind == BL_SERVICE);
	CHECK(strcmp(bmclog_severity(e->level), "Critical") == 0);
	CHECK(strcmp(bmclog_message(e->kind), "ServiceEvent") == 0);
	CHECK(strcmp(bmclog_severity(6), "OK") == 0);
	CHECK(strcmp(bmclog_message(200), "ServiceEvent") == 0);
	CHECK(bmclog_at(&b, 3) == NULL);
	/* a long line is cut at BMCLOG_TEXT_MAX */
	char longline[BMCLOG_TEXT_MAX + 50];
	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = 0;
	bmclog_add(&b, 5, 105, longline);
	e = bmclog_find(&b, 5);
	CHECK(e && strlen(e->text) == BMCLOG_TEXT_MAX);
	/* clearing empties the ring; ids go on */
	bmclog_clear(&b);
	CHECK_EQ(b.n, 0);
	CHECK_EQ(b.overwritten, 0);
	CHECK(bmclog_find(&b, 5) == NULL);
	bmclog_add(&b, 5, 106, "host: power on requested by admin (Redfish)");
	e = bmclog_at(&b, 0);
	CHECK(e && e->id == 6 && e->kind == BL_HOST);
	/* a ring of no entries keeps nothing */
	struct bmclog z;
	bmclog_init(&z, NULL, 0);
	bmclog_add(&z, 5, 1, "ipmi: x");
	CHECK_EQ(z.n, 0);
	return t_done("test_bmclog");
}
