/* fakeexpose: a minimal exposer for testing pop3d alone.
 *
 *   fakeexpose [-r] [-F FLAGS] [-a ANSWER] [-o REPORT] [-x] [-z] DIR PROG...
 *
 * Every regular file of DIR (sorted by name) is a message whose UID is
 * its name.  By default messages are files (PATH entries, pop3d's cwd is
 * DIR); with -r they are copied into one temporary file given as fd 6
 * and served as @OFFSET+LENGTH ranges.  -F gives the scan list flags
 * ("mboxrd hide-status").  After pop3d's report on the control socket
 * the report is copied to REPORT (-o) and ANSWER (default "+OK bye") is
 * sent back; -x closes the socket without answering instead.  -z states
 * the first message one octet larger than it is.  Nothing is deleted:
 * this is a harness.  Exits with PROG's status. */
#include "msgfilter.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void fatal(const char *what)
{
	fprintf(stderr, "fakeexpose: fatal: %s: %s\n", what, strerror(errno));
	exit(111);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fatal(path);
	char *buf = NULL;
	size_t cap = 0;
	*len = 0;
	for (;;) {
		if (*len + 4096 > cap) {
			cap = cap * 2 + 8192;
			buf = realloc(buf, cap);
			if (!buf)
				fatal("realloc");
		}
		size_t n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	return buf;
}

static int move_high(int fd)
{
	int high = fcntl(fd, F_DUPFD, 10);
	if (high < 0)
		fatal("dup");
	close(fd);
	return high;
}

int main(int argc, char **argv)
{
	int ranges = 0, no_answer = 0, inflate = 0, opt;
	const char *flags = "", *answer = "+OK bye", *report_path = NULL;
	while ((opt = getopt(argc, argv, "+rF:a:o:xz")) != -1) {
		switch (opt) {
		case 'r': ranges = 1; break;
		case 'F': flags = optarg; break;
		case 'a': answer = optarg; break;
		case 'o': report_path = optarg; break;
		case 'x': no_answer = 1; break;
		case 'z': inflate = 1; break;
		default:
			fprintf(stderr, "fakeexpose: usage: fakeexpose [-r] [-F FLAGS] [-a ANSWER] [-o REPORT] [-x] [-z] DIR PROG...\n");
			return 2;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr, "fakeexpose: usage: DIR PROG...\n");
		return 2;
	}
	unsigned fflags = 0;
	if (strstr(flags, "mboxrd"))
		fflags |= MSGF_MBOXRD;
	if (strstr(flags, "hide-status"))
		fflags |= MSGF_HIDE_STATUS;

	if (chdir(argv[optind]) < 0)
		fatal(argv[optind]);
	DIR *d = opendir(".");
	if (!d)
		fatal("opendir");
	char *names[1000];
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL && n < 1000) {
		struct stat st;
		if (de->d_name[0] == '.' || stat(de->d_name, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, by_name);

	/* Sizes, and the range file. */
	uint64_t *size = calloc(n + 1, sizeof *size), total = 0;
	uint64_t *off = calloc(n + 1, sizeof *off), *len = calloc(n + 1, sizeof *len);
	int mbox = -1;
	if (ranges) {
		char tmpl[] = "/tmp/fakeexpose.XXXXXX";
		mbox = mkstemp(tmpl);
		if (mbox < 0)
			fatal("mkstemp");
		unlink(tmpl);
	}
	uint64_t at = 0;
	for (size_t i = 0; i < n; i++) {
		size_t l;
		char *msg = slurp(names[i], &l);
		size[i] = msgfilter_size(msg, l, fflags) + (i == 0 && inflate);
		total += size[i];
		if (ranges) {
			/* A separator the range must not include. */
			if (write(mbox, "\nSEPARATOR\n", 11) != 11 || write(mbox, msg, l) != (ssize_t)l)
				fatal("write");
			off[i] = at + 11;
			len[i] = l;
			at += 11 + l;
		}
		free(msg);
	}

	int list[2], ctl[2];
	if (pipe(list) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, ctl) < 0)
		fatal("pipe");
	list[0] = move_high(list[0]);
	list[1] = move_high(list[1]);
	ctl[0] = move_high(ctl[0]);
	ctl[1] = move_high(ctl[1]);
	if (mbox >= 0)
		mbox = move_high(mbox);
	pid_t pid = fork();
	if (pid < 0)
		fatal("fork");
	if (pid == 0) {
		if (dup2(list[0], 4) < 0 || dup2(ctl[1], 5) < 0 || (mbox >= 0 && dup2(mbox, 6) < 0))
			fatal("dup2");
		if (mbox < 0)
			close(6);
		close(list[0]);
		close(list[1]);
		close(ctl[0]);
		close(ctl[1]);
		if (mbox >= 0)
			close(mbox);
		execvp(argv[optind + 1], argv + optind + 1);
		fatal(argv[optind + 1]);
	}
	close(list[0]);
	close(ctl[1]);
	signal(SIGPIPE, SIG_IGN);

	FILE *lf = fdopen(list[1], "w");
	if (!lf)
		fatal("fdopen");
	fprintf(lf, "pop3scan 1 %zu %llu%s%s\n", n, (unsigned long long)total,
	        *flags ? " " : "", flags);
	for (size_t i = 0; i < n; i++) {
		if (ranges)
			fprintf(lf, "%llu %s @%llu+%llu\n", (unsigned long long)size[i], names[i],
			        (unsigned long long)off[i], (unsigned long long)len[i]);
		else
			fprintf(lf, "%llu %s %s\n", (unsigned long long)size[i], names[i], names[i]);
	}
	fclose(lf);

	/* The report: lines until ".". */
	char report[65536];
	size_t rlen = 0;
	int complete = 0;
	while (rlen < sizeof report - 1) {
		ssize_t r = read(ctl[0], report + rlen, sizeof report - 1 - rlen);
		if (r <= 0)
			break;
		rlen += (size_t)r;
		if ((rlen == 2 && memcmp(report, ".\n", 2) == 0) ||
		    (rlen > 2 && memcmp(report + rlen - 3, "\n.\n", 3) == 0)) {
			complete = 1;
			break;
		}
	}
	if (report_path && rlen > 0) {
		FILE *rf = fopen(report_path, "w");
		if (!rf || fwrite(report, 1, rlen, rf) != rlen || fclose(rf) != 0)
			fatal(report_path);
	}
	if (complete && !no_answer) {
		char line[600];
		int l = snprintf(line, sizeof line, "%s\n", answer);
		if (write(ctl[0], line, (size_t)l) != l)
			fprintf(stderr, "fakeexpose: answer not written\n");
	}
	close(ctl[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			fatal("waitpid");
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(size);
	free(off);
	free(len);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 111;
}
