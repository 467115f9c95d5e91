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
#include <fcntl.h>
#include <stdbool.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#define SESSION_LOCK_GRACE_MS 1000
#define SESSION_LOCK_STEP_MS 5

/* One attempt: 0 held, 1 held by another, -1 error. */
static int try_flock(int fd)
{
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	return errno == EWOULDBLOCK ? 1 : -1;
}

static int try_ofd(int fd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
		.l_start = 0, .l_len = 0, .l_pid = 0 };
	if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
		return 0;
	return errno == EAGAIN || errno == EACCES ? 1 : -1;
}

static int with_grace(int fd, int (*attempt)(int))
{
	const struct timespec step = { 0, SESSION_LOCK_STEP_MS * 1000000L };
	for (int waited = 0; ; waited += SESSION_LOCK_STEP_MS) {
		int r = attempt(fd);
		if (r == 0 && waited)
			logline("session_lock_waited ms=%d", waited);
		if (r <= 0)
			return r;
		if (waited >= SESSION_LOCK_GRACE_MS)
			return 1;
		nanosleep(&step, NULL);
	}
}

int session_lock(int fd)
{
	return with_grace(fd, try_flock);
}

int session_lock_file(int dirfd, const char *name, int *lockfd)
{
	int fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	int r = with_grace(fd, try_ofd);
	if (r != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return r;
	}
	*lockfd = fd;
	return 0;
}
