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
#include "shortstr.h"

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
			short_copy(out + op, in + pos, k);
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

#define FEED_INLINE static inline __attribute__((always_inline))

FEED_INLINE void out_byte(char *out, size_t *o, char c, const int emit)
{
	if (emit)
		out[*o] = c;
	(*o)++;
}

/* The slow path of a line start at IN[POS]: classify_line() with the
 * whole line, MSGF_LOOKAHEAD bytes of it or the end of the message in
 * view.  Returns 0 if the call has to stop: too little in view (the
 * line is fed again) or the TOP limit reached (F->done). */
FEED_INLINE int decide_line(struct msgfilter *f, const char *in, size_t pos, size_t inlen,
                            int eof, int *line_kept, int64_t *left, size_t *skip, int *stuff)
{
	size_t avail = inlen - pos;
	size_t win = avail < MSGF_LOOKAHEAD ? avail : MSGF_LOOKAHEAD;
	size_t dummy = 0;
	size_t nl = copy_to_lf(in, pos, pos + win, NULL, &dummy, 0);
	int whole = nl < pos + win;
	if (!whole && !eof && avail < MSGF_LOOKAHEAD)
		return 0;
	f->line_kept = (unsigned char)*line_kept;
	f->body_lines_left = *left;
	classify_line(f, in + pos, nl - pos, whole || eof, skip, stuff);
	*line_kept = f->line_kept;
	*left = f->body_lines_left;
	return !f->done;
}

/* A dropped line: *POS moves up to and past its LF.  Returns 0 at the
 * end of IN. */
FEED_INLINE int skip_line(const char *in, size_t *pos, size_t inlen)
{
	size_t dummy = 0;
	*pos = copy_to_lf(in, *pos, inlen, NULL, &dummy, 0);
	if (*pos == inlen)
		return 0;
	(*pos)++;
	return 1;
}

/* The LF at IN[POS] of a kept line, sent as CR LF. */
FEED_INLINE void end_line(const char *in, size_t pos, int prev_cr, char *out, size_t *o,
                          const int emit)
{
	int cr = pos > 0 ? in[pos - 1] == '\r' : prev_cr;
	if (!cr)
		out_byte(out, o, '\r', emit);
	out_byte(out, o, '\n', emit);
}

/* The end of the call: a last line without LF gets its CR LF at EOF,
 * and the state goes back into *F. */
FEED_INLINE void feed_end(struct msgfilter *f, int eof, int at_line_start, int line_kept,
                          int prev_cr, int64_t left, size_t o, size_t stuffed,
                          char *out, size_t *outlen, const int emit)
{
	if (eof && !at_line_start) {
		if (line_kept && !f->done) {
			out_byte(out, &o, '\r', emit);
			out_byte(out, &o, '\n', emit);
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
}

/* Where the line in hand started in this call (pos SIZE_MAX: before
 * it), and what to go back to if it is to be fed again. */
struct line_mark {
	size_t pos, o, stuffed;
	int64_t left;
};

/* IN ended inside a kept line.  A short line without its end is given
 * back, to be fed again from MARK; a longer one goes on in the next
 * chunk, and IN[*POS - 1] is a byte of it, or the LF or '>' before it
 * (not a CR). */
FEED_INLINE void end_of_input(const char *in, size_t inlen, int eof,
                              const struct line_mark *mark, size_t *pos, size_t *o,
                              size_t *stuffed, int64_t *left, int *at_line_start,
                              int *prev_cr)
{
	if (!eof && mark->pos != SIZE_MAX && inlen - mark->pos < MSGF_LOOKAHEAD) {
		*pos = mark->pos;
		*o = mark->o;
		*stuffed = mark->stuffed;
		*left = mark->left;
		*at_line_start = 1;
	} else if (*pos > 0) {
		*prev_cr = in[*pos - 1] == '\r';
	}
}

/* msgfilter_feed's body, made twice by the compiler: with EMIT (pop3d
 * sending) and without (the exposers counting).  The state lives in
 * plain locals while bytes move: a store through OUT (char) might alias
 * *F, and the compiler would reload it after each (a struct of them,
 * even on the stack, compiles measurably slower).  decide_line()
 * synchronises what classify_line() reads and writes in *F; in_header
 * and done change only there. */
FEED_INLINE size_t feed(struct msgfilter *f, const char *in, size_t inlen, int eof,
                        char *out, size_t *outlen, const int emit)
{
	const unsigned no_fast = f->flags & MSGF_MBOXRD ? '>' : 256;
	const int stuffing = (f->flags & MSGF_DOTSTUFF) != 0;
	int at_line_start = f->at_line_start, line_kept = f->line_kept;
	int prev_cr = f->prev_cr, in_header = f->in_header;
	int64_t left = f->body_lines_left;
	size_t pos = 0, o = 0, stuffed = 0;
	struct line_mark mark = { .pos = SIZE_MAX };
	while (pos < inlen && !f->done) {
		if (at_line_start) {
			unsigned char c = (unsigned char)in[pos];
			size_t skip = 0;
			int stuff;
			mark = (struct line_mark){ pos, o, stuffed, left };
			if (!in_header && left != 0 && c != no_fast) {
				/* classify_line's body case without a '>' to unquote:
				 * the first byte is all it needs, decided before the
				 * line end or MSGF_LOOKAHEAD bytes are in view; if they
				 * are not, end_of_input() gives the line back. */
				if (left > 0)
					left--;
				line_kept = 1;
				stuff = stuffing && c == '.';
			} else {
				int go = decide_line(f, in, pos, inlen, eof, &line_kept, &left, &skip, &stuff);
				in_header = f->in_header;
				if (!go)
					break;
			}
			at_line_start = 0;
			prev_cr = 0;
			if (stuff && line_kept) {
				out_byte(out, &o, '.', emit);
				stuffed++;
			}
			pos += skip;
		}
		if (!line_kept) {
			if (!skip_line(in, &pos, inlen))
				break;
			at_line_start = 1;
			continue;
		}
		pos = copy_to_lf(in, pos, inlen, out, &o, emit);
		if (pos == inlen)
			break;
		end_line(in, pos, prev_cr, out, &o, emit);
		pos++;
		at_line_start = 1;
	}
	if (pos == inlen && !at_line_start && line_kept && !f->done)
		end_of_input(in, inlen, eof, &mark, &pos, &o, &stuffed, &left, &at_line_start,
		             &prev_cr);
	if (f->done)
		pos = inlen;
	feed_end(f, eof, at_line_start, line_kept, prev_cr, left, o, stuffed, out, outlen, emit);
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
