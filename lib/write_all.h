/* write_all.h: all of a buffer to a descriptor.
 *
 * write() may take part of a buffer or be interrupted by a signal; every
 * caller must then go on with the rest.  write_all() is for descriptors
 * of our own (files, pipes between our programs), where blocking is
 * right.  write_all_timeout() is for a peer that may stop reading (the
 * client, a proxy): each wait for room is bounded, so that peer cannot
 * hold the process forever. */
#ifndef WRITE_ALL_H
#define WRITE_ALL_H

#include <stddef.h>
#include <stdint.h>

/* Writes all of BUF to FD, blocking as FD does and going on after EINTR
 * and short writes.  Returns 0, or -1 with errno set (EIO where FD took
 * nothing). */
int write_all(int fd, const void *buf, size_t len);

enum { WRITE_OK = 0, WRITE_ERROR = -1, WRITE_TIMEOUT = -2 };

/* FD is a socket: write with send(MSG_DONTWAIT | MSG_NOSIGNAL), which
 * cannot block and gives EPIPE rather than SIGPIPE, and wait for room
 * only when the socket is full.  Without it every write is preceded by
 * a poll, since a plain write to a stalled pipe would block past the
 * timeout: one system call more per write, so a caller that writes a
 * socket often finds out once (fstat, S_ISSOCK) and says so. */
#define WRITE_SOCKET 1u

/* Writes all of BUF to FD, waiting at most TIMEOUT_MS (< 0: forever)
 * each time FD has no room.  FLAGS is 0 or WRITE_SOCKET.  Adds the
 * octets FD took to *WRITTEN unless WRITTEN is NULL, also on failure.
 * Returns WRITE_OK, WRITE_TIMEOUT, or WRITE_ERROR with errno set. */
int write_all_timeout(int fd, const void *buf, size_t len, int timeout_ms,
                      unsigned flags, uint64_t *written);

#endif
