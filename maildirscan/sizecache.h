/* sizecache.h: remembered POP3 sizes (and header ids) of a Maildir's
 * messages, so that a large Maildir whose names carry no ",W=" (or whose
 * ids come from headers, -u) is read once, not at every login.  A
 * Maildir file never changes once delivered (a change of flags is a
 * rename that keeps the unique part), so the unique part is the key.
 *
 * The file (maildirscan.sizes in the Maildir, written by -c):
 *   maildirscan-sizes 2
 *   UNIQUE SIZE [DIGEST [XUIDL]]   one per message (without -u: only
 *                                  those whose name has no W=)
 *   .
 * DIGEST is the header digest (32 lower-case hex digits, uiddigest.h),
 * XUIDL a valid X-UIDL header value; both only when written under -u.
 * It is replaced whole (temporary file, fdatasync, rename); a file that
 * is malformed or lacks the final "." (cut short) is ignored whole. */
#ifndef SIZECACHE_H
#define SIZECACHE_H

#include <stddef.h>
#include <stdint.h>

#define SIZECACHE_MAGIC "maildirscan-sizes 2\n"   /* 2: XXH3 header digests */
/* A cache larger than this is ignored (it would be ~250 octets a message). */
#define SIZECACHE_FILE_MAX (256u << 20)

struct sizecache_entry {
	uint32_t key_off;   /* into data */
	uint32_t key_len;
	uint64_t size;
	uint32_t digest_off;  /* 32 hex digits in data, or 0: none */
	uint32_t xuidl_off;   /* in data, or 0: none */
	uint32_t xuidl_len;
};

/* What a cache knows of one message; also a record to save. */
struct sizecache_record {
	const char *key;
	size_t key_len;
	uint64_t size;
	const char *digest;   /* 32 hex digits (not NUL-terminated), or NULL */
	const char *xuidl;    /* or NULL */
	size_t xuidl_len;
};

struct sizecache {
	char *data;
	struct sizecache_entry *entries;
	size_t count;
	uint32_t *slots;    /* entry index + 1, 0 empty */
	size_t mask;
};

/* Loads NAME in DIR_FD.  A missing, unreadable or malformed file gives
 * an empty cache (logged unless missing). */
void sizecache_load(struct sizecache *c, int dir_fd, const char *name);
/* Parses LEN octets at DATA (malloc'd; the cache owns it from now on).
 * Returns 0, or -1 leaving an empty cache (logged). */
int sizecache_parse(struct sizecache *c, char *data, size_t len);
/* 1 and *SIZE if KEY (LEN octets) is known, else 0. */
int sizecache_get(const struct sizecache *c, const char *key, size_t len,
                  uint64_t *size);
/* 1 and all that is known of KEY in *R, else 0. */
int sizecache_find(const struct sizecache *c, const char *key, size_t len,
                   struct sizecache_record *r);
/* Writes a new cache of the COUNT records.  Returns 0, or -1 (logged:
 * a cache is never worth failing a session for). */
int sizecache_save(int dir_fd, const char *name,
                   const struct sizecache_record *records, size_t count);
void sizecache_free(struct sizecache *c);

/* The whole of DIR_FD/NAME, a regular file of 1..MAX octets, in a
 * malloc'd buffer with a NUL after its *LEN octets; NULL if it is absent
 * (WHY NULL) or unusable (WHY says why).  Also reads the other servers'
 * files (olduidl.h). */
char *maildir_read_file(int dir_fd, const char *name, size_t max, size_t *len,
                        const char **why);

#endif
