/* spoolgroup.h: leaving the spool group that checkpw -g gives as the
 * effective and saved gid (doc/security.md).  Every link after checkpw
 * that does not create files in the spool calls this before it reads a
 * byte of mail or of the client; only mboxsplit's spool helper keeps
 * the group. */
#ifndef SPOOLGROUP_H
#define SPOOLGROUP_H

/* Makes the effective and saved gid the real one, for good.  Dies with
 * EXIT_TEMP if that cannot be done. */
void spool_group_drop(void);

#endif
