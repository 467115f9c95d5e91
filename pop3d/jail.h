/* jail.h: confines pop3login's dialogue child, which parses every
 * client byte: an empty root it cannot write to (JAIL_DIR, or a fresh
 * directory removed at once when NULL), no groups, the uid and gid of
 * PW, the dialogue room of confine.h, no new processes and no new
 * descriptors.  Dies on any failure. */
#ifndef JAIL_H
#define JAIL_H

#include <pwd.h>

void jail(const struct passwd *pw, const char *jail_dir);

#endif
