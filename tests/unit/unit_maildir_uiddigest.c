/* unit_maildir_uiddigest.c: lib/uiddigest against digests computed
 * apart (xxhsum -H2 over the expected normalised header), and its
 * independence from line ends and from how the input is cut. */
#include "uiddigest.h"

#include <stdio.h>
#include <stdlib.h>
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

/* Digest of MSG fed in chunks of CHUNK octets (0: all at once). */
static void digest(const char *msg, size_t len, size_t chunk,
                   char hex[UIDDIGEST_HEXLEN + 1], char xuidl[71])
{
	struct uiddigest d;
	uiddigest_init(&d);
	if (chunk == 0)
		chunk = len ? len : 1;
	for (size_t i = 0; i < len; i += chunk)
		uiddigest_feed(&d, msg + i, len - i < chunk ? len - i : chunk);
	uiddigest_final(&d, hex);
	if (xuidl)
		strcpy(xuidl, d.xuidl);
}

static int digest_is(const char *msg, const char *want)
{
	char hex[UIDDIGEST_HEXLEN + 1];
	digest(msg, strlen(msg), 0, hex, NULL);
	if (strcmp(hex, want) != 0)
		fprintf(stderr, "# got %s want %s\n", hex, want);
	return strcmp(hex, want) == 0;
}

static int same_digest(const char *a, const char *b)
{
	char ha[UIDDIGEST_HEXLEN + 1], hb[UIDDIGEST_HEXLEN + 1];
	digest(a, strlen(a), 0, ha, NULL);
	digest(b, strlen(b), 0, hb, NULL);
	return strcmp(ha, hb) == 0;
}

/* Every split into two chunks, and one octet at a time, give the
 * digest of the whole. */
static int chunk_independent(const char *msg, size_t len)
{
	char whole[UIDDIGEST_HEXLEN + 1], part[UIDDIGEST_HEXLEN + 1];
	char xw[71], xp[71];
	digest(msg, len, 0, whole, xw);
	digest(msg, len, 1, part, xp);
	if (strcmp(whole, part) || strcmp(xw, xp))
		return 0;
	for (size_t cut = 0; cut <= len; cut++) {
		struct uiddigest d;
		uiddigest_init(&d);
		uiddigest_feed(&d, msg, cut);
		uiddigest_feed(&d, msg + cut, len - cut);
		uiddigest_final(&d, part);
		if (strcmp(whole, part) || strcmp(xw, d.xuidl))
			return 0;
	}
	return 1;
}

static const char plain[] =
	"From: a@example.org\nTo: b@example.org\nSubject: hi\n\nbody\n";

int main(void)
{
	check(digest_is(plain, "8c28ef9552e5a6eb5b6e49b55efbfbb9"),
	      "header block with LF line ends, body ignored");
	check(digest_is("From: a@example.org\r\nTo: b@example.org\r\n"
	                "Subject: hi\r\n\r\nother body\r\n",
	                "8c28ef9552e5a6eb5b6e49b55efbfbb9"),
	      "CR LF copy of the same header gives the same id");
	check(digest_is("", "99aa06d3014798d86001c324468d497f"),
	      "empty message: digest of nothing");
	check(digest_is("\nFrom: not a header\n", "99aa06d3014798d86001c324468d497f"),
	      "message starting with the empty line has an empty header");
	check(digest_is("From: a\n", "016a7db28671b75bce78825f6571fd33") &&
	      digest_is("From: a", "016a7db28671b75bce78825f6571fd33"),
	      "header with no empty line ends at end of input, final LF implied");
	check(same_digest(plain,
	                  "Status: RO\nFrom: a@example.org\nX-Status: A\n"
	                  "To: b@example.org\nX-UID: 12\nX-Keywords: $Junk\n"
	                  "\tfolded keyword\nX-IMAP: 1 2\nX-IMAPbase: 3 4\n"
	                  "content-length : 5\nSubject: hi\nX-UIDL: abc\n\nbody\n"),
	      "Status, X-Status, X-UID, X-Keywords (and continuation), X-IMAP, "
	      "X-IMAPbase, Content-Length, X-UIDL left out");
	check(!same_digest(plain,
	                   "From: a@example.org\nTo: b@example.org\n"
	                   "Subject: hi\nX-Statusx: 1\n\n"),
	      "a field merely starting with a left-out name counts");
	check(digest_is("From: a@example.org\nSubject: folded\n continued\n\n",
	                "855e5c0d8e393c055cdcc0e0876ce013"),
	      "continuation of a kept field is kept");
	{
		char *msg = malloc(3000);
		memset(msg, 'X', 1500);
		strcpy(msg + 1500, "\r\nSubject: y\n\n");
		char *at998 = malloc(3000);
		memset(at998, 'X', 998);
		strcpy(at998 + 998, "\r\nSubject: y\n\n");
		check(digest_is(msg, "7185b22906b8c0ed65ba35f8d7c1b866") &&
		      digest_is(at998, "7185b22906b8c0ed65ba35f8d7c1b866"),
		      "lines over 998 octets count by their first 998");
		memset(at998, 'X', 999);
		strcpy(at998 + 999, "\r\nSubject: y\n\n");
		check(digest_is(at998, "7185b22906b8c0ed65ba35f8d7c1b866"),
		      "999 octets and CR LF: cut at 998, CR not taken for content");
		check(chunk_independent(msg, strlen(msg)) &&
		      chunk_independent(at998, strlen(at998)),
		      "long lines: every split gives the same id");
		free(msg);
		free(at998);
	}
	{
		char hex[UIDDIGEST_HEXLEN + 1], x[71];
		digest("From: a\nX-UIDL:  qpop-123.abc \nX-UIDL: second\n\n", 47, 0, hex, x);
		check(strcmp(x, "qpop-123.abc") == 0, "X-UIDL value reported, blanks trimmed, first wins");
		digest("From: a\nX-UIDL: has space\n\n", 27, 0, hex, x);
		check(x[0] == '\0', "X-UIDL with a space inside is not valid");
		char big[200];
		strcpy(big, "X-UIDL: ");
		memset(big + 8, 'u', 71);
		strcpy(big + 79, "\n\n");
		digest(big, strlen(big), 0, hex, x);
		check(x[0] == '\0', "X-UIDL of 71 octets is not valid");
		big[8 + 70] = '\n';
		big[8 + 71] = '\n';
		big[8 + 72] = '\0';
		digest(big, strlen(big), 0, hex, x);
		check(strlen(x) == 70, "X-UIDL of 70 octets is valid");
		digest("From: a\n\nX-UIDL: body\n", 22, 0, hex, x);
		check(x[0] == '\0', "X-UIDL in the body is not looked at");
	}
	{
		static const char mixed[] =
			"Return-Path: <x@y>\r\nStatus: O\nX-Keywords: a\r\n b\r\n"
			"X-UIDL: id-1\r\nSubject: =?utf-8?q?x?=\r\n\tmore\r\nBare\rCR: 1\n"
			"\r\nbody\r\n";
		check(chunk_independent(mixed, strlen(mixed)),
		      "mixed line ends: every split and octet-by-octet give the same id and X-UIDL");
		check(chunk_independent(plain, strlen(plain)), "plain: every split gives the same id");
	}
	{
		struct uiddigest d;
		uiddigest_init(&d);
		int r1 = uiddigest_feed(&d, "From: a\n", 8);
		int r2 = uiddigest_feed(&d, "\nbody", 5);
		check(r1 == 0 && r2 == 1, "feed reports the end of the header");
	}
	{
		/* mboxsplit spares msgfilter a header with no left-out line
		 * (mboxsplit/index.c): every field MSGF_HIDE_STATUS hides must
		 * be one. */
		static const char *const hidden[] = { "Status: RO", "X-Status: A", "X-UID: 7",
			"X-Keywords: x", "X-IMAP: 1", "X-IMAPbase: 1 2", "Content-Length: 9",
			"status:O", "CONTENT-LENGTH:1" };
		int all = 1;
		for (size_t i = 0; i < sizeof hidden / sizeof *hidden; i++) {
			char msg[64];
			snprintf(msg, sizeof msg, "From: a\n%s\n\nbody\n", hidden[i]);
			struct uiddigest d;
			uiddigest_init(&d);
			uiddigest_feed(&d, msg, strlen(msg));
			all &= d.left_out;
		}
		struct uiddigest d;
		uiddigest_init(&d);
		uiddigest_feed(&d, "Subject: Status\nX-Statusx: 1\n\n", 30);
		check(all && !d.left_out, "left_out: set by every field msgfilter hides, not by others");
	}
	printf("1..%d\n", test_no);
	return failures != 0;
}
