/* findlf.h: the next LF in a buffer, for loops that stop at every line
 * of a header.  Those lines are short, so a call into the C library's
 * memchr costs more than the search; musl's memchr is also a plain C
 * loop.  SSE2 is part of x86-64, so no run-time dispatch is needed. */
#ifndef FINDLF_H
#define FINDLF_H

#include <stddef.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Like memchr(p, '\n', n). */
static inline const char *find_lf(const char *p, size_t n)
{
#ifdef __SSE2__
	const __m128i lf = _mm_set1_epi8('\n');
	while (n >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf));
		if (m)
			return p + __builtin_ctz(m);
		p += 16;
		n -= 16;
	}
#endif
	return memchr(p, '\n', n);
}

#endif
