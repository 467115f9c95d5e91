/* sizecache.h: remembered POP3 sizes of a Maildir's messages, so that a
 * large Maildir whose names carry no ",W=" is read once, not at every
 * login.  A Maildir file never changes once delivered (a change of flags
 * is a rename that keeps the unique part), so the unique part is the key.
 *
 * The file (maildirscan.sizes in the Maildir, written by -c):
 *   maildirscan-sizes 1
 *   UNIQUE SIZE            one per message whose name has no W=
 *   .
 * It is replaced whole (temporary file, fdatasync, rename); a file that
 * is malformed or lacks the final "." (cut short) is ignored whole. */
#ifndef SIZECACHE_H
#define SIZECACHE_H

#include <stddef.h>
#include <stdint.h>

#define SIZECACHE_MAGIC "maildirscan-sizes 1\n"
/* A cache larger than this is ignored (it would be ~250 octets a message). */
#define SIZECACHE_FILE_MAX (256u << 20)

struct sizecache_entry {
	uint32_t key_off;   /* into data */
	uint32_t key_len;
	uint64_t size;
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
/* Writes a new cache of the COUNT (key, size) pairs given by KEYS,
 * KEY_LENS and SIZES.  Returns 0, or -1 (logged: a cache is never worth
 * failing a session for). */
int sizecache_save(int dir_fd, const char *name, size_t count,
                   const char *const *keys, const size_t *key_lens,
                   const uint64_t *sizes);
void sizecache_free(struct sizecache *c);

#endif
