/* unit_linein: the line reader over pipes and sockets: splitting,
 * CR and NUL kept, the length bound, EOF, timeout, pipelining, and the
 * exact mode that leaves the next line unread. */
#include "linein.h"
#include "tap.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int is_line(int r, const char *line, size_t len, const char *want, size_t wlen)
{
	return r == LINEIN_LINE && len == wlen && memcmp(line, want, wlen) == 0;
}

static void put(int fd, const char *s, size_t len)
{
	if (write(fd, s, len) != (ssize_t)len)
		perror("write");
}

int main(void)
{
	int p[2];
	char buf[16];
	struct linein in;
	const char *line;
	size_t len;
	int r;

	signal(SIGPIPE, SIG_IGN);

	if (pipe(p) < 0)
		return 1;
	linein_init(&in, p[0], buf, sizeof buf, 1000, 0);
	put(p[1], "STAT\r\nLI", 8);
	r = linein_get(&in, &line, &len);
	ok(is_line(r, line, len, "STAT\r", 5), "first line, CR kept");
	ok(!linein_buffered(&in) || in.end - in.start == 2, "partial line buffered");
	put(p[1], "ST 1\nNO\0OP\n\n", 12);
	r = linein_get(&in, &line, &len);
	ok(is_line(r, line, len, "LIST 1", 6), "line joined across writes");
	ok(linein_buffered(&in), "pipelined line is buffered");
	r = linein_get(&in, &line, &len);
	ok(is_line(r, line, len, "NO\0OP", 5), "NUL passed through");
	r = linein_get(&in, &line, &len);
	ok(is_line(r, line, len, "", 0), "empty line");
	ok(!linein_buffered(&in), "nothing buffered when drained");

	put(p[1], "123456789012345\n", 16);
	r = linein_get(&in, &line, &len);
	ok(is_line(r, line, len, "123456789012345", 15), "cap-1 octets accepted");
	put(p[1], "1234567890123456\nafter\n", 23);
	r = linein_get(&in, &line, &len);
	ok(r == LINEIN_TOOLONG, "cap octets reported too long");
	r = linein_get(&in, &line, &len);
	ok(is_line(r, line, len, "after", 5), "in step after a long line");
	put(p[1], "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 77);
	put(p[1], "yyyyyyyyyyyyyyyyyyyyyy\r\nnext\r\n", 30);
	r = linein_get(&in, &line, &len);
	ok(r == LINEIN_TOOLONG, "very long line reported once");
	r = linein_get(&in, &line, &len);
	ok(is_line(r, line, len, "next\r", 5), "line after very long line");

	in.timeout_ms = 50;
	r = linein_get(&in, &line, &len);
	ok(r == LINEIN_TIMEOUT, "timeout when idle");
	in.timeout_ms = 1000;

	put(p[1], "partial", 7);
	close(p[1]);
	r = linein_get(&in, &line, &len);
	ok(r == LINEIN_EOF, "EOF, unfinished last line dropped");
	r = linein_get(&in, &line, &len);
	ok(r == LINEIN_EOF, "EOF again");
	close(p[0]);

	/* A large buffer with a lower line bound reads a burst at once. */
	if (pipe(p) < 0)
		return 1;
	char wide[64];
	linein_init(&in, p[0], wide, sizeof wide, 1000, 0);
	linein_set_max(&in, 5);
	put(p[1], "12345\n123456\nab\n1234567890123456789012345678901234567890\nok\n", 60);
	r = linein_get(&in, &line, &len);
	ok(is_line(r, line, len, "12345", 5), "line at the lowered bound accepted");
	ok(in.end == 60, "whole burst read at once");
	r = linein_get(&in, &line, &len);
	ok(r == LINEIN_TOOLONG, "line over the lowered bound refused");
	r = linein_get(&in, &line, &len);
	ok(is_line(r, line, len, "ab", 2), "next line after it");
	r = linein_get(&in, &line, &len);
	ok(r == LINEIN_TOOLONG, "longer line refused");
	r = linein_get(&in, &line, &len);
	ok(is_line(r, line, len, "ok", 2), "in step after it");
	char many[100];
	memset(many, 'x', sizeof many);
	put(p[1], many, sizeof many);
	put(p[1], "\nend\n", 5);
	r = linein_get(&in, &line, &len);
	ok(r == LINEIN_TOOLONG, "line longer than the buffer refused");
	r = linein_get(&in, &line, &len);
	ok(is_line(r, line, len, "end", 3), "in step after it too");
	close(p[0]);
	close(p[1]);

	/* Exact mode on a socket: the next line stays in the socket. */
	int s[2];
	char big[600];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, s) < 0)
		return 1;
	linein_init(&in, s[0], big, sizeof big, 1000, LINEIN_EXACT);
	put(s[1], "PASS x y\r\nSTAT\r\nLIST\r\n", 22);
	r = linein_get(&in, &line, &len);
	ok(is_line(r, line, len, "PASS x y\r", 9), "exact: first line");
	ok(!linein_buffered(&in), "exact: nothing buffered");
	char rest[64];
	ssize_t n = read(s[0], rest, sizeof rest);
	ok(n == 12 && memcmp(rest, "STAT\r\nLIST\r\n", 12) == 0, "exact: socket keeps the rest");
	close(s[0]);
	close(s[1]);

	/* Exact mode on a pipe. */
	if (pipe(p) < 0)
		return 1;
	linein_init(&in, p[0], big, sizeof big, 1000, LINEIN_EXACT);
	put(p[1], "USER a\nQUIT\n", 12);
	r = linein_get(&in, &line, &len);
	ok(is_line(r, line, len, "USER a", 6), "exact pipe: first line");
	n = read(p[0], rest, sizeof rest);
	ok(n == 5 && memcmp(rest, "QUIT\n", 5) == 0, "exact pipe: pipe keeps the rest");
	close(p[0]);
	close(p[1]);

	printf("1..%d\n", test_no);
	return failures != 0;
}
