/* unit_expire: lib/expire's policy from the environment, the state
 * file's parser, and expire_apply on a listing in a temporary directory:
 * the due boundary to the second, the report rewritten, the file
 * written back with what is still listed and removed when empty. */
#include "expire.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const uids[4] = { "m1", "m2", "m3", "m4" };

static const char *uid_of(const void *ctx, size_t i, size_t *len)
{
	(void)ctx;
	*len = strlen(uids[i]);
	return uids[i];
}

static bool policy(const char *v, bool on, uint64_t seconds)
{
	struct expire_policy p;
	if (v)
		setenv("EXPIRE", v, 1);
	else
		unsetenv("EXPIRE");
	return expire_policy_env(&p) && p.on == on && p.seconds == seconds;
}

static bool refused(const char *v)
{
	struct expire_policy p;
	setenv("EXPIRE", v, 1);
	return !expire_policy_env(&p);
}

static size_t count;
static void counted(void *arg, uint64_t t, const char *uid, size_t len)
{
	(void)arg, (void)t, (void)uid, (void)len;
	count++;
}

static size_t parsed(const char *text)
{
	count = 0;
	size_t n = expire_parse(text, strlen(text), counted, NULL);
	return n == count ? n : (size_t)-1;
}

static char path[] = "/tmp/unit_expire.XXXXXX";

static void write_state(const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static char *read_state(void)
{
	static char text[4096];
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = 0;
	return text;
}

/* One QUIT: DELETED and RETRIEVED as pop3d would report them. */
static struct expire_result quit(uint64_t days, uint64_t now, const char *deleted,
	const char *retrieved, char *after)
{
	static uint32_t del[4], ret[4];
	struct expose_report rep = { del, 0, ret, 0 };
	for (const char *c = deleted; *c; c++)
		del[rep.n_deleted++] = (uint32_t)(*c - '0');
	for (const char *c = retrieved; *c; c++)
		ret[rep.n_retrieved++] = (uint32_t)(*c - '0');
	struct expire_policy p = { true, days * 86400 };
	struct expire_result res;
	expire_apply(&p, path, 4, uid_of, NULL, &rep, now, &res);
	size_t k = 0;
	for (size_t i = 0; i < rep.n_deleted; i++)
		after[k++] = (char)('0' + del[i]);
	after[k++] = '/';
	for (size_t i = 0; i < rep.n_retrieved; i++)
		after[k++] = (char)('0' + ret[i]);
	after[k] = 0;
	return res;
}

int main(void)
{
	ok(policy(NULL, false, 0), "no EXPIRE: off");
	ok(policy("", false, 0), "empty: off");
	ok(policy("NEVER", false, 0), "NEVER: off");
	ok(policy("0", true, 0), "0: at the same session's QUIT");
	ok(policy("7", true, 7 * 86400), "7 days");
	ok(policy("36500", true, 36500ull * 86400), "100 years at most");
	ok(refused("36501") && refused("x") && refused("-1") && refused("never") && refused("1d"),
		"anything else refused");

	ok(parsed("") == 0 && parsed("pop3expire 2\n1 a\n") == 0, "no header or another version: nothing");
	ok(parsed("pop3expire 1\n1 a\n2 b\n") == 2, "two records");
	ok(parsed("pop3expire 1\n1 a\nx b\n1\n 1 c\n1 d e\n3 f\n") == 2,
		"lines that do not scan dropped, the rest kept");
	ok(parsed("pop3expire 1\n1 a\n2 b") == 1, "a last line cut short dropped");
	char long_uid[100] = "pop3expire 1\n1 ";
	memset(long_uid + 15, 'u', 71);
	strcpy(long_uid + 86, "\n");
	ok(parsed(long_uid) == 0, "a 71-octet UID dropped");

	if (mkstemp(path) < 0)
		return 1;
	unlink(path);
	char after[16];
	struct expire_result r = quit(2, 1000000, "", "13", after);
	ok(r.expired == 0 && r.recorded == 2 && strcmp(after, "/13") == 0, "two retrievals recorded, none due");
	ok(strcmp(read_state(), "pop3expire 1\n1000000 m1\n1000000 m3\n") == 0, "the file as written");
	r = quit(2, 1000000 + 2 * 86400 - 1, "", "3", after);
	ok(r.expired == 0 && r.recorded == 0 && strcmp(after, "/3") == 0, "a second short of two days: not due");
	r = quit(2, 1000000 + 2 * 86400, "4", "2", after);
	ok(r.expired == 2 && r.recorded == 1 && strcmp(after, "413/2") == 0,
		"two days to the second: both due, after the client's own DELE, out of the retrievals");
	ok(strcmp(read_state(), "pop3expire 1\n1000000 m1\n1172800 m2\n1000000 m3\n") == 0,
		"the due ones kept until gone (a failed commit keeps them due), the client's DELE not");
	r = quit(0, 1172801, "13", "", after);
	ok(r.expired == 1 && strcmp(after, "132/") == 0, "EXPIRE 0: what was ever retrieved is due");
	r = quit(0, 1172801, "123", "4", after);
	ok(r.expired == 1 && strcmp(after, "1234/") == 0, "EXPIRE 0: retrieved now, due now");
	ok(strcmp(read_state(), "pop3expire 1\n1172801 m4\n") == 0,
		"only the one due and not yet gone is kept");
	r = quit(0, 1172802, "4", "", after);
	ok(r.expired == 0 && access(path, F_OK) != 0, "nothing left to keep: the file removed");

	struct expire_policy off = { false, 0 };
	uint32_t del[4] = { 1 }, ret[4] = { 2 };
	struct expose_report rep = { del, 1, ret, 1 };
	struct expire_result res;
	write_state("pop3expire 1\n1 m2\n");
	expire_apply(&off, path, 4, uid_of, NULL, &rep, 1000000, &res);
	ok(rep.n_deleted == 1 && rep.n_retrieved == 1 && res.expired == 0
		&& strcmp(read_state(), "pop3expire 1\n1 m2\n") == 0, "policy off: report and file untouched");
	struct expire_policy two = { true, 2 * 86400 };
	expire_apply(&two, NULL, 4, uid_of, NULL, &rep, 1000000, &res);
	ok(rep.n_deleted == 1 && res.recorded == 1 && res.expired == 0, "no state file: nothing kept, nothing due");
	unlink(path);
	printf("1..%d\n", test_no);
	return failures != 0;
}
