/* jail.c: confinement of pop3login's dialogue child (jail.h). */
#include "jail.h"
#include "confine.h"
#include "dropuser.h"
#include "die.h"
#include "exitcode.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

/* Confines the dialogue child: an empty root it cannot write to, no
 * groups, the unprivileged uid, no new processes or descriptors. */
void jail(const struct passwd *pw, const char *jail_dir)
{
	if (jail_dir) {
		if (chdir(jail_dir) < 0)
			die_sys(EXIT_TEMP, "chdir %s", jail_dir);
	} else {
		/* a directory made for us and removed at once is empty and
		 * stays so: nothing can be created in a removed directory */
		char dir[] = "/tmp/pop3login.XXXXXX";
		if (!mkdtemp(dir))
			die_sys(EXIT_TEMP, "mkdtemp");
		if (chdir(dir) < 0)
			die_sys(EXIT_TEMP, "chdir %s", dir);
		if (rmdir(dir) < 0)
			die_sys(EXIT_TEMP, "rmdir %s", dir);
	}
	if (chroot(".") < 0)
		die_sys(EXIT_TEMP, "chroot");
	if (drop_user(pw) < 0)
		die_sys(EXIT_TEMP, "cannot drop privileges");
	/* not traceable by other processes of the same uid (other dialogues) */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		die_sys(EXIT_TEMP, "prctl");
}

void jail_confine(void)
{
	/* confine() needs a descriptor for the Landlock ruleset, so the
	 * limits follow it. */
	confine(CONFINE_DIALOGUE, NULL);
	/* No new processes and no new descriptors (the ones it has stay
	 * usable): a second line of defence beside the seccomp filter.
	 * No RLIMIT_FSIZE: fd 1 or 2 may well be a regular file (a log). */
	struct rlimit none = { 0, 0 };
	struct rlimit one = { 1, 1 }; /* poll() wants nfds <= RLIMIT_NOFILE */
	if (setrlimit(RLIMIT_NPROC, &none) < 0)
		die_sys(EXIT_TEMP, "setrlimit");
	/* the one limit valgrind refuses (it keeps descriptors of its own):
	 * a warning rather than a refusal */
	if (setrlimit(RLIMIT_NOFILE, &one) < 0)
		logline("warning: cannot limit descriptors: %s", strerror(errno));
}
