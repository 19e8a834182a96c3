/*
 * fuzz_sol: the Serial-over-LAN engine with an active console: SoL payloads from the
 * console that owns the SoL and from others, host output arriving the way the UART reader
 * delivers it (bounded by sol_room), the clock and its deadlines, the serial port going
 * away or filling up, the SoL IPMI commands and sessions closing in the middle.
 *
 * Set-up (once): three consoles log in through ipmi_input with cipher suite 1 (no
 * integrity, no confidentiality, so SoL packets are plain): 0 admin, 1 operator, 2 user.
 * SoL is configured to allow USER level without encryption and console 0 activates it;
 * the engine is saved and restored before every input (same start, no state between
 * inputs, saved crash inputs reproduce alone).
 *
 * Input: operations; low 3 bits of the op byte choose, bits 4-5 the console:
 *   0,1  a SoL payload: sequence, ack, accepted count, operation bits, data
 *   2    host output (bit 3: a long burst that can wrap the console ring)
 *   3    the clock moves by n * 5 ms, then every due deadline runs, as in the main loop
 *   4    the serial port: up/down and how many bytes it accepts per write
 *   5    a SoL-related IPMI command in the console's session (activate, deactivate,
 *        status, instance, version, SOL config get/set) with fuzz data
 *   6    the console's session ends (Close Session, or closed under the engine)
 *   7    the owner reactivates (deactivate + activate), or sol_deactivate()
 * After each operation the engine's bookkeeping is checked against the ring, and every
 * packet sent is checked the way a console reads it.
 */
#include "fuzz_ipmi.h"

#define NCON 3
#define OPS_MAX 64

static struct tc_session con[NCON];

static struct tc_session s_con[NCON];

static void send_sol(struct tc_session *c, const uint8_t *p, size_t n)
{
	uint8_t pkt[IPMI_PKT_MAX + 64];
	size_t len = fi_protect(c, 1, p, n, false, pkt, sizeof(pkt));
	if (len && len <= IPMI_PKT_MAX)
		fi_feed(pkt, len, 0);
}

static void send_cmd(struct tc_session *c, uint8_t netfn, uint8_t cmd, const uint8_t *d, size_t dl)
{
	uint8_t msg[IPMI_MSG_MAX], pkt[IPMI_PKT_MAX + 64];
	uint8_t seq = (uint8_t)(c->rq_seq++ & 0x3F);
	size_t n = tc_msg(msg, (uint8_t)(netfn << 2), cmd, seq, d, dl, false);
	size_t len = fi_protect(c, 0, msg, n, false, pkt, sizeof(pkt));
	if (len && len <= IPMI_PKT_MAX)
		fi_feed(pkt, len, 0);
}

static void check(void)
{
	uint8_t plain[IPMI_PKT_MAX];
	for (int i = 0; i < fi_nout; i++) {
		const uint8_t *p = fi_out[i];
		if (fi_outlen[i] < 16 || p[4] != 6)
			continue;
		uint32_t sid = get_u32le(p + 6);
		for (int k = 0; k < NCON; k++) {
			if (sid != con[k].con_sid)
				continue;
			size_t n = fi_check_reply(&con[k], p, fi_outlen[i], plain);
			if ((p[5] & 0x3F) == 0) {
				fi_check_msg(plain, n);
				continue;
			}
			FUZZ_ASSERT(n >= 4 && n <= SOL_PAYLOAD_MAX, "SoL payload of %zu bytes", n);
			FUZZ_ASSERT(plain[0] <= 15 && plain[1] <= 15, "sequence numbers are 4 bits");
			/* a console ignores data in a packet with sequence number 0 */
			FUZZ_ASSERT(n == 4 || plain[0] != 0, "data in an ACK-only packet");
		}
	}
	struct sol *s = &fi_sol;
	if (s->s) {
		FUZZ_ASSERT(s->pos <= fi_ring.head, "pos %llu beyond head %llu",
			    (unsigned long long)s->pos, (unsigned long long)fi_ring.head);
		if (s->inflight) {
			FUZZ_ASSERT(s->inflight_len <= SOL_DATA_MAX, "in-flight packet of %u bytes",
				    s->inflight_len);
			FUZZ_ASSERT(s->inflight_pos + s->inflight_len <= fi_ring.head,
				    "in-flight bytes beyond the ring's head");
			FUZZ_ASSERT(s->out_seq >= 1 && s->out_seq <= 15, "out_seq %u", s->out_seq);
		}
	}
}

static void deadlines(void)
{
	for (int i = 0; i < 16 && ipmi_deadline(&fi_m) <= fi_now; i++)
		ipmi_tick(&fi_m, fi_now);
}

static void restore(void)
{
	fi_restore();
	memcpy(con, s_con, sizeof(con));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	static const uint8_t suites[] = { 1 };
	static const char *const who[NCON][2] = {
		{ "admin", "admin" }, { "operator", "operator" }, { "user", "user" },
	};
	static const uint8_t priv[NCON] = { PRIV_ADMIN, PRIV_OPERATOR, PRIV_USER };
	fi_setup(suites, sizeof(suites));
	for (int i = 0; i < NCON; i++) {
		bool ok = fi_login(&con[i], 1, 0, 0, who[i][0], who[i][1], (uint8_t)(0x10 | priv[i]),
				   0x50100000u + (unsigned)i, 0);
		FUZZ_ASSERT(ok, "login %d failed", i);
		send_cmd(&con[i], NETFN_APP, 0x3B, &priv[i], 1);
	}
	fi_sol.p.auth = PRIV_USER; /* no forced encryption: these sessions have none */
	fi_sol.replay = 64;
	ring_write(&fi_ring, (const uint8_t *)"boot log before the console attached\r\n", 38);
	static const uint8_t act[6] = { 1, 1, 0, 0, 0, 0 };
	fi_nout = 0;
	send_cmd(&con[0], NETFN_APP, 0x48, act, sizeof(act));
	FUZZ_ASSERT(fi_sol.s != NULL, "SoL did not activate");
	fi_now += 5;
	deadlines(); /* the first packet (history replay) leaves after the response */
	fi_save();
	memcpy(s_con, con, sizeof(s_con));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		uint8_t netfn, cmd;
	} cmds[] = {
		{ NETFN_APP, 0x48 }, { NETFN_APP, 0x49 }, { NETFN_APP, 0x4A }, { NETFN_APP, 0x4B },
		{ NETFN_APP, 0x4F }, { NETFN_APP, 0x4E }, { NETFN_TRANSPORT, 0x21 },
		{ NETFN_TRANSPORT, 0x22 },
	};
	struct fz f = { data, size };
	restore();
	for (int ops = 0; ops < OPS_MAX && !fz_empty(&f); ops++) {
		uint8_t op = fz_u8(&f), buf[600];
		struct tc_session *c = &con[((op >> 4) & 3) % NCON];
		const uint8_t *d;
		size_t n;
		fi_nout = 0;
		switch (op & 7) {
		case 0:
		case 1:
			n = fz_take(&f, 4u + fz_u8(&f) % 128u, &d);
			if (n >= 4 || (op & 8)) /* short payloads too, now and then */
				send_sol(c, d, n);
			break;
		case 2: {
			size_t want = (op & 8) ? fz_u16(&f) % sizeof(buf) : fz_u8(&f) % 64u;
			n = fz_take(&f, want, &d);
			memcpy(buf, d, n);
			/* the UART reader never overwrites what the console still lacks */
			size_t room = sol_room(&fi_sol, fi_now);
			ring_write(&fi_ring, buf, n < room ? n : room);
			sol_host_output(&fi_sol, fi_now);
			break;
		}
		case 3:
			fi_now += (int64_t)fz_u8(&f) * ((op & 8) ? 50 : 5);
			deadlines();
			break;
		case 4: {
			uint8_t t = fz_u8(&f);
			fi_port_up = !(t & 0x80);
			fi_port_room = t & 7;
			break;
		}
		case 5: {
			uint8_t which = fz_u8(&f) % (sizeof(cmds) / sizeof(cmds[0]));
			memset(buf, 0, 8);
			n = fz_take(&f, 2u + fz_u8(&f) % 7u, &d);
			memcpy(buf, d, n);
			send_cmd(c, cmds[which].netfn, cmds[which].cmd, buf, n);
			break;
		}
		case 6: {
			struct ipmi_session *s = ipmi_session_by_id(&fi_m, c->bmc_sid);
			uint8_t sid[4];
			put_u32le(sid, c->bmc_sid);
			if (op & 8)
				send_cmd(c, NETFN_APP, 0x3C, sid, 4);
			else if (s)
				ipmi_session_close(&fi_m, s, "fuzz");
			break;
		}
		case 7:
			if (op & 8) {
				sol_deactivate(&fi_sol, "fuzz");
			} else {
				static const uint8_t req[6] = { 1, 1, 0, 0, 0, 0 };
				send_cmd(c, NETFN_APP, 0x49, req, sizeof(req));
				send_cmd(c, NETFN_APP, 0x48, req, sizeof(req));
			}
			break;
		}
		check();
	}
	return 0;
}
