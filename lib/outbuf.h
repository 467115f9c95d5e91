/* outbuf.h: a buffered writer with a timeout.
 *
 * Answers are gathered in the caller's buffer and written only when it
 * is full or on outbuf_flush(), so a status line and the message behind
 * it leave in as few segments as possible (no Nagle / delayed-ACK stall,
 * no needless small writes).  Each write waits at most timeout_ms for
 * the peer to take data; a socket is written with MSG_DONTWAIT so a
 * stalled client cannot block the process past that, and with
 * MSG_NOSIGNAL so a vanished one gives an error, not SIGPIPE.  After the
 * first failure every call fails: the caller checks once, at the end or
 * when it needs to know. */
#ifndef OUTBUF_H
#define OUTBUF_H

#include <stddef.h>
#include <stdint.h>

enum { OUTBUF_OK = 0, OUTBUF_ERROR = -1, OUTBUF_TIMEOUT = -2 };

struct outbuf {
	int fd;
	int timeout_ms;    /* < 0: wait forever */
	char *buf;
	size_t cap;
	size_t len;
	int status;        /* OUTBUF_OK until the first failure */
	int is_socket;     /* -1 unknown */
	uint64_t written;  /* octets handed to the kernel */
};

void outbuf_init(struct outbuf *o, int fd, char *buf, size_t cap, int timeout_ms);

int outbuf_put(struct outbuf *o, const void *data, size_t len);
int outbuf_puts(struct outbuf *o, const char *s);

/* Room for at least NEED contiguous octets (NEED <= cap), writing out
 * what is buffered if there is not; NULL after a failure.  Fill it, then
 * outbuf_commit() what was used. */
char *outbuf_room(struct outbuf *o, size_t need);
void outbuf_commit(struct outbuf *o, size_t used);

/* Writes out everything buffered. */
int outbuf_flush(struct outbuf *o);

#endif
