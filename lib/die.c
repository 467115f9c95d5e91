/* die.c: see die.h. */
#include "die.h"
#include "exitcode.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *progname = "pop3";
static volatile sig_atomic_t silenced;

/* Formats PREFIX + message (+ ": error") into one buffer and writes it
 * at once; an overlong message is cut, never split. */
static void emit(const char *prefix, const char *fmt, va_list ap, int err)
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
	log_write(line, len);
}

void log_write(const char *line, size_t len)
{
	ssize_t w;
	if (silenced)
		return;
	do
		w = write(2, line, len);
	while (w < 0 && errno == EINTR);
}

void die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("fatal: ", fmt, ap, 0);
	va_end(ap);
	_exit(code);
}

void die_sys(int code, const char *fmt, ...)
{
	int err = errno;
	va_list ap;
	va_start(ap, fmt);
	emit("fatal: ", fmt, ap, err);
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
	emit("", fmt, ap, 0);
	va_end(ap);
}

void log_silence(void)
{
	silenced = 1;
}

static int is_inet_socket(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	return ss.ss_family == AF_INET || ss.ss_family == AF_INET6;
}

/* A Unix socket on descriptor 2 alone is a log (systemd's journal
 * stream): only the client's own socket, or a network one, is not. */
static int stderr_is_client(void)
{
	struct stat in, err;
	if (fstat(2, &err) != 0 || !S_ISSOCK(err.st_mode))
		return 0;
	if (fstat(0, &in) == 0 && in.st_dev == err.st_dev && in.st_ino == err.st_ino)
		return 1;
	return is_inet_socket(2);
}

int log_guard_stderr(void)
{
	if (!stderr_is_client())
		return 0;
	log_silence();
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, 2) < 0)
		_exit(EXIT_TEMP);
	if (null != 2)
		close(null);
	return 1;
}
