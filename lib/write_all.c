/* write_all.c: see write_all.h. */
#include "write_all.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

bool write_all(int fd, const char *buf, size_t len, int timeout_ms)
{
	while (len > 0) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int r = poll(&p, 1, timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		ssize_t n = write(fd, buf, len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}
