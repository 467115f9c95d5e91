/* uiddigest.h: a message's unique id from its header, the same whichever
 * exposer serves it, so that mail moved from mbox to Maildir keeps its
 * UIDL and leave-on-server clients fetch nothing twice.
 *
 * The id is the XXH3 128-bit hash (xxHash) of the header block: every
 * header line up to the first empty line, with its line end reduced to
 * LF, leaving out the lines (and continuations) that mail readers
 * rewrite: Status, X-Status, X-UID, X-Keywords, X-IMAP, X-IMAPbase,
 * Content-Length, X-UIDL.  Lines longer than 998 octets count by their
 * first 998.  Written as 32 lowercase hex digits, the canonical
 * (big-endian) form that `xxhsum -H2` prints.  The body is not read, so
 * the id costs no more than the header.  The id only has to tell the
 * messages of one mailbox apart (a clash gets a suffix, lib/scanlist),
 * not to resist a forger, so a fast non-cryptographic hash does: it
 * costs a tenth of MD5 on a header, which is most of a small message.
 * An X-UIDL header, when valid, is reported separately: mboxsplit
 * prefers it (qpopper and mpopd compatibility). */
#ifndef UIDDIGEST_H
#define UIDDIGEST_H

#include <stddef.h>

#define UIDDIGEST_HEXLEN 32
#define UIDDIGEST_LINEMAX 998
#define UIDDIGEST_STATE 640   /* >= sizeof (XXH3_state_t), checked */

struct uiddigest {
	/* XXH3's streaming state, kept opaque so that users need not see
	 * xxhash.h; it must be 64-byte aligned, which an object on the stack
	 * or from aligned_alloc(64, ...) is.  A header whose counted lines
	 * are one unchanged run, in view with its end in one call (the usual
	 * case), is hashed in one go instead (the same value, and the state
	 * is never touched). */
	_Alignas(64) unsigned char state[UIDDIGEST_STATE];
	char line[UIDDIGEST_LINEMAX + 2];
	size_t line_len;
	unsigned char in_cont_skip; /* skipping a left-out header's continuation */
	unsigned char done;         /* the empty line was seen */
	unsigned char line_overflow;
	unsigned char streaming;    /* state is in use (else nothing hashed yet) */
	unsigned char have_sum;     /* sum holds the digest, hashed in one call */
	/* A line was left out.  Every line that msgfilter's MSGF_HIDE_STATUS
	 * hides is one (its fields are among those left out here), so a
	 * header without one has the same size hidden or not. */
	unsigned char left_out;
	unsigned char sum[16];
	char xuidl[71];             /* X-UIDL value if present and valid, else "" */
};

void uiddigest_init(struct uiddigest *d);
/* Feed the message from its first header byte, in chunks of any size;
 * bytes after the header are ignored.  Returns 1 once the header is over
 * (more feeding is useless), else 0. */
int uiddigest_feed(struct uiddigest *d, const char *buf, size_t len);
/* Finishes (a header with no empty line ends at the end of the message)
 * and writes 32 hex digits and a NUL to HEX. */
void uiddigest_final(struct uiddigest *d, char hex[UIDDIGEST_HEXLEN + 1]);
/* The same as UIDDIGEST_BYTES octets, and those octets as hex. */
#define UIDDIGEST_BYTES 16
void uiddigest_final_bytes(struct uiddigest *d, unsigned char sum[UIDDIGEST_BYTES]);
void uiddigest_hex(const unsigned char sum[UIDDIGEST_BYTES], char hex[UIDDIGEST_HEXLEN + 1]);

#endif
