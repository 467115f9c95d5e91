/* tap.h: the Test Anything Protocol lines the unit tests print and
 * tests/run counts: "ok N - what" or "not ok N - what", then "1..N".
 * Each test program includes it once, in its one source file. */
#ifndef TAP_H
#define TAP_H

#include <stdio.h>

static int test_no, failures;

static inline void ok(int cond, const char *what)
{
	test_no++;
	if (!cond)
		failures++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", test_no, what);
}

#endif
