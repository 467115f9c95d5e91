/* lock.c: see lock.h. */
#include "lock.h"
#include "clock.h"
#include "die.h"
#include "fault.h"
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOCK_POLL_FIRST_MS 5
#define LOCK_POLL_MAX_MS 200

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* One pause between attempts at a held lock: short at first (a
 * delivery usually holds it for milliseconds), doubling up to
 * LOCK_POLL_MAX_MS, never past DEADLINE. */
static void backoff(unsigned *pause, int64_t deadline)
{
	int left = clock_ms_left(deadline);
	if (left == 0)
		return;
	sleep_ms((unsigned)left < *pause ? (unsigned)left : *pause);
	*pause = *pause * 2 > LOCK_POLL_MAX_MS ? LOCK_POLL_MAX_MS : *pause * 2;
}

/* This machine's name as dotlocks carry it: gethostname's, with '/',
 * ':' and what is not printable made '_' so that it fits a file name
 * and the PID:HOST form; "localhost" when there is none. */
static const char *host_name(void)
{
	static char me[256];
	if (me[0])
		return me;
	if (gethostname(me, sizeof me) < 0 || !me[0])
		snprintf(me, sizeof me, "localhost");
	me[sizeof me - 1] = '\0';
	for (char *c = me; *c; c++)
		if (*c == '/' || *c == ':' || *c <= ' ' || *c > '~')
			*c = '_';
	return me;
}

/* 1 if HOST (LEN octets) names this machine: its host name, or that
 * name's first label. */
static int this_host(const char *host, size_t len)
{
	const char *me = host_name();
	size_t full = strlen(me), label = strcspn(me, ".");
	return len > 0 && ((len == full && strncasecmp(host, me, len) == 0) ||
	                   (len == label && strncasecmp(host, me, len) == 0));
}

/* The pid written in a dotlock, or 0 if it holds none we can check:
 * procmail's are empty; liblockfile and we write "PID\n"; Dovecot
 * writes "PID:HOST", whose pid means something only on that host. */
static long dotlock_pid(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	char buf[300];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	long pid = 0;
	ssize_t i = 0;
	for (; i < n && buf[i] >= '0' && buf[i] <= '9'; i++) {
		pid = pid * 10 + (buf[i] - '0');
		if (pid > INT32_MAX)
			return 0;
	}
	if (i == n || buf[i] == '\n' || buf[i] == ' ')
		return pid;
	if (buf[i] != ':' || i == 0)
		return 0;
	const char *host = buf + i + 1;
	size_t hlen = strcspn(host, "\n");
	return this_host(host, hlen) ? pid : 0;
}

/* Removes the dotlock if it is stale; returns 1 if it did (try again
 * at once), 0 if the lock is live. */
static int break_if_stale(const struct lock_config *cfg, const char *path)
{
	struct stat before;
	if (lstat(path, &before) < 0)
		return errno == ENOENT;  /* gone meanwhile: try again */
	long pid = dotlock_pid(path);
	time_t age = time(NULL) - before.st_mtime;
	const char *why = NULL;
	if (pid > 0 && (pid == (long)getpid() || (kill((pid_t)pid, 0) < 0 && errno == ESRCH)))
		why = "owner-gone";  /* our own pid: an earlier process's, reused */
	else if (age > (time_t)cfg->stale_seconds)
		why = "too-old";
	if (!why)
		return 0;
	/* Only the lock we judged: another process may have broken it and
	 * taken a new one meanwhile. */
	struct stat again;
	if (lstat(path, &again) < 0)
		return errno == ENOENT;
	if (again.st_ino != before.st_ino || again.st_dev != before.st_dev ||
	    again.st_mtime != before.st_mtime)
		return 1;
	if (unlink(path) < 0 && errno != ENOENT)
		return 0;
	logline("stale_lock path=%s pid=%ld age=%lld reason=%s action=removed",
	        path, pid, (long long)age, why);
	return 1;
}

/* One attempt: 1 got it, 0 held by another, -1 error. */
static int dotlock_try(struct spool_lock *lk)
{
	unlink(lk->tmp_path);  /* a leftover of an earlier process with our pid */
	int fd = open(lk->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	/* PID:HOST, as Dovecot writes it: a host that shares the spool
	 * (NFS, GlusterFS) cannot see our pid, and judges the lock by its
	 * age alone instead of breaking it as an owner gone */
	char pid[300];
	int n = snprintf(pid, sizeof pid, "%ld:%s\n", (long)getpid(), host_name());
	if (write(fd, pid, (size_t)n) != n || close(fd) < 0) {
		int e = errno;
		unlink(lk->tmp_path);
		errno = e ? e : EIO;
		return -1;
	}
	/* NFS-safe: link() may report failure after succeeding on the
	 * server, so the link count of our own file decides. */
	int linked = link(lk->tmp_path, lk->lock_path);
	int e = errno;
	struct stat st;
	int got = stat(lk->tmp_path, &st) == 0 && st.st_nlink == 2;
	unlink(lk->tmp_path);
	if (got)
		return 1;
	if (linked < 0 && e != EEXIST) {
		errno = e;
		return -1;
	}
	return 0;
}

static int set_paths(struct spool_lock *lk, const char *mailbox)
{
	const char *slash = strrchr(mailbox, '/');
	int dirlen = slash ? (int)(slash - mailbox) + 1 : 0;
	const char *base = mailbox + dirlen;
	int a = snprintf(lk->lock_path, sizeof lk->lock_path, "%s.lock", mailbox);
	/* unique per host as well as per pid: dotlock_try removes a file of
	 * this name first, which must never be another host's */
	int b = snprintf(lk->tmp_path, sizeof lk->tmp_path, "%.*s.%s.mboxsplit-lk.%s.%ld",
	                 dirlen, mailbox, base, host_name(), (long)getpid());
	if (a < 0 || b < 0 || (size_t)a >= sizeof lk->lock_path ||
	    (size_t)b >= sizeof lk->tmp_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static int fcntl_try(int fd)
{
	struct flock fl;
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_RDLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = 0;
	fl.l_len = 0;
	if (fcntl(fd, F_SETLK, &fl) == 0)
		return 1;
	if (errno == EAGAIN || errno == EACCES)
		return 0;
	return -1;
}

static void fcntl_release(int fd)
{
	struct flock fl;
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_UNLCK;
	fl.l_whence = SEEK_SET;
	fcntl(fd, F_SETLK, &fl);
}

enum lock_result dotlock_take(const struct lock_config *cfg, const char *mailbox,
                              struct spool_lock *lk)
{
	memset(lk, 0, sizeof *lk);
	lk->fd = -1;
	if (set_paths(lk, mailbox) < 0)
		return LOCK_FAILED;
	int64_t deadline = clock_ms() + (int64_t)cfg->wait_seconds * 1000;
	unsigned pause = LOCK_POLL_FIRST_MS;
	int waited = 0;
	for (;;) {
		int r = dotlock_try(lk);
		if (r < 0)
			return LOCK_FAILED;
		if (r > 0)
			break;
		if (break_if_stale(cfg, lk->lock_path))
			continue;
		if (clock_ms() >= deadline)
			return LOCK_BUSY;
		waited = 1;
		backoff(&pause, deadline);
	}
	lk->have_dotlock = 1;
	if (waited)
		logline("lock_waited mailbox=%s lock=dotlock", mailbox);
	return LOCK_OK;
}

void dotlock_release(struct spool_lock *lk)
{
	if (lk->have_dotlock && unlink(lk->lock_path) < 0 && errno != ENOENT)
		logline("unlock_failed path=%s error=\"%s\"", lk->lock_path, strerror(errno));
	lk->have_dotlock = 0;
}

enum lock_result spool_lock(const struct lock_config *cfg, const char *mailbox,
                            int fd, struct spool_lock *lk)
{
	memset(lk, 0, sizeof *lk);
	lk->fd = -1;
	if (cfg->methods & LOCK_METHOD_DOTLOCK) {
		enum lock_result r = spool_dotlock();
		if (r != LOCK_OK)
			return r;
		lk->have_dotlock = 1;
	}
	fault_point("dotlocked");
	int64_t deadline = clock_ms() + (int64_t)cfg->wait_seconds * 1000;
	unsigned pause = LOCK_POLL_FIRST_MS;
	int waited = 0;
	while (fd >= 0 && (cfg->methods & LOCK_METHOD_FCNTL)) {
		int r = fcntl_try(fd);
		if (r > 0) {
			lk->fd = fd;
			lk->have_fcntl = 1;
			break;
		}
		if (r < 0 || clock_ms() >= deadline) {
			int e = errno;
			spool_unlock(lk);
			errno = e;
			return r < 0 ? LOCK_FAILED : LOCK_BUSY;
		}
		waited = 1;
		backoff(&pause, deadline);
	}
	if (waited)
		logline("lock_waited mailbox=%s lock=fcntl", mailbox);
	return LOCK_OK;
}

void spool_unlock(struct spool_lock *lk)
{
	if (lk->have_fcntl)
		fcntl_release(lk->fd);
	lk->have_fcntl = 0;
	if (lk->have_dotlock)
		spool_dotunlock();
	lk->have_dotlock = 0;
}
