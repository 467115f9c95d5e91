/* unit_scanlist: uid_valid() bounds and octet range. */
#include "scanlist.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

int main(void)
{
	char uid[UID_MAX + 2];
	memset(uid, 'a', sizeof uid);
	ok(!uid_valid(uid, 0), "empty UID refused");
	ok(uid_valid(uid, 1), "1 octet accepted");
	ok(uid_valid(uid, UID_MAX), "70 octets accepted");
	ok(!uid_valid(uid, UID_MAX + 1), "71 octets refused");
	ok(uid_valid("!~", 2), "0x21 and 0x7e accepted");
	ok(!uid_valid("a b", 3), "space refused");
	ok(!uid_valid("a\x7f", 2), "DEL refused");
	ok(!uid_valid("a\0b", 3), "NUL refused");
	ok(!uid_valid("\xc3\xa9", 2), "8-bit refused");
	ok(!uid_valid("a\r", 2), "CR refused");
	printf("1..%d\n", test_no);
	return failures != 0;
}
