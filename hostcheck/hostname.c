/* hostname.c: see hostname.h. */
#include "hostname.h"

#include <ctype.h>
#include <stdio.h>

bool hostname_dns_ok(const char *name, size_t len)
{
	if (len == 0 || len > HOSTNAME_MAX)
		return false;
	size_t label = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];
		if (ch == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (isalnum(ch) || ch == '-' || ch == '_') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0;
}

/* Hand-written: glibc's res_hnok accepts '_', a '-' at either end of
 * any label but the first, and an all-digit last label; musl has none. */
const char *hostname_error(const char *name, size_t len)
{
	static char why[80];
	if (len == 0)
		return "empty name";
	if (len > HOSTNAME_MAX) {
		snprintf(why, sizeof why, "%zu octets, a host name has at most %d", len,
			 HOSTNAME_MAX);
		return why;
	}
	size_t start = 0;
	bool all_digits = true;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && name[i] != '.') {
			unsigned char ch = (unsigned char)name[i];
			if (!isalnum(ch) && ch != '-') {
				if (ch == '_')
					return "'_' is not allowed in a host name (letters, digits, '-')";
				if (ch < 0x21 || ch > 0x7e)
					return "a host name has letters, digits, '-' and '.' only";
				snprintf(why, sizeof why,
					 "'%c' is not allowed in a host name (letters, digits, '-')", ch);
				return why;
			}
			continue;
		}
		size_t label = i - start;
		if (label == 0)
			return "empty label";
		if (label > 63) {
			snprintf(why, sizeof why, "a label of %zu octets, at most 63", label);
			return why;
		}
		if (name[start] == '-' || name[i - 1] == '-') {
			snprintf(why, sizeof why, "label \"%.*s\" %s with '-'",
				 (int)(label > 40 ? 40 : label), name + start,
				 name[start] == '-' ? "begins" : "ends");
			return why;
		}
		all_digits = true;
		for (size_t j = start; j < i; j++)
			if (!isdigit((unsigned char)name[j]))
				all_digits = false;
		start = i + 1;
	}
	/* RFC 1123 2.1: the top-level label is never all digits, so such a
	 * name is a mistyped address, not a host. */
	if (all_digits)
		return "the last label is all digits: neither a host name nor an IP address";
	return NULL;
}
