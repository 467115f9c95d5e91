/* unit_login: pop3login's pure parts.  lib/base64 (strictness),
 * lib/lineexact (no byte past the LF is consumed, on a socket and on a
 * pipe; overlong lines; timeouts) and pop3d/authdialog (exact answers and
 * the exact credentials block for each login method). */
#include "../../pop3d/authdialog.h"
#include "base64.h"
#include "lineexact.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Test set-up writes: a failure shows up as a failed test, not a warning. */
static void put(int fd, const void *buf, size_t len)
{
	if (write(fd, buf, len) != (ssize_t)len) {
		printf("# set-up write failed\n");
		failures++;
	}
}

static void must(int result)
{
	if (result < 0) {
		printf("# set-up call failed\n");
		failures++;
	}
}

static int b64_is(const char *in, const char *want, size_t want_len)
{
	unsigned char out[64];
	size_t n;
	if (!base64_decode(in, strlen(in), out, sizeof out, &n))
		return 0;
	return n == want_len && memcmp(out, want, n) == 0;
}

static int b64_bad(const char *in)
{
	unsigned char out[64];
	size_t n = 99;
	return !base64_decode(in, strlen(in), out, sizeof out, &n) && n == 0;
}

static void test_base64(void)
{
	ok(b64_is("AGFsaWNlAHNlY3JldA==", "\0alice\0secret", 13), "base64 PLAIN message");
	ok(b64_is("", "", 0), "base64 empty");
	ok(b64_is("Zm9vYg==", "foob", 4) && b64_is("Zm9vYmE=", "fooba", 5)
		&& b64_is("Zm9vYmFy", "foobar", 6), "base64 RFC 4648 vectors");
	ok(b64_is("+/+/", "\xfb\xff\xbf", 3), "base64 + and /");
	ok(b64_bad("Zm9"), "base64 length not a multiple of 4");
	ok(b64_bad("Zm=v"), "base64 data after padding");
	ok(b64_bad("Z==="), "base64 three pads");
	ok(b64_bad("Zh=="), "base64 non-canonical trailing bits");
	ok(b64_bad("Zm9v YmFy"), "base64 space inside");
	ok(b64_bad("Zm9v\nYmFy"), "base64 line break inside");
	ok(b64_bad("Zg==Zg=="), "base64 padding in the middle");
	char enc[16];
	ok(base64_encode((const unsigned char *)"fooba", 5, enc, sizeof enc)
		&& strcmp(enc, "Zm9vYmE=") == 0
		&& base64_encode((const unsigned char *)"foob", 4, enc, 9)
		&& strcmp(enc, "Zm9vYg==") == 0
		&& base64_encode((const unsigned char *)"", 0, enc, 1) && enc[0] == 0,
		"base64 encodes RFC 4648 vectors, exact room");
	ok(!base64_encode((const unsigned char *)"foob", 4, enc, 8)
		&& !base64_encode((const unsigned char *)"", 0, enc, 0),
		"base64 encode: no room for the padding or the NUL");
	unsigned char small[2];
	size_t n;
	ok(!base64_decode("Zm9v", 4, small, sizeof small, &n), "base64 output too small");
}

/* Reads two lines from R, then checks the rest of RFD is exactly REST. */
static int two_lines_then(struct line_reader *r, int rfd, const char *rest)
{
	char buf[64], tail[64];
	size_t len;
	bool cr;
	if (line_read(r, buf, sizeof buf, &len, &cr) != LINE_OK
	    || len != 6 || memcmp(buf, "USER a", 6) != 0 || !cr)
		return 0;
	if (line_read(r, buf, sizeof buf, &len, &cr) != LINE_OK
	    || len != 10 || memcmp(buf, "PASS b c d", 10) != 0 || cr)
		return 0;
	ssize_t got = read(rfd, tail, sizeof tail);
	return got == (ssize_t)strlen(rest) && memcmp(tail, rest, (size_t)got) == 0;
}

static void test_lineexact(void)
{
	static const char input[] = "USER a\r\nPASS b c d\nSTAT\r\nLIST 1\r\n";
	int sv[2], pfd[2];
	struct line_reader r;
	char buf[16];
	size_t len;
	bool cr;

	must(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	ok(write(sv[1], input, sizeof input - 1) == sizeof input - 1, "socket write");
	line_reader_init(&r, sv[0], 1000);
	ok(r.is_socket, "socket detected");
	close(sv[1]);
	ok(two_lines_then(&r, sv[0], "STAT\r\nLIST 1\r\n"),
		"socket: the bytes after PASS are still unread");
	close(sv[0]);

	must(pipe(pfd));
	ok(write(pfd[1], input, sizeof input - 1) == sizeof input - 1, "pipe write");
	close(pfd[1]);
	line_reader_init(&r, pfd[0], 1000);
	ok(!r.is_socket, "pipe detected");
	ok(two_lines_then(&r, pfd[0], "STAT\r\nLIST 1\r\n"),
		"pipe: the bytes after PASS are still unread");
	close(pfd[0]);

	must(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	const char *longer = "0123456789abcdefghijklmnopqrstuvwxyz\r\nNOOP\r\npartial";
	put(sv[1], longer, strlen(longer));
	close(sv[1]);
	line_reader_init(&r, sv[0], 1000);
	ok(line_read(&r, buf, sizeof buf, &len, &cr) == LINE_TOOLONG, "overlong line reported");
	ok(line_read(&r, buf, sizeof buf, &len, &cr) == LINE_OK && len == 4
		&& memcmp(buf, "NOOP", 5) == 0, "next line intact after an overlong one");
	ok(line_read(&r, buf, sizeof buf, &len, &cr) == LINE_EOF, "unterminated tail is EOF");
	close(sv[0]);

	must(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	line_reader_init(&r, sv[0], 50);
	ok(line_read(&r, buf, sizeof buf, &len, &cr) == LINE_TIMEOUT, "idle reader times out");
	put(sv[1], "half", 4);
	ok(line_read(&r, buf, sizeof buf, &len, &cr) == LINE_TIMEOUT, "half a line times out");
	put(sv[1], "STLS\r\nUSER evil\r\n", 17);
	line_discard_pending(&r);
	put(sv[1], "CAPA\r\n", 6);
	ok(line_read(&r, buf, sizeof buf, &len, &cr) == LINE_OK && len == 4
		&& memcmp(buf, "CAPA", 4) == 0, "discard_pending drops queued bytes only");
	close(sv[0]);
	close(sv[1]);

	/* a line that never ends is cut off after the drain limit */
	must(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid_t writer = fork();
	if (writer == 0) {
		static char flood[70000];
		memset(flood, 'x', sizeof flood);
		close(sv[0]);
		ssize_t ignored = write(sv[1], flood, sizeof flood);
		(void)ignored;
		_exit(0);
	}
	close(sv[1]);
	line_reader_init(&r, sv[0], 2000);
	ok(line_read(&r, buf, sizeof buf, &len, &cr) == LINE_ERROR,
		"a line past the drain limit is an error");
	close(sv[0]);
	waitpid(writer, NULL, 0);

	must(pipe(pfd));
	put(pfd[1], "a\0b\r\n", 5);
	line_reader_init(&r, pfd[0], 1000);
	ok(line_read(&r, buf, sizeof buf, &len, &cr) == LINE_OK && len == 3
		&& memcmp(buf, "a\0b", 3) == 0, "NUL kept inside the line");
	close(pfd[0]);
	close(pfd[1]);
}

static struct authdialog d;

static void start(bool apop, bool tls_possible, bool tls_required)
{
	struct authdialog_config cfg = {
		.hostname = "mail.example.org", .apop = apop,
		.tls_possible = tls_possible, .tls_required = tls_required,
		.max_failures = 3, .max_commands = 20,
	};
	authdialog_start(&d, &cfg, "123.456.abcdef");
}

/* Feeds a line; checks the action and the exact output; clears it. */
static int says(const char *line, enum authdialog_action act, const char *out)
{
	enum authdialog_action got = authdialog_line(&d, line, strlen(line), false);
	int good = got == act && d.out_len == strlen(out)
		&& memcmp(d.out, out, d.out_len) == 0;
	if (!good)
		printf("# line \"%s\": action %d, output \"%.*s\"\n", line, (int)got,
			(int)d.out_len, d.out);
	authdialog_out_clear(&d);
	return good;
}

static int cred_is(const char *want, size_t len)
{
	return d.cred_len == len && memcmp(d.cred, want, len) == 0;
}

static int result(int code, enum authdialog_action act, const char *out)
{
	enum authdialog_action got = authdialog_result(&d, code << 8);
	int good = got == act && d.out_len == strlen(out)
		&& memcmp(d.out, out, d.out_len) == 0 && d.cred_len == 0;
	authdialog_out_clear(&d);
	return good;
}

static void test_dialog(void)
{
	start(false, false, false);
	ok(d.out_len == 40 && memcmp(d.out, "+OK mail.example.org POP3 server ready\r\n", 40) == 0,
		"greeting without APOP has no timestamp");
	authdialog_out_clear(&d);
	ok(says("CAPA", AD_CONTINUE, "+OK capability list follows\r\nTOP\r\nUIDL\r\n"
		"RESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nUSER\r\nSASL PLAIN LOGIN\r\n"
		"UTF8 USER\r\nIMPLEMENTATION pop3login\r\n.\r\n"), "CAPA, no STLS without a channel");
	ok(says("user alice", AD_CONTINUE, "+OK send PASS\r\n"), "USER");
	ok(says("PASS  pass word ", AD_CHECK, ""), "PASS asks for a check");
	ok(cred_is("alice\0 pass word \0\0", 19), "PASS keeps spaces, no timestamp");
	ok(d.method == AD_METHOD_PASS, "method pass");
	ok(result(1, AD_CONTINUE, "-ERR [AUTH] authentication failed\r\n"), "exit 1 -> [AUTH]");
	ok(says("PASS again", AD_CONTINUE, "-ERR send USER first\r\n"), "USER is forgotten after a try");
	ok(says("APOP alice 0123456789abcdef0123456789abcdef", AD_CONTINUE,
		"-ERR APOP not available\r\n"), "APOP off by default");
	ok(says("AUTH", AD_CONTINUE, "+OK mechanisms follow\r\nPLAIN\r\nLOGIN\r\n.\r\n"), "bare AUTH lists");
	ok(says("AUTH PLAIN AGFsaWNlAHNlY3JldA==", AD_CHECK, ""), "AUTH PLAIN initial response");
	ok(cred_is("alice\0secret\0\0", 14) && d.method == AD_METHOD_PLAIN, "PLAIN credentials");
	ok(result(4, AD_CONTINUE, "-ERR [IN-USE] mailbox in use by another session\r\n"),
		"exit 4 -> [IN-USE]");
	ok(says("AUTH PLAIN", AD_CONTINUE, "+ \r\n"), "AUTH PLAIN without response: continuation");
	ok(says("*", AD_CONTINUE, "-ERR authentication cancelled\r\n"), "* cancels");
	ok(says("AUTH PLAIN", AD_CONTINUE, "+ \r\n")
		&& says("YWxpY2UAYWxpY2UAc2VjcmV0", AD_CHECK, ""), "continuation response");
	ok(cred_is("alice\0secret\0\0", 14), "authzid equal to the user is accepted");
	ok(result(111, AD_CLOSE, "-ERR [SYS/TEMP] temporary failure, try again later\r\n"),
		"exit 111 -> [SYS/TEMP], third failure closes");

	start(true, true, false);
	ok(d.out_len > 0 && memmem(d.out, d.out_len, "<123.456.abcdef@mail.example.org>\r\n", 35),
		"APOP greeting carries the timestamp");
	authdialog_out_clear(&d);
	ok(says("AUTH PLAIN =", AD_CONTINUE, "-ERR malformed PLAIN response\r\n"), "= is empty: malformed");
	ok(says("AUTH PLAIN Zm9v!", AD_CONTINUE, "-ERR bad base64\r\n"), "bad base64");
	ok(says("AUTH PLAIN Ym9iAGFsaWNlAHM=", AD_CONTINUE,
		"-ERR [AUTH] authorization identity not supported\r\n"), "other authzid refused");
	ok(says("AUTH CRAM-SHA9", AD_CONTINUE, "-ERR unsupported mechanism\r\n"),
		"unknown mechanism");
	ok(says("APOP my user 0123456789ABCDEF0123456789abcdef", AD_CHECK, ""), "APOP");
	ok(cred_is("my user\0000123456789abcdef0123456789abcdef\0<123.456.abcdef@mail.example.org>\0",
		75), "APOP credentials: digest lowercased, timestamp");
	ok(result(2, AD_CONTINUE, "-ERR [SYS/PERM] login failed\r\n"), "exit 2 -> [SYS/PERM]");
	ok(result(128 + 15, AD_QUIT, "") && result(128 + 9, AD_QUIT, ""),
		"exit 128+N (pop3d killed mid-session): hang up, no answer that could lie");
	ok(strcmp(authdialog_result_word((128 + 15) << 8), "killed") == 0
		&& strcmp(authdialog_result_word(2 << 8), "perm") == 0
		&& strcmp(authdialog_result_word(255 << 8), "perm") == 0, "killed, perm: the log words");
	ok(says("APOP alice 0123", AD_CONTINUE, "-ERR usage: APOP name digest\r\n"), "short digest");
	ok(says("STAT", AD_CONTINUE, "-ERR not logged in\r\n"), "wrong state");
	ok(says("XYZZY", AD_CONTINUE, "-ERR unknown command\r\n"), "unknown command");
	ok(says("", AD_CONTINUE, "-ERR empty command\r\n"), "empty line");
	ok(says("NO\rOP", AD_CONTINUE, "-ERR bad characters in command\r\n"), "bare CR");
	ok(authdialog_line(&d, "NO\0OP", 5, false) == AD_CONTINUE && d.out_len == 32,
		"NUL in a line");
	authdialog_out_clear(&d);
	ok(authdialog_line(&d, "x", 1, true) == AD_CONTINUE && d.out_len == 20
		&& memcmp(d.out, "-ERR line too long\r\n", 20) == 0, "overlong line");
	authdialog_out_clear(&d);
	ok(says("STLS", AD_STLS, "+OK begin TLS negotiation\r\n"), "STLS");
	authdialog_tls_started(&d);
	ok(says("STLS", AD_CONTINUE, "-ERR TLS already active\r\n"), "STLS twice");
	ok(says("noop", AD_CONTINUE, "+OK\r\n"), "NOOP");
	ok(says("QUIT", AD_QUIT, "+OK bye\r\n"), "QUIT");

	start(false, true, true);
	authdialog_out_clear(&d);
	ok(says("CAPA", AD_CONTINUE, "+OK capability list follows\r\nTOP\r\nUIDL\r\n"
		"RESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nSTLS\r\n"
		"UTF8\r\nIMPLEMENTATION pop3login\r\n.\r\n"), "TLS required: CAPA offers no login");
	ok(says("USER alice", AD_CONTINUE, "-ERR [AUTH] cleartext login refused: use STLS first\r\n")
		&& says("AUTH PLAIN AGFsaWNlAHNlY3JldA==", AD_CONTINUE,
		"-ERR [AUTH] cleartext login refused: use STLS first\r\n"),
		"TLS required: USER and AUTH refused");
	ok(says("STLS", AD_STLS, "+OK begin TLS negotiation\r\n"), "STLS offered");
	authdialog_tls_started(&d);
	ok(says("USER alice", AD_CONTINUE, "+OK send PASS\r\n"), "USER after TLS");

	start(false, false, false);
	d.cfg.max_commands = 2;
	d.cfg.login_delay = "900";
	d.cfg.expire = "NEVER";
	authdialog_out_clear(&d);
	ok(says("CAPA", AD_CONTINUE, "+OK capability list follows\r\nTOP\r\nUIDL\r\n"
		"RESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nUSER\r\nSASL PLAIN LOGIN\r\n"
		"LOGIN-DELAY 900\r\nEXPIRE NEVER\r\nUTF8 USER\r\nIMPLEMENTATION pop3login\r\n.\r\n"),
		"CAPA with LOGIN-DELAY and EXPIRE");
	ok(says("NOOP", AD_CONTINUE, "+OK\r\n") && says("NOOP", AD_CLOSE,
		"-ERR too many commands\r\n"), "command limit");
	ok(result(0, AD_QUIT, ""), "exit 0: the chain answered, nothing more");
}

/* AUTH LOGIN: the prompts, both forms, cancelling and bad answers. */
static void test_login(void)
{
	start(false, false, false);
	authdialog_out_clear(&d);
	ok(says("AUTH LOGIN", AD_CONTINUE, "+ VXNlcm5hbWU6\r\n")
		&& says("YWxpY2U=", AD_CONTINUE, "+ UGFzc3dvcmQ6\r\n")
		&& says("c2VjcmV0", AD_CHECK, ""), "LOGIN: name, then password");
	ok(cred_is("alice\0secret\0\0", 14) && d.method == AD_METHOD_LOGIN,
		"LOGIN credentials");
	ok(result(1, AD_CONTINUE, "-ERR [AUTH] authentication failed\r\n"), "LOGIN refused");
	ok(says("auth login YWxpY2U=", AD_CONTINUE, "+ UGFzc3dvcmQ6\r\n")
		&& says("=", AD_CHECK, "") && cred_is("alice\0\0\0", 8),
		"LOGIN initial response; = is an empty password");
	ok(result(1, AD_CONTINUE, "-ERR [AUTH] authentication failed\r\n"), "refused");
	ok(says("AUTH LOGIN", AD_CONTINUE, "+ VXNlcm5hbWU6\r\n")
		&& says("*", AD_CONTINUE, "-ERR authentication cancelled\r\n"),
		"LOGIN cancelled at the name");
	ok(says("AUTH LOGIN YWxpY2U=", AD_CONTINUE, "+ UGFzc3dvcmQ6\r\n")
		&& says("*", AD_CONTINUE, "-ERR authentication cancelled\r\n")
		&& d.user[0] == 0, "LOGIN cancelled at the password, name wiped");
	ok(says("AUTH LOGIN =", AD_CONTINUE, "-ERR malformed LOGIN response\r\n"),
		"LOGIN empty name");
	ok(says("AUTH LOGIN YQBi", AD_CONTINUE, "-ERR malformed LOGIN response\r\n"),
		"LOGIN name with a NUL");
	ok(says("AUTH LOGIN YWxpY2U", AD_CONTINUE, "-ERR bad base64\r\n"),
		"LOGIN invalid base64");
	ok(says("AUTH LOGIN YWxpY2U=", AD_CONTINUE, "+ UGFzc3dvcmQ6\r\n")
		&& says("c2Vj!mV0", AD_CONTINUE, "-ERR bad base64\r\n")
		&& d.user[0] == 0, "LOGIN invalid base64 password");
	char line[400] = "AUTH LOGIN ";
	for (int i = 0; i < 86; i++)
		strcat(line, "YWFh");
	ok(says(line, AD_CONTINUE, "-ERR [AUTH] credentials too long\r\n"),
		"LOGIN name over 255 octets");
	ok(says("AUTH LOGIN", AD_CONTINUE, "+ VXNlcm5hbWU6\r\n")
		&& authdialog_line(&d, "x", 1, true) == AD_CONTINUE
		&& d.sasl_step == AD_SASL_NONE, "LOGIN: an overlong answer ends it");
	authdialog_out_clear(&d);
	ok(says("AUTH LOGIN", AD_CONTINUE, "+ VXNlcm5hbWU6\r\n")
		&& says("YWxpY2U=", AD_CONTINUE, "+ UGFzc3dvcmQ6\r\n")
		&& says("AGI=", AD_CONTINUE, "-ERR malformed LOGIN response\r\n"),
		"LOGIN password with a NUL");

	start(false, true, true);
	authdialog_out_clear(&d);
	ok(says("AUTH LOGIN", AD_CONTINUE,
		"-ERR [AUTH] cleartext login refused: use STLS first\r\n")
		&& says("AUTH", AD_CONTINUE, "+OK mechanisms follow\r\n.\r\n"),
		"TLS required: LOGIN refused and not listed");
}

/* UTF8 (RFC 6856): non-ASCII names only after it, and only valid UTF-8. */
static void test_utf8(void)
{
	start(false, false, false);
	authdialog_out_clear(&d);
	ok(says("USER j\xc3\xb6rg", AD_CONTINUE,
		"-ERR [AUTH] non-ASCII user name: send UTF8 first\r\n")
		&& says("PASS x", AD_CONTINUE, "-ERR send USER first\r\n"),
		"UTF-8 name refused before UTF8");
	ok(says("UTF8 x", AD_CONTINUE, "-ERR usage: UTF8\r\n"), "UTF8 takes no argument");
	ok(says("utf8", AD_CONTINUE, "+OK UTF8 enabled\r\n"), "UTF8");
	ok(says("USER j\xc3\xb6rg", AD_CONTINUE, "+OK send PASS\r\n")
		&& says("PASS pw", AD_CHECK, "") && cred_is("j\xc3\xb6rg\0pw\0\0", 10),
		"UTF-8 name after UTF8 reaches the checker");
	ok(result(1, AD_CONTINUE, "-ERR [AUTH] authentication failed\r\n"), "refused");
	static const char *const bad[] = {
		"USER \xc3", "USER \xc0\xaf", "USER \xe0\x80\xaf", "USER \xed\xa0\x80",
		"USER \xf4\x90\x80\x80", "USER \xf8\x88\x80\x80\x80", "USER a\x80",
		"USER \xc3\xb6\xb6", "USER \xf0\x9f\x98",
	};
	int all = 1;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		all &= says(bad[i], AD_CONTINUE, "-ERR [AUTH] user name is not valid UTF-8\r\n");
	ok(all, "malformed, overlong, surrogate, too high, truncated UTF-8 refused");
	ok(says("USER \xf0\x9f\x98\x80\xe2\x82\xac\xf4\x8f\xbf\xbf", AD_CONTINUE,
		"+OK send PASS\r\n"), "four-, three-byte and U+10FFFF accepted");
	ok(says("AUTH PLAIN AMMAeA==", AD_CONTINUE,
		"-ERR [AUTH] user name is not valid UTF-8\r\n"), "PLAIN: malformed name refused");
	start(false, false, false);
	authdialog_out_clear(&d);
	ok(says("AUTH PLAIN AGrDtnJnAHB3", AD_CHECK, "") && cred_is("j\xc3\xb6rg\0pw\0\0", 10),
		"PLAIN: UTF-8 name without UTF8 (RFC 4616 names are UTF-8)");
	ok(result(1, AD_CONTINUE, "-ERR [AUTH] authentication failed\r\n"), "refused");
	ok(says("AUTH LOGIN wA==", AD_CONTINUE,
		"-ERR [AUTH] user name is not valid UTF-8\r\n"), "LOGIN: malformed name refused");
	ok(says("APOP j\xc3\xb6rg 0123456789abcdef0123456789abcdef", AD_CONTINUE,
		"-ERR APOP not available\r\n"), "APOP off");
	d.cfg.apop = true;
	ok(says("APOP j\xc3\xb6rg 0123456789abcdef0123456789abcdef", AD_CONTINUE,
		"-ERR [AUTH] non-ASCII user name: send UTF8 first\r\n"), "APOP: UTF8 first");
	ok(says("UTF8", AD_CONTINUE, "+OK UTF8 enabled\r\n")
		&& says("STLS", AD_CONTINUE, "-ERR STLS not available\r\n"), "UTF8 again");
	d.cfg.tls_possible = true;
	ok(says("STLS", AD_STLS, "+OK begin TLS negotiation\r\n"), "STLS");
	authdialog_tls_started(&d);
	ok(says("USER j\xc3\xb6rg", AD_CONTINUE,
		"-ERR [AUTH] non-ASCII user name: send UTF8 first\r\n"),
		"STLS forgets UTF8");
}

#define CHALLENGE "<123.456.abcdef@mail.example.org>"
#define CRAM_ASK "+ PDEyMy40NTYuYWJjZGVmQG1haWwuZXhhbXBsZS5vcmc+\r\n"
#define CRAM_DIGEST "1cf52691636245ef1a3f75de66ce9dd4"

/* CRAM-MD5: offered only when configured; the block and its check. */
static void test_cram(void)
{
	start(false, false, false);
	authdialog_out_clear(&d);
	ok(says("AUTH CRAM-MD5", AD_CONTINUE, "-ERR unsupported mechanism\r\n")
		&& d.challenge[0] == 0, "CRAM-MD5 off by default");
	struct authdialog_config cfg = {
		.hostname = "mail.example.org", .cram = true,
		.max_failures = 3, .max_commands = 30,
	};
	authdialog_start(&d, &cfg, "123.456.abcdef");
	ok(d.out_len == 40 && strcmp(d.challenge, CHALLENGE) == 0,
		"greeting without a timestamp, challenge kept");
	authdialog_out_clear(&d);
	ok(says("AUTH", AD_CONTINUE,
		"+OK mechanisms follow\r\nPLAIN\r\nLOGIN\r\nCRAM-MD5\r\n.\r\n"),
		"bare AUTH lists CRAM-MD5");
	ok(says("auth cram-md5", AD_CONTINUE, CRAM_ASK)
		&& says("YWxpY2UgMUNGNTI2OTE2MzYyNDVFRjFBM0Y3NURFNjZDRTlERDQ=", AD_CHECK, ""),
		"CRAM-MD5: challenge, answer");
	ok(cred_is("alice\0" CRAM_DIGEST "\0" CHALLENGE "\0cram-md5\0", 82)
		&& d.method == AD_METHOD_CRAM, "CRAM-MD5 block: digest lower-cased, "
		"challenge, method");
	ok(authdialog_block_ok(d.cred, d.cred_len, &d), "the parent takes the block");
	ok(result(1, AD_CONTINUE, "-ERR [AUTH] authentication failed\r\n"), "refused");
	ok(says("AUTH CRAM-MD5 YWxpY2U=", AD_CONTINUE,
		"-ERR CRAM-MD5 takes no initial response\r\n"), "no initial response");
	static const char *const bad[] = {
		"YWxpY2U=", "YWxpY2UgMDEyMw==", "IDFjZjUyNjkxNjM2MjQ1ZWYxYTNmNzVkZTY2Y2U5ZGQ0",
		"YWxpY2UgMWNmNTI2OTE2MzYyNDVlZjFhM2Y3NWRlNjZjZTlkZGc=", "=",
	};
	int all = 1;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		all &= says("AUTH CRAM-MD5", AD_CONTINUE, CRAM_ASK)
			&& says(bad[i], AD_CONTINUE, "-ERR malformed CRAM-MD5 response\r\n");
	ok(all, "no digest, short, no name, not hex, empty: malformed");
	ok(says("AUTH CRAM-MD5", AD_CONTINUE, CRAM_ASK)
		&& says("*", AD_CONTINUE, "-ERR authentication cancelled\r\n"), "* cancels");
	ok(says("AUTH CRAM-MD5", AD_CONTINUE, CRAM_ASK)
		&& says("!!!!", AD_CONTINUE, "-ERR bad base64\r\n"), "bad base64");
	ok(says("CAPA", AD_CONTINUE, "+OK capability list follows\r\nTOP\r\nUIDL\r\n"
		"RESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nUSER\r\n"
		"SASL PLAIN LOGIN CRAM-MD5\r\nUTF8 USER\r\nIMPLEMENTATION pop3login\r\n.\r\n"),
		"CAPA lists CRAM-MD5");
}

#define BLOCK_OK(lit) authdialog_block_ok((const unsigned char *)lit, sizeof lit - 1, &d)

/* What the root parent lets through to a checker. */
static void test_block_ok(void)
{
	struct authdialog_config cfg = {
		.hostname = "mail.example.org", .cram = true, .apop = true,
		.max_failures = 3, .max_commands = 30,
	};
	authdialog_start(&d, &cfg, "123.456.abcdef");
	ok(BLOCK_OK("u\0pw\0\0"), "block: password, no timestamp");
	ok(BLOCK_OK("u\0d\0" CHALLENGE "\0"), "block: APOP with our timestamp");
	ok(BLOCK_OK("u\0d\0" CHALLENGE "\0cram-md5\0"), "block: CRAM-MD5 with our challenge");
	ok(!BLOCK_OK("u\0d\0<1.2.3@mail.example.org>\0"), "block: another timestamp");
	ok(!BLOCK_OK("u\0d\0<1.2.3@mail.example.org>\0cram-md5\0"), "block: another challenge");
	ok(!BLOCK_OK("u\0d\0\0cram-md5\0"), "block: CRAM-MD5 without the challenge");
	ok(!BLOCK_OK("u\0d\0" CHALLENGE "\0plain\0"), "block: another fourth field");
	ok(!BLOCK_OK("u\0d\0" CHALLENGE "\0cram-md5\0x\0"), "block: five fields");
	ok(!BLOCK_OK("u\0pw\0"), "block: two fields");
	ok(!BLOCK_OK("u\0pw\0x"), "block: unterminated");
	cfg.cram = false;
	authdialog_start(&d, &cfg, "123.456.abcdef");
	ok(!BLOCK_OK("u\0d\0" CHALLENGE "\0cram-md5\0"), "block: CRAM-MD5 when it is off");
	cfg.cram = true;
	cfg.apop = false;
	authdialog_start(&d, &cfg, "123.456.abcdef");
	ok(!BLOCK_OK("u\0d\0" CHALLENGE "\0"), "block: APOP when it is off");
}

/* OAUTHBEARER and XOAUTH2 (-O): the token and the method to the checker. */
static void test_oauth(void)
{
	start(false, false, false);
	authdialog_out_clear(&d);
	ok(says("AUTH OAUTHBEARER", AD_CONTINUE, "-ERR unsupported mechanism\r\n")
		&& says("AUTH XOAUTH2", AD_CONTINUE, "-ERR unsupported mechanism\r\n"),
		"OAuth off by default");
	struct authdialog_config cfg = {
		.hostname = "mail.example.org", .oauth = true,
		.max_failures = 30, .max_commands = 60,
	};
	authdialog_start(&d, &cfg, "123.456.abcdef");
	authdialog_out_clear(&d);
	ok(says("AUTH", AD_CONTINUE, "+OK mechanisms follow\r\nPLAIN\r\nLOGIN\r\n"
		"OAUTHBEARER\r\nXOAUTH2\r\n.\r\n"), "bare AUTH lists them");
	ok(says("AUTH OAUTHBEARER "
		"bixhPWFsaWNlLAFob3N0PWgBcG9ydD0xMTABYXV0aD1CZWFyZXIgdG9rLmVuLTE9PQEB",
		AD_CHECK, "") && cred_is("alice\0tok.en-1==\0\0oauthbearer\0", 30)
		&& d.method == AD_METHOD_OAUTHBEARER
		&& authdialog_block_ok(d.cred, d.cred_len, &d), "OAUTHBEARER block");
	ok(result(1, AD_CONTINUE, "-ERR [AUTH] authentication failed\r\n"), "refused");
	ok(says("AUTH OAUTHBEARER", AD_CONTINUE, "+ \r\n")
		&& says("bixhPWE9MkNiPTNEYywBYXV0aD1iZWFyZXIgVAEB", AD_CHECK, "")
		&& cred_is("a,b=c\0T\0\0oauthbearer\0", 21),
		"OAUTHBEARER continuation, escaped name, scheme any case");
	ok(result(1, AD_CONTINUE, "-ERR [AUTH] authentication failed\r\n"), "refused");
	static const char *const bad_bearer[] = {
		"biwsAWF1dGg9QmVhcmVyIHQBAQ==", "cD14LGE9YWxpY2UsAWF1dGg9QmVhcmVyIHQBAQ==",
		"bixhPWFsaWNlLAFhdXRoPUJlYXJlciB0AQ==", "bixhPWFsaWNlLAFhdXRoPUJhc2ljIHQBAQ==",
		"bixhPWFsaWNlLAFhdXRoPUJlYXJlciB0IHQBAQ==", "bixhPWFsPTQxaWNlLAFhdXRoPUJlYXJlciB0AQE=",
		"bixhPWFsaWNlLAFhdXRoPUJlYXJlciB0AWF1dGg9QmVhcmVyIHUBAQ==", "bixhPWFsaWNlLAEB",
		"bixhPWFsaWNlLAFhdXRoPUJlYXJlciA9dAEB", "=",
	};
	int all = 1;
	for (size_t i = 0; i < sizeof bad_bearer / sizeof bad_bearer[0]; i++) {
		char line[128] = "AUTH OAUTHBEARER ";
		strcat(line, bad_bearer[i]);
		all &= says(line, AD_CONTINUE, "-ERR malformed OAUTHBEARER response\r\n");
	}
	ok(all, "OAUTHBEARER: no user, channel binding, no end, Basic, bad token, "
		"bad escape, two tokens, none, empty");
	ok(says("AUTH XOAUTH2 dXNlcj1hbGljZQFhdXRoPUJlYXJlciB0b2suZW4tMQEB", AD_CHECK, "")
		&& cred_is("alice\0tok.en-1\0\0xoauth2\0", 24) && d.method == AD_METHOD_XOAUTH2
		&& authdialog_block_ok(d.cred, d.cred_len, &d), "XOAUTH2 block");
	ok(result(1, AD_CONTINUE, "-ERR [AUTH] authentication failed\r\n"), "refused");
	static const char *const bad_x[] = {
		"dXNlcj0BYXV0aD1CZWFyZXIgdAEB", "dXNlcj1hbGljZQFhdXRoPUJlYXJlciB0AQ==",
		"dXNyPWFsaWNlAWF1dGg9QmVhcmVyIHQBAQ==", "dXNlcj1hbGljZQEB",
	};
	all = 1;
	for (size_t i = 0; i < sizeof bad_x / sizeof bad_x[0]; i++) {
		char line[128] = "AUTH XOAUTH2 ";
		strcat(line, bad_x[i]);
		all &= says(line, AD_CONTINUE, "-ERR malformed XOAUTH2 response\r\n");
	}
	ok(all, "XOAUTH2: empty user, no end, no user=, no token");
	ok(!BLOCK_OK("u\0tok\0<x>\0oauthbearer\0") && !BLOCK_OK("u\0tok\0<x>\0xoauth2\0")
		&& BLOCK_OK("u\0tok\0\0xoauth2\0"), "block: OAuth with no timestamp only");
	cfg.oauth = false;
	authdialog_start(&d, &cfg, "123.456.abcdef");
	ok(!BLOCK_OK("u\0tok\0\0oauthbearer\0") && !BLOCK_OK("u\0tok\0\0xoauth2\0"),
		"block: OAuth refused when it is off");
}

int main(void)
{
	test_base64();
	test_lineexact();
	test_dialog();
	test_login();
	test_utf8();
	test_cram();
	test_block_ok();
	test_oauth();
	printf("1..%d\n", test_no);
	return failures != 0;
}
