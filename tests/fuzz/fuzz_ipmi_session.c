/*
 * fuzz_ipmi_session: IPMI commands inside established RMCP+ sessions, so the fuzzer
 * reaches command parsing and every handler instead of stopping at the integrity check.
 *
 * Set-up (once, in LLVMFuzzerInitialize): four consoles log in through ipmi_input with a
 * full RMCP+ handshake and raise their privilege with Set Session Privilege Level:
 *   0: admin,    suite 17 (HMAC-SHA256, HMAC-SHA256-128, AES-CBC-128), ADMINISTRATOR
 *   1: operator, suite 3  (HMAC-SHA1, HMAC-SHA1-96, AES-CBC-128),      OPERATOR
 *   2: admin,    suite 1  (HMAC-SHA1, no integrity, no confidentiality), ADMINISTRATOR
 *   3: user,     suite 16 (HMAC-SHA256, HMAC-SHA256-128, none),        USER
 * The whole engine (sessions, SoL, console ring, fake host with its SEL) is then saved and
 * restored before every input: each input starts from the same logged-in state, so crashes
 * reproduce from the saved input alone and no state leaks between inputs.
 *
 * Input: a list of operations; the low 3 bits of an op byte choose what, bits 4-5 which
 * console:
 *   0-2  a command from bmcd's own table (index byte), data length >= its minimum
 *        (in command data, EE EE EE EE becomes the console's session ID and EF EF the
 *        first two data bytes of its last successful answer, e.g. a reservation ID)
 *   3    any netfn/LUN and command byte, any data, optionally a bad checksum (bit 3)
 *   4    any payload type and bytes, protected for the session (bit 3: encrypt the bytes
 *        raw so the engine's confidentiality-pad checks see fuzz data)
 *   5    a raw datagram, EE EE EE EE replaced by the console's BMC session ID
 *   6    the clock moves (and deadlines run); the serial port and temperature change;
 *        the users table is reloaded with an account demoted and one removed
 *   7    SoL: a payload from the console (bit 3 clear) or host console output (bit 3 set)
 * Every packet the engine sends into a session is checked the way a console would check
 * it: integrity code, confidentiality padding, IPMI checksums (fuzz_ipmi.h).
 */
#define FI_SESSIONS 5
#include "fuzz_ipmi.h"

#define NCLIENTS 4
#define OPS_MAX 48

static struct tc_session cl[NCLIENTS];
static uint8_t last_data[NCLIENTS][2]; /* see send_cmd */

/* the saved logged-in state */
static struct tc_session s_cl[NCLIENTS];

/* every (netfn, command) bmcd implements, found through its own lookup */
static struct {
	uint8_t netfn, cmd, min_len;
} tab[256];
static int ntab;

static void check_replies(void)
{
	uint8_t plain[IPMI_PKT_MAX];
	for (int i = 0; i < fi_nout; i++) {
		const uint8_t *p = fi_out[i];
		size_t n = fi_outlen[i];
		if (n < 16 || p[4] != 6)
			continue;
		uint32_t sid = get_u32le(p + 6);
		for (int k = 0; k < NCLIENTS; k++) {
			if (sid == 0 || sid != cl[k].con_sid)
				continue;
			size_t pl = fi_check_reply(&cl[k], p, n, plain);
			if ((p[5] & 0x3F) == 0) {
				fi_check_msg(plain, pl);
				if (pl >= 10 && plain[6] == CC_OK)
					memcpy(last_data[k], plain + 7, 2);
			} else
				FUZZ_ASSERT(pl >= 4 && pl <= SOL_PAYLOAD_MAX, "SoL payload of %zu", pl);
		}
	}
}

static void send_payload(struct tc_session *c, uint8_t pt, const uint8_t *p, size_t n, bool raw)
{
	uint8_t pkt[IPMI_PKT_MAX + 64];
	size_t len = fi_protect(c, pt, p, n, raw, pkt, sizeof(pkt));
	if (!len || len > IPMI_PKT_MAX)
		return;
	uint8_t *exact = malloc(len);
	memcpy(exact, pkt, len);
	fi_feed(exact, len, 0);
	free(exact);
}

static void send_cmd(struct tc_session *c, uint8_t netfn_lun, uint8_t cmd, const uint8_t *d,
		     size_t dl, bool bad_sum)
{
	uint8_t msg[IPMI_MSG_MAX];
	if (dl > sizeof(msg) - 7)
		dl = sizeof(msg) - 7;
	size_t n = tc_msg(msg, netfn_lun, cmd, (uint8_t)(c->rq_seq++ & 0x3F), d, dl, bad_sum);
	/* EE EE EE EE in the data stands for the console's own session ID (Close Session,
	 * Get Session Info by ID); the checksum is recomputed after the substitution */
	bool sub = false;
	for (size_t i = 6; i + 4 <= n - 1; i++)
		if (memcmp(msg + i, "\xEE\xEE\xEE\xEE", 4) == 0) {
			put_u32le(msg + i, c->bmc_sid);
			sub = true;
		}
	/* EF EF stands for the first two data bytes of the console's last successful answer:
	 * the reservation ID after Reserve SEL / Reserve SDR Repository */
	int k = (int)(c - cl);
	for (size_t i = 6; i + 2 <= n - 1; i++)
		if (msg[i] == 0xEF && msg[i + 1] == 0xEF) {
			memcpy(msg + i, last_data[k], 2);
			sub = true;
		}
	if (sub)
		n = tc_msg(msg, netfn_lun, cmd, msg[4] >> 2, msg + 6, dl, bad_sum);
	send_payload(c, 0, msg, n, false);
}

static void restore(void)
{
	fi_restore();
	memcpy(cl, s_cl, sizeof(cl));
	memset(last_data, 0, sizeof(last_data));
	fi_temp = 47;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	static const uint8_t suites[] = { 17, 3, 1, 16 };
	static const struct {
		uint8_t auth, integ, conf;
		const char *user, *pw;
		uint8_t priv;
	} who[NCLIENTS] = {
		{ 3, 4, 1, "admin", "admin", PRIV_ADMIN },
		{ 1, 1, 1, "operator", "operator", PRIV_OPERATOR },
		{ 1, 0, 0, "admin", "admin", PRIV_ADMIN },
		{ 3, 4, 0, "user", "user", PRIV_USER },
	};
	fi_setup(suites, sizeof(suites));
	for (int i = 0; i < NCLIENTS; i++) {
		bool ok = fi_login(&cl[i], who[i].auth, who[i].integ, who[i].conf, who[i].user,
				   who[i].pw, (uint8_t)(0x10 | who[i].priv), 0xC0DE0000u + (unsigned)i,
				   0);
		FUZZ_ASSERT(ok, "login %d failed", i);
		fi_nout = 0;
		uint8_t lvl = who[i].priv;
		send_cmd(&cl[i], NETFN_APP << 2, 0x3B, &lvl, 1, false);
		FUZZ_ASSERT(fi_nout == 1, "no answer to Set Session Privilege Level");
		uint8_t plain[IPMI_PKT_MAX];
		size_t pl = fi_check_reply(&cl[i], fi_out[0], fi_outlen[0], plain);
		FUZZ_ASSERT(pl >= 8 && plain[6] == 0, "privilege not raised for console %d", i);
	}
	FUZZ_ASSERT(ipmi_active_sessions(&fi_m) == NCLIENTS, "sessions missing");
	for (int nf = 0; nf < 64; nf += 2)
		for (int c = 0; c < 256; c++) {
			const struct ipmi_cmd *d = ipmi_find_cmd((uint8_t)nf, (uint8_t)c);
			if (d && ntab < (int)(sizeof(tab) / sizeof(tab[0]))) {
				tab[ntab].netfn = (uint8_t)nf;
				tab[ntab].cmd = (uint8_t)c;
				tab[ntab++].min_len = d->min_len;
			}
		}
	FUZZ_ASSERT(ntab > 0, "empty command table");
	/* the SoL engine only needs a console to have operator rights and encryption */
	fi_save();
	memcpy(s_cl, cl, sizeof(s_cl));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	restore();
	for (int ops = 0; ops < OPS_MAX && !fz_empty(&f); ops++) {
		uint8_t op = fz_u8(&f);
		struct tc_session *c = &cl[(op >> 4) & 3];
		const uint8_t *d;
		uint8_t buf[IPMI_PKT_MAX];
		size_t n;
		fi_nout = 0;
		fi_now += 7; /* a little time passes between packets */
		switch (op & 7) {
		case 0:
		case 1:
		case 2: {
			int idx = fz_u8(&f) % ntab;
			size_t dl = tab[idx].min_len + fz_u8(&f) % 32u;
			memset(buf, 0, dl);
			n = fz_take(&f, dl, &d);
			memcpy(buf, d, n);
			send_cmd(c, (uint8_t)(tab[idx].netfn << 2 | (op >> 6 & 1)), tab[idx].cmd, buf,
				 dl, false);
			break;
		}
		case 3: {
			uint8_t nl = fz_u8(&f), cmd = fz_u8(&f);
			n = fz_take(&f, fz_u8(&f) % 80u, &d);
			send_cmd(c, nl, cmd, d, n, op & 8);
			break;
		}
		case 4: {
			uint8_t pt = fz_u8(&f) & 0x3F;
			n = fz_take(&f, fz_u16(&f) % 600u, &d);
			send_payload(c, pt, d, n, op & 8);
			break;
		}
		case 5: {
			n = fz_take(&f, fz_u16(&f) % (IPMI_PKT_MAX + 1u), &d);
			memcpy(buf, d, n);
			for (size_t i = 0; i + 4 <= n; i++)
				if (memcmp(buf + i, "\xEE\xEE\xEE\xEE", 4) == 0)
					put_u32le(buf + i, c->bmc_sid);
			uint8_t *exact = malloc(n ? n : 1);
			memcpy(exact, buf, n);
			fi_feed(exact, n, (op >> 3) & 1);
			free(exact);
			break;
		}
		case 6: {
			uint8_t t = fz_u8(&f);
			/* up to ~25 s in small steps, or past the 60 s session timeout */
			fi_now += (op & 8) ? 61000 : (int64_t)t * 100;
			fi_port_up = !(t & 1);
			fi_port_room = (t & 2) ? 3 : 4096;
			fi_temp = (t & 4) ? -1000 : (int8_t)t;
			if ((t & 0x10) && fi_users.n > 3) {
				/* the users file was reloaded: operator demoted, "user" removed */
				fi_user_tab[1].priv = PRIV_USER;
				fi_user_tab[2] = fi_user_tab[--fi_users.n];
				users_prepare(&fi_users);
				ipmi_users_changed(&fi_m);
			}
			fi_ticks();
			break;
		}
		case 7:
			if (op & 8) {
				n = fz_take(&f, fz_u8(&f), &d);
				size_t room = sol_room(&fi_sol, fi_now);
				ring_write(&fi_ring, d, n < room ? n : room);
				sol_host_output(&fi_sol, fi_now);
			} else {
				n = fz_take(&f, 4u + fz_u8(&f) % 64u, &d);
				send_payload(c, 1, d, n, false);
			}
			break;
		}
		check_replies();
	}
	return 0;
}
