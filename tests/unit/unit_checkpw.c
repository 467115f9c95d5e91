/* unit_checkpw: TAP tests of checkpw's pure parts: the fd 3 format, name
 * checks, APOP digests, constant-time comparison, %-templates, virtual
 * records and shadow expiry. */
#include "../../checkpw/creds.h"
#include "../../checkpw/secret.h"
#include "../../checkpw/sysauth.h"
#include "../../checkpw/template.h"
#include "../../checkpw/vuser.h"

#include <crypt.h>
#include <stdio.h>
#include <string.h>

static int test_no, failures;

static void ok(int cond, const char *what)
{
	test_no++;
	if (!cond)
		failures++;
	printf("%sok %d - %s\n", cond ? "" : "not ", test_no, what);
}

#define PARSE(lit) creds_parse(lit, sizeof lit - 1, &c)

static void test_creds(void)
{
	struct creds c;
	char big[CREDS_MAX + 1];

	ok(PARSE("joe\0pw\0<1.2@h>\0") && c.user_len == 3 &&
	   !memcmp(c.user, "joe", 3) && c.secret_len == 2 &&
	   c.timestamp_len == 7 && !memcmp(c.timestamp, "<1.2@h>", 7),
	   "creds: three fields");
	ok(PARSE("joe\0pw\0\0") && c.timestamp_len == 0, "creds: empty timestamp");
	ok(PARSE("\0\0\0") && c.user_len == 0 && c.secret_len == 0,
	   "creds: three empty fields parse (the name check refuses later)");
	ok(!creds_parse("", 0, &c), "creds: empty input refused");
	ok(!PARSE("joe pw ts"), "creds: no NUL refused");
	ok(!PARSE("joe\0pw\0"), "creds: missing timestamp refused");
	ok(!PARSE("joe\0pw\0ts"), "creds: unterminated timestamp refused");
	ok(!PARSE("joe\0pw\0ts\0x"), "creds: bytes after the timestamp refused");
	ok(!PARSE("joe\0pw\0ts\0\0"), "creds: an empty fourth field refused");
	ok(PARSE("joe\0d\0<c>\0cram-md5\0") && creds_method_is(&c, CREDS_CRAM)
	   && c.timestamp_len == 3 && c.method_len == 8, "creds: a fourth field, the method");
	ok(PARSE("joe\0pw\0\0") && c.method == NULL && !creds_method_is(&c, CREDS_CRAM),
	   "creds: three fields, no method");
	ok(PARSE("joe\0d\0<c>\0cram-md\0") && !creds_method_is(&c, CREDS_CRAM),
	   "creds: another method is not CRAM-MD5");
	ok(!PARSE("joe\0d\0<c>\0cram-md5\0x\0"), "creds: a fifth field refused");
	ok(!PARSE("joe\0d\0<c>\0cram-md5"), "creds: unterminated method refused");
	memset(big, 'a', sizeof big);
	big[0] = 'u', big[1] = '\0', big[2] = 'p', big[3] = '\0';
	big[CREDS_MAX - 1] = '\0';
	ok(creds_parse(big, CREDS_MAX, &c) && c.timestamp_len == CREDS_MAX - 5,
	   "creds: exactly 512 octets accepted");
	big[CREDS_MAX - 1] = 'a';
	big[CREDS_MAX] = '\0';
	ok(!creds_parse(big, CREDS_MAX + 1, &c), "creds: 513 octets refused");
}

static int split(const char *s, size_t *at)
{
	return login_split(s, strlen(s), at);
}

static void test_names(void)
{
	size_t at;
	char local65[66];
	memset(local65, 'a', 65);
	local65[65] = '\0';

	ok(split("joe", &at) && at == 3, "login: plain name");
	ok(split("joe.smith@example.org", &at) && at == 9, "login: user@domain");
	ok(split("a.b-c_d+e", &at), "login: dots, dashes, plus");
	ok(!split("", &at), "login: empty refused");
	ok(!split("../etc", &at), "login: ../ refused");
	ok(!split("a..b", &at), "login: .. inside refused");
	ok(!split("..", &at), "login: .. refused");
	ok(!split(".", &at), "login: . refused");
	ok(!split("a/b", &at), "login: slash refused");
	ok(!split("joe@..", &at), "login: .. domain refused");
	ok(!split("joe@a/b", &at), "login: slash in domain refused");
	ok(!split("-joe", &at), "login: leading dash refused");
	ok(!split("jo e", &at), "login: space refused");
	ok(!split("jo\te", &at), "login: tab refused");
	ok(!split("jo\x7f", &at), "login: DEL refused");
	ok(!split("jo\xc3\xa9", &at), "login: 8-bit refused");
	ok(!split("a:b", &at) && !split("a%d", &at) && !split("a\\b", &at),
	   "login: colon, percent, backslash refused");
	ok(!split("a@b@c", &at), "login: two @ refused");
	ok(!split("@example.org", &at), "login: empty local part refused");
	ok(!split("joe@", &at), "login: empty domain refused");
	ok(!split(local65, &at), "login: 65-octet local part refused");
	local65[64] = '\0';
	ok(split(local65, &at), "login: 64-octet local part accepted");
}

static void test_apop(void)
{
	/* RFC 1939, section 7. */
	static const char ts[] = "<1896.697170952@dbc.mtview.ca.us>";
	char hex[33];
	apop_digest(ts, strlen(ts), "tanstaaf", 8, hex);
	ok(!strcmp(hex, "c4c9334bac560ecc979e58001b3e22fb"),
	   "apop: RFC 1939 example digest");
	ok(secret_check_apop("c4c9334bac560ecc979e58001b3e22fb", 32, ts,
			     strlen(ts), "tanstaaf", 8),
	   "apop: right digest accepted");
	ok(secret_check_apop("C4C9334BAC560ECC979E58001B3E22FB", 32, ts,
			     strlen(ts), "tanstaaf", 8),
	   "apop: upper-case digest accepted");
	ok(!secret_check_apop("c4c9334bac560ecc979e58001b3e22fa", 32, ts,
			      strlen(ts), "tanstaaf", 8),
	   "apop: last digit wrong refused");
	ok(!secret_check_apop("c4c9334bac560ecc979e58001b3e22f", 31, ts,
			      strlen(ts), "tanstaaf", 8),
	   "apop: short digest refused");
	struct creds c = { .user = "u",
			   .secret = "c4c9334bac560ecc979e58001b3e22fb",
			   .timestamp = ts, .user_len = 1, .secret_len = 32,
			   .timestamp_len = strlen(ts) };
	ok(creds_is_apop_shaped(&c), "apop: shape recognised");
	c.timestamp_len = 0;
	ok(!creds_is_apop_shaped(&c), "apop: no timestamp, not APOP");
	c.timestamp_len = strlen(ts);
	c.secret = "c4c9334bac560ecc979e58001b3e22fg";
	ok(!creds_is_apop_shaped(&c), "apop: non-hex secret, not APOP");
}

/* RFC 2195's example, and HMAC-MD5 vectors of RFC 2104 and RFC 2202
 * (a key longer than the block is hashed first). */
static void test_cram(void)
{
	const char *ch = "<1896.697170952@postoffice.reston.mci.net>";
	char out[33], key[80];
	ok(secret_check_cram("b913a602c7eda7a495b4e6e7334d3890", 32, ch, strlen(ch),
			     "tanstaaftanstaaf", 16), "cram: RFC 2195 example");
	ok(secret_check_cram("B913A602C7EDA7A495B4E6E7334D3890", 32, ch, strlen(ch),
			     "tanstaaftanstaaf", 16), "cram: upper-case digest");
	ok(!secret_check_cram("b913a602c7eda7a495b4e6e7334d3891", 32, ch, strlen(ch),
			      "tanstaaftanstaaf", 16), "cram: last digit wrong refused");
	ok(!secret_check_cram("b913a602c7eda7a495b4e6e7334d3890", 32, ch, strlen(ch),
			      "tanstaaftanstaa", 15), "cram: wrong secret refused");
	cram_digest("what do ya want for nothing?", 28, "Jefe", 4, out);
	ok(strcmp(out, "750c783e6ab0b503eaa86e310a5db738") == 0, "cram: RFC 2104 vector");
	memset(key, 0xaa, sizeof key);
	cram_digest("Test Using Larger Than Block-Size Key - Hash Key First", 54,
		    key, 80, out);
	ok(strcmp(out, "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd") == 0,
	   "cram: key longer than a block (RFC 2202)");
	memset(key, 'k', 64);
	char longer[33];
	cram_digest("c", 1, key, 64, out);
	cram_digest("c", 1, key, 65, longer);
	ok(strcmp(out, longer) != 0, "cram: 64- and 65-octet keys differ");
}

static void test_compare(void)
{
	ok(ct_equal("abc", 3, "abc", 3), "ct_equal: equal");
	ok(!ct_equal("abc", 3, "abd", 3), "ct_equal: last octet differs");
	ok(!ct_equal("abc", 3, "abcd", 4), "ct_equal: prefix is not equal");
	ok(ct_equal("", 0, "", 0), "ct_equal: empty equal");

	struct crypt_data data;
	char setting[CRYPT_GENSALT_OUTPUT_SIZE], hash[CRYPT_OUTPUT_SIZE];
	memset(&data, 0, sizeof data);
	crypt_gensalt_rn("$6$", 0, NULL, 0, setting, sizeof setting);
	strcpy(hash, crypt_rn("right", setting, &data, sizeof data));
	ok(secret_check_crypt("right", hash), "crypt: right password");
	ok(!secret_check_crypt("wrong", hash), "crypt: wrong password");
	char locked[CRYPT_OUTPUT_SIZE + 1] = "!";
	strcat(locked, hash);
	ok(!secret_check_crypt("right", locked), "crypt: ! locks");
	ok(!secret_check_crypt("", ""), "crypt: empty hash refuses");
	ok(!secret_check_crypt("right", "*"), "crypt: * refuses");
	ok(secret_dummy_init("$5$") && !secret_dummy("x"),
	   "crypt: dummy refuses");
	ok(!secret_dummy_init("$unknown$"), "crypt: bad dummy setting refused");
}

static int expand(const char *t, const char *user, const char *domain,
		  const char *expect)
{
	char out[PATH_LIMIT];
	struct template_vars v = { user, domain, "/home/h", "10.0.0.1" };
	return template_expand(t, &v, out, sizeof out) && !strcmp(out, expect);
}

static void test_templates(void)
{
	char out[8];
	struct template_vars v = { "joe", NULL, NULL, NULL };
	ok(expand("/var/spool/popmail/%1/%d/%u", "joe", "example.org",
		  "/var/spool/popmail/j/example.org/joe"),
	   "template: host-based spool");
	ok(expand("/s/%2/%u%%/%h/%i", "joe", NULL, "/s/jo/joe%//home/h/10.0.0.1"),
	   "template: %2 %% %h %i");
	ok(expand("/s/%2", "j", NULL, "/s/j"), "template: %2 of a 1-octet name");
	ok(!template_expand("/x/%d", &v, out, sizeof out),
	   "template: %d without a domain fails");
	ok(!template_expand("/x/%q", &v, out, sizeof out),
	   "template: unknown code fails");
	ok(!template_expand("/x/%", &v, out, sizeof out),
	   "template: trailing % fails");
	ok(!template_expand("/abcdef/%u", &v, out, sizeof out),
	   "template: overflow fails");
	ok(template_uses("/a/%d.cdb", 'd') && !template_uses("/a/%%d", 'd'),
	   "template: uses %d, not %%d");
}

#define RECORD(lit) vuser_parse_record(lit, sizeof lit - 1, &r)

static void test_records(void)
{
	struct vrecord r;
	size_t name_len;

	ok(RECORD("1000:100:/home/joe:/var/mail/joe:{plain}a:b") &&
	   r.uid == 1000 && r.gid == 100 && r.kind == SECRET_PLAIN &&
	   r.secret_len == 3 && !memcmp(r.secret, "a:b", 3) &&
	   r.mailbox_len == 13 && r.home_len == 9,
	   "record: plain secret may hold a colon");
	ok(RECORD("1:2:/h::$6$salt$hash") && r.kind == SECRET_HASH &&
	   r.mailbox_len == 0, "record: hash, empty mailbox");
	ok(RECORD("1:2:/h::!$6$salt$hash") && r.kind == SECRET_LOCKED,
	   "record: ! locked");
	ok(RECORD("1:2:/h::") && r.kind == SECRET_LOCKED,
	   "record: empty secret locked");
	ok(RECORD("1:2:%h:%h/Maildir/:{plain}x"), "record: templates allowed");
	ok(!RECORD("x:2:/h::{plain}x"), "record: bad uid refused");
	ok(!RECORD("1:4294967296:/h::{plain}x"), "record: gid overflow refused");
	ok(!RECORD("1:2:h::{plain}x"), "record: relative home refused");
	ok(!RECORD("1:2:/h:mbox:{plain}x"), "record: relative mailbox refused");
	ok(!RECORD("1:2:/h:{plain}x"), "record: missing field refused");
	ok(!RECORD("1:2:/h::$6$a:b"), "record: colon in a hash refused");
	ok(!RECORD("1:2:/h::{plain}a\0b"), "record: NUL refused");
	ok(!RECORD("1:2:/h\tx::{plain}a"), "record: control character in HOME refused");
	ok(!RECORD("1:2:/h:/m\r:{plain}a"), "record: CR in MAILBOX refused");
	ok(vuser_parse_line("joe@example.org:1:2:/h::{plain}x", 32, &name_len,
			    &r) && name_len == 15,
	   "line: name and record");
	ok(!vuser_parse_line("../joe:1:2:/h::{plain}x", 23, &name_len, &r),
	   "line: traversal name refused");
}

static void test_expiry(void)
{
	ok(!shadow_expired(20000, 19990, 99999, -1, -1), "shadow: valid");
	ok(shadow_expired(20000, 19990, 99999, -1, 20000),
	   "shadow: expire date today refuses");
	ok(!shadow_expired(20000, 19990, 99999, -1, 20001),
	   "shadow: expire date tomorrow passes");
	ok(shadow_expired(20000, 19000, 30, 10, -1),
	   "shadow: password older than its maximum age refuses");
	ok(!shadow_expired(20000, 19990, 10, -1, -1),
	   "shadow: password at its maximum age passes");
	ok(shadow_expired(20000, 0, -1, -1, -1),
	   "shadow: last change 0 (must change) refuses");
	ok(!shadow_expired(20000, -1, -1, -1, -1),
	   "shadow: no aging passes");
}

int main(void)
{
	test_creds();
	test_names();
	test_apop();
	test_compare();
	test_cram();
	test_templates();
	test_records();
	test_expiry();
	printf("1..%d\n", test_no);
	return failures != 0;
}
