/* hostcheck-rules: compiles a hostcheck rules text into its cdb form.
 *
 *   hostcheck-rules RULES.txt RULES.cdb
 *
 * Writes RULES.cdb.tmp, syncs it and renames it over RULES.cdb, so a
 * running server sees the old rules or the new ones, never half; a text
 * with an error leaves the old RULES.cdb in place.  See hostcheck(8). */
#include "die.h"
#include "exitcode.h"
#include "rules.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *text_path;

static void warn_line(unsigned long line, const char *text)
{
	logline("warning: %s:%lu: %s", text_path, line, text);
}

int main(int argc, char **argv)
{
	progname = "hostcheck-rules";
	if (argc != 3)
		die(EXIT_MISUSE, "usage: hostcheck-rules RULES.txt RULES.cdb");
	text_path = argv[1];
	const char *cdb_path = argv[2];
	size_t len;
	struct rules_error err;
	char *text = rules_read_text(text_path, &len, &err);
	if (!text)
		die(EXIT_MISUSE, "%s: %s", text_path, err.text);

	size_t tmp_len = strlen(cdb_path) + sizeof ".tmp";
	char *tmp_path = malloc(tmp_len);
	if (!tmp_path)
		die_nomem();
	snprintf(tmp_path, tmp_len, "%s.tmp", cdb_path);
	int fd = open(tmp_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die_sys(EXIT_TEMP, "unable to create %s", tmp_path);

	if (rules_compile(text, len, fd, &err, warn_line) < 0) {
		unlink(tmp_path);
		if (err.line)
			die(EXIT_MISUSE, "%s:%lu: %s", text_path, err.line, err.text);
		die(EXIT_TEMP, "%s: %s", cdb_path, err.text);
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		unlink(tmp_path);
		die_sys(EXIT_TEMP, "unable to write %s", tmp_path);
	}
	if (rename(tmp_path, cdb_path) < 0) {
		unlink(tmp_path);
		die_sys(EXIT_TEMP, "unable to rename %s to %s", tmp_path, cdb_path);
	}
	free(tmp_path);
	free(text);
	return EXIT_DONE;
}
