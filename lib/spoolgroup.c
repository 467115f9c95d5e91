/* spoolgroup.c: see spoolgroup.h. */
#include "spoolgroup.h"
#include "die.h"
#include "exitcode.h"

#include <unistd.h>

void spool_group_drop(void)
{
	gid_t r, e, s;
	if (getresgid(&r, &e, &s) != 0)
		die_sys(EXIT_TEMP, "getresgid");
	if (e == r && s == r)
		return;
	if (setresgid(r, r, r) != 0 || getresgid(&r, &e, &s) != 0 || e != r || s != r)
		die(EXIT_TEMP, "cannot drop the spool group");
}
