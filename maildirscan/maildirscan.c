/* maildirscan: exposes a Maildir to pop3d (doc/interfaces.md) and
 * commits the deletions after QUIT.
 *
 *   maildirscan [-d DIR | -m PATH] [-rHRux] [-C CACHE] [-l M] [-w S] [-t S]
 *               [-n MAX] pop3d [ARG...]
 *
 * Runs as the user (checkpw has dropped privileges).  The Maildir is
 * -d DIR, else $MAILBOX (a path ending in '/'), else ~/Maildir/; a
 * $MAILBOX without the '/' is an mbox, served by exec'ing mboxsplit.
 * The options are mboxsplit's too (lib/exposeopts.h); -r, -H, -l, -w
 * and -t concern an mbox.
 * See doc/maildirscan.8. */
#include "commit.h"
#include "clock.h"
#include "confine.h"
#include "die.h"
#include "exitcode.h"
#include "expose.h"
#include "exposeopts.h"
#include "scan.h"
#include "sessionlock.h"
#include "spoolgroup.h"
#include "uidlformat.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAILDIR_PATH_MAX 4096
#define SIZE_CACHE_NAME "maildirscan.sizes"
/* EXPIRE's retrieval times (lib/expire.h), in the Maildir. */
#define EXPIRE_STATE_NAME "maildirscan.expire"
/* -x's lock file, in the Maildir (lib/sessionlock.h). */
#define SESSION_LOCK_NAME "maildirscan.lock"

struct options {
	struct expose_opts x;     /* the options of both exposers */
	struct scan_options scan;
};

static void parse_options(int argc, char **argv, struct options *o)
{
	memset(o, 0, sizeof *o);
	expose_opts_parse(&o->x, EXPOSE_MAILDIR, argc, argv);
	o->scan.uid_digest = o->x.uid_digest;
	/* -C FILE names an mbox's cache: the worker may write only inside
	 * the Maildir, so a Maildir's is always there. */
	if (o->x.cache)
		o->scan.cache_path = SIZE_CACHE_NAME;
}

/* UIDL_FORMAT: ids a client does not know would make it fetch every
 * message again, so a value naming no format refuses the session.
 * popa3d served mboxes only; X-UIDL headers are what -u keeps. */
static void uidl_format_options(struct options *o)
{
	int f = uidl_format_from_env();
	if (f < 0)
		die(EXIT_MISUSE, "UIDL_FORMAT=\"%.32s\" names no UIDL format "
		    "(own, dovecot, popa3d, qmail, courier, xuidl)", getenv("UIDL_FORMAT"));
	if (f == UIDL_XUIDL)
		o->scan.uid_digest = 1;
	else if (f != UIDL_POPA3D)
		o->scan.uidl_format = f;
}

/* The Maildir's path: -d or -m, else MAILBOX, else ~/Maildir/. */
static const char *maildir_path(const struct options *o, char *buf, size_t size)
{
	if (o->x.mailbox)
		return o->x.mailbox;
	const char *mailbox = getenv("MAILBOX");
	if (mailbox && *mailbox)
		return mailbox;
	const char *home = getenv("HOME");
	if (!home || !*home) {
		struct passwd *pw = getpwuid(geteuid());
		if (!pw)
			die(EXIT_TEMP, "no HOME and no passwd entry for uid %u",
			    (unsigned)geteuid());
		home = pw->pw_dir;
	}
	if ((size_t)snprintf(buf, size, "%s/Maildir/", home) >= size)
		die(EXIT_MISUSE, "home directory path too long");
	return buf;
}

/* Opens DIR/SUB, which must be a real directory (not a symlink) owned
 * by the user. */
static int open_sub(int maildir_fd, const char *path, const char *sub)
{
	int fd = openat(maildir_fd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
			die(EXIT_MISUSE, "%s is not a Maildir: no %s/ directory", path, sub);
		die_sys(EXIT_TEMP, "cannot open %s%s/", path, sub);
	}
	if (fstat(fd, &st) < 0)
		die_sys(EXIT_TEMP, "cannot stat %s%s/", path, sub);
	if (st.st_uid != geteuid())
		die(EXIT_MISUSE, "%s%s/ is not owned by uid %u", path, sub, (unsigned)geteuid());
	return fd;
}

/* -x: the lock file, which every host sharing the Maildir sees, then
 * the directory's flock, which a maildirscan of an earlier release on
 * this host takes.  Both are held until maildirscan exits. */
static void lock_session(int fd, const char *path)
{
	int lockfd;
	int held = session_lock_file(fd, SESSION_LOCK_NAME, &lockfd);
	if (held == 0)
		held = session_lock(fd);
	if (held > 0)
		die(EXIT_INUSE, "%s is in use by another POP3 session", path);
	if (held < 0)
		die_sys(EXIT_TEMP, "cannot lock %s", path);
}

/* Opens, checks and (with -x) locks the Maildir; makes it the working
 * directory, which pop3d inherits, so scan list paths are "cur/NAME". */
static int open_maildir(const char *path, int exclusive)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			die(EXIT_MISUSE, "%s is not a Maildir: %s", path, strerror(errno));
		die_sys(EXIT_TEMP, "cannot open %s", path);
	}
	if (fstat(fd, &st) < 0)
		die_sys(EXIT_TEMP, "cannot stat %s", path);
	if (st.st_uid != geteuid())
		die(EXIT_MISUSE, "%s is not owned by uid %u", path, (unsigned)geteuid());
	if (exclusive)
		lock_session(fd, path);
	if (fchdir(fd) < 0)
		die_sys(EXIT_TEMP, "cannot change to %s", path);
	return fd;
}

static void write_list(struct expose *e, const struct scan *s)
{
	expose_header(e, s->count, s->octets, NULL);
	for (size_t i = 0; i < s->count; i++) {
		if (i + SCAN_PREFETCH < s->count)
			__builtin_prefetch(scan_path(s, i + SCAN_PREFETCH));
		if (expose_pathn(e, s->msgs[i].size, scan_uid(s, i), scan_uid_len(s, i),
		                 scan_path(s, i), SCAN_PATH_PREFIX_LEN + s->msgs[i].name_len) < 0)
			break;
	}
}

/* -n: only the oldest MAX are listed, as beyond SCAN_MESSAGES_MAX;
 * returns how many the scan found (all of which the cache keeps). */
static size_t limit_list(struct scan *s, size_t max)
{
	size_t found = s->count;
	if (found <= max)
		return found;
	for (size_t i = max; i < found; i++)
		s->octets -= s->msgs[i].size;
	s->stats.over_limit += found - max;
	s->count = max;
	return found;
}

static void log_scan(const struct scan *s, int64_t t0)
{
	const char *user = getenv("USER");
	logline("scan user=%s messages=%zu octets=%llu moved=%llu read=%llu cached=%llu "
	        "tmp_removed=%llu skipped=%llu duplicates=%llu over_limit=%llu ms=%lld",
	        user ? user : "-", s->count, (unsigned long long)s->octets,
	        (unsigned long long)s->stats.moved, (unsigned long long)s->stats.read,
	        (unsigned long long)s->stats.cached,
	        (unsigned long long)s->stats.tmp_removed, (unsigned long long)s->stats.skipped,
	        (unsigned long long)s->stats.duplicates, (unsigned long long)s->stats.over_limit,
	        (long long)(clock_ms() - t0));
}

static const char *uid_of(const void *ctx, size_t i, size_t *len)
{
	const struct scan *s = ctx;
	*len = scan_uid_len(s, i);
	return scan_uid(s, i);
}

/* pop3d's report after QUIT, with what EXPIRE makes due, committed, and
 * the answer sent back. */
static void end_session(struct expose *e, const struct scan *s, const struct options *o)
{
	struct expose_report r;
	if (!expose_read_report(e, (uint32_t)s->count, &r))
		return;
	struct expire_result xr;
	expire_apply(&o->x.expire, EXPIRE_STATE_NAME, s->count, uid_of, s, &r,
		(uint64_t)time(NULL), &xr);
	int mark_seen = o->x.mark_seen;
	struct commit_result res;
	char answer[EXPOSE_ANSWER_MAX + 1];
	commit_report(s, &r, mark_seen, &res, answer, sizeof answer);
	logline("commit deleted=%zu gone=%zu failed=%zu seen=%zu",
	        res.deleted, res.gone, res.failed, res.seen);
	expose_answer(e, answer);
	expose_report_free(&r);
}

int main(int argc, char **argv)
{
	struct options o;
	char pathbuf[MAILDIR_PATH_MAX];
	progname = "maildirscan";
	log_start();
	int64_t t0 = clock_ms();
	parse_options(argc, argv, &o);
	/* An mbox user is mboxsplit's, with the options as now spelled. */
	expose_opts_dispatch(&o.x, EXPOSE_MAILDIR);
	uidl_format_options(&o);
	const char *path = maildir_path(&o, pathbuf, sizeof pathbuf);
	spool_group_drop();  /* a Maildir needs no spool group */
	int maildir_fd = open_maildir(path, o.x.exclusive);
	int cur_fd = open_sub(maildir_fd, path, "cur");
	int new_fd = open_sub(maildir_fd, path, "new");
	int tmp_fd = open_sub(maildir_fd, path, "tmp");

	/* pop3d starts now, so that its exec overlaps the scan (it waits on
	 * fd 4).  A scan that fails from here on ends the list early, which
	 * pop3d takes as a failure before its +OK. */
	static struct expose e;
	expose_start(&e, o.x.prog, -1);
	/* From here it reads what others wrote into the Maildir, which is
	 * the working directory. */
	confine(CONFINE_MAILDIR_WORKER, ".");

	static struct scan s;
	scan_maildir(&s, cur_fd, new_fd, tmp_fd, &o.scan, (int64_t)time(NULL));
	size_t found = limit_list(&s, o.x.max_messages), listed = s.count;
	log_scan(&s, t0);
	write_list(&e, &s);
	int list_ok = expose_list_end(&e) == 0;
	s.count = found;
	scan_save_cache(&s, &o.scan);
	s.count = listed;
	if (list_ok)
		end_session(&e, &s, &o);
	int status = expose_finish(&e);
	scan_free(&s);
	return status;
}
