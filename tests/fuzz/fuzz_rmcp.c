/*
 * fuzz_rmcp: raw UDP datagrams into ipmi_input() with no session set up by the harness:
 * RMCP and ASF presence pings, IPMI 1.5 and RMCP+ pre-session messages, Open Session,
 * RAKP 1 and RAKP 3, and session packets for sessions that may or may not exist.
 *
 * Input: one or more datagrams separated by the 3-byte marker FA DE D5; the byte after a
 * marker is a control byte for the next datagram (bit 0: the second console address,
 * bits 1-3: how far the clock moves before it, bit 4: run due deadlines first). A plain
 * datagram (a recorded one) is an input of one datagram.
 *
 * State: the engine is rebuilt for every input, so a saved input always reproduces on its
 * own; state across datagrams (a half-open session, the pool filling up, handshake expiry)
 * comes from several datagrams in one input instead of from earlier inputs, which keeps it
 * bounded (at most FR_DGRAMS datagrams) and deterministic.
 *
 * Session IDs: bmcd picks its session IDs at random, so recorded RAKP messages name IDs
 * this engine never gave out. Any 4 bytes EE EE EE EE in a datagram are replaced by the
 * BMC session ID of the latest successful Open Session reply; make_corpus.py writes that
 * placeholder where the recorded exchange had the real ID, so a recorded handshake gets
 * past the session lookup to the user lookup, the role rules and the RAKP 3 check.
 */
#include "fuzz_ipmi.h"

#define FR_DGRAMS 32

static const uint8_t marker[3] = { 0xFA, 0xDE, 0xD5 };
static const uint8_t placeholder[4] = { 0xEE, 0xEE, 0xEE, 0xEE };
static uint32_t last_sid;

/* Learns the BMC session ID of every accepted Open Session (payload type 0x11). */
static void watch(const uint8_t *buf, size_t len)
{
	if (len >= 28 && buf[4] == 6 && (buf[5] & 0x3F) == 0x11 && buf[17] == 0)
		last_sid = get_u32le(buf + 24);
}

static void one(const uint8_t *p, size_t n, uint8_t ctl)
{
	static const int64_t steps[8] = { 0, 10, 100, 1000, 3000, 5001, 60000, 61000 };
	uint8_t d[IPMI_PKT_MAX];
	if (n > sizeof(d))
		return; /* the firmware drops datagrams larger than its receive buffer */
	memcpy(d, p, n);
	for (size_t i = 0; i + 4 <= n; i++)
		if (memcmp(d + i, placeholder, 4) == 0)
			put_u32le(d + i, last_sid);
	fi_now += steps[(ctl >> 1) & 7];
	if (ctl & 0x10)
		fi_ticks();
	/* exact-size heap copy: ASan sees any read past the datagram's end */
	uint8_t *exact = malloc(n ? n : 1);
	memcpy(exact, d, n);
	fi_nout = 0;
	fi_feed(exact, n, ctl & 1);
	free(exact);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t all_suites[] = { 17, 3, 1, 2, 15, 16 };
	fi_setup(all_suites, sizeof(all_suites));
	fi_on_send = watch;
	last_sid = 0;

	const uint8_t *p = data, *end = data + size;
	uint8_t ctl = 0;
	for (int k = 0; k < FR_DGRAMS && p <= end; k++) {
		const uint8_t *m = memmem(p, (size_t)(end - p), marker, sizeof(marker));
		const uint8_t *stop = m ? m : end;
		one(p, (size_t)(stop - p), ctl);
		if (!m || m + 3 >= end)
			break;
		ctl = m[3];
		p = m + 4;
	}
	/* let every pending handshake expire: the timeout paths run too */
	fi_now += 10000;
	fi_ticks();
	ipmi_close_all(&fi_m);
	return 0;
}
