/* unit_scan_num: strict decimal parsing of client numbers. */
#include "scan_num.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

#define U32(s, v) (scan_u32(s, strlen(s), &n32) && n32 == (v))
#define NOT32(s) (!scan_u32(s, strlen(s), &n32))

int main(void)
{
	uint32_t n32;
	uint64_t n64;
	ok(U32("0", 0), "0");
	ok(U32("1", 1), "1");
	ok(U32("007", 7), "leading zeros");
	ok(U32("4294967295", 4294967295u), "UINT32_MAX");
	ok(NOT32("4294967296"), "UINT32_MAX+1 refused");
	ok(NOT32("4294967297"), "4294967297 is not 1");
	ok(NOT32("99999999999999999999999"), "huge refused");
	ok(NOT32(""), "empty refused");
	ok(NOT32("-1"), "negative refused");
	ok(NOT32("+1"), "plus refused");
	ok(NOT32(" 1"), "space refused");
	ok(NOT32("1x"), "trailing garbage refused");
	ok(!scan_u32("1\0", 2, &n32), "embedded NUL refused");
	ok(scan_u64("18446744073709551615", 20, &n64) && n64 == UINT64_MAX, "UINT64_MAX");
	ok(!scan_u64("18446744073709551616", 20, &n64), "UINT64_MAX+1 refused");
	char buf[21];
	ok(fmt_u64(buf, 0) == 1 && strcmp(buf, "0") == 0, "fmt 0");
	ok(fmt_u64(buf, UINT64_MAX) == 20 && strcmp(buf, "18446744073709551615") == 0, "fmt max");
	printf("1..%d\n", test_no);
	return failures != 0;
}
