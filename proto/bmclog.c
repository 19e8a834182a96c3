#include "bmclog.h"

#include <string.h>

void bmclog_init(struct bmclog *b, struct bmclog_entry *buf, uint16_t cap)
{
	memset(b, 0, sizeof(*b));
	b->e = buf;
	b->cap = cap;
	b->next_id = 1;
}

static uint8_t kind_of(const char *t)
{
	static const struct { const char *prefix; uint8_t kind; } k[] = {
		{ "ipmi:", BL_IPMI }, { "redfish:", BL_REDFISH }, { "sol:", BL_CONSOLE },
		{ "uart:", BL_CONSOLE }, { "host:", BL_HOST }, { "kvmd:", BL_HOST },
		{ "gpio:", BL_HOST },
	};
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (strncmp(t, k[i].prefix, strlen(k[i].prefix)) == 0)
			return k[i].kind;
	return BL_SERVICE;
}

void bmclog_add(struct bmclog *b, int level, uint32_t now, const char *text)
{
	if (!b->cap || level < 3 || level > 6 || !text)
		return;
	struct bmclog_entry *e;
	if (b->n < b->cap) {
		e = &b->e[(b->head + b->n) % b->cap];
		b->n++;
	} else {
		e = &b->e[b->head];
		b->head = (uint16_t)((b->head + 1) % b->cap);
		b->overwritten++;
	}
	e->id = b->next_id++;
	if (b->next_id == 0)
		b->next_id = 1;
	e->created = now;
	e->level = (uint8_t)level;
	e->kind = kind_of(text);
	size_t i = 0;
	for (; i < BMCLOG_TEXT_MAX && text[i]; i++) {
		unsigned char c = (unsigned char)text[i];
		e->text[i] = c >= 0x20 && c < 0x7F ? (char)c : '?';
	}
	e->text[i] = 0;
}

const struct bmclog_entry *bmclog_at(const struct bmclog *b, uint16_t i)
{
	return i < b->n ? &b->e[(b->head + i) % b->cap] : NULL;
}

const struct bmclog_entry *bmclog_find(const struct bmclog *b, uint32_t id)
{
	for (uint16_t i = 0; i < b->n; i++) {
		const struct bmclog_entry *e = bmclog_at(b, i);
		if (e->id == id)
			return e;
	}
	return NULL;
}

void bmclog_clear(struct bmclog *b)
{
	b->n = b->head = 0;
	b->overwritten = 0;
}

const char *bmclog_message(uint8_t kind)
{
	static const char *const names[BL_KINDS] = {
		[BL_SERVICE] = "ServiceEvent", [BL_IPMI] = "IpmiEvent",
		[BL_REDFISH] = "RedfishEvent", [BL_CONSOLE] = "ConsoleEvent",
		[BL_HOST] = "HostEvent",
	};
	return kind < BL_KINDS ? names[kind] : names[BL_SERVICE];
}

const char *bmclog_severity(uint8_t level)
{
	return level <= 3 ? "Critical" : level == 4 ? "Warning" : "OK";
}
