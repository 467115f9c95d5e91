/* lock.h: the locks mboxsplit takes on a Berkeley mbox.
 *
 * Spool locks, held only while indexing and while writing back, in the
 * order procmail takes them: first the dotlock MAILBOX.lock, then an
 * fcntl lock on the whole file.  The dotlock is made NFS-safely (a
 * unique file linked to the lock name, success judged by its link
 * count) and holds our pid in ASCII.  A dotlock whose pid is dead on
 * this host, or that is older than a bound, is stale: it is removed and
 * logged.  A lock held by someone else is retried after 5 ms, then
 * after pauses doubling to 200 ms, up to a bound (-w).  The
 * fcntl lock is a read lock: mboxsplit never writes the mailbox file
 * (write-back writes a new file and renames it), and a read lock keeps
 * out every writer, who all ask for a write lock.
 *
 * The session lock is flock(LOCK_EX|LOCK_NB) on the mailbox, held for
 * the whole session; delivery agents do not use flock, so they are
 * never held up by it. */
#ifndef MBOX_LOCK_H
#define MBOX_LOCK_H

#include "exposeopts.h"

#include <limits.h>

/* -l, -w and -t are options of both exposers (lib/exposeopts.h). */
enum {
	LOCK_METHOD_DOTLOCK = EXPOSE_LOCK_DOTLOCK,
	LOCK_METHOD_FCNTL = EXPOSE_LOCK_FCNTL,
};

#define LOCK_WAIT_DEFAULT EXPOSE_LOCK_WAIT_DEFAULT    /* seconds to wait for a held spool lock */
#define LOCK_STALE_DEFAULT EXPOSE_LOCK_STALE_DEFAULT  /* seconds after which a dotlock is stale */

struct lock_config {
	unsigned methods;
	unsigned wait_seconds;
	unsigned stale_seconds;
};

struct spool_lock {
	char lock_path[PATH_MAX];   /* MAILBOX.lock */
	char tmp_path[PATH_MAX];    /* the unique file linked to it */
	int fd;                     /* the mailbox, when fcntl-locked */
	int have_dotlock, have_fcntl;
};

enum lock_result {
	LOCK_OK = 0,
	LOCK_BUSY,      /* held by another program beyond the wait bound */
	LOCK_FAILED,    /* a system error: errno is set */
};

/* Takes the spool locks on MAILBOX, open as FD (which may be -1 when the
 * file does not exist: the dotlock only).  The dotlock is the spool
 * helper's (spool.h); the fcntl lock is the caller's. */
enum lock_result spool_lock(const struct lock_config *cfg, const char *mailbox,
                            int fd, struct spool_lock *lk);
void spool_unlock(struct spool_lock *lk);

/* The dotlock alone, taken and removed by the spool helper itself. */
enum lock_result dotlock_take(const struct lock_config *cfg, const char *mailbox,
                              struct spool_lock *lk);
void dotlock_release(struct spool_lock *lk);

#endif
