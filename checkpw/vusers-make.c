/* vusers-make: compiles a virtual-user file for checkpw -v, or hashes a
 * password for one.
 *   vusers-make SOURCE TARGET.cdb   SOURCE ("-" for stdin) to TARGET.cdb
 *   vusers-make -h [PREFIX]         a crypt(5) hash of the line on stdin
 * The cdb is written beside TARGET under a temporary name, synced, and
 * renamed over TARGET, so a running checkpw sees the old file or the new
 * one, never a part.  Every line is checked as checkpw will read it; one
 * bad line, or a name given twice, and TARGET is left as it was. */
#include "creds.h"
#include "die.h"
#include "exitcode.h"
#include "vuser.h"

#include <cdb.h>
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum { LINE_MAX_LEN = NAME_MAX_LEN + 1 + VUSER_RECORD_MAX };

static const char usage[] =
	"usage: vusers-make SOURCE TARGET.cdb | vusers-make -h [PREFIX]";

struct compile {
	struct cdb_make db;
	const char *source;
	unsigned long line_no;
	unsigned long users;
	bool have_dummy;
};

static void lower_domain(char *name, size_t len)
{
	char *at = memchr(name, '@', len);
	if (!at)
		return;
	for (char *p = at + 1; p < name + len; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
}

/* Adds one source line (without its newline) to the database. */
static void add_line(struct compile *c, char *line, size_t len)
{
	struct vrecord rec;
	size_t name_len;

	if (len == 0 || line[0] == '#')
		return;
	if (len > LINE_MAX_LEN)
		die(EXIT_MISUSE, "%s:%lu: line too long", c->source, c->line_no);
	if (!vuser_parse_line(line, len, &name_len, &rec))
		die(EXIT_MISUSE, "%s:%lu: malformed line (want "
		    "NAME:UID:GID:HOME:MAILBOX:SECRET)", c->source, c->line_no);
	lower_domain(line, name_len);
	const char *value = line + name_len + 1;
	unsigned value_len = (unsigned)(len - name_len - 1);
	int r = cdb_make_put(&c->db, line, (unsigned)name_len, value,
			     value_len, CDB_PUT_INSERT);
	if (r < 0)
		die_sys(EXIT_TEMP, "cannot write the database");
	if (r > 0)
		die(EXIT_MISUSE, "%s:%lu: %.*s given twice", c->source,
		    c->line_no, (int)name_len, line);
	/* The first hash is the dummy spent for unknown users: the same
	 * method and cost as the file's users, whatever they are. */
	if (!c->have_dummy && rec.kind == SECRET_HASH) {
		if (cdb_make_add(&c->db, VUSER_DUMMY_KEY,
				 sizeof VUSER_DUMMY_KEY - 1, rec.secret,
				 (unsigned)rec.secret_len) != 0)
			die_sys(EXIT_TEMP, "cannot write the database");
		c->have_dummy = true;
	}
	c->users++;
}

static void read_source(struct compile *c, FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, in)) >= 0) {
		c->line_no++;
		size_t len = (size_t)n;
		if (len > 0 && line[len - 1] == '\n')
			len--;
		/* A file edited on DOS keeps CR LF: the CR is no part of
		 * the secret. */
		if (len > 0 && line[len - 1] == '\r')
			len--;
		if (memchr(line, '\0', len))
			die(EXIT_MISUSE, "%s:%lu: NUL in line", c->source,
			    c->line_no);
		add_line(c, line, len);
		explicit_bzero(line, cap);
	}
	if (ferror(in))
		die_sys(EXIT_TEMP, "cannot read %s", c->source);
	free(line);
}

static int compile(const char *source, const char *target)
{
	char tmp[4096];
	struct compile c = { .source = source };
	FILE *in = strcmp(source, "-") ? fopen(source, "r") : stdin;
	if (!in)
		die_sys(EXIT_TEMP, "cannot open %s", source);
	int n = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", target, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof tmp)
		die(EXIT_MISUSE, "target name too long");
	/* 0600: the file holds secrets; checkpw reads it as root.  Read and
	 * write: tinycdb reads records back to find a repeated name. */
	int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		die_sys(EXIT_TEMP, "cannot create %s", tmp);
	if (cdb_make_start(&c.db, fd) != 0)
		die_sys(EXIT_TEMP, "cannot start %s", tmp);
	/* From here a failure must not leave the temporary file behind. */
	pid_t child = fork();
	if (child < 0)
		die_sys(EXIT_TEMP, "fork");
	if (child == 0) {
		read_source(&c, in);
		if (cdb_make_finish(&c.db) != 0 || fsync(fd) != 0 ||
		    close(fd) != 0)
			die_sys(EXIT_TEMP, "cannot write %s", tmp);
		if (rename(tmp, target) != 0)
			die_sys(EXIT_TEMP, "cannot rename %s to %s", tmp, target);
		fprintf(stderr, "vusers-make: target=%s users=%lu\n", target,
			c.users);
		exit(EXIT_DONE);
	}
	int status;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			die_sys(EXIT_TEMP, "waitpid");
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_TEMP;
	if (code != EXIT_DONE)
		unlink(tmp);
	return code;
}

static int hash_stdin(const char *prefix)
{
	char password[CRYPT_MAX_PASSPHRASE_SIZE + 2];
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data data;

	if (prefix && !strcmp(prefix, "des"))
		prefix = "";
	if (!fgets(password, sizeof password, stdin))
		die(EXIT_MISUSE, "no password on stdin");
	password[strcspn(password, "\n")] = '\0';
	if (!crypt_gensalt_rn(prefix, 0, NULL, 0, setting, sizeof setting))
		die_sys(EXIT_MISUSE, "libxcrypt refuses prefix %s",
			prefix ? prefix : "(default)");
	memset(&data, 0, sizeof data);
	const char *hash = crypt_rn(password, setting, &data, sizeof data);
	explicit_bzero(password, sizeof password);
	if (!hash || hash[0] == '*')
		die(EXIT_MISUSE, "cannot hash with %s", setting);
	printf("%s\n", hash);
	explicit_bzero(&data, sizeof data);
	return fflush(stdout) == 0 ? EXIT_DONE : EXIT_TEMP;
}

int main(int argc, char **argv)
{
	progname = "vusers-make";
	if (argc >= 2 && !strcmp(argv[1], "-h") && argc <= 3)
		return hash_stdin(argc == 3 ? argv[2] : NULL);
	if (argc != 3 || (argv[1][0] == '-' && argv[1][1] != '\0'))
		die(EXIT_MISUSE, "%s", usage);
	return compile(argv[1], argv[2]);
}
