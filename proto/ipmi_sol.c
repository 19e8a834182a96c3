/* IPMI commands around SoL: payload activation (App 0x48-0x4B, 0x4F) and the SOL
 * configuration parameters (Transport 0x21/0x22). */
#include <string.h>

#include "cursor.h"
#include "ipmi_cmds.h"
#include "sol.h"

/* Privileges are re-checked after every change: a console whose session now sits below
 * the SoL privilege (Set Session Privilege Level, Set SOL Configuration) loses SoL
 * (sol_recheck). */

void app_activate_payload(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct sol *s = sol_of(m);
	struct rd r = ipmi_rd(rq);
	uint8_t type = rd_u8(&r) & 0x3F, inst = rd_u8(&r) & 0x0F, aux = rd_u8(&r);
	struct ipmi_session *sess = rq->s;
	if (ipmi_short(&r, w))
		return;
	if (type != 1 || inst != 1) {
		wr_u8(w, type != 1 ? CC_INVALID_FIELD : CC_OUT_OF_RANGE);
		return;
	}
	if (!s || !s->configured || !s->p.enabled) {
		wr_u8(w, CC_PAYLOAD_DISABLED);
		return;
	}
	if (s->s) {
		wr_u8(w, CC_PAYLOAD_ACTIVE); /* on this or another session */
		return;
	}
	if (sess->priv < (s->p.auth & 0x0F)) {
		wr_u8(w, CC_INSUFFICIENT_PRIV);
		return;
	}
	if ((aux & 0x80) && sess->conf_alg == 0) {
		wr_u8(w, CC_PAYLOAD_NO_ENCRYPTION); /* asked for encryption, the session has none */
		return;
	}
	if (((s->p.auth & 0x80) && sess->conf_alg == 0) || ((s->p.auth & 0x40) && sess->integ_alg == 0)) {
		wr_u8(w, CC_PAYLOAD_NEEDS_ENCRYPTION); /* (and authentication) */
		return;
	}
	sol_activate(s, sess);
	wr_u8(w, CC_OK);
	wr_fill(w, 0, 4);			/* auxiliary data */
	wr_u16le(w, SOL_PAYLOAD_MAX);		/* inbound payload size */
	wr_u16le(w, SOL_PAYLOAD_MAX);		/* outbound payload size */
	wr_u16le(w, s->udp_port);		/* payload UDP port: the same as IPMI's */
	wr_u16le(w, 0xFFFF);			/* no VLAN */
}

void app_deactivate_payload(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct sol *s = sol_of(m);
	struct rd r = ipmi_rd(rq);
	uint8_t type = rd_u8(&r) & 0x3F, inst = rd_u8(&r) & 0x0F;
	if (ipmi_short(&r, w))
		return;
	if (type != 1 || inst != 1) {
		wr_u8(w, type != 1 ? CC_INVALID_FIELD : CC_OUT_OF_RANGE);
		return;
	}
	if (!s || !s->configured) {
		wr_u8(w, CC_PAYLOAD_DISABLED);
		return;
	}
	if (!s->s) {
		wr_u8(w, CC_PAYLOAD_INACTIVE); /* already deactivated */
		return;
	}
	if (s->s != rq->s && rq->s->priv < PRIV_ADMIN) {
		wr_u8(w, CC_INSUFFICIENT_PRIV);
		return;
	}
	if (s->s == rq->s) {
		sol_release(s); /* the owner asked: no "closed by BMC" notice, just stop */
	} else {
		sol_deactivate(s, "deactivated by an administrator");
	}
	wr_u8(w, CC_OK);
}

void app_payload_status(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint8_t type = rd_u8(&r) & 0x3F;
	if (ipmi_short(&r, w))
		return;
	if (type != 1) {
		wr_u8(w, CC_INVALID_FIELD);
		return;
	}
	wr_u8(w, CC_OK);
	wr_u8(w, 1); /* one instance */
	struct sol *s = sol_of(m);
	wr_u8(w, s && s->s ? 0x01 : 0x00);
	wr_u8(w, 0);
}

void app_payload_instance(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint8_t type = rd_u8(&r) & 0x3F, inst = rd_u8(&r);
	if (ipmi_short(&r, w))
		return;
	if (type != 1 || inst != 1) {
		wr_u8(w, CC_INVALID_FIELD);
		return;
	}
	struct sol *s = sol_of(m);
	struct ipmi_session *owner = s ? s->s : NULL;
	/* the owner's session ID only to the owner and administrators (who may deactivate it);
	 * others learn that the instance is taken from Get Payload Activation Status */
	bool show = owner && (owner == rq->s || (rq->s && rq->s->priv >= PRIV_ADMIN));
	wr_u8(w, CC_OK);
	wr_u32le(w, show ? owner->bmc_sid : 0);
	wr_u8(w, 1);		/* serial port 1 */
	wr_fill(w, 0, 7);
}

void app_payload_version(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint8_t ch = rd_u8(&r), type = rd_u8(&r) & 0x3F;
	if (ipmi_short(&r, w))
		return;
	if (!ipmi_our_channel(m, ch)) {
		wr_u8(w, CC_INVALID_FIELD);
		return;
	}
	struct sol *s = sol_of(m);
	if (type > 1 || (type == 1 && !(s && s->configured))) {
		wr_u8(w, CC_PAYLOAD_UNAVAILABLE); /* on this channel */
		return;
	}
	wr_u8(w, CC_OK);
	wr_u8(w, 0x10); /* version 1.0 */
}

/* Get User Payload Access: the users file is the one database, so a user "may activate"
 * SoL exactly when Activate Payload would let them: SoL is on and the user's privilege
 * limit reaches the SoL privilege. Set User Payload Access answers 0xD5 (read-only). */
void app_get_user_payload_access(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint8_t ch = rd_u8(&r), id = rd_u8(&r) & 0x3F;
	if (ipmi_short(&r, w))
		return;
	if (!ipmi_our_channel(m, ch) || id == 0 || id > m->users->max) {
		wr_u8(w, CC_INVALID_FIELD);
		return;
	}
	struct sol *s = sol_of(m);
	bool sol_on = s && s->configured && s->p.enabled;
	bool may = sol_on && id <= m->users->n && m->users->u[id - 1].priv >= (s->p.auth & 0x0F);
	wr_u8(w, CC_OK);
	wr_u8(w, may ? 0x02 : 0x00); /* standard payload 1 (SoL) */
	wr_u8(w, 0x00);
	wr_u8(w, 0x00);	/* no OEM payloads */
	wr_u8(w, 0x00);
}

/* Bit-rate codes of the SOL parameters: 6 9600, 7 19200, 8 38400, 9 57600, 10 115200. */
static bool rate_ok(uint8_t c) { return c == 0 || (c >= 6 && c <= 10); }

void sol_get_config(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct sol *s = sol_of(m);
	struct rd r = ipmi_rd(rq);
	uint8_t ch = rd_u8(&r), param = rd_u8(&r); /* then set and block selectors, unused */
	bool rev_only = ch & 0x80;
	if (ipmi_short(&r, w))
		return;
	if (!ipmi_our_channel(m, ch) || !s) {
		wr_u8(w, CC_INVALID_FIELD);
		return;
	}
	uint8_t d[2];
	size_t n = 1;
	switch (param) {
	case 0: d[0] = s->p.set_in_progress; break;
	case 1: d[0] = s->p.enabled ? 1 : 0; break;
	case 2: d[0] = s->p.auth; break;
	case 3: d[0] = s->p.accumulate; d[1] = s->p.threshold; n = 2; break;
	case 4: d[0] = s->p.retry_count; d[1] = s->p.retry_interval; n = 2; break;
	case 5: d[0] = s->p.nv_rate; break;
	case 6: d[0] = s->p.v_rate; break;
	case 7: d[0] = m->cfg.channel; break;
	case 8: d[0] = (uint8_t)s->udp_port; d[1] = (uint8_t)(s->udp_port >> 8); n = 2; break;
	default:
		wr_u8(w, CC_PARAM_UNSUPPORTED);
		return;
	}
	wr_u8(w, CC_OK);
	wr_u8(w, 0x11);
	if (!rev_only)
		wr_bytes(w, d, n);
}

void sol_set_config(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct sol *s = sol_of(m);
	struct rd r = ipmi_rd(rq);
	uint8_t ch = rd_u8(&r), param = rd_u8(&r);
	static const uint8_t need[9] = { 1, 1, 1, 2, 2, 1, 1, 1, 2 }; /* data bytes per parameter */
	if (ipmi_short(&r, w))
		return;
	if (!ipmi_our_channel(m, ch) || !s) {
		wr_u8(w, CC_INVALID_FIELD);
		return;
	}
	if (param > 8) {
		wr_u8(w, CC_PARAM_UNSUPPORTED);
		return;
	}
	if (rd_left(&r) < need[param]) {
		wr_u8(w, CC_REQ_LEN);
		return;
	}
	uint8_t d0 = rd_u8(&r), d1 = need[param] > 1 ? rd_u8(&r) : 0;
	switch (param) {
	case 0: {
		uint8_t v = d0 & 0x03;
		if (v == 1 && s->p.set_in_progress == 1) {
			wr_u8(w, CC_SET_IN_PROGRESS);
			return;
		}
		s->p.set_in_progress = v == 1 ? 1 : 0;
		break;
	}
	case 1:
		if (!s->configured && (d0 & 1)) {
			wr_u8(w, CC_NOT_SUPPORTED_NOW); /* no serial device configured */
			return;
		}
		s->p.enabled = d0 & 1;
		if (!s->p.enabled)
			sol_deactivate(s, "SoL disabled");
		break;
	case 2:
		if ((d0 & 0x0F) < PRIV_USER || (d0 & 0x0F) > PRIV_ADMIN) {
			wr_u8(w, CC_INVALID_FIELD);
			return;
		}
		s->p.auth = d0 & 0xCF;
		sol_recheck(s);
		break;
	case 3:
		if (d0 == 0 || d1 == 0) {
			wr_u8(w, CC_INVALID_FIELD);
			return;
		}
		s->p.accumulate = d0;
		s->p.threshold = d1;
		break;
	case 4:
		s->p.retry_count = d0 & 0x07;
		s->p.retry_interval = d1;
		break;
	case 5:
	case 6:
		if (!rate_ok(d0 & 0x0F)) {
			wr_u8(w, CC_INVALID_FIELD);
			return;
		}
		if (param == 5) {
			s->p.nv_rate = d0 & 0x0F;
		} else {
			s->p.v_rate = d0 & 0x0F;
			if (s->port.set_rate)
				s->port.set_rate(s->port.ctx, s->p.v_rate);
		}
		break;
	default:
		wr_u8(w, CC_PARAM_READ_ONLY); /* the channel and the port are bmcd's own */
		return;
	}
	wr_u8(w, CC_OK);
}
