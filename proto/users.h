/*
 * The one user database, shared by IPMI and Redfish. Filled once at start-up (and on
 * SIGHUP) by firmware/users.c from `name:password[:privilege]` lines; protocol engines only
 * look users up. IPMI needs the plaintext password as its RAKP key (K_UID), so passwords
 * are kept as given, zero-padded to 20 bytes, and the file is read before privileges drop.
 */
#ifndef BMCD_USERS_H
#define BMCD_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

#define USER_NAME_MAX 16 /* IPMI user names: 16 bytes */
#define USER_PASS_MAX 20 /* IPMI 2.0 passwords: 20 bytes */
#define USERS_HARD_MAX 63 /* IPMI user IDs are 6 bits; ID 0 is reserved */

/* IPMI privilege levels, also used for Redfish roles. */
enum priv { PRIV_NONE = 0, PRIV_CALLBACK = 1, PRIV_USER = 2, PRIV_OPERATOR = 3, PRIV_ADMIN = 4 };

struct user {
	char name[USER_NAME_MAX + 1];
	uint8_t name_len;
	uint8_t pass[USER_PASS_MAX]; /* zero-padded: exactly K_UID */
	uint8_t pass_len;
	uint8_t priv; /* enum priv */
	uint64_t stamp; /* changes with the name, password or privilege: sessions opened under
			 * other credentials end when the file is reloaded */
	/* K_UID as ready HMAC keys (SHA-1, SHA-256): RAKP uses it three times per login */
	struct hmac_key kuid_sha1, kuid_sha256;
};

struct users {
	struct user *u; /* array of `max` entries, allocated at start-up */
	int n, max;
	uint32_t generation; /* bumped on every reload */
};

/* Index of the user with that exact name, or -1. */
int users_find(const struct users *us, const char *name, size_t len);
/* Derives the per-user keys and stamps; call after filling or reloading the table. */
void users_prepare(struct users *us);
/* Constant-time password check (false for any length mismatch too). */
bool users_check_password(const struct user *u, const char *pw, size_t len);
const char *priv_name(int priv); /* "ADMINISTRATOR", ... for logs */

#endif
