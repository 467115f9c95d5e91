/* linein.c: see linein.h. */
#include "linein.h"
#include "findlf.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

void linein_init(struct linein *in, int fd, char *buf, size_t cap,
                 int timeout_ms, unsigned flags)
{
	memset(in, 0, sizeof *in);
	in->fd = fd;
	in->buf = buf;
	in->cap = cap;
	in->timeout_ms = timeout_ms;
	in->flags = flags;
	in->is_socket = -1;
	in->max_line = cap - 1;
}

void linein_set_max(struct linein *in, size_t max)
{
	if (max < in->cap)
		in->max_line = max;
}

int linein_buffered(const struct linein *in)
{
	return in->end > in->start;
}

/* Waits for input; 1 ready, 0 timeout, -1 error. */
static int wait_readable(struct linein *in)
{
	struct pollfd p = { .fd = in->fd, .events = POLLIN };
	for (;;) {
		int r = poll(&p, 1, in->timeout_ms);
		if (r > 0)
			return 1;
		if (r == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/* How much to read into ROOM octets without passing a LF when EXACT. */
static ssize_t exact_read(struct linein *in, char *dst, size_t room)
{
	if (in->is_socket < 0) {
		struct stat st;
		in->is_socket = fstat(in->fd, &st) == 0 && S_ISSOCK(st.st_mode);
	}
	if (!in->is_socket)
		return read(in->fd, dst, 1);
	ssize_t n = recv(in->fd, dst, room, MSG_PEEK);
	if (n <= 0)
		return n;
	char *nl = memchr(dst, '\n', (size_t)n);
	size_t want = nl ? (size_t)(nl - dst) + 1 : (size_t)n;
	return read(in->fd, dst, want);
}

/* Reads more input behind in->end.  Returns LINEIN_LINE on progress,
 * or EOF / ERROR / TIMEOUT. */
static int fill(struct linein *in)
{
	if (in->eof)
		return LINEIN_EOF;
	if (in->start > 0) {
		memmove(in->buf, in->buf + in->start, in->end - in->start);
		in->end -= in->start;
		in->start = 0;
	}
	for (;;) {
		int w = wait_readable(in);
		if (w == 0)
			return LINEIN_TIMEOUT;
		if (w < 0)
			return LINEIN_ERROR;
		ssize_t n;
		if (in->flags & LINEIN_EXACT)
			n = exact_read(in, in->buf + in->end, in->cap - in->end);
		else
			n = read(in->fd, in->buf + in->end, in->cap - in->end);
		if (n > 0) {
			in->end += (size_t)n;
			return LINEIN_LINE;
		}
		if (n == 0) {
			in->eof = 1;
			return LINEIN_EOF;
		}
		if (errno != EINTR && errno != EAGAIN)
			return LINEIN_ERROR;
	}
}

/* Throws input away up to and including the next LF. */
static int skip_line(struct linein *in)
{
	for (;;) {
		char *nl = memchr(in->buf + in->start, '\n', in->end - in->start);
		if (nl) {
			in->start = (size_t)(nl - in->buf) + 1;
			in->scanned = 0;
			return LINEIN_TOOLONG;
		}
		in->start = in->end = 0;
		int r = fill(in);
		if (r != LINEIN_LINE)
			return r;
	}
}

int linein_get(struct linein *in, const char **line, size_t *len)
{
	for (;;) {
		char *from = in->buf + in->start + in->scanned;
		size_t avail = in->end - in->start - in->scanned;
		char *nl = (char *)find_lf(from, avail);
		if (nl) {
			*line = in->buf + in->start;
			*len = (size_t)(nl - *line);
			in->start = (size_t)(nl - in->buf) + 1;
			in->scanned = 0;
			return *len > in->max_line ? LINEIN_TOOLONG : LINEIN_LINE;
		}
		in->scanned = in->end - in->start;
		if (in->scanned > in->max_line)
			return skip_line(in);
		int r = fill(in);
		if (r != LINEIN_LINE)
			return r;
	}
}
