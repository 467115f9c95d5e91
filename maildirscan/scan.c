/* scan.c: see scan.h.  scan_maildir() itself, and its steps in cur/:
 * listing the names, then sizing (and with -u digesting) what the names
 * and the size cache leave unknown.  tmp/ and new/ are newmail.c's, the
 * order order.c's, and dropping or numbering duplicates duplicates.c's.
 *
 * Cost: one readdir of new/ and of cur/, a rename per new message, and
 * a read only of the files whose names carry no ",W=" (or, with the
 * size cache, whose unique part the cache does not know).  Directory
 * entry types come from readdir, so a W= Maildir costs no stat at all;
 * symlinks are skipped there, and files opened are opened O_NOFOLLOW. */
#include "scanparts.h"

#include "die.h"
#include "exitcode.h"
#include "maildirname.h"
#include "msgfilter.h"
#include "shortstr.h"
#include "sizecache.h"
#include "uiddigest.h"
#include "uidlformat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int scan_name_usable(const char *name)
{
	return name[0] != '\0' && name[0] != '.' && !short_has3(name, strlen(name), ' ', '\n', '\r');
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	size_t n = *cap ? *cap : 256;
	while (n < need)
		n *= 2;
	void *q = realloc(p, n * elem);
	if (!q)
		die_nomem();
	*cap = n;
	return q;
}

uint32_t scan_arena_add(struct scan *s, const char *str, size_t len)
{
	if (s->arena_len + len + 1 > UINT32_MAX)
		die(EXIT_TEMP, "too many messages for one session");
	s->arena = grow(s->arena, &s->arena_cap, s->arena_len + len + 1, 1);
	uint32_t off = (uint32_t)s->arena_len;
	memcpy(s->arena + off, str, len);
	s->arena[off + len] = '\0';
	s->arena_len += len + 1;
	return off;
}

/* Stores "cur/NAME" and returns the offset of NAME. */
static uint32_t arena_add_path(struct scan *s, const char *name, size_t len)
{
	if (s->arena_len + SCAN_PATH_PREFIX_LEN + len + 1 > UINT32_MAX)
		die(EXIT_TEMP, "too many messages for one session");
	s->arena = grow(s->arena, &s->arena_cap,
	                s->arena_len + SCAN_PATH_PREFIX_LEN + len + 1, 1);
	char *p = s->arena + s->arena_len;
	memcpy(p, SCAN_PATH_PREFIX, SCAN_PATH_PREFIX_LEN);
	short_copy(p + SCAN_PATH_PREFIX_LEN, name, len + 1);
	uint32_t off = (uint32_t)(s->arena_len + SCAN_PATH_PREFIX_LEN);
	s->arena_len += SCAN_PATH_PREFIX_LEN + len + 1;
	return off;
}

/* Directories are read with getdents64 into a buffer of this size: a
 * 100,000-message cur/ in some 90 calls, where musl's readdir, with 2 KiB,
 * makes 3,000 (and ext4 rebuilds its hash-tree walk at every call). */
#define SCAN_DIR_BUFFER (64u << 10)

struct scan_dir *scan_dir_open(int fd, const char *what)
{
	struct scan_dir *d = malloc(sizeof *d);
	if (!d || !(d->buf = malloc(SCAN_DIR_BUFFER)))
		die_nomem();
	if (lseek(fd, 0, SEEK_SET) < 0)
		die_sys(EXIT_TEMP, "cannot read %s", what);
	d->fd = fd;
	d->len = d->pos = 0;
	return d;
}

/* The kernel's struct linux_dirent64 is the C library's struct dirent
 * on Linux (d_ino, d_off, d_reclen, d_type, d_name). */
struct dirent *scan_dir_next(struct scan_dir *d, const char *what)
{
	if (d->pos >= d->len) {
		long got;
		do
			got = syscall(SYS_getdents64, d->fd, d->buf, SCAN_DIR_BUFFER);
		while (got < 0 && errno == EINTR);
		if (got < 0)
			die_sys(EXIT_TEMP, "cannot read %s", what);
		if (got == 0)
			return NULL;
		d->len = (size_t)got;
		d->pos = 0;
	}
	struct dirent *e = (struct dirent *)(void *)(d->buf + d->pos);
	d->pos += e->d_reclen;
	return e;
}

void scan_dir_close(struct scan_dir *d)
{
	free(d->buf);
	free(d);
}

/* A regular file, by the entry's type or (DT_UNKNOWN) by lstat. */
int scan_entry_is_file(int dir_fd, const struct dirent *e)
{
	if (e->d_type == DT_REG)
		return 1;
	if (e->d_type != DT_UNKNOWN)
		return 0;
	struct stat st;
	return fstatat(dir_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISREG(st.st_mode);
}

/* The default UIDL, from the unique part of the name. */
static void name_uid(struct scan *s, struct scan_message *m)
{
	const char *name = s->arena + m->name_off;
	if (uid_valid(name, m->unique_len)) {
		m->uid_off = m->name_off;   /* the usual case: no copy */
		m->uid_len = (uint8_t)m->unique_len;
	} else {
		char uid[UID_MAX + 1];
		size_t n = maildir_uid(name, m->unique_len, uid);
		m->uid_off = scan_arena_add(s, uid, n);
		m->uid_len = (uint8_t)n;
	}
}

static void add_message(struct scan *s, const char *name, int uid_digest)
{
	struct maildir_name n;
	size_t len = strlen(name);
	maildir_name_parse(name, len, &n);
	s->msgs = grow(s->msgs, &s->cap, s->count + 1, sizeof *s->msgs);
	struct scan_message *m = &s->msgs[s->count++];
	memset(m, 0, sizeof *m);
	m->name_off = arena_add_path(s, name, len);
	m->name_len = (uint16_t)len;
	m->unique_len = (uint16_t)n.unique_len;
	m->has_seconds = n.has_seconds;
	m->seconds = n.seconds;
	m->usec = n.usec;
	if (n.has_w) {
		m->size = n.size_w;
		m->size_known = 1;
		m->has_w = 1;
	}
	if (!uid_digest)
		name_uid(s, m);
}

static void list_cur(struct scan *s, int uid_digest)
{
	struct scan_dir *d = scan_dir_open(s->cur_fd, "cur/");
	struct dirent *e;
	while ((e = scan_dir_next(d, "cur/"))) {
		if (e->d_name[0] == '.')
			continue;
		if (!scan_name_usable(e->d_name) || !scan_entry_is_file(s->cur_fd, e)) {
			s->stats.skipped++;
			continue;
		}
		add_message(s, e->d_name, uid_digest);
	}
	scan_dir_close(d);
}

/* The ids of a message as -u lists them, into IDS (room: UID_MAX +
 * UIDDIGEST_HEXLEN + 2): "XUIDL\0DIGEST\0" with a valid X-UIDL (XLEN
 * octets, 0: none), else "DIGEST\0\0".  The X-UIDL comes first, as in
 * mboxsplit, so that mail moved from an mbox keeps its id.  DIGEST is
 * UIDDIGEST_HEXLEN octets. */
static void ids_put(char *ids, const char *xuidl, size_t xlen, const char *digest)
{
	if (xlen) {
		memcpy(ids, xuidl, xlen);
		ids[xlen] = '\0';
		ids += xlen + 1;
	} else {
		ids[UIDDIGEST_HEXLEN + 1] = '\0';
	}
	memcpy(ids, digest, UIDDIGEST_HEXLEN);
	ids[UIDDIGEST_HEXLEN] = '\0';
}

/* cur/NAME opened for reading, or -1 if it is gone (another program
 * renamed or removed it between readdir and here), is not a regular
 * file, or cannot be opened. */
static int open_message(int cur_fd, const char *name)
{
	int fd = openat(cur_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOMEM)
			die_sys(EXIT_TEMP, "cannot open cur/%s", name);
		/* One unreadable file must not lock the user out: it is left
		 * out of this session (and stays where it is). */
		if (errno != ENOENT && errno != ELOOP)
			logline("skip name=\"%s\" error=\"%s\"", name, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads cur/NAME once: its CR LF size if SIZE is not NULL, and if UID
 * is not NULL its ids (ids_put).  Returns 0, or -1 if open_message()
 * finds nothing to read or a read fails. */
static int measure(int cur_fd, const char *name, uint64_t *size, char *uid)
{
	static char buf[SCAN_READ_BLOCK + MSGF_LOOKAHEAD];
	int fd = open_message(cur_fd, name);
	if (fd < 0)
		return -1;
	struct msgfilter f;
	struct uiddigest d;
	msgfilter_init(&f, 0, -1);
	uiddigest_init(&d);
	int header_done = uid == NULL;
	size_t kept = 0;
	for (;;) {
		ssize_t got = read(fd, buf + kept, SCAN_READ_BLOCK);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			logline("skip name=\"%s\" error=\"%s\"", name, strerror(errno));
			close(fd);
			return -1;
		}
		size_t have = kept + (size_t)got;
		if (!header_done)
			header_done = uiddigest_feed(&d, buf + kept, (size_t)got) || got == 0;
		if (!size) {
			if (header_done)
				break;
			continue;
		}
		size_t outlen;
		size_t used = msgfilter_feed(&f, buf, have, got == 0, NULL, &outlen);
		kept = have - used;
		if (got == 0)
			break;
		memmove(buf, buf + used, kept);
	}
	close(fd);
	if (size)
		*size = f.octets;
	if (uid) {
		char digest[UIDDIGEST_HEXLEN + 1];
		uiddigest_final(&d, digest);
		ids_put(uid, d.xuidl, strlen(d.xuidl), digest);
	}
	return 0;
}

/* Sizes (and, with -u, digests) what the names and the cache leave
 * unknown. */
static void measure_all(struct scan *s, const struct scan_options *opt)
{
	size_t kept = 0, cache_used = 0;
	char uid[UID_MAX + UIDDIGEST_HEXLEN + 2];
	struct sizecache cache = { 0 };
	if (opt->cache_path)
		sizecache_load(&cache, AT_FDCWD, opt->cache_path);
	for (size_t i = 0; i < s->count; i++) {
		struct scan_message *m = &s->msgs[i];
		const char *name = s->arena + m->name_off;
		struct sizecache_record hit;
		int have_ids = 0;
		if ((!m->size_known || opt->uid_digest) &&
		    sizecache_find(&cache, name, m->unique_len, &hit)) {
			cache_used++;
			if (!m->size_known) {
				m->size = hit.size;
				m->size_known = 1;
				s->stats.cached++;
			}
			if (opt->uid_digest && hit.digest) {
				ids_put(uid, hit.xuidl, hit.xuidl ? hit.xuidl_len : 0, hit.digest);
				have_ids = 1;
			}
		}
		int need_size = !m->size_known;
		int need_ids = opt->uid_digest && !have_ids;
		if (need_size || need_ids) {
			if (opt->cache_path)
				s->cache_stale = 1;
			if (measure(s->cur_fd, name, need_size ? &m->size : NULL,
			            need_ids ? uid : NULL) < 0) {
				s->stats.skipped++;
				continue;
			}
			s->stats.read++;
			m->size_known = 1;
		}
		if (opt->uid_digest) {
			/* The digest goes right after the X-UIDL (or an empty
			 * string after the digest): the fallback for a
			 * duplicate X-UIDL too long to take a suffix. */
			size_t n = strlen(uid);
			m->uid_off = scan_arena_add(s, uid, n);
			m->ids_off = m->uid_off;
			m->uid_len = (uint8_t)n;
			scan_arena_add(s, uid + n + 1, strlen(uid + n + 1));
		}
		s->msgs[kept++] = *m;
	}
	s->count = kept;
	if (cache_used != cache.count)
		s->cache_stale = 1;   /* it knows messages that are gone */
	sizecache_free(&cache);
}

void scan_save_cache(const struct scan *s, const struct scan_options *opt)
{
	if (!opt->cache_path || !s->cache_stale)
		return;
	struct sizecache_record *rec = calloc(s->count + 1, sizeof *rec);
	if (!rec)
		die_nomem();
	size_t n = 0;
	for (size_t i = 0; i < s->count; i++) {
		const struct scan_message *m = &s->msgs[i];
		if (m->has_w && !opt->uid_digest)
			continue;   /* the name says it all */
		struct sizecache_record *r = &rec[n++];
		r->key = s->arena + m->name_off;
		r->key_len = m->unique_len;
		r->size = m->size;
		if (opt->uid_digest) {
			const char *first = s->arena + m->ids_off;
			const char *second = first + strlen(first) + 1;
			if (*second) {
				r->xuidl = first;
				r->xuidl_len = strlen(first);
				r->digest = second;
			} else {
				r->digest = first;
			}
		}
	}
	sizecache_save(AT_FDCWD, opt->cache_path, rec, n);
	free(rec);
}

void scan_maildir(struct scan *s, int cur_fd, int new_fd, int tmp_fd,
                  const struct scan_options *opt, int64_t now)
{
	memset(s, 0, sizeof *s);
	s->cur_fd = cur_fd;
	s->new_fd = new_fd;
	s->tmp_fd = tmp_fd;
	scan_clean_tmp(s, now);
	scan_move_new(s);
	list_cur(s, opt->uid_digest);
	if (!opt->uid_digest)
		scan_drop_duplicate_names(s);
	scan_sort_by_delivery(s);
	if (s->count > SCAN_MESSAGES_MAX) {
		s->stats.over_limit = s->count - SCAN_MESSAGES_MAX;
		s->count = SCAN_MESSAGES_MAX;
	}
	measure_all(s, opt);
	if (opt->uid_digest)
		scan_number_duplicate_digests(s);
	if (opt->uidl_format != UIDL_OWN)
		scan_old_ids(s, opt->uidl_format);
	for (size_t i = 0; i < s->count; i++)
		s->octets += s->msgs[i].size;
}

void scan_free(struct scan *s)
{
	free(s->msgs);
	free(s->arena);
	memset(s, 0, sizeof *s);
}
