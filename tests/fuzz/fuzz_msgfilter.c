/* fuzz_msgfilter: lib/msgfilter.c, its portable loop and the code they
 * replaced (tests/unit/msgfilter_ref.c) on arbitrary messages, cut into
 * arbitrary chunks.  The first three bytes pick the flags, counting or
 * sending, the TOP limit and how the rest is cut; every call must agree
 * on the bytes consumed, the output, its length, the octets and the
 * state, keep fewer than MSGF_LOOKAHEAD bytes back, and stay inside
 * MSGF_OUTCAP (each output buffer is allocated at exactly that size, so
 * ASan sees a store past it). */
#include "msgfilter.h"
#include "../unit/msgfilter_ref.c"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* tests/fuzz/fuzz_msgfilter_portable.c: msgfilter.c with MSGF_PORTABLE. */
void portable_msgfilter_init(struct msgfilter *f, unsigned flags, int64_t max_body_lines);
size_t portable_msgfilter_feed(struct msgfilter *f, const char *in, size_t inlen,
                               int eof, char *out, size_t *outlen);

#define SIDES 3

struct side {
	struct msgfilter f;
	char *out;
	size_t outlen;
	char *pending;
	size_t npending;
};

static size_t feed(int k, struct msgfilter *f, const char *in, size_t inlen,
                   int eof, char *out, size_t *outlen)
{
	if (k == 0)
		return ref_feed(f, in, inlen, eof, out, outlen);
	if (k == 1)
		return msgfilter_feed(f, in, inlen, eof, out, outlen);
	return portable_msgfilter_feed(f, in, inlen, eof, out, outlen);
}

static int same_state(const struct msgfilter *a, const struct msgfilter *b)
{
	return a->flags == b->flags && a->body_lines_left == b->body_lines_left &&
	       a->octets == b->octets && a->at_line_start == b->at_line_start &&
	       a->in_header == b->in_header && a->skipping == b->skipping &&
	       a->line_kept == b->line_kept && a->done == b->done &&
	       (a->at_line_start || a->prev_cr == b->prev_cr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	unsigned flags = data[0] & 7;
	int count_only = (data[0] >> 3) & 1;
	int64_t top = (data[0] >> 4) < 8 ? -1 : (int64_t)(data[0] >> 4) - 8;
	uint32_t cut = (uint32_t)data[1] << 8 | data[2];
	const char *msg = (const char *)data + 3;
	size_t len = size - 3;

	struct side s[SIDES];
	for (int k = 0; k < SIDES; k++) {
		s[k].out = malloc(MSGF_OUTCAP(len));
		s[k].pending = malloc(len + 1);
		if (!s[k].out || !s[k].pending)
			abort();
		s[k].outlen = s[k].npending = 0;
	}
	ref_init(&s[0].f, flags, top);
	msgfilter_init(&s[1].f, flags, top);
	portable_msgfilter_init(&s[2].f, flags, top);

	/* Chunk lengths from a small generator seeded by bytes 1 and 2:
	 * cut 0 is one call, low values give short pieces. */
	uint32_t state = cut | 1;
	size_t start = 0;
	for (size_t calls = 0;; calls++) {
		size_t n = len - start;
		if (cut != 0 && calls < 2 * len + 8) {
			state = state * 1103515245u + 12345u;
			size_t most = (cut & 0xff) + 1;
			size_t want = (state >> 16) % (most + 1);
			if (want < n)
				n = want;
		}
		int eof = start + n == len;
		size_t used[SIDES], got[SIDES];
		for (int k = 0; k < SIDES; k++) {
			memcpy(s[k].pending + s[k].npending, msg + start, n);
			s[k].npending += n;
			size_t cap = MSGF_OUTCAP(s[k].npending);
			char *room = count_only ? NULL : malloc(cap);
			char *in = malloc(s[k].npending ? s[k].npending : 1);
			if ((!count_only && !room) || !in)
				abort();
			memcpy(in, s[k].pending, s[k].npending);
			got[k] = 0;
			used[k] = feed(k, &s[k].f, in, s[k].npending, eof, room, &got[k]);
			free(in);
			if (used[k] > s[k].npending || got[k] > cap)
				abort();
			if (room) {
				memcpy(s[k].out + s[k].outlen, room, got[k]);
				free(room);
			}
			s[k].outlen += got[k];
			memmove(s[k].pending, s[k].pending + used[k], s[k].npending - used[k]);
			s[k].npending -= used[k];
			if (s[k].npending >= MSGF_LOOKAHEAD || (eof && s[k].npending))
				abort();
		}
		for (int k = 1; k < SIDES; k++)
			if (used[k] != used[0] || got[k] != got[0] || s[k].outlen != s[0].outlen ||
			    memcmp(s[k].out + s[k].outlen - got[k], s[0].out + s[0].outlen - got[0],
			           got[0]) != 0 ||
			    !same_state(&s[k].f, &s[0].f))
				abort();
		start += n;
		if (eof)
			break;
	}
	if (top < 0 && msgfilter_size(msg, len, flags) != s[0].f.octets)
		abort();
	for (int k = 0; k < SIDES; k++) {
		free(s[k].out);
		free(s[k].pending);
	}
	return 0;
}
