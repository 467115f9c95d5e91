/* pop3trace: per-user protocol logs, the successor of mpopd's user logs.
 *
 *   pop3trace DIR PROG [ARG...]
 *
 * A link between the checker and the exposer (checkpw pop3trace DIR
 * mboxsplit pop3d), so it runs as the user, after the login: no password
 * ever passes through it.  When DIR/$USER is a directory that belongs to
 * the user, it records the session there, one file per session, and
 * relays the bytes between the client and PROG through a socketpair;
 * otherwise (the usual case) it execs PROG at once and costs one lstat.
 * A trace that cannot be written never refuses the session: PROG runs
 * untraced and one line says why.
 *
 * The file has one line per client command ("C: STAT") and per server
 * status line ("S: +OK 2 messages"), each with the seconds since the
 * start; message bodies are counted, not copied.  It exits with PROG's
 * status, so the chain's exit codes pass through (doc/interfaces.md). */
#include "die.h"
#include "clock.h"
#include "write_all.h"
#include "exitcode.h"
#include "spoolgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum {
	RELAY_BUF = 16384,
	TRACE_LINE_MAX = 512,        /* octets of one line kept in the trace */
	USER_NAME_MAX = 255,
	WRITE_TIMEOUT_MS = 600000,   /* a client that stops reading, as pop3d's */
	PATH_MAX_LEN = 4096,
};

/* One direction of the relay and what the trace keeps of it. */
struct side {
	const char *tag;             /* "C" or "S" */
	bool status_only;            /* server side: only +OK / -ERR lines */
	bool at_line_start;
	char line[TRACE_LINE_MAX + 1];
	size_t line_len;
	unsigned long long octets;
};

static int trace_fd = -1;
static int64_t started_ns;

static void trace_write(const char *text, size_t len)
{
	while (len > 0) {
		ssize_t n = write(trace_fd, text, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* a full disk ends the trace, not the session */
			close(trace_fd);
			trace_fd = -1;
			return;
		}
		text += n;
		len -= (size_t)n;
	}
}

static double elapsed(void)
{
	return (double)(clock_ns() - started_ns) / 1e9;
}

static void trace_line(const struct side *s)
{
	if (trace_fd < 0)
		return;
	char out[TRACE_LINE_MAX + 64];
	int n = snprintf(out, sizeof out, "%.3f %s: %.*s\n", elapsed(), s->tag,
			 (int)s->line_len, s->line);
	if (n > 0)
		trace_write(out, (size_t)n < sizeof out ? (size_t)n : sizeof out - 1);
}

/* A status line: what the server answers to a command, as opposed to
 * a line of a multi-line body (which may start with "+OK" too, rarely:
 * the trace is for reading, not for parsing). */
static bool is_status(const char *line, size_t len)
{
	return (len >= 3 && memcmp(line, "+OK", 3) == 0) ||
	       (len >= 4 && memcmp(line, "-ERR", 4) == 0);
}

/* Feeds relayed bytes to the trace, line by line; CR and control
 * characters are shown as '?', so a line is always one line. */
static void trace_bytes(struct side *s, const char *buf, size_t len)
{
	s->octets += len;
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		if (s->at_line_start) {
			s->at_line_start = false;
			s->line_len = 0;
		}
		if (c == '\n') {
			if (s->line_len > 0 && s->line[s->line_len - 1] == '?')
				s->line_len--;  /* the CR of CR LF */
			if (!s->status_only || is_status(s->line, s->line_len))
				trace_line(s);
			s->at_line_start = true;
			continue;
		}
		if (s->line_len < TRACE_LINE_MAX)
			s->line[s->line_len++] = (c >= 0x20 && c < 0x7f) ? c : '?';
	}
}

/* Copies client <-> server until the server side closes.  A client EOF
 * is passed on as a half-close, so pop3d sees it as it would directly. */
static void relay(int server)
{
	struct side client_side = { .tag = "C", .at_line_start = true };
	struct side server_side = { .tag = "S", .status_only = true, .at_line_start = true };
	char buf[RELAY_BUF];
	bool client_open = true;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = server, .events = POLLIN },
			{ .fd = client_open ? 0 : -1, .events = POLLIN },
		};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents) {
			ssize_t n = read(server, buf, sizeof buf);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			trace_bytes(&server_side, buf, (size_t)n);
			if (write_all_timeout(1, buf, (size_t)n, WRITE_TIMEOUT_MS, 0, NULL) != WRITE_OK)
				break;
		}
		if (client_open && p[1].revents) {
			ssize_t n = read(0, buf, sizeof buf);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				client_open = false;
				shutdown(server, SHUT_WR);
				continue;
			}
			trace_bytes(&client_side, buf, (size_t)n);
			if (write_all_timeout(server, buf, (size_t)n, WRITE_TIMEOUT_MS, 0, NULL) != WRITE_OK)
				break;
		}
	}
	if (trace_fd >= 0) {
		char out[160];
		int n = snprintf(out, sizeof out, "%.3f end client_octets=%llu server_octets=%llu\n",
				 elapsed(), client_side.octets, server_side.octets);
		if (n > 0)
			trace_write(out, (size_t)n);
	}
	close(server);
}

static _Noreturn void run_untraced(char **prog)
{
	execvp(prog[0], prog);
	die_sys(EXIT_TEMP, "cannot run %s", prog[0]);
}

/* The user's trace directory, if tracing is on for them. */
static bool trace_dir(const char *dir, const char *user, char *path, size_t size)
{
	if (!user || !*user || strlen(user) > USER_NAME_MAX || user[0] == '.' ||
	    strchr(user, '/'))
		return false;
	int n = snprintf(path, size, "%s/%s", dir, user);
	if (n < 0 || (size_t)n >= size)
		return false;
	struct stat st;
	if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return false;
	if (st.st_uid != geteuid()) {
		logline("skip user=%s why=\"%s is not the user's\"", user, path);
		return false;
	}
	return true;
}

/* Creates DIR/USER/YYYYMMDDTHHMMSS.PID; -1 if it cannot. */
static int open_trace(const char *userdir)
{
	char name[PATH_MAX_LEN];
	time_t now = time(NULL);
	struct tm tm;
	if (!gmtime_r(&now, &tm))
		return -1;
	char stamp[32];
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	int n = snprintf(name, sizeof name, "%s/%s.%ld", userdir, stamp, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof name)
		return -1;
	int fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		logline("skip file=%s errno=%d", name, errno);
	return fd;
}

static int exit_like(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status)) {
		/* die the same way, so the caller sees what pop3d did */
		int sig = WTERMSIG(status);
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return EXIT_TEMP;
}

int main(int argc, char **argv)
{
	progname = "pop3trace";
	log_start();
	if (argc < 3)
		die(EXIT_MISUSE, "usage: pop3trace DIR PROG [ARG...]");
	char **prog = argv + 2;
	const char *user = getenv("USER");
	char userdir[PATH_MAX_LEN];
	if (!trace_dir(argv[1], user, userdir, sizeof userdir))
		run_untraced(prog);
	trace_fd = open_trace(userdir);
	if (trace_fd < 0)
		run_untraced(prog);

	started_ns = clock_ns();
	const char *ip = getenv("TCPREMOTEIP");
	char head[USER_NAME_MAX + 128];
	int n = snprintf(head, sizeof head, "# pop3trace user=%s ip=%s pid=%ld\n",
			 user, ip ? ip : "-", (long)getpid());
	if (n > 0)
		trace_write(head, (size_t)n < sizeof head ? (size_t)n : sizeof head - 1);

	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		die_sys(EXIT_TEMP, "cannot create a socketpair");
	signal(SIGPIPE, SIG_IGN);
	pid_t child = fork();
	if (child < 0)
		die_sys(EXIT_TEMP, "cannot fork");
	if (child == 0) {
		signal(SIGPIPE, SIG_DFL);
		if (dup2(sv[1], 0) < 0 || dup2(sv[1], 1) < 0)
			die_sys(EXIT_TEMP, "cannot set up descriptors");
		run_untraced(prog);
	}
	close(sv[1]);
	spool_group_drop();  /* the relay reads client bytes */
	logline("trace user=%s pid=%ld", user, (long)child);
	relay(sv[0]);
	if (trace_fd >= 0)
		close(trace_fd);
	close(0);
	close(1);
	int status;
	while (waitpid(child, &status, 0) < 0) {
		if (errno != EINTR)
			die_sys(EXIT_TEMP, "cannot wait for %s", prog[0]);
	}
	return exit_like(status);
}
