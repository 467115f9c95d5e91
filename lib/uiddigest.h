/* uiddigest.h: a message's unique id from its header, the same whichever
 * exposer serves it, so that mail moved from mbox to Maildir keeps its
 * UIDL and leave-on-server clients fetch nothing twice.
 *
 * The id is the MD5 (libmd) of the header block: every header line up to
 * the first empty line, with its line end reduced to LF, leaving out the
 * lines (and continuations) that mail readers rewrite: Status, X-Status,
 * X-UID, X-Keywords, X-IMAP, X-IMAPbase, Content-Length, X-UIDL.  Lines
 * longer than 998 octets count by their first 998.  Written as 32
 * lowercase hex digits.  The body is not read, so the id costs no more
 * than the header.  An X-UIDL header, when valid, is reported separately:
 * mboxsplit prefers it (qpopper and mpopd compatibility). */
#ifndef UIDDIGEST_H
#define UIDDIGEST_H

#include <stddef.h>
#include <md5.h>

#define UIDDIGEST_HEXLEN 32
#define UIDDIGEST_LINEMAX 998

struct uiddigest {
	MD5_CTX md5;
	char line[UIDDIGEST_LINEMAX + 2];
	size_t line_len;
	unsigned char in_cont_skip; /* skipping a left-out header's continuation */
	unsigned char done;         /* the empty line was seen */
	unsigned char line_overflow;
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

#endif
