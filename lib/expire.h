/* expire.h: EXPIRE enforced (RFC 2449 section 6.7): a message the client
 * retrieved EXPIRE days ago or more is deleted at the next QUIT, whether
 * or not the client asked, so that leave-on-server clients cannot let a
 * mailbox grow forever.  EXPIRE 0 deletes what was retrieved at the QUIT
 * of the same session; NEVER, or no EXPIRE, deletes nothing.
 *
 * The time of each message's first retrieval is kept by its UID in a
 * state file of the exposer's (maildirscan: maildirscan.expire in the
 * Maildir; mboxsplit: beside its index cache):
 *   pop3expire 1
 *   TIME UID          (Unix seconds; one line per retrieved message)
 * A line that does not scan is dropped.  A lost or damaged file loses
 * the policy for the messages it held (they live until retrieved again
 * and EXPIRE passes once more), never a message that was not due.
 * Only an exposer's UPDATE state applies it: a session that ends without
 * QUIT deletes and records nothing. */
#ifndef EXPIRE_H
#define EXPIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "expose.h"

#define EXPIRE_DAYS_MAX 36500u
/* A state file larger than this is not read (it names 64 MB of UIDs). */
#define EXPIRE_FILE_MAX (64u << 20)

struct expire_policy {
	bool on;            /* false: NEVER, or no EXPIRE */
	uint64_t seconds;   /* on: days * 86400 */
};

/* The policy EXPIRE in the environment sets: days (0..EXPIRE_DAYS_MAX)
 * or NEVER.  False for any other value (the caller refuses the session
 * rather than keep mail the site meant to expire, or the reverse). */
bool expire_policy_env(struct expire_policy *p);

/* The UID of message I (0-based, scan list order), *LEN its length;
 * used before the next call, so one buffer may serve every call. */
typedef const char *expire_uid_fn(const void *ctx, size_t i, size_t *len);

struct expire_result {
	size_t expired;     /* added to the deletions */
	size_t recorded;    /* first retrieved in this session, now recorded */
	bool saved;         /* the state file was written */
};

/* At QUIT, before the exposer commits REP (N messages, their UIDs from
 * UID_OF): the messages due at NOW are added to REP's deletions (and
 * taken out of its retrievals), and the state file PATH is rewritten
 * with every message still listed that has been retrieved, the due ones
 * included until they are gone (a failed commit keeps them due).  PATH
 * NULL: nowhere to keep times, so only EXPIRE 0 can act.  A state file
 * that cannot be read or written is logged and the rest goes on. */
void expire_apply(const struct expire_policy *p, const char *path, size_t n,
	expire_uid_fn *uid_of, const void *ctx, struct expose_report *rep,
	uint64_t now, struct expire_result *res);

/* The records of a state file's TEXT, for tests and the fuzz harness:
 * calls FN for each line that scans, and returns how many did. */
typedef void expire_record_fn(void *arg, uint64_t time, const char *uid, size_t len);
size_t expire_parse(const char *text, size_t len, expire_record_fn *fn, void *arg);

#endif
