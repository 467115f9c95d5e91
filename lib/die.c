/* die.c: see die.h. */
#include "die.h"
#include "exitcode.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

const char *progname = "pop3";

enum sink { TO_STDERR, TO_SYSLOG, TO_NOWHERE };
static volatile sig_atomic_t sink = TO_STDERR;

/* The severity a line reads as, from its first word (die.h). */
static int severity(const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len);
	if (!colon || (size_t)(colon - line) + 2 > len)
		return LOG_INFO;
	const char *m = colon + 2;
	size_t n = len - (size_t)(m - line);
	static const struct { const char *word; int level; } first[] = {
		{ "fatal", LOG_ERR }, { "error", LOG_ERR }, { "warning", LOG_WARNING },
	};
	for (size_t i = 0; i < sizeof first / sizeof first[0]; i++) {
		size_t w = strlen(first[i].word);
		if (n > w && memcmp(m, first[i].word, w) == 0 && memchr(" :=", m[w], 3))
			return first[i].level;
	}
	for (size_t i = 0; i + 7 <= n; i++)
		if (m[i] == ' ' && memcmp(m + i + 1, "error=", 6) == 0)
			return LOG_WARNING;
	return LOG_INFO;
}

/* On syslog the line is one datagram "<PRI>PROG: TEXT", the same line
 * after the priority, without the newline and without a timestamp or a
 * pid: the receiver adds the time (RFC 3164, 4.3.2), so no time zone
 * file is read in a jail, and the tag is PROG as in every other log,
 * which pop3stats reads.  The only call is writev on descriptor 2,
 * allowed in every confined room. */
static void send_line(int level, const char *line, size_t len)
{
	ssize_t w;
	if (sink == TO_NOWHERE)
		return;
	if (sink == TO_STDERR) {
		do
			w = write(2, line, len);
		while (w < 0 && errno == EINTR);
		return;
	}
	unsigned v = (unsigned)(LOG_MAIL | level);
	char pri[4] = { '<', (char)('0' + v / 10 % 10), (char)('0' + v % 10), '>' };
	if (len > 0 && line[len - 1] == '\n')
		len--;
	struct iovec iov[2] = { { pri, sizeof pri }, { (void *)line, len } };
	do
		w = writev(2, iov, 2);
	while (w < 0 && errno == EINTR);
}

/* Formats PREFIX + message (+ ": error") into one buffer and writes it
 * at once; an overlong message is cut, never split. */
static void emit(int level, const char *prefix, const char *fmt, va_list ap, int err)
{
	char line[1024];
	int n = snprintf(line, sizeof line, "%s: %s", progname, prefix);
	if (n < 0 || (size_t)n >= sizeof line)
		n = 0;
	int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof line - 2)
		len = sizeof line - 2;
	if (err) {
		int k = snprintf(line + len, sizeof line - len, ": %s", strerror(err));
		if (k > 0)
			len += (size_t)k;
		if (len > sizeof line - 2)
			len = sizeof line - 2;
	}
	line[len++] = '\n';
	send_line(level < 0 ? severity(line, len) : level, line, len);
}

void log_write(const char *line, size_t len)
{
	send_line(severity(line, len), line, len);
}

void die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit(LOG_ERR, "fatal: ", fmt, ap, 0);
	va_end(ap);
	_exit(code);
}

void die_sys(int code, const char *fmt, ...)
{
	int err = errno;
	va_list ap;
	va_start(ap, fmt);
	emit(LOG_ERR, "fatal: ", fmt, ap, err);
	va_end(ap);
	_exit(code);
}

void die_nomem(void)
{
	die(EXIT_TEMP, "out of memory");
}

void logline(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit(-1, "", fmt, ap, 0);
	va_end(ap);
}

void logline_at(int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit(level, "", fmt, ap, 0);
	va_end(ap);
}

void log_silence(void)
{
	sink = TO_NOWHERE;
}

/* --- where the lines go ------------------------------------------- */

enum stderr_kind { A_LOG, NOT_A_LOG, SYSLOG_SOCKET };

static int same_file(int fd, const struct stat *st)
{
	struct stat other;
	return fstat(fd, &other) == 0 && other.st_dev == st->st_dev && other.st_ino == st->st_ino;
}

/* A socket on descriptor 2 is the client's when it is descriptor 0's or
 * 1's, or any Internet socket; a Unix datagram one is a syslog socket
 * (a link before this one connected it); any other Unix socket is a log
 * (systemd's journal stream). */
static enum stderr_kind socket_kind(const struct stat *err)
{
	if (same_file(0, err) || same_file(1, err))
		return NOT_A_LOG;
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int type = 0;
	socklen_t tlen = sizeof type;
	if (getsockname(2, (struct sockaddr *)&ss, &len) < 0 ||
	    getsockopt(2, SOL_SOCKET, SO_TYPE, &type, &tlen) < 0)
		return A_LOG;
	if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)
		return NOT_A_LOG;
	if (ss.ss_family == AF_UNIX && type == SOCK_DGRAM)
		return SYSLOG_SOCKET;
	return A_LOG;
}

static enum stderr_kind stderr_kind(void)
{
	struct stat err;
	if (fstat(2, &err) != 0)
		return NOT_A_LOG;  /* closed: the next open() would take it */
	/* /dev/null is character device 1,3 on every Linux system */
	if (S_ISCHR(err.st_mode) && major(err.st_rdev) == 1 && minor(err.st_rdev) == 3)
		return NOT_A_LOG;
	if (S_ISSOCK(err.st_mode))
		return socket_kind(&err);
	return A_LOG;
}

/* A datagram socket connected to the local syslog daemon, or -1. */
static int syslog_socket(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	if (connect(s, (struct sockaddr *)&sun, sizeof sun) < 0) {
		close(s);
		return -1;
	}
	return s;
}

/* FD becomes descriptor 2, inherited by exec; exits if it cannot. */
static void onto_stderr(int fd)
{
	if (fd < 0 || (fd != 2 && dup2(fd, 2) < 0))
		_exit(EXIT_TEMP);
	if (fd != 2)
		close(fd);
	else if (fcntl(2, F_SETFD, 0) < 0)
		_exit(EXIT_TEMP);
}

int log_start(void)
{
	switch (stderr_kind()) {
	case A_LOG:
		return 0;
	case SYSLOG_SOCKET:
		sink = TO_SYSLOG;
		return 1;
	case NOT_A_LOG:
		break;
	}
	int s = syslog_socket();
	if (s >= 0) {
		onto_stderr(s);
		sink = TO_SYSLOG;
		return 1;
	}
	sink = TO_NOWHERE;
	onto_stderr(open("/dev/null", O_WRONLY));
	return 0;
}
