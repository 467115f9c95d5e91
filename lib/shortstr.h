/* shortstr.h: copying and searching the short strings of a scan list
 * (names, paths, ids: tens of octets), a few per message.  In musl,
 * memcpy starts with a rep movs, memchr is a plain loop and strpbrk
 * builds a table at every call, each costing more than the work on a
 * 50-octet name; these inline loops of fixed-size moves do not.  For
 * long or unknown lengths use the C library. */
#ifndef SHORTSTR_H
#define SHORTSTR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* memcpy(D, S, N) for non-overlapping D and S: fixed-size moves, which
 * the compiler turns into single loads and stores. */
static inline void short_copy(char *d, const char *s, size_t n)
{
	if (n >= 16) {
		for (size_t i = 0; i + 16 <= n; i += 16)
			memcpy(d + i, s + i, 16);
		memcpy(d + n - 16, s + n - 16, 16);
	} else if (n >= 8) {
		uint64_t a, b;
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		memcpy(d, &a, 4);
		memcpy(d + n - 4, &b, 4);
	} else if (n > 0) {
		d[0] = s[0];
		d[n / 2] = s[n / 2];
		d[n - 1] = s[n - 1];
	}
}

/* 1 if any of the N octets at P is A, B or C: eight at a time (an
 * octet of W ^ A*ONES is zero where W has A), the tail octet by octet. */
static inline int short_has3(const char *p, size_t n, char a, char b, char c)
{
	const uint64_t ones = UINT64_C(0x0101010101010101), highs = ones << 7;
	uint64_t ka = ones * (unsigned char)a, kb = ones * (unsigned char)b,
	         kc = ones * (unsigned char)c, found = 0;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w, x, y, z;
		memcpy(&w, p + i, 8);
		x = w ^ ka;
		y = w ^ kb;
		z = w ^ kc;
		found |= ((x - ones) & ~x) | ((y - ones) & ~y) | ((z - ones) & ~z);
	}
	if (found & highs)
		return 1;
	for (; i < n; i++)
		if (p[i] == a || p[i] == b || p[i] == c)
			return 1;
	return 0;
}

/* The first C in the N octets at P, or NULL. */
static inline const char *short_find(const char *p, size_t n, char c)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == c)
			return p + i;
	return NULL;
}

#endif
