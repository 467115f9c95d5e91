/* index.h: one sequential pass over a Berkeley mbox, giving for each
 * message where it is, its exact POP3 size and its unique id.
 *
 * A message starts at a line "From " at the start of the file or just
 * after a blank line ("\n" or "\r\n").  Its bytes (what pop3d sends) run
 * from after the From_ line to the end of the line before the next
 * From_ line, less one blank line there, which is the separator that
 * delivery agents write after each message; the same holds at the end
 * of the file.  The From_ line and the separator belong to the message's
 * range in the file (from_start up to the next message's from_start),
 * which is what write-back keeps or drops.
 *
 * Memory: struct mbox_msg (56 bytes) per message, an X-UIDL pool only
 * for messages that carry one, and a table of 4-byte slots at half load
 * while ids are made unique: at most 64 bytes a message in all; under
 * UIDL_FORMAT=popa3d 17 more for its id, under dovecot 4 for the X-UID
 * and 17 for the ids kept. */
#ifndef MBOX_INDEX_H
#define MBOX_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "scanlist.h"

#define MBOX_READ_BLOCK (1u << 18)       /* bytes per read(2) */
#define MBOX_MAX_MESSAGES_DEFAULT 1000000u

enum {
	MBOX_TAG_XUIDL = 1u << 31,     /* the id is the X-UIDL value */
	MBOX_TAG_DELETED = 1u << 30,
	MBOX_TAG_RETRIEVED = 1u << 29,
	MBOX_TAG_MARK = 1u << 28,      /* write-back gives it "Status: RO" */
	MBOX_TAG_SUFFIX = (1u << 28) - 1,  /* duplicate suffix, 0 = none */
};

struct mbox_msg {
	uint64_t from_start;   /* file offset of the From_ line */
	uint64_t length;       /* message bytes, from from_start + from_len */
	uint64_t size;         /* CRLF octets under the index's flags */
	unsigned char digest[16]; /* uiddigest of the header */
	uint32_t from_len;     /* From_ line, its LF included */
	uint32_t tag;          /* MBOX_TAG_* */
	uint32_t xuidl_off;    /* into mbox_index.xuidl_pool when TAG_XUIDL */
	uint32_t dups;         /* while ids are made unique: last suffix used */
};

struct mbox_index {
	struct mbox_msg *msgs;
	size_t count, cap;
	uint64_t octets;       /* sum of sizes */
	uint64_t end;          /* bytes indexed: the file's size then */
	unsigned flags;        /* MSGF_MBOXRD, MSGF_HIDE_STATUS */
	size_t max_messages;
	unsigned parts;        /* mbox_index_file: 2 if read as two halves */
	char *xuidl_pool;
	size_t pool_len, pool_cap;
	/* Set after mbox_index_init: enum uidl_format.  popa3d's id, or
	 * Dovecot's once mbox_index_dovecot has kept it, goes to the pool
	 * as an X-UIDL would (olduid.h). */
	unsigned uidl_format;
	uint32_t *x_uids;      /* dovecot: each message's X-UID, 0 none */
	size_t x_cap;
	uint32_t uidvalidity, uidlast;  /* dovecot: the first message's X-IMAPbase */
	unsigned char has_base, pseudo;
};

enum mbox_index_result {
	MBOX_OK = 0,
	MBOX_NOT_MBOX,       /* first bytes are not "From " */
	MBOX_TOO_MANY,       /* more than max_messages */
	MBOX_READ_ERROR,     /* read(2) failed: errno is set */
	MBOX_NO_MEMORY,
	MBOX_TOO_BIG,        /* a From_ line of 4 GiB or more */
};

void mbox_index_init(struct mbox_index *ix, unsigned flags, size_t max_messages);
void mbox_index_free(struct mbox_index *ix);

/* Reads FD from its current offset (which must be 0) to end of file. */
enum mbox_index_result mbox_index_fd(struct mbox_index *ix, int fd);

/* Reads FD's bytes [START, END) with pread (END UINT64_MAX: to the end of
 * the file).  START is 0 or the offset of a "From " line after a blank
 * line, where a message starts whatever came before, so that the index
 * of a file is that of its parts one after the other (halves.c). */
enum mbox_index_result mbox_index_range(struct mbox_index *ix, int fd, uint64_t start,
                                        uint64_t end);

/* Like mbox_index_fd, with up to WORKERS threads (halves.c): a large
 * file is indexed as two halves at once, split at a message's start. */
enum mbox_index_result mbox_index_file(struct mbox_index *ix, int fd, unsigned workers);

/* The same over bytes in memory (tests and the fuzzer): all at once,
 * or as reads of at most CHUNK bytes, which must give the same index. */
enum mbox_index_result mbox_index_mem(struct mbox_index *ix,
                                      const char *data, size_t len);
enum mbox_index_result mbox_index_chunks(struct mbox_index *ix, const char *data,
                                         size_t len, size_t chunk);

/* UIDL_FORMAT=dovecot: the ids of the X-UIDs Dovecot gave (olduid.h),
 * in place of the X-UIDL or digest.  Returns 0, or -1 out of memory. */
int mbox_index_dovecot(struct mbox_index *ix);

/* Makes x_uids as long as msgs.  Returns 0, or -1 out of memory. */
int mbox_index_xuids_room(struct mbox_index *ix);

/* Adds STR to the pool; its offset to *OFF.  Returns 0, or -1. */
int mbox_pool_add(struct mbox_index *ix, const char *str, uint32_t *off);

/* Makes every id unique, in file order: the first message with an id
 * keeps it, later ones get "-2", "-3" ... (an X-UIDL too long for a
 * suffix gives way to the digest).  Returns 0, or -1 out of memory. */
int mbox_index_unique(struct mbox_index *ix);

/* Writes message I's id and a NUL into BUF; returns its length. */
size_t mbox_uid(const struct mbox_index *ix, size_t i, char buf[UID_MAX + 1]);

const char *mbox_index_strerror(enum mbox_index_result r);

#endif
