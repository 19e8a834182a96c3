/* Chassis netfn (0x00): power state and control, identify. */
#include <string.h>

#include "cursor.h"
#include "host.h"
#include "ipmi_cmds.h"

static struct host_who who_of(const struct ipmi *m, const struct ipmi_req *rq)
{
	struct host_who who = { ORIGIN_IPMI, 0, NULL };
	if (rq->s && rq->s->user >= 0) {
		who.user_id = (uint8_t)(rq->s->user + 1);
		who.user = rq->s->user_name;
	}
	(void)m;
	return who;
}

void chassis_get_caps(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	(void)m;
	(void)rq;
	wr_u8(w, CC_OK);
	wr_u8(w, 0x00);	/* no intrusion sensor, no front panel lockout */
	wr_u8(w, 0x20);	/* FRU info device address: the BMC */
	wr_u8(w, 0x20);	/* SDR device address */
	wr_u8(w, 0x20);	/* SEL device address */
	wr_u8(w, 0x20);	/* system management device address */
}

void chassis_get_status(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	(void)rq;
	struct host_status st;
	host_get_status(m->host, &st, m->now);
	if (!st.available) {
		wr_u8(w, CC_NODE_BUSY); /* the backend (kvmd) is away: the state is not known */
		return;
	}
	wr_u8(w, CC_OK);
	wr_u8(w, (uint8_t)((st.on ? 0x01 : 0x00) | (st.policy & 3) << 5));
	wr_u8(w, st.last_event);
	wr_u8(w, (uint8_t)(0x40 | (st.identify & 3) << 4)); /* identify state supported */
}

void chassis_control(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	static const int map[] = {
		[0] = HOST_OFF, [1] = HOST_ON, [2] = HOST_CYCLE, [3] = HOST_RESET,
		[4] = -1 /* diagnostic interrupt: no such wire on an ATX header */,
		[5] = HOST_SOFT,
	};
	struct rd r = ipmi_rd(rq);
	uint8_t c = rd_u8(&r) & 0x0F;
	if (ipmi_short(&r, w))
		return;
	if (c >= sizeof(map) / sizeof(map[0]) || map[c] < 0) {
		wr_u8(w, CC_INVALID_FIELD);
		return;
	}
	struct host_who who = who_of(m, rq);
	int rc = host_request(m->host, (enum host_action)map[c], &who, m->now);
	/* a full queue or an unreachable backend (kvmd away): busy, try again */
	wr_u8(w, rc == 0 ? CC_OK : CC_NODE_BUSY);
}

void chassis_identify(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	/* both fields optional: interval (default 15 s), then "force identify on" */
	struct rd r = ipmi_rd(rq);
	unsigned seconds = rd_left(&r) >= 1 ? rd_u8(&r) : 15;
	bool force = rd_left(&r) >= 1 && (rd_u8(&r) & 1);
	host_identify(m->host, seconds, force, m->now);
	wr_u8(w, CC_OK);
}

void chassis_set_policy(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint8_t p = rd_u8(&r) & 0x07;
	if (ipmi_short(&r, w))
		return;
	if (p > 3) {
		wr_u8(w, CC_INVALID_FIELD);
		return;
	}
	if (p != 3) { /* 3: no change, just report what is supported */
		struct host_who who = who_of(m, rq);
		host_set_policy(m->host, p, &who, m->now);
	}
	wr_u8(w, CC_OK);
	wr_u8(w, 0x07); /* always-off, previous and always-on are supported */
}

void chassis_restart_cause(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	(void)rq;
	struct host_status st;
	host_get_status(m->host, &st, m->now);
	wr_u8(w, CC_OK);
	wr_u8(w, st.restart_cause & 0x0F);
	wr_u8(w, st.restart_cause == 0x01 ? m->cfg.channel : 0x00);
}

void chassis_poh(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	(void)rq;
	struct host_status st;
	host_get_status(m->host, &st, m->now);
	wr_u8(w, CC_OK);
	wr_u8(w, 1); /* minutes per count */
	wr_u32le(w, st.poh_minutes);
}

/* IPMI boot device selector (boot flags byte 2, bits 5:2) <-> the shared boot target */
static const uint8_t target_to_ipmi[BOOT_TARGET_COUNT] = {
	[BOOT_NONE] = 0x0, [BOOT_PXE] = 0x1, [BOOT_HDD] = 0x2, [BOOT_HDD_SAFE] = 0x3,
	[BOOT_DIAGS] = 0x4, [BOOT_CD] = 0x5, [BOOT_BIOS] = 0x6, [BOOT_REMOTE_FLOPPY] = 0x7,
	[BOOT_REMOTE_CD] = 0x8, [BOOT_REMOTE_MEDIA] = 0x9, [BOOT_REMOTE_HDD] = 0xB,
	[BOOT_FLOPPY] = 0xF, [BOOT_USB] = 0xF, [BOOT_UEFI_HTTP] = 0x1,
};

static int target_from_ipmi(uint8_t sel)
{
	static const int8_t map[16] = { BOOT_NONE, BOOT_PXE, BOOT_HDD, BOOT_HDD_SAFE, BOOT_DIAGS,
					BOOT_CD, BOOT_BIOS, BOOT_REMOTE_FLOPPY, BOOT_REMOTE_CD,
					BOOT_REMOTE_MEDIA, -1, BOOT_REMOTE_HDD, -1, -1, -1,
					BOOT_FLOPPY };
	return map[sel & 0x0F];
}

void chassis_get_boot(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint8_t param = rd_u8(&r) & 0x7F; /* then set and block selectors, unused */
	if (ipmi_short(&r, w))
		return;
	uint8_t d[9];
	struct wr x = wr_init(d, sizeof(d));
	switch (param) {
	case 0: wr_u8(&x, m->boot_set_in_progress); break;
	case 1: wr_u8(&x, m->boot_service_partition); break;
	case 2: wr_u8(&x, m->boot_service_scan); break;
	case 3: wr_u8(&x, m->boot_valid_clearing); break;
	case 4: wr_u8(&x, 0x00); wr_u8(&x, m->boot_ack_data); break;
	case 5: {
		struct boot_override b;
		host_get_boot(m->host, &b, m->now);
		bool valid = b.enabled != BOOT_DISABLED;
		wr_u8(&x, (uint8_t)((valid ? 0x80 : 0) | (b.enabled == BOOT_CONTINUOUS ? 0x40 : 0) |
				    (b.uefi ? 0x20 : 0)));
		wr_u8(&x, (uint8_t)((b.ipmi_extra[0] & 0xC3) |
				    (b.target < BOOT_TARGET_COUNT ? target_to_ipmi[b.target] : 0) << 2));
		wr_bytes(&x, b.ipmi_extra + 1, 3);
		break;
	}
	case 6: wr_bytes(&x, m->boot_initiator, 9); break;
	default:
		wr_u8(w, CC_PARAM_UNSUPPORTED);
		return;
	}
	wr_u8(w, CC_OK);
	wr_u8(w, 0x01);		/* parameter version */
	wr_u8(w, param);	/* valid (bit 7 clear), selector */
	wr_bytes(w, d, x.len);
}

void chassis_set_boot(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint8_t param = rd_u8(&r) & 0x7F;
	static const uint8_t need[7] = { 1, 1, 1, 1, 2, 5, 9 }; /* data bytes per parameter */
	if (ipmi_short(&r, w))
		return;
	if (param > 6) {
		wr_u8(w, CC_PARAM_UNSUPPORTED);
		return;
	}
	if (rd_left(&r) < need[param]) {
		wr_u8(w, CC_REQ_LEN);
		return;
	}
	switch (param) {
	case 0: {
		uint8_t v = rd_u8(&r) & 0x03;
		if (v == 1 && m->boot_set_in_progress == 1) {
			wr_u8(w, CC_SET_IN_PROGRESS);
			return;
		}
		m->boot_set_in_progress = v == 1 ? 1 : 0; /* commit write: nothing pending */
		break;
	}
	case 1: m->boot_service_partition = rd_u8(&r); break;
	case 2: m->boot_service_scan = rd_u8(&r); break;
	case 3: m->boot_valid_clearing = rd_u8(&r) & 0x1F; break;
	case 4: {
		uint8_t mask = rd_u8(&r), ack = rd_u8(&r);
		m->boot_ack_data = (uint8_t)((m->boot_ack_data & ~mask) | (ack & mask));
		break;
	}
	case 5: {
		uint8_t d0 = rd_u8(&r), d1 = rd_u8(&r);
		int t = target_from_ipmi((uint8_t)((d1 >> 2) & 0x0F));
		if (t < 0) {
			wr_u8(w, CC_INVALID_FIELD);
			return;
		}
		struct boot_override b = { 0 };
		b.enabled = !(d0 & 0x80) ? BOOT_DISABLED : (d0 & 0x40) ? BOOT_CONTINUOUS : BOOT_ONCE;
		b.target = (uint8_t)t;
		b.uefi = d0 & 0x20;
		b.ipmi_extra[0] = d1 & 0xC3;
		rd_bytes(&r, b.ipmi_extra + 1, 3);
		struct host_who who = who_of(m, rq);
		host_set_boot(m->host, &b, &who, m->now);
		break;
	}
	case 6: rd_bytes(&r, m->boot_initiator, 9); break;
	}
	wr_u8(w, CC_OK);
}
