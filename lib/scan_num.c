/* scan_num.c: see scan_num.h. */
#include "scan_num.h"

bool scan_u64(const char *s, size_t len, uint64_t *out)
{
	if (len == 0)
		return false;
	uint64_t n = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9)
			return false;
		if (n > (UINT64_MAX - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*out = n;
	return true;
}

bool scan_u32(const char *s, size_t len, uint32_t *out)
{
	uint64_t n;
	if (!scan_u64(s, len, &n) || n > UINT32_MAX)
		return false;
	*out = (uint32_t)n;
	return true;
}

size_t fmt_u64(char *buf, uint64_t n)
{
	char tmp[20];
	size_t len = 0;
	do {
		tmp[len++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	for (size_t i = 0; i < len; i++)
		buf[i] = tmp[len - 1 - i];
	buf[len] = '\0';
	return len;
}
