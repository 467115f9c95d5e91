/* heapstats.so: an LD_PRELOAD library for tests/bench/pop3d_mem.sh.
 *
 * The first time the program writes to fd 1 it reports the heap in use
 * (glibc's mallinfo2: arena bytes in use plus mmap()ed blocks) as one
 * line on fd 2:
 *
 *   heapstats: bytes=N
 *
 * For pop3d the first write to fd 1 is the greeting, which goes out once
 * the scan list is loaded and the session's buffers are allocated: the
 * heap the session keeps.  (The peak is earlier, while the loader's UID
 * hash exists; massif measures that.)  The count is taken before this
 * library asks the loader for anything, so none of its own allocations
 * are in it.  Preload it only into glibc builds ($(B)/dyn/pop3d); a
 * static program loads no library.  Never installed. */
#include <dlfcn.h>
#include <malloc.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

typedef ssize_t write_fn(int, const void *, size_t);
typedef ssize_t send_fn(int, const void *, size_t, int);

static int reported;

static void report_heap(int fd)
{
	if (fd != 1 || reported)
		return;
	reported = 1;
	struct mallinfo2 mi = mallinfo2();
	size_t heap = mi.uordblks + mi.hblkhd;
	char line[64];
	int n = snprintf(line, sizeof line, "heapstats: bytes=%zu\n", heap);
	write_fn *real_write = (write_fn *)dlsym(RTLD_NEXT, "write");
	if (n > 0 && real_write && real_write(2, line, (size_t)n) < 0)
		reported = 2;  /* nothing to be done: the benchmark finds no line */
}

ssize_t write(int fd, const void *buf, size_t len)
{
	report_heap(fd);
	static write_fn *real_write;
	if (!real_write)
		real_write = (write_fn *)dlsym(RTLD_NEXT, "write");
	return real_write(fd, buf, len);
}

/* lib/outbuf.c sends to a socket first. */
ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	report_heap(fd);
	static send_fn *real_send;
	if (!real_send)
		real_send = (send_fn *)dlsym(RTLD_NEXT, "send");
	return real_send(fd, buf, len, flags);
}
