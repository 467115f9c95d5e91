/* unit_maildir_olduidl.c: the records Dovecot and Courier leave in a
 * Maildir, as they write them and broken in the ways a file can be
 * (maildirscan/olduidl.c). */
#include "die.h"
#include "olduidl.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static struct olduidl t;

static int parse(int dovecot, const char *text, size_t len)
{
	const char *why;
	olduidl_free(&t);
	return dovecot ? olduidl_parse_dovecot(&t, text, len, &why)
	               : olduidl_parse_courier(&t, text, len, &why);
}

static int parse_s(int dovecot, const char *text)
{
	return parse(dovecot, text, strlen(text));
}

/* The id of NAME is WANT (NULL: none). */
static int id_is(const char *name, const char *want)
{
	size_t n;
	const char *id = olduidl_find(&t, name, strlen(name), &n);
	if (!want)
		return id == NULL;
	return id && n == strlen(want) && memcmp(id, want, n) == 0 && id[n] == '\0';
}

/* Written by Dovecot 2.3 after one POP3 session; uidvalidity 0x6553F100. */
static const char dovecot_file[] =
	"3 V1700000000 N5 G3a1f0c2b9e8d7c6b5a4f3e2d1c0b9a88\n"
	"1 :1700000000.M1P1.host,S=120\n"
	"2 W130 :1700000001.M2P1.host,S=125,W=130\n"
	"3 P9ad00c41b7e8 GUID :1700000002.M3P1.host\n"
	"4 :1700000003.M4P1.host\n";

static void dovecot_good(void)
{
	ok(parse_s(1, dovecot_file) == 0 && t.count == 4 && t.ignored == 0,
	   "dovecot: a file as Dovecot writes it gives an entry a message");
	ok(id_is("1700000000.M1P1.host,S=120", "000000016553f100"),
	   "dovecot: uid then uidvalidity, 8 lower-case hex digits each");
	ok(id_is("1700000001.M2P1.host,S=125,W=130", "000000026553f100"),
	   "dovecot: size fields before the name are skipped");
	ok(id_is("1700000002.M3P1.host", "9ad00c41b7e8"), "dovecot: a saved pop3_uidl (P) wins");
	ok(id_is("1700000000.M1P1.host", NULL),
	   "dovecot: the key is the whole name up to ':', its ,S= included");
	ok(id_is("1700000009.M9P9.host", NULL), "dovecot: mail after the switch has no entry");
	ok(parse_s(1, "1 1234 7\n3 1700000000.a:2,S\n") == 0 &&
	   id_is("1700000000.a", "00000003000004d2"), "dovecot: the version 1 form, flags cut off");
}

static void dovecot_bad(void)
{
	ok(parse_s(1, "2 V1 N2\n1 :a\n") < 0 && t.count == 0, "dovecot: version 2 refused whole");
	ok(parse_s(1, "3 N5 G00\n1 :a\n") < 0, "dovecot: no uidvalidity refuses the file");
	ok(parse_s(1, "3 V99999999999 N5\n1 :a\n") < 0, "dovecot: a uidvalidity over 32 bits refuses it");
	ok(parse_s(1, "") < 0 && parse_s(1, "3 V1 N2") < 0, "dovecot: empty, or a header cut off");
	const char lines[] =
		"3 V16 N9\n"
		"0 :zero\n"                       /* uid 0 is no uid */
		"4294967296 :big\n"               /* over 32 bits */
		"x1 :letter\n"
		"2 Pabc\n"                        /* no ":NAME" */
		"3 :with/slash\n"
		"5 P\x01 :ctl\n"                  /* a pop3_uidl pop3d cannot send */
		"6 :ok6\n"
		"6 :again\n"                      /* uids must grow */
		"7 :cut";                         /* the file ends inside a line */
	ok(parse(1, lines, sizeof lines - 1) == 0 && t.count == 1 && t.ignored == 8,
	   "dovecot: each malformed line is ignored, the good one kept");
	ok(id_is("ok6", "0000000600000010") && id_is("zero", NULL) && id_is("big", NULL) &&
	   id_is("again", NULL) && id_is("cut", NULL) && id_is("ctl", NULL),
	   "dovecot: no id for a name from a bad line");
	const char nul[] = "3 V1 N3\n1 :a\0b\n2 :c\n";
	ok(parse(1, nul, sizeof nul - 1) == 0 && t.count == 1 && id_is("c", "0000000200000001") &&
	   id_is("a", NULL), "dovecot: a line with a NUL is ignored");
	ok(parse_s(1, "3 V1 N3\n1 :same\n2 :same\n") == 0 && id_is("same", "0000000200000001"),
	   "dovecot: a name listed twice takes the later line, as Dovecot does");
	char *big = malloc(OLDUIDL_LINE_MAX + 64);
	if (!big)
		die_nomem();
	strcpy(big, "3 V1 N3\n1 :");
	size_t n = strlen(big);
	memset(big + n, 'x', OLDUIDL_LINE_MAX);
	strcpy(big + n + OLDUIDL_LINE_MAX, "\n2 :y\n");
	ok(parse_s(1, big) == 0 && t.count == 1 && id_is("y", "0000000200000001"),
	   "dovecot: an overlong line is ignored");
	free(big);
}

/* Written by Courier's pop3d (version 3), and one line of version 2. */
static const char courier_file[] =
	"/3 5 1700000500\n"
	"1700000000.M1P1.host,S=120:2,S 124 1:1700000500:0\n"
	"1700000001.M2P1.host,S=125 129 2:1700000500:1\n"
	"1700000002.M3P1.host 40 3:0:0\n"
	"1700000003.M4P1.host 50 4:1690000000\n";

static void courier(void)
{
	ok(parse_s(0, courier_file) == 0 && t.count == 4 && t.ignored == 0,
	   "courier: a file as Courier writes it gives an entry a message");
	ok(id_is("1700000000.M1P1.host,S=120", "UID1-1700000500"),
	   "courier: UID<uid>-<uidvalidity>, keyed by the name up to ':'");
	ok(id_is("1700000001.M2P1.host,S=125", "UID2-1700000500"), "courier: the utf8 flag is read past");
	ok(id_is("1700000002.M3P1.host", "UID3"), "courier: a uidvalidity of 0 gives UID<uid>");
	ok(id_is("1700000003.M4P1.host", "UID4-1690000000"), "courier: a version 2 line");
	ok(parse_s(0, "/2 5\nname 3 7:9\n") == 0 && id_is("name", "UID7-9"),
	   "courier: version 2 header without uidvalidity");
	ok(parse_s(0, "/4 5 6\nname 3 7:9\n") < 0 && t.count == 0, "courier: version 4 refused whole");
	ok(parse_s(0, "3 5 6\nname 3 7:9\n") < 0 && parse_s(0, "/3\n") < 0,
	   "courier: a header without '/' or next uid refused");
	const char lines[] =
		"/3 9 5\n"
		"nosize 1:5:0\n"
		"neg -3 2:5:0\n"
		"zero 3 0:5:0\n"                  /* no number: Courier's name form */
		"huge 3 99999999999999999999999:5:0\n"
		"colon 3 4:5:x\n"
		" 3 5:5:0\n"                      /* no name */
		"two 3 6:5:0\n"
		"two 3 7:5:0\n"                   /* listed twice, two ids */
		"dup 3 8:5:0\n"
		"dup 3 8:5:0\n"                   /* listed twice, one id */
		"good 3 9:5:0\n";
	ok(parse_s(0, lines) == 0 && id_is("good", "UID9-5") && id_is("dup", "UID8-5"),
	   "courier: the good lines of a damaged file");
	ok(id_is("nosize", NULL) && id_is("neg", NULL) && id_is("zero", NULL) &&
	   id_is("huge", NULL) && id_is("colon", NULL) && id_is("two", NULL),
	   "courier: no id from a bad line nor for a name given two ids");
	const char nul[] = "/3 2 1\nab\0 3 1:1:0\nc 3 2:1:0\n";
	ok(parse(0, nul, sizeof nul - 1) == 0 && t.count == 1 && id_is("c", "UID2-1"),
	   "courier: a line with a NUL is ignored");
}

int main(void)
{
	log_silence();
	dovecot_good();
	dovecot_bad();
	courier();
	olduidl_free(&t);
	printf("1..%d\n", test_no);
	return failures != 0;
}
