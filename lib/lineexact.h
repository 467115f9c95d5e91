/* lineexact.h: read one client line and not one byte more.
 * A POP3 login program hands the connection to the next program of the
 * chain by exec, so any byte it buffers past the LF that ends PASS (or
 * APOP, or AUTH) would be lost to pop3d.  On a socket the reader peeks
 * (recv MSG_PEEK) and then takes exactly the bytes up to the LF; on a pipe
 * or a file it reads one byte at a time.  Every wait has a deadline. */
#ifndef LINEEXACT_H
#define LINEEXACT_H

#include <stdbool.h>
#include <stddef.h>

enum line_status {
	LINE_OK,       /* a line ending in LF; LF (and a CR before it) removed */
	LINE_TOOLONG,  /* longer than the buffer: the rest was read up to LF and dropped */
	LINE_EOF,      /* end of input (bytes without a final LF are dropped) */
	LINE_TIMEOUT,  /* no complete line before the deadline */
	LINE_ERROR,    /* read error; errno says which */
};

struct line_reader {
	int fd;
	bool is_socket;
	int timeout_ms;        /* for one whole line, not per byte */
	size_t drain_limit;    /* octets an overlong line may have in all */
};

/* Sets up a reader on FD; TIMEOUT_MS bounds the time one line may take. */
void line_reader_init(struct line_reader *r, int fd, int timeout_ms);

/* Reads one line into BUF (capacity CAP, at least 2).  On LINE_OK *LEN is
 * the length without the line end, and BUF[*LEN] is 0 (the line itself
 * may hold NULs: use *LEN).  *HAD_CR says whether the LF followed a CR. */
enum line_status line_read(struct line_reader *r, char *buf, size_t cap,
	size_t *len, bool *had_cr);

/* Drops every byte already waiting on the reader's descriptor, without
 * waiting for more: the STARTTLS command-injection defence. */
void line_discard_pending(struct line_reader *r);

#endif
