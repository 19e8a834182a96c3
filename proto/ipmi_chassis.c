/* Chassis netfn (0x00): power state and control, identify. */
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
	host_get_status(m->host, &st);
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
	uint8_t c = rq->data[0] & 0x0F;
	if (c >= sizeof(map) / sizeof(map[0]) || map[c] < 0) {
		wr_u8(w, CC_INVALID_FIELD);
		return;
	}
	struct host_who who = who_of(m, rq);
	int r = host_request(m->host, (enum host_action)map[c], &who);
	wr_u8(w, r == 0 ? CC_OK : r == -1 ? CC_NODE_BUSY : CC_UNSPECIFIED);
}

void chassis_identify(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	unsigned seconds = rq->len >= 1 ? rq->data[0] : 15;
	bool force = rq->len >= 2 && (rq->data[1] & 1);
	host_identify(m->host, seconds, force);
	wr_u8(w, CC_OK);
}
