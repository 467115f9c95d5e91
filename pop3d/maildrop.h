/* maildrop.h: pop3d's view of the mailbox, loaded from the scan list.
 *
 * The exposer gives pop3d a scan list on fd 4 (doc/interfaces.md); it is
 * read by streaming, one line at a time, into one array of fixed-size
 * records (allocated once from the header's count) and an arena of
 * UIDs and paths in 64 KiB blocks, so a 100,000-message mailbox with
 * 32-octet UIDs costs about 57 octets of heap per message and never
 * holds the list text.  Everything is checked on the way in: counts,
 * the octet sum, UID syntax and uniqueness, ranges that do not wrap. */
#ifndef MAILDROP_H
#define MAILDROP_H

#include <stddef.h>
#include <stdint.h>

/* More messages than this is refused as a bad scan list. */
#define MAILDROP_MAX_MESSAGES 16777216u
#define MAILDROP_ARENA_BLOCK 65536u

/* One message.  A path message has offset == MSG_IS_PATH and its path
 * follows its UID in the arena.  Sizes of 4 GiB and more live in the
 * small big_sizes table, marked by size32 == UINT32_MAX. */
struct msg {
	uint64_t offset;
	uint64_t length;
	uint32_t size32;
	uint32_t arena_pos;  /* arena entry: length octet, UID, [path NUL] */
};
#define MSG_IS_PATH UINT64_MAX

struct big_size {
	uint32_t index;
	uint64_t size;
};

struct maildrop {
	uint32_t count;
	uint64_t octets;
	unsigned filter_flags;      /* MSGF_MBOXRD, MSGF_HIDE_STATUS */
	struct msg *msgs;
	char **blocks;              /* the arena */
	size_t n_blocks;
	size_t block_used;          /* in the last block */
	struct big_size *big_sizes;
	size_t n_big_sizes;
	unsigned char *deleted;     /* bitmaps, one bit per message */
	unsigned char *retrieved;
	int has_ranges;             /* some message is a range of fd 6 */
};

/* Reads the scan list from FD to its end.  Returns 0, or -1 with a
 * short reason in *WHY (a static string) for the log and nothing left
 * allocated.  Line numbers of errors go to *LINENO. */
int maildrop_load(struct maildrop *m, int fd, const char **why, uint64_t *lineno);

/* Parses a scan list held in memory (fuzzers and tests). */
int maildrop_load_buffer(struct maildrop *m, const char *text, size_t len,
                         const char **why, uint64_t *lineno);

void maildrop_free(struct maildrop *m);

/* I counts from 0. */
uint64_t maildrop_size(const struct maildrop *m, uint32_t i);
const char *maildrop_uid(const struct maildrop *m, uint32_t i, size_t *len);
/* The path of a path message (NUL-terminated), or NULL for a range. */
const char *maildrop_path(const struct maildrop *m, uint32_t i);

static inline int bit_get(const unsigned char *map, uint32_t i)
{
	return (map[i >> 3] >> (i & 7)) & 1;
}
static inline void bit_set(unsigned char *map, uint32_t i)
{
	map[i >> 3] |= (unsigned char)(1u << (i & 7));
}

#endif
