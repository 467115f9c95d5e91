/* logindelay.c: the time of each user's last login (logindelay.h). */
#include "logindelay.h"
#include "statefile.h"
#include "die.h"
#include "scan_num.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

enum { USER_MAX = 255, RECORD_MAX = 21 + 1 + USER_MAX + 1 };

/* The time recorded for USER in FD, or false when there is none: no
 * file yet, a line that does not scan, or another user's record under
 * the same hash (that user's delay is lost, nobody is locked out). */
static bool read_last(int fd, const char *user, size_t len, uint64_t *last)
{
	char text[RECORD_MAX + 1];
	ssize_t n = pread(fd, text, sizeof text, 0);
	if (n <= 0 || n > RECORD_MAX || text[n - 1] != '\n')
		return false;
	const char *sp = memchr(text, ' ', (size_t)n);
	if (!sp || !scan_u64(text, (size_t)(sp - text), last))
		return false;
	size_t ulen = (size_t)(text + n - 1 - (sp + 1));
	return ulen == len && memcmp(sp + 1, user, len) == 0;
}

static bool write_last(int fd, const char *user, size_t len, uint64_t now)
{
	char text[RECORD_MAX];
	size_t n = fmt_u64(text, now);
	text[n++] = ' ';
	memcpy(text + n, user, len);
	n += len;
	text[n++] = '\n';
	return ftruncate(fd, 0) == 0 && pwrite(fd, text, n, 0) == (ssize_t)n;
}

enum login_delay_result login_delay_claim(const char *dir, const char *user,
	size_t len, unsigned delay, uint64_t now, uint64_t *wait)
{
	if (delay == 0)
		return DELAY_OK;
	if (len == 0 || len > USER_MAX || memchr(user, '\n', len) || memchr(user, 0, len))
		return DELAY_ERROR;
	char key[5 + USER_MAX + 1], name[STATE_NAME_MAX];
	state_user_key(user, len, key, sizeof key);
	state_file_name(name, 'd', key);
	int dirfd = state_dir_open(dir);
	if (dirfd < 0)
		return DELAY_ERROR;
	int fd = state_file_lock(dirfd, name);
	close(dirfd);
	if (fd < 0)
		return DELAY_ERROR;
	uint64_t last;
	/* a last login in the future (the clock was set back) is a record
	 * from another clock: it does not hold the user off */
	if (read_last(fd, user, len, &last) && last <= now && now - last < delay) {
		*wait = delay - (now - last);
		close(fd);
		return DELAY_TOO_SOON;
	}
	bool ok = write_last(fd, user, len, now);
	if (!ok)
		logline("error op=login_delay file=%s op=write errno=%d", name, errno);
	close(fd);
	return ok ? DELAY_OK : DELAY_ERROR;
}
