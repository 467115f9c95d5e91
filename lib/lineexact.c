/* lineexact.c: see lineexact.h. */
#include "lineexact.h"
#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* An overlong line is read to its end so that the next command starts
 * where the client thinks it does; past this it is an attack. */
enum { DEFAULT_DRAIN_LIMIT = 64 * 1024 };

void line_reader_init(struct line_reader *r, int fd, int timeout_ms)
{
	struct stat st;
	r->fd = fd;
	r->is_socket = fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
	r->timeout_ms = timeout_ms;
	r->drain_limit = DEFAULT_DRAIN_LIMIT;
}

/* Waits until the descriptor is readable or DEADLINE passes.
 * Returns 1 readable, 0 timeout, -1 error. */
static int wait_readable(int fd, int64_t deadline)
{
	for (;;) {
		int left = clock_ms_left(deadline);
		if (left == 0)
			return 0;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n = poll(&p, 1, left);
		if (n > 0)
			return 1;
		if (n == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/* Takes up to WANT bytes into DST that belong to the current line: on a
 * socket all peeked bytes up to and including the first LF, elsewhere
 * one byte.  Returns the count (0 at end of input) or -1. */
static ssize_t take_some(struct line_reader *r, char *dst, size_t want)
{
	ssize_t n;
	if (!r->is_socket) {
		do
			n = read(r->fd, dst, 1);
		while (n < 0 && errno == EINTR);
		return n;
	}
	do
		n = recv(r->fd, dst, want, MSG_PEEK);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return n;
	const char *lf = memchr(dst, '\n', (size_t)n);
	size_t take = lf ? (size_t)(lf - dst) + 1 : (size_t)n;
	ssize_t got;
	do
		got = recv(r->fd, dst, take, 0);
	while (got < 0 && errno == EINTR);
	return got;
}

enum line_status line_read(struct line_reader *r, char *buf, size_t cap,
	size_t *len, bool *had_cr)
{
	int64_t deadline = clock_ms() + r->timeout_ms;
	size_t used = 0, total = 0;
	bool overlong = false;
	char scratch[512];

	*len = 0;
	*had_cr = false;
	for (;;) {
		int w = wait_readable(r->fd, deadline);
		if (w == 0)
			return LINE_TIMEOUT;
		if (w < 0)
			return LINE_ERROR;
		char *dst = overlong ? scratch : buf + used;
		size_t room = overlong ? sizeof scratch : cap - 1 - used;
		if (room == 0) {
			/* the buffer is full and no LF yet: drop from here on */
			overlong = true;
			continue;
		}
		ssize_t n = take_some(r, dst, room);
		if (n < 0)
			return LINE_ERROR;
		if (n == 0)
			return LINE_EOF;
		total += (size_t)n;
		bool ended = dst[n - 1] == '\n';
		if (!overlong)
			used += (size_t)n;
		if (ended)
			break;
		if (total > r->drain_limit) {
			errno = EMSGSIZE;
			return LINE_ERROR;
		}
	}
	if (overlong) {
		explicit_bzero(scratch, sizeof scratch); /* may hold a password */
		return LINE_TOOLONG;
	}
	used--; /* the LF */
	if (used > 0 && buf[used - 1] == '\r') {
		used--;
		*had_cr = true;
	}
	buf[used] = 0;
	*len = used;
	return LINE_OK;
}

void line_discard_pending(struct line_reader *r)
{
	char junk[512];
	int flags = fcntl(r->fd, F_GETFL);
	if (flags < 0)
		return;
	if (fcntl(r->fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return;
	/* bounded: a client cannot keep us here by sending fast */
	for (int i = 0; i < 128; i++) {
		ssize_t n = read(r->fd, junk, sizeof junk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
	}
	fcntl(r->fd, F_SETFL, flags);
	explicit_bzero(junk, sizeof junk);
}
