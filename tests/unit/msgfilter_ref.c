/* msgfilter_ref.c: lib/msgfilter.c as it was before the one-pass
 * scan-and-copy loop (memchr for the line end, memcpy for the line),
 * kept unchanged but for the names, as the reference the differential
 * test (unit_msgfilter_diff.c) compares the new code with.  Included,
 * not linked: everything here is static. */
#include "msgfilter.h"

#include <string.h>
#include <strings.h>

/* Header fields that mbox readers add for their own bookkeeping. */
static const struct {
	const char *name;
	size_t len;
} ref_hidden_headers[] = {
	{ "status:", 7 },      { "x-status:", 9 },  { "x-uid:", 6 },
	{ "x-keywords:", 11 }, { "x-imap:", 7 },    { "x-imapbase:", 11 },
	{ "content-length:", 15 },
};

static void ref_init(struct msgfilter *f, unsigned flags, int64_t max_body_lines)
{
	memset(f, 0, sizeof *f);
	f->flags = flags;
	f->body_lines_left = max_body_lines;
	f->at_line_start = 1;
	f->in_header = 1;
}

static int ref_is_hidden_header(const char *p, size_t len)
{
	for (size_t i = 0; i < sizeof ref_hidden_headers / sizeof ref_hidden_headers[0]; i++)
		if (len >= ref_hidden_headers[i].len &&
		    strncasecmp(p, ref_hidden_headers[i].name, ref_hidden_headers[i].len) == 0)
			return 1;
	return 0;
}

/* A line ">From ", ">>From ", ...: returns 1 (the '>' to drop). */
static size_t ref_mboxrd_quote(const char *p, size_t len)
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
 * LEN bytes of the line (LF excluded); WHOLE says they are all of it. */
static void ref_classify_line(struct msgfilter *f, const char *p, size_t len,
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
			f->skipping = (f->flags & MSGF_HIDE_STATUS) && ref_is_hidden_header(p, len);
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
		*skip = ref_mboxrd_quote(p, len);
	if ((f->flags & MSGF_DOTSTUFF) && len > *skip && p[*skip] == '.')
		*stuff = 1;
}

static size_t ref_feed(struct msgfilter *f, const char *in, size_t inlen,
                      int eof, char *out, size_t *outlen)
{
	size_t pos = 0, o = 0;

	while (pos < inlen && !f->done) {
		const char *p = in + pos;
		size_t avail = inlen - pos;
		const char *nl = memchr(p, '\n', avail);
		size_t seg = nl ? (size_t)(nl - p) : avail;

		if (f->at_line_start) {
			if (!nl && !eof && avail < MSGF_LOOKAHEAD)
				break;  /* too little in view to decide: feed again */
			size_t skip;
			int stuff;
			ref_classify_line(f, p, seg, nl != NULL || eof, &skip, &stuff);
			if (f->done)
				break;
			f->at_line_start = 0;
			f->prev_cr = 0;
			if (stuff && f->line_kept && out)
				out[o++] = '.';
			p += skip;
			seg -= skip;
			pos += skip;
		}
		if (f->line_kept) {
			if (out) {
				memcpy(out + o, p, seg);
				o += seg;
			}
			f->octets += seg;
			if (seg)
				f->prev_cr = p[seg - 1] == '\r';
			if (nl) {
				if (!f->prev_cr) {
					if (out)
						out[o++] = '\r';
					f->octets++;
				}
				if (out)
					out[o++] = '\n';
				f->octets++;
			}
		}
		pos += seg;
		if (nl) {
			pos++;
			f->at_line_start = 1;
		}
	}
	if (f->done)
		pos = inlen;
	if (eof && !f->at_line_start) {
		/* The last line had no LF. */
		if (f->line_kept && !f->done) {
			if (out) {
				out[o++] = '\r';
				out[o++] = '\n';
			}
			f->octets += 2;
		}
		f->at_line_start = 1;
	}
	if (outlen)
		*outlen = o;
	return pos;
}
