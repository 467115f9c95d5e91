/* scanlist.c: see scanlist.h.  The exposers write scan lists and pop3d
 * reads them (pop3d/maildrop.c); both sides check UIDs here so that a
 * UIDL line can never carry a space, a control octet or more than the
 * 70 octets RFC 1939 allows. */
#include "scanlist.h"

#include <stdint.h>
#include <string.h>

/* Eight octets at a time (SWAR), with no early exit: the check runs on
 * every id of every scan list, written and read.  Whether some octet of
 * W is below N (N <= 128), or above N (N <= 127); exact as a yes or no. */
#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)
static uint64_t has_below(uint64_t w, unsigned n)
{
	return (w - ONES * n) & ~w & HIGHS;
}
static uint64_t has_above(uint64_t w, unsigned n)
{
	return ((w + ONES * (127 - n)) | w) & HIGHS;
}

int uid_valid(const char *uid, size_t len)
{
	if (len < 1 || len > UID_MAX)
		return 0;
	uint64_t bad = 0, w;
	for (; len >= 8; uid += 8, len -= 8) {
		memcpy(&w, uid, 8);
		bad |= has_below(w, 0x21) | has_above(w, 0x7e);
	}
	unsigned char tail[8] = "aaaaaaaa";
	for (size_t i = 0; i < len; i++)
		tail[i] = (unsigned char)uid[i];
	memcpy(&w, tail, 8);
	bad |= has_below(w, 0x21) | has_above(w, 0x7e);
	return bad == 0;
}
