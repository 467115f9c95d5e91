/* exposeopts.h: the one option set of both exposers, mboxsplit and
 * maildirscan (doc/mboxsplit.8, doc/maildirscan.8, "OPTIONS").
 *
 * A site whose users have mbox and Maildir mixed runs one chain line;
 * each exposer execs the other when MAILBOX names the other kind
 * (doc/interfaces.md).  So both parse the same letters, each letter
 * means one thing in both, and an option of one kind is accepted and
 * ignored by the other.  What the sibling is given is the options as
 * this release spells them (an old spelling is translated, and warned
 * about once, by the exposer that read it), then pop3d and its
 * arguments.
 *
 *   -m PATH   the mailbox (a trailing '/': a Maildir), over $MAILBOX
 *   -d DIR    the mailbox is the Maildir DIR
 *   -r        mboxrd unquoting                       (mbox only)
 *   -H        hide bookkeeping headers               (mbox only; logged)
 *   -R        mark retrieved mail read / seen        (both)
 *   -C FILE   index cache: FILE for an mbox, maildirscan.sizes in a
 *             Maildir                                (both)
 *   -u        ids from the header                    (Maildir; mbox always)
 *   -x        one session at a time                  (Maildir; mbox always)
 *   -l M,M    spool lock methods                     (mbox only)
 *   -w SECS   wait for a held spool lock             (mbox only)
 *   -t SECS   age of a stale dotlock                 (mbox only)
 *   -n MAX    message limit                          (both)
 * Old spellings, one release, with a warning: mboxsplit -s (-H),
 * maildirscan -s (-R), mboxsplit -c FILE (-C FILE), maildirscan -c (-C). */
#ifndef EXPOSEOPTS_H
#define EXPOSEOPTS_H

#include <stddef.h>

#include "expire.h"

enum expose_kind { EXPOSE_MBOX, EXPOSE_MAILDIR };

enum {
	EXPOSE_LOCK_DOTLOCK = 1,
	EXPOSE_LOCK_FCNTL = 2,
};

#define EXPOSE_LOCK_WAIT_DEFAULT 20     /* -w: seconds */
#define EXPOSE_LOCK_STALE_DEFAULT 600   /* -t: seconds */
#define EXPOSE_SECONDS_MAX 86400        /* -w and -t at most a day */
#define EXPOSE_MESSAGES_DEFAULT 1000000u
#define EXPOSE_MESSAGES_LIMIT ((1u << 28) - 2)  /* mbox id suffixes fit */

struct expose_opts {
	const char *mailbox;     /* -m PATH or -d DIR; NULL: $MAILBOX */
	int maildir;             /* -d given last: a Maildir, whatever the name */
	unsigned msg_flags;      /* MSGF_MBOXRD (-r), MSGF_HIDE_STATUS (-H) */
	int mark_seen;           /* -R */
	int cache;               /* -C, or an old -c */
	const char *cache_file;  /* -C FILE; NULL after maildirscan's old -c */
	int uid_digest;          /* -u */
	int exclusive;           /* -x */
	unsigned lock_methods;   /* EXPOSE_LOCK_* */
	unsigned wait_seconds;
	unsigned stale_seconds;
	size_t max_messages;
	struct expire_policy expire;  /* EXPIRE in the environment */
	char **prog;             /* pop3d and its arguments */
	char **pass;             /* [0] free, the options spelled as now, prog */
	size_t pass_len, pass_cap;
};

/* Parses ARGV as the exposer SELF (whose old spellings apply); dies with
 * EXIT_MISUSE and the usage line on a bad option or no PROG.  Logs a
 * warning for each old spelling.  EXPIRE comes from the environment
 * (a bad value is misuse too). */
void expose_opts_parse(struct expose_opts *o, enum expose_kind self,
                       int argc, char **argv);

/* The kind of mailbox to serve: -d, else the end of -m or $MAILBOX,
 * else SELF's default (/var/mail/$USER, ~/Maildir/). */
enum expose_kind expose_opts_kind(const struct expose_opts *o, enum expose_kind self);

/* If the mailbox is of the other kind, execs the other exposer with the
 * options as now spelled (never returns); else logs one line for each
 * option that has no effect on SELF's kind where that could surprise
 * (-H on a Maildir), frees the hand-off's list and returns. */
void expose_opts_dispatch(struct expose_opts *o, enum expose_kind self);

/* "dotlock", "fcntl" or both, comma-separated: 0 and *METHODS, or -1. */
int expose_lock_methods_parse(const char *s, unsigned *methods);

#endif
