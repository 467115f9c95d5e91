/* unit_maildir_name.c: Maildir file names of the writers met in the
 * field (qmail, Courier/maildrop, Dovecot), the UIDL mapping and flag
 * edits (maildirscan/maildirname.c). */
#include "maildirname.h"

#include <stdio.h>
#include <string.h>

static int test_no;
static int failures;

static void check(int cond, const char *what)
{
	test_no++;
	if (!cond)
		failures++;
	printf("%sok %d - %s\n", cond ? "" : "not ", test_no, what);
}

static struct maildir_name parse(const char *name)
{
	struct maildir_name n;
	maildir_name_parse(name, strlen(name), &n);
	return n;
}

static int flag_is(const char *name, char flag, const char *want, int want_k)
{
	char out[64];
	int k = maildir_name_add_flag(name, flag, out, sizeof out);
	if (k != want_k)
		return 0;
	return k != 1 || strcmp(out, want) == 0;
}

int main(void)
{
	struct maildir_name n;

	n = parse("1700000000.12345.mail.example.org");
	check(n.unique_len == 33 && n.base_len == 33 && !n.has_info &&
	      n.has_seconds && n.seconds == 1700000000 && n.usec == 0 &&
	      !n.has_s && !n.has_w, "qmail name: time.pid.host, no sizes, no info");

	n = parse("1700000000.M123456P789.host,S=1234,W=1260:2,S");
	check(n.unique_len == 27 && n.base_len == 41 && n.has_info &&
	      n.seconds == 1700000000 && n.usec == 123456 &&
	      n.has_s && n.size_s == 1234 && n.has_w && n.size_w == 1260,
	      "Dovecot name: M microseconds, S= and W=, info");

	n = parse("1700000000.M5P7V0000000000000803I00000000000ab1e1_0.host,S=12:2,");
	check(n.usec == 5 && n.has_s && n.size_s == 12 && !n.has_w && n.has_info,
	      "Courier/maildrop name: S= only (a read is still needed)");

	n = parse("1700000000.P7M99.host");
	check(n.usec == 99, "M found after other letter-number pairs");

	n = parse("1700000000.R3f2aM99.host");
	check(n.usec == 0 && n.has_seconds, "middle field not made of pairs: no microseconds");

	n = parse("abc,W=12x:2,");
	check(!n.has_w && !n.has_seconds && n.unique_len == 3, "malformed W= not trusted; no time");
	n = parse("1.x,W=,S=:2,");
	check(!n.has_w && !n.has_s, "empty W= and S= not trusted");
	n = parse("1.x,W=99999999999999999999999");
	check(!n.has_w, "overflowing W= not trusted");
	n = parse("1.x,W=5,W=7");
	check(n.has_w && n.size_w == 5, "first W= wins");
	n = parse("1.x:2,W=5");
	check(!n.has_w && n.base_len == 3, "W= inside the info is not a size");
	n = parse("1.x,W=5:2,S:W=6");
	check(n.size_w == 5 && n.base_len == 7, "info starts at the first colon");
	n = parse("99999999999999999999999.x");
	check(!n.has_seconds, "overflowing time: no time");
	n = parse("");
	check(n.unique_len == 0 && !n.has_seconds, "empty name");

	char uid[UID_MAX + 1];
	size_t len = maildir_uid("1700000000.M1P2.host", 20, uid);
	check(len == 20 && strcmp(uid, "1700000000.M1P2.host") == 0, "valid unique part is its own UIDL");
	char long_part[80];
	memset(long_part, 'a', sizeof long_part);
	len = maildir_uid(long_part, 71, uid);
	check(len == 33 && uid[0] == '~' && strcmp(uid, "~") > 0 &&
	      strspn(uid + 1, "0123456789abcdef") == 32, "71-octet part mapped to ~ and 32 hex digits");
	len = maildir_uid(long_part, 70, uid);
	check(len == 70, "70-octet part kept");
	char a[UID_MAX + 1], b[UID_MAX + 1];
	maildir_uid("caf\xc3\xa9", 5, a);
	maildir_uid("caf\xc3\xa8", 5, b);
	check(a[0] == '~' && b[0] == '~' && strcmp(a, b) != 0, "8-bit parts mapped, and kept distinct");
	maildir_uid("", 0, a);
	check(strcmp(a, "~d41d8cd98f00b204e9800998ecf8427e") == 0, "empty part maps to the digest of nothing");
	maildir_uid("a b", 3, a);
	maildir_uid("a b", 3, b);
	check(strcmp(a, b) == 0 && a[0] == '~', "mapping is deterministic");

	check(flag_is("1.x.host:2,RT", 'S', "1.x.host:2,RST", 1), "S goes in ASCII order");
	check(flag_is("1.x.host:2,", 'S', "1.x.host:2,S", 1), "S added to empty flags");
	check(flag_is("1.x.host:2,S", 'S', NULL, 0), "S already there: unchanged");
	check(flag_is("1.x.host", 'S', "1.x.host:2,S", 1), "no info: :2,S appended");
	check(flag_is("1.x.host:1,exp", 'S', NULL, 0), "info of another kind left alone");
	check(flag_is("1.x.host,S=5:2,Fabc", 'S', "1.x.host,S=5:2,FSabc", 1),
	      "Dovecot keywords (lower case) stay after the flags");
	char small[8];
	check(maildir_name_add_flag("1.x.host:2,", 'S', small, sizeof small) == -1, "too small a buffer refused");

	printf("1..%d\n", test_no);
	return failures != 0;
}
