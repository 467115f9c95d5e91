/* dropuser.h: root given up for an unprivileged account, by a process
 * about to parse bytes from a stranger (the login dialogue, the TLS
 * record layer, a reverse-DNS answer). */
#ifndef DROPUSER_H
#define DROPUSER_H

#include <pwd.h>

/* No supplementary groups, PW's gid and uid, and then the proof that
 * root cannot be had back (no real or effective id 0, setuid(0) fails).
 * Returns 0, or -1 with errno set (EPERM when root could be regained). */
int drop_user(const struct passwd *pw);

#endif
