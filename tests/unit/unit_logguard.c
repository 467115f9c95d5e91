/* unit_logguard: log_guard_stderr() takes descriptor 2 away from the
 * client's socket, and only from it. */
#include "die.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum { GUARDED = 1, IS_NULL = 2 };

/* In a child with IN as descriptor 0 and ERR as descriptor 2: calls
 * log_guard_stderr(), logs a line, and exits with GUARDED if it said
 * so and IS_NULL if descriptor 2 is then /dev/null. */
static int run_guard(int in, int err)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (dup2(in, 0) < 0 || dup2(err, 2) < 0)
			_exit(100);
		int r = 0;
		if (log_guard_stderr())
			r |= GUARDED;
		logline("event key=secret");
		struct stat st, null;
		if (fstat(2, &st) == 0 && stat("/dev/null", &null) == 0 &&
		    S_ISCHR(st.st_mode) && st.st_rdev == null.st_rdev)
			r |= IS_NULL;
		_exit(r);
	}
	int status;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
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

int main(void)
{
	progname = "unit";
	int client[2], other[2], p[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, client) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, other) < 0 || pipe(p) < 0)
		return 1;

	ok(run_guard(client[0], client[0]) == (GUARDED | IS_NULL),
	   "fd 2 the socket of fd 0: guarded, fd 2 is /dev/null");
	ok(arrived(client[1])[0] == '\0', "nothing reached the client");

	ok(run_guard(client[0], p[1]) == 0, "fd 2 a pipe (tcpserver's log): left alone");
	ok(strcmp(arrived(p[0]), "unit: event key=secret\n") == 0, "the line reached the log");

	ok(run_guard(client[0], other[0]) == 0,
	   "fd 2 another Unix socket (a journal stream): left alone");
	ok(strcmp(arrived(other[1]), "unit: event key=secret\n") == 0,
	   "the line reached the journal");

	int inet = socket(AF_INET, SOCK_STREAM, 0);
	if (inet >= 0) {
		ok(run_guard(p[0], inet) == (GUARDED | IS_NULL),
		   "fd 2 an Internet socket, not fd 0's: guarded");
		close(inet);
	}
	int devnull = open("/dev/null", O_RDWR);
	ok(run_guard(devnull, devnull) == IS_NULL, "fd 2 already /dev/null: nothing to do");

	printf("1..%d\n", test_no);
	return failures != 0;
}
