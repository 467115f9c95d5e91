/* unit_maildir_expose.c: lib/expose, the exposer's side of the pop3d
 * contract: report parsing and its bounds, and whole round trips with a
 * shell script standing in for pop3d. */
#include "expose.h"
#include "die.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int test_no;
static int failures;

static void check(int cond, const char *what)
{
	test_no++;
	if (!cond)
		failures++;
	printf("%sok %d - %s\n", cond ? "" : "not ", test_no, what);
	fflush(stdout);
}

/* Feeds TEXT to the report reader; KEEP_OPEN leaves the writer open so
 * that only the timeout ends the wait. */
static int report_of(const char *text, uint32_t messages, struct expose_report *r,
                     int keep_open)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -1;
	if (write(sv[1], text, strlen(text)) != (ssize_t)strlen(text))
		return -1;
	if (!keep_open)
		close(sv[1]);
	int k = expose_read_report_fd(sv[0], messages, r, 200);
	close(sv[0]);
	if (keep_open)
		close(sv[1]);
	return k;
}

static int rejects(const char *text, uint32_t messages)
{
	struct expose_report r;
	int k = report_of(text, messages, &r, 0);
	return k == 0 && r.deleted == NULL && r.n_deleted == 0;
}

static char *slurp(const char *path, size_t *len)
{
	static char buf[1 << 20];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	if (len)
		*len = (size_t)n;
	return buf;
}

static void test_reports(void)
{
	struct expose_report r;
	int k = report_of("D 3\nR 1\nD 2\n.\n", 3, &r, 0);
	check(k == 1 && r.n_deleted == 2 && r.deleted[0] == 3 && r.deleted[1] == 2 &&
	      r.n_retrieved == 1 && r.retrieved[0] == 1,
	      "D and R lines read in pop3d's order");
	expose_report_free(&r);
	k = report_of(".\n", 0, &r, 0);
	check(k == 1 && r.n_deleted == 0 && r.n_retrieved == 0, "empty report on an empty list");
	expose_report_free(&r);
	check(rejects("", 3), "end of file at once: change nothing");
	check(rejects("D 1\n", 3), "end of file before the dot: change nothing");
	check(rejects("D 1\n.", 3), "dot without its LF: change nothing");
	check(rejects("D 4\n.\n", 3) && rejects("D 0\n.\n", 3), "numbers outside 1..messages refused");
	check(rejects("D 1\nD 1\n.\n", 3) && rejects("D 1\nR 1\n.\n", 3), "a message named twice refused");
	check(rejects("D 4294967297\n.\n", 5) && rejects("D -1\n.\n", 5) &&
	      rejects("D  1\n.\n", 5) && rejects("d 1\n.\n", 5) &&
	      rejects("D 1\r\n.\n", 5) && rejects("X 1\n.\n", 5) && rejects("D\n.\n", 5),
	      "malformed lines refused");
	char long_line[100];
	memset(long_line, '0', sizeof long_line);
	long_line[0] = 'D';
	long_line[1] = ' ';
	strcpy(long_line + 60, "1\n.\n");
	check(rejects(long_line, 5), "overlong line refused");
	check(rejects(".\nD 1\n", 5), "data after the dot refused");
	k = report_of("D 1\n", 3, &r, 1);
	check(k == 0, "a report that stalls times out: change nothing");
}

static const char *script =
	"cat <&4 >\"$1\"; cat <&6 >\"$2\"; ls /proc/$$/fd | tr '\\n' ' ' >\"$3\";"
	"printf 'D 2\\nR 1\\n.\\n' >&5; IFS= read -r ans <&5; printf '%s' \"$ans\" >\"$4\"; exit 7";

static void test_round_trip(const char *dir)
{
	char list[256], mbox[256], fds[256], answer[256], copy[256];
	snprintf(list, sizeof list, "%s/list", dir);
	snprintf(mbox, sizeof mbox, "%s/mbox", dir);
	snprintf(fds, sizeof fds, "%s/fds", dir);
	snprintf(answer, sizeof answer, "%s/answer", dir);
	snprintf(copy, sizeof copy, "%s/copy", dir);
	int mfd = open(mbox, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (mfd < 0 || write(mfd, "mailbox bytes\n", 14) != 14)
		return;
	int stray = open("/dev/null", O_RDONLY | O_CLOEXEC);
	static struct expose e;
	char *argv[] = { "sh", "-c", (char *)script, "sh", list, copy, fds, answer, NULL };
	/* The mailbox descriptor sits where the scan list goes in the child. */
	close(mfd);
	int ro = open(mbox, O_RDONLY);
	int m4 = fcntl(ro, F_DUPFD, 4);
	close(ro);
	expose_start(&e, argv, m4);
	close(m4);
	int w = expose_header(&e, 2, 30, "mboxrd");
	w |= expose_range(&e, 12, "uid-1", 0, 10);
	w |= expose_path(&e, 18, "uid-2", "cur/1.2.host:2,S");
	w |= expose_list_end(&e);
	check(w == 0, "scan list written");
	struct expose_report r;
	int k = expose_read_report(&e, 2, &r);
	check(k == 1 && r.n_deleted == 1 && r.deleted[0] == 2 &&
	      r.n_retrieved == 1 && r.retrieved[0] == 1, "report read from fd 5");
	expose_report_free(&r);
	check(expose_answer(&e, "+OK bye\r\nignored") == 0, "answer sent");
	int st = expose_finish(&e);
	check(st == 7, "pop3d's exit status returned");
	char *got = slurp(list, NULL);
	check(got && strcmp(got, "pop3scan 1 2 30 mboxrd\n12 uid-1 @0+10\n"
	                         "18 uid-2 cur/1.2.host:2,S\n") == 0,
	      "exact scan list bytes on fd 4");
	got = slurp(copy, NULL);
	check(got && strcmp(got, "mailbox bytes\n") == 0, "mailbox on fd 6");
	got = slurp(fds, NULL);
	check(got && strcmp(got, "0 1 2 4 5 6 ") == 0, "pop3d inherits fds 0-2, 4, 5, 6 only");
	if (got && strcmp(got, "0 1 2 4 5 6 "))
		fprintf(stderr, "# fds: %s\n", got);
	got = slurp(answer, NULL);
	check(got && strcmp(got, "+OK bye") == 0, "answer line reaches pop3d, cut at CR LF");
	close(stray);
}

static void test_big_list(const char *dir)
{
	char out[256];
	snprintf(out, sizeof out, "%s/big", dir);
	char *argv[] = { "sh", "-c", "wc -c <&4 | tr -d ' \\n' >\"$1\"; test -e /proc/$$/fd/6 && exit 3; exit 0", "sh", out, NULL };
	static struct expose e;
	expose_start(&e, argv, -1);
	size_t total = 0;
	int w = expose_header(&e, 20000, 0, NULL);
	total += strlen("pop3scan 1 20000 0\n");
	for (int i = 0; i < 20000; i++) {
		char uid[32];
		snprintf(uid, sizeof uid, "u%d", i);
		w |= expose_path(&e, 0, uid, "cur/some-file-name-of-moderate-length");
		total += 2 + strlen(uid) + 1 + strlen("cur/some-file-name-of-moderate-length") + 1;
	}
	w |= expose_list_end(&e);
	int st = expose_finish(&e);
	char want[32];
	snprintf(want, sizeof want, "%zu", total);
	char *got = slurp(out, NULL);
	check(w == 0 && st == 0 && got && strcmp(got, want) == 0,
	      "a list of many buffers arrives whole; no fd 6 without a mailbox");
}

static void test_failures(void)
{
	static struct expose e;
	char *quit_early[] = { "true", NULL };
	expose_start(&e, quit_early, -1);
	int w = expose_header(&e, 100000, 0, NULL);
	for (int i = 0; i < 100000 && w == 0; i++)
		w = expose_path(&e, 1, "x", "cur/a-name-long-enough-to-fill-the-pipe-quickly");
	check(expose_list_end(&e) < 0 && expose_finish(&e) == 0,
	      "pop3d gone: the list fails (EPIPE, no signal), its status is returned");

	char *killed[] = { "sh", "-c", "kill -9 $$", NULL };
	expose_start(&e, killed, -1);
	expose_list_end(&e);
	struct expose_report r;
	check(expose_read_report(&e, 0, &r) == 0 && expose_finish(&e) == 128 + 9,
	      "pop3d killed: no report, status 128+signal");

	char *missing[] = { "/nonexistent/pop3d", NULL };
	expose_start(&e, missing, -1);
	expose_list_end(&e);
	check(expose_finish(&e) == 2, "pop3d not found: exit 2");

	char *cat[] = { "sh", "-c", "cat <&4 >/dev/null", NULL };
	expose_start(&e, cat, -1);
	int bad = expose_path(&e, 1, "x", "cur/with space") == -1;
	bad &= expose_path(&e, 1, "x", "@0+1") == -1;
	check(bad && expose_list_end(&e) < 0, "path with a space or starting with @ fails the list");
	expose_finish(&e);
	expose_start(&e, cat, -1);
	bad = expose_path(&e, 1, "a b", "cur/x") == -1;
	check(bad && expose_path(&e, 1, "ok", "cur/x") == -1, "invalid uid fails the list, sticky");
	expose_finish(&e);
}

int main(void)
{
	progname = "unit_maildir_expose";
	/* The refusals under test log why; the TAP output is what counts. */
	log_silence();
	/* Descriptors inherited from whoever runs the test would show in
	 * the child's list: start clean. */
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	char dir[] = "/tmp/unit_expose.XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_reports();
	test_round_trip(dir);
	test_big_list(dir);
	test_failures();
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# cannot remove %s\n", dir);
	printf("1..%d\n", test_no);
	return failures != 0;
}
