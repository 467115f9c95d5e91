/* engine.h: the POP3 TRANSACTION and UPDATE states (RFC 1939, 2449),
 * apart from main() so that unit tests and fuzzers drive it.
 *
 * The caller reads client lines (lib/linein) and hands each to
 * engine_command(); answers go to an outbuf that the caller flushes when
 * its input is drained, so pipelined commands are answered in order and
 * in as few writes as possible.  The engine knows nothing of mailbox
 * formats: it serves a maildrop (pop3d/maildrop.h) whose messages are
 * ranges of the mailbox descriptor or files under the working directory,
 * always through lib/msgfilter.c. */
#ifndef ENGINE_H
#define ENGINE_H

#include "maildrop.h"
#include "outbuf.h"

#include <stdint.h>

/* RFC 2449: arguments up to 255 octets.  A line may carry a keyword and
 * two of them, so the line bound (with CR LF) is a little above that. */
#define POP3_ARG_MAX 255
#define POP3_LINE_MAX 520
/* Answers from the exposer to QUIT, without CR LF (RFC 2449: 512 with). */
#define POP3_ANSWER_MAX 510
/* Message bytes are read in chunks of this size. */
#define ENGINE_READ_CHUNK 16384
/* The octet that replaces NUL under the nul_replace option. */
#define ENGINE_NUL_REPLACEMENT '?'

enum engine_result {
	ENGINE_CONTINUE = 0,
	ENGINE_QUIT = 1,    /* QUIT answered: the session is over */
	ENGINE_ABORT = 2,   /* a message could not be sent whole: hang up */
};

struct engine {
	struct maildrop *drop;
	struct outbuf *out;
	int mailbox_fd;            /* fd 6, or -1 */
	int control_fd;            /* fd 5, or -1: QUIT deletes nothing */
	int control_timeout_ms;
	unsigned char last_enabled;   /* answer LAST (RFC 1460) */
	unsigned char nul_replace;    /* NUL octets become ENGINE_NUL_REPLACEMENT */
	uint32_t last_accessed;       /* for LAST */
	const char *expire;           /* CAPA EXPIRE value, or NULL */
	const char *login_delay;      /* CAPA LOGIN-DELAY value, or NULL */
	uint32_t n_deleted;
	uint64_t deleted_octets;
	uint32_t n_retrieved;         /* successful RETR answers */
	uint32_t committed_deletions; /* deletions the exposer confirmed */
	uint64_t mailbox_links;       /* fd 6's link count at the start */
	unsigned char quit_unconfirmed; /* QUIT left unanswered: outcome unknown */
	const char *abort_reason;     /* set with ENGINE_ABORT */
	char read_buf[ENGINE_READ_CHUNK];
};

void engine_init(struct engine *e, struct maildrop *drop, struct outbuf *out,
                 int mailbox_fd, int control_fd);

/* The +OK answering the login. */
void engine_greet(struct engine *e);

/* One client line, LF removed (a CR before it is allowed). */
enum engine_result engine_command(struct engine *e, const char *line, size_t len);

/* The client sent a line longer than POP3_LINE_MAX. */
void engine_line_too_long(struct engine *e);

#endif
