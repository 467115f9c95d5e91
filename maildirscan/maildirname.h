/* maildirname.h: what a Maildir file name says, without touching the file.
 *
 * A name is BASE[:INFO].  BASE is the unique part (up to the first ',')
 * then ",KEY=VALUE" fields; writers put the message's sizes there:
 * ",S=" the octets on disk (Courier, Dovecot, maildrop), ",W=" the size
 * with CR LF line ends (Dovecot), which is exactly the POP3 size.  INFO
 * "2,FLAGS" holds the flags (S seen, R replied, T trashed ...), in ASCII
 * order.  The unique part starts with the delivery time in seconds and,
 * in the modern forms, a middle field of letter-number pairs ("M" is
 * microseconds: 1700000000.M123P45.host), which give the delivery order. */
#ifndef MAILDIRNAME_H
#define MAILDIRNAME_H

#include <stddef.h>
#include <stdint.h>

#include "scanlist.h"

struct maildir_name {
	size_t unique_len;    /* BASE up to the first ',' (or ':') */
	size_t base_len;      /* up to the ':' */
	uint64_t seconds;     /* leading decimal digits of the unique part */
	uint64_t usec;        /* the M field of the middle part, else 0 */
	uint64_t size_s;      /* ,S= */
	uint64_t size_w;      /* ,W= */
	unsigned char has_seconds;
	unsigned char has_s;
	unsigned char has_w;
	unsigned char has_info; /* a ':' is present; INFO starts at base_len+1 */
};

/* Parses NAME (LEN octets, no NUL needed).  Never fails: missing or
 * malformed fields are simply absent (a bad ",W=" is not trusted). */
void maildir_name_parse(const char *name, size_t len, struct maildir_name *n);

/* The UIDL for a unique part: the part itself when it is 1..UID_MAX
 * octets of 0x21..0x7E; otherwise '~' and the MD5 of the part in hex, so
 * the mapping is deterministic and keeps distinct parts distinct.
 * Writes a NUL-terminated id to OUT and returns its length. */
size_t maildir_uid(const char *unique, size_t len, char out[UID_MAX + 1]);

/* Writes to OUT (SIZE octets) NAME with flag FLAG added to its "2," info
 * (kept in ASCII order), or ":2,FLAG" appended when NAME has no info.
 * Returns 1 if OUT differs from NAME, 0 if NAME already has the flag or
 * its info is of another kind (left alone), -1 if OUT is too small. */
int maildir_name_add_flag(const char *name, char flag, char *out, size_t size);

#endif
