/* unit_logvalue: the one rule for values in log lines (logvalue.h). */
#include "logvalue.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

/* log_value of SRC (LEN octets) into CAP octets is EXPECT. */
static void is(const char *src, size_t len, size_t cap, const char *expect, const char *what)
{
	char out[256];
	memset(out, '#', sizeof out);
	log_value(out, cap, src, len);
	int good = strcmp(out, expect) == 0 && out[cap] == '#';
	if (!good)
		printf("# got [%s], want [%s]\n", out, expect);
	ok(good, what);
}

#define IS(s, expect, what) is(s, sizeof s - 1, 200, expect, what)

int main(void)
{
	IS("bob", "bob", "a plain name stands as it is");
	IS("bob@example.org", "bob@example.org", "@ and . pass");
	IS("a=b:c/d", "a=b:c/d", "= : / pass");
	IS("bob smith", "\"bob smith\"", "a space quotes the value");
	IS("evil user\" result=ok", "\"evil user\\x22 result=ok\"",
	   "a quote is escaped, so no field can be forged");
	IS("a\\b", "a\\x5cb", "a backslash is escaped");
	IS("a\033[2Jb", "a\\x1b[2Jb", "a terminal escape is escaped");
	IS("a\r\nb", "a\\x0d\\x0ab", "CR and LF cannot end the line");
	IS("a\tb", "a\\x09b", "a tab is escaped, not quoted");
	IS("\x7f\x80\xff", "\\x7f\\x80\\xff", "DEL and octets over 0x7f are escaped");
	is("a\0b", 3, 200, "a\\x00b", "NUL inside the length is escaped");
	IS("", "\"\"", "an empty value is \"\"");
	char out[16];
	ok(strcmp(log_value(out, sizeof out, NULL, 5), "-") == 0, "a missing value is -");
	ok(strcmp(log_value_str(out, sizeof out, NULL), "-") == 0, "log_value_str: NULL is -");
	ok(strcmp(log_value_str(out, sizeof out, "x y"), "\"x y\"") == 0, "log_value_str: a string");

	is("abcdefgh", 8, 5, "abcd", "cut to fit, NUL kept");
	is("ab\033cd", 5, 6, "ab", "an escape is never cut in half");
	is("ab cdefgh", 9, 6, "\"ab \"", "the closing quote is kept");
	is(" ", 1, 4, "\" \"", "a space alone in the smallest room");

	char big[LOG_VALUE_SIZE(40)];
	char worst[40];
	memset(worst, '"', sizeof worst);
	worst[0] = ' ';
	log_value(big, sizeof big, worst, sizeof worst);
	ok(strlen(big) == 2 + 1 + 39 * 4, "LOG_VALUE_SIZE holds the worst case whole");

	printf("1..%d\n", test_no);
	return failures != 0;
}
