/* dropuser.c: see dropuser.h. */
#include "dropuser.h"

#include <errno.h>
#include <grp.h>
#include <unistd.h>

int drop_user(const struct passwd *pw)
{
	if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
		return -1;
	if (getuid() == 0 || geteuid() == 0 || getgid() == 0 || getegid() == 0 ||
	    setuid(0) == 0) {
		errno = EPERM;
		return -1;
	}
	return 0;
}
