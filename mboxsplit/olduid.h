/* olduid.h: what another POP3 server left in a message's header to make
 * its UIDL from (UIDL_FORMAT, lib/uidlformat.h), read in the same pass
 * as the toolkit's own id (lib/uiddigest.h), so that a site that
 * switches keeps the ids its users' clients already know.
 *
 * popa3d: the MD5 of whole header lines (their line ends as in the
 * file) of the fields popa3d takes as fixed over mail readers' runs:
 * every Delivered-To and X-Delivery-ID ("X" upper case), the first
 * Received, and Date and Message-ID while no Received has been seen,
 * each with its continuation lines.  Names match case-insensitively
 * and end with the colon at once.  popa3d writes the first 8 octets of
 * the MD5 as two 32-bit little-endian words, each in hex.  Status and
 * the other fields the toolkit writes are not among them, so the id
 * stays when the toolkit rewrites the mailbox.
 *
 * Dovecot: the first X-UID field (digits, then only blanks: Dovecot
 * pads it), and X-IMAPbase "<uidvalidity> <uidlast> [keywords]" (or the
 * X-IMAP of a c-client "FOLDER INTERNAL DATA" message), which counts
 * only in a mailbox's first message.  Whether an X-UID is one Dovecot
 * gave is decided over the whole mailbox (olduid_resolve, index.h).
 *
 * The header ends where lib/uiddigest ends it (an empty line, LF or
 * CR LF); bytes after it are not looked at. */
#ifndef OLDUID_H
#define OLDUID_H

#include <md5.h>
#include <stddef.h>
#include <stdint.h>

#define OLDUID_POPA3D_HEXLEN 16
#define OLDUID_DOVECOT_HEXLEN 16
#define OLDUID_HEAD 16          /* > the longest name looked for, colon included */

enum olduid_field { OF_NONE, OF_FIXED, OF_XUID, OF_IMAPBASE, OF_IMAP };

struct olduid {
	MD5_CTX md5;
	char head[OLDUID_HEAD];     /* a line's first octets, until it is told apart */
	size_t head_len;
	unsigned char at_start;     /* the next octet starts a line */
	unsigned char deciding;     /* collecting head[] */
	unsigned char field;        /* enum olduid_field of the current field */
	unsigned char received;     /* a Received field was seen */
	unsigned char done;
	/* A number being read: state 0 before it, 1 in its digits, 2 after
	 * (blanks), 3 broken. */
	unsigned char num_state, num_which;
	uint64_t num;
	unsigned num_digits;
	/* Results. */
	uint32_t x_uid;             /* 0: none, or not a valid value */
	unsigned char x_uid_seen;
	unsigned char uid_after_base; /* X-UID came after X-IMAPbase */
	unsigned char has_base, pseudo;
	uint32_t uidvalidity, uidlast;
};

void olduid_init(struct olduid *o);
/* Feeds header bytes in chunks of any size, from the first after the
 * From_ line; returns 1 once the header has ended. */
int olduid_feed(struct olduid *o, const char *buf, size_t len);
/* Finishes the header: it may end without an empty line. */
void olduid_finish(struct olduid *o);
/* Finishes, and writes popa3d's id: 16 hex digits and a NUL. */
void olduid_popa3d(struct olduid *o, char hex[OLDUID_POPA3D_HEXLEN + 1]);
/* Dovecot's id for UID in a mailbox of UIDVALIDITY (pop3_uidl_format
 * %08Xu%08Xv, which Dovecot writes in lower case). */
void olduid_dovecot(uint32_t uid, uint32_t uidvalidity, char hex[OLDUID_DOVECOT_HEXLEN + 1]);

/* Dovecot's way of taking a mailbox's X-UIDs: starting after UIDLAST
 * of X-IMAPbase, each message's X-UID is kept if it grows and is not
 * past the next free uid; a message without one (or whose is not kept)
 * is given the next free uid, which X-UIDs after it must pass. */
struct olduid_seq {
	uint32_t prev, next;
	int valid;                  /* an X-IMAPbase was found */
};
void olduid_seq_start(struct olduid_seq *s, int has_base, uint32_t uidlast);
/* 1 if X_UID (0: none) is the uid Dovecot gave, else 0. */
int olduid_seq_take(struct olduid_seq *s, uint32_t x_uid);

#endif
