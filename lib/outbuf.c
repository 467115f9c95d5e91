/* outbuf.c: see outbuf.h. */
#include "outbuf.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

void outbuf_init(struct outbuf *o, int fd, char *buf, size_t cap, int timeout_ms)
{
	memset(o, 0, sizeof *o);
	o->fd = fd;
	o->buf = buf;
	o->cap = cap;
	o->timeout_ms = timeout_ms;
	o->is_socket = -1;
}

static ssize_t write_some(struct outbuf *o, const char *p, size_t len)
{
	if (o->is_socket)
		return send(o->fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	return write(o->fd, p, len);
}

/* Writes all of P, waiting at most timeout_ms each time the peer stalls.
 * A socket is written first and waited for only when it takes nothing
 * (EAGAIN) or only part: a poll before every send would be one system
 * call more per flush, thousands in a long RETR.  Any other descriptor
 * is written blocking, so it is polled first, or a stalled reader could
 * hold us past the timeout. */
static int write_all(struct outbuf *o, const char *p, size_t len)
{
	if (o->is_socket < 0) {
		struct stat st;
		o->is_socket = fstat(o->fd, &st) == 0 && S_ISSOCK(st.st_mode);
	}
	int wait_first = !o->is_socket;
	while (len > 0) {
		if (wait_first) {
			struct pollfd pfd = { .fd = o->fd, .events = POLLOUT };
			int r = poll(&pfd, 1, o->timeout_ms);
			if (r == 0)
				return o->status = OUTBUF_TIMEOUT;
			if (r < 0) {
				if (errno == EINTR)
					continue;
				return o->status = OUTBUF_ERROR;
			}
		}
		ssize_t n = write_some(o, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				wait_first = 1;
				continue;
			}
			return o->status = OUTBUF_ERROR;
		}
		if (n == 0)
			return o->status = OUTBUF_ERROR;
		p += n;
		len -= (size_t)n;
		o->written += (uint64_t)n;
		/* A socket that took only part is full: wait before the rest. */
		wait_first = !o->is_socket || len > 0;
	}
	return OUTBUF_OK;
}

int outbuf_flush(struct outbuf *o)
{
	if (o->status != OUTBUF_OK)
		return o->status;
	int r = write_all(o, o->buf, o->len);
	o->len = 0;
	return r;
}

int outbuf_put(struct outbuf *o, const void *data, size_t len)
{
	const char *p = data;
	if (o->status != OUTBUF_OK)
		return o->status;
	if (len <= o->cap - o->len) {
		memcpy(o->buf + o->len, p, len);
		o->len += len;
		return OUTBUF_OK;
	}
	/* Top the buffer up so full-sized writes go out, then keep the tail. */
	size_t fillup = o->cap - o->len;
	memcpy(o->buf + o->len, p, fillup);
	o->len = o->cap;
	p += fillup;
	len -= fillup;
	if (outbuf_flush(o) != OUTBUF_OK)
		return o->status;
	if (len >= o->cap) {
		size_t direct = len - len % o->cap;
		if (write_all(o, p, direct) != OUTBUF_OK)
			return o->status;
		p += direct;
		len -= direct;
	}
	memcpy(o->buf, p, len);
	o->len = len;
	return OUTBUF_OK;
}

int outbuf_puts(struct outbuf *o, const char *s)
{
	return outbuf_put(o, s, strlen(s));
}

char *outbuf_room(struct outbuf *o, size_t need)
{
	if (o->status != OUTBUF_OK || need > o->cap)
		return NULL;
	if (o->cap - o->len < need && outbuf_flush(o) != OUTBUF_OK)
		return NULL;
	return o->buf + o->len;
}

void outbuf_commit(struct outbuf *o, size_t used)
{
	o->len += used;
}
