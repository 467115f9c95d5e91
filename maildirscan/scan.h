/* scan.h: a Maildir's messages, in delivery order, with exact POP3 sizes
 * and unique ids: what maildirscan hands to pop3d as its scan list. */
#ifndef SCAN_H
#define SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "scanlist.h"

/* Above this many messages only the oldest are listed (pop3d allocates
 * per message; a runaway Maildir must not exhaust memory). */
#define SCAN_MESSAGES_MAX 1000000
/* tmp/ files untouched for this long are a delivery that died. */
#define SCAN_TMP_MAX_AGE (36 * 3600)
/* Files are read in blocks of this size to count their CR LF size. */
#define SCAN_READ_BLOCK 65536

/* How far ahead random accesses are announced to the cache: entries,
 * names and table slots are scattered once the list is sorted. */
#define SCAN_PREFETCH 8

struct scan_message {
	uint32_t name_off;      /* NAME in the arena, just after "cur/" */
	uint32_t uid_off;       /* its UIDL in the arena: a prefix of NAME
	                           (not NUL-terminated) or a string of its own */
	uint32_t ids_off;       /* -u: "XUIDL\0DIGEST\0" or "DIGEST\0\0" */
	uint16_t name_len;
	uint16_t unique_len;    /* the unique part: NAME's first octets */
	uint8_t uid_len;
	uint8_t has_seconds;
	uint8_t size_known;
	uint8_t has_w;          /* size from the name: not cached */
	uint64_t seconds;
	uint64_t usec;
	uint64_t size;          /* CR LF octets (msgfilter.h) */
};

struct scan_options {
	int uid_digest;         /* UIDL from the header (lib/uiddigest.h) */
	const char *cache_path; /* size cache, relative to the Maildir, or NULL */
	int uidl_format;        /* whose ids (lib/uidlformat.h): UIDL_OWN, or the
	                           old server's where it left them (oldids.c) */
};

struct scan_stats {
	uint64_t moved;         /* new/ to cur/ */
	uint64_t read;          /* files opened to size them or digest them */
	uint64_t cached;        /* sizes taken from the cache */
	uint64_t tmp_removed;
	uint64_t skipped;       /* unusable names, symlinks, vanished files */
	uint64_t duplicates;
	uint64_t over_limit;
};

struct scan {
	struct scan_message *msgs;
	size_t count, cap;
	char *arena;
	size_t arena_len, arena_cap;
	uint64_t octets;
	struct scan_stats stats;
	int cache_stale;        /* the size cache should be rewritten */
	int cur_fd, new_fd, tmp_fd;
};

/* Scans the Maildir whose cur/, new/ and tmp/ are open on the three
 * descriptors: removes stale tmp/ files, moves new/ into cur/ with an
 * empty ":2," info, lists cur/, sizes what the names do not size, orders
 * by delivery and drops duplicate ids.  NOW is the time for tmp/ ages.
 * Dies (lib/die.h) on a failure that makes the list untrustworthy. */
void scan_maildir(struct scan *s, int cur_fd, int new_fd, int tmp_fd,
                  const struct scan_options *opt, int64_t now);

static inline const char *scan_name(const struct scan *s, size_t i)
{
	return s->arena + s->msgs[i].name_off;
}
/* "cur/NAME", SCAN_PATH_PREFIX_LEN + name_len octets. */
#define SCAN_PATH_PREFIX "cur/"
#define SCAN_PATH_PREFIX_LEN 4
static inline const char *scan_path(const struct scan *s, size_t i)
{
	return s->arena + s->msgs[i].name_off - SCAN_PATH_PREFIX_LEN;
}
/* The UIDL: scan_uid_len(s, i) octets, not always NUL-terminated. */
static inline const char *scan_uid(const struct scan *s, size_t i)
{
	return s->arena + s->msgs[i].uid_off;
}
static inline size_t scan_uid_len(const struct scan *s, size_t i)
{
	return s->msgs[i].uid_len;
}

/* With -c: rewrites the size cache if this scan read sizes it did not
 * have or it holds messages no longer there.  Run after pop3d has its
 * list, so that the first STAT does not wait for it. */
void scan_save_cache(const struct scan *s, const struct scan_options *opt);

void scan_free(struct scan *s);

/* A name the scan list can carry: no space, LF or CR (PATH rules). */
int scan_name_usable(const char *name);

#endif
