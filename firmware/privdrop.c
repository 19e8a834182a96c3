#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "log.h"

int privdrop(const char *user)
{
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		log_err("process.user: no such user '%s'", user);
		return -1;
	}
	if (initgroups(user, pw->pw_gid) < 0) {
		log_err("initgroups(%s): %s", user, strerror(errno));
		return -1;
	}
	if (setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0) {
		log_err("setresgid(%u): %s", (unsigned)pw->pw_gid, strerror(errno));
		return -1;
	}
	if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0) {
		log_err("setresuid(%u): %s", (unsigned)pw->pw_uid, strerror(errno));
		return -1;
	}
	uid_t r, e, s;
	if (getresuid(&r, &e, &s) < 0 || r != pw->pw_uid || e != pw->pw_uid || s != pw->pw_uid ||
	    (pw->pw_uid != 0 && setuid(0) == 0)) {
		log_err("privilege drop to '%s' did not stick", user);
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		log_err("PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -1;
	}
	log_info("running as %s (uid %u, gid %u)", user, (unsigned)pw->pw_uid, (unsigned)pw->pw_gid);
	return 0;
}
