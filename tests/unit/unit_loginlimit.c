/* unit_loginlimit: pop3d/loginlimit's state in a temporary directory:
 * the configuration from the environment, address keys, session slots
 * (two opens of one file play two sessions: OFD locks are per open
 * file), failure counts within the window, and the verdict wrapper. */
#include "../../pop3d/loginlimit.h"
#include "die.h"
#include "exitcode.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int test_no, failures;
static char dir[] = "/tmp/unit_loginlimit.XXXXXX";
static struct limit_config cfg;

static void ok(int cond, const char *what)
{
	test_no++;
	if (!cond)
		failures++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", test_no, what);
}

static int files_in_dir(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "ls -A %s | wc -l", dir);
	FILE *p = popen(cmd, "r");
	int n = -1;
	if (p) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

static void remove_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[sizeof dir + sizeof e->d_name + 1];
	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
}

static void test_config(void)
{
	const char *bad = NULL;
	unsetenv("SESSIONS_PER_IP");
	unsetenv("POP3_LIMIT_DIR");
	ok(limit_config_env(&cfg, &bad) && cfg.sessions_per_ip == 0
		&& cfg.failures_per_ip == 30 && cfg.failures_per_user == 0
		&& cfg.failure_window == 900 && strcmp(cfg.dir, "/run/pop3-toolkit") == 0,
		"defaults: no session cap, 30 failures per address in 900 s");
	setenv("SESSIONS_PER_IP", "3", 1);
	setenv("FAILURE_WINDOW", "2", 1);
	setenv("POP3_LIMIT_DIR", dir, 1);
	ok(limit_config_env(&cfg, &bad) && cfg.sessions_per_ip == 3
		&& cfg.failure_window == 2 && strcmp(cfg.dir, dir) == 0,
		"values from the environment");
	setenv("FAILURE_WINDOW", "0", 1);
	ok(!limit_config_env(&cfg, &bad) && strcmp(bad, "FAILURE_WINDOW") == 0,
		"a window of 0 is refused, by name");
	setenv("FAILURE_WINDOW", "2", 1);
	setenv("FAILURES_PER_USER", "1x", 1);
	ok(!limit_config_env(&cfg, &bad) && strcmp(bad, "FAILURES_PER_USER") == 0,
		"a value that is no number is refused");
	setenv("FAILURES_PER_USER", "1001", 1);
	ok(!limit_config_env(&cfg, &bad), "a value past its bound is refused");
	unsetenv("FAILURES_PER_USER");
	limit_config_env(&cfg, &bad);
}

static void test_keys(void)
{
	char a[LIMIT_KEY_MAX], b[LIMIT_KEY_MAX];
	ok(limit_ip_key("192.0.2.7", a, sizeof a) && strcmp(a, "ip4 192.0.2.7") == 0,
		"IPv4 key");
	ok(limit_ip_key("::ffff:192.0.2.7", b, sizeof b) && strcmp(a, b) == 0,
		"an IPv4-mapped address is the IPv4 address");
	ok(limit_ip_key("2001:db8:1:2::7", a, sizeof a)
		&& limit_ip_key("2001:db8:1:2:ffff::1", b, sizeof b) && strcmp(a, b) == 0
		&& strcmp(a, "ip6 2001:0db8:0001:0002::/64") == 0,
		"two IPv6 addresses of one /64 share a key");
	ok(limit_ip_key("2001:db8:1:3::7", b, sizeof b) && strcmp(a, b) != 0,
		"another /64 has another key");
	ok(!limit_ip_key("unknown", a, sizeof a) && !limit_ip_key("", a, sizeof a),
		"no address, no key");
	state_user_key("alice", 5, a, sizeof a);
	ok(strcmp(a, "user alice") == 0, "user key");
}

static void test_sessions(void)
{
	int fd1 = -1, fd2 = -1, fd3 = -1, other = -1;
	ok(limit_session_take(&cfg, "ip4 192.0.2.7", 2, &fd1) == LIMIT_OK
		&& limit_session_take(&cfg, "ip4 192.0.2.7", 2, &fd2) == LIMIT_OK,
		"two sessions of an address with a cap of 2");
	ok(limit_session_take(&cfg, "ip4 192.0.2.7", 2, &fd3) == LIMIT_HIT,
		"the third is refused");
	ok(limit_session_take(&cfg, "ip4 192.0.2.8", 2, &other) == LIMIT_OK,
		"another address still gets in");
	limit_session_release(&cfg, "ip4 192.0.2.7", fd1);
	ok(limit_session_take(&cfg, "ip4 192.0.2.7", 2, &fd3) == LIMIT_OK,
		"a slot let go is free again");
	close(fd3); /* as a session that died: the kernel frees the slot */
	ok(limit_session_take(&cfg, "ip4 192.0.2.7", 2, &fd1) == LIMIT_OK,
		"a slot whose holder died without letting go is free");
	limit_session_release(&cfg, "ip4 192.0.2.7", fd1);
	limit_session_release(&cfg, "ip4 192.0.2.7", fd2);
	limit_session_release(&cfg, "ip4 192.0.2.8", other);
	ok(files_in_dir() == 0, "slot files unused by any session are removed");
}

/* A login killed before its verdict (the host restarting pop3login, a
 * killed session) leaves a count whose holder is gone: no failure. */
static void test_dead_holder(void)
{
	const char *key = "user dan";
	uint64_t t = 2000000;
	pid_t pid = fork();
	if (pid == 0)
		_exit(limit_failure_reserve(&cfg, key, 1, t) == LIMIT_OK ? 0 : 1);
	int st = 0;
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "an attempt is counted by its login");
	ok(limit_failure_reserve(&cfg, key, 1, t) == LIMIT_OK,
		"an attempt whose login died without a verdict no longer counts");
	ok(limit_failure_keep(&cfg, key, t) == LIMIT_OK
		&& limit_failure_reserve(&cfg, key, 1, t) == LIMIT_HIT,
		"a failure kept by its login counts after the login is gone");
	ok(limit_failure_reserve(&cfg, key, 3, t + 10) == LIMIT_OK
		&& limit_failure_undo(&cfg, key, t + 10) == LIMIT_OK && files_in_dir() == 0,
		"and leaves the window like any other");
}

static void test_failures(void)
{
	const char *key = "user bob";
	uint64_t t = 1000000;
	enum limit_result r1 = limit_failure_reserve(&cfg, key, 3, t);
	enum limit_result r2 = limit_failure_reserve(&cfg, key, 3, t);
	enum limit_result r3 = limit_failure_reserve(&cfg, key, 3, t + 1);
	ok(r1 == LIMIT_OK && r2 == LIMIT_OK && r3 == LIMIT_OK, "three failures within 3");
	ok(limit_failure_reserve(&cfg, key, 3, t + 1) == LIMIT_HIT, "the fourth is past the limit");
	ok(limit_failure_reserve(&cfg, key, 3, t + 2) == LIMIT_OK,
		"two seconds on, the first two have left the window of 2");
	ok(limit_failure_undo(&cfg, key, t + 2) == LIMIT_OK
		&& limit_failure_reserve(&cfg, key, 1, t + 2) == LIMIT_HIT,
		"an undone count is gone, the others stay");
	ok(limit_failure_reserve(&cfg, key, 3, t + 10) == LIMIT_OK
		&& limit_failure_undo(&cfg, key, t + 10) == LIMIT_OK && files_in_dir() == 0,
		"a failure file with nothing left in the window is removed");
}

static int checker_runs;
static int fake_checker(const unsigned char *cred, size_t len, bool tls_on)
{
	(void)tls_on;
	checker_runs++;
	bool good = len >= 11 && memcmp(cred, "carol\0right", 11) == 0;
	return (good ? EXIT_DONE : EXIT_REFUSED) << 8;
}

#define CRED(s) (const unsigned char *)(s), sizeof(s)

static void test_verdict(void)
{
	cfg.failures_per_ip = 3;
	cfg.failures_per_user = 2;
	const char *ip = "ip4 192.0.2.9";
	int s1 = limit_verdict(&cfg, ip, "192.0.2.9", CRED("carol\0wrong\0"), false, fake_checker);
	int s2 = limit_verdict(&cfg, ip, "192.0.2.9", CRED("carol\0right\0"), false, fake_checker);
	ok(s1 == EXIT_REFUSED << 8 && s2 == 0 && checker_runs == 2,
		"a failure and a success, each checked");
	int s3 = limit_verdict(&cfg, ip, "192.0.2.9", CRED("carol\0wrong\0"), false, fake_checker);
	int s4 = limit_verdict(&cfg, ip, "192.0.2.9", CRED("carol\0right\0"), false, fake_checker);
	ok(s3 == EXIT_REFUSED << 8 && s4 == EXIT_TEMP << 8 && checker_runs == 3,
		"past 2 failures the right password gets a temporary failure, unchecked");
	int s5 = limit_verdict(&cfg, ip, "192.0.2.9", CRED("dave\0x\0"), false, fake_checker);
	ok(s5 == EXIT_REFUSED << 8 && checker_runs == 4, "another user is still checked");
	int s6 = limit_verdict(&cfg, ip, "192.0.2.9", CRED("erin\0x\0"), false, fake_checker);
	ok(s6 == EXIT_TEMP << 8 && checker_runs == 4,
		"the address is past its 3 (a success and a locked user are not counted)");
	ok(limit_verdict(&cfg, "", "unknown", CRED("frank\0x\0"), false, fake_checker)
		== EXIT_REFUSED << 8 && checker_runs == 5, "no address, no address limit");
}

static void test_unsafe_dir(void)
{
	int fd = -1;
	chmod(dir, 0777);
	ok(limit_session_take(&cfg, "ip4 192.0.2.7", 2, &fd) == LIMIT_ERROR
		&& limit_failure_reserve(&cfg, "user x", 2, 1) == LIMIT_ERROR,
		"a directory others may write is not used");
	chmod(dir, 0700);
}

int main(void)
{
	progname = "unit_loginlimit";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_config();
	test_keys();
	test_sessions();
	test_failures();
	test_dead_holder();
	test_verdict();
	test_unsafe_dir();
	remove_files();
	ok(rmdir(dir) == 0, "the directory is left empty");
	printf("1..%d\n", test_no);
	return failures != 0;
}
