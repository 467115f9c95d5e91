/* unit_write_all: whole buffers through short writes, signals, full
 * pipes and sockets, and stalled peers. */
#include "write_all.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

enum { BIG = 1 << 20 };
static char big[BIG];

static void on_alarm(int sig)
{
	(void)sig;
}

/* A child that waits a little, then reads FD to its end and exits 0 if
 * it got exactly big[].  It closes the writer's end, WRITE_FD, or it
 * would never see the end. */
static pid_t slow_reader(int fd, int write_fd)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	close(write_fd);
	static char got[BIG + 1];
	size_t total = 0;
	usleep(100 * 1000);
	for (;;) {
		ssize_t n = read(fd, got + total, sizeof got - total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += (size_t)n;
	}
	_exit(total == BIG && memcmp(got, big, BIG) == 0 ? 0 : 1);
}

static int reader_ok(pid_t pid)
{
	int status;
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Interrupts every 2 ms, without SA_RESTART, so writes see EINTR. */
static void interrupt_often(int on)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { { 0, on ? 2000 : 0 }, { 0, on ? 2000 : 0 } };
	setitimer(ITIMER_REAL, &it, NULL);
}

static void test_blocking(void)
{
	int p[2];
	if (pipe(p) < 0)
		return;
	pid_t pid = slow_reader(p[0], p[1]);
	close(p[0]);
	interrupt_often(1);
	ok(write_all(p[1], big, BIG) == 0, "write_all: 1 MiB into a slow pipe, through signals");
	interrupt_often(0);
	close(p[1]);
	ok(reader_ok(pid), "write_all: the reader got every octet in order");

	if (pipe(p) < 0)
		return;
	close(p[0]);
	errno = 0;
	ok(write_all(p[1], "x", 1) < 0 && errno == EPIPE, "write_all: no reader is EPIPE");
	close(p[1]);
	ok(write_all(p[1], "x", 1) < 0 && errno == EBADF, "write_all: a closed descriptor is EBADF");
}

static void test_timeout_pass(unsigned flags, const char *what)
{
	int s[2];
	char name[120];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, s) < 0)
		return;
	pid_t pid = slow_reader(s[1], s[0]);
	close(s[1]);
	uint64_t written = 0;
	interrupt_often(1);
	int r = write_all_timeout(s[0], big, BIG, 5000, flags, &written);
	interrupt_often(0);
	close(s[0]);
	snprintf(name, sizeof name, "write_all_timeout %s: 1 MiB to a slow reader", what);
	ok(r == WRITE_OK && written == BIG, name);
	snprintf(name, sizeof name, "write_all_timeout %s: the reader got it all", what);
	ok(reader_ok(pid), name);
}

/* Fills the pipe to the brim.  write_all_timeout polls a pipe before
 * each write but then writes it blocking, and Linux blocks a write
 * larger than the room left: the test starts from a full pipe so that
 * the wait, not the write, meets the stall. */
static void fill_pipe(int fd)
{
	int flags = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	while (write(fd, big, 4096) > 0)
		;
	fcntl(fd, F_SETFL, flags);
}

static void test_stall(int fd, int peer, unsigned flags, const char *what)
{
	char name[120];
	uint64_t written = 7;
	size_t len = flags & WRITE_SOCKET ? BIG : 1;
	int r = write_all_timeout(fd, big, len, 100, flags, &written);
	snprintf(name, sizeof name, "write_all_timeout %s: a peer that reads nothing times out", what);
	ok(r == WRITE_TIMEOUT, name);
	snprintf(name, sizeof name, "write_all_timeout %s: what the kernel took is counted", what);
	ok(flags & WRITE_SOCKET ? written > 7 && written < 7 + (uint64_t)BIG : written == 7, name);
	close(peer);
	r = write_all_timeout(fd, "x", 1, 100, flags, NULL);
	snprintf(name, sizeof name, "write_all_timeout %s: a vanished peer is an error", what);
	ok(r == WRITE_ERROR && (errno == EPIPE || errno == ECONNRESET), name);
	close(fd);
}

int main(void)
{
	for (size_t i = 0; i < BIG; i++)
		big[i] = (char)(i * 7 + i / 251);
	signal(SIGPIPE, SIG_IGN);
	test_blocking();
	test_timeout_pass(0, "(poll first)");
	test_timeout_pass(WRITE_SOCKET, "(socket)");

	int s[2], p[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0)
		test_stall(s[0], s[1], WRITE_SOCKET, "(socket)");
	if (pipe(p) == 0) {
		fill_pipe(p[1]);
		test_stall(p[1], p[0], 0, "(full pipe)");
	}
	ok(write_all_timeout(1, "", 0, 0, 0, NULL) == WRITE_OK, "write_all_timeout: nothing to write is done at once");
	printf("1..%d\n", test_no);
	return failures != 0;
}
