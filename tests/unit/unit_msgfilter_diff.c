/* unit_msgfilter_diff: lib/msgfilter.c against the code it replaced
 * (msgfilter_ref.c), over many random and adversarial messages, every
 * flag combination, TOP limits, and chunk boundaries drawn at random the
 * way pop3d, mboxsplit and maildirscan cut their reads.  Each call must
 * agree with the reference on everything a caller can see: the bytes
 * consumed, the output (byte for byte), its length, the octet count and
 * the filter's state.  Every output buffer has exactly MSGF_OUTCAP(n)
 * bytes of room and a guard behind it, so a store past the room (the
 * block copies write ahead of the line end) shows as a failure here and
 * as an error under ASan and valgrind.
 *
 * unit_msgfilter_portable runs the same with the portable C loop forced
 * (MSGF_PORTABLE), so both versions of the loop are tested on x86-64. */
#include "msgfilter.h"
#include "msgfilter_ref.c"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GUARD 64
#define GUARD_BYTE 0x5a
#define MAX_MSG 6000
#define ROUNDS 1000

static int test_no, failures;
static char guard[GUARD];

static void ok(int cond, const char *what)
{
	test_no++;
	if (!cond)
		failures++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", test_no, what);
}

/* xorshift64*: the same inputs on every run and every libc. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32) % n;
}

struct buf {
	char *p;
	size_t len;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n > MAX_MSG)
		n = MAX_MSG - b->len;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void putc_(struct buf *b, char c)
{
	put(b, &c, 1);
}

/* Line beginnings that some rule looks at. */
static const char *const starts[] = {
	"", "", "", "", ".", "..", ". ", ">From ", ">>From x", ">>>From", ">From",
	">Fro", "> From ", "From ", ">", ">>", " ", "\t", " .x", "Status: RO",
	"X-Status: A", "x-uid: 7", "X-Keywords:", "X-IMAP: 1", "X-IMAPbase: 1 2",
	"CONTENT-LENGTH: 12", "Content-Length:", "Status", "X-Statusx: 1",
	"Subject: s", "\r", "\r\r", "\0", ".\r", ">From .", ">.", "\xff",
};

static const char body_bytes[] = "aaaaaaaaaaaaxyz .:>\r\r\t\0\xff\x80.F";

/* A message as lines: starts, runs of filler whose lengths straddle the
 * 8 and 16 byte blocks and MSGF_LOOKAHEAD, quote runs around
 * MSGF_MAX_QUOTES, every kind of line end, and sometimes none at the end. */
static void gen_lines(struct buf *b)
{
	int nlines = (int)rnd(40);
	int header_end = (int)rnd(8);
	for (int l = 0; l < nlines && b->len < MAX_MSG; l++) {
		if (l == header_end) {
			puts_(b, rnd(3) ? "\n" : "\r\n");
			continue;
		}
		if (rnd(12) == 0) {
			size_t q = MSGF_MAX_QUOTES - 2 + rnd(5);
			for (size_t i = 0; i < q; i++)
				putc_(b, '>');
			puts_(b, rnd(4) ? "From " : "Fro");
		} else {
			const char *s = starts[rnd(sizeof starts / sizeof starts[0])];
			put(b, s, s[0] == '\0' && rnd(4) == 0 ? 1 : strlen(s));
		}
		size_t n;
		switch (rnd(6)) {
		case 0: n = rnd(4); break;
		case 1: n = rnd(20); break;
		case 2: n = MSGF_LOOKAHEAD - 4 + rnd(9); break;
		case 3: n = 8 * (1 + rnd(12)) - 1 + rnd(3); break;
		case 4: n = rnd(200); break;
		default: n = rnd(2) ? 40 + rnd(40) : rnd(1200); break;
		}
		for (size_t i = 0; i < n; i++)
			putc_(b, rnd(6) ? 'a' + (char)rnd(26) : body_bytes[rnd(sizeof body_bytes - 1)]);
		switch (rnd(8)) {
		case 0: puts_(b, "\r\n"); break;
		case 1: puts_(b, "\r\r\n"); break;
		case 2: if (l == nlines - 1) break; /* fall through */
		case 3: if (l == nlines - 1) { putc_(b, '\r'); break; } /* fall through */
		default: putc_(b, '\n'); break;
		}
	}
}

/* Bytes from a small alphabet where every rule's trigger is likely. */
static void gen_noise(struct buf *b)
{
	static const char alphabet[] = "\n\n\n\r\r..>>From : S\0a";
	size_t n = rnd(rnd(2) ? 64 : 700);
	for (size_t i = 0; i < n; i++) {
		if (rnd(20) == 0)
			puts_(b, rnd(2) ? ">From " : "Status: x");
		else
			putc_(b, alphabet[rnd(sizeof alphabet - 1)]);
	}
}

/* Fixed adversarial messages, each run through every cut pattern. */
static size_t gen_fixed(struct buf *b, unsigned which)
{
	b->len = 0;
	switch (which) {
	case 0: break;                                  /* empty */
	case 1: puts_(b, "\n"); break;
	case 2: puts_(b, "\r"); break;
	case 3: puts_(b, "."); break;
	case 4: puts_(b, ".\n.\r\n.\r"); break;
	case 5: puts_(b, "A: b\n\n.\n..\n>From .\n>From"); break;
	case 6: /* a CR right before every block boundary, then LF */
		puts_(b, "A: b\n\n");
		for (int i = 0; i < 40; i++) {
			for (int j = 0; j < i; j++)
				putc_(b, 'x');
			puts_(b, "\r\n");
		}
		break;
	case 7: /* only CRs and LFs */
		for (int i = 0; i < 300; i++)
			putc_(b, "\r\n"[rnd(2)]);
		break;
	case 8: /* NULs and LFs, NUL at line starts */
		for (int i = 0; i < 300; i++)
			putc_(b, rnd(3) ? '\0' : '\n');
		break;
	case 9: /* a long header line, hidden, with a long continuation */
		puts_(b, "Status: ");
		for (int i = 0; i < 500; i++)
			putc_(b, 'q');
		puts_(b, "\n ");
		for (int i = 0; i < 500; i++)
			putc_(b, 'r');
		puts_(b, "\r\nA: b\r\n\r\n.body\r\n");
		break;
	default: return 0;
	}
	return 1;
}

struct side {
	struct msgfilter f;
	char *out;        /* the whole output, gathered */
	size_t outlen;
	char *pending;    /* what the filter left, fed again */
	size_t npending;
};

static int same_state(const struct msgfilter *a, const struct msgfilter *b)
{
	return a->flags == b->flags && a->body_lines_left == b->body_lines_left &&
	       a->octets == b->octets && a->at_line_start == b->at_line_start &&
	       a->in_header == b->in_header && a->skipping == b->skipping &&
	       a->line_kept == b->line_kept && a->done == b->done &&
	       /* prev_cr matters only inside a line */
	       (a->at_line_start || a->prev_cr == b->prev_cr);
}

static void report(const char *what, const struct buf *msg, unsigned flags,
                   int64_t top, int count_only)
{
	printf("# %s: flags %u top %" PRId64 " %s, %zu bytes:", what, flags, top,
	       count_only ? "counting" : "sending", msg->len);
	for (size_t i = 0; i < msg->len && i < 400; i++)
		printf(" %02x", (unsigned char)msg->p[i]);
	printf("\n");
}

/* Feeds MSG to both in the same chunks (cut lengths from CUTMODE) and
 * compares after every call.  Returns 1 if they agreed throughout. */
static int run_pair(const struct buf *msg, unsigned flags, int64_t top,
                    int count_only, unsigned cutmode)
{
	struct side s[2];
	int agree = 1;
	for (int k = 0; k < 2; k++) {
		s[k].out = malloc(MSGF_OUTCAP(msg->len) + 1);
		s[k].pending = malloc(msg->len + 1);
		if (!s[k].out || !s[k].pending)
			abort();
		s[k].outlen = s[k].npending = 0;
	}
	ref_init(&s[0].f, flags, top);
	msgfilter_init(&s[1].f, flags, top);

	size_t start = 0;
	for (int calls = 0; calls < 100000 && agree; calls++) {
		size_t n;
		switch (cutmode) {
		case 0: n = msg->len; break;                 /* one call */
		case 1: n = rnd(4); break;                   /* tiny pieces */
		case 2: n = 1 + rnd(120); break;             /* around the lookahead */
		case 3: n = 1 + rnd(17); break;              /* around a block */
		default: n = rnd(2) ? 1 + rnd(600) : rnd(40); break;
		}
		if (n > msg->len - start)
			n = msg->len - start;
		int eof = start + n == msg->len;
		size_t used[2], got[2] = { 0, 0 };
		for (int k = 0; k < 2; k++) {
			memcpy(s[k].pending + s[k].npending, msg->p + start, n);
			s[k].npending += n;
			size_t cap = MSGF_OUTCAP(s[k].npending);
			char *room = NULL;
			if (!count_only) {
				room = malloc(cap + GUARD);
				if (!room)
					abort();
				memset(room, GUARD_BYTE, cap + GUARD);
			}
			/* A copy of exactly the bytes fed, so that a read past
			 * them is an error under ASan and valgrind. */
			char *in = malloc(s[k].npending ? s[k].npending : 1);
			if (!in)
				abort();
			memcpy(in, s[k].pending, s[k].npending);
			used[k] = k == 0 ? ref_feed(&s[k].f, in, s[k].npending, eof, room, &got[k])
			                 : msgfilter_feed(&s[k].f, in, s[k].npending, eof, room, &got[k]);
			free(in);
			if (room) {
				if (memcmp(room + cap, guard, GUARD) != 0) {
					report(k ? "new code wrote past MSGF_OUTCAP" : "reference overran",
					       msg, flags, top, count_only);
					agree = 0;
				}
				if (got[k] <= cap)
					memcpy(s[k].out + s[k].outlen, room, got[k]);
				free(room);
			}
			if (got[k] > cap || used[k] > s[k].npending ||
			    s[k].outlen + got[k] > MSGF_OUTCAP(msg->len)) {
				agree = 0;
				break;
			}
			s[k].outlen += got[k];
			memmove(s[k].pending, s[k].pending + used[k], s[k].npending - used[k]);
			s[k].npending -= used[k];
		}
		if (!agree)
			break;
		start += n;
		/* What was gathered before this call already agreed. */
		if (used[0] != used[1] || got[0] != got[1] ||
		    s[0].outlen != s[1].outlen ||
		    memcmp(s[0].out + s[0].outlen - got[0], s[1].out + s[1].outlen - got[1],
		           got[0]) != 0 ||
		    !same_state(&s[0].f, &s[1].f)) {
			report("differs from the reference", msg, flags, top, count_only);
			printf("#   call %d: used %zu/%zu got %zu/%zu octets %" PRIu64 "/%" PRIu64 "\n",
			       calls, used[0], used[1], got[0], got[1], s[0].f.octets, s[1].f.octets);
			agree = 0;
		}
		/* Both keep fewer than MSGF_LOOKAHEAD bytes (mboxsplit's carry
		 * and maildirscan's buffer rely on it), and nothing at EOF. */
		if (s[1].npending >= MSGF_LOOKAHEAD || (eof && s[1].npending)) {
			report("kept too much", msg, flags, top, count_only);
			agree = 0;
		}
		if (eof)
			break;
	}
	for (int k = 0; k < 2; k++) {
		free(s[k].out);
		free(s[k].pending);
	}
	return agree;
}

/* Every flag combination, TOP limits and cut patterns for one message. */
static int run_all(const struct buf *msg, unsigned cutmodes)
{
	static const int64_t tops[] = { -1, 0, 1, 2, 7 };
	for (unsigned flags = 0; flags < 8; flags++)
		for (size_t t = 0; t < sizeof tops / sizeof tops[0]; t++) {
			if (t > 0 && rnd(3) != 0)
				continue;
			for (unsigned cm = 0; cm < cutmodes; cm++) {
				/* byte by byte costs a call a byte: short ones only */
				if (cm == 1 && msg->len > 1500)
					continue;
				for (int count_only = 0; count_only < 2; count_only++) {
					if (count_only && tops[t] >= 0 && rnd(2))
						continue;
					if (!run_pair(msg, flags, tops[t], count_only, cm))
						return 0;
				}
			}
		}
	return 1;
}

int main(void)
{
	struct buf msg = { malloc(MAX_MSG), 0 };
	if (!msg.p)
		return 1;
	memset(guard, GUARD_BYTE, sizeof guard);

	int fixed_ok = 1;
	for (unsigned w = 0; fixed_ok && gen_fixed(&msg, w); w++)
		for (int rep = 0; rep < 20 && fixed_ok; rep++)
			fixed_ok = run_all(&msg, 5);
	ok(fixed_ok, "adversarial messages: same as the reference at every cut");

	int lines_ok = 1;
	for (int r = 0; r < ROUNDS && lines_ok; r++) {
		msg.len = 0;
		gen_lines(&msg);
		lines_ok = run_all(&msg, r % 4 == 0 ? 5 : 2 + (unsigned)(r % 4));
	}
	ok(lines_ok, "random line-shaped messages: same as the reference");

	int noise_ok = 1;
	for (int r = 0; r < ROUNDS && noise_ok; r++) {
		msg.len = 0;
		gen_noise(&msg);
		noise_ok = run_all(&msg, 5);
	}
	ok(noise_ok, "random bytes from the rules' alphabet: same as the reference");

	/* msgfilter_size is the counting path of the same code. */
	int size_ok = 1;
	for (int r = 0; r < 500 && size_ok; r++) {
		msg.len = 0;
		gen_lines(&msg);
		for (unsigned flags = 0; flags < 4 && size_ok; flags++) {
			struct msgfilter f;
			size_t outlen;
			ref_init(&f, flags, -1);
			ref_feed(&f, msg.p, msg.len, 1, NULL, &outlen);
			size_ok = msgfilter_size(msg.p, msg.len, flags) == f.octets &&
			          msgfilter_size(msg.p, msg.len, flags | MSGF_DOTSTUFF) == f.octets;
		}
	}
	ok(size_ok, "msgfilter_size equals the reference's count");

	free(msg.p);
	printf("1..%d\n", test_no);
	return failures != 0;
}
