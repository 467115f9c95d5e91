/* statefile.c: the limits' state directory (statefile.h). */
#include "statefile.h"
#include "die.h"
#include "namehash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { REOPEN_TRIES = 5 };      /* a file removed under us: open again */

int state_dir_open(const char *dir)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		logline("error op=limits dir=%s errno=%d", dir, errno);
		return -1;
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		logline("error op=limits dir=%s errno=%d", dir, errno);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
		logline("error op=limits dir=%s reason=\"not owned by us alone\"", dir);
		close(fd);
		return -1;
	}
	return fd;
}

void state_user_key(const char *name, size_t len, char *key, size_t cap)
{
	size_t n = 5;
	memcpy(key, "user ", 5);
	for (size_t i = 0; i < len && n + 1 < cap; i++)
		key[n++] = name[i] ? name[i] : '?';
	key[n] = 0;
}

/* Not keyed: a collision merges two keys' state, and a name made to
 * collide with another user's gains nothing that acting under that
 * user's own name would not. */
void state_file_name(char name[STATE_NAME_MAX], char kind, const char *key)
{
	uint64_t h = name_hash(key, strlen(key));
	snprintf(name, STATE_NAME_MAX, "%c.%016llx", kind, (unsigned long long)h);
}

int state_file_open(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		logline("error op=limits file=%s errno=%d", name, errno);
	return fd;
}

int state_range_lock(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET,
		.l_start = start, .l_len = len, .l_pid = 0 };
	int r;
	do
		r = fcntl(fd, cmd, &fl);
	while (r < 0 && errno == EINTR && cmd == F_OFD_SETLKW);
	return r;
}

bool state_still_linked(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && st.st_nlink > 0;
}

int state_file_lock(int dirfd, const char *name)
{
	for (int tries = 0; tries < REOPEN_TRIES; tries++) {
		int fd = state_file_open(dirfd, name);
		if (fd < 0)
			return -1;
		if (state_range_lock(fd, F_OFD_SETLKW, F_WRLCK, 0, 0) < 0) {
			logline("error op=limits file=%s op=lock errno=%d", name, errno);
			close(fd);
			return -1;
		}
		if (state_still_linked(fd))
			return fd;
		close(fd);
	}
	return -1;
}
