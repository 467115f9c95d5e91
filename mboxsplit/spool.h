/* spool.h: the spool helper, the only part of mboxsplit that may hold
 * the spool group (checkpw -g, doc/security.md).
 *
 * In a root:mail 2775 /var/mail a user can read his own mailbox but can
 * neither make MAILBOX.lock nor put a new file beside the mailbox; the
 * group that can would also open every other user's mailbox.  So
 * mboxsplit forks, before it has read one byte of mail, a helper that
 * keeps the group as its saved gid, raises it only for the few calls
 * below and parses nothing: a request is one byte, every path is fixed
 * from MAILBOX at the start.  The rest of mboxsplit (the worker, which
 * indexes the mailbox and runs pop3d) drops the group for good.
 *
 * The helper answers until the worker hangs up; then it removes a
 * dotlock it still holds and a new file not renamed, and exits, so a
 * worker that dies anywhere leaves neither behind. */
#ifndef MBOX_SPOOL_H
#define MBOX_SPOOL_H

#include "lock.h"

/* Forks the helper for MAILBOX (dotlocks taken by CFG's wait and stale
 * rules) and drops the spool group from the calling process for good.
 * Dies with EXIT_TEMP if either cannot be done. */
void spool_start(const char *mailbox, const struct lock_config *cfg);

/* Asks the helper to close down, and waits for it. */
void spool_stop(void);

/* MAILBOX.lock: taken (waiting as CFG says, breaking stale ones) and
 * removed. */
enum lock_result spool_dotlock(void);
void spool_dotunlock(void);

/* Removes a new file that a killed write-back left: 1 if there was one. */
int spool_remove_leftover(void);

/* The write-back's new file, .BASE.mboxsplit-new beside the mailbox:
 * created empty with the mailbox's group and mode, and returned open for
 * writing (or -1 with errno set); then either renamed over the mailbox
 * (the directory synced), or removed.  Return 0, or -1 with errno. */
int spool_new_file(void);
int spool_commit_new_file(void);
void spool_remove_new_file(void);

#endif
