/* Storage netfn (0x0A): the SEL (the host model's event log), the SDR repository and the
 * FRU 0 inventory image. */
#include <string.h>

#include "cursor.h"
#include "host.h"
#include "ipmi_cmds.h"
#include "sdr.h"
#include "sel.h"

/* --- SEL ---------------------------------------------------------------------------------- */

void sel_get_info(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	(void)rq;
	struct sel *s = host_sel(m->host, m->now);
	wr_u8(w, CC_OK);
	wr_u8(w, 0x51);				/* SEL version */
	wr_u16le(w, s->count);
	wr_u16le(w, (uint16_t)((s->cap - s->count) * SEL_REC_LEN)); /* free bytes */
	wr_u32le(w, s->last_add);
	wr_u32le(w, s->last_erase);
	/* overflow: entries were overwritten; reserve and allocation info supported */
	wr_u8(w, (uint8_t)((s->overwritten ? 0x80 : 0) | 0x02 | 0x01));
}

void sel_get_alloc(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	(void)rq;
	struct sel *s = host_sel(m->host, m->now);
	wr_u8(w, CC_OK);
	wr_u16le(w, s->cap);			/* allocation units */
	wr_u16le(w, SEL_REC_LEN);		/* unit size */
	wr_u16le(w, (uint16_t)(s->cap - s->count)); /* free units */
	wr_u16le(w, (uint16_t)(s->cap - s->count)); /* largest free block */
	wr_u8(w, 1);				/* maximum record size, in units */
}

void sel_reserve_cmd(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	(void)rq;
	uint16_t r = sel_reserve(host_sel(m->host, m->now), (uint16_t)rng_u32(&m->rng));
	wr_u8(w, CC_OK);
	wr_u16le(w, r);
}

void sel_get_entry(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct sel *s = host_sel(m->host, m->now);
	struct rd r = ipmi_rd(rq);
	uint16_t res = rd_u16le(&r), id = rd_u16le(&r);
	uint8_t off = rd_u8(&r), cnt = rd_u8(&r);
	if (ipmi_short(&r, w))
		return;
	/* a reservation is needed only for partial reads */
	if (off != 0 && res != s->reservation) {
		wr_u8(w, CC_BAD_RESERVATION);
		return;
	}
	uint16_t next;
	const struct sel_entry *e = sel_get(s, id, &next);
	if (!e) {
		wr_u8(w, CC_NOT_PRESENT);
		return;
	}
	if (off >= SEL_REC_LEN) {
		wr_u8(w, CC_OUT_OF_RANGE);
		return;
	}
	size_t n = cnt == 0xFF || off + cnt > SEL_REC_LEN ? SEL_REC_LEN - off : cnt;
	wr_u8(w, CC_OK);
	wr_u16le(w, next);
	wr_bytes(w, e->rec + off, n);
}

void sel_add_entry(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct host_who who = { ORIGIN_IPMI, 0, NULL };
	if (rq->s && rq->s->user >= 0) {
		who.user_id = (uint8_t)(rq->s->user + 1);
		who.user = rq->s->user_name;
	}
	struct rd r = ipmi_rd(rq);
	const uint8_t *rec = rd_ptr(&r, SEL_REC_LEN);
	if (ipmi_short(&r, w))
		return;
	uint16_t id = host_sel_add(m->host, rec, who.origin, SELT_RAW, who.user, m->now);
	wr_u8(w, CC_OK);
	wr_u16le(w, id);
}

void sel_clear_cmd(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct sel *s = host_sel(m->host, m->now);
	struct rd r = ipmi_rd(rq);
	uint16_t res = rd_u16le(&r);
	const uint8_t *clr = rd_ptr(&r, 3);
	uint8_t action = rd_u8(&r); /* 0xAA initiate erase, 0x00 get status */
	if (ipmi_short(&r, w))
		return;
	if (memcmp(clr, "CLR", 3) != 0 || (action != 0xAA && action != 0x00)) {
		wr_u8(w, CC_INVALID_FIELD);
		return;
	}
	if (res == 0 || res != s->reservation) {
		wr_u8(w, CC_BAD_RESERVATION);
		return;
	}
	if (action == 0xAA) {
		host_sel_clear(m->host, m->now);
		if (m->cfg.log)
			m->cfg.log(m->cfg.log_ctx, 5, "ipmi: event log cleared by %s",
			       rq->s ? rq->s->user_name : "?");
	}
	wr_u8(w, CC_OK);
	wr_u8(w, 0x01); /* erasure completed */
}

void sel_get_time(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	(void)rq;
	wr_u8(w, CC_OK);
	wr_u32le(w, host_time(m->host));
}

void sel_set_time(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint32_t t = rd_u32le(&r);
	if (ipmi_short(&r, w))
		return;
	host_set_time(m->host, t);
	wr_u8(w, CC_OK);
}

/* --- SDR repository ------------------------------------------------------------------------ */

void sdr_get_info_cmd(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	(void)rq;
	wr_u8(w, CC_OK);
	wr_u8(w, 0x51);
	wr_u16le(w, (uint16_t)(m->cfg.sdr ? m->cfg.sdr->n : 0));
	wr_u16le(w, 0);				/* free space: read-only repository */
	wr_u32le(w, m->cfg.sdr ? m->cfg.sdr->built : 0);
	wr_u32le(w, 0);
	wr_u8(w, 0x02);				/* reserve supported; no updates */
}

void sdr_reserve_cmd(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	(void)rq;
	uint16_t r = (uint16_t)rng_u32(&m->rng);
	if (r == 0 || r == m->sdr_reservation)
		r = (uint16_t)(m->sdr_reservation + 1 ? m->sdr_reservation + 1 : 1);
	m->sdr_reservation = r;
	wr_u8(w, CC_OK);
	wr_u16le(w, r);
}

void sdr_get_cmd(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint16_t res = rd_u16le(&r), id = rd_u16le(&r);
	uint8_t off = rd_u8(&r), cnt = rd_u8(&r);
	if (ipmi_short(&r, w))
		return;
	if (off != 0 && res != m->sdr_reservation) {
		wr_u8(w, CC_BAD_RESERVATION);
		return;
	}
	uint16_t next;
	uint8_t len;
	const uint8_t *rec = m->cfg.sdr ? sdr_get(m->cfg.sdr, id, &next, &len) : NULL;
	if (!rec) {
		wr_u8(w, CC_NOT_PRESENT);
		return;
	}
	if (off > len) {
		wr_u8(w, CC_OUT_OF_RANGE);
		return;
	}
	size_t n = cnt == 0xFF || (size_t)off + cnt > len ? (size_t)(len - off) : cnt;
	wr_u8(w, CC_OK);
	wr_u16le(w, next);
	wr_bytes(w, rec + off, n);
}

/* --- FRU ----------------------------------------------------------------------------------- */

void fru_get_area_info(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint8_t dev = rd_u8(&r); /* FRU device ID */
	if (ipmi_short(&r, w))
		return;
	if (dev != 0 || !m->cfg.fru_len) {
		wr_u8(w, CC_NOT_PRESENT); /* pyghmi expects 0xCB for a missing FRU */
		return;
	}
	wr_u8(w, CC_OK);
	wr_u16le(w, (uint16_t)m->cfg.fru_len);
	wr_u8(w, 0x00); /* byte access */
}

void fru_read(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	struct rd r = ipmi_rd(rq);
	uint8_t dev = rd_u8(&r);
	size_t off = rd_u16le(&r), cnt = rd_u8(&r);
	if (ipmi_short(&r, w))
		return;
	if (dev != 0 || !m->cfg.fru_len) {
		wr_u8(w, CC_NOT_PRESENT);
		return;
	}
	if (off >= m->cfg.fru_len) {
		wr_u8(w, CC_OUT_OF_RANGE);
		return;
	}
	if (cnt > m->cfg.fru_len - off)
		cnt = m->cfg.fru_len - off;
	if (cnt > 200)
		cnt = 200; /* keep the answer inside one IPMI message */
	wr_u8(w, CC_OK);
	wr_u8(w, (uint8_t)cnt);
	wr_bytes(w, m->cfg.fru + off, cnt);
}

void fru_write(struct ipmi *m, const struct ipmi_req *rq, struct wr *w)
{
	(void)m;
	(void)rq;
	wr_u8(w, CC_FRU_WRITE_PROTECTED); /* the image is built from the config */
}
