/* checkpw: the checkpassword-compatible verifier (checkpw(8)).
 *   checkpw [-s] [-P | -p SERVICE] [-v FILE] [-g GROUP] [-r] [-m TEMPLATE]
 *           [-M NAME] [-d SETTING] PROG [ARG...]
 * Runs as root, reads "user\0secret\0timestamp\0" from fd 3, asks the
 * backends in the order of their options, logs one line, and on success
 * becomes the user (groups, gid, uid), changes to HOME, sets USER HOME
 * SHELL MAILBOX and execs PROG.  Exit 1 refused, 2 misuse, 111 temporary
 * failure.  It never reads fd 0 nor writes fd 1: those are the client. */
#include "account.h"
#include "creds.h"
#include "die.h"
#include "logindelay.h"
#include "logvalue.h"
#include "exitcode.h"
#include "pamauth.h"
#include "scan_num.h"
#include "secret.h"
#include "statefile.h"
#include "sysauth.h"
#include "uservars.h"
#include "template.h"
#include "vuser.h"

#include <crypt.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

enum {
	CREDS_FD = 3,
	READ_TIMEOUT_SECONDS = 60,  /* the caller writes and closes at once */
	BACKENDS_MAX = 8,
	LOG_NAME_MAX = 64,          /* octets of a login that reach the log */
	FD_SCAN_MAX = 1024,         /* descriptors watched without /proc */
};

enum backend_kind { BACKEND_SYSTEM, BACKEND_PAM, BACKEND_VIRTUAL };

struct backend {
	enum backend_kind kind;
	const char *arg;  /* PAM service or virtual file template */
};

struct options {
	struct backend backend[BACKENDS_MAX];
	int backends;
	bool keep_group;    /* -g: keep_gid as effective and saved gid */
	gid_t keep_gid;
	bool allow_root;
	const char *mailbox_template;
	const char *maildir_name;
	const char *dummy_setting;
	const char *uservars_dir;  /* -e: per-user settings */
};

static const char usage[] =
	"usage: checkpw [-s] [-P | -p SERVICE] [-v FILE] [-g GROUP] [-r] "
	"[-m TEMPLATE] [-M NAME] [-d SETTING] [-e DIR] PROG [ARG...]";

static void add_backend(struct options *o, enum backend_kind kind,
			const char *arg)
{
	if (o->backends == BACKENDS_MAX)
		die(EXIT_MISUSE, "more than %d backends", BACKENDS_MAX);
	o->backend[o->backends].kind = kind;
	o->backend[o->backends].arg = arg;
	o->backends++;
}

/* Resolved now, so that a typo is misuse, not a failure per login. */
static void keep_group(struct options *o, const char *name)
{
	errno = 0;
	struct group *gr = getgrnam(name);
	if (!gr)
		die(errno ? EXIT_TEMP : EXIT_MISUSE, "no group %s", name);
	o->keep_group = true;
	o->keep_gid = gr->gr_gid;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	int c;
	*o = (struct options){ .mailbox_template = "/var/mail/%u",
			       .maildir_name = "Maildir" };
	opterr = 0;  /* one line for a bad option: ours */
	while ((c = getopt(argc, argv, "+sPp:v:g:rm:M:d:e:")) != -1) {
		switch (c) {
		case 's': add_backend(o, BACKEND_SYSTEM, NULL); break;
		case 'P': add_backend(o, BACKEND_PAM, "pop3"); break;
		case 'p': add_backend(o, BACKEND_PAM, optarg); break;
		case 'v': add_backend(o, BACKEND_VIRTUAL, optarg); break;
		case 'g': keep_group(o, optarg); break;
		case 'r': o->allow_root = true; break;
		case 'm': o->mailbox_template = optarg; break;
		case 'M': o->maildir_name = optarg; break;
		case 'd': o->dummy_setting = optarg; break;
		case 'e': o->uservars_dir = optarg; break;
		default: die(EXIT_MISUSE, "%s", usage);
		}
	}
	if (optind >= argc)
		die(EXIT_MISUSE, "%s", usage);
	if (o->backends == 0)
		add_backend(o, BACKEND_SYSTEM, NULL);
	if (strchr(o->maildir_name, '/') || !strcmp(o->maildir_name, "..") ||
	    !strcmp(o->maildir_name, "."))
		die(EXIT_MISUSE, "-M takes a name inside HOME");
	return optind;
}

static void on_alarm(int sig)
{
	(void)sig;
	die(EXIT_TEMP, "timed out reading fd %d", CREDS_FD);
}

/* Reads fd 3 to end of file; returns the length, CREDS_MAX + 1 if longer. */
static size_t read_creds(char *buf, size_t size)
{
	size_t len = 0;
	signal(SIGALRM, on_alarm);
	alarm(READ_TIMEOUT_SECONDS);
	while (len < size) {
		ssize_t n = read(CREDS_FD, buf + len, size - len);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die_sys(errno == EBADF ? EXIT_MISUSE : EXIT_TEMP,
				"cannot read fd %d", CREDS_FD);
		}
		len += (size_t)n;
	}
	alarm(0);
	close(CREDS_FD);
	return len;
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static const char *backend_name(enum backend_kind k)
{
	return k == BACKEND_SYSTEM ? "system" : k == BACKEND_PAM ? "pam" : "virtual";
}

static const char *verdict_name(enum verdict v)
{
	static const char *const names[] = { "accept", "refuse", "unknown", "temp" };
	return names[v];
}

/* Asks each backend in turn until one accepts.  A refusal outranks "no
 * such user" from a later backend, and a temporary failure of any
 * backend outranks both (the user may exist there).  *which and
 * acct->why tell which backend's answer stands. */
static enum verdict decide(const struct options *o, const struct login *login,
			   struct account *acct, int *which)
{
	static const int rank[] = { [V_ACCEPT] = 3, [V_TEMP] = 2,
				    [V_REFUSE] = 1, [V_UNKNOWN] = 0 };
	enum verdict result = V_UNKNOWN;
	const char *why = "";
	time_t now = time(NULL);
	*which = 0;
	for (int i = 0; i < o->backends; i++) {
		const struct backend *b = &o->backend[i];
		enum verdict v;
		acct->why = "";
		if (b->kind == BACKEND_SYSTEM)
			v = sysauth_check(login, now, acct);
		else if (b->kind == BACKEND_PAM)
			v = pamauth_check(b->arg, login, acct);
		else
			v = vuser_check(b->arg, login, getenv("TCPLOCALHOST"),
					getenv("TCPLOCALIP"), acct);
		/* Ties go to the later backend: "unknown" everywhere is
		 * logged as the last backend saw it. */
		if (i == 0 || rank[v] >= rank[result]) {
			result = v;
			why = acct->why;
			*which = i;
		}
		if (v == V_ACCEPT)
			break;
	}
	acct->why = why;
	return result;
}

/* Descriptors a backend (a PAM module, NSS) opened as root and left open
 * without close-on-exec must not reach PROG; those the caller gave us
 * must.  So: note which are open before, close the new ones after.
 *
 * The list comes from /proc/self/fd, so it costs as many steps as there
 * are descriptors.  Where /proc is missing (a chroot) the fallback asks
 * fcntl(F_GETFD) of each of the first FD_SCAN_MAX numbers, before and
 * after. */
struct fd_list {
	int *fd;       /* ascending */
	size_t n, cap;
	bool all;      /* every number listed (from /proc), not just the
			* first FD_SCAN_MAX */
};

static void fd_list_add(struct fd_list *l, int fd)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		int *p = realloc(l->fd, cap * sizeof *p);
		if (!p)
			die_nomem();
		l->fd = p;
		l->cap = cap;
	}
	l->fd[l->n++] = fd;
}

static int int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* False if /proc/self/fd is not procfs's or cannot be read whole: a
 * directory that only looks like it must not hide a descriptor. */
static bool fds_from_proc(struct fd_list *l)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return false;
	int self = dirfd(d);
	struct statfs fs;
	bool ok = fstatfs(self, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC;
	struct dirent *e;
	while (ok && (errno = 0, e = readdir(d)) != NULL) {
		uint32_t fd;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		ok = scan_u32(e->d_name, strlen(e->d_name), &fd) &&
		     fd <= INT_MAX;
		if (ok && (int)fd != self)
			fd_list_add(l, (int)fd);
	}
	if (ok && errno != 0)
		ok = false;
	closedir(d);
	l->all = ok;
	if (!ok)
		l->n = 0;
	return ok;
}

static void fds_list(struct fd_list *l)
{
	l->n = 0;
	if (!fds_from_proc(l))
		for (int fd = 0; fd < FD_SCAN_MAX; fd++)
			if (fcntl(fd, F_GETFD) != -1)
				fd_list_add(l, fd);
	if (l->n > 1)
		qsort(l->fd, l->n, sizeof *l->fd, int_cmp);
}

static bool fd_listed(const struct fd_list *l, int fd)
{
	return l->n > 0 &&
	       bsearch(&fd, l->fd, l->n, sizeof *l->fd, int_cmp) != NULL;
}

/* Closes what is open now and was not in BEFORE (from 0: fd 3 is closed
 * by now, and a module's file may take it, or 0..2 had the caller left
 * them closed).  With BEFORE from the FD_SCAN_MAX probe, only numbers
 * below it are watched. */
static void fds_close_new(struct fd_list *before)
{
	struct fd_list now = { 0 };
	fds_list(&now);
	for (size_t i = 0; i < now.n; i++)
		if ((before->all || now.fd[i] < FD_SCAN_MAX) && !fd_listed(before, now.fd[i]))
			close(now.fd[i]);
	free(now.fd);
	free(before->fd);
	*before = (struct fd_list){ 0 };
}

/* Groups: the user's own (what initgroups would set, for system
 * accounts; the primary group alone for virtual ones), nothing of
 * root's.  getgrouplist and one setgroups, where initgroups, then
 * getgroups and setgroups again, took two more calls and a read of
 * /proc/sys/kernel/ngroups_max.  More than NGROUPS_MAX groups are cut
 * to that many, as initgroups does.  A user who is in -g's group by
 * /etc/group keeps it in every link after us: said once, not hidden. */
static void set_groups(const struct account *a, const struct options *o)
{
	static gid_t groups[NGROUPS_MAX + 1];
	int n = 1;
	groups[0] = a->gid;
	if (a->system_name[0]) {
		n = NGROUPS_MAX;
		errno = 0;
		if (getgrouplist(a->system_name, a->gid, groups, &n) < 0) {
			if (n <= NGROUPS_MAX)
				die_sys(EXIT_TEMP, "getgrouplist %s",
					a->system_name);
			n = NGROUPS_MAX;
		}
	}
	for (int i = 0; o->keep_group && i < n; i++)
		if (groups[i] == o->keep_gid && a->gid != o->keep_gid)
			logline("note=\"user is a member of the spool group\" "
				"user=%s gid=%u", a->system_name, (unsigned)o->keep_gid);
	if (setgroups((size_t)n, groups) != 0)
		die_sys(EXIT_TEMP, "setgroups");
}

/* -g's group goes to the effective and saved gid only, never to the
 * supplementary list: an unprivileged process can drop a saved gid for
 * good, but not a supplementary group.  The exposer keeps it in its
 * spool helper alone (doc/security.md). */
static void become(const struct account *a, const struct options *o)
{
	set_groups(a, o);
	gid_t spool = o->keep_group ? o->keep_gid : a->gid;
	if (setresgid(a->gid, spool, spool) != 0)
		die_sys(EXIT_TEMP, "setresgid %u", (unsigned)a->gid);
	if (setuid(a->uid) != 0)
		die_sys(EXIT_TEMP, "setuid %u", (unsigned)a->uid);
	/* Proves the drop is complete and cannot be undone. */
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0 ||
	    ru != a->uid || eu != a->uid || su != a->uid || rg != a->gid ||
	    eg != spool || sg != spool || (a->uid != 0 && setuid(0) == 0))
		die(EXIT_TEMP, "cannot drop privileges to %u", (unsigned)a->uid);
}

/* MAILBOX: the record's own, else HOME/MAILDIR_NAME/ if that is a
 * directory, else the template.  Runs as the user, in HOME. */
static void pick_mailbox(struct account *a, const struct login *login,
			 const struct options *o)
{
	struct stat st;
	if (a->mailbox[0])
		return;
	if (o->maildir_name[0] && stat(o->maildir_name, &st) == 0 &&
	    S_ISDIR(st.st_mode)) {
		const char *sep = strcmp(a->home, "/") ? "/" : "";
		size_t n = (size_t)snprintf(a->mailbox, sizeof a->mailbox,
					    "%s%s%s/", a->home, sep,
					    o->maildir_name);
		if (n >= sizeof a->mailbox)
			die(EXIT_TEMP, "mailbox path too long");
		return;
	}
	struct template_vars vars = {
		a->system_name[0] ? a->system_name : login->local,
		login->domain[0] ? login->domain : NULL, a->home, NULL
	};
	if (!template_expand(o->mailbox_template, &vars, a->mailbox,
			     sizeof a->mailbox))
		die(EXIT_MISUSE, "cannot expand mailbox template %s",
		    o->mailbox_template);
}

/* The login as the backends see it: split once at AT, domain in lower
 * case.  The lengths were bounded by login_split(). */
static void make_login(const struct creds *c, size_t at, struct login *l)
{
	l->whole = c->user;
	memcpy(l->local, c->user, at);
	l->local[at] = '\0';
	if (at < c->user_len) {
		strcpy(l->domain, c->user + at + 1);
		lower(l->domain);
	}
	l->secret = c->secret;
	l->secret_len = c->secret_len;
	l->timestamp = c->timestamp;
	l->timestamp_len = c->timestamp_len;
	l->apop_shaped = creds_is_apop_shaped(c);
	l->cram = c->method != NULL;
}

/* Why CREDS are refused before any backend sees them, or NULL: a name
 * no backend could hold, or a fourth field naming no method we know. */
static const char *refused_unseen(const struct creds *c, size_t *at)
{
	if (!login_split(c->user, c->user_len, at))
		return "badname";
	if (c->method && !creds_method_is(c, CREDS_CRAM))
		return "method";
	return NULL;
}

static void set_env(const char *name, const char *value)
{
	if (setenv(name, value, 1) != 0)
		die_nomem();
}

/* The setting of the hash spent for unknown users: -d, else (for system
 * and PAM users) the method of the first hash in shadow, else libxcrypt's
 * default.  Done for every login alike, so that it tells nothing; nothing
 * is hashed until a user turns out unknown. */
static void init_dummy(const struct options *o)
{
	if (o->dummy_setting) {
		if (!secret_dummy_init(o->dummy_setting))
			die(EXIT_MISUSE, "libxcrypt refuses the dummy setting");
		return;
	}
	bool shadow = false;
	for (int i = 0; i < o->backends; i++)
		shadow |= o->backend[i].kind != BACKEND_VIRTUAL;
	char site[CRYPT_OUTPUT_SIZE];
	bool ok = shadow && sysauth_dummy_setting(site, sizeof site) &&
		  secret_dummy_init(site);
	explicit_bzero(site, sizeof site);
	if (!ok && !secret_dummy_init(NULL))
		die(EXIT_TEMP, "libxcrypt cannot make a dummy setting");
}

/* The backend's verdict, but never root's uid or group (by a system
 * account or a virtual record) unless -r allows it; logged. */
static enum verdict final_verdict(const struct options *o, int which, enum verdict v,
	struct account *a, const char *log_user, const char *log_ip)
{
	if (v == V_ACCEPT && (a->uid == 0 || a->gid == 0) && !o->allow_root) {
		v = V_REFUSE;
		a->why = "root";
	}
	logline("user=%s ip=%s backend=%s result=%s why=%s", log_user, log_ip,
		backend_name(o->backend[which].kind), verdict_name(v),
		a->why && a->why[0] ? a->why : "-");
	return v;
}

/* LOGIN_DELAY, the host rule's value that pop3login advertises in CAPA:
 * a login sooner than that after the user's last is refused.  Decided
 * once the password is known right, so the answer tells nothing to a
 * guesser. */
static bool delay_passed(const struct account *a, const char *log_user,
	const char *log_ip)
{
	const char *v = getenv("LOGIN_DELAY");
	uint32_t delay;
	if (!v || !*v)
		return true;
	if (!scan_u32(v, strlen(v), &delay))
		die(EXIT_MISUSE, "bad LOGIN_DELAY: %s", v);
	const char *dir = getenv("POP3_LIMIT_DIR");
	uint64_t wait = 0;
	enum login_delay_result r = login_delay_claim(dir && *dir ? dir : STATE_DEFAULT_DIR,
		a->user, strlen(a->user), delay, (uint64_t)time(NULL), &wait);
	if (r == DELAY_TOO_SOON)
		logline("limit what=login_delay user=%s ip=%s delay=%u wait=%llu",
			log_user, log_ip, (unsigned)delay, (unsigned long long)wait);
	return r != DELAY_TOO_SOON;
}

int main(int argc, char **argv)
{
	static char buf[CREDS_MAX + 1];
	struct options opt;
	struct creds creds;
	struct login login = { 0 };
	struct account acct = { 0 };
	char log_user[LOG_VALUE_SIZE(LOG_NAME_MAX)], log_ip[LOG_VALUE_SIZE(48)];
	size_t at;
	int which = 0;

	progname = "checkpw";
	log_start();  /* under inetd: a line on the client would say if the name exists */
	int prog = parse_options(argc, argv, &opt);
	init_dummy(&opt);
	size_t len = read_creds(buf, sizeof buf);
	if (!creds_parse(buf, len, &creds)) {
		explicit_bzero(buf, sizeof buf);
		die(EXIT_MISUSE, "malformed credentials on fd %d (%zu octets)",
		    CREDS_FD, len);
	}
	const char *ip = getenv("TCPREMOTEIP");
	log_value_str(log_ip, sizeof log_ip, ip);
	log_value(log_user, sizeof log_user, creds.user,
	          creds.user_len < LOG_NAME_MAX ? creds.user_len : LOG_NAME_MAX);
	const char *bad = refused_unseen(&creds, &at);
	if (bad) {
		explicit_bzero(buf, sizeof buf);
		logline("user=%s ip=%s backend=- result=refuse why=%s",
			log_user, log_ip, bad);
		return EXIT_REFUSED;
	}
	make_login(&creds, at, &login);

	struct fd_list open_before = { 0 };
	fds_list(&open_before);
	enum verdict v = decide(&opt, &login, &acct, &which);
	fds_close_new(&open_before);
	explicit_bzero(buf, sizeof buf);
	v = final_verdict(&opt, which, v, &acct, log_user, log_ip);
	if (v == V_TEMP)
		return EXIT_TEMP;
	if (v != V_ACCEPT)
		return EXIT_REFUSED;
	if (opt.uservars_dir && uservars_load(opt.uservars_dir, acct.user) < 0)
		return EXIT_TEMP;
	if (!delay_passed(&acct, log_user, log_ip))
		return EXIT_LOGIN_DELAY;

	become(&acct, &opt);
	if (chdir(acct.home) != 0)
		die_sys(EXIT_TEMP, "cannot chdir to %s", acct.home);
	pick_mailbox(&acct, &login, &opt);
	set_env("USER", acct.user);
	set_env("HOME", acct.home);
	set_env("SHELL", acct.shell);
	set_env("MAILBOX", acct.mailbox);
	execvp(argv[prog], argv + prog);
	die_sys(EXIT_TEMP, "cannot run %s", argv[prog]);
}
