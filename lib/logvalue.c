/* logvalue.c: client text as one log value (logvalue.h). */
#include "logvalue.h"

#include <stdbool.h>
#include <string.h>

/* A user name as a log value: printable, quoted if it has spaces. */
void log_value(char *dst, size_t cap, const unsigned char *src, size_t len)
{
	size_t n = 0;
	bool quote = memchr(src, ' ', len) != NULL || len == 0;
	if (quote)
		dst[n++] = '"';
	for (size_t i = 0; i < len && n + 3 < cap; i++) {
		unsigned char c = src[i];
		dst[n++] = (c < 0x20 || c > 0x7e || c == '"' || c == '\\') ? '?' : (char)c;
	}
	if (quote)
		dst[n++] = '"';
	dst[n] = 0;
}
