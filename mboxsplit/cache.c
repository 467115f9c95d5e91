/* cache.c: see cache.h.  The file is the raw index of this machine
 * (the header names the structure's size), which is all it is for. */
#include "cache.h"
#include "write_all.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CACHE_MAGIC "mboxsplit-idx-3"   /* 3: the X-IMAPbase kept */
#define CACHE_BLOCK 512   /* messages per write */

struct cache_header {
	char magic[16];
	uint32_t msg_size;       /* sizeof(struct mbox_msg) */
	uint32_t flags;
	uint64_t dev, ino, size;
	int64_t mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
	uint64_t count, octets, pool_len;
	uint32_t uidvalidity, uidlast;  /* the first message's X-IMAPbase */
	uint32_t has_base, pseudo;
};

/* FLAGS: the index's, and its UIDL_FORMAT above them, since the ids
 * differ by format. */
static void describe(struct cache_header *h, const struct stat *st, unsigned flags)
{
	memset(h, 0, sizeof *h);
	memcpy(h->magic, CACHE_MAGIC, sizeof CACHE_MAGIC);
	h->msg_size = sizeof(struct mbox_msg);
	h->flags = flags;
	h->dev = (uint64_t)st->st_dev;
	h->ino = (uint64_t)st->st_ino;
	h->size = (uint64_t)st->st_size;
	h->mtime_sec = st->st_mtim.tv_sec;
	h->mtime_nsec = st->st_mtim.tv_nsec;
	h->ctime_sec = st->st_ctim.tv_sec;
	h->ctime_nsec = st->st_ctim.tv_nsec;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Every range inside the file, in order, sizes adding up, ids sound. */
static int plausible(const struct mbox_index *ix)
{
	uint64_t sum = 0, prev_end = 0;
	for (size_t i = 0; i < ix->count; i++) {
		const struct mbox_msg *m = &ix->msgs[i];
		uint64_t end = m->from_start + m->from_len + m->length;
		if (m->from_start < prev_end || end < m->from_start || end > ix->end)
			return 0;
		if (m->tag & (MBOX_TAG_DELETED | MBOX_TAG_RETRIEVED | MBOX_TAG_MARK))
			return 0;
		if ((m->tag & MBOX_TAG_XUIDL) &&
		    (m->xuidl_off >= ix->pool_len ||
		     !memchr(ix->xuidl_pool + m->xuidl_off, '\0', ix->pool_len - m->xuidl_off) ||
		     strlen(ix->xuidl_pool + m->xuidl_off) > UID_MAX))
			return 0;
		prev_end = end;
		sum += m->size;
	}
	return sum == ix->octets;
}

int cache_load(const char *path, const struct stat *st, struct mbox_index *ix)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct cache_header want, got;
	describe(&want, st, ix->flags | ix->uidl_format << 16);
	struct stat cst;
	int ok = fstat(fd, &cst) == 0 && S_ISREG(cst.st_mode) && cst.st_uid == geteuid() &&
	         read_all(fd, &got, sizeof got) == 0 &&
	         memcmp(&got, &want, offsetof(struct cache_header, count)) == 0 &&
	         got.count <= ix->max_messages && got.pool_len <= UINT32_MAX;
	if (ok) {
		ix->msgs = got.count ? malloc(got.count * sizeof *ix->msgs) : NULL;
		ix->xuidl_pool = got.pool_len ? malloc(got.pool_len) : NULL;
		ok = (!got.count || ix->msgs) && (!got.pool_len || ix->xuidl_pool) &&
		     read_all(fd, ix->msgs, got.count * sizeof *ix->msgs) == 0 &&
		     read_all(fd, ix->xuidl_pool, got.pool_len) == 0;
	}
	close(fd);
	if (ok) {
		ix->count = ix->cap = got.count;
		ix->pool_len = ix->pool_cap = got.pool_len;
		ix->octets = got.octets;
		ix->end = got.size;
		ix->uidvalidity = got.uidvalidity;
		ix->uidlast = got.uidlast;
		ix->has_base = got.has_base != 0;
		ix->pseudo = got.pseudo != 0;
		ok = plausible(ix) && mbox_index_unique(ix) == 0;
	}
	if (!ok) {
		mbox_index_free(ix);
		ix->octets = ix->end = 0;
		return -1;
	}
	return 0;
}

int cache_save(const char *path, const struct stat *st, const struct mbox_index *ix)
{
	char tmp[PATH_MAX];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	struct cache_header h;
	describe(&h, st, ix->flags | ix->uidl_format << 16);
	h.count = ix->count;
	h.octets = ix->octets;
	h.pool_len = ix->pool_len;
	h.uidvalidity = ix->uidvalidity;
	h.uidlast = ix->uidlast;
	h.has_base = ix->has_base;
	h.pseudo = ix->pseudo;
	unlink(tmp);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	/* Per-session marks are not part of the index. */
	int ok = write_all(fd, &h, sizeof h) == 0;
	struct mbox_msg block[CACHE_BLOCK];
	for (size_t i = 0; ok && i < ix->count; i += CACHE_BLOCK) {
		size_t n = ix->count - i < CACHE_BLOCK ? ix->count - i : CACHE_BLOCK;
		memcpy(block, ix->msgs + i, n * sizeof *block);
		for (size_t k = 0; k < n; k++)
			block[k].tag &= ~(uint32_t)(MBOX_TAG_DELETED | MBOX_TAG_RETRIEVED | MBOX_TAG_MARK);
		ok = write_all(fd, block, n * sizeof *block) == 0;
	}
	ok = ok && write_all(fd, ix->xuidl_pool, ix->pool_len) == 0;
	int e = errno;
	if (close(fd) < 0 && ok) {
		ok = 0;
		e = errno;
	}
	if (ok && rename(tmp, path) == 0)
		return 0;
	if (ok)
		e = errno;
	unlink(tmp);
	errno = e;
	return -1;
}
