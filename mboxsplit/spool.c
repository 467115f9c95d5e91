/* spool.c: see spool.h. */
#include "spool.h"
#include "die.h"
#include "exitcode.h"
#include "spoolgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum request {
	REQ_DOTLOCK = 'L',
	REQ_DOTUNLOCK = 'U',
	REQ_LEFTOVER = 'C',
	REQ_NEW = 'N',
	REQ_COMMIT = 'R',
	REQ_REMOVE = 'X',
};

struct reply {
	int32_t result;
	int32_t error;
};

static int helper_fd = -1;
static pid_t helper_pid = -1;

/* The helper's whole state: fixed at the fork. */
static struct {
	const char *mailbox;
	struct lock_config cfg;
	char new_path[PATH_MAX];
	char dir[PATH_MAX];
	gid_t user_gid, spool_gid;
	struct spool_lock lk;
	int new_made;
} h;

static void spool_group(int raise)
{
	if (h.spool_gid != h.user_gid &&
	    setresgid((gid_t)-1, raise ? h.spool_gid : h.user_gid, (gid_t)-1) != 0)
		die_sys(EXIT_TEMP, "spool helper: setresgid");
}

static int set_paths(const char *mailbox)
{
	const char *slash = strrchr(mailbox, '/');
	int dirlen = slash ? (int)(slash - mailbox) + 1 : 0;
	int a = snprintf(h.new_path, sizeof h.new_path, "%.*s.%s.mboxsplit-new",
	                 dirlen, mailbox, mailbox + dirlen);
	int b = dirlen ? snprintf(h.dir, sizeof h.dir, "%.*s", dirlen, mailbox)
	               : snprintf(h.dir, sizeof h.dir, ".");
	if (a < 0 || b < 0 || (size_t)a >= sizeof h.new_path || (size_t)b >= sizeof h.dir) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Our own regular file, one name: never something planted there. */
static int new_file_is_ours(void)
{
	struct stat st;
	return lstat(h.new_path, &st) == 0 && S_ISREG(st.st_mode) &&
	       st.st_uid == getuid() && st.st_nlink == 1;
}

static int fsync_dir(void)
{
	int fd = open(h.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

/* Empty, with the mailbox's group (as far as we may: a user can give a
 * file only to a group he is in) and mode. */
static int make_new_file(void)
{
	unlink(h.new_path);
	int fd = open(h.new_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	h.new_made = 1;
	struct stat st;
	if (lstat(h.mailbox, &st) < 0)
		goto fail;
	if (fchown(fd, (uid_t)-1, st.st_gid) < 0) {
		if (errno != EPERM)
			goto fail;
		logline("warning=\"cannot keep the mailbox's group\" gid=%u", (unsigned)st.st_gid);
	}
	if (fchmod(fd, st.st_mode & 07777) == 0)
		return fd;
fail:;
	int e = errno;
	close(fd);
	unlink(h.new_path);
	h.new_made = 0;
	errno = e;
	return -1;
}

static int commit_new_file(void)
{
	if (!h.new_made || !new_file_is_ours()) {
		errno = ESTALE;
		return -1;
	}
	if (rename(h.new_path, h.mailbox) < 0)
		return -1;
	h.new_made = 0;
	/* The new mailbox is in place; a failed directory sync only means a
	 * crash now might bring the old one back, which loses nothing. */
	if (fsync_dir() < 0)
		logline("warning=\"directory fsync failed\" dir=%s error=\"%s\"", h.dir, strerror(errno));
	return 0;
}

static int remove_leftover(void)
{
	if (!new_file_is_ours() || unlink(h.new_path) < 0)
		return 0;
	logline("leftover_removed path=%s", h.new_path);
	return 1;
}

static int serve(enum request req, int *fd_out)
{
	switch (req) {
	case REQ_DOTLOCK: return dotlock_take(&h.cfg, h.mailbox, &h.lk);
	case REQ_DOTUNLOCK: dotlock_release(&h.lk); return 0;
	case REQ_LEFTOVER: return remove_leftover();
	case REQ_NEW: return (*fd_out = make_new_file()) < 0 ? -1 : 0;
	case REQ_COMMIT: return commit_new_file();
	case REQ_REMOVE:
		if (h.new_made && new_file_is_ours())
			unlink(h.new_path);
		h.new_made = 0;
		return 0;
	}
	errno = EINVAL;
	return -1;
}

static int send_reply(int sock, const struct reply *r, int fd)
{
	struct iovec iov = { .iov_base = (void *)r, .iov_len = sizeof *r };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (fd >= 0) {
		m.msg_control = u.buf;
		m.msg_controllen = sizeof u.buf;
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof fd);
	}
	return sendmsg(sock, &m, MSG_NOSIGNAL) == (ssize_t)sizeof *r ? 0 : -1;
}

static _Noreturn void helper_main(int sock)
{
	prctl(PR_SET_DUMPABLE, 0);   /* the worker, same uid, may not ptrace us */
	signal(SIGPIPE, SIG_IGN);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0)
		die_sys(EXIT_TEMP, "spool helper: /dev/null");
	spool_group(0);
	for (;;) {
		char req;
		ssize_t n = recv(sock, &req, 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != 1)
			break;
		int fd = -1;
		spool_group(1);
		errno = 0;
		struct reply r = { .result = serve((enum request)req, &fd) };
		r.error = errno;
		spool_group(0);
		int sent = send_reply(sock, &r, fd);
		if (fd >= 0)
			close(fd);
		if (sent < 0)
			break;
	}
	spool_group(1);
	dotlock_release(&h.lk);
	if (h.new_made && new_file_is_ours())
		unlink(h.new_path);
	_exit(0);
}

void spool_start(const char *mailbox, const struct lock_config *cfg)
{
	gid_t rg, eg, sg;
	if (getresgid(&rg, &eg, &sg) != 0)
		die_sys(EXIT_TEMP, "getresgid");
	h.mailbox = mailbox;
	h.cfg = *cfg;
	h.user_gid = rg;
	h.spool_gid = eg;
	memset(&h.lk, 0, sizeof h.lk);
	if (set_paths(mailbox) < 0)
		die_sys(EXIT_MISUSE, "mailbox path %s", mailbox);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		die_sys(EXIT_TEMP, "socketpair");
	pid_t pid = fork();
	if (pid < 0)
		die_sys(EXIT_TEMP, "fork");
	if (pid == 0) {
		close(sv[0]);
		if (setresgid(rg, rg, eg) != 0)
			die_sys(EXIT_TEMP, "spool helper: setresgid");
		helper_main(sv[1]);
	}
	close(sv[1]);
	helper_fd = sv[0];
	helper_pid = pid;
	/* For good: a parser bug in the worker must not reach the group. */
	spool_group_drop();
}

void spool_stop(void)
{
	if (helper_fd < 0)
		return;
	close(helper_fd);
	helper_fd = -1;
	while (waitpid(helper_pid, NULL, 0) < 0 && errno == EINTR)
		;
	helper_pid = -1;
}

/* One request; the reply's result, errno from the helper's call.  A
 * helper that has gone is EPIPE. */
static int ask(enum request req, int *fd_out)
{
	char c = (char)req;
	struct reply r;
	struct iovec iov = { .iov_base = &r, .iov_len = sizeof r };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
	                    .msg_control = u.buf, .msg_controllen = sizeof u.buf };
	if (send(helper_fd, &c, 1, MSG_NOSIGNAL) != 1)
		return -1;
	ssize_t n;
	while ((n = recvmsg(helper_fd, &m, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof r) {
		errno = n < 0 ? errno : EPIPE;
		return -1;
	}
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS && fd_out)
		memcpy(fd_out, CMSG_DATA(cm), sizeof *fd_out);
	errno = r.error;
	return r.result;
}

enum lock_result spool_dotlock(void)
{
	int r = ask(REQ_DOTLOCK, NULL);
	return r < 0 ? LOCK_FAILED : (enum lock_result)r;
}

void spool_dotunlock(void)
{
	int e = errno;
	ask(REQ_DOTUNLOCK, NULL);
	errno = e;
}

int spool_remove_leftover(void)
{
	return ask(REQ_LEFTOVER, NULL) > 0;
}

int spool_new_file(void)
{
	int fd = -1;
	if (ask(REQ_NEW, &fd) < 0)
		return -1;
	if (fd < 0)
		errno = EPROTO;
	return fd;
}

int spool_commit_new_file(void)
{
	return ask(REQ_COMMIT, NULL) < 0 ? -1 : 0;
}

void spool_remove_new_file(void)
{
	int e = errno;
	ask(REQ_REMOVE, NULL);
	errno = e;
}
