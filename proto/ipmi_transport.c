/* Transport netfn (0x0C): LAN configuration parameters for channel 1, read-only. */
#include <string.h>

#include "cursor.h"
#include "ipmi_cmds.h"

void lan_get_config(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint8_t ch = rd_u8(&r), param = rd_u8(&r); /* then set and block selectors, unused */
	bool rev_only = ch & 0x80;
	if (ipmi_short(&r, w))
		return;
	if (!ipmi_our_channel(m, ch)) {
		wr_u8(w, CC_INVALID_FIELD);
		return;
	}
	struct lan_info li;
	memset(&li, 0, sizeof(li));
	if (m->cfg.lan_info && rq->s)
		m->cfg.lan_info(m->cfg.info_ctx, &rq->s->peer, &li);
	uint8_t data[24];
	struct wr d = wr_init(data, sizeof(data));
	switch (param) {
	case 0: wr_u8(&d, m->lan_set_in_progress); break;
	case 1: wr_u8(&d, 0x00); break;		/* no IPMI 1.5 authentication types */
	case 2: wr_fill(&d, 0, 5); break;	/* ... enabled at no privilege level */
	case 3: wr_bytes(&d, li.ip, 4); break;
	case 4: wr_u8(&d, li.source); break;
	case 5: wr_bytes(&d, li.mac, 6); break;
	case 6: wr_bytes(&d, li.mask, 4); break;
	case 7: wr_u8(&d, 0x40); wr_u8(&d, 0x40); wr_u8(&d, 0x10); break; /* TTL, DF, TOS */
	case 10: wr_u8(&d, 0x00); break;	/* BMC-generated ARP: off */
	case 11: wr_u8(&d, 0x00); break;
	case 12: wr_bytes(&d, li.gw, 4); break;
	case 13: wr_bytes(&d, li.gw_mac, 6); break;
	case 14: wr_fill(&d, 0, 4); break;	/* no backup gateway */
	case 15: wr_fill(&d, 0, 6); break;
	case 16: wr_fill(&d, 0, 18); break;	/* no SNMP traps: empty community */
	case 17: wr_u8(&d, 0x00); break;	/* no alert destinations */
	case 20: wr_u16le(&d, 0); break;	/* no VLAN */
	case 21: wr_u8(&d, 0); break;
	case 22: wr_u8(&d, m->cfg.nsuites); break;
	case 23:
		wr_u8(&d, 0);
		wr_bytes(&d, m->cfg.suites, m->cfg.nsuites);
		break;
	case 24: {
		/* maximum privilege per cipher suite ID (0..15), a nibble each, as FreeIPMI,
		 * ipmitool and OpenBMC read it (not per entry of parameter 23): ADMIN for the
		 * suites offered, 0 (unused) for the rest; IDs above 15 have no nibble */
		uint8_t nib[16] = { 0 };
		for (int i = 0; i < m->cfg.nsuites; i++)
			if (m->cfg.suites[i] < 16)
				nib[m->cfg.suites[i]] = PRIV_ADMIN;
		wr_u8(&d, 0);
		for (int i = 0; i < 16; i += 2)
			wr_u8(&d, (uint8_t)(nib[i] | nib[i + 1] << 4));
		break;
	}
	default:
		wr_u8(w, CC_PARAM_UNSUPPORTED);
		return;
	}
	wr_u8(w, CC_OK);
	wr_u8(w, 0x11); /* parameter revision */
	if (!rev_only)
		wr_bytes(w, data, d.len);
}

void lan_set_config(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint8_t ch = rd_u8(&r), param = rd_u8(&r);
	if (ipmi_short(&r, w))
		return;
	if (!ipmi_our_channel(m, ch)) {
		wr_u8(w, CC_INVALID_FIELD);
		return;
	}
	if (param == 0 && rd_left(&r) >= 1) {
		/* set-in-progress is accepted so tools can open and close a (no-op) edit */
		m->lan_set_in_progress = rd_u8(&r) & 0x03;
		if (m->lan_set_in_progress == 2)
			m->lan_set_in_progress = 0;
		wr_u8(w, CC_OK);
		return;
	}
	/* the network is the host OS's business on a PiKVM: read-only here */
	wr_u8(w, param <= 26 ? CC_PARAM_READ_ONLY : CC_PARAM_UNSUPPORTED);
}
