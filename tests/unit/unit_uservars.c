/* unit_uservars: checkpw/uservars, the per-user settings of -e: the
 * three names it knows set, everything else ignored, comments and a
 * last line without a newline, and a file that cannot be read. */
#include "../../checkpw/uservars.h"
#include "die.h"
#include "tap.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is(const char *name, const char *want)
{
	const char *v = getenv(name);
	return want ? v && strcmp(v, want) == 0 : v == NULL;
}

static int apply(const char *text)
{
	return uservars_apply(text, strlen(text), "t");
}

int main(void)
{
	log_silence();
	unsetenv("LOGIN_DELAY");
	unsetenv("EXPIRE");
	unsetenv("UIDL_FORMAT");
	ok(apply("LOGIN_DELAY=60\nEXPIRE=7\nUIDL_FORMAT=dovecot\n") == 3
		&& is("LOGIN_DELAY", "60") && is("EXPIRE", "7") && is("UIDL_FORMAT", "dovecot"),
		"the three names set");
	ok(apply("# comment\n\nEXPIRE=NEVER") == 1 && is("EXPIRE", "NEVER"),
		"comments and empty lines skipped, a last line without newline taken");
	ok(apply("PATH=/tmp\nHOME=/\nLD_PRELOAD=x.so\nexpire=1\n EXPIRE=1\n") == 0
		&& is("EXPIRE", "NEVER"), "other names, lower case, leading space: ignored");
	ok(apply("EXPIRE\nLOGIN_DELAY 5\n") == 0 && is("LOGIN_DELAY", "60"), "no '=': ignored");
	ok(apply("EXPIRE=\n") == 1 && is("EXPIRE", ""), "an empty value is set (the link's default)");
	char big[400] = "EXPIRE=";
	memset(big + 7, '9', 300);
	big[307] = 0;
	ok(apply(big) == 0 && is("EXPIRE", ""), "a value over 255 octets: ignored");
	ok(uservars_apply("UIDL_FORMAT=qm\0ail\n", 19, "t") == 0 && is("UIDL_FORMAT", "dovecot"),
		"a NUL in a value: ignored");

	char dir[] = "/tmp/unit_uservars.XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	ok(uservars_load(dir, "nobody-here") == 0, "no file: nothing set, no error");
	char path[128];
	snprintf(path, sizeof path, "%s/ann", dir);
	mkdir(path, 0700);
	ok(uservars_load(dir, "ann") == -1, "a directory in its place: an error");
	rmdir(path);
	FILE *f = fopen(path, "w");
	fputs("LOGIN_DELAY=5\n", f);
	fclose(f);
	ok(uservars_load(dir, "ann") == 1 && is("LOGIN_DELAY", "5"), "the file read");
	f = fopen(path, "w");
	for (int i = 0; i < 500; i++)
		fputs("# padding\n", f);
	fclose(f);
	ok(uservars_load(dir, "ann") == -1, "over 4096 octets: an error, not half a file");
	unlink(path);
	rmdir(dir);
	printf("1..%d\n", test_no);
	return failures != 0;
}
