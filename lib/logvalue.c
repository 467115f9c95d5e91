/* logvalue.c: see logvalue.h. */
#include "logvalue.h"

#include <string.h>

static int passes(unsigned char c)
{
	return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\';
}

char *log_value(char *dst, size_t cap, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	if (!src) {
		strcpy(dst, "-");
		return dst;
	}
	int quote = len == 0 || memchr(src, ' ', len) != NULL;
	/* Kept back for the closing quote and the NUL. */
	size_t end = cap - 1 - (size_t)quote;
	size_t n = 0;
	if (quote)
		dst[n++] = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];
		if (passes(c)) {
			if (n + 1 > end)
				break;
			dst[n++] = (char)c;
		} else {
			if (n + 4 > end)
				break;
			dst[n++] = '\\';
			dst[n++] = 'x';
			dst[n++] = hex[c >> 4];
			dst[n++] = hex[c & 15];
		}
	}
	if (quote)
		dst[n++] = '"';
	dst[n] = '\0';
	return dst;
}

char *log_value_str(char *dst, size_t cap, const char *src)
{
	return log_value(dst, cap, src, src ? strlen(src) : 0);
}
