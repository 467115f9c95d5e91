/* commit.h: the UPDATE state of a Maildir: after pop3d's report, unlink
 * what the client deleted and, by option, flag what it read. */
#ifndef COMMIT_H
#define COMMIT_H

#include <stddef.h>

#include "expose.h"
#include "scan.h"

/* The Maildir++ quota file, in the Maildir (the working directory). */
#define MAILDIRSIZE_NAME "maildirsize"

struct commit_result {
	size_t deleted;     /* unlinked now */
	size_t gone;        /* already removed by another program */
	size_t failed;      /* could not be unlinked: still there */
	size_t seen;        /* S flag added */
};

/* Applies report R to the messages of S.  A message that another
 * program renamed meanwhile (its flags changed) is found again by its
 * unique part; one that has disappeared counts as gone.  MARK_SEEN adds
 * the S flag to the retrieved messages (a failure there is only logged).
 * A Maildir++ quota file gets the removed octets and messages.
 * Writes pop3d's answer to QUIT into ANSWER. */
void commit_report(const struct scan *s, const struct expose_report *r,
                   int mark_seen, struct commit_result *res,
                   char *answer, size_t answer_size);

#endif
