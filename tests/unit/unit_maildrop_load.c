/* unit_maildrop_load: pop3d's scan list loader (pop3d/maildrop.c) on the
 * paths its speed work added: UIDs checked a few lines after their own
 * (a duplicate is still reported at its own line, and before any later
 * failure), and the one-pass split of well-formed lines (a line it
 * refuses must get the same reason as before). */
#include "maildrop.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A list of N messages "1 uI cur/I" (sizes 1), with message DUP_AT (if
 * >= 0) given message DUP_OF's UID and line BAD_AT (if >= 0) replaced by
 * BAD; COUNT in the header. */
static char *make_list(int n, int count, int dup_at, int dup_of, int bad_at,
                       const char *bad, size_t *len)
{
	size_t cap = (size_t)n * 64 + 256;
	char *text = malloc(cap);
	size_t l = (size_t)sprintf(text, "pop3scan 1 %d %d\n", count, n);
	for (int i = 0; i < n; i++) {
		if (i == bad_at)
			l += (size_t)sprintf(text + l, "%s\n", bad);
		else
			l += (size_t)sprintf(text + l, "1 u%d cur/%d,W=1:2,\n",
			                     i == dup_at ? dup_of : i, i);
	}
	*len = l;
	return text;
}

static void expect(int n, int count, int dup_at, int dup_of, int bad_at, const char *bad,
                   int want_r, const char *want_why, uint64_t want_line, const char *what)
{
	size_t len;
	char *text = make_list(n, count, dup_at, dup_of, bad_at, bad, &len);
	struct maildrop m;
	const char *why = "";
	uint64_t lineno = 0;
	int r = maildrop_load_buffer(&m, text, len, &why, &lineno);
	int good = r == want_r && (want_r == 0 || (strcmp(why, want_why) == 0 && lineno == want_line));
	ok(good, what);
	if (!good)
		printf("# got r=%d why=%s line=%llu\n", r, why, (unsigned long long)lineno);
	if (r == 0)
		maildrop_free(&m);
	free(text);
}

static void test_duplicates(void)
{
	expect(1000, 1000, -1, 0, -1, NULL, 0, NULL, 0, "1000 distinct UIDs load");
	expect(1000, 1000, 1, 0, -1, NULL, -1, "duplicate UID", 3,
	       "a duplicate of the first UID on line 3 is reported there");
	expect(1000, 1000, 999, 998, -1, NULL, -1, "duplicate UID", 1001,
	       "a duplicate on the last line is reported at the end, at its line");
	for (int at = 10; at < 40; at += 5) {
		char what[128];
		snprintf(what, sizeof what, "a duplicate on line %d is reported at its line", at + 2);
		expect(1000, 1000, at, 3, -1, NULL, -1, "duplicate UID", (uint64_t)at + 2, what);
	}
	expect(1000, 1000, 500, 20, 505, "x u999999 cur/x", -1, "duplicate UID", 502,
	       "a duplicate comes before a bad size five lines after it");
	expect(1000, 1000, 500, 20, 520, "1 u999999 cur/x y", -1, "duplicate UID", 502,
	       "a duplicate comes before a malformed line twenty lines after it");
	expect(30, 20, 15, 1, -1, NULL, -1, "duplicate UID", 17,
	       "a duplicate comes before more messages than the header says");
	expect(20, 30, 18, 2, -1, NULL, -1, "duplicate UID", 20,
	       "a duplicate comes before fewer messages than the header says");
	expect(100, 100, -1, 0, 50, "1 u50 cur/a\rb", -1, "CR in scan list", 52,
	       "a CR in a path is refused as before");
	expect(100, 100, -1, 0, 50, "1 u50 cur/a b", -1, "message line needs SIZE UID WHERE", 52,
	       "a fourth field is refused as before");
	expect(100, 100, -1, 0, 50, "1 u50 ", -1, "message line needs SIZE UID WHERE", 52,
	       "an empty WHERE is refused as before");
	expect(100, 100, -1, 0, 50, "1 u\x7f" "50 cur/x", -1, "bad UID", 52,
	       "a UID octet above 0x7E is refused as before");
	expect(100, 100, -1, 0, 50, "1 u12345678901234567890123456789012345678901234567890"
	       "12345678901234567890 cur/x", -1, "bad UID", 52, "a 71-octet UID is refused as before");
	expect(100, 100, -1, 0, 50, "18446744073709551616 u50 cur/x", -1, "bad size", 52,
	       "a size over 2^64-1 is refused as before");
}

/* The NUL check of a path, which a C string cannot carry into make_list. */
static void test_nul(void)
{
	static const char text[] = "pop3scan 1 2 2\n1 a cur/a\n1 b cur/b\0c\n";
	struct maildrop m;
	const char *why = "";
	uint64_t lineno = 0;
	int r = maildrop_load_buffer(&m, text, sizeof text - 1, &why, &lineno);
	ok(r < 0 && strcmp(why, "NUL in path") == 0 && lineno == 3, "a NUL in a path is refused as before");
}

int main(void)
{
	test_duplicates();
	test_nul();
	printf("1..%d\n", test_no);
	return failures != 0;
}
