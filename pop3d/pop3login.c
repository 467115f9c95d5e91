/* pop3login: the POP3 AUTHORIZATION state, in the manner of qmail-popup.
 *
 *   pop3login [options] HOSTNAME CHECKPROG [ARG...]
 *
 * Talks to the client on fd 0/1 until it gives credentials, then runs
 * CHECKPROG with user\0secret\0timestamp\0 on fd 3 and the client still
 * on fd 0/1 (doc/interfaces.md).  Exit 0 from the checker means the rest
 * of the chain has served the client; anything else is answered with an
 * -ERR and the dialogue goes on, within the attempt limit.
 *
 * Started as root, it splits in two (as popa3d does): a child that holds
 * the dialogue, jailed in an empty deleted directory under an unprivileged
 * uid, and the root parent that only forwards each credentials block from
 * the child to a fresh checker and the checker's status back.  The parent
 * never reads a byte of the client.  Started as another user there is
 * nothing to protect by a split: the same dialogue runs in one process.
 *
 * STLS works through tlswrapper -n (the answer to STLS is written on the
 * control pipe, fd 5, which is then closed) or UCSPI-TLS (SSLCTLFD,
 * SSLREADFD, SSLWRITEFD: 'y' on the control socket, then the two pipes). */
#include "authdialog.h"
#include "clock.h"
#include "loginlimit.h"
#include "die.h"
#include "jail.h"
#include "logvalue.h"
#include "write_all.h"
#include "exitcode.h"
#include "lineexact.h"
#include "scan_num.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum {
	DEFAULT_FAILURE_DELAY = 2,   /* seconds before each -ERR for a failed login */
	DEFAULT_MAX_FAILURES = 3,    /* failed logins, then the connection ends */
	DEFAULT_MAX_COMMANDS = 50,   /* command lines before login */
	DEFAULT_IDLE_TIMEOUT = 120,  /* seconds for one command line before login */
	MAX_IDLE_TIMEOUT = 599,      /* shorter than pop3d's 10 minutes */
	DEFAULT_LOGIN_TIMEOUT = 300, /* seconds for the whole dialogue */
	MAX_LOGIN_TIMEOUT = 3600,
	MAX_FAILURE_DELAY = 60,
	WRITE_TIMEOUT_MS = 60000,    /* for one answer to the client */
	TLSWRAPPER_CTL_FD = 5,       /* tlswrapper -n's control pipe */
	MSG_HEADER = 2,              /* method, tls flag: child -> parent */
};

enum tls_kind { TLS_NONE, TLS_TLSWRAPPER, TLS_UCSPI };

struct options {
	struct authdialog_config dialog;
	unsigned failure_delay;
	unsigned idle_timeout;
	unsigned login_timeout;
	const char *jail_user;
	const char *jail_dir;        /* NULL: a fresh directory, removed at once */
	struct limit_config limits;
	bool limits_on;              /* root, or -l / POP3_LIMIT_DIR given */
	char **checker;              /* CHECKPROG ARG... */
};

/* The state of the client connection, shared by both process designs. */
struct link {
	int in_fd, out_fd;
	enum tls_kind tls;
	int ctl_fd;                  /* tlswrapper pipe or SSLCTLFD; -1 once used */
	int ssl_read_fd, ssl_write_fd;
	bool tls_on;
	const char *ip;
	char ipkey[LIMIT_KEY_MAX];   /* "" when TCPREMOTEIP is no address */
	int slot_fd;                 /* the session slot held, or -1 */
};

static struct options opt;
static struct link conn;

static void usage(void)
{
	die(EXIT_MISUSE, "usage: pop3login [-a] [-C] [-O] [-s] [-S] [-N] [-d delay] "
		"[-f failures] [-c commands] [-t timeout] [-T timeout] [-u user] [-r dir] "
		"[-L login-delay] [-E expire] [-l dir] HOSTNAME CHECKPROG [ARG...]");
}

static unsigned number_option(const char *text, const char *what, unsigned max)
{
	uint32_t n;
	if (!scan_u32(text, strlen(text), &n) || n > max)
		die(EXIT_MISUSE, "bad %s: %s", what, text);
	return n;
}

/* Environment switch: set, non-empty and not "0". */
static bool env_flag(const char *name)
{
	const char *v = getenv(name);
	return v && *v && strcmp(v, "0") != 0;
}

/* LOGIN-DELAY is seconds, EXPIRE days or NEVER (RFC 2449). */
static const char *capa_value(const char *text, const char *what, bool never_ok)
{
	uint32_t n;
	if (!text || !*text)
		return NULL;
	if (never_ok && strcmp(text, "NEVER") == 0)
		return text;
	if (!scan_u32(text, strlen(text), &n))
		die(EXIT_MISUSE, "bad %s: %s", what, text);
	return text;
}

/* -L: the checker enforces what CAPA advertises (checkpw(8)), so it
 * gets the value as the variable a host rule would set. */
static const char *login_delay_option(const char *text)
{
	const char *v = capa_value(text, "login delay", false);
	if (v)
		setenv("LOGIN_DELAY", v, 1);
	return v;
}

static int fd_from_env(const char *name)
{
	const char *v = getenv(name);
	uint32_t n;
	if (!v || !scan_u32(v, strlen(v), &n) || n > 1024 || fcntl((int)n, F_GETFD) < 0)
		return -1;
	return (int)n;
}

static void set_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);
	if (flags >= 0)
		fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

/* Finds a STARTTLS channel: UCSPI-TLS by its variables, tlswrapper -n by
 * its write-only pipe on fd 5.  The control descriptors never reach the
 * checker: fd 5 in particular is the exposer's control socket there. */
static void detect_tls(bool disabled)
{
	conn.tls = TLS_NONE;
	conn.ctl_fd = conn.ssl_read_fd = conn.ssl_write_fd = -1;
	int ctl = fd_from_env("SSLCTLFD");
	int rd = fd_from_env("SSLREADFD");
	int wr = fd_from_env("SSLWRITEFD");
	struct stat st;
	if (ctl >= 0 && rd >= 0 && wr >= 0) {
		conn.tls = TLS_UCSPI;
		conn.ctl_fd = ctl;
		conn.ssl_read_fd = rd;
		conn.ssl_write_fd = wr;
		set_cloexec(rd);
		set_cloexec(wr);
	} else if (fstat(TLSWRAPPER_CTL_FD, &st) == 0 && S_ISFIFO(st.st_mode)
	    && (fcntl(TLSWRAPPER_CTL_FD, F_GETFL) & O_ACCMODE) == O_WRONLY) {
		conn.tls = TLS_TLSWRAPPER;
		conn.ctl_fd = TLSWRAPPER_CTL_FD;
	}
	if (conn.ctl_fd >= 0)
		set_cloexec(conn.ctl_fd);
	/* -N: left open (close-on-exec) rather than closed, because
	 * tlswrapper spins on a control pipe closed with nothing written */
	if (disabled) {
		conn.ctl_fd = -1;
		conn.tls = TLS_NONE;
	}
}

static void parse_options(int argc, char **argv)
{
	int c;
	bool no_stls = false;
	struct authdialog_config *cfg = &opt.dialog;
	opt.failure_delay = DEFAULT_FAILURE_DELAY;
	opt.idle_timeout = DEFAULT_IDLE_TIMEOUT;
	opt.login_timeout = DEFAULT_LOGIN_TIMEOUT;
	opt.jail_user = "nobody";
	cfg->max_failures = DEFAULT_MAX_FAILURES;
	cfg->max_commands = DEFAULT_MAX_COMMANDS;
	cfg->tls_required = env_flag("POP3_REQUIRE_TLS");
	cfg->tls_active = env_flag("POP3_TLS_ON");
	cfg->login_delay = capa_value(getenv("LOGIN_DELAY"), "LOGIN_DELAY", false);
	cfg->expire = capa_value(getenv("EXPIRE"), "EXPIRE", true);
	const char *bad;
	if (!limit_config_env(&opt.limits, &bad))
		die(EXIT_MISUSE, "bad %s: %s", bad, getenv(bad));
	const char *limit_dir = getenv("POP3_LIMIT_DIR");
	opt.limits_on = geteuid() == 0 || (limit_dir && *limit_dir);
	opterr = 0;  /* one line for a bad option: ours */
	while ((c = getopt(argc, argv, "+aCOsSNd:f:c:t:T:u:r:L:E:l:")) != -1) {
		switch (c) {
		case 'a': cfg->apop = true; break;
		case 'C': cfg->cram = true; break;
		case 'O': cfg->oauth = true; break;
		case 's': cfg->tls_required = true; break;
		case 'S': cfg->tls_active = true; break;
		case 'N': no_stls = true; break;
		case 'd': opt.failure_delay = number_option(optarg, "delay", MAX_FAILURE_DELAY); break;
		case 'f': cfg->max_failures = number_option(optarg, "failure limit", 1000); break;
		case 'c': cfg->max_commands = number_option(optarg, "command limit", 100000); break;
		case 't': opt.idle_timeout = number_option(optarg, "timeout", MAX_IDLE_TIMEOUT); break;
		case 'T': opt.login_timeout = number_option(optarg, "login timeout", MAX_LOGIN_TIMEOUT); break;
		case 'u': opt.jail_user = optarg; break;
		case 'r': opt.jail_dir = optarg; break;
		case 'L': cfg->login_delay = login_delay_option(optarg); break;
		case 'E': cfg->expire = capa_value(optarg, "expire", true); break;
		case 'l': opt.limits.dir = optarg; opt.limits_on = true; break;
		default: usage();
		}
	}
	if (argc - optind < 2)
		usage();
	if (cfg->max_failures == 0 || cfg->max_commands == 0 || opt.idle_timeout == 0
	    || opt.login_timeout == 0)
		die(EXIT_MISUSE, "limits must be at least 1");
	cfg->hostname = argv[optind];
	/* it goes into the greeting: no byte that could end or split a line */
	for (const char *p = cfg->hostname; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			die(EXIT_MISUSE, "bad hostname");
	opt.checker = argv + optind + 1;
	detect_tls(no_stls);
	cfg->tls_possible = conn.tls != TLS_NONE;
	if (cfg->tls_active) {
		cfg->tls_possible = false;
		conn.tls_on = true;
	}
	if (cfg->tls_required && !cfg->tls_possible && !cfg->tls_active)
		logline("warning: TLS required but no STARTTLS channel: no login can succeed");
}

static const char *method_name(enum authdialog_method m)
{
	switch (m) {
	case AD_METHOD_APOP: return "apop";
	case AD_METHOD_PLAIN: return "plain";
	case AD_METHOD_LOGIN: return "login";
	case AD_METHOD_CRAM: return "cram-md5";
	case AD_METHOD_OAUTHBEARER: return "oauthbearer";
	case AD_METHOD_XOAUTH2: return "xoauth2";
	default: return "pass";
	}
}

/* Forks CHECKPROG with CRED on fd 3 and waits for it.  Returns its wait
 * status; a failure to start it counts as a temporary failure. */
static int run_checker(const unsigned char *cred, size_t len, bool tls_on)
{
	int pfd[2];
	if (pipe(pfd) < 0) {
		logline("error op=pipe errno=%d", errno);
		return EXIT_TEMP << 8;
	}
	pid_t pid = fork();
	if (pid < 0) {
		logline("error op=fork errno=%d", errno);
		close(pfd[0]);
		close(pfd[1]);
		return EXIT_TEMP << 8;
	}
	if (pid == 0) {
		close(pfd[1]);
		if (conn.tls == TLS_UCSPI && tls_on) {
			/* the checker's fd 0/1 are the client: now the TLS pipes */
			if (dup2(conn.ssl_read_fd, 0) < 0 || dup2(conn.ssl_write_fd, 1) < 0)
				die_sys(EXIT_TEMP, "dup2");
		}
		if (pfd[0] != 3) {
			if (dup2(pfd[0], 3) < 0)
				die_sys(EXIT_TEMP, "dup2");
			close(pfd[0]);
		}
		signal(SIGPIPE, SIG_DFL);
		execvp(opt.checker[0], opt.checker);
		die_sys(EXIT_TEMP, "cannot run %s", opt.checker[0]);
	}
	close(pfd[0]);
	/* at most 512 octets: one write into an empty pipe, never blocks */
	ssize_t w = write(pfd[1], cred, len);
	close(pfd[1]);
	(void)w; /* a checker that exits at once is judged by its status */
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			logline("error op=waitpid errno=%d", errno);
			return EXIT_TEMP << 8;
		}
	}
	return status;
}

/* The checker's verdict, within the failure limits when they are on. */
static int limited_verdict(const unsigned char *cred, size_t len, bool tls_on)
{
	if (!opt.limits_on)
		return run_checker(cred, len, tls_on);
	return limit_verdict(&opt.limits, conn.ipkey, conn.ip, cred, len, tls_on,
		run_checker);
}

/* The cap on concurrent sessions from one address, before the greeting:
 * the slot is held (by the root parent, when split) until the end. */
static void take_session_slot(void)
{
	conn.slot_fd = -1;
	if (!opt.limits_on || !conn.ipkey[0] || opt.limits.sessions_per_ip == 0)
		return;
	if (limit_session_take(&opt.limits, conn.ipkey, opt.limits.sessions_per_ip,
	    &conn.slot_fd) != LIMIT_HIT)
		return;
	logline("limit what=sessions ip=%s max=%u", conn.ip, opt.limits.sessions_per_ip);
	static const char msg[] = "-ERR [SYS/TEMP] too many sessions from your address\r\n";
	write_all_timeout(conn.out_fd, msg, sizeof msg - 1, WRITE_TIMEOUT_MS, 0, NULL);
	_exit(EXIT_REFUSED);
}

/* How the dialogue gets a verdict: directly or from the root parent. */
static int privsep_sock = -1;

static int get_verdict(struct authdialog *d)
{
	if (privsep_sock < 0)
		return limited_verdict(d->cred, d->cred_len, conn.tls_on);
	unsigned char msg[MSG_HEADER + AD_CRED_MAX];
	msg[0] = (unsigned char)d->method;
	msg[1] = conn.tls_on;
	memcpy(msg + MSG_HEADER, d->cred, d->cred_len);
	ssize_t n = send(privsep_sock, msg, MSG_HEADER + d->cred_len, MSG_NOSIGNAL);
	explicit_bzero(msg, sizeof msg);
	if (n < 0)
		die_sys(EXIT_TEMP, "send to parent");
	int status;
	ssize_t r;
	do
		r = recv(privsep_sock, &status, sizeof status, 0);
	while (r < 0 && errno == EINTR);
	if (r != (ssize_t)sizeof status)
		die(EXIT_TEMP, "no verdict from parent");
	return status;
}

static void log_attempt(const struct authdialog *d, int status)
{
	const unsigned char *user = d->cred;
	const unsigned char *nul = memchr(user, 0, d->cred_len);
	size_t user_len = nul ? (size_t)(nul - user) : 0;
	char value[LOG_VALUE_SIZE(AD_ARG_MAX)];
	log_value(value, sizeof value, (const char *)user, user_len);
	logline("login user=%s ip=%s method=%s tls=%s result=%s", value, conn.ip,
		method_name(d->method), conn.tls_on ? "yes" : "no",
		authdialog_result_word(status));
}

static bool send_out(struct authdialog *d, int fd)
{
	bool ok = write_all_timeout(fd, d->out, d->out_len, WRITE_TIMEOUT_MS, 0, NULL)
	          == WRITE_OK;
	authdialog_out_clear(d);
	return ok;
}

/* STLS: drop what the client sent after the command (it was sent in
 * clear and must not be taken as said under TLS), answer, switch. */
static bool start_tls(struct authdialog *d, struct line_reader *reader)
{
	line_discard_pending(reader);
	if (conn.tls == TLS_TLSWRAPPER) {
		/* tlswrapper sends the answer in clear and starts TLS once
		 * the pipe is closed */
		bool ok = send_out(d, conn.ctl_fd);
		close(conn.ctl_fd);
		conn.ctl_fd = -1;
		if (!ok)
			return false;
	} else {
		if (!send_out(d, conn.out_fd))
			return false;
		if (write_all_timeout(conn.ctl_fd, "y", 1, WRITE_TIMEOUT_MS, 0, NULL) != WRITE_OK)
			return false;
		conn.in_fd = conn.ssl_read_fd;
		conn.out_fd = conn.ssl_write_fd;
		line_reader_init(reader, conn.in_fd, (int)opt.idle_timeout * 1000);
	}
	conn.tls_on = true;
	authdialog_tls_started(d);
	logline("stls ip=%s", conn.ip);
	return true;
}

static void delay_seconds(unsigned seconds)
{
	struct timespec ts = { .tv_sec = seconds, .tv_nsec = 0 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static _Noreturn void end_dialogue(struct authdialog *d, const char *how, int code)
{
	logline("end ip=%s how=%s commands=%u failures=%u", conn.ip, how,
		d->commands, d->failures);
	authdialog_wipe(d);
	limit_session_release(&opt.limits, conn.ipkey, conn.slot_fd);
	_exit(code);
}

/* The process-unique part of the APOP timestamp and the CRAM-MD5
 * challenge, made before the split so that the root parent knows the one
 * string a digest may use (and the confined child needs no randomness). */
static char unique[80];

static void make_unique(void)
{
	uint64_t rnd = 0;
	if (getrandom(&rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		die_sys(EXIT_TEMP, "getrandom");
	snprintf(unique, sizeof unique, "%ld.%lld.%016llx", (long)getpid(),
		(long long)time(NULL), (unsigned long long)rnd);
}

/* The AUTHORIZATION state, from greeting to exit. */
static _Noreturn void dialogue(void)
{
	static struct authdialog d;
	static char line[AD_LINE_MAX];
	if (!authdialog_start(&d, &opt.dialog, unique))
		die(EXIT_MISUSE, "hostname too long");
	struct line_reader reader;
	line_reader_init(&reader, conn.in_fd, (int)opt.idle_timeout * 1000);
	if (!send_out(&d, conn.out_fd))
		end_dialogue(&d, "error", EXIT_DONE);
	/* The split child confines itself once the greeting is out and
	 * before it reads a byte: the client's first line travels
	 * meanwhile. */
	if (privsep_sock >= 0)
		jail_confine();
	/* each line has the idle timeout, and all of them the login timeout */
	long long idle_ms = (long long)opt.idle_timeout * 1000;
	int64_t end_ms = clock_ms() + (int64_t)opt.login_timeout * 1000;
	for (;;) {
		size_t len;
		bool had_cr;
		int left_ms = clock_ms_left(end_ms);
		bool total_bound = left_ms < idle_ms;
		reader.timeout_ms = total_bound ? left_ms : (int)idle_ms;
		enum line_status st = line_read(&reader, line, sizeof line, &len, &had_cr);
		if (st == LINE_EOF)
			end_dialogue(&d, "eof", EXIT_DONE);
		if (st == LINE_TIMEOUT) {
			const char *msg = total_bound ? "-ERR [SYS/TEMP] login took too long\r\n"
				: "-ERR [SYS/TEMP] idle timeout\r\n";
			write_all_timeout(conn.out_fd, msg, strlen(msg), WRITE_TIMEOUT_MS, 0, NULL);
			end_dialogue(&d, "timeout", EXIT_REFUSED);
		}
		if (st == LINE_ERROR)
			end_dialogue(&d, "error", EXIT_REFUSED);
		enum authdialog_action act = authdialog_line(&d, line, len,
			st == LINE_TOOLONG);
		explicit_bzero(line, sizeof line);
		if (act == AD_CHECK) {
			int status = get_verdict(&d);
			log_attempt(&d, status);
			act = authdialog_result(&d, status);
			if (act == AD_QUIT)
				end_dialogue(&d, "login", EXIT_DONE);
			delay_seconds(opt.failure_delay);
		}
		if (act == AD_STLS) {
			if (!start_tls(&d, &reader))
				end_dialogue(&d, "error", EXIT_TEMP);
			continue;
		}
		if (!send_out(&d, conn.out_fd))
			end_dialogue(&d, "error", EXIT_DONE);
		if (act == AD_QUIT)
			end_dialogue(&d, "quit", EXIT_DONE);
		if (act == AD_CLOSE)
			end_dialogue(&d, "limit", EXIT_REFUSED);
	}
}

/* The root parent: one checker per credentials block from the child.
 * The child parses every client byte, so the parent trusts it with
 * nothing it can count itself: past the failure limit (-f) a block
 * ends the child instead of running a checker. */
static _Noreturn void privileged_parent(pid_t child, int sock)
{
	unsigned char msg[MSG_HEADER + AD_CRED_MAX + 1];
	int code = EXIT_TEMP;
	unsigned failures = 0;
	static struct authdialog greeting; /* for its timestamp and challenge */
	if (!authdialog_start(&greeting, &opt.dialog, unique))
		die(EXIT_MISUSE, "hostname too long");
	for (;;) {
		ssize_t n = recv(sock, msg, sizeof msg, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		const char *bad = NULL;
		if (failures >= opt.dialog.max_failures)
			bad = "attempt past the failure limit";
		else if (n < MSG_HEADER + 3 || n > MSG_HEADER + AD_CRED_MAX
		    || !authdialog_block_ok(msg + MSG_HEADER, (size_t)n - MSG_HEADER, &greeting))
			bad = "bad credentials block";
		if (bad) {
			explicit_bzero(msg, sizeof msg);
			logline("error op=privsep reason=\"%s\"", bad);
			kill(child, SIGKILL);
			break;
		}
		int status = limited_verdict(msg + MSG_HEADER, (size_t)n - MSG_HEADER,
			msg[1] != 0);
		explicit_bzero(msg, sizeof msg);
		if (send(sock, &status, sizeof status, MSG_NOSIGNAL) < 0)
			break;
		if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_DONE) {
			code = EXIT_DONE;
			break;
		}
		failures++;
	}
	int status;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (code != EXIT_DONE)
		code = WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_TEMP;
	limit_session_release(&opt.limits, conn.ipkey, conn.slot_fd);
	_exit(code);
}

static void split_privileges(void)
{
	errno = 0;
	struct passwd *pw = getpwnam(opt.jail_user);
	if (!pw)
		die(EXIT_MISUSE, "unknown user %s", opt.jail_user);
	if (pw->pw_uid == 0 || pw->pw_gid == 0)
		die(EXIT_MISUSE, "user %s has root's uid or gid", opt.jail_user);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		die_sys(EXIT_TEMP, "socketpair");
	pid_t pid = fork();
	if (pid < 0)
		die_sys(EXIT_TEMP, "fork");
	if (pid == 0) {
		close(sv[0]);
		/* the slot is the parent's: the child holds no state file */
		if (conn.slot_fd >= 0)
			close(conn.slot_fd);
		conn.slot_fd = -1;
		jail(pw, opt.jail_dir);
		privsep_sock = sv[1];
		dialogue();
	}
	close(sv[1]);
	/* the parent never starts TLS; tlswrapper waits for every copy of
	 * its pipe to be closed */
	if (conn.ctl_fd >= 0)
		close(conn.ctl_fd);
	privileged_parent(pid, sv[0]);
}

int main(int argc, char **argv)
{
	progname = "pop3login";
	log_start();
	signal(SIGPIPE, SIG_IGN);
	/* an ignored SIGCHLD, inherited through exec from the listener,
	 * would make waitpid() fail and every verdict a temporary failure */
	signal(SIGCHLD, SIG_DFL);
	parse_options(argc, argv);
	conn.in_fd = 0;
	conn.out_fd = 1;
	conn.ip = getenv("TCPREMOTEIP");
	if (!conn.ip || !*conn.ip)
		conn.ip = "unknown";
	if (!limit_ip_key(conn.ip, conn.ipkey, sizeof conn.ipkey))
		conn.ipkey[0] = 0;
	take_session_slot();
	make_unique();
	if (geteuid() == 0)
		split_privileges();
	dialogue();
}
