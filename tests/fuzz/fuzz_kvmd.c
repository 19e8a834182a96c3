/*
 * fuzz_kvmd: kvmd's answers to the ATX backend (hal/atx_kvmd.c): the HTTP status line,
 * head and JSON body of GET /atx, and the answers to POST /atx/click; or, for an input
 * starting with "SW" and a port byte (port = byte % 20), to the kvmd-switch backend on that
 * port: GET /switch (a PiKVM Switch's state) and POST /switch/atx/click.
 *
 * A fake kvmd listens on a unix socket in a private temporary directory (made once,
 * removed at exit; no network). The backend is created for every input and driven
 * through its ops the way the poll loop drives it; for each exchange the harness accepts
 * its connection, checks the request it sent is valid HTTP/1.1, answers with bytes from the
 * input and closes, then lets the backend read the answer.
 *
 * Input: up to EXCHANGES answers separated by FA DE D5 + a control byte (the first answer
 * has control byte 0): bit 0 press the power button first (bit 1: reset, bit 2: a long
 * press), bit 3 let the request time out instead of answering, bits 4-5 move the clock.
 *
 * Before fuzzing, the harness runs fixed byte vectors of GET /switch answers through the
 * switch backend and checks what it makes of them (LEDs, availability, the requests it
 * sends): a realistic 4-port state, no switch, no such port, hostile shapes.
 */
#include "../../hal/atx.h"
#include "fuzz_kvmd.h"

#define EXCHANGES 6

static char reqs[EXCHANGES][96];	/* the request lines the backend sent, this input */
static int nreqs;

static int run(const uint8_t *data, size_t size, int port, unsigned *leds, bool *avail);
static void self_test(void);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fk_listen("bmcd-fuzz-kvmd");
	self_test();
	return 0;
}

/* Reads and checks the request the backend sent on c (fk_request) and keeps its line. */
static void check_request(int c)
{
	char req[1024];
	size_t n = fk_request(c, req, sizeof(req));
	const char *eol = memchr(req, '\r', n);
	if (nreqs < EXCHANGES && eol)
		snprintf(reqs[nreqs++], sizeof(reqs[0]), "%.*s", (int)(eol - req), req);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned leds;
	bool avail;
	if (size >= 3 && data[0] == 'S' && data[1] == 'W')
		return run(data + 3, size - 3, data[2] % ATX_KVMD_SWITCH_PORTS, &leds, &avail);
	return run(data, size, -1, &leds, &avail);
}

/* One backend (port < 0: kvmd's ATX, else that switch port) through the exchanges. */
static int run(const uint8_t *data, size_t size, int port, unsigned *leds, bool *avail)
{
	static const uint8_t mark[3] = { 0xFA, 0xDE, 0xD5 };
	int64_t now = 1000000;
	struct atx_kvmd_cfg cfg = { .socket = fk_sock_path, .user = "bmcd", .passwd = "secret",
				    .poll_ms = 1000, .timeout_ms = 3000, .long_ms = 4000,
				    .log = fuzz_log };
	struct atx *a = port < 0 ? atx_kvmd_new(&cfg, now)
				 : atx_kvmd_switch_new(&cfg, (unsigned)port, now);
	FUZZ_ASSERT(a, "atx_kvmd_new");
	nreqs = 0;
	const uint8_t *p = data, *end = data + size;
	uint8_t ctl = 0;
	for (int k = 0; k < EXCHANGES && p <= end; k++) {
		const uint8_t *m = memmem(p, (size_t)(end - p), mark, sizeof(mark));
		const uint8_t *stop = m ? m : end;
		if (ctl & 3)
			a->ops->press(a, (ctl & 2) ? ATX_RESET : ATX_POWER, true,
				      (ctl & 4) ? 5000 : 200, now);
		/* a request the backend started at the end of the last exchange (a poll right
		 * after a click) is answered now; otherwise the clock moves to its deadline */
		int c = accept4(fk_lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0) {
			int64_t d = a->ops->deadline(a);
			if (d > now)
				now = d;
			a->ops->service(a, now, 0); /* connects and sends its request */
			c = accept4(fk_lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		}
		if (c >= 0) {
			a->ops->service(a, now, POLLOUT); /* the rest of the request, if any */
			check_request(c);
			if (ctl & 8) {
				/* kvmd hangs: the request's deadline passes first */
				now += 3001;
				a->ops->service(a, now, 0);
			} else {
				fk_answer(c, p, (size_t)(stop - p));
			}
			close(c);
		}
		now += 1;
		for (int i = 0; i < 4; i++)
			a->ops->service(a, now, POLLIN);
		struct pollfd fds[2];
		FUZZ_ASSERT(a->ops->fds(a, fds, 2) <= 1, "more than one descriptor");
		*leds = a->ops->leds(a);
		*avail = a->ops->available(a);
		now += (int64_t)((ctl >> 4) & 3) * 20000;
		if (!m || m + 3 >= end)
			break;
		ctl = m[3];
		p = m + 4;
	}
	a->ops->destroy(a);
	return 0;
}

/* --- fixed vectors for the switch backend ---------------------------------------------- */

#define HEAD "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n\r\n"
#define MARK0 "\xFA\xDE\xD5\x40" /* no press, no hang, the clock stays */
#define MARK_PRESS "\xFA\xDE\xD5\x01"
#define PORT_M(u, c, id)                                                                   \
	"{\"atx\":{\"click_delays\":{\"power\":0.5,\"power_long\":5.5,\"reset\":0.5}},"         \
	"\"channel\":" #c ",\"id\":\"" id "\",\"name\":\"\",\"unit\":" #u ",\"video\":{\"dummy\":true}}"
/* a 4-port switch as kvmd reports it (sorted keys), with the ATX lists given */
#define STATE(busy, power, hdd)                                                            \
	"{\"ok\":true,\"result\":{\"atx\":{\"busy\":" busy ",\"leds\":{\"hdd\":" hdd              \
	",\"power\":" power "}},\"beacons\":{\"downlinks\":[false],\"ports\":[false,false,false," \
	"false],\"uplinks\":[false]},\"colors\":{\"active\":{\"blink_ms\":0,\"blue\":0,"           \
	"\"brightness\":128,\"green\":255,\"red\":0}},\"edids\":{\"all\":{\"default\":{\"data\":"  \
	"\"00\",\"name\":\"Default\",\"parsed\":null}},\"used\":[\"default\",\"default\","       \
	"\"default\",\"default\"]},\"model\":{\"firmware\":{\"version\":9},\"limits\":{},"        \
	"\"ports\":[" PORT_M(0, 0, "1") "," PORT_M(0, 1, "2") "," PORT_M(0, 2, "3") ","            \
	PORT_M(0, 3, "4") "],\"units\":[{\"firmware\":{\"devbuild\":false,\"version\":9}}]},"     \
	"\"summary\":{\"active_id\":\"2\",\"active_port\":1,\"synced\":true},\"usb\":{\"links\":" \
	"[true,true,false,false]},\"video\":{\"links\":[true,true,false,false]}}}"
#define F4 "[false,false,false,false]"
#define EMPTY                                                                              \
	"{\"ok\":true,\"result\":{\"atx\":{\"busy\":[],\"leds\":{\"hdd\":[],\"power\":[]}},"      \
	"\"model\":{\"ports\":[],\"units\":[]},\"summary\":{\"active_id\":\"\",\"active_port\":1}}}"
#define OK_CLICK "HTTP/1.1 200 OK\r\nContent-Length: 26\r\n\r\n{\"ok\": true, \"result\": {}}"

struct vec {
	const char *name;
	int port;
	const char *in;
	unsigned leds;		/* expected at the end */
	bool avail;
	const char *req[4];	/* expected request lines, in order (NULL: no more) */
};

static const struct vec vecs[] = {
	{ "power and hdd of port 2", 2,
	  HEAD STATE(F4, "[true,true,true,false]", "[false,false,true,false]"),
	  ATX_LED_POWER | ATX_LED_HDD, true, { "GET /switch HTTP/1.1" } },
	{ "another port's LED is not ours", 2,
	  HEAD STATE(F4, "[false,true,false,true]", "[true,true,false,true]"), 0, true, { 0 } },
	{ "port 3, the last", 3, HEAD STATE(F4, "[false,false,false,true]", F4), ATX_LED_POWER,
	  true, { 0 } },
	{ "no switch attached", 2, HEAD EMPTY, 0, false, { 0 } },
	{ "no such port", 6, HEAD STATE(F4, "[true,true,true,true]", F4), 0, false, { 0 } },
	{ "a list shorter than the ports", 2,
	  HEAD STATE(F4, "[true,true,true]", F4), 0, false, { 0 } },
	{ "a number where a boolean belongs", 2, HEAD STATE(F4, "[true,true,1,true]", F4), 0,
	  false, { 0 } },
	{ "no Switch API", 2, "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n\r\n"
	  "404: Not Found", 0, false, { 0 } },
	{ "cut short", 2, "HTTP/1.1 200 OK\r\nContent-Length: 900\r\n\r\n"
	  "{\"ok\":true,\"result\":{\"atx\":{\"busy\":[false", 0, false, { 0 } },
	{ "result is a list", 2, HEAD "{\"ok\":true,\"result\":[]}", 0, false, { 0 } },
	{ "ports but no atx lists (found by this harness)", 2,
	  HEAD "{\"ok\":true,\"result\":{\"model\":{\"ports\":[{},{},{}]}}}", 0, false, { 0 } },
	{ "a press: a fresh look, then the click on our port", 2,
	  HEAD STATE(F4, "[true,false,false,false]", F4) MARK_PRESS
	  HEAD STATE(F4, "[true,false,false,false]", F4) MARK0 OK_CLICK MARK0
	  HEAD STATE(F4, "[true,false,true,false]", F4),
	  ATX_LED_POWER, true,
	  { "GET /switch HTTP/1.1", "GET /switch HTTP/1.1",
	    "POST /switch/atx/click?port=2&button=power HTTP/1.1", "GET /switch HTTP/1.1" } },
	{ "a press for a port that is not there is dropped", 5,
	  HEAD STATE(F4, F4, F4) MARK_PRESS HEAD STATE(F4, F4, F4),
	  0, false, { "GET /switch HTTP/1.1", "GET /switch HTTP/1.1" } },
	{ "busy, then free: one click", 1,
	  HEAD STATE(F4, F4, F4) MARK_PRESS
	  HEAD STATE("[false,true,false,false]", F4, F4) MARK0
	  HEAD STATE(F4, F4, F4) MARK0 OK_CLICK,
	  0, true,
	  { "GET /switch HTTP/1.1", "GET /switch HTTP/1.1", "GET /switch HTTP/1.1",
	    "POST /switch/atx/click?port=1&button=power HTTP/1.1" } },
};

static void self_test(void)
{
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const struct vec *v = &vecs[i];
		unsigned leds = 0xFF;
		bool avail = !v->avail;
		run((const uint8_t *)v->in, strlen(v->in), v->port, &leds, &avail);
		FUZZ_ASSERT(leds == v->leds && avail == v->avail,
			    "vector '%s': leds %u available %d, expected %u %d", v->name, leds, avail,
			    v->leds, v->avail);
		int want = 0;
		while (want < 4 && v->req[want])
			want++;
		FUZZ_ASSERT(!want || nreqs == want, "vector '%s': %d requests, expected %d", v->name,
			    nreqs, want);
		for (int r = 0; r < want; r++)
			FUZZ_ASSERT(r < nreqs && !strcmp(reqs[r], v->req[r]),
				    "vector '%s': request %d is '%s', expected '%s'", v->name, r,
				    r < nreqs ? reqs[r] : "(none)", v->req[r]);
	}
	fprintf(stderr, "fuzz_kvmd: %zu switch vectors pass\n", sizeof(vecs) / sizeof(vecs[0]));
}
