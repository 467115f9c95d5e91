/* linecount.c: see linecount.h.  SSE2 is part of x86-64; elsewhere
 * lines_stretch() finds nothing and the scanner goes line by line. */
#include "linecount.h"

#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>

/* The stretch of whole lines at P (a line start) before the first line
 * that may be blank (it starts with LF or CR), in one pass, 32 octets at
 * a time while two blocks and the octet after them are there.  Returns
 * its length (it ends after an LF) and its CRLF size in *OCTETS: its
 * length plus one for each LF without a CR before it.  Bare LFs are
 * counted in byte lanes (a compare gives -1), summed into *OCTETS before
 * a lane can overflow.  What is left is for the line-by-line loop. */
struct stretch_block {
	__m128i bare;        /* -1 where octet I + 1 is an LF not after a CR */
	unsigned starts;     /* bit J: octet J is an LF and J + 1 starts a
	                        line with LF or CR */
};

static inline struct stretch_block stretch_block(const char *p)
{
	const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
	__m128i v = _mm_loadu_si128((const __m128i *)p);
	__m128i w = _mm_loadu_si128((const __m128i *)(p + 1));
	__m128i w_lf = _mm_cmpeq_epi8(w, lf);
	__m128i edge = _mm_and_si128(_mm_cmpeq_epi8(v, lf),
	                             _mm_or_si128(w_lf, _mm_cmpeq_epi8(w, cr)));
	struct stretch_block b;
	b.bare = _mm_andnot_si128(_mm_cmpeq_epi8(v, cr), w_lf);
	b.starts = (unsigned)_mm_movemask_epi8(edge);
	return b;
}

static uint64_t lanes_sum(__m128i lanes)
{
	__m128i sums = _mm_sad_epu8(lanes, _mm_setzero_si128());
	return (uint64_t)_mm_cvtsi128_si32(sums) +
	       (uint64_t)_mm_cvtsi128_si32(_mm_srli_si128(sums, 8));
}

size_t lines_stretch(const char *p, size_t n, uint64_t *octets)
{
	uint64_t bare = 0;
	size_t i = 0, used;
	*octets = 0;
	if (n == 0 || p[0] == '\n' || p[0] == '\r')
		return 0;
	for (;;) {
		/* 127 pairs of blocks: each lane gains at most 254. */
		__m128i lanes = _mm_setzero_si128();
		size_t stop = 0;
		for (unsigned k = 0; k < 127 && i + 33 <= n; k++) {
			struct stretch_block x = stretch_block(p + i);
			struct stretch_block y = stretch_block(p + i + 16);
			if (x.starts | y.starts) {
				unsigned m = x.starts | y.starts << 16;
				stop = i + (size_t)__builtin_ctz(m) + 1;
				break;
			}
			lanes = _mm_sub_epi8(lanes, _mm_add_epi8(x.bare, y.bare));
			i += 32;
		}
		bare += lanes_sum(lanes);
		if (stop) {
			/* A line that may be blank starts at STOP, after an
			 * LF; the LFs at I + 1 .. STOP - 1 are not counted. */
			used = stop;
			for (size_t j = i + 1; j < used; j++)
				bare += p[j] == '\n' && p[j - 1] != '\r';
			break;
		}
		if (i + 33 > n) {
			/* The stretch ends after the last LF before octet I
			 * (the lanes hold the LFs at 1 .. I). */
			const char *last = i ? memrchr(p, '\n', i) : NULL;
			used = last ? (size_t)(last - p) + 1 : 0;
			if (i > 0 && p[i] == '\n' && p[i - 1] != '\r')
				bare--;
			break;
		}
	}
	*octets = used + bare;
	return used;
}

static uint64_t lanes_bare_lfs(const char *p, size_t i, size_t n, uint64_t *octets)
{
	/* Bare LFs as -1 in byte lanes, summed before a lane can wrap. */
	const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
	while (i + 16 <= n) {
		__m128i lanes = _mm_setzero_si128();
		for (unsigned k = 0; k < 255 && i + 16 <= n; k++, i += 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
			__m128i w = _mm_loadu_si128((const __m128i *)(const void *)(p + i - 1));
			lanes = _mm_sub_epi8(lanes, _mm_andnot_si128(_mm_cmpeq_epi8(w, cr),
			                                             _mm_cmpeq_epi8(v, lf)));
		}
		*octets += lanes_sum(lanes);
	}
	return i;
}
#else
size_t lines_stretch(const char *p, size_t n, uint64_t *octets)
{
	(void)p;
	(void)n;
	*octets = 0;
	return 0;
}
#endif

uint64_t crlf_octets(const char *p, size_t n)
{
	if (n == 0)
		return 0;
	uint64_t octets = n + (p[0] == '\n');
	size_t i = 1;
#ifdef __SSE2__
	i = lanes_bare_lfs(p, i, n, &octets);
#endif
	for (; i < n; i++)
		octets += p[i] == '\n' && p[i - 1] != '\r';
	return octets;
}
