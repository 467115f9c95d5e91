/* scan.c: see scan.h.
 *
 * Cost: one readdir of new/ and of cur/, a rename per new message, and
 * a read only of the files whose names carry no ",W=" (or, with the
 * size cache, whose unique part the cache does not know).  Directory
 * entry types come from readdir, so a W= Maildir costs no stat at all;
 * symlinks are skipped there, and files opened are opened O_NOFOLLOW. */
#include "scan.h"
#include "namehash.h"

#include "die.h"
#include "exitcode.h"
#include "maildirname.h"
#include "msgfilter.h"
#include "scan_num.h"
#include "sizecache.h"
#include "uiddigest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int scan_name_usable(const char *name)
{
	return name[0] != '\0' && name[0] != '.' && !strpbrk(name, " \n\r");
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

static uint32_t arena_add(struct scan *s, const char *str, size_t len)
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
	memcpy(p + SCAN_PATH_PREFIX_LEN, name, len + 1);
	uint32_t off = (uint32_t)(s->arena_len + SCAN_PATH_PREFIX_LEN);
	s->arena_len += SCAN_PATH_PREFIX_LEN + len + 1;
	return off;
}

static DIR *dir_open(int fd, const char *what)
{
	int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (copy < 0)
		die_sys(EXIT_TEMP, "cannot read %s", what);
	DIR *d = fdopendir(copy);
	if (!d)
		die_sys(EXIT_TEMP, "cannot read %s", what);
	rewinddir(d);
	return d;
}

/* A regular file, by the entry's type or (DT_UNKNOWN) by lstat. */
static int entry_is_file(int dir_fd, const struct dirent *e)
{
	if (e->d_type == DT_REG)
		return 1;
	if (e->d_type != DT_UNKNOWN)
		return 0;
	struct stat st;
	return fstatat(dir_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISREG(st.st_mode);
}

static struct dirent *next_entry(DIR *d, const char *what)
{
	errno = 0;
	struct dirent *e = readdir(d);
	if (!e && errno)
		die_sys(EXIT_TEMP, "cannot read %s", what);
	return e;
}

/* A delivery that died leaves its file in tmp/; after 36 hours untouched
 * (neither read nor written) it is rubbish (maildir(5)). */
static void clean_tmp(struct scan *s, int64_t now)
{
	DIR *d = dir_open(s->tmp_fd, "tmp/");
	struct dirent *e;
	while ((e = next_entry(d, "tmp/"))) {
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		if (fstatat(s->tmp_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (now - (int64_t)st.st_mtime < SCAN_TMP_MAX_AGE ||
		    now - (int64_t)st.st_atime < SCAN_TMP_MAX_AGE)
			continue;
		if (unlinkat(s->tmp_fd, e->d_name, 0) == 0)
			s->stats.tmp_removed++;
		else if (errno != ENOENT)
			logline("tmp_clean error=\"%s\"", strerror(errno));
	}
	closedir(d);
}

/* new/NAME to cur/TARGET, never replacing a file already there: a
 * rename would silently drop a different message that a careless writer
 * gave the same name.  Filesystems without RENAME_NOREPLACE get qmail's
 * link and unlink.  Returns 0, or -1 with errno (EEXIST: a file of
 * another inode holds TARGET). */
static int move_noreplace(struct scan *s, const char *name, const char *target)
{
	/* The system call itself: musl (the static build) has no
	 * renameat2() wrapper.  1 is RENAME_NOREPLACE in <linux/fs.h>. */
	if (syscall(SYS_renameat2, s->new_fd, name, s->cur_fd, target, 1U) == 0)
		return 0;
	if (errno == EINVAL || errno == ENOSYS) {
		if (linkat(s->new_fd, name, s->cur_fd, target, 0) == 0) {
			unlinkat(s->new_fd, name, 0);
			return 0;
		}
	}
	if (errno != EEXIST)
		return -1;
	/* The same file under both names (a link-and-unlink mover half way,
	 * or our own link above): only the new/ name has to go. */
	struct stat a, b;
	if (fstatat(s->new_fd, name, &a, AT_SYMLINK_NOFOLLOW) == 0 &&
	    fstatat(s->cur_fd, target, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		unlinkat(s->new_fd, name, 0);
		return 0;
	}
	errno = EEXIST;
	return -1;
}

/* Mail in new/ has not been seen by any reader; once a POP3 session has
 * listed it, it is no longer new, so it goes to cur/ with an empty info
 * (no flag: not yet read), as qmail-pop3d and Dovecot do.  Another
 * session moving the same file first is not an error: the cur/ scan
 * that follows finds it there.  A different message already in cur/
 * under the same name keeps it; this one gets ".dupINODE" added to its
 * unique part, so both are listed with distinct UIDLs. */
static void move_new(struct scan *s)
{
	DIR *d = dir_open(s->new_fd, "new/");
	struct dirent *e;
	char target[NAME_MAX + 32];
	while ((e = next_entry(d, "new/"))) {
		if (!scan_name_usable(e->d_name) || !entry_is_file(s->new_fd, e))
			continue;
		const char *name = e->d_name;
		int has_info = strchr(name, ':') != NULL;
		snprintf(target, sizeof target, "%s%s", name, has_info ? "" : ":2,");
		int r = move_noreplace(s, name, target);
		if (r < 0 && errno == EEXIST) {
			size_t unique = strcspn(name, ",:");
			snprintf(target, sizeof target, "%.*s.dup%llu%s%s", (int)unique, name,
			         (unsigned long long)e->d_ino, name + unique, has_info ? "" : ":2,");
			r = move_noreplace(s, name, target);
			if (r == 0)
				logline("move name=\"%s\" renamed=\"%s\" why=\"name taken in cur/\"",
				        name, target);
		}
		if (r == 0)
			s->stats.moved++;
		else if (errno != ENOENT)
			logline("move name=\"%s\" error=\"%s\"", name, strerror(errno));
	}
	closedir(d);
}

/* uid_valid() without an early exit, which compilers vectorise: it runs
 * on every name of the Maildir. */
static int uid_fits(const char *p, size_t len)
{
	unsigned bad = len == 0 || len > UID_MAX;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		bad |= (unsigned)(c < 0x21) | (unsigned)(c > 0x7e);
	}
	return !bad;
}

/* The default UIDL, from the unique part of the name. */
static void name_uid(struct scan *s, struct scan_message *m)
{
	const char *name = s->arena + m->name_off;
	if (uid_fits(name, m->unique_len)) {
		m->uid_off = m->name_off;   /* the usual case: no copy */
		m->uid_len = (uint8_t)m->unique_len;
	} else {
		char uid[UID_MAX + 1];
		size_t n = maildir_uid(name, m->unique_len, uid);
		m->uid_off = arena_add(s, uid, n);
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
	DIR *d = dir_open(s->cur_fd, "cur/");
	struct dirent *e;
	while ((e = next_entry(d, "cur/"))) {
		if (e->d_name[0] == '.')
			continue;
		if (!scan_name_usable(e->d_name) || !entry_is_file(s->cur_fd, e)) {
			s->stats.skipped++;
			continue;
		}
		add_message(s, e->d_name, uid_digest);
	}
	closedir(d);
}

/* Reads NAME once: its CR LF size if SIZE is not NULL, and if UID is
 * not NULL its ids: "XUIDL\0DIGEST\0", or "DIGEST\0\0" without a valid
 * X-UIDL (room: UID_MAX + UIDDIGEST_HEXLEN + 2).  Returns 0, or -1 if
 * the file is gone (another program renamed or removed it between
 * readdir and here), is not a regular file, or cannot be read. */
static int measure(int cur_fd, const char *name, uint64_t *size, char *uid)
{
	static char buf[SCAN_READ_BLOCK + MSGF_LOOKAHEAD];
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
		/* UID gets the X-UIDL (if valid), then the digest: mboxsplit's
		 * choice, so that moved mail keeps its id. */
		char *digest = uid;
		if (d.xuidl[0]) {
			size_t n = strlen(d.xuidl);
			memcpy(uid, d.xuidl, n + 1);
			digest = uid + n + 1;
		} else {
			uid[UIDDIGEST_HEXLEN + 1] = '\0';
		}
		uiddigest_final(&d, digest);
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
				size_t x = hit.xuidl ? hit.xuidl_len : 0;
				memcpy(uid, hit.xuidl ? hit.xuidl : "", x);
				uid[x] = '\0';
				char *digest = x ? uid + x + 1 : uid;
				memcpy(digest, hit.digest, UIDDIGEST_HEXLEN);
				digest[UIDDIGEST_HEXLEN] = '\0';
				if (!x)
					uid[UIDDIGEST_HEXLEN + 1] = '\0';
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
			m->uid_off = arena_add(s, uid, n);
			m->ids_off = m->uid_off;
			m->uid_len = (uint8_t)n;
			arena_add(s, uid + n + 1, strlen(uid + n + 1));
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

/* Delivery order is decided on small keys: seconds and microseconds
 * packed into 64 bits and radix-sorted (stable, linear: a Maildir lists
 * in hash order, and 100,000 names would cost ~1.7 million comparisons),
 * then runs of equal keys put in name order.  Names without a time, and
 * times too large to pack, are rare: they go through qsort. */
#define ORDER_USEC_BITS 20
#define ORDER_SECONDS_MAX ((UINT64_C(1) << (64 - ORDER_USEC_BITS)) - 1)
#define RADIX_BITS 11
#define RADIX_BUCKETS (1u << RADIX_BITS)

struct order_key {
	uint64_t key;
	uint32_t index;
};
static const struct scan *order_scan;

static int packable(const struct scan_message *m)
{
	return m->has_seconds && m->seconds <= ORDER_SECONDS_MAX &&
	       m->usec < (UINT64_C(1) << ORDER_USEC_BITS);
}

static int by_name(const struct order_key *a, const struct order_key *b)
{
	return strcmp(order_scan->arena + order_scan->msgs[a->index].name_off,
	              order_scan->arena + order_scan->msgs[b->index].name_off);
}

/* Unpackable names: by time if they have one, then by name. */
static int by_delivery(const void *pa, const void *pb)
{
	const struct order_key *a = pa, *b = pb;
	const struct scan_message *ma = &order_scan->msgs[a->index];
	const struct scan_message *mb = &order_scan->msgs[b->index];
	if (ma->has_seconds != mb->has_seconds)
		return ma->has_seconds ? -1 : 1;
	if (ma->seconds != mb->seconds)
		return ma->seconds < mb->seconds ? -1 : 1;
	if (ma->usec != mb->usec)
		return ma->usec < mb->usec ? -1 : 1;
	return by_name(a, b);
}

static int by_name_only(const void *a, const void *b)
{
	return by_name(a, b);
}

static void radix_sort(struct order_key *keys, struct order_key *tmp, size_t n)
{
	uint64_t max = 0;
	for (size_t i = 0; i < n; i++)
		if (keys[i].key > max)
			max = keys[i].key;
	static size_t count[RADIX_BUCKETS];
	for (unsigned shift = 0; shift < 64 && (max >> shift) != 0; shift += RADIX_BITS) {
		memset(count, 0, sizeof count);
		for (size_t i = 0; i < n; i++)
			count[(keys[i].key >> shift) & (RADIX_BUCKETS - 1)]++;
		size_t sum = 0;
		for (size_t b = 0; b < RADIX_BUCKETS; b++) {
			size_t c = count[b];
			count[b] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[count[(keys[i].key >> shift) & (RADIX_BUCKETS - 1)]++] = keys[i];
		memcpy(keys, tmp, n * sizeof *keys);
	}
	/* Equal times (one second, no microseconds: qmail names) by name. */
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && keys[j].key == keys[i].key)
			j++;
		if (j - i > 1)
			qsort(keys + i, j - i, sizeof *keys, by_name_only);
		i = j;
	}
}

/* Puts MSGS in the order KEYS gives (position i takes the entry at
 * keys[i].index) in place, cycle by cycle, so that the sort does not
 * hold a second copy of every entry at the peak of the scan's memory. */
#define PERMUTE_DONE UINT32_MAX
static void permute(struct scan_message *msgs, struct order_key *keys, size_t n)
{
	for (size_t start = 0; start < n; start++) {
		if (keys[start].index == PERMUTE_DONE)
			continue;
		struct scan_message held = msgs[start];
		size_t at = start;
		for (;;) {
			size_t from = keys[at].index;
			keys[at].index = PERMUTE_DONE;
			if (from == start) {
				msgs[at] = held;
				break;
			}
			msgs[at] = msgs[from];
			at = from;
		}
	}
}

static void sort_by_delivery(struct scan *s)
{
	if (s->count < 2)
		return;
	struct order_key *keys = malloc(s->count * sizeof *keys);
	struct order_key *tmp = malloc(s->count * sizeof *tmp);
	if (!keys || !tmp)
		die_nomem();
	size_t packed = 0, rest = s->count;
	int odd_time = 0;
	for (size_t i = 0; i < s->count; i++) {
		const struct scan_message *m = &s->msgs[i];
		if (packable(m))
			keys[packed++] = (struct order_key){ m->seconds << ORDER_USEC_BITS | m->usec, (uint32_t)i };
		else
			keys[--rest] = (struct order_key){ 0, (uint32_t)i };
		odd_time |= m->has_seconds && !packable(m);
	}
	order_scan = s;
	if (odd_time) {
		/* A time that does not pack may fall anywhere: compare all. */
		qsort(keys, s->count, sizeof *keys, by_delivery);
	} else {
		/* Names without a time come last, after all the others. */
		radix_sort(keys, tmp, packed);
		if (s->count - packed > 1)
			qsort(keys + packed, s->count - packed, sizeof *keys, by_delivery);
	}
	free(tmp);
	permute(s->msgs, keys, s->count);
	free(keys);
}

/* The slot of UID (LEN octets, hash H) in TABLE (indexes + 1 into
 * S->msgs), or of the empty slot where it would go. */
static size_t uid_slot_h(const struct scan *s, const uint32_t *table,
                         size_t mask, const char *uid, size_t len, uint64_t h)
{
	size_t at = h & mask;
	while (table[at]) {
		const struct scan_message *o = &s->msgs[table[at] - 1];
		if (o->uid_len == len && memcmp(s->arena + o->uid_off, uid, len) == 0)
			break;
		at = (at + 1) & mask;
	}
	return at;
}

static size_t uid_slot(const struct scan *s, const uint32_t *table,
                       size_t mask, const char *uid, size_t len)
{
	return uid_slot_h(s, table, mask, uid, len, name_hash(uid, len));
}

static int delivered_before(const struct scan *s, const struct scan_message *a,
                            const struct scan_message *b)
{
	if (a->has_seconds != b->has_seconds)
		return a->has_seconds;
	if (a->seconds != b->seconds)
		return a->seconds < b->seconds;
	if (a->usec != b->usec)
		return a->usec < b->usec;
	return strcmp(s->arena + a->name_off, s->arena + b->name_off) < 0;
}

static uint32_t *id_table(size_t count, size_t *mask)
{
	size_t slots = 16;
	while (slots < 2 * count + 2)
		slots *= 2;
	uint32_t *table = calloc(slots, sizeof *table);
	if (!table)
		die_nomem();
	*mask = slots - 1;
	return table;
}

/* Ids from names: the same unique part means the same message (a second
 * link, or a reader's leftover), so only the earliest delivered is kept.
 * Run before sorting, in readdir order: the names are then read in the
 * order they were stored, which matters at 100,000 of them. */
static void drop_duplicate_names(struct scan *s)
{
	size_t mask, kept = 0;
	uint32_t *table = id_table(s->count, &mask);
	uint64_t *hash = malloc((s->count + 1) * sizeof *hash);
	if (!hash)
		die_nomem();
	for (size_t i = 0; i < s->count; i++)
		hash[i] = name_hash(s->arena + s->msgs[i].uid_off, s->msgs[i].uid_len);
	for (size_t i = 0; i < s->count; i++) {
		if (i + SCAN_PREFETCH < s->count)
			__builtin_prefetch(&table[hash[i + SCAN_PREFETCH] & mask]);
		struct scan_message m = s->msgs[i];
		size_t at = uid_slot_h(s, table, mask, s->arena + m.uid_off, m.uid_len, hash[i]);
		if (table[at]) {
			struct scan_message *held = &s->msgs[table[at] - 1];
			if (delivered_before(s, &m, held))
				*held = m;
			s->stats.duplicates++;
			continue;
		}
		s->msgs[kept] = m;
		table[at] = (uint32_t)(kept + 1);
		kept++;
	}
	s->count = kept;
	free(hash);
	free(table);
}

/* Ids from headers (-u): two copies of one message are both served, the
 * later ones as "ID-2", "ID-3" ... in delivery order, as mboxsplit does;
 * an X-UIDL too long for a suffix gives way to the digest.  Digest ids
 * are NUL-terminated strings with the digest after them. */
static void number_duplicate_digests(struct scan *s)
{
	size_t mask, kept = 0;
	uint32_t *table = id_table(s->count, &mask);
	for (size_t i = 0; i < s->count; i++) {
		struct scan_message m = s->msgs[i];
		uint32_t base_off = m.uid_off;
		size_t at = uid_slot(s, table, mask, s->arena + m.uid_off, m.uid_len);
		for (unsigned suffix = 2; table[at] && suffix < 100000; suffix++) {
			char alt[UID_MAX + 16];
			const char *base = s->arena + base_off;
			size_t blen = strlen(base);
			const char *digest = base + blen + 1;
			int n = snprintf(alt, sizeof alt, "%s-%u", base, suffix);
			if (n > UID_MAX && *digest) {
				base_off = (uint32_t)(digest - s->arena);
				suffix = 1;
				n = snprintf(alt, sizeof alt, "%s", digest);
			} else if (n > UID_MAX) {
				break;
			}
			m.uid_off = arena_add(s, alt, (size_t)n);
			m.uid_len = (uint8_t)n;
			at = uid_slot(s, table, mask, s->arena + m.uid_off, m.uid_len);
		}
		if (table[at]) {
			s->stats.duplicates++;
			continue;
		}
		s->msgs[kept] = m;
		table[at] = (uint32_t)(kept + 1);
		kept++;
	}
	s->count = kept;
	free(table);
}

void scan_maildir(struct scan *s, int cur_fd, int new_fd, int tmp_fd,
                  const struct scan_options *opt, int64_t now)
{
	memset(s, 0, sizeof *s);
	s->cur_fd = cur_fd;
	s->new_fd = new_fd;
	s->tmp_fd = tmp_fd;
	clean_tmp(s, now);
	move_new(s);
	list_cur(s, opt->uid_digest);
	if (!opt->uid_digest)
		drop_duplicate_names(s);
	sort_by_delivery(s);
	if (s->count > SCAN_MESSAGES_MAX) {
		s->stats.over_limit = s->count - SCAN_MESSAGES_MAX;
		s->count = SCAN_MESSAGES_MAX;
	}
	measure_all(s, opt);
	if (opt->uid_digest)
		number_duplicate_digests(s);
	for (size_t i = 0; i < s->count; i++)
		s->octets += s->msgs[i].size;
}

void scan_free(struct scan *s)
{
	free(s->msgs);
	free(s->arena);
	memset(s, 0, sizeof *s);
}
