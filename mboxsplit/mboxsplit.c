/* mboxsplit: exposes a Berkeley mbox to pop3d and writes deletions back.
 *
 *   mboxsplit [-m MAILBOX | -d MAILDIR] [-rHRux] [-C CACHE] [-l dotlock,fcntl]
 *             [-w SECS] [-t SECS] [-n MAX] pop3d [ARGS...]
 *
 * The options are maildirscan's too (lib/exposeopts.h); -d, -u and -x
 * concern a Maildir, which maildirscan serves.
 *
 * Runs as the user (after checkpw).  Takes the session lock, takes the
 * spool locks just long enough to index the mailbox in one sequential
 * read, forks pop3d with the scan list (doc/interfaces.md), waits for
 * the deletions that pop3d reports after QUIT, and commits them with
 * the spool locks held again (writeback.h).  Exits with pop3d's status
 * once pop3d runs, with its own before (lib/exitcode.h). */
#include "cache.h"
#include "clock.h"
#include "confine.h"
#include "die.h"
#include "exitcode.h"
#include "expose.h"
#include "exposeopts.h"
#include "fault.h"
#include "index.h"
#include "lock.h"
#include "msgfilter.h"
#include "scanlist.h"
#include "sessionlock.h"
#include "spool.h"
#include "uidlformat.h"
#include "writeback.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SPOOL_DIR "/var/mail/"
#define OPEN_RETRIES 5              /* the mailbox replaced under us */

struct options {
	const char *mailbox;
	unsigned flags;               /* MSGF_MBOXRD, MSGF_HIDE_STATUS */
	int mark_read;                /* -R: retrieved mail gets Status: RO */
	const char *cache;            /* -c: index cache file, or NULL */
	struct lock_config lock;
	size_t max_messages;
	struct expire_policy expire;
	char **prog;                  /* pop3d and its arguments */
	unsigned cpus;                /* usable, counted before confinement */
	unsigned uidl_format;         /* the index's: UIDL_OWN, _POPA3D, _DOVECOT */
};

_Static_assert(EXPOSE_MESSAGES_LIMIT < MBOX_TAG_SUFFIX, "-n: duplicate suffixes must fit the tag");
_Static_assert(EXPOSE_MESSAGES_DEFAULT == MBOX_MAX_MESSAGES_DEFAULT, "one default for -n");

/* The shared option set (lib/exposeopts.h), as mboxsplit uses it. */
static void parse_options(int argc, char **argv, struct expose_opts *x, struct options *o)
{
	expose_opts_parse(x, EXPOSE_MBOX, argc, argv);
	memset(o, 0, sizeof *o);
	o->mailbox = x->mailbox;
	o->flags = x->msg_flags;
	o->mark_read = x->mark_seen;
	o->cache = x->cache_file;
	o->lock.methods = x->lock_methods;
	o->lock.wait_seconds = x->wait_seconds;
	o->lock.stale_seconds = x->stale_seconds;
	o->max_messages = x->max_messages;
	o->expire = x->expire;
	o->prog = x->prog;
}

/* UIDL_FORMAT as mboxsplit serves it.  qpopper's and mpopd's X-UIDL is
 * what the toolkit's own ids keep; the Maildir servers' formats say
 * nothing of an mbox, whose users then get the toolkit's ids. */
static unsigned uidl_format(void)
{
	int f = uidl_format_from_env();
	if (f < 0)
		die(EXIT_MISUSE, "UIDL_FORMAT names no format this toolkit knows");
	return f == UIDL_POPA3D || f == UIDL_DOVECOT ? (unsigned)f : UIDL_OWN;
}

static const char *mailbox_path(const struct options *o)
{
	if (o->mailbox)
		return o->mailbox;
	const char *env = getenv("MAILBOX");
	if (env && *env)
		return env;
	const char *user = getenv("USER");
	if (!user || !*user || strchr(user, '/'))
		die(EXIT_MISUSE, "neither MAILBOX nor USER is set");
	static char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof path, SPOOL_DIR "%s", user) >= sizeof path)
		die(EXIT_MISUSE, "mailbox path too long");
	return path;
}

/* The cache file of -c, "~/" standing for $HOME; NULL if none. */
static const char *cache_path(const char *opt)
{
	if (!opt)
		return NULL;
	if (strncmp(opt, "~/", 2) != 0)
		return opt;
	const char *home = getenv("HOME");
	static char path[PATH_MAX];
	if (!home || !*home || (size_t)snprintf(path, sizeof path, "%s/%s", home, opt + 2) >= sizeof path)
		return NULL;
	return path;
}

static _Noreturn void die_lock(enum lock_result r, const char *mailbox)
{
	if (r == LOCK_BUSY)
		die(EXIT_TEMP, "mailbox %s is locked by another program", mailbox);
	die_sys(EXIT_TEMP, "cannot lock %s", mailbox);
}

/* Opens the mailbox read-only and takes the session lock and the spool
 * locks, making sure the name still leads to the file we hold (a mail
 * reader or an earlier session may have renamed a new file over it).
 * Returns the descriptor, or -1 if there is no mailbox file (then no
 * lock is held). */
static int open_locked(const char *mailbox, const struct options *o, struct spool_lock *lk)
{
	for (int attempt = 0; attempt < OPEN_RETRIES; attempt++) {
		int fd = open(mailbox, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT) {
				/* No mail yet: nothing to read, lock or write back;
				 * mail that arrives now is shown next time. */
				memset(lk, 0, sizeof *lk);
				lk->fd = -1;
				return -1;
			}
			if (errno == ELOOP)
				die(EXIT_MISUSE, "mailbox %s is a symbolic link", mailbox);
			if (errno == EACCES)
				die_sys(EXIT_MISUSE, "cannot open mailbox %s", mailbox);
			die_sys(EXIT_TEMP, "cannot open mailbox %s", mailbox);
		}
		struct stat st;
		if (fstat(fd, &st) < 0)
			die_sys(EXIT_TEMP, "cannot stat mailbox %s", mailbox);
		if (!S_ISREG(st.st_mode))
			die(EXIT_MISUSE, "mailbox %s is not a regular file", mailbox);
		/* O_NONBLOCK only kept a FIFO from hanging the open. */
		int fl = fcntl(fd, F_GETFL);
		if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
			die_sys(EXIT_TEMP, "cannot set up mailbox %s", mailbox);
		if (st.st_uid != geteuid())
			die(EXIT_MISUSE, "mailbox %s is not owned by uid %u", mailbox, (unsigned)geteuid());
		int s = session_lock(fd);
		if (s < 0)
			die_sys(EXIT_TEMP, "cannot lock %s", mailbox);
		struct stat now;
		if (s > 0) {
			/* Held: by a live session, unless that session has just
			 * renamed a new mailbox into place. */
			if (lstat(mailbox, &now) == 0 && (now.st_ino != st.st_ino || now.st_dev != st.st_dev)) {
				close(fd);
				continue;
			}
			die(EXIT_INUSE, "mailbox %s is in use by another POP3 session", mailbox);
		}
		enum lock_result r = spool_lock(&o->lock, mailbox, fd, lk);
		if (r != LOCK_OK)
			die_lock(r, mailbox);
		if (lstat(mailbox, &now) == 0 && now.st_ino == st.st_ino && now.st_dev == st.st_dev)
			return fd;
		spool_unlock(lk);
		close(fd);
	}
	die(EXIT_TEMP, "mailbox %s keeps changing", mailbox);
}

/* Indexes the mailbox; on failure releases the spool locks and dies. */
static void build_index(struct mbox_index *ix, int fd, const char *mailbox,
                        struct spool_lock *lk, unsigned cpus)
{
	if (fd < 0)
		return;
	enum mbox_index_result r = mbox_index_file(ix, fd, cpus);
	int e = errno;
	if (r == MBOX_OK && ix->uidl_format == UIDL_DOVECOT && mbox_index_dovecot(ix) < 0)
		r = MBOX_NO_MEMORY;
	if (r == MBOX_OK && mbox_index_unique(ix) < 0)
		r = MBOX_NO_MEMORY;
	if (r == MBOX_OK)
		return;
	spool_unlock(lk);
	errno = e;
	switch (r) {
	case MBOX_NOT_MBOX:
		die(EXIT_MISUSE, "%s is %s", mailbox, mbox_index_strerror(r));
	case MBOX_TOO_MANY:
		die(EXIT_MISUSE, "%s has more than %zu messages", mailbox, ix->max_messages);
	case MBOX_READ_ERROR:
		die_sys(EXIT_TEMP, "cannot read %s", mailbox);
	default:
		die(EXIT_TEMP, "cannot index %s: %s", mailbox, mbox_index_strerror(r));
	}
}

/* Commits the deletions; returns the answer to QUIT in BUF. */
static void commit(const char *mailbox, int fd, const struct options *o,
                   struct mbox_index *ix, int peer_fd, char *buf, size_t size)
{
	size_t deleted = 0, retrieved = 0;
	for (size_t i = 0; i < ix->count; i++) {
		deleted += (ix->msgs[i].tag & MBOX_TAG_DELETED) != 0;
		retrieved += (ix->msgs[i].tag & MBOX_TAG_RETRIEVED) != 0;
	}
	if (deleted == 0 && !(o->mark_read && retrieved > 0)) {
		snprintf(buf, size, "+OK bye, nothing deleted");
		return;
	}
	int64_t t0 = clock_ms();
	struct spool_lock lk;
	enum lock_result lr = spool_lock(&o->lock, mailbox, fd, &lk);
	if (lr != LOCK_OK) {
		const char *why = lr == LOCK_BUSY ? "locked by another program" : strerror(errno);
		logline("writeback_failed mailbox=%s step=lock error=\"%s\"", mailbox, why);
		if (lr == LOCK_BUSY)
			snprintf(buf, size, "-ERR [SYS/TEMP] mailbox locked by another program; nothing deleted");
		else
			snprintf(buf, size, "-ERR [SYS/TEMP] cannot lock the mailbox (%s); nothing deleted", why);
		return;
	}
	fault_point("locked");
	struct wb_stats st;
	const char *what;
	enum wb_result r = writeback(mailbox, fd, ix, o->mark_read, peer_fd, &st, &what);
	int e = errno;
	fault_point("unlock");
	spool_unlock(&lk);
	switch (r) {
	case WB_DONE:
		logline("writeback mailbox=%s deleted=%llu marked=%llu kept_bytes=%llu appended_bytes=%llu ms=%lld",
		        mailbox, (unsigned long long)st.deleted, (unsigned long long)st.marked,
		        (unsigned long long)st.kept_bytes,
		        (unsigned long long)st.appended_bytes, (long long)(clock_ms() - t0));
		if (deleted == 0)
			snprintf(buf, size, "+OK bye, nothing deleted");
		else
			snprintf(buf, size, "+OK bye, %zu message%s deleted", deleted, deleted == 1 ? "" : "s");
		break;
	case WB_CHANGED:
		logline("writeback_abandoned mailbox=%s reason=\"changed other than by appending\"", mailbox);
		snprintf(buf, size, "-ERR [SYS/TEMP] mailbox changed by another program; nothing deleted");
		break;
	case WB_FAILED:
		logline("writeback_failed mailbox=%s step=%s error=\"%s\"", mailbox, what,
		        strcmp(what, "pop3d") == 0 ? "hung up before the rename" : strerror(e));
		snprintf(buf, size, "-ERR [SYS/TEMP] cannot update the mailbox (%s); nothing deleted",
		         strerror(e));
		break;
	}
}

/* The index from the cache or the mailbox; the spool locks are
 * released when it is done.  Returns 1 if the cache is to be written
 * (save_index), with *ST what it is to describe. */
static int load_index(struct mbox_index *ix, int fd, const char *mailbox,
                      const struct options *o, struct spool_lock *lk, struct stat *st)
{
	int64_t t0 = clock_ms();
	mbox_index_init(ix, o->flags, o->max_messages);
	ix->uidl_format = o->uidl_format;
	const char *cache = fd >= 0 ? cache_path(o->cache) : NULL;
	int cached = 0;
	if (cache) {
		if (fstat(fd, st) < 0)
			die_sys(EXIT_TEMP, "cannot stat mailbox %s", mailbox);
		cached = cache_load(cache, st, ix) == 0;
	}
	if (!cached)
		build_index(ix, fd, mailbox, lk, o->cpus);
	spool_unlock(lk);
	const char *user = getenv("USER");
	logline("indexed user=%s mailbox=%s messages=%zu octets=%llu bytes=%llu cache=%s parts=%u ms=%lld",
	        user && *user && !strpbrk(user, " \"\n") ? user : "-", mailbox, ix->count,
	        (unsigned long long)ix->octets, (unsigned long long)ix->end,
	        !cache ? "off" : cached ? "hit" : "miss", ix->parts ? ix->parts : 1,
	        (long long)(clock_ms() - t0));
	return cache && !cached;
}

/* Written once the scan list is on its way: the client's STAT answer
 * does not wait for it. */
static void save_index(const struct mbox_index *ix, const struct options *o,
                       const struct stat *st)
{
	const char *cache = cache_path(o->cache);
	if (cache_save(cache, st, ix) < 0)
		logline("cache_not_written path=%s error=\"%s\"", cache, strerror(errno));
}

/* From here the worker reads mail bytes: it keeps its descriptors and
 * the index cache's directory. */
static void confine_worker(const struct options *o)
{
	const char *cache = cache_path(o->cache);
	char dir[PATH_MAX];
	const char *slash = cache ? strrchr(cache, '/') : NULL;
	if (!cache)
		confine(CONFINE_MBOX_WORKER, NULL);
	else if (!slash)
		confine(CONFINE_MBOX_WORKER, ".");
	else if (slash == cache)
		confine(CONFINE_MBOX_WORKER, "/");
	else {
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - cache), cache);
		confine(CONFINE_MBOX_WORKER, dir);
	}
}

/* Under UIDL_FORMAT=dovecot, the c-client pseudo message that holds
 * the folder's X-IMAP is not mail: Dovecot never lists it, and a client
 * that fetched or deleted it would lose the ids of the rest.  1 if the
 * first message is that one, else 0. */
static size_t hidden(const struct mbox_index *ix)
{
	return ix->uidl_format == UIDL_DOVECOT && ix->pseudo && ix->count > 0;
}

static void send_list(struct expose *e, const struct mbox_index *ix)
{
	char flags[32];
	snprintf(flags, sizeof flags, "%s%s%s", (ix->flags & MSGF_MBOXRD) ? "mboxrd" : "",
	         (ix->flags & MSGF_MBOXRD) && (ix->flags & MSGF_HIDE_STATUS) ? " " : "",
	         (ix->flags & MSGF_HIDE_STATUS) ? "hide-status" : "");
	size_t skip = hidden(ix);
	expose_header(e, ix->count - skip, ix->octets - (skip ? ix->msgs[0].size : 0), flags);
	for (size_t i = skip; i < ix->count; i++) {
		const struct mbox_msg *m = &ix->msgs[i];
		char uid[UID_MAX + 1];
		mbox_uid(ix, i, uid);
		if (expose_range(e, m->size, uid, m->from_start + m->from_len, m->length) < 0)
			break;
	}
}

/* The UID is made into one buffer, used before the next call. */
static const char *uid_of(const void *ctx, size_t i, size_t *len)
{
	static char uid[UID_MAX + 1];
	*len = mbox_uid(ctx, i, uid);
	return uid;
}

/* EXPIRE's retrieval times live beside the index cache, the one place
 * the worker may write; without -C only EXPIRE 0 can act. */
static const char *expire_state(const struct options *o)
{
	const char *cache = cache_path(o->cache);
	static char path[PATH_MAX];
	if (!cache || (size_t)snprintf(path, sizeof path, "%s.expire", cache) >= sizeof path)
		return NULL;
	return path;
}

/* pop3d's report after QUIT, with what EXPIRE makes due, committed, and
 * the answer sent back. */
static void end_session(struct expose *e, struct mbox_index *ix, const char *mailbox,
                        int fd, const struct options *o)
{
	struct expose_report rep;
	size_t skip = hidden(ix);
	if (expose_list_end(e) != 0 || expose_read_report(e, (uint32_t)(ix->count - skip), &rep) != 1)
		return;
	struct expire_result xr;
	if (fd >= 0)
		expire_apply(&o->expire, expire_state(o), ix->count, uid_of, ix, &rep,
			(uint64_t)time(NULL), &xr);
	for (size_t i = 0; i < rep.n_deleted; i++)
		ix->msgs[rep.deleted[i] - 1 + skip].tag |= MBOX_TAG_DELETED;
	for (size_t i = 0; i < rep.n_retrieved; i++)
		ix->msgs[rep.retrieved[i] - 1 + skip].tag |= MBOX_TAG_RETRIEVED;
	expose_report_free(&rep);
	char reply[256];
	if (fd >= 0)
		commit(mailbox, fd, o, ix, e->control_fd, reply, sizeof reply);
	else
		snprintf(reply, sizeof reply, "+OK bye, nothing deleted");
	expose_answer(e, reply);
}

int main(int argc, char **argv)
{
	progname = "mboxsplit";
	log_start();
	struct expose_opts x;
	struct options o;
	parse_options(argc, argv, &x, &o);
	/* A Maildir user is maildirscan's, with the options as now spelled. */
	expose_opts_dispatch(&x, EXPOSE_MBOX);
	o.uidl_format = uidl_format();
	const char *mailbox = mailbox_path(&o);
	spool_start(mailbox, &o.lock);

	struct spool_lock lk;
	int fd = open_locked(mailbox, &o, &lk);
	if (fd >= 0 && spool_remove_leftover())
		logline("note=\"a killed write-back left its new file; mailbox intact\"");
	/* pop3d first: what runs after this line reads mail bytes, and
	 * needs neither exec nor any file but the mailbox and the cache. */
	struct expose e;
	expose_start(&e, o.prog, fd);
	/* The CPUs this process may run on (taskset, cgroups' cpusets). */
	cpu_set_t cpus;
	o.cpus = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? (unsigned)CPU_COUNT(&cpus) : 1;
	confine_worker(&o);
	struct mbox_index ix;
	struct stat st;
	int save = load_index(&ix, fd, mailbox, &o, &lk, &st);
	send_list(&e, &ix);
	if (save)
		save_index(&ix, &o, &st);
	end_session(&e, &ix, mailbox, fd, &o);
	mbox_index_free(&ix);
	int status = expose_finish(&e);
	spool_stop();
	return status;
}
