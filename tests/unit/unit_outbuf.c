/* unit_outbuf: the buffered writer: coalescing, large writes, errors
 * that stick, and the timeout on a peer that stops reading. */
#include "outbuf.h"
#include "tap.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int s[2];
	char buf[64];
	struct outbuf o;
	char got[70000];

	signal(SIGPIPE, SIG_IGN);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, s) < 0)
		return 1;

	outbuf_init(&o, s[0], buf, sizeof buf, 1000);
	outbuf_puts(&o, "+OK 5 octets\r\n");
	outbuf_put(&o, "hello\r\n.\r\n", 10);
	ok(o.written == 0, "nothing written before flush");
	ok(outbuf_flush(&o) == OUTBUF_OK, "flush ok");
	ssize_t n = recv(s[1], got, sizeof got, MSG_DONTWAIT);
	ok(n == 24 && memcmp(got, "+OK 5 octets\r\nhello\r\n.\r\n", 24) == 0,
	   "status line and body in one write");
	n = recv(s[1], got, sizeof got, MSG_DONTWAIT);
	ok(n < 0, "nothing more");

	char *room = outbuf_room(&o, 10);
	memcpy(room, "0123456789", 10);
	outbuf_commit(&o, 10);
	static char large[1000];
	for (size_t i = 0; i < sizeof large; i++)
		large[i] = (char)('a' + i % 26);
	ok(outbuf_put(&o, large, sizeof large) == OUTBUF_OK, "large put");
	ok(outbuf_flush(&o) == OUTBUF_OK, "flush after large put");
	size_t total = 0;
	while ((n = recv(s[1], got + total, sizeof got - total, MSG_DONTWAIT)) > 0)
		total += (size_t)n;
	ok(total == 1010 && memcmp(got, "0123456789", 10) == 0 &&
	   memcmp(got + 10, large, sizeof large) == 0, "room/commit and large put in order");
	ok(o.written == 24 + 1010, "written counts octets");

	/* A peer that stops reading: the write times out. */
	o.timeout_ms = 100;
	static char chunk[65536];
	int r = OUTBUF_OK;
	for (int i = 0; i < 200 && r == OUTBUF_OK; i++)
		r = outbuf_put(&o, chunk, sizeof chunk);
	ok(r == OUTBUF_TIMEOUT, "stalled peer times out");
	ok(outbuf_puts(&o, "x") == OUTBUF_TIMEOUT, "failure sticks");
	ok(outbuf_room(&o, 1) == NULL, "no room after failure");
	close(s[0]);
	close(s[1]);

	/* A vanished peer: an error, not SIGPIPE. */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, s) < 0)
		return 1;
	close(s[1]);
	outbuf_init(&o, s[0], buf, sizeof buf, 1000);
	outbuf_puts(&o, "+OK\r\n");
	ok(outbuf_flush(&o) == OUTBUF_ERROR, "closed peer is an error");
	close(s[0]);

	/* More than the socket holds, to a reader that takes it in small
	 * pieces, after the socket was filled to the brim: sends that take
	 * nothing (EAGAIN, the first one: the reader starts a moment late)
	 * or only part, and the waits between them, lose and reorder
	 * nothing.  Only the bytes are asserted, never the timing. */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, s) < 0)
		return 1;
	size_t filler = 0;
	for (int i = 0; i < 100000; i++) {
		ssize_t m = send(s[0], "ffffffffffffffff", 16, MSG_DONTWAIT);
		if (m <= 0)
			break;
		filler += (size_t)m;
	}
	static char big[3 << 20];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)(i * 7 + i / 4099);
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		close(s[0]);
		static char seen[(3 << 20) + (1 << 20)];
		size_t have = 0, want = filler + sizeof big;
		ssize_t m;
		usleep(20000);
		while (have < want && want <= sizeof seen &&
		       (m = read(s[1], seen + have, have % 3 ? 1000 : 70000)) > 0)
			have += (size_t)m;
		int good = have == want;
		for (size_t i = 0; good && i < filler; i++)
			good = seen[i] == 'f';
		_exit(good && memcmp(seen + filler, big, sizeof big) == 0 ? 0 : 1);
	}
	close(s[1]);
	static char sbuf[65536];
	outbuf_init(&o, s[0], sbuf, sizeof sbuf, 10000);
	int put_ok = outbuf_put(&o, big, 100) == OUTBUF_OK &&
	             outbuf_flush(&o) == OUTBUF_OK &&
	             outbuf_put(&o, big + 100, sizeof big - 100) == OUTBUF_OK &&
	             outbuf_flush(&o) == OUTBUF_OK;
	close(s[0]);
	int status = 0;
	ok(filler > 0 && put_ok && o.written == sizeof big,
	   "3 MB through a full socket read in pieces");
	ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "the reader got every byte in order");

	/* A pipe works too. */
	int p[2];
	if (pipe(p) < 0)
		return 1;
	outbuf_init(&o, p[1], buf, sizeof buf, 1000);
	outbuf_puts(&o, "pipe\n");
	ok(outbuf_flush(&o) == OUTBUF_OK && read(p[0], got, 10) == 5, "pipe write");
	close(p[0]);
	close(p[1]);

	printf("1..%d\n", test_no);
	return failures != 0;
}
