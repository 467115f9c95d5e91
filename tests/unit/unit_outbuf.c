/* unit_outbuf: the buffered writer: coalescing, large writes, errors
 * that stick, and the timeout on a peer that stops reading. */
#include "outbuf.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int test_no, failures;

static void ok(int cond, const char *what)
{
	test_no++;
	if (!cond)
		failures++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", test_no, what);
}

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
