/* linein.h: a buffered line reader for untrusted input.
 *
 * Lines are bounded by the buffer the caller supplies: a longer line is
 * read to its end, thrown away and reported as LINEIN_TOOLONG, so the
 * caller can answer -ERR and go on in step with the client.  Every wait
 * for input has a timeout (poll), so an idle client cannot hold a
 * process forever.  The caller sees the line as it came (without the
 * LF, with any CR and NUL octets in it) and decides what is bad.
 *
 * linein_buffered() says whether a further line may already be waiting
 * in the buffer: a server flushes its output only when it is not, so
 * answers to pipelined commands go out in one write (RFC 2449).
 *
 * LINEIN_EXACT never reads past the LF of the line returned (sockets are
 * peeked, other descriptors read one octet at a time), for a program
 * that hands its descriptor to the next program after a line. */
#ifndef LINEIN_H
#define LINEIN_H

#include <stddef.h>

enum {
	LINEIN_LINE = 1,      /* *line, *len: one line, LF removed */
	LINEIN_EOF = 0,       /* end of input (a last line without LF is dropped) */
	LINEIN_ERROR = -1,    /* read error, errno set */
	LINEIN_TOOLONG = -2,  /* a line longer than the buffer was skipped */
	LINEIN_TIMEOUT = -3,  /* no input for timeout_ms */
};

enum { LINEIN_EXACT = 1 };

struct linein {
	int fd;
	int timeout_ms;     /* < 0: wait forever */
	unsigned flags;
	char *buf;
	size_t cap;
	size_t start;       /* first unread octet */
	size_t end;         /* end of the octets read */
	size_t scanned;     /* octets from start known to hold no LF */
	size_t max_line;    /* longest line accepted, LF excluded */
	int eof;
	int is_socket;      /* -1 unknown */
};

/* BUF of CAP octets holds one line: the longest line accepted is CAP-1
 * octets before its LF. */
void linein_init(struct linein *in, int fd, char *buf, size_t cap,
                 int timeout_ms, unsigned flags);

/* Lowers the longest line accepted to MAX octets (MAX < CAP), so that a
 * larger buffer can take a whole burst of pipelined short lines in one
 * read. */
void linein_set_max(struct linein *in, size_t max);

/* Returns one of the codes above.  *line points into the buffer and
 * stays valid until the next call. */
int linein_get(struct linein *in, const char **line, size_t *len);

/* 1 when unread input sits in the buffer. */
int linein_buffered(const struct linein *in);

#endif
