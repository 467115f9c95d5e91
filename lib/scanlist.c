/* scanlist.c: see scanlist.h.  The exposers write scan lists and pop3d
 * reads them (pop3d/maildrop.c); both sides check UIDs here so that a
 * UIDL line can never carry a space, a control octet or more than the
 * 70 octets RFC 1939 allows. */
#include "scanlist.h"

int uid_valid(const char *uid, size_t len)
{
	if (len < 1 || len > UID_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)uid[i];
		if (c < 0x21 || c > 0x7e)
			return 0;
	}
	return 1;
}
