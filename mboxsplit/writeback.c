/* writeback.c: see writeback.h and doc/mbox-writeback.md.
 *
 * The mailbox file is only ever read.  Until rename(2) the mailbox is
 * the old file, untouched; from rename on it is the complete new file,
 * already on disk.  A crash at any point leaves one or the other, plus
 * at most a stray new file that the next session removes. */
#include "writeback.h"
#include "fault.h"
#include "spool.h"
#include "die.h"
#include "uiddigest.h"
#include "uidlformat.h"
#include "write_all.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* The read/write copy's buffer: smaller ones cost the QUIT of a large
 * mailbox time in system calls, larger ones cost every write-back memory
 * for little gain (doc/mbox-writeback.md, "What it costs"). */
#define WB_RW_BUF (256u << 10)
#define VERIFY_SPAN 256   /* From_ line bytes read in one go */

static int pread_all(int fd, char *buf, size_t len, uint64_t off)
{
	while (len > 0) {
		ssize_t n = pread(fd, buf, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* 1 if message M's header still has the digest (and X-UIDL) it had
 * when indexed, 0 if not, -1 on a read error.  Equal From_ positions
 * do not prove that a message is the one the client saw: a mail reader
 * may have expunged it in place and a delivery appended another of the
 * same length.  Deleting must never take mail the client has not had,
 * nor -R mark it read. */
static int same_message(int fd, const struct mbox_index *ix, const struct mbox_msg *m)
{
	struct uiddigest d;
	uiddigest_init(&d);
	char buf[8192];
	uint64_t off = m->from_start + m->from_len, left = m->length;
	while (left > 0) {
		size_t n = left < sizeof buf ? (size_t)left : sizeof buf;
		if (pread_all(fd, buf, n, off) < 0)
			return -1;
		off += n;
		left -= n;
		if (uiddigest_feed(&d, buf, n))
			break;
	}
	unsigned char sum[UIDDIGEST_BYTES];
	uiddigest_final_bytes(&d, sum);
	if (memcmp(sum, m->digest, sizeof sum) != 0)
		return 0;
	/* Under popa3d's and Dovecot's formats the pool holds their ids, not
	 * the X-UIDL; popa3d's fields are in the digest. */
	if ((m->tag & MBOX_TAG_XUIDL) && ix->uidl_format == UIDL_OWN &&
	    strcmp(d.xuidl, ix->xuidl_pool + m->xuidl_off) != 0)
		return 0;
	return 1;
}

/* 1 if every message still starts where it did: "From " at offset 0 or
 * after a blank line, its From_ line ending where it did; and anything
 * after the indexed end starts with "From "; and every message to be
 * deleted (or, with MARK_READ, marked read) is still the one indexed
 * (same_message).  0 if not, -1 on error. */
static int unchanged_but_appended(int fd, const struct mbox_index *ix, uint64_t size,
                                  int mark_read)
{
	const uint32_t check = MBOX_TAG_DELETED | (mark_read ? MBOX_TAG_RETRIEVED : 0);
	if (size < ix->end)
		return 0;
	for (size_t i = 0; i < ix->count; i++) {
		const struct mbox_msg *m = &ix->msgs[i];
		/* One read: the 3 bytes before, the From_ line up to its LF
		 * (or its first VERIFY_SPAN bytes, the LF then read alone). */
		char buf[VERIFY_SPAN + 3];
		uint64_t back = m->from_start < 3 ? m->from_start : 3;
		uint64_t line_end = m->from_start + m->from_len;   /* after the LF */
		int lf_inside = line_end < ix->end && m->from_len <= VERIFY_SPAN;
		size_t want = (size_t)back + (lf_inside ? m->from_len : (m->from_len < 5 ? m->from_len : 5));
		if (want < back + 5)
			return 0;  /* a From_ line shorter than "From ": impossible unless changed */
		if (pread_all(fd, buf, want, m->from_start - back) < 0)
			return -1;
		const char *p = buf + back;
		if (memcmp(p, "From ", 5) != 0)
			return 0;
		if (back > 0) {
			int blank = (back >= 2 && p[-1] == '\n' && p[-2] == '\n') ||
			            (back >= 3 && p[-1] == '\n' && p[-2] == '\r' && p[-3] == '\n');
			if (!blank)
				return 0;
		}
		if (line_end < ix->end) {
			char lf = p[m->from_len - 1];
			if (!lf_inside && pread_all(fd, &lf, 1, line_end - 1) < 0)
				return -1;
			if (lf != '\n')
				return 0;
		}
		if (m->tag & check) {
			int same = same_message(fd, ix, m);
			if (same <= 0)
				return same;
		}
	}
	if (size > ix->end) {
		char buf[5];
		if (size - ix->end < 5 || pread_all(fd, buf, 5, ix->end) < 0 ||
		    memcmp(buf, "From ", 5) != 0)
			return 0;
	}
	return 1;
}

/* If LINE (LEN octets, no LF) is a "Status:" field, returns 1 and sets
 * *IS_RO when its value is exactly "RO". */
static int status_field(const char *line, size_t len, int *is_ro)
{
	if (len < 7 || strncasecmp(line, "Status", 6) != 0)
		return 0;
	size_t i = 6;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i >= len || line[i] != ':')
		return 0;
	i++;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	size_t end = len;
	while (end > i && (line[end - 1] == ' ' || line[end - 1] == '\t' || line[end - 1] == '\r'))
		end--;
	*is_ro = end - i == 2 && line[i] == 'R' && line[i + 1] == 'O';
	return 1;
}

/* Finds the blank line that ends the header in BUF[0..LEN): 1 with the
 * header's length and that plus the blank line's, 0 if there is none. */
static int header_length(const char *buf, size_t len, size_t *header_end,
                         size_t *with_blank)
{
	for (size_t pos = 0; pos < len;) {
		const char *lf = memchr(buf + pos, '\n', len - pos);
		if (!lf)
			return 0;
		size_t n = (size_t)(lf - (buf + pos));
		if (n == 0 || (n == 1 && buf[pos] == '\r')) {
			*header_end = pos;
			*with_blank = pos + n + 1;
			return 1;
		}
		pos += n + 1;
	}
	return 0;
}

/* Message M's header with "Status: RO": 1 and a new header (the empty
 * line included) in *OUT, malloc'd, if it must change; 0 if it already
 * says so, or has no end within WB_MARK_HEADER_MAX; -1 on error.
 * *OLD_LEN is the length of the header it replaces. */
static int status_header(int fd, const struct mbox_msg *m, char **out, size_t *out_len,
                         size_t *old_len)
{
	size_t want = m->length < WB_MARK_HEADER_MAX ? (size_t)m->length : WB_MARK_HEADER_MAX;
	char *buf = malloc(want + 1);
	if (!buf)
		return -1;
	if (pread_all(fd, buf, want, m->from_start + m->from_len) < 0) {
		free(buf);
		return -1;
	}
	size_t header_end;
	if (!header_length(buf, want, &header_end, old_len)) {
		free(buf);
		return 0;
	}
	const char *eol = *old_len - header_end == 2 ? "\r\n" : "\n";
	char *new = malloc(header_end + 16 + (*old_len - header_end));
	if (!new) {
		free(buf);
		return -1;
	}
	size_t n = 0;
	int in_status = 0, status_lines = 0, status_ro = 0;
	for (size_t pos = 0; pos < header_end;) {
		char *lf = memchr(buf + pos, '\n', header_end - pos);
		size_t len = (size_t)(lf - (buf + pos));
		int cont = buf[pos] == ' ' || buf[pos] == '\t';
		int ro = 0;
		if (!cont) {
			in_status = status_field(buf + pos, len, &ro);
			status_lines += in_status;
			status_ro += in_status && ro;
		} else if (in_status) {
			status_ro = -1;  /* a folded Status: rewrite it */
		}
		if (!in_status) {
			memcpy(new + n, buf + pos, len + 1);
			n += len + 1;
		}
		pos += len + 1;
	}
	if (status_lines == 1 && status_ro == 1) {
		free(buf);
		free(new);
		return 0;
	}
	n += (size_t)sprintf(new + n, "Status: RO%s", eol);
	memcpy(new + n, buf + header_end, *old_len - header_end);
	n += *old_len - header_end;
	free(buf);
	*out = new;
	*out_len = n;
	return 1;
}

struct copier {
	int in, out;
	int use_cfr;          /* copy_file_range works between these files */
	int hint;             /* sync_file_range works on the new file */
	uint64_t written;     /* octets in the new file */
	uint64_t flushing;    /* writeback started for [0, flushing) */
	char *buf;
};

/* Starts the disk writing what the copy wrote since the last call, in
 * steps of WB_FLUSH_SPAN whole blocks, and returns without waiting: the
 * disk writes one step while the copy fills the next, and the fsync
 * before the rename finds at most one step left.  Without it the kernel
 * holds the whole new file in memory until that fsync, then writes it
 * while nothing else happens.
 *
 * It only starts writing: durability is still the fsync's, and an error
 * here cannot make a bad file look good.  A real write error (EIO,
 * ENOSPC ...) fails the write-back at once, like the same error from
 * write(2) would; the fsync would report it anyway (a failed writeback
 * stays recorded on the file), and failing now spares copying the rest
 * of a file that will be thrown away.  ENOSYS or EINVAL (a kernel or
 * sandbox without the call) only turns the hint off. */
static int start_writeback(struct copier *c)
{
	uint64_t end = c->written - c->written % WB_FLUSH_ALIGN;
	if (!c->hint || end - c->flushing < WB_FLUSH_SPAN)
		return 0;
	if (sync_file_range(c->out, (off_t)c->flushing, (off_t)(end - c->flushing),
	                    SYNC_FILE_RANGE_WRITE) < 0) {
		if (errno != ENOSYS && errno != EINVAL)
			return -1;
		c->hint = 0;
		return 0;
	}
	c->flushing = end;
	return 0;
}

/* Appends bytes [OFF, OFF+LEN) of the mailbox to the new file.  Where
 * source and destination are at the same place within a block
 * (everything before the first deleted message, and any range that
 * happens to move by whole blocks), copy_file_range, which a
 * filesystem with reflinks (btrfs, XFS) answers by sharing the blocks
 * instead of copying them; elsewhere, and where the kernel cannot,
 * pread and write, which on ext4 copies a shifted range faster than
 * copy_file_range does (doc/mbox-writeback.md, "What it costs"). */
static int copy_range(struct copier *c, uint64_t off, uint64_t len)
{
	while (len > 0) {
		size_t chunk = len < WB_COPY_CHUNK ? (size_t)len : WB_COPY_CHUNK;
		fault_point("copy");
		ssize_t n;
		if (c->use_cfr && off % WB_FLUSH_ALIGN == c->written % WB_FLUSH_ALIGN) {
			off_t from = (off_t)off;
			n = copy_file_range(c->in, &from, c->out, NULL, chunk, 0);
			if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
			              errno == EOPNOTSUPP || errno == EBADF)) {
				c->use_cfr = 0;
				continue;
			}
		} else {
			if (!c->buf && !(c->buf = malloc(WB_RW_BUF)))
				return -1;
			n = pread(c->in, c->buf, chunk < WB_RW_BUF ? chunk : WB_RW_BUF, (off_t)off);
			if (n > 0 && write_all(c->out, c->buf, (size_t)n) < 0)
				return -1;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {  /* the mailbox is shorter than indexed */
			errno = EIO;
			return -1;
		}
		off += (uint64_t)n;
		len -= (uint64_t)n;
		c->written += (uint64_t)n;
		if (start_writeback(c) < 0)
			return -1;
	}
	return 0;
}

/* A kept message that gets "Status: RO": its From_ line (unless
 * WITH_FROM is 0: written already), the new header, the rest of its
 * range as it is. */
static int copy_marked(struct copier *c, const struct mbox_index *ix, size_t i, int with_from)
{
	const struct mbox_msg *m = &ix->msgs[i];
	char *header;
	size_t header_len, old_len;
	int r = status_header(c->in, m, &header, &header_len, &old_len);
	if (r < 0)
		return -1;
	if (r == 0) {  /* cannot happen: the check found the same bytes */
		errno = EIO;
		return -1;
	}
	uint64_t body = m->from_start + m->from_len + old_len;
	uint64_t end = i + 1 < ix->count ? ix->msgs[i + 1].from_start : ix->end;
	int ok = (!with_from || copy_range(c, m->from_start, m->from_len) == 0) &&
	         write_all(c->out, header, header_len) == 0;
	c->written += header_len;
	ok = ok && copy_range(c, body, end - body) == 0;
	free(header);
	return ok ? 0 : -1;
}

/* Under UIDL_FORMAT=dovecot, when the message that holds the mailbox's
 * X-IMAPbase goes, the first one kept takes it, as Dovecot does: without
 * it Dovecot's X-UIDs, and so the ids its clients know, would count for
 * nothing.  The message's From_ line, the field, the rest of it. */
static int copy_first_with_base(struct copier *c, const struct mbox_index *ix, size_t i)
{
	const struct mbox_msg *m = &ix->msgs[i];
	char field[64];
	int n = snprintf(field, sizeof field, "X-IMAPbase: %u %010u\n",
	                 (unsigned)ix->uidvalidity, (unsigned)ix->uidlast);
	if (copy_range(c, m->from_start, m->from_len) < 0 ||
	    write_all(c->out, field, (size_t)n) < 0)
		return -1;
	c->written += (uint64_t)n;
	if (m->tag & MBOX_TAG_MARK)
		return copy_marked(c, ix, i, 0);
	uint64_t end = i + 1 < ix->count ? ix->msgs[i + 1].from_start : ix->end;
	return copy_range(c, m->from_start + m->from_len, end - m->from_start - m->from_len);
}

/* The first kept message, if it must take the X-IMAPbase; else ix->count. */
static size_t base_taker(const struct mbox_index *ix)
{
	if (ix->uidl_format != UIDL_DOVECOT || !ix->has_base || ix->count == 0 ||
	    !(ix->msgs[0].tag & MBOX_TAG_DELETED) || ix->msgs[0].from_start != 0)
		return ix->count;
	for (size_t i = 1; i < ix->count; i++)
		if (!(ix->msgs[i].tag & MBOX_TAG_DELETED))
			return i;
	return ix->count;
}

/* The kept messages, runs of unchanged neighbours as one range, then
 * the tail appended since indexing. */
static int copy_kept(struct copier *c, const struct mbox_index *ix, uint64_t size,
                     struct wb_stats *stats)
{
	const uint32_t skip = MBOX_TAG_DELETED | MBOX_TAG_MARK;
	size_t i = 0, taker = base_taker(ix);
	while (i < ix->count) {
		const struct mbox_msg *m = &ix->msgs[i];
		if (m->tag & MBOX_TAG_DELETED) {
			i++;
			continue;
		}
		if (i == taker || (m->tag & MBOX_TAG_MARK)) {
			if ((i == taker ? copy_first_with_base(c, ix, i) : copy_marked(c, ix, i, 1)) < 0)
				return -1;
			i++;
			continue;
		}
		size_t j = i;
		while (j < ix->count && !(ix->msgs[j].tag & skip))
			j++;
		uint64_t start = m->from_start;
		uint64_t end = j < ix->count ? ix->msgs[j].from_start : ix->end;
		if (copy_range(c, start, end - start) < 0)
			return -1;
		stats->kept_bytes += end - start;
		i = j;
	}
	if (size > ix->end) {
		if (copy_range(c, ix->end, size - ix->end) < 0)
			return -1;
		stats->appended_bytes = size - ix->end;
	}
	return 0;
}

/* Counts the deletions and tags the retrieved messages whose header
 * must change.  Returns -1 on a read error. */
static int plan(int fd, struct mbox_index *ix, int mark_read, struct wb_stats *stats)
{
	for (size_t i = 0; i < ix->count; i++) {
		struct mbox_msg *m = &ix->msgs[i];
		m->tag &= ~(uint32_t)MBOX_TAG_MARK;
		if (m->tag & MBOX_TAG_DELETED) {
			stats->deleted++;
			continue;
		}
		if (!mark_read || !(m->tag & MBOX_TAG_RETRIEVED))
			continue;
		char *header;
		size_t header_len, old_len;
		int r = status_header(fd, m, &header, &header_len, &old_len);
		if (r < 0)
			return -1;
		if (r > 0) {
			free(header);
			m->tag |= MBOX_TAG_MARK;
			stats->marked++;
		}
	}
	return 0;
}

/* Octets of the new file known before copying: the mailbox less the
 * deleted messages and less the messages to be marked, whose header
 * changes length.  Never more than the copy will write. */
static uint64_t verbatim_size(const struct mbox_index *ix, uint64_t size)
{
	for (size_t i = 0; i < ix->count; i++) {
		const struct mbox_msg *m = &ix->msgs[i];
		if (m->tag & (MBOX_TAG_DELETED | MBOX_TAG_MARK)) {
			uint64_t end = i + 1 < ix->count ? ix->msgs[i + 1].from_start : ix->end;
			size -= end - m->from_start;
		}
	}
	return size;
}

/* Gives the new file its blocks before the copy, as one allocation: on
 * ext4 this took a further quarter off the write-back of a 213 MB mbox
 * (doc/mbox-writeback.md), since the writeback started during the copy
 * then finds the blocks already chosen.  KEEP_SIZE: the file's size
 * still grows only as octets are written, so the blocks can never show
 * up as data, and LEN never exceeds what is written (verbatim_size), so
 * none is left over past the end.  Only a hint: where it fails (a
 * filesystem without fallocate, or no room, which the copy will then
 * meet and report itself) the copy goes on without it. */
static void preallocate(int out, uint64_t len)
{
	if (len > 0)
		(void)fallocate(out, FALLOC_FL_KEEP_SIZE, 0, (off_t)len);
}

/* 1 if the other end of the control socket has closed it (a pop3d that
 * only shut down its writing half still waits for the answer). */
static int peer_gone(int peer_fd)
{
	if (peer_fd < 0)
		return 0;
	struct pollfd p = { .fd = peer_fd, .events = 0 };
	return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR)) != 0;
}

/* WB_DONE if MAILBOX is still the file FD (stat in *ST) and changed
 * only by appending since it was indexed into IX. */
static enum wb_result verify(const char *mailbox, int fd, const struct mbox_index *ix,
                             int mark_read, struct stat *st)
{
	struct stat now;
	if (fstat(fd, st) < 0)
		return WB_FAILED;
	if (lstat(mailbox, &now) < 0)
		return errno == ENOENT ? WB_CHANGED : WB_FAILED;
	if (now.st_ino != st->st_ino || now.st_dev != st->st_dev)
		return WB_CHANGED;
	int same = unchanged_but_appended(fd, ix, (uint64_t)st->st_size, mark_read);
	return same < 0 ? WB_FAILED : same ? WB_DONE : WB_CHANGED;
}

/* 1 if MAILBOX is the new file after all: the helper died after its
 * rename, before its answer.  Saying "nothing deleted" then would lie. */
static int renamed_anyway(const char *mailbox, const struct stat *made)
{
	struct stat now;
	int e = errno;
	int same = lstat(mailbox, &now) == 0 && now.st_ino == made->st_ino &&
	           now.st_dev == made->st_dev;
	errno = e;
	return same;
}

enum wb_result writeback(const char *mailbox, int fd, struct mbox_index *ix,
                         int mark_read, int peer_fd, struct wb_stats *stats,
                         const char **what)
{
	memset(stats, 0, sizeof *stats);
	fault_point("verify");
	*what = "verify";
	struct stat st;
	enum wb_result v = verify(mailbox, fd, ix, mark_read, &st);
	if (v != WB_DONE)
		return v;
	if (plan(fd, ix, mark_read, stats) < 0)
		return WB_FAILED;
	if (stats->deleted == 0 && stats->marked == 0)
		return WB_DONE;

	fault_point("create");
	*what = "create";
	struct copier c = { .in = fd, .out = -1, .use_cfr = 1, .hint = 1 };
	c.out = spool_new_file();
	if (c.out < 0)
		return WB_FAILED;
	*what = "copy";
	preallocate(c.out, verbatim_size(ix, (uint64_t)st.st_size));
	if (copy_kept(&c, ix, (uint64_t)st.st_size, stats) < 0)
		goto fail;
	fault_point("chmod");
	fault_point("fsync");
	*what = "fsync";
	if (fsync(c.out) < 0)
		goto fail;
	*what = "close";
	struct stat made;
	if (fstat(c.out, &made) < 0)
		goto fail;
	int closing = c.out;
	c.out = -1;
	if (close(closing) < 0)
		goto fail;
	fault_point("rename");
	*what = "rename";
	/* The commit point: pop3d must still be there to pass the answer on. */
	if (peer_gone(peer_fd)) {
		*what = "pop3d";
		errno = EPIPE;
		goto fail;
	}
	if (spool_commit_new_file() < 0 && !renamed_anyway(mailbox, &made))
		goto fail;
	fault_point("renamed");
	free(c.buf);
	fault_point("dirsync");
	return WB_DONE;
fail:;
	int e = errno;
	if (c.out >= 0)
		close(c.out);
	spool_remove_new_file();
	free(c.buf);
	errno = e;
	return WB_FAILED;
}
