/* outbuf.c: see outbuf.h. */
#include "outbuf.h"
#include "write_all.h"

#include <string.h>
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

/* A socket is written first and waited for only when full: a poll
 * before every send would be one system call more per flush, thousands
 * in a long RETR (write_all.h). */
static int write_out(struct outbuf *o, const char *p, size_t len)
{
	if (o->is_socket < 0) {
		struct stat st;
		o->is_socket = fstat(o->fd, &st) == 0 && S_ISSOCK(st.st_mode);
	}
	int r = write_all_timeout(o->fd, p, len, o->timeout_ms,
	                          o->is_socket ? WRITE_SOCKET : 0, &o->written);
	if (r != WRITE_OK)
		o->status = r == WRITE_TIMEOUT ? OUTBUF_TIMEOUT : OUTBUF_ERROR;
	return o->status;
}

int outbuf_flush(struct outbuf *o)
{
	if (o->status != OUTBUF_OK)
		return o->status;
	int r = write_out(o, o->buf, o->len);
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
		if (write_out(o, p, direct) != OUTBUF_OK)
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
