/* unit_engine: pop3d's maildrop loader and the QUIT exchange with the
 * exposer, driven directly (the transcripts cover the commands). */
#include "engine.h"
#include "maildrop.h"
#include "tap.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Many messages with long UIDs and paths, so the arena spans blocks. */
static void test_large_list(void)
{
	enum { N = 3000 };
	size_t cap = (size_t)N * 400 + 100, len = 0;
	char *text = malloc(cap);
	char path[301];
	memset(path, 'p', 300);
	path[300] = '\0';
	len += (size_t)sprintf(text, "pop3scan 1 %d %llu\n", N,
	                       (unsigned long long)N * 10 + 3 * 4294967295ull);
	for (int i = 0; i < N; i++) {
		unsigned long long size = (i % 1000 == 7) ? 4294967305ull : 10;
		if (i % 2)
			len += (size_t)sprintf(text + len, "%llu u%069d %s%d\n", size, i, path, i);
		else
			len += (size_t)sprintf(text + len, "%llu u%069d @%d+5\n", size, i, i * 5);
	}
	struct maildrop m;
	const char *why = "";
	uint64_t lineno;
	int r = maildrop_load_buffer(&m, text, len, &why, &lineno);
	ok(r == 0, "3000 messages with 70-octet UIDs and 300-octet paths load");
	if (r != 0) {
		printf("# %s at line %llu\n", why, (unsigned long long)lineno);
		free(text);
		return;
	}
	ok(m.n_blocks > 1, "arena spans several blocks");
	int all = 1;
	for (uint32_t i = 0; i < N; i++) {
		char want[80];
		size_t ulen;
		snprintf(want, sizeof want, "u%069u", i);
		const char *uid = maildrop_uid(&m, i, &ulen);
		if (ulen != 70 || memcmp(uid, want, 70) != 0)
			all = 0;
		const char *p = maildrop_path(&m, i);
		if (i % 2) {
			char wp[320];
			snprintf(wp, sizeof wp, "%s%u", path, i);
			if (!p || strcmp(p, wp) != 0)
				all = 0;
		} else if (p || m.msgs[i].offset != (uint64_t)i * 5 || m.msgs[i].length != 5) {
			all = 0;
		}
		uint64_t want_size = (i % 1000 == 7) ? 4294967305ull : 10;
		if (maildrop_size(&m, i) != want_size)
			all = 0;
	}
	ok(all, "every UID, path, range and size (4 GiB ones too) reads back");
	ok(m.n_big_sizes == 3, "only 4 GiB sizes go to the side table");
	maildrop_free(&m);
	free(text);
}

/* Runs DELE 1, RETR-free QUIT against a control socket whose exposer
 * side has ANSWER (may be NULL: closed) waiting.  Returns the client
 * output; *REPORT gets what pop3d wrote to the exposer. */
static void quit_with(const char *answer, size_t answer_len, char *client,
                      size_t client_cap, char *report, size_t report_cap,
                      uint32_t *committed)
{
	static const char list[] = "pop3scan 1 2 4\n2 a @0+1\n2 b @1+1\n";
	struct maildrop m;
	const char *why;
	uint64_t lineno;
	int ctl[2], out[2];
	if (maildrop_load_buffer(&m, list, sizeof list - 1, &why, &lineno) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, ctl) < 0 || pipe(out) < 0)
		abort();
	if (answer && write(ctl[1], answer, answer_len) != (ssize_t)answer_len)
		abort();
	if (!answer)
		shutdown(ctl[1], SHUT_WR);
	static struct engine e;
	static char obuf[4096];
	struct outbuf o;
	outbuf_init(&o, out[1], obuf, sizeof obuf, 1000);
	engine_init(&e, &m, &o, -1, ctl[0]);
	e.control_timeout_ms = 1000;
	engine_command(&e, "DELE 2", 6);
	enum engine_result r = engine_command(&e, "QUIT\r", 5);
	ok(r == ENGINE_QUIT, "QUIT ends the session");
	outbuf_flush(&o);
	close(out[1]);
	ssize_t n = read(out[0], client, client_cap - 1);
	client[n > 0 ? n : 0] = '\0';
	close(ctl[0]);
	n = read(ctl[1], report, report_cap - 1);
	report[n > 0 ? n : 0] = '\0';
	close(ctl[1]);
	close(out[0]);
	*committed = e.committed_deletions;
	maildrop_free(&m);
}

static void test_quit(void)
{
	char client[1024], report[256], long_answer[700];
	uint32_t committed;
	static const char fail[] = "+OK message 2 deleted\r\n"
	                           "-ERR [SYS/TEMP] the mailbox could not be updated\r\n";

	quit_with("+OK 1 deleted\n", 14, client, sizeof client, report, sizeof report, &committed);
	ok(strcmp(report, "D 2\n.\n") == 0, "report names the deleted message and ends with a dot");
	ok(strcmp(client, "+OK message 2 deleted\r\n+OK 1 deleted\r\n") == 0,
	   "exposer's +OK goes to the client with CR LF");
	ok(committed == 1, "+OK confirms the deletions");

	quit_with("-ERR [SYS/TEMP] disk full\n", 26, client, sizeof client, report,
	          sizeof report, &committed);
	ok(strcmp(client, "+OK message 2 deleted\r\n-ERR [SYS/TEMP] disk full\r\n") == 0,
	   "exposer's -ERR goes to the client");
	ok(committed == 0, "-ERR confirms nothing");

	quit_with(NULL, 0, client, sizeof client, report, sizeof report, &committed);
	ok(strcmp(client, fail) == 0 && committed == 0, "no answer: -ERR [SYS/TEMP]");

	quit_with("+OK", 3, client, sizeof client, report, sizeof report, &committed);
	ok(strcmp(client, fail) == 0, "answer without LF is no answer");

	quit_with("hello\n", 6, client, sizeof client, report, sizeof report, &committed);
	ok(strcmp(client, fail) == 0, "answer that is neither +OK nor -ERR is refused");

	quit_with("+OKAY\n", 6, client, sizeof client, report, sizeof report, &committed);
	ok(strcmp(client, fail) == 0, "+OKAY is not +OK");

	quit_with("+OK a\rb\n", 8, client, sizeof client, report, sizeof report, &committed);
	ok(strcmp(client, fail) == 0, "CR inside the answer is refused");

	memset(long_answer, 'x', sizeof long_answer);
	memcpy(long_answer, "+OK ", 4);
	long_answer[sizeof long_answer - 1] = '\n';
	quit_with(long_answer, sizeof long_answer, client, sizeof client, report,
	          sizeof report, &committed);
	ok(strcmp(client, fail) == 0, "an answer over 510 octets is refused");

	memset(long_answer, 'y', 511);
	memcpy(long_answer, "+OK ", 4);
	long_answer[510] = '\n';
	quit_with(long_answer, 511, client, sizeof client, report, sizeof report, &committed);
	ok(strlen(client) == 23 + 512 && memcmp(client + 23, "+OK yyy", 7) == 0,
	   "an answer of 510 octets is passed on");
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_large_list();
	test_quit();
	printf("1..%d\n", test_no);
	return failures != 0;
}
