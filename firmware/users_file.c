#include "users_file.h"

#include <stdio.h>
#include <string.h>

#include "../proto/parse.h"
#include "bmcd_limits.h"
#include "textfile.h"

static int priv_from(const char *s, size_t n)
{
	if (str_ieq(s, n, "admin") || str_ieq(s, n, "administrator"))
		return PRIV_ADMIN;
	if (str_ieq(s, n, "operator"))
		return PRIV_OPERATOR;
	if (str_ieq(s, n, "user") || str_ieq(s, n, "readonly"))
		return PRIV_USER;
	return -1;
}

const char *users_parse_line(const char *l, size_t ll, struct user *out, bool *blank)
{
	*blank = false;
	trim(&l, &ll);
	if (ll == 0 || l[0] == '#') {
		*blank = true;
		return NULL;
	}
	if (memchr(l, '\0', ll))
		return "NUL byte in line";
	/* PiKVM's "ipmiuser:ipmipass -> kvmduser:kvmdpass": keep the left side; that format
	 * has no privilege field, so the password is everything after the first ':' */
	bool pikvm = false;
	for (size_t i = 0; i + 4 <= ll; i++) {
		if (memcmp(l + i, " -> ", 4) == 0) {
			ll = i;
			trim(&l, &ll);
			pikvm = true;
			break;
		}
	}
	const char *colon = memchr(l, ':', ll);
	if (!colon)
		return "expected name:password[:privilege]";
	size_t nl = (size_t)(colon - l);
	const char *pw = colon + 1;
	size_t pl = ll - nl - 1;
	int priv = PRIV_ADMIN;
	const char *last = NULL;
	for (size_t i = pl; i > 0 && !pikvm; i--) {
		if (pw[i - 1] == ':') {
			last = pw + i - 1;
			break;
		}
	}
	if (last) {
		/* a third field must be a privilege: a typo there must not grant ADMIN with the
		 * typo in the password (a password containing ':' needs the privilege after it) */
		priv = priv_from(last + 1, pl - (size_t)(last + 1 - pw));
		if (priv < 0)
			return "unknown privilege after the last ':' (admin, operator or user; a "
			       "password containing ':' needs the privilege field after it)";
		pl = (size_t)(last - pw);
	}
	if (nl == 0)
		return "empty user name";
	if (nl > USER_NAME_MAX)
		return "user name longer than 16 bytes";
	for (size_t i = 0; i < nl; i++)
		if ((unsigned char)l[i] <= ' ' || (unsigned char)l[i] >= 0x7F)
			return "user name must be printable ASCII without spaces";
	if (pl == 0)
		return "empty password";
	if (pl > USER_PASS_MAX)
		return "password longer than 20 bytes (the IPMI 2.0 limit)";
	memset(out, 0, sizeof(*out));
	memcpy(out->name, l, nl);
	out->name_len = (uint8_t)nl;
	memcpy(out->pass, pw, pl);
	out->pass_len = (uint8_t)pl;
	out->priv = (uint8_t)priv;
	return NULL;
}

int users_load(struct users *us, const char *path)
{
	struct textfile tf;
	int errors = 0;
	us->n = 0;
	if (textfile_open(&tf, path, CFG_FILE_MAX) < 0)
		return 1;
	const char *l;
	size_t ll;
	while (textfile_line(&tf, &l, &ll)) {
		struct user u;
		bool blank;
		if (ll > CFG_LINE_MAX) {
			fprintf(stderr, "%s:%d: line longer than %d bytes\n", path, tf.lineno,
				CFG_LINE_MAX);
			errors++;
			continue;
		}
		const char *err = users_parse_line(l, ll, &u, &blank);
		if (blank)
			continue;
		if (err) {
			fprintf(stderr, "%s:%d: %s\n", path, tf.lineno, err);
			errors++;
			continue;
		}
		if (users_find(us, u.name, u.name_len) >= 0) {
			fprintf(stderr, "%s:%d: duplicate user '%s'\n", path, tf.lineno, u.name);
			errors++;
			continue;
		}
		if (us->n >= us->max) {
			fprintf(stderr, "%s:%d: too many users (users.max_users = %d)\n", path,
				tf.lineno, us->max);
			errors++;
			continue;
		}
		us->u[us->n++] = u;
	}
	textfile_close(&tf);
	if (errors == 0 && us->n == 0) {
		fprintf(stderr, "%s: no users defined\n", path);
		errors++;
	}
	users_prepare(us);
	us->generation++;
	return errors;
}
