/* rogue_child.c: a test aid (LD_PRELOAD into pop3login) that plays a
 * subverted dialogue child.  Once the child runs unprivileged, each
 * send() on a SOCK_SEQPACKET socket (the credentials block for the root
 * parent) is repeated ROGUE_REPEAT times first, every verdict but the
 * last swallowed: the brute force a child taken over by a client could
 * try.  The root parent must not run more checkers than -f allows.
 * With ROGUE_BLOCK_FILE the credentials block sent is that file's bytes
 * instead (a forged APOP timestamp, extra fields). */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

typedef ssize_t send_fn(int, const void *, size_t, int);

static unsigned char forged[1024];
static size_t forged_len;

/* Read at load time: the child that sends is chrooted to an empty root. */
__attribute__((constructor)) static void load_block(void)
{
	const char *block_file = getenv("ROGUE_BLOCK_FILE");
	int fd = block_file ? open(block_file, O_RDONLY) : -1;
	if (fd < 0)
		return;
	ssize_t n = read(fd, forged + 2, sizeof forged - 2);
	forged_len = n > 0 ? (size_t)n : 0;
	close(fd);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	send_fn *real = (send_fn *)dlsym(RTLD_NEXT, "send");
	/* The child's only socket above fd 2 is the one to the parent.  It
	 * is told by fstat, not getsockopt: the child runs confined
	 * (lib/confine.h), as a subverted one would, and getsockopt is not
	 * in its allow-list. */
	struct stat st;
	const char *repeat = getenv("ROGUE_REPEAT");
	if (geteuid() != 0 && repeat && fd > 2 && fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) {
		if (forged_len > 0 && len >= 2) {
			memcpy(forged, buf, 2); /* method, tls flag */
			buf = forged;
			len = forged_len + 2;
		}
		for (int i = atoi(repeat); i > 0; i--) {
			int status;
			if (real(fd, buf, len, flags) < 0
			    || recv(fd, &status, sizeof status, 0) != (ssize_t)sizeof status)
				break;
		}
	}
	return real(fd, buf, len, flags);
}
