/* unit_logguard: log_start() takes descriptor 2 away from the client's
 * socket, and only from it; a syslog socket on descriptor 2 gets each
 * line as one "<PRI>PROG: TEXT" datagram.  Delivery to /dev/log itself
 * is shown by tests/logs.bats, in a mount namespace with a socket of
 * its own there. */
#include "die.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

enum { SAID_SYSLOG = 1, IS_NULL = 2, IS_DGRAM = 4, STILL_OPEN = 8 };

static int is_dgram(int fd)
{
	int type = 0;
	socklen_t len = sizeof type;
	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_DGRAM;
}

static int is_null(int fd)
{
	struct stat st, null;
	return fstat(fd, &st) == 0 && stat("/dev/null", &null) == 0 &&
	       S_ISCHR(st.st_mode) && st.st_rdev == null.st_rdev;
}

/* In a child with IN as descriptor 0 and ERR as descriptor 2 (-1:
 * closed): calls log_start(), logs a line, and exits with what it said
 * and what descriptor 2 then is. */
static int run_start(int in, int err)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (dup2(in, 0) < 0 || (err >= 0 ? dup2(err, 2) : close(2)) < 0)
			_exit(100);
		int r = 0;
		if (log_start())
			r |= SAID_SYSLOG;
		logline("event key=secret");
		if (is_null(2))
			r |= IS_NULL;
		if (is_dgram(2))
			r |= IS_DGRAM;
		int probe = open("/dev/null", O_RDONLY);
		if (probe != 2 && fcntl(2, F_GETFD) == 0)
			r |= STILL_OPEN;  /* open on exec, and not taken by the next open() */
		_exit(r);
	}
	int status;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Either way of not writing to the client: the syslog daemon's socket
 * (where this machine has one) or /dev/null. */
static int guarded(int r)
{
	return r == (SAID_SYSLOG | IS_DGRAM | STILL_OPEN) || r == (IS_NULL | STILL_OPEN);
}

/* What reached FD, nonblocking, as a string. */
static const char *arrived(int fd)
{
	static char buf[256];
	ssize_t n = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
	if (n < 0 && errno == ENOTSOCK) {
		fcntl(fd, F_SETFL, O_NONBLOCK);
		n = read(fd, buf, sizeof buf - 1);
	}
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* In a child whose descriptor 2 is ERR: one line of each severity. */
static void lines_of_each_kind(int err)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (dup2(err, 2) < 0)
			_exit(100);
		log_start();
		logline("login user=a result=ok");
		logline("warning: a warning");
		logline("skip name=x error=\"gone\"");
		logline("error op=fork errno=11");
		logline_at(LOG_NOTICE, "deny ip=192.0.2.1");
		die(111, "the end");
	}
	waitpid(pid, NULL, 0);
}

static void check_syslog_lines(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
		return;
	lines_of_each_kind(sv[0]);
	static const char *const want[] = {
		"<22>unit: login user=a result=ok", "<20>unit: warning: a warning",
		"<20>unit: skip name=x error=\"gone\"", "<19>unit: error op=fork errno=11",
		"<21>unit: deny ip=192.0.2.1", "<19>unit: fatal: the end",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		char what[96];
		snprintf(what, sizeof what, "syslog datagram %zu: %s", i + 1, want[i]);
		ok(strcmp(arrived(sv[1]), want[i]) == 0, what);
	}
	ok(arrived(sv[1])[0] == '\0', "nothing more");
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	progname = "unit";
	int client[2], other[2], p[2], dg[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, client) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, other) < 0 || pipe(p) < 0 ||
	    socketpair(AF_UNIX, SOCK_DGRAM, 0, dg) < 0)
		return 1;

	ok(guarded(run_start(client[0], client[0])),
	   "fd 2 the socket of fd 0: syslog's socket or /dev/null instead");
	ok(arrived(client[1])[0] == '\0', "nothing reached the client");

	ok(run_start(client[0], p[1]) == STILL_OPEN, "fd 2 a pipe (tcpserver's log): left alone");
	ok(strcmp(arrived(p[0]), "unit: event key=secret\n") == 0, "the line reached the log");

	ok(run_start(client[0], other[0]) == STILL_OPEN,
	   "fd 2 another Unix stream socket (a journal stream): left alone");
	ok(strcmp(arrived(other[1]), "unit: event key=secret\n") == 0,
	   "the line reached the journal");

	ok(run_start(client[0], dg[0]) == (SAID_SYSLOG | IS_DGRAM | STILL_OPEN),
	   "fd 2 a Unix datagram socket (an earlier link's syslog socket): kept, syslog");
	ok(strcmp(arrived(dg[1]), "<22>unit: event key=secret") == 0,
	   "the line arrived as a syslog datagram, facility mail");

	int inet = socket(AF_INET, SOCK_STREAM, 0);
	if (inet >= 0) {
		ok(guarded(run_start(p[0], inet)), "fd 2 an Internet socket, not fd 0's: guarded");
		close(inet);
	}
	int devnull = open("/dev/null", O_RDWR);
	ok(guarded(run_start(devnull, devnull)), "fd 2 /dev/null: syslog if there is one");
	ok(guarded(run_start(devnull, -1)), "fd 2 closed: syslog or /dev/null, kept open");

	check_syslog_lines();

	printf("1..%d\n", test_no);
	return failures != 0;
}
