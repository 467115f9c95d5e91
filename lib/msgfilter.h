/* msgfilter.h: a stored message to its POP3 wire form, and its exact size.
 *
 * The one definition of how stored bytes become the bytes a client
 * receives.  Exposers count with it (out == NULL) and pop3d sends with
 * it, so the octet counts in STAT, LIST and "+OK N octets" are exact by
 * construction (mpopd's known bug).  The rules, per line (a line ends at
 * LF, or at the end of the message):
 *   - LF not preceded by CR becomes CR LF; CR LF stays; a bare CR stays.
 *   - A last line without LF gets CR LF (counted in the size).
 *   - MSGF_MBOXRD: a line ">From ", ">>From " ... loses one '>'.
 *     (only lines of at most MSGF_MAX_QUOTES '>' are considered)
 *   - MSGF_HIDE_STATUS: header lines Status:, X-Status:, X-UID:,
 *     X-Keywords:, X-IMAP:, X-IMAPbase:, Content-Length: and their
 *     continuation lines are dropped (mbox readers' bookkeeping).
 *   - MSGF_DOTSTUFF (sending only, never counted): a line starting with
 *     '.' gets another '.' in front.
 *   - max_body_lines >= 0 (TOP): the header, the empty line, then at
 *     most that many body lines.
 * Chunks may be split anywhere: the result never depends on how the
 * input was cut, because a line start is only decided with at least
 * MSGF_LOOKAHEAD bytes (or the whole line, or end of input) in view. */
#ifndef MSGFILTER_H
#define MSGFILTER_H

#include <stddef.h>
#include <stdint.h>

enum {
	MSGF_MBOXRD = 1,
	MSGF_HIDE_STATUS = 2,
	MSGF_DOTSTUFF = 4,
};
#define MSGF_MAX_QUOTES 64
#define MSGF_LOOKAHEAD 80
/* Output room msgfilter_feed may need for INLEN input bytes. */
#define MSGF_OUTCAP(inlen) (2 * (size_t)(inlen) + 4)

struct msgfilter {
	unsigned flags;
	int64_t body_lines_left;  /* < 0: no limit */
	uint64_t octets;          /* CRLF size so far, dot-stuffing excluded */
	unsigned char at_line_start;
	unsigned char prev_cr;
	unsigned char in_header;
	unsigned char skipping;   /* inside a hidden header line */
	unsigned char line_kept;  /* current line is being output */
	unsigned char done;       /* TOP limit reached: ignore the rest */
};

void msgfilter_init(struct msgfilter *f, unsigned flags, int64_t max_body_lines);

/* Consumes a prefix of IN and returns its length; the rest (fewer than
 * MSGF_LOOKAHEAD bytes at the start of an unfinished line) must be fed
 * again with more bytes behind it, or with EOF set.  With EOF set all
 * of IN is consumed and a missing final CR LF is added.  Writes to OUT
 * (room for MSGF_OUTCAP(inlen) bytes) and sets *OUTLEN, or only counts
 * when OUT is NULL. */
size_t msgfilter_feed(struct msgfilter *f, const char *in, size_t inlen,
                      int eof, char *out, size_t *outlen);

/* The CRLF size of a whole message held in memory. */
uint64_t msgfilter_size(const char *msg, size_t len, unsigned flags);

#endif
