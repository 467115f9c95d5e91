/* halves.c: mbox_index_file() (index.h).  A first STAT waits for the
 * whole mailbox to be read and scanned, and half of that is the kernel's
 * copy; on a machine with a second CPU, a large file is indexed as two
 * halves at once.  The halves meet at a message's start: a "From " line
 * after a blank line starts a message whatever came before it (index.h),
 * so the index of the file is the first half's followed by the second's,
 * the same index a single pass makes (tests/unit/unit_mbox.c holds the
 * two to each other).  The second half runs in a thread of the confined
 * worker: it shares the worker's seccomp filter and Landlock domain
 * (lib/confine.c allows the mbox worker a thread, not a process). */
#include "index.h"
#include "findlf.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Below this a second thread gains less than it costs. */
#define HALVES_MIN_BYTES (8u << 20)
/* How far past each place tried a message start is looked for. */
#define SPLIT_WINDOW 65536
#define SPLIT_WINDOWS 16

/* The first message start at or after AT in FD (the "F" of "From " after
 * LF LF or LF CR LF), looked for in SPLIT_WINDOWS windows, or 0. */
static uint64_t start_after(int fd, uint64_t at, uint64_t size, char *buf)
{
	enum { BEFORE = 3, AFTER = 5 };  /* LF CR LF before, "From " after */
	for (int w = 0; w < SPLIT_WINDOWS && at < size; w++, at += SPLIT_WINDOW) {
		ssize_t got = pread(fd, buf, SPLIT_WINDOW + BEFORE + AFTER, (off_t)at);
		if (got <= BEFORE + AFTER)
			return 0;
		size_t n = (size_t)got, i = 0;
		for (const char *lf; (lf = find_lf(buf + i, n - i)); i = (size_t)(lf - buf) + 1) {
			size_t j = (size_t)(lf - buf) + 1;  /* the line after the LF */
			size_t from = j < n && buf[j] == '\n' ? j + 1 :
			              j + 1 < n && buf[j] == '\r' && buf[j + 1] == '\n' ? j + 2 : 0;
			if (from && from + AFTER <= n && memcmp(buf + from, "From ", AFTER) == 0)
				return at + from;
		}
	}
	return 0;
}

/* Where to split FD's SIZE bytes: a message start near the middle, or,
 * when a large message fills the middle, near a third of the way from
 * either end; 0 if none is found. */
static uint64_t find_split(int fd, uint64_t size)
{
	static const unsigned tenths[] = { 5, 4, 6, 3, 7 };
	char *buf = malloc(SPLIT_WINDOW + 8);
	uint64_t found = 0;
	for (size_t k = 0; buf && !found && k < sizeof tenths / sizeof *tenths; k++)
		found = start_after(fd, size / 10 * tenths[k], size, buf);
	free(buf);
	return found;
}

/* Appends B's messages, X-UIDL pool and X-UIDs to A's. */
static enum mbox_index_result join(struct mbox_index *a, const struct mbox_index *b)
{
	if (a->count + b->count > a->max_messages)
		return MBOX_TOO_MANY;
	if (a->pool_len + b->pool_len > UINT32_MAX)
		return MBOX_NO_MEMORY;
	if (a->count + b->count > a->cap) {
		struct mbox_msg *m = realloc(a->msgs, (a->count + b->count) * sizeof *m);
		if (!m)
			return MBOX_NO_MEMORY;
		a->msgs = m;
		a->cap = a->count + b->count;
	}
	if (a->pool_len + b->pool_len > a->pool_cap) {
		char *p = realloc(a->xuidl_pool, a->pool_len + b->pool_len);
		if (!p)
			return MBOX_NO_MEMORY;
		a->xuidl_pool = p;
		a->pool_cap = a->pool_len + b->pool_len;
	}
	for (size_t i = 0; i < b->count; i++) {
		struct mbox_msg *m = &a->msgs[a->count + i];
		*m = b->msgs[i];
		if (m->tag & MBOX_TAG_XUIDL)
			m->xuidl_off += (uint32_t)a->pool_len;
	}
	if (b->pool_len)
		memcpy(a->xuidl_pool + a->pool_len, b->xuidl_pool, b->pool_len);
	if (a->x_uids && b->count) {
		if (mbox_index_xuids_room(a) < 0)
			return MBOX_NO_MEMORY;
		memcpy(a->x_uids + a->count, b->x_uids, b->count * sizeof *b->x_uids);
	}
	a->count += b->count;
	a->pool_len += b->pool_len;
	a->octets += b->octets;
	a->end = b->end;
	return MBOX_OK;
}

struct half {
	struct mbox_index ix;
	int fd;
	uint64_t start;
	enum mbox_index_result r;
	int err;
};

static void *second_half(void *arg)
{
	struct half *h = arg;
	h->r = mbox_index_range(&h->ix, h->fd, h->start, UINT64_MAX);
	h->err = errno;
	return NULL;
}

enum mbox_index_result mbox_index_file(struct mbox_index *ix, int fd, unsigned workers)
{
	struct stat st;
	uint64_t split = 0;
	if (workers >= 2 && fstat(fd, &st) == 0 && st.st_size >= (off_t)HALVES_MIN_BYTES &&
	    lseek(fd, 0, SEEK_CUR) == 0)
		split = find_split(fd, (uint64_t)st.st_size);
	struct half h;
	pthread_t t;
	if (split) {
		memset(&h, 0, sizeof h);
		mbox_index_init(&h.ix, ix->flags, ix->max_messages);
		h.ix.uidl_format = ix->uidl_format;
		h.fd = fd;
		h.start = split;
		if (pthread_create(&t, NULL, second_half, &h) != 0) {
			mbox_index_free(&h.ix);
			split = 0;
		}
	}
	if (!split) {
		ix->parts = 1;
		return mbox_index_fd(ix, fd);
	}
	ix->parts = 2;
	enum mbox_index_result r = mbox_index_range(ix, fd, 0, split);
	int err = errno;
	pthread_join(t, NULL);
	if (r == MBOX_OK && h.r != MBOX_OK) {
		r = h.r;
		err = h.err;
	}
	if (r == MBOX_OK)
		r = join(ix, &h.ix);
	mbox_index_free(&h.ix);
	/* As a single pass leaves it: the offset at the end. */
	if (r == MBOX_OK && lseek(fd, (off_t)ix->end, SEEK_SET) < 0) {
		r = MBOX_READ_ERROR;
		err = errno;
	}
	errno = err;
	return r;
}
