/* msgfilter.c: see msgfilter.h.
 *
 * One pass over the bytes: the loop that looks for a line's LF also
 * copies the line into the output, 16 bytes at a time with SSE2 on
 * x86-64 (8 at a time in portable C elsewhere, or when MSGF_PORTABLE is
 * defined, as two tests do), so the speed does not depend on the C
 * library's memchr and memcpy (plain C in musl).  A block is stored
 * before it is known where in it the LF is; the output position then
 * advances only to the LF, and what was stored past it is overwritten
 * by what follows.  Those stores stay inside MSGF_OUTCAP(inlen): a
 * block is only loaded with a whole block of input left, and the output
 * is at most twice the input consumed plus one stuffed dot.
 *
 * Only the start of a line is looked at byte by byte (header name, '>'
 * quotes, '.').  A start is classified only when the whole line, or at
 * least MSGF_LOOKAHEAD bytes of it, or the end of the message is in view,
 * so the same decision is taken however the input is cut into chunks,
 * and what a call leaves unconsumed is the start of a short line.  A
 * body line whose first byte is not a '>' to unquote needs nothing but
 * that byte: it is decided at once (the fast path), and given back
 * if the call's input ends before its LF and before MSGF_LOOKAHEAD
 * bytes, so the bytes consumed are the same as classify_line's.  Line
 * ends are handled by remembering whether the last byte written of the
 * current line was a CR (prev_cr), which also survives a chunk boundary
 * between CR and LF.
 *
 * The size is the number of output bytes less the stuffed dots, counted
 * by the same code that writes them (or would, when only counting). */
#include "msgfilter.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#if defined(__SSE2__) && !defined(MSGF_PORTABLE)
#include <emmintrin.h>
#define MSGF_SSE2 1
#endif

/* Header fields that mbox readers add for their own bookkeeping. */
static const struct {
	const char *name;
	size_t len;
} hidden_headers[] = {
	{ "status:", 7 },      { "x-status:", 9 },  { "x-uid:", 6 },
	{ "x-keywords:", 11 }, { "x-imap:", 7 },    { "x-imapbase:", 11 },
	{ "content-length:", 15 },
};

void msgfilter_init(struct msgfilter *f, unsigned flags, int64_t max_body_lines)
{
	memset(f, 0, sizeof *f);
	f->flags = flags;
	f->body_lines_left = max_body_lines;
	f->at_line_start = 1;
	f->in_header = 1;
}

static int is_hidden_header(const char *p, size_t len)
{
	for (size_t i = 0; i < sizeof hidden_headers / sizeof hidden_headers[0]; i++)
		if (len >= hidden_headers[i].len &&
		    strncasecmp(p, hidden_headers[i].name, hidden_headers[i].len) == 0)
			return 1;
	return 0;
}

/* A line ">From ", ">>From ", ...: returns 1 (the '>' to drop).  Looks
 * at no more than MSGF_MAX_QUOTES + 6 bytes, fewer than MSGF_LOOKAHEAD. */
static size_t mboxrd_quote(const char *p, size_t len)
{
	size_t q = 0;
	while (q < len && q <= MSGF_MAX_QUOTES && p[q] == '>')
		q++;
	if (q == 0 || q > MSGF_MAX_QUOTES || len - q < 5)
		return 0;
	return memcmp(p + q, "From ", 5) == 0;
}

/* Decides at a line start whether the line is kept, how many leading
 * bytes to drop (*skip) and whether to dot-stuff it (*stuff).  P holds
 * LEN bytes of the line (LF excluded); WHOLE says they are all of it.
 * Nothing here looks further than MSGF_MAX_QUOTES + 6 bytes into the
 * line or tells lengths above that apart, so LEN may be cut to
 * MSGF_LOOKAHEAD. */
static void classify_line(struct msgfilter *f, const char *p, size_t len,
                          int whole, size_t *skip, int *stuff)
{
	*skip = 0;
	*stuff = 0;
	if (f->in_header) {
		int empty = whole && (len == 0 || (len == 1 && p[0] == '\r'));
		if (empty) {
			f->in_header = 0;
			f->skipping = 0;
			f->line_kept = 1;
			return;
		}
		/* A continuation line shares the fate of the line it continues. */
		if (!(len > 0 && (p[0] == ' ' || p[0] == '\t')))
			f->skipping = (f->flags & MSGF_HIDE_STATUS) && is_hidden_header(p, len);
		f->line_kept = !f->skipping;
		if (!f->line_kept)
			return;
	} else {
		if (f->body_lines_left == 0) {
			f->done = 1;
			f->line_kept = 0;
			return;
		}
		if (f->body_lines_left > 0)
			f->body_lines_left--;
		f->line_kept = 1;
	}
	if ((f->flags & MSGF_MBOXRD) && len > 0 && p[0] == '>')
		*skip = mboxrd_quote(p, len);
	if ((f->flags & MSGF_DOTSTUFF) && len > *skip && p[*skip] == '.')
		*stuff = 1;
}

#ifdef MSGF_SSE2
/* Copies N < 16 bytes with two overlapping moves of a fixed size each. */
static inline void copy_short(char *d, const char *s, size_t n)
{
	if (n >= 8) {
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
#endif

/* The scan-and-copy loop: from IN[POS], copies bytes to OUT + *O (when
 * EMIT) and advances *O, up to the first LF before END.  Returns the
 * LF's position, or END if there is none; the LF itself is not copied.
 * Up to 15 bytes past the copied ones may be written (see the top). */
static inline __attribute__((always_inline)) size_t
copy_to_lf(const char *in, size_t pos, size_t end, char *out, size_t *o, const int emit)
{
	size_t op = *o;
#ifdef MSGF_SSE2
	const __m128i lf = _mm_set1_epi8('\n');
	while (end - pos >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(in + pos));
		if (emit)
			_mm_storeu_si128((__m128i *)(void *)(out + op), v);
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf));
		if (m) {
			unsigned k = (unsigned)__builtin_ctz(m);
			*o = op + k;
			return pos + k;
		}
		pos += 16;
		op += 16;
	}
	if (pos < end && end >= 16) {
		/* Fewer than 16 bytes left: look at the last 16 before END
		 * (the first of them seen already) and shift those away. */
		size_t rest = end - pos;
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(in + end - 16));
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf)) >> (16 - rest);
		size_t k = m ? (size_t)__builtin_ctz(m) : rest;
		if (emit)
			copy_short(out + op, in + pos, k);
		*o = op + k;
		return pos + k;
	}
#else
	/* Eight bytes at a time: a byte of W ^ LFS is zero exactly where W
	 * has an LF; (x & 0x7f..) + 0x7f.. sets a byte's top bit iff its low
	 * seven bits are not all zero, so the test is exact in every byte
	 * and needs no byte order.  The byte loop below finds which one. */
	const uint64_t lfs = 0x0a0a0a0a0a0a0a0aULL;
	const uint64_t low7 = 0x7f7f7f7f7f7f7f7fULL;
	while (end - pos >= 8) {
		uint64_t w;
		memcpy(&w, in + pos, 8);
		if (emit)
			memcpy(out + op, &w, 8);
		uint64_t x = w ^ lfs;
		if (~(((x & low7) + low7) | x | low7))
			break;
		pos += 8;
		op += 8;
	}
#endif
	while (pos < end && in[pos] != '\n') {
		if (emit)
			out[op] = in[pos];
		pos++;
		op++;
	}
	*o = op;
	return pos;
}

/* msgfilter_feed's body, made twice by the compiler: with EMIT (pop3d
 * sending) and without (the exposers counting). */
static inline __attribute__((always_inline)) size_t
feed(struct msgfilter *f, const char *in, size_t inlen, int eof, char *out,
     size_t *outlen, const int emit)
{
	/* The state lives in locals while bytes move: a store through OUT
	 * (char) might alias *F, and the compiler would reload it after each.
	 * classify_line() works on *F, so it is synchronised around that call
	 * (the slow path).  in_header, done and skipping change only there. */
	const unsigned flags = f->flags;
	const unsigned no_fast = flags & MSGF_MBOXRD ? '>' : 256;
	const int stuffing = (flags & MSGF_DOTSTUFF) != 0;
	int at_line_start = f->at_line_start, line_kept = f->line_kept;
	int prev_cr = f->prev_cr, in_header = f->in_header, done = f->done;
	int64_t left = f->body_lines_left;
	size_t pos = 0, o = 0, stuffed = 0;
	/* Where the line in hand started in this call (SIZE_MAX: before it),
	 * and what to go back to if it is to be fed again. */
	size_t line_pos = SIZE_MAX, o_before = 0, stuffed_before = 0;
	int64_t left_before = 0;

	while (pos < inlen && !done) {
		if (at_line_start) {
			unsigned char c = (unsigned char)in[pos];
			size_t skip = 0;
			int stuff;
			line_pos = pos;
			o_before = o;
			stuffed_before = stuffed;
			left_before = left;
			if (!in_header && left != 0 && c != no_fast) {
				/* classify_line's body case when there is no '>' to
				 * unquote: the first byte is all it needs.  That is
				 * decided before the line end or MSGF_LOOKAHEAD bytes
				 * are in view; if they turn out not to be, the line is
				 * given back below, as the slow path would have. */
				if (left > 0)
					left--;
				line_kept = 1;
				stuff = stuffing && c == '.';
			} else {
				size_t avail = inlen - pos;
				size_t win = avail < MSGF_LOOKAHEAD ? avail : MSGF_LOOKAHEAD;
				size_t dummy = 0;
				size_t nl = copy_to_lf(in, pos, pos + win, NULL, &dummy, 0);
				int whole = nl < pos + win;
				if (!whole && !eof && avail < MSGF_LOOKAHEAD)
					break;  /* too little in view to decide: feed again */
				f->line_kept = (unsigned char)line_kept;
				f->body_lines_left = left;
				classify_line(f, in + pos, nl - pos, whole || eof, &skip, &stuff);
				line_kept = f->line_kept;
				left = f->body_lines_left;
				in_header = f->in_header;
				done = f->done;
				if (done)
					break;
			}
			at_line_start = 0;
			prev_cr = 0;
			if (stuff && line_kept) {
				if (emit)
					out[o] = '.';
				o++;
				stuffed++;
			}
			pos += skip;
		}
		if (!line_kept) {
			size_t dummy = 0;
			pos = copy_to_lf(in, pos, inlen, NULL, &dummy, 0);
			if (pos == inlen)
				break;
			pos++;
			at_line_start = 1;
			continue;
		}
		pos = copy_to_lf(in, pos, inlen, out, &o, emit);
		if (pos == inlen) {
			if (!eof && line_pos != SIZE_MAX && inlen - line_pos < MSGF_LOOKAHEAD) {
				/* A short line without its end: feed it again. */
				pos = line_pos;
				o = o_before;
				stuffed = stuffed_before;
				left = left_before;
				at_line_start = 1;
				break;
			}
			/* The line goes on in the next chunk.  IN[POS - 1] is a byte
			 * of this line, or the LF or '>' before it (not a CR). */
			if (pos > 0)
				prev_cr = in[pos - 1] == '\r';
			break;
		}
		int cr = pos > 0 ? in[pos - 1] == '\r' : prev_cr;
		if (!cr) {
			if (emit)
				out[o] = '\r';
			o++;
		}
		if (emit)
			out[o] = '\n';
		o++;
		pos++;
		at_line_start = 1;
	}
	if (done)
		pos = inlen;
	if (eof && !at_line_start) {
		/* The last line had no LF. */
		if (line_kept && !done) {
			if (emit) {
				out[o] = '\r';
				out[o + 1] = '\n';
			}
			o += 2;
		}
		at_line_start = 1;
	}
	f->at_line_start = (unsigned char)at_line_start;
	f->line_kept = (unsigned char)line_kept;
	f->prev_cr = (unsigned char)prev_cr;
	f->body_lines_left = left;
	f->octets += o - stuffed;
	if (outlen)
		*outlen = emit ? o : 0;
	return pos;
}

size_t msgfilter_feed(struct msgfilter *f, const char *in, size_t inlen,
                      int eof, char *out, size_t *outlen)
{
	if (out)
		return feed(f, in, inlen, eof, out, outlen, 1);
	return feed(f, in, inlen, eof, NULL, outlen, 0);
}

uint64_t msgfilter_size(const char *msg, size_t len, unsigned flags)
{
	struct msgfilter f;
	msgfilter_init(&f, flags & ~(unsigned)MSGF_DOTSTUFF, -1);
	msgfilter_feed(&f, msg, len, 1, NULL, NULL);
	return f.octets;
}
