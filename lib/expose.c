/* expose.c: see expose.h.
 *
 * Descriptors: everything made here is close-on-exec, so pop3d inherits
 * exactly fds 0..2, 4, 5 and (for mbox) 6, and never a lock descriptor
 * of the exposer's, which would outlive it.  In the child the sources
 * are first moved above the targets, so that a source already sitting
 * on 4, 5 or 6 is not overwritten by another's dup2. */
#include "expose.h"

#include "die.h"
#include "exitcode.h"
#include "scan_num.h"
#include "scanlist.h"
#include "shortstr.h"
#include "write_all.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Above every target descriptor (4, 5, 6). */
#define EXPOSE_FD_PARK 10

static int fd_park(int fd)
{
	int high = fcntl(fd, F_DUPFD, EXPOSE_FD_PARK);
	if (high < 0)
		die_sys(EXIT_TEMP, "cannot duplicate a descriptor");
	return high;
}

static void fd_move(int from, int to)
{
	if (dup2(from, to) < 0)
		die_sys(EXIT_TEMP, "cannot move a descriptor to %d", to);
	close(from);
}

/* In the child: places the descriptors and execs pop3d. */
_Noreturn static void start_child(char *const argv[], int list_rd, int control,
                                  int mailbox_fd)
{
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGPIPE, &dfl, NULL);

	int list_hi = fd_park(list_rd);
	int control_hi = fd_park(control);
	int mailbox_hi = mailbox_fd >= 0 ? fd_park(mailbox_fd) : -1;
	close(list_rd);
	close(control);
	if (mailbox_fd >= 0)
		close(mailbox_fd);
	fd_move(list_hi, SCANLIST_FD);
	fd_move(control_hi, CONTROL_FD);
	if (mailbox_hi >= 0)
		fd_move(mailbox_hi, MAILBOX_FD);
	else
		close(MAILBOX_FD);
	execvp(argv[0], argv);
	die_sys(errno == ENOENT || errno == EACCES ? EXIT_MISUSE : EXIT_TEMP,
	        "cannot run %s", argv[0]);
}

void expose_start(struct expose *e, char *const argv[], int mailbox_fd)
{
	int list[2], control[2];
	if (!argv || !argv[0])
		die(EXIT_MISUSE, "usage: no program to run after the scan (pop3d)");
	e->pid = -1;
	e->list_fd = -1;
	e->control_fd = -1;
	e->list_error = 0;
	e->buf_len = 0;
	if (pipe2(list, O_CLOEXEC) < 0)
		die_sys(EXIT_TEMP, "cannot make the scan list pipe");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, control) < 0)
		die_sys(EXIT_TEMP, "cannot make the control socket");
	pid_t pid = fork();
	if (pid < 0)
		die_sys(EXIT_TEMP, "cannot fork");
	if (pid == 0)
		start_child(argv, list[0], control[1], mailbox_fd);
	close(list[0]);
	close(control[1]);
	e->pid = pid;
	e->list_fd = list[1];
	e->control_fd = control[0];
	signal(SIGPIPE, SIG_IGN);
}

static int list_flush(struct expose *e)
{
	if (e->list_error)
		return -1;
	if (e->buf_len && write_all(e->list_fd, e->buf, e->buf_len) < 0) {
		e->list_error = errno ? errno : EIO;
		e->buf_len = 0;
		return -1;
	}
	e->buf_len = 0;
	return 0;
}

static int list_put(struct expose *e, const char *s, size_t len)
{
	if (e->list_error || e->list_fd < 0)
		return -1;
	if (len > sizeof e->buf - e->buf_len && list_flush(e) < 0)
		return -1;
	if (len > sizeof e->buf)
		return write_all(e->list_fd, s, len) < 0 ? (e->list_error = errno, -1) : 0;
	memcpy(e->buf + e->buf_len, s, len);
	e->buf_len += len;
	return 0;
}

static int list_fail(struct expose *e, const char *why)
{
	logline("scanlist error=\"%s\"", why);
	e->list_error = EINVAL;
	return -1;
}

int expose_header(struct expose *e, uint64_t messages, uint64_t octets,
                  const char *flags)
{
	char line[128];
	size_t n = 0;
	/* A large list crosses in fewer, larger steps (best effort: the
	 * system's pipe-max-size and per-user pipe quota may refuse it). */
	if (messages > EXPOSE_BIG_LIST && e->list_fd >= 0)
		(void)fcntl(e->list_fd, F_SETPIPE_SZ, EXPOSE_PIPE_SIZE);
	memcpy(line, "pop3scan 1 ", 11);
	n = 11;
	n += fmt_u64(line + n, messages);
	line[n++] = ' ';
	n += fmt_u64(line + n, octets);
	if (flags && *flags) {
		size_t fl = strlen(flags);
		if (fl > sizeof line - n - 2 || strchr(flags, '\n'))
			return list_fail(e, "flags too long");
		line[n++] = ' ';
		memcpy(line + n, flags, fl);
		n += fl;
	}
	line[n++] = '\n';
	return list_put(e, line, n);
}

/* "SIZE UID " into LINE; returns its length, or 0 if UID is invalid. */
static size_t line_start(char *line, uint64_t size, const char *uid)
{
	size_t ul = strlen(uid);
	if (!uid_valid(uid, ul))
		return 0;
	size_t n = fmt_u64(line, size);
	line[n++] = ' ';
	short_copy(line + n, uid, ul);
	n += ul;
	line[n++] = ' ';
	return n;
}

int expose_pathn(struct expose *e, uint64_t size, const char *uid,
                 size_t uid_len, const char *path, size_t path_len)
{
	if (path_len == 0 || path[0] == '@' || short_has3(path, path_len, ' ', '\n', '\0'))
		return list_fail(e, "path not fit for a scan list");
	if (path_len + 21 + UID_MAX + 3 > SCANLIST_LINE_MAX)
		return list_fail(e, "path too long");
	if (!uid_valid(uid, uid_len))
		return list_fail(e, "invalid uid");
	if (e->list_error || e->list_fd < 0)
		return -1;
	/* The line is built in place in the buffer: no copy per message. */
	size_t need = 21 + 1 + uid_len + 1 + path_len + 1;
	if (need > sizeof e->buf - e->buf_len && list_flush(e) < 0)
		return -1;
	char *p = e->buf + e->buf_len;
	p += fmt_u64(p, size);
	*p++ = ' ';
	short_copy(p, uid, uid_len);
	p += uid_len;
	*p++ = ' ';
	short_copy(p, path, path_len);
	p += path_len;
	*p++ = '\n';
	e->buf_len = (size_t)(p - e->buf);
	return 0;
}

int expose_path(struct expose *e, uint64_t size, const char *uid,
                const char *path)
{
	return expose_pathn(e, size, uid, strlen(uid), path, strlen(path));
}

int expose_range(struct expose *e, uint64_t size, const char *uid,
                 uint64_t offset, uint64_t length)
{
	char line[21 + UID_MAX + 2 + 21 + 1 + 21 + 2];
	size_t n = line_start(line, size, uid);
	if (n == 0)
		return list_fail(e, "invalid uid");
	line[n++] = '@';
	n += fmt_u64(line + n, offset);
	line[n++] = '+';
	n += fmt_u64(line + n, length);
	line[n++] = '\n';
	if (e->list_error || e->list_fd < 0)
		return -1;
	if (n > sizeof e->buf - e->buf_len && list_flush(e) < 0)
		return -1;
	short_copy(e->buf + e->buf_len, line, n);
	e->buf_len += n;
	return 0;
}

int expose_list_end(struct expose *e)
{
	int r = list_flush(e);
	if (e->list_fd >= 0 && close(e->list_fd) < 0 && r == 0) {
		e->list_error = errno;
		r = -1;
	}
	e->list_fd = -1;
	if (r < 0 && e->list_error != EINVAL)
		logline("scanlist error=\"%s\"", strerror(e->list_error));
	return r;
}

void expose_report_free(struct expose_report *r)
{
	free(r->deleted);
	free(r->retrieved);
	memset(r, 0, sizeof *r);
}

/* Parses one report line (without LF) into MARK: returns 1 for a D or R
 * line, 2 for ".", 0 for anything else. */
static int report_line(const char *line, size_t len, uint32_t messages,
                       unsigned char *mark, struct expose_report *r)
{
	uint32_t n;
	if (len == 1 && line[0] == '.')
		return 2;
	if (len < 3 || (line[0] != 'D' && line[0] != 'R') || line[1] != ' ')
		return 0;
	if (!scan_u32(line + 2, len - 2, &n) || n == 0 || n > messages)
		return 0;
	if (mark[n - 1])
		return 0;
	mark[n - 1] = 1;
	if (line[0] == 'D')
		r->deleted[r->n_deleted++] = n;
	else
		r->retrieved[r->n_retrieved++] = n;
	return 1;
}

static int report_fail(struct expose_report *r, unsigned char *mark,
                       const char *why)
{
	if (why)
		logline("report error=\"%s\"", why);
	free(mark);
	expose_report_free(r);
	return 0;
}

int expose_read_report_fd(int fd, uint32_t messages, struct expose_report *r,
                          int timeout_ms)
{
	char buf[4096];
	char line[EXPOSE_REPORT_LINE_MAX];
	size_t line_len = 0;
	int started = 0;
	memset(r, 0, sizeof *r);
	size_t slots = messages ? messages : 1;
	unsigned char *mark = calloc(slots, 1);
	r->deleted = calloc(slots, sizeof *r->deleted);
	r->retrieved = calloc(slots, sizeof *r->retrieved);
	if (!mark || !r->deleted || !r->retrieved)
		return report_fail(r, mark, "out of memory");
	for (;;) {
		/* pop3d's own timeouts bound the session; only a report
		 * that has begun is bounded here. */
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int pr = poll(&p, 1, started ? timeout_ms : -1);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			return report_fail(r, mark, "poll failed");
		if (pr == 0)
			return report_fail(r, mark, "timeout");
		ssize_t got = read(fd, buf, sizeof buf);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return report_fail(r, mark, errno == ECONNRESET ? NULL : "read failed");
		if (got == 0)
			return report_fail(r, mark, line_len ? "end of file inside a line" : NULL);
		started = 1;
		for (ssize_t i = 0; i < got; i++) {
			if (buf[i] != '\n') {
				if (line_len == sizeof line)
					return report_fail(r, mark, "line too long");
				line[line_len++] = buf[i];
				continue;
			}
			int k = report_line(line, line_len, messages, mark, r);
			line_len = 0;
			if (k == 0)
				return report_fail(r, mark, "malformed, out of range or repeated line");
			if (k == 2) {
				if (i + 1 != got)
					return report_fail(r, mark, "data after the end of the report");
				free(mark);
				return 1;
			}
		}
	}
}

int expose_read_report(struct expose *e, uint32_t messages,
                       struct expose_report *r)
{
	if (e->control_fd < 0) {
		memset(r, 0, sizeof *r);
		return 0;
	}
	return expose_read_report_fd(e->control_fd, messages, r,
	                             EXPOSE_REPORT_TIMEOUT_MS);
}

int expose_answer(struct expose *e, const char *text)
{
	char line[EXPOSE_ANSWER_MAX + 1];
	size_t n = strcspn(text, "\r\n");
	if (n > EXPOSE_ANSWER_MAX)
		n = EXPOSE_ANSWER_MAX;
	memcpy(line, text, n);
	line[n++] = '\n';
	if (e->control_fd < 0)
		return -1;
	const char *p = line;
	while (n > 0) {
		ssize_t w = send(e->control_fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int expose_finish(struct expose *e)
{
	int status;
	if (e->list_fd >= 0)
		expose_list_end(e);
	if (e->control_fd >= 0)
		close(e->control_fd);
	e->control_fd = -1;
	if (e->pid < 0)
		return EXIT_TEMP;
	while (waitpid(e->pid, &status, 0) < 0) {
		if (errno != EINTR)
			die_sys(EXIT_TEMP, "cannot wait for pop3d");
	}
	e->pid = -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status)) {
		logline("child signal=%d", WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	return EXIT_TEMP;
}

_Noreturn void expose_exec_sibling(const char *name, char *const argv[])
{
	char self[PATH_MAX];
	size_t argc = 0;
	while (argv && argv[argc])
		argc++;
	char **args = calloc(argc + 2, sizeof *args);
	if (!args)
		die_nomem();
	args[0] = (char *)name;
	for (size_t i = 1; i < argc; i++)
		args[i] = argv[i];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		size_t nl = strlen(name);
		if (slash && (size_t)(slash + 1 - self) + nl < sizeof self) {
			memcpy(slash + 1, name, nl + 1);
			execv(self, args);
			if (errno != ENOENT)
				die_sys(EXIT_TEMP, "cannot run %s", self);
		}
	}
	execvp(name, args);
	die_sys(errno == ENOENT ? EXIT_MISUSE : EXIT_TEMP, "cannot run %s", name);
}
