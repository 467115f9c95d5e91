/* jail.h: confines pop3login's dialogue child, which parses every
 * client byte, in two steps.  jail() gives it an empty root it cannot
 * write to (JAIL_DIR, or a fresh directory removed at once when NULL),
 * no groups and the uid and gid of PW; jail_confine(), called once the
 * greeting is sent and before the first client byte is read, adds the
 * dialogue room of confine.h, no new processes and no new descriptors.
 * Both die on any failure. */
#ifndef JAIL_H
#define JAIL_H

#include <pwd.h>

void jail(const struct passwd *pw, const char *jail_dir);
void jail_confine(void);

#endif
