/* sessionlock.c: see sessionlock.h.
 *
 * A client that reconnects as soon as QUIT is answered can find the
 * lock still held: the old exposer answers through pop3d and only then
 * unlocks and exits.  So a held lock is retried for up to
 * SESSION_LOCK_GRACE_MS before the mailbox is called in use; a live
 * session keeps it far longer than that. */
#include "sessionlock.h"
#include "die.h"

#include <errno.h>
#include <sys/file.h>
#include <time.h>

#define SESSION_LOCK_GRACE_MS 1000
#define SESSION_LOCK_STEP_MS 5

int session_lock(int fd)
{
	const struct timespec step = { 0, SESSION_LOCK_STEP_MS * 1000000L };
	for (int waited = 0; ; waited += SESSION_LOCK_STEP_MS) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			if (waited)
				logline("session_lock_waited ms=%d", waited);
			return 0;
		}
		if (errno != EWOULDBLOCK)
			return -1;
		if (waited >= SESSION_LOCK_GRACE_MS)
			return 1;
		nanosleep(&step, NULL);
	}
}
