/* loginlimit.c: session slots and failure counts in the state directory
 * (loginlimit.h gives the format, statefile.h the directory and its
 * locks).  Every lock here but a slot is held for a few system calls. */
#include "loginlimit.h"
#include "statefile.h"
#include "die.h"
#include "exitcode.h"
#include "logvalue.h"
#include "scan_num.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum {
	REOPEN_TRIES = 5,               /* a slot file removed under us: open again */
	TIMES_TEXT_MAX = (LIMIT_MAX_FAILURES + 1) * 42,
};

/* One count in a failure file: when, and the pid of the pop3login whose
 * attempt it is while that attempt is in flight (0: a failure). */
struct count {
	uint64_t time;
	uint64_t holder;
};

static bool env_number(const char *name, unsigned min, unsigned max, unsigned *out)
{
	const char *v = getenv(name);
	uint32_t n;
	if (!v || !*v)
		return true;
	if (!scan_u32(v, strlen(v), &n) || n < min || n > max)
		return false;
	*out = n;
	return true;
}

bool limit_config_env(struct limit_config *cfg, const char **bad)
{
	cfg->dir = LIMIT_DEFAULT_DIR;
	cfg->sessions_per_ip = 0;
	cfg->failures_per_ip = LIMIT_DEFAULT_FAILURES_PER_IP;
	cfg->failures_per_user = 0;
	cfg->failure_window = LIMIT_DEFAULT_WINDOW;
	const char *dir = getenv("POP3_LIMIT_DIR");
	if (dir && *dir)
		cfg->dir = dir;
	*bad = !env_number("SESSIONS_PER_IP", 0, LIMIT_MAX_SESSIONS, &cfg->sessions_per_ip)
		? "SESSIONS_PER_IP"
		: !env_number("FAILURES_PER_IP", 0, LIMIT_MAX_FAILURES, &cfg->failures_per_ip)
		? "FAILURES_PER_IP"
		: !env_number("FAILURES_PER_USER", 0, LIMIT_MAX_FAILURES, &cfg->failures_per_user)
		? "FAILURES_PER_USER"
		: !env_number("FAILURE_WINDOW", 1, LIMIT_MAX_WINDOW, &cfg->failure_window)
		? "FAILURE_WINDOW" : NULL;
	return *bad == NULL;
}

/* An IPv6 client usually holds a whole /64: it counts as one address.
 * An IPv4 address arriving on an IPv6 socket counts as IPv4. */
bool limit_ip_key(const char *text, char *key, size_t cap)
{
	unsigned char a[16];
	if (inet_pton(AF_INET, text, a) == 1) {
		snprintf(key, cap, "ip4 %u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		return true;
	}
	if (inet_pton(AF_INET6, text, a) != 1)
		return false;
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
	if (memcmp(a, mapped, sizeof mapped) == 0) {
		snprintf(key, cap, "ip4 %u.%u.%u.%u", a[12], a[13], a[14], a[15]);
		return true;
	}
	snprintf(key, cap, "ip6 %02x%02x:%02x%02x:%02x%02x:%02x%02x::/64",
		a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
	return true;
}

/* Seeks a free slot in an open slot file, under the guard's read lock.
 * 1 taken, 0 all held, -1 removed meanwhile (open again), -2 error. */
static int seek_slot(int fd, unsigned max)
{
	if (state_range_lock(fd, F_OFD_SETLKW, F_RDLCK, 0, 1) < 0)
		return -2;
	int found = 0;
	for (unsigned i = 1; i <= max && !found; i++) {
		if (state_range_lock(fd, F_OFD_SETLK, F_WRLCK, i, 1) == 0)
			found = 1;
		else if (errno != EAGAIN && errno != EACCES)
			found = -2;
	}
	if (found >= 0 && !state_still_linked(fd))
		found = -1;
	state_range_lock(fd, F_OFD_SETLK, F_UNLCK, 0, 1);
	return found;
}

enum limit_result limit_session_take(const struct limit_config *cfg,
	const char *ipkey, unsigned max, int *fd)
{
	char name[STATE_NAME_MAX];
	state_file_name(name, 's', ipkey);
	int dirfd = state_dir_open(cfg->dir);
	if (dirfd < 0)
		return LIMIT_ERROR;
	enum limit_result res = LIMIT_ERROR;
	for (int tries = 0; tries < REOPEN_TRIES; tries++) {
		int sfd = state_file_open(dirfd, name);
		if (sfd < 0)
			break;
		int found = seek_slot(sfd, max);
		if (found == 1) {
			*fd = sfd;
			res = LIMIT_OK;
			break;
		}
		close(sfd);
		if (found == 0)
			res = LIMIT_HIT;
		if (found != -1)
			break;
	}
	if (res == LIMIT_ERROR)
		logline("error op=limits file=%s what=session", name);
	close(dirfd);
	return res;
}

/* The guard's write lock waits out every session still seeking a slot;
 * then, if no slot is held but ours, nobody can be counting in the file
 * and it goes.  A session that opened it meanwhile finds it unlinked. */
void limit_session_release(const struct limit_config *cfg, const char *ipkey, int fd)
{
	if (fd < 0)
		return;
	char name[STATE_NAME_MAX];
	state_file_name(name, 's', ipkey);
	int dirfd = state_dir_open(cfg->dir);
	if (dirfd >= 0 && state_range_lock(fd, F_OFD_SETLKW, F_WRLCK, 0, 1) == 0
	    && state_range_lock(fd, F_OFD_SETLK, F_WRLCK, 1, 0) == 0 && state_still_linked(fd))
		unlinkat(dirfd, name, 0);
	if (dirfd >= 0)
		close(dirfd);
	close(fd);
}

/* The failure file of KEY, open and write-locked whole. */
static int lock_failures(const struct limit_config *cfg, const char *key,
	char *name, int *dirfd)
{
	state_file_name(name, 'f', key);
	*dirfd = state_dir_open(cfg->dir);
	if (*dirfd < 0)
		return -1;
	int fd = state_file_lock(*dirfd, name);
	if (fd < 0) {
		close(*dirfd);
		*dirfd = -1;
	}
	return fd;
}

/* An attempt whose login is still in flight is held by the pid of the
 * pop3login that counted it: it counts as a failure until the checker's
 * verdict, and is dropped when that process is gone without one (killed,
 * or the host restarted it), so a killed session is no failure. */
static bool holder_alive(uint64_t pid)
{
	return pid == 0 || kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* The entries of FD that still count at NOW: a time ("T", a failure) or
 * a time and its holder ("T PID").  The file is our own (the directory
 * is ours alone); a line that does not scan is dropped, not trusted. */
static size_t read_times(int fd, struct count *times, uint64_t now, unsigned window)
{
	static char text[TIMES_TEXT_MAX];
	ssize_t len = pread(fd, text, sizeof text, 0);
	size_t n = 0, start = 0;
	for (size_t i = 0; len > 0 && i < (size_t)len; i++) {
		if (text[i] != '\n')
			continue;
		const char *sp = memchr(text + start, ' ', i - start);
		size_t tlen = sp ? (size_t)(sp - (text + start)) : i - start;
		struct count c = { 0, 0 };
		bool ok = scan_u64(text + start, tlen, &c.time)
			&& (!sp || scan_u64(sp + 1, (size_t)(text + i - sp - 1), &c.holder));
		if (ok && c.time + window > now && n < LIMIT_MAX_FAILURES && holder_alive(c.holder))
			times[n++] = c;
		start = i + 1;
	}
	return n;
}

static bool write_times(int fd, const struct count *times, size_t n)
{
	static char text[TIMES_TEXT_MAX];
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		len += fmt_u64(text + len, times[i].time);
		if (times[i].holder) {
			text[len++] = ' ';
			len += fmt_u64(text + len, times[i].holder);
		}
		text[len++] = '\n';
	}
	return ftruncate(fd, 0) == 0
		&& (len == 0 || pwrite(fd, text, len, 0) == (ssize_t)len);
}

/* Writes back the pruned list, or removes the file when it is empty
 * (still locked, so nobody counts in it meanwhile), and lets go. */
static enum limit_result store_times(int fd, int dirfd, const char *name,
	const struct count *times, size_t n)
{
	bool ok = n == 0 ? unlinkat(dirfd, name, 0) == 0 : write_times(fd, times, n);
	if (!ok)
		logline("error op=limits file=%s op=write errno=%d", name, errno);
	close(fd);
	close(dirfd);
	return ok ? LIMIT_OK : LIMIT_ERROR;
}

enum limit_result limit_failure_reserve(const struct limit_config *cfg,
	const char *key, unsigned max, uint64_t now)
{
	static struct count times[LIMIT_MAX_FAILURES + 1];
	char name[STATE_NAME_MAX];
	int dirfd;
	int fd = lock_failures(cfg, key, name, &dirfd);
	if (fd < 0)
		return LIMIT_ERROR;
	size_t n = read_times(fd, times, now, cfg->failure_window);
	bool hit = n >= max;
	if (!hit)
		times[n++] = (struct count){ now, (uint64_t)getpid() };
	enum limit_result res = store_times(fd, dirfd, name, times, n);
	return hit ? LIMIT_HIT : res;
}

/* The count made at WHEN by this process: taken back (UNDO), or kept
 * as a failure of its own, no longer held. */
static enum limit_result settle(const struct limit_config *cfg, const char *key,
	uint64_t when, bool undo)
{
	static struct count times[LIMIT_MAX_FAILURES + 1];
	char name[STATE_NAME_MAX];
	int dirfd;
	int fd = lock_failures(cfg, key, name, &dirfd);
	if (fd < 0)
		return LIMIT_ERROR;
	/* pruned against WHEN's own time: what was current then still is
	 * unless the window passed, and then it is gone anyway */
	size_t n = read_times(fd, times, when, cfg->failure_window);
	uint64_t self = (uint64_t)getpid();
	for (size_t i = n; i-- > 0;) {
		if (times[i].time != when || times[i].holder != self)
			continue;
		if (undo) {
			memmove(times + i, times + i + 1, (n - i - 1) * sizeof *times);
			n--;
		} else {
			times[i].holder = 0;
		}
		break;
	}
	return store_times(fd, dirfd, name, times, n);
}

enum limit_result limit_failure_undo(const struct limit_config *cfg,
	const char *key, uint64_t when)
{
	return settle(cfg, key, when, true);
}

enum limit_result limit_failure_keep(const struct limit_config *cfg,
	const char *key, uint64_t when)
{
	return settle(cfg, key, when, false);
}

enum limit_result limit_attempt_begin(const struct limit_config *cfg,
	struct limit_attempt *a, const char *ipkey, const unsigned char *user,
	size_t user_len, uint64_t now, const char **scope)
{
	a->when = now;
	a->ip_counted = a->user_counted = false;
	snprintf(a->ipkey, sizeof a->ipkey, "%s", ipkey ? ipkey : "");
	state_user_key((const char *)user, user_len, a->userkey, sizeof a->userkey);
	enum limit_result res = LIMIT_OK, r;
	if (*a->ipkey && cfg->failures_per_ip > 0) {
		r = limit_failure_reserve(cfg, a->ipkey, cfg->failures_per_ip, now);
		a->ip_counted = r == LIMIT_OK;
		if (r == LIMIT_HIT) {
			*scope = "ip";
			return LIMIT_HIT;
		}
		res = r;
	}
	if (cfg->failures_per_user > 0) {
		r = limit_failure_reserve(cfg, a->userkey, cfg->failures_per_user, now);
		a->user_counted = r == LIMIT_OK;
		if (r == LIMIT_HIT) {
			*scope = "user";
			limit_attempt_end(cfg, a, false);
			return LIMIT_HIT;
		}
		if (r == LIMIT_ERROR)
			res = r;
	}
	return res;
}

void limit_attempt_end(const struct limit_config *cfg, struct limit_attempt *a,
	bool failed)
{
	if (a->ip_counted)
		settle(cfg, a->ipkey, a->when, !failed);
	if (a->user_counted)
		settle(cfg, a->userkey, a->when, !failed);
	a->ip_counted = a->user_counted = false;
}

int limit_verdict(const struct limit_config *cfg, const char *ipkey,
	const char *ip, const unsigned char *cred, size_t len, bool tls_on,
	limit_check_fn *check)
{
	const unsigned char *nul = memchr(cred, 0, len);
	size_t user_len = nul ? (size_t)(nul - cred) : len;
	struct limit_attempt a;
	const char *scope = "";
	if (limit_attempt_begin(cfg, &a, ipkey, cred, user_len, (uint64_t)time(NULL),
	    &scope) == LIMIT_HIT) {
		char value[LIMIT_KEY_MAX * 2];
		log_value(value, sizeof value, (const char *)cred, user_len);
		bool by_ip = strcmp(scope, "ip") == 0;
		logline("limit what=failures scope=%s user=%s ip=%s max=%u window=%u",
			scope, value, ip, by_ip ? cfg->failures_per_ip
			: cfg->failures_per_user, cfg->failure_window);
		return EXIT_TEMP << 8;
	}
	int status = check(cred, len, tls_on);
	limit_attempt_end(cfg, &a, WIFEXITED(status) && WEXITSTATUS(status) == EXIT_REFUSED);
	return status;
}
