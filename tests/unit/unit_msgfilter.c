/* unit_msgfilter: lib/msgfilter.c against fixed cases, and proof that
 * the result never depends on how the input is cut into chunks. */
#include "msgfilter.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Feeds MSG to a filter as a caller would: chunks ending at CUTS, the
 * unconsumed rest carried over in front of the next chunk.  Returns the
 * output (malloc'd) and its length, and the counted octets. */
static char *run_chunks(const char *msg, size_t len, unsigned flags,
                        int64_t top, const size_t *cuts, size_t ncuts,
                        size_t *outlen, uint64_t *octets)
{
	struct msgfilter f;
	char *out = malloc(MSGF_OUTCAP(len) + 1);
	char *pending = malloc(len + 1);
	size_t npending = 0, o = 0, start = 0;
	if (!out || !pending)
		abort();
	msgfilter_init(&f, flags, top);
	for (size_t c = 0; c <= ncuts; c++) {
		size_t end = c < ncuts ? cuts[c] : len;
		int eof = c == ncuts;
		memcpy(pending + npending, msg + start, end - start);
		npending += end - start;
		start = end;
		size_t got;
		size_t used = msgfilter_feed(&f, pending, npending, eof, out + o, &got);
		if (got > MSGF_OUTCAP(npending))
			abort();
		o += got;
		memmove(pending, pending + used, npending - used);
		npending -= used;
		if (eof && npending)
			abort();
	}
	free(pending);
	*outlen = o;
	*octets = f.octets;
	return out;
}

static size_t count_stuffed(const char *out, size_t len, unsigned flags)
{
	if (!(flags & MSGF_DOTSTUFF))
		return 0;
	size_t n = 0;
	for (size_t i = 0; i + 1 < len; i++)
		if (out[i] == '.' && out[i + 1] == '.' && (i == 0 || out[i - 1] == '\n'))
			n++;
	return n;
}

/* One case: whole-input result equals EXPECT, octets match the size
 * function, and every two-way and many random splits give the same. */
static void check_case(const char *name, const char *msg, size_t len,
                       unsigned flags, int64_t top, const char *expect)
{
	char what[200];
	size_t outlen, elen = strlen(expect);
	uint64_t octets;
	char *whole = run_chunks(msg, len, flags, top, NULL, 0, &outlen, &octets);
	snprintf(what, sizeof what, "%s: output", name);
	int same = outlen == elen && memcmp(whole, expect, elen) == 0;
	ok(same, what);
	if (!same) {
		printf("# got %zu bytes: ", outlen);
		fwrite(whole, 1, outlen, stdout);
		printf("\n");
	}
	snprintf(what, sizeof what, "%s: octets exclude dot-stuffing", name);
	ok(octets == outlen - count_stuffed(whole, outlen, flags), what);
	if (top < 0) {
		snprintf(what, sizeof what, "%s: msgfilter_size agrees", name);
		ok(msgfilter_size(msg, len, flags) == octets, what);
	}

	int split_ok = 1;
	for (size_t cut = 0; cut <= len && split_ok; cut++) {
		size_t l2;
		uint64_t oc2;
		char *o2 = run_chunks(msg, len, flags, top, &cut, 1, &l2, &oc2);
		split_ok = l2 == outlen && oc2 == octets && memcmp(o2, whole, l2) == 0;
		free(o2);
	}
	snprintf(what, sizeof what, "%s: same at every two-way split", name);
	ok(split_ok, what);

	int rand_ok = 1;
	size_t *cuts = malloc((2 * len + 2) * sizeof *cuts);
	for (int round = 0; round < 200 && rand_ok; round++) {
		size_t n = 0, at = 0;
		while (at < len && n < 2 * len + 1) {
			at += (size_t)(rand() % (round % 2 ? 3 : 97)) + (round % 2 ? 0 : 1);
			if (at > len)
				at = len;
			cuts[n++] = at;
		}
		size_t l2;
		uint64_t oc2;
		char *o2 = run_chunks(msg, len, flags, top, cuts, n, &l2, &oc2);
		rand_ok = l2 == outlen && oc2 == octets && memcmp(o2, whole, l2) == 0;
		free(o2);
	}
	free(cuts);
	snprintf(what, sizeof what, "%s: same at random splits", name);
	ok(rand_ok, what);
	free(whole);
}

#define CASE(name, msg, flags, top, expect) \
	check_case(name, msg, sizeof(msg) - 1, flags, top, expect)

int main(void)
{
	srand(12345);
	CASE("empty message", "", 0, -1, "");
	CASE("empty message, TOP 0", "", 0, 0, "");
	CASE("LF to CRLF", "A: b\n\nbody\n", 0, -1, "A: b\r\n\r\nbody\r\n");
	CASE("CRLF kept", "A: b\r\n\r\nbody\r\n", 0, -1, "A: b\r\n\r\nbody\r\n");
	CASE("bare CR kept", "A: b\r\n\r\nx\ry\rz\n", 0, -1, "A: b\r\n\r\nx\ry\rz\r\n");
	CASE("missing final newline", "A: b\n\nlast", 0, -1, "A: b\r\n\r\nlast\r\n");
	CASE("final bare CR gets CRLF", "A: b\n\nlast\r", 0, -1, "A: b\r\n\r\nlast\r\r\n");
	CASE("only newlines", "\n\n\n", 0, -1, "\r\n\r\n\r\n");
	CASE("dot-stuffing", "A: b\n\n.\n..x\nx.\n.", MSGF_DOTSTUFF, -1,
	     "A: b\r\n\r\n..\r\n...x\r\nx.\r\n..\r\n");
	CASE("dot in header stuffed", ".A: b\n\nx\n", MSGF_DOTSTUFF, -1,
	     "..A: b\r\n\r\nx\r\n");
	CASE("no dot-stuffing without flag", "A: b\n\n.\n", 0, -1, "A: b\r\n\r\n.\r\n");
	CASE("mboxrd unquote", "A: b\n\n>From x\n>>From y\nFrom z\n> From w\n>Fromx\n",
	     MSGF_MBOXRD, -1,
	     "A: b\r\n\r\nFrom x\r\n>From y\r\nFrom z\r\n> From w\r\n>Fromx\r\n");
	CASE("mboxo left alone without flag", "A: b\n\n>From x\n", 0, -1,
	     "A: b\r\n\r\n>From x\r\n");
	CASE("mboxrd 64 quotes unquoted",
	     "\n>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>From x\n",
	     MSGF_MBOXRD, -1,
	     "\r\n>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>From x\r\n");
	CASE("mboxrd 65 quotes left alone",
	     "\n>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>From x\n",
	     MSGF_MBOXRD, -1,
	     "\r\n>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>From x\r\n");
	CASE("mboxrd then dot-stuff", "\n>From .\n", MSGF_MBOXRD | MSGF_DOTSTUFF, -1,
	     "\r\nFrom .\r\n");
	CASE("hide-status with continuations",
	     "From: a\nStatus: RO\nX-Status: A\n  cont\n\tcont2\nSubject: s\n  kept cont\n"
	     "x-uid: 5\nX-Keywords: a\nX-IMAP: 1\nX-IMAPbase: 1 2\nContent-Length: 9\n"
	     "X-Statusx: kept\n\nStatus: body line kept\n",
	     MSGF_HIDE_STATUS, -1,
	     "From: a\r\nSubject: s\r\n  kept cont\r\nX-Statusx: kept\r\n\r\n"
	     "Status: body line kept\r\n");
	CASE("hide-status off keeps all", "Status: RO\n\nb\n", 0, -1,
	     "Status: RO\r\n\r\nb\r\n");
	CASE("hide-status CRLF header end", "Status: RO\r\n\r\nb\r\n", MSGF_HIDE_STATUS, -1,
	     "\r\nb\r\n");
	CASE("hidden last header without newline", "A: b\nStatus: RO", MSGF_HIDE_STATUS, -1,
	     "A: b\r\n");
	CASE("TOP 0", "A: b\nC: d\n\nl1\nl2\n", 0, 0, "A: b\r\nC: d\r\n\r\n");
	CASE("TOP 1", "A: b\n\nl1\nl2\n", 0, 1, "A: b\r\n\r\nl1\r\n");
	CASE("TOP 2 no final newline", "A: b\n\nl1\nl2", 0, 2, "A: b\r\n\r\nl1\r\nl2\r\n");
	CASE("TOP more than lines", "A: b\n\nl1\n", 0, 50, "A: b\r\n\r\nl1\r\n");
	CASE("TOP header only", "A: b\nC: d", 0, 3, "A: b\r\nC: d\r\n");
	CASE("TOP with dot-stuff and hide", "Status: O\n .x\nA: b\n\n.l1\nl2\n",
	     MSGF_DOTSTUFF | MSGF_HIDE_STATUS, 1, "A: b\r\n\r\n..l1\r\n");

	/* Long lines, and line starts that straddle the lookahead window. */
	static char big[4000];
	size_t n = 0;
	memcpy(big + n, "Status: ", 8), n += 8;
	for (int i = 0; i < 300; i++)
		big[n++] = 'x';
	memcpy(big + n, "\r\n  cont", 8), n += 8;
	for (int i = 0; i < 200; i++)
		big[n++] = 'y';
	memcpy(big + n, "\nA: b\n\n", 7), n += 7;
	for (int line = 0; line < 40; line++) {
		int w = line * 7 % 150;
		if (line % 3 == 0)
			big[n++] = '.';
		if (line % 5 == 0)
			memcpy(big + n, ">>From ", 7), n += 7;
		for (int i = 0; i < w; i++)
			big[n++] = (char)('a' + i % 26);
		if (line % 4 == 0)
			big[n++] = '\r';
		big[n++] = '\n';
	}
	for (unsigned fl = 0; fl < 8; fl++) {
		char name[64];
		snprintf(name, sizeof name, "long lines flags %u", fl);
		size_t outlen;
		uint64_t oc;
		char *exp = run_chunks(big, n, fl, -1, NULL, 0, &outlen, &oc);
		exp[outlen] = '\0';
		check_case(name, big, n, fl, -1, exp);
		free(exp);
		snprintf(name, sizeof name, "long lines flags %u TOP 7", fl);
		exp = run_chunks(big, n, fl, 7, NULL, 0, &outlen, &oc);
		exp[outlen] = '\0';
		check_case(name, big, n, fl, 7, exp);
		free(exp);
	}
	/* The long case's content, checked once by hand-made rules. */
	{
		size_t outlen;
		uint64_t oc;
		char *o = run_chunks(big, n, MSGF_HIDE_STATUS, -1, NULL, 0, &outlen, &oc);
		ok(outlen > 6 && memcmp(o, "A: b\r\n\r\n", 8) == 0,
		   "long hidden header and its long continuation dropped");
		free(o);
	}

	printf("1..%d\n", test_no);
	return failures != 0;
}
