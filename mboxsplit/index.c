/* index.c: see index.h.
 *
 * The scanner works line by line with memchr, and hands each message's
 * bytes, in runs as long as the input chunk allows, to lib/msgfilter
 * (the exact size) and lib/uiddigest (the id), so that the file is read
 * once and nothing of it is kept.  A blank line is held back until the
 * next line shows whether it is a separator (a From_ line follows, or
 * the file ends) or part of the message. */
#include "index.h"
#include "findlf.h"
#include "linecount.h"
#include "msgfilter.h"
#include "olduid.h"
#include "uiddigest.h"
#include "uidlformat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FROM_ "From "
#define FROM_LEN 5
#define FILTER_CARRY 512   /* > 2 * MSGF_LOOKAHEAD */
#define MBOX_POOL_MAX UINT32_MAX

struct scanner {
	struct mbox_index *ix;
	uint64_t offset;          /* file offset of the next byte fed */
	int at_line_start;
	int prev_blank;           /* the last complete line was blank */
	int in_from;              /* inside a From_ line longer than a chunk */
	int have_msg;
	const char *pending;      /* held-back blank line: "\n", "\r\n" or NULL */
	struct msgfilter filter;
	char carry[FILTER_CARRY]; /* bytes msgfilter asked to see again */
	size_t carry_len;
	struct uiddigest digest;
	struct olduid old;        /* under UIDL_FORMAT popa3d or dovecot */
	int header_done;
	/* Past the header and without mboxrd, a line's CRLF size is its
	 * length plus one for an LF without CR: counted here, one line per
	 * call, sparing msgfilter's second pass over the body. */
	int fast_body;
	uint64_t body_octets;
	int body_last_cr;         /* the body's last byte so far was CR */
	int body_open;            /* the body's last line has no LF yet */
	enum mbox_index_result error;
};

void mbox_index_init(struct mbox_index *ix, unsigned flags, size_t max_messages)
{
	memset(ix, 0, sizeof *ix);
	ix->flags = flags;
	ix->max_messages = max_messages;
}

void mbox_index_free(struct mbox_index *ix)
{
	free(ix->msgs);
	free(ix->xuidl_pool);
	free(ix->x_uids);
	ix->msgs = NULL;
	ix->xuidl_pool = NULL;
	ix->x_uids = NULL;
	ix->count = ix->cap = ix->pool_len = ix->pool_cap = 0;
}

const char *mbox_index_strerror(enum mbox_index_result r)
{
	switch (r) {
	case MBOX_OK: return "ok";
	case MBOX_NOT_MBOX: return "not an mbox (does not start with \"From \")";
	case MBOX_TOO_MANY: return "too many messages";
	case MBOX_READ_ERROR: return "read error";
	case MBOX_NO_MEMORY: return "out of memory";
	case MBOX_TOO_BIG: return "a From_ line of 4 GiB or more";
	}
	return "unknown error";
}

/* msgfilter may leave fewer than MSGF_LOOKAHEAD bytes unconsumed; they
 * are kept here and fed again in front of the next bytes. */
static void filter_push(struct scanner *s, const char *p, size_t n)
{
	size_t outlen;
	while (n > 0) {
		if (s->carry_len == 0) {
			size_t used = msgfilter_feed(&s->filter, p, n, 0, NULL, &outlen);
			p += used;
			n -= used;
			if (n > sizeof s->carry)
				abort();  /* msgfilter broke its contract */
			if (n)
				memcpy(s->carry, p, n);
			s->carry_len = n;
			return;
		}
		size_t take = sizeof s->carry - s->carry_len;
		if (take > n)
			take = n;
		memcpy(s->carry + s->carry_len, p, take);
		s->carry_len += take;
		p += take;
		n -= take;
		size_t used = msgfilter_feed(&s->filter, s->carry, s->carry_len, 0, NULL, &outlen);
		if (used == 0 && s->carry_len == sizeof s->carry)
			abort();
		memmove(s->carry, s->carry + used, s->carry_len - used);
		s->carry_len -= used;
	}
}

/* P is at most one line, or part of one: an LF can only be its last byte. */
static inline void body_count(struct scanner *s, const char *p, size_t n)
{
	s->body_octets += n;
	if (p[n - 1] == '\n') {
		int cr = n >= 2 ? p[n - 2] == '\r' : s->body_last_cr;
		s->body_octets += !cr;
		s->body_open = 0;
		s->body_last_cr = 0;
	} else {
		s->body_open = 1;
		s->body_last_cr = p[n - 1] == '\r';
	}
}

static int old_ids(const struct mbox_index *ix)
{
	return ix->uidl_format == UIDL_POPA3D || ix->uidl_format == UIDL_DOVECOT;
}

static int header_feed(struct scanner *s, const char *p, size_t n)
{
	if (old_ids(s->ix))
		olduid_feed(&s->old, p, n);
	return uiddigest_feed(&s->digest, p, n);
}

static void msg_feed(struct scanner *s, const char *p, size_t n)
{
	if (n == 0)
		return;
	struct mbox_msg *m = &s->ix->msgs[s->ix->count - 1];
	m->length += n;
	if (s->fast_body) {
		body_count(s, p, n);
		return;
	}
	if (!s->header_done)
		s->header_done = header_feed(s, p, n);
	filter_push(s, p, n);
	if (s->header_done && !s->filter.in_header && s->carry_len == 0 &&
	    !(s->ix->flags & MSGF_MBOXRD))
		s->fast_body = 1;
}

int mbox_pool_add(struct mbox_index *ix, const char *str, uint32_t *off)
{
	size_t n = strlen(str) + 1;
	if (ix->pool_len + n > MBOX_POOL_MAX)
		return -1;
	if (ix->pool_len + n > ix->pool_cap) {
		size_t cap = ix->pool_cap ? 2 * ix->pool_cap : 4096;
		while (cap < ix->pool_len + n)
			cap *= 2;
		char *p = realloc(ix->xuidl_pool, cap);
		if (!p)
			return -1;
		ix->xuidl_pool = p;
		ix->pool_cap = cap;
	}
	memcpy(ix->xuidl_pool + ix->pool_len, str, n);
	*off = (uint32_t)ix->pool_len;
	ix->pool_len += n;
	return 0;
}

/* What the old server's id needs of message M, whose header is read. */
static void old_id_end(struct scanner *s, struct mbox_msg *m)
{
	struct mbox_index *ix = s->ix;
	struct olduid *o = &s->old;
	if (ix->uidl_format == UIDL_POPA3D) {
		char hex[OLDUID_POPA3D_HEXLEN + 1];
		olduid_popa3d(o, hex);
		if (mbox_pool_add(ix, hex, &m->xuidl_off) == 0)
			m->tag |= MBOX_TAG_XUIDL;
		else
			s->error = MBOX_NO_MEMORY;
		return;
	}
	olduid_finish(o);
	int first = m->from_start == 0;
	if (first && o->has_base) {
		ix->has_base = 1;
		ix->pseudo = o->pseudo;
		ix->uidvalidity = o->uidvalidity;
		ix->uidlast = o->uidlast;
	}
	/* Dovecot takes no X-UID before the X-IMAPbase of the first. */
	ix->x_uids[ix->count - 1] = !first || o->uid_after_base ? o->x_uid : 0;
}

static void end_message(struct scanner *s)
{
	if (!s->have_msg)
		return;
	struct mbox_msg *m = &s->ix->msgs[s->ix->count - 1];
	size_t outlen;
	msgfilter_feed(&s->filter, s->carry, s->carry_len, 1, NULL, &outlen);
	s->carry_len = 0;
	m->size = s->filter.octets;
	if (s->fast_body)
		m->size += s->body_octets + (s->body_open ? 2 : 0);
	s->ix->octets += m->size;
	uiddigest_final_bytes(&s->digest, m->digest);
	if (old_ids(s->ix))
		old_id_end(s, m);
	if (s->digest.xuidl[0] && s->ix->uidl_format != UIDL_POPA3D) {
		if (mbox_pool_add(s->ix, s->digest.xuidl, &m->xuidl_off) == 0)
			m->tag |= MBOX_TAG_XUIDL;
		else
			s->error = MBOX_NO_MEMORY;
	}
	s->have_msg = 0;
	s->pending = NULL;  /* the separator: not part of the message */
}

static void start_message(struct scanner *s, size_t from_seg)
{
	struct mbox_index *ix = s->ix;
	if (ix->count >= ix->max_messages) {
		s->error = MBOX_TOO_MANY;
		return;
	}
	if (ix->count == ix->cap) {
		size_t cap = ix->cap ? 2 * ix->cap : 256;
		struct mbox_msg *p = realloc(ix->msgs, cap * sizeof *p);
		if (!p) {
			s->error = MBOX_NO_MEMORY;
			return;
		}
		ix->msgs = p;
		ix->cap = cap;
	}
	if (ix->uidl_format == UIDL_DOVECOT && mbox_index_xuids_room(ix) < 0) {
		s->error = MBOX_NO_MEMORY;
		return;
	}
	struct mbox_msg *m = &ix->msgs[ix->count++];
	memset(m, 0, sizeof *m);
	m->from_start = s->offset;
	m->from_len = (uint32_t)from_seg;
	s->have_msg = 1;
	s->pending = NULL;
	msgfilter_init(&s->filter, ix->flags, -1);
	s->carry_len = 0;
	uiddigest_init(&s->digest);
	if (old_ids(ix))
		olduid_init(&s->old);
	s->header_done = 0;
	s->fast_body = 0;
	s->body_octets = 0;
	s->body_last_cr = 0;
	s->body_open = 0;
}

static void flush_pending(struct scanner *s)
{
	if (s->pending) {
		const char *p = s->pending;
		s->pending = NULL;
		msg_feed(s, p, strlen(p));
	}
}

/* The common case, in a loop of its own: whole body lines that are not
 * blank, after a line that was not blank either, so none can start a
 * message.  Returns the bytes used: up to a blank line, a partial line
 * or the end.  With SSE2 the lines up to the next one that may be blank
 * are found and counted 32 octets at a time (a line's CRLF size is its
 * length plus one for an LF without CR), instead of a memchr a line;
 * such a line itself goes through the loop. */
static size_t body_lines(struct scanner *s, const char *p, size_t n)
{
	const char *q = p, *end = p + n;
	uint64_t octets = 0;
	for (;;) {
		uint64_t run_octets;
		q += lines_stretch(q, (size_t)(end - q), &run_octets);
		octets += run_octets;
		const char *lf = find_lf(q, (size_t)(end - q));
		if (!lf)
			break;
		size_t seg = (size_t)(lf - q) + 1;
		if (seg == 1 || (seg == 2 && q[0] == '\r'))
			break;  /* blank: the general path decides */
		octets += seg + (lf[-1] != '\r');
		q = lf + 1;
	}
	size_t used = (size_t)(q - p);
	if (used) {
		s->ix->msgs[s->ix->count - 1].length += used;
		s->body_octets += octets;
		s->body_open = 0;
		s->body_last_cr = 0;
	}
	return used;
}

/* Message bytes seen but not yet handed to msg_feed in one piece. */
struct run {
	size_t start, len;
};

/* The blank line that ends the header is at P + R->start + R->len, SEG
 * octets, with the header's run before it.  uiddigest sees both in one
 * call, which lets it hash the header in one go.  If the run is the
 * whole header and no line of it is one msgfilter could hide or change,
 * its size is counted here and msgfilter is spared it. */
static void header_end(struct scanner *s, const char *p, struct run *r, size_t seg)
{
	struct mbox_msg *m = &s->ix->msgs[s->ix->count - 1];
	s->header_done = header_feed(s, p + r->start, r->len + seg);
	if (m->length != 0 || (s->ix->flags & MSGF_MBOXRD) ||
	    ((s->ix->flags & MSGF_HIDE_STATUS) && s->digest.left_out))
		return;
	m->length = r->len;
	s->body_octets = crlf_octets(p + r->start, r->len);
	r->len = 0;
	s->fast_body = 1;
}

static void run_flush(struct scanner *s, const char *p, struct run *r)
{
	if (r->len)
		msg_feed(s, p + r->start, r->len);
	r->len = 0;
}

static void body_segment(struct scanner *s, const char *p, size_t i, size_t seg,
                         struct run *r)
{
	if (s->fast_body) {
		s->ix->msgs[s->ix->count - 1].length += seg;
		body_count(s, p + i, seg);
		return;
	}
	if (!r->len)
		r->start = i;
	r->len += seg;
}

/* The line of SEG bytes at P[I], at a line start: a From_ line after a
 * blank one starts a message; a blank line is held back (it may end the
 * message); anything else is message text.  Sets s->error on failure. */
static void line_start(struct scanner *s, const char *p, size_t i, size_t seg,
                       int complete, struct run *r)
{
	int is_from = s->prev_blank && seg >= FROM_LEN &&
	              memcmp(p + i, FROM_, FROM_LEN) == 0;
	int is_blank = complete && (seg == 1 || (seg == 2 && p[i] == '\r'));
	if (s->offset == 0 && !is_from) {
		s->error = MBOX_NOT_MBOX;
		return;
	}
	if (is_from) {
		run_flush(s, p, r);
		end_message(s);
		if (seg > UINT32_MAX) {
			s->error = MBOX_TOO_BIG;
			return;
		}
		start_message(s, seg);
		s->in_from = !complete;
	} else if (is_blank) {
		if (s->have_msg && !s->header_done && r->len && r->start + r->len == i)
			header_end(s, p, r, seg);
		run_flush(s, p, r);
		flush_pending(s);
		s->pending = seg == 1 ? "\n" : "\r\n";
	} else {
		if (s->pending) {
			run_flush(s, p, r);
			flush_pending(s);
		}
		body_segment(s, p, i, seg, r);
	}
	s->prev_blank = is_blank;
}

/* Feeds P[0..N); returns how many bytes were used.  Without EOF, fewer
 * than FROM_LEN bytes at a line start may be left to feed again. */
static size_t scan_feed(struct scanner *s, const char *p, size_t n, int eof)
{
	size_t i = 0;
	struct run r = { 0, 0 };
	while (i < n && s->error == MBOX_OK) {
		if (s->fast_body && s->at_line_start && !s->prev_blank && !s->pending) {
			size_t done = body_lines(s, p + i, n - i);
			i += done;
			s->offset += done;
			if (i == n)
				break;
		}
		else if (s->have_msg && s->at_line_start && !s->prev_blank && !s->pending &&
		         !s->in_from) {
			/* In the header: lines up to the next one that may be
			 * blank are message text, whatever they hold. */
			uint64_t unused;
			size_t done = lines_stretch(p + i, n - i, &unused);
			if (done) {
				body_segment(s, p, i, done, &r);
				i += done;
				s->offset += done;
				if (i == n)
					break;
			}
		}
		size_t avail = n - i;
		const char *lf = find_lf(p + i, avail);
		int complete = lf != NULL;
		size_t seg = complete ? (size_t)(lf - (p + i)) + 1 : avail;
		if (s->at_line_start) {
			if (!complete && !eof && avail < FROM_LEN)
				break;
			line_start(s, p, i, seg, complete, &r);
		} else if (s->in_from) {
			struct mbox_msg *m = &s->ix->msgs[s->ix->count - 1];
			if ((uint64_t)m->from_len + seg > UINT32_MAX)
				s->error = MBOX_TOO_BIG;
			else
				m->from_len += (uint32_t)seg;
		} else {
			body_segment(s, p, i, seg, &r);
		}
		if (s->error != MBOX_OK)
			break;
		s->at_line_start = complete;
		if (complete)
			s->in_from = 0;
		i += seg;
		s->offset += seg;
	}
	if (s->error == MBOX_OK)
		run_flush(s, p, &r);
	if (eof && i == n && s->error == MBOX_OK)
		end_message(s);
	return i;
}

static void scanner_init(struct scanner *s, struct mbox_index *ix)
{
	memset(s, 0, sizeof *s);
	s->ix = ix;
	s->at_line_start = 1;
	s->prev_blank = 1;  /* the start of the file counts as after a blank */
	s->error = MBOX_OK;
}

enum mbox_index_result mbox_index_mem(struct mbox_index *ix,
                                      const char *data, size_t len)
{
	struct scanner *s = aligned_alloc(_Alignof(struct scanner), sizeof *s);
	if (!s)
		return MBOX_NO_MEMORY;
	scanner_init(s, ix);
	scan_feed(s, data, len, 1);
	ix->end = s->offset;
	enum mbox_index_result r = s->error;
	free(s);
	return r;
}

/* The read loop: SOURCE fills at most N bytes and returns the count,
 * 0 at end of file, -1 on error. */
typedef ssize_t (*source_fn)(void *ctx, char *buf, size_t n);

static enum mbox_index_result index_stream(struct mbox_index *ix, source_fn source, void *ctx,
                                           uint64_t start)
{
	struct scanner *s = aligned_alloc(_Alignof(struct scanner), sizeof *s);
	char *buf = malloc(MBOX_READ_BLOCK);
	enum mbox_index_result r = MBOX_NO_MEMORY;
	if (!s || !buf)
		goto out;
	scanner_init(s, ix);
	s->offset = start;
	size_t have = 0;
	for (;;) {
		ssize_t got = source(ctx, buf + have, MBOX_READ_BLOCK - have);
		if (got < 0) {
			r = MBOX_READ_ERROR;
			goto out;
		}
		int eof = got == 0;
		have += (size_t)got;
		size_t used = scan_feed(s, buf, have, eof);
		if (s->error != MBOX_OK || eof)
			break;
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	ix->end = s->offset;
	r = s->error;
out:
	free(buf);
	free(s);
	return r;
}

static ssize_t fd_source(void *ctx, char *buf, size_t n)
{
	int fd = *(int *)ctx;
	for (;;) {
		ssize_t got = read(fd, buf, n);
		if (got >= 0 || errno != EINTR)
			return got;
	}
}

enum mbox_index_result mbox_index_fd(struct mbox_index *ix, int fd)
{
	return index_stream(ix, fd_source, &fd, 0);
}

struct range_source {
	int fd;
	uint64_t pos, end;
};

static ssize_t range_source(void *ctx, char *buf, size_t n)
{
	struct range_source *r = ctx;
	if (n > r->end - r->pos)
		n = (size_t)(r->end - r->pos);
	for (;;) {
		ssize_t got = n ? pread(r->fd, buf, n, (off_t)r->pos) : 0;
		if (got >= 0) {
			r->pos += (uint64_t)got;
			return got;
		}
		if (errno != EINTR)
			return -1;
	}
}

enum mbox_index_result mbox_index_range(struct mbox_index *ix, int fd, uint64_t start,
                                        uint64_t end)
{
	struct range_source r = { fd, start, end };
	return index_stream(ix, range_source, &r, start);
}

struct chunk_source {
	const char *data;
	size_t len, pos, chunk;
};

static ssize_t chunk_source(void *ctx, char *buf, size_t n)
{
	struct chunk_source *c = ctx;
	size_t take = c->len - c->pos;
	if (take > c->chunk)
		take = c->chunk;
	if (take > n)
		take = n;
	memcpy(buf, c->data + c->pos, take);
	c->pos += take;
	return (ssize_t)take;
}

enum mbox_index_result mbox_index_chunks(struct mbox_index *ix, const char *data,
                                         size_t len, size_t chunk)
{
	struct chunk_source c = { data, len, 0, chunk ? chunk : 1 };
	return index_stream(ix, chunk_source, &c, 0);
}
