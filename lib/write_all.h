/* write_all.h: all of a buffer to a descriptor, each wait for room
 * bounded, so that a peer that stops reading cannot hold us forever. */
#ifndef WRITE_ALL_H
#define WRITE_ALL_H

#include <stdbool.h>
#include <stddef.h>

/* Writes all of BUF to FD, waiting at most TIMEOUT_MS for room each
 * time; false if the peer is gone, an error occurred, or it timed out. */
bool write_all(int fd, const char *buf, size_t len, int timeout_ms);

#endif
