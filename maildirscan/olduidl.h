/* olduidl.h: the UIDLs another POP3 server gave a Maildir's messages,
 * read from the file it left in the Maildir (UIDL_FORMAT, lib/uidlformat.h),
 * so that after a switch the clients see the ids they already know.
 *
 * dovecot-uidlist (Dovecot, pop3_uidl_format %08Xu%08Xv): a header
 * "3 V<uidvalidity> N<nextuid> G<guid> ..." (or the old "1 <uidvalidity>
 * <nextuid>"), then one line per message, "<uid> [<key><value> ...]
 * :<name up to ':'>" (old form "<uid> <name>").  The id is the uid and
 * the uidvalidity as 8 hex digits each, lower-case (Dovecot's %X modifier
 * prints with "%llx", whatever its name suggests), or the value of a "P"
 * field (a pop3_uidl Dovecot saved), which wins.
 *
 * courierpop3dsizelist (Courier's pop3d): a header "/<version> <nextuid>
 * [<uidvalidity>]", version 2 or 3, then one line per message, "<name>
 * <size> <uid>:<uidvalidity>[:<utf8>]".  The id is "UID<uid>-<uidvalidity>"
 * ("UID<uid>" with a uidvalidity of 0); a uid of 0 means Courier gave the
 * message no number, so it has no entry here.
 *
 * The files are the user's own, so anything may be in them: a line that
 * does not parse, is longer than OLDUIDL_LINE_MAX or would give an id
 * pop3d cannot send (lib/scanlist.h uid_valid) is ignored, and a header
 * that does not parse refuses the whole file.  Entries are keyed by the
 * name up to ':' (its ",S=" fields included), as both servers match them.
 * Pure functions over a buffer: driven by tests/unit/unit_maildir_olduidl.c
 * and tests/fuzz/fuzz_olduidl.c. */
#ifndef OLDUIDL_H
#define OLDUIDL_H

#include <stddef.h>
#include <stdint.h>

#include "scanlist.h"

/* Longer lines are no line either server writes. */
#define OLDUIDL_LINE_MAX 4096
/* A bigger file is not read (a million messages take some 90 MB). */
#define OLDUIDL_FILE_MAX (256u << 20)
#define OLDUIDL_DOVECOT_FILE "dovecot-uidlist"
#define OLDUIDL_COURIER_FILE "courierpop3dsizelist"

struct olduidl_entry {
	size_t key_off;    /* the name, in the parsed buffer */
	size_t id_off;     /* the id, NUL-terminated, in ids */
	uint16_t key_len;
	uint8_t id_len;
	uint8_t dropped;   /* its name was listed twice with another id */
};

struct olduidl {
	const char *data;  /* the buffer parsed: not owned, kept by the caller */
	char *ids;
	size_t ids_len, ids_cap;
	struct olduidl_entry *entries;
	size_t count, cap;
	uint32_t *slots;   /* index + 1 into entries, 0 empty */
	size_t mask;
	size_t ignored;    /* lines not used */
};

/* Parse DATA (LEN octets, not NUL-terminated, kept until olduidl_free)
 * into T.  Return 0, or -1 when the header is not the server's (then T
 * holds nothing and WHY says what was wrong). */
int olduidl_parse_dovecot(struct olduidl *t, const char *data, size_t len,
                          const char **why);
int olduidl_parse_courier(struct olduidl *t, const char *data, size_t len,
                          const char **why);

/* The id of the message whose name up to ':' is NAME (LEN octets), or
 * NULL; *ID_LEN its length. */
const char *olduidl_find(const struct olduidl *t, const char *name, size_t len,
                         size_t *id_len);

void olduidl_free(struct olduidl *t);

#endif
