#include "parse.h"

#include "ascii.h"

#include <string.h>

bool parse_u32(const char *s, size_t len, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	if (len == 0 || len > 20)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!ascii_digit((unsigned char)s[i]))
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
		if (v > 0xFFFFFFFFu)
			return false;
	}
	if (v < min || v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

bool str_eq(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

bool str_ieq(const char *s, size_t len, const char *lit)
{
	if (strlen(lit) != len)
		return false;
	return ascii_ieq(s, lit, len);
}

bool parse_bool(const char *s, size_t len, bool *out)
{
	if (str_ieq(s, len, "true") || str_ieq(s, len, "yes") || str_ieq(s, len, "on") ||
	    str_eq(s, len, "1"))
		*out = true;
	else if (str_ieq(s, len, "false") || str_ieq(s, len, "no") || str_ieq(s, len, "off") ||
		 str_eq(s, len, "0"))
		*out = false;
	else
		return false;
	return true;
}

bool parse_uuid(const char *s, size_t len, uint8_t out[16])
{
	if (len != 36)
		return false;
	size_t o = 0;
	for (size_t i = 0; i < 36;) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
			i++;
			continue;
		}
		int h = ascii_hex((unsigned char)s[i]), l = ascii_hex((unsigned char)s[i + 1]);
		if (h < 0 || l < 0)
			return false;
		out[o++] = (uint8_t)(h << 4 | l);
		i += 2;
	}
	return o == 16;
}

void trim(const char **s, size_t *len)
{
	while (*len && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' || (*s)[*len - 1] == '\r'))
		(*len)--;
}

const char *log_safe(const char *s, size_t n, char *out, size_t cap)
{
	size_t i = 0;
	if (!cap)
		return out;
	for (; s && i < n && i + 1 < cap; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7F ? s[i] : '?';
	out[i] = 0;
	return out;
}
