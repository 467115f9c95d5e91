/* write_all.c: see write_all.h. */
#include "write_all.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Waits until FD has room: 1, 0 on timeout, -1 on error. */
static int wait_room(int fd, int timeout_ms)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int r = poll(&p, 1, timeout_ms);
		if (r >= 0)
			return r > 0;
		if (errno != EINTR)
			return -1;
	}
}

int write_all_timeout(int fd, const void *buf, size_t len, int timeout_ms,
                      unsigned flags, uint64_t *written)
{
	const char *p = buf;
	int is_socket = (flags & WRITE_SOCKET) != 0;
	int wait_first = !is_socket;
	while (len > 0) {
		if (wait_first) {
			int r = wait_room(fd, timeout_ms);
			if (r == 0)
				return WRITE_TIMEOUT;
			if (r < 0)
				return WRITE_ERROR;
		}
		ssize_t n = is_socket ? send(fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL)
		                      : write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			wait_first = 1;
			continue;
		}
		if (n < 0)
			return WRITE_ERROR;
		if (n == 0) {
			errno = EIO;
			return WRITE_ERROR;
		}
		p += n;
		len -= (size_t)n;
		if (written)
			*written += (uint64_t)n;
		/* A socket that took only part is full: wait before the rest. */
		wait_first = !is_socket || len > 0;
	}
	return WRITE_OK;
}
