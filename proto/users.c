#include "users.h"

#include <string.h>

#include "crypto.h"

int users_find(const struct users *us, const char *name, size_t len)
{
	if (len == 0 || len > USER_NAME_MAX)
		return -1;
	for (int i = 0; i < us->n; i++)
		if (us->u[i].name_len == len && memcmp(us->u[i].name, name, len) == 0)
			return i;
	return -1;
}

void users_prepare(struct users *us)
{
	for (int i = 0; i < us->n; i++) {
		struct user *u = &us->u[i];
		uint8_t h[MAC_MAX];
		struct iov v[3] = { { u->name, USER_NAME_MAX }, { u->pass, USER_PASS_MAX },
				    { &u->priv, 1 } };
		hmac_iov(HASH_SHA256, "bmcd credential stamp", 21, v, 3, h);
		memcpy(&u->stamp, h, sizeof(u->stamp));
		hmac_key_init(&u->kuid_sha1, HASH_SHA1, u->pass, USER_PASS_MAX);
		hmac_key_init(&u->kuid_sha256, HASH_SHA256, u->pass, USER_PASS_MAX);
	}
}

bool users_check_password(const struct user *u, const char *pw, size_t len)
{
	uint8_t padded[USER_PASS_MAX] = { 0 };
	bool len_ok = len == u->pass_len;
	memcpy(padded, pw, len > USER_PASS_MAX ? USER_PASS_MAX : len);
	bool eq = ct_equal(padded, u->pass, USER_PASS_MAX);
	return eq & len_ok;
}

const char *priv_name(int priv)
{
	switch (priv) {
	case PRIV_CALLBACK: return "CALLBACK";
	case PRIV_USER: return "USER";
	case PRIV_OPERATOR: return "OPERATOR";
	case PRIV_ADMIN: return "ADMINISTRATOR";
	default: return "NONE";
	}
}
