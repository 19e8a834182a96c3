#include "sel.h"

#include <string.h>

#include "cursor.h"

void sel_init(struct sel *s, struct sel_entry *buf, uint16_t cap)
{
	memset(s, 0, sizeof(*s));
	s->e = buf;
	s->cap = cap;
	s->next_id = 1;
}

static bool timestamped(uint8_t type) { return type < 0xE0; }

uint16_t sel_add(struct sel *s, const uint8_t rec[SEL_REC_LEN], uint32_t now, uint8_t origin,
		 uint8_t text, const char *user)
{
	if (s->cap == 0)
		return 0;
	uint16_t slot;
	if (s->count < s->cap) {
		slot = (uint16_t)((s->head + s->count) % s->cap);
		s->count++;
	} else {
		slot = s->head;
		s->head = (uint16_t)((s->head + 1) % s->cap);
		s->overwritten++;
	}
	struct sel_entry *e = &s->e[slot];
	memcpy(e->rec, rec, SEL_REC_LEN);
	uint16_t id = s->next_id;
	s->next_id = (uint16_t)(id >= 0xFFFE ? 1 : id + 1);
	put_u16le(e->rec, id);
	if (timestamped(e->rec[2]))
		put_u32le(e->rec + 3, now);
	e->origin = origin;
	e->text = text;
	memset(e->user, 0, sizeof(e->user));
	e->what[0] = 0;
	if (user)
		strncpy(e->user, user, USER_NAME_MAX);
	s->last_add = now;
	s->adds++;
	return id;
}

const struct sel_entry *sel_at(const struct sel *s, uint16_t i)
{
	if (i >= s->count)
		return NULL;
	return &s->e[(s->head + i) % s->cap];
}

uint16_t sel_record_id(const struct sel_entry *e) { return get_u16le(e->rec); }

uint32_t sel_timestamp(const struct sel_entry *e)
{
	return timestamped(e->rec[2]) ? get_u32le(e->rec + 3) : 0;
}

void sel_set_what(struct sel *s, uint16_t id, const char *what)
{
	if (!s->count)
		return;
	struct sel_entry *e = &s->e[(s->head + s->count - 1) % s->cap];
	if (sel_record_id(e) != id)
		return;
	size_t n = strnlen(what, SEL_WHAT_MAX);
	memcpy(e->what, what, n);
	e->what[n] = 0;
}

const struct sel_entry *sel_get(const struct sel *s, uint16_t id, uint16_t *next)
{
	if (s->count == 0)
		return NULL;
	uint16_t i;
	if (id == SEL_ID_FIRST) {
		i = 0;
	} else if (id == SEL_ID_LAST) {
		i = (uint16_t)(s->count - 1);
	} else {
		for (i = 0; i < s->count; i++)
			if (sel_record_id(sel_at(s, i)) == id)
				break;
		if (i == s->count)
			return NULL;
	}
	*next = i + 1 < s->count ? sel_record_id(sel_at(s, (uint16_t)(i + 1))) : 0xFFFF;
	return sel_at(s, i);
}

void sel_clear(struct sel *s, uint32_t now)
{
	s->head = 0;
	s->count = 0;
	s->last_erase = now;
	s->reservation = 0;
	s->adds++;
}

uint16_t sel_reserve(struct sel *s, uint16_t nonce)
{
	uint16_t r = nonce ? nonce : 1;
	if (r == s->reservation)
		r = (uint16_t)(r + 1 ? r + 1 : 1);
	s->reservation = r;
	return r;
}

void sel_make_event(uint8_t rec[SEL_REC_LEN], uint8_t sensor_type, uint8_t sensor_num,
		    uint8_t event_type, bool deassert, uint8_t ed1, uint8_t ed2, uint8_t ed3)
{
	memset(rec, 0, SEL_REC_LEN);
	rec[2] = 0x02;		/* system event record */
	rec[7] = 0x20;		/* generator: BMC, slave address 0x20 */
	rec[8] = 0x00;		/* channel 0, LUN 0 */
	rec[9] = 0x04;		/* event message format revision (IPMI 2.0) */
	rec[10] = sensor_type;
	rec[11] = sensor_num;
	rec[12] = (uint8_t)((deassert ? 0x80 : 0) | (event_type & 0x7F));
	rec[13] = ed1;
	rec[14] = ed2;
	rec[15] = ed3;
}
