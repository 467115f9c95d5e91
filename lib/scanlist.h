/* scanlist.h: the exposer-to-pop3d interface (doc/interfaces.md).
 *
 * An exposer (mboxsplit, maildirscan, or anything honouring the format)
 * forks pop3d with:
 *   fd 4  the scan list, read by pop3d to end of file before it answers;
 *   fd 5  the control socket: after a QUIT in TRANSACTION state pop3d
 *         reports deletions here and reads back the answer to QUIT;
 *   fd 6  the mailbox, when messages are byte ranges of one file.
 * Scan list text: a header line, then one line per message:
 *   pop3scan 1 MESSAGES OCTETS [FLAG...]
 *   SIZE UID @OFFSET+LENGTH      bytes [OFFSET, OFFSET+LENGTH) of fd 6
 *   SIZE UID PATH                the whole file PATH (relative to cwd)
 * FLAG is "mboxrd" or "hide-status" (msgfilter.h); SIZE is the exact
 * CRLF size under those flags; UID is 1..70 octets of 0x21..0x7E, unique
 * in the list; a PATH never starts with '@' and has no space. */
#ifndef SCANLIST_H
#define SCANLIST_H

#include <stddef.h>
#include <stdint.h>

#define SCANLIST_FD 4
#define CONTROL_FD 5
#define MAILBOX_FD 6
#define UID_MAX 70
#define SCANLIST_LINE_MAX 4096

/* Control socket, pop3d to exposer, only after QUIT in TRANSACTION:
 *   "D N\n" for each deleted message, "R N\n" for each message retrieved
 *   (RETR) and not deleted, then ".\n".  N counts from 1 in scan list
 *   order.  Anything else (EOF first, a missing ".") means: delete nothing.
 * Exposer to pop3d: one line "+OK text\n" or "-ERR text\n", which pop3d
 * sends to the client as the answer to QUIT (with CR LF). */

/* Checks a UID: 1..UID_MAX octets, each 0x21..0x7E. */
int uid_valid(const char *uid, size_t len);

#endif
