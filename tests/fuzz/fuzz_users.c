/*
 * fuzz_users: the users file. Each line of the input goes through users_parse_line (from
 * an exact-size copy, so ASan sees a read past the line), and the whole input through
 * users_load into a small table (see fuzz_files.h for how it reaches the parser).
 *
 * Checks beyond the sanitizers, from the format's rules (users_file.h, users.h):
 * an accepted line has a 1-16 byte printable name without spaces or ':', a 1-20 byte
 * password, a privilege of user, operator or admin, and the parsed name and password are
 * the line's own bytes; a loaded table has no duplicate names, never more entries than its
 * size, every user is found by name and its password checks (and one byte more does not).
 */
#include "../../firmware/users_file.h"
#include "fuzz_files.h"

#define TABLE 8

static void check_user(const struct user *u, const char *l, size_t ll)
{
	FUZZ_ASSERT(u->name_len >= 1 && u->name_len <= USER_NAME_MAX, "name of %u bytes",
		    u->name_len);
	FUZZ_ASSERT(u->pass_len >= 1 && u->pass_len <= USER_PASS_MAX, "password of %u bytes",
		    u->pass_len);
	FUZZ_ASSERT(u->priv >= PRIV_USER && u->priv <= PRIV_ADMIN, "privilege %u", u->priv);
	FUZZ_ASSERT(u->name[u->name_len] == 0 && strlen(u->name) == u->name_len, "name NUL");
	for (int i = 0; i < u->name_len; i++) {
		unsigned char ch = (unsigned char)u->name[i];
		FUZZ_ASSERT(ch > ' ' && ch < 0x7F && ch != ':', "name byte 0x%02x", ch);
	}
	for (int i = u->pass_len; i < USER_PASS_MAX; i++)
		FUZZ_ASSERT(u->pass[i] == 0, "password not zero-padded");
	if (l) {
		FUZZ_ASSERT(memmem(l, ll, u->name, u->name_len) != NULL, "name not from the line");
		FUZZ_ASSERT(memmem(l, ll, u->pass, u->pass_len) != NULL, "password not from the line");
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	ff_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	for (size_t off = 0, k = 0; off <= size && k < 256; k++) {
		const char *nl = memchr(s + off, '\n', size - off);
		size_t ll = nl ? (size_t)(nl - (s + off)) : size - off;
		char *line = malloc(ll ? ll : 1);
		memcpy(line, s + off, ll);
		struct user u;
		bool blank = false;
		const char *err = users_parse_line(line, ll, &u, &blank);
		if (!err && !blank)
			check_user(&u, line, ll);
		free(line);
		if (!nl)
			break;
		off += ll + 1;
	}

	static struct user tab[TABLE];
	struct users us = { tab, 0, TABLE, 0 };
	ff_write(data, size);
	ff_quiet(true);
	(void)users_load(&us, ff_path);
	ff_quiet(false);
	ff_check_released();
	FUZZ_ASSERT(us.n >= 0 && us.n <= us.max, "%d users in a table of %d", us.n, us.max);
	for (int i = 0; i < us.n; i++) {
		const struct user *u = &us.u[i];
		check_user(u, NULL, 0);
		FUZZ_ASSERT(users_find(&us, u->name, u->name_len) == i, "user %d not found", i);
		FUZZ_ASSERT(users_check_password(u, (const char *)u->pass, u->pass_len), "password");
		char longer[USER_PASS_MAX + 1];
		memcpy(longer, u->pass, u->pass_len);
		longer[u->pass_len] = 'x';
		FUZZ_ASSERT(!users_check_password(u, longer, u->pass_len + 1u), "longer password");
	}
	return 0;
}
