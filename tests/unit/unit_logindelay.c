/* unit_logindelay: checkpw/logindelay's last-login files in a temporary
 * state directory: a first login passes and is recorded, the next within
 * the delay is refused with the seconds left and records nothing, the
 * delay's end lets it in; another user's record under the same file, a
 * record that does not scan, one from a clock set back, and a directory
 * that is not ours alone all let the login through. */
#include "../../checkpw/logindelay.h"
#include "statefile.h"
#include "tap.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/unit_logindelay.XXXXXX";

/* The file of USER's record, written with TEXT. */
static void plant(const char *user, const char *text)
{
	char key[300], name[STATE_NAME_MAX], path[400];
	snprintf(key, sizeof key, "user %s", user);
	state_file_name(name, 'd', key);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		ok(0, "plant a record");
	if (fd >= 0)
		close(fd);
}

static enum login_delay_result claim(const char *user, unsigned delay,
	uint64_t now, uint64_t *wait)
{
	*wait = 0;
	return login_delay_claim(dir, user, strlen(user), delay, now, wait);
}

int main(void)
{
	uint64_t wait;
	if (!mkdtemp(dir))
		return 1;
	ok(claim("alice", 0, 1000, &wait) == DELAY_OK, "no delay: passes");
	ok(claim("alice", 60, 1000, &wait) == DELAY_OK, "first login passes");
	ok(claim("alice", 60, 1010, &wait) == DELAY_TOO_SOON && wait == 50,
		"10 s later under 60: refused, 50 s left");
	ok(claim("alice", 60, 1059, &wait) == DELAY_TOO_SOON && wait == 1,
		"59 s later: 1 s left (the refusal recorded nothing)");
	ok(claim("alice", 60, 1060, &wait) == DELAY_OK, "60 s later: passes");
	ok(claim("alice", 60, 1061, &wait) == DELAY_TOO_SOON && wait == 59,
		"and is the new last login");
	ok(claim("bob", 60, 1061, &wait) == DELAY_OK, "another user: his own record");
	ok(claim("alice", 5, 1070, &wait) == DELAY_OK, "a shorter delay now: passes");

	plant("carol", "1000 mallory\n");
	ok(claim("carol", 60, 1010, &wait) == DELAY_OK,
		"another name's record in the file: not carol's last login");
	ok(claim("carol", 60, 1011, &wait) == DELAY_TOO_SOON,
		"and carol's own record replaced it");
	plant("dave", "10x0 dave\n");
	ok(claim("dave", 60, 1010, &wait) == DELAY_OK, "a record that does not scan: passes");
	plant("erin", "1000 erin");
	ok(claim("erin", 60, 1010, &wait) == DELAY_OK, "a record cut short: passes");
	plant("frank", "5000 frank\n");
	ok(claim("frank", 60, 1010, &wait) == DELAY_OK,
		"a last login in the future (clock set back): passes");
	ok(claim("frank", 60, 1011, &wait) == DELAY_TOO_SOON, "and now counts from now");

	char name[300];
	memset(name, 'x', 256);
	name[256] = 0;
	ok(login_delay_claim(dir, name, 256, 60, 1000, &wait) == DELAY_ERROR,
		"a name over 255 octets: an error, not a record");
	ok(login_delay_claim(dir, "a\nb", 3, 60, 1000, &wait) == DELAY_ERROR,
		"a name with a newline: an error, not a record");

	chmod(dir, 0777);
	ok(claim("alice", 60, 1071, &wait) == DELAY_ERROR,
		"a directory anyone may write: not used (the caller lets the login in)");
	chmod(dir, 0700);
	ok(login_delay_claim("/proc/no/such", "alice", 5, 60, 1000, &wait) == DELAY_ERROR,
		"no state directory can be made: an error");

	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		ok(0, "remove the directory");
	printf("1..%d\n", test_no);
	return failures != 0;
}
