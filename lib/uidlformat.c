/* uidlformat.c: UIDL_FORMAT's values (uidlformat.h). */
#include "uidlformat.h"

#include <stdlib.h>
#include <string.h>

static const char *const names[] = {
	[UIDL_OWN] = "own",
	[UIDL_DOVECOT] = "dovecot",
	[UIDL_POPA3D] = "popa3d",
	[UIDL_QMAIL] = "qmail",
	[UIDL_COURIER] = "courier",
	[UIDL_XUIDL] = "xuidl",
};

int uidl_format_from_env(void)
{
	const char *v = getenv("UIDL_FORMAT");
	if (!v || !*v)
		return UIDL_OWN;
	for (int f = 0; f < (int)(sizeof names / sizeof names[0]); f++)
		if (strcmp(v, names[f]) == 0)
			return f;
	return -1;
}

const char *uidl_format_name(enum uidl_format f)
{
	return names[f];
}
