/* newmail.c: what a session does to tmp/ and new/ before cur/ is
 * listed: removes the files of deliveries that died, and moves the mail
 * in new/ into cur/ without ever replacing a message already there. */
#include "scanparts.h"

#include "die.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A delivery that died leaves its file in tmp/; after 36 hours untouched
 * (neither read nor written) it is rubbish (maildir(5)). */
void scan_clean_tmp(struct scan *s, int64_t now)
{
	struct scan_dir *d = scan_dir_open(s->tmp_fd, "tmp/");
	struct dirent *e;
	while ((e = scan_dir_next(d, "tmp/"))) {
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		if (fstatat(s->tmp_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (now - (int64_t)st.st_mtime < SCAN_TMP_MAX_AGE ||
		    now - (int64_t)st.st_atime < SCAN_TMP_MAX_AGE)
			continue;
		if (unlinkat(s->tmp_fd, e->d_name, 0) == 0)
			s->stats.tmp_removed++;
		else if (errno != ENOENT)
			logline("tmp_clean error=\"%s\"", strerror(errno));
	}
	scan_dir_close(d);
}

/* new/NAME to cur/TARGET, never replacing a file already there: a
 * rename would silently drop a different message that a careless writer
 * gave the same name.  Filesystems without RENAME_NOREPLACE get qmail's
 * link and unlink.  Returns 0, or -1 with errno (EEXIST: a file of
 * another inode holds TARGET). */
static int move_noreplace(struct scan *s, const char *name, const char *target)
{
	/* The system call itself: musl (the static build) has no
	 * renameat2() wrapper.  1 is RENAME_NOREPLACE in <linux/fs.h>. */
	if (syscall(SYS_renameat2, s->new_fd, name, s->cur_fd, target, 1U) == 0)
		return 0;
	if (errno == EINVAL || errno == ENOSYS) {
		if (linkat(s->new_fd, name, s->cur_fd, target, 0) == 0) {
			unlinkat(s->new_fd, name, 0);
			return 0;
		}
	}
	if (errno != EEXIST)
		return -1;
	/* The same file under both names (a link-and-unlink mover half way,
	 * or our own link above): only the new/ name has to go. */
	struct stat a, b;
	if (fstatat(s->new_fd, name, &a, AT_SYMLINK_NOFOLLOW) == 0 &&
	    fstatat(s->cur_fd, target, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		unlinkat(s->new_fd, name, 0);
		return 0;
	}
	errno = EEXIST;
	return -1;
}

/* Mail in new/ has not been seen by any reader; once a POP3 session has
 * listed it, it is no longer new, so it goes to cur/ with an empty info
 * (no flag: not yet read), as qmail-pop3d and Dovecot do.  Another
 * session moving the same file first is not an error: the cur/ scan
 * that follows finds it there.  A different message already in cur/
 * under the same name keeps it; this one gets ".dupINODE" added to its
 * unique part, so both are listed with distinct UIDLs. */
void scan_move_new(struct scan *s)
{
	struct scan_dir *d = scan_dir_open(s->new_fd, "new/");
	struct dirent *e;
	char target[NAME_MAX + 32];
	while ((e = scan_dir_next(d, "new/"))) {
		if (!scan_name_usable(e->d_name) || !scan_entry_is_file(s->new_fd, e))
			continue;
		const char *name = e->d_name;
		int has_info = strchr(name, ':') != NULL;
		snprintf(target, sizeof target, "%s%s", name, has_info ? "" : ":2,");
		int r = move_noreplace(s, name, target);
		if (r < 0 && errno == EEXIST) {
			size_t unique = strcspn(name, ",:");
			snprintf(target, sizeof target, "%.*s.dup%llu%s%s", (int)unique, name,
			         (unsigned long long)e->d_ino, name + unique, has_info ? "" : ":2,");
			r = move_noreplace(s, name, target);
			if (r == 0)
				logline("move name=\"%s\" renamed=\"%s\" why=\"name taken in cur/\"",
				        name, target);
		}
		if (r == 0)
			s->stats.moved++;
		else if (errno != ENOENT)
			logline("move name=\"%s\" error=\"%s\"", name, strerror(errno));
	}
	scan_dir_close(d);
}
