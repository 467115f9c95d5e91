/* uiddigest.c: see uiddigest.h.
 *
 * The header is cut into lines at LF.  A line that lies whole in the
 * caller's buffer is looked at where it is, and runs of such lines that
 * enter the digest unchanged (no CR before the LF, not cut, not left
 * out) are hashed in one call.  A line split between two calls is kept
 * (its first UIDDIGEST_LINEMAX octets and one more, so that a CR just
 * before the LF is told apart from content) until its LF arrives.  A
 * counted line enters the digest as its content (CR of CR LF removed,
 * cut to UIDDIGEST_LINEMAX) plus one LF, so the id is the same for an
 * mbox's LF and a Maildir's CR LF copy of a message, and never depends
 * on how the input was cut into chunks. */
#include "uiddigest.h"
#include "findlf.h"

#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

_Static_assert(sizeof(XXH3_state_t) <= UIDDIGEST_STATE, "UIDDIGEST_STATE too small");

static XXH3_state_t *xxh(struct uiddigest *d)
{
	return (XXH3_state_t *)(void *)d->state;
}

/* Fields mail readers add or rewrite after delivery: left out.  With
 * their lengths, so that a header line costs no strlen() per name. */
#define FIELD(s) { s, sizeof s - 1 }
static const struct field { const char *name; size_t len; } volatile_fields[] = {
	FIELD("Status"), FIELD("X-Status"), FIELD("X-UID"), FIELD("X-Keywords"),
	FIELD("X-IMAP"), FIELD("X-IMAPbase"), FIELD("Content-Length"), FIELD("X-UIDL"),
};
static const struct field xuidl_field = FIELD("X-UIDL");

void uiddigest_init(struct uiddigest *d)
{
	d->line_len = 0;
	d->in_cont_skip = 0;
	d->done = 0;
	d->line_overflow = 0;
	d->streaming = 0;
	d->have_sum = 0;
	d->left_out = 0;
	d->xuidl[0] = '\0';
}

static void hash_more(struct uiddigest *d, const char *p, size_t n)
{
	if (!d->streaming) {
		XXH3_128bits_reset(xxh(d));
		d->streaming = 1;
	}
	XXH3_128bits_update(xxh(d), p, n);
}

static void hash_sum(struct uiddigest *d, XXH128_hash_t h)
{
	XXH128_canonical_t c;
	_Static_assert(sizeof c.digest == sizeof d->sum, "XXH128 is 16 octets");
	XXH128_canonicalFromHash(&c, h);
	memcpy(d->sum, c.digest, sizeof d->sum);
	d->have_sum = 1;
}

/* Whether the N octets at P are NAME's (letters in either case; other
 * octets exactly).  In place of strncasecmp, a slow loop in musl. */
static int name_is(const char *p, const char *name, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i], k = (unsigned char)name[i];
		if (c != k && !(((c | 0x20) == (k | 0x20)) && (k | 0x20) >= 'a' && (k | 0x20) <= 'z'))
			return 0;
	}
	return 1;
}

/* If LINE is the field NAME (name, optional blanks, ':'), returns the
 * offset just after the colon, else 0. */
static size_t field_value_at(const char *line, size_t len, const struct field *f)
{
	size_t n = f->len;
	if (len <= n || !name_is(line, f->name, n))
		return 0;
	size_t i = n;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i < len && line[i] == ':')
		return i + 1;
	return 0;
}

/* Every left-out name starts with C, S or X. */
static int may_be_listed(char c)
{
	c |= 0x20;
	return c == 'c' || c == 's' || c == 'x';
}

static int is_volatile(const char *line, size_t len)
{
	for (size_t i = 0; i < sizeof volatile_fields / sizeof *volatile_fields; i++)
		if (field_value_at(line, len, &volatile_fields[i]))
			return 1;
	return 0;
}

/* Keeps the first valid X-UIDL value: blanks around it trimmed, 1..70
 * octets of 0x21..0x7E, as a POP3 UIDL must be. */
static void note_xuidl(struct uiddigest *d, const char *line, size_t len)
{
	size_t start = field_value_at(line, len, &xuidl_field);
	if (!start || d->xuidl[0])
		return;
	size_t end = len;
	while (start < end && (line[start] == ' ' || line[start] == '\t'))
		start++;
	while (end > start && (line[end - 1] == ' ' || line[end - 1] == '\t'))
		end--;
	size_t n = end - start;
	if (n == 0 || n > sizeof d->xuidl - 1)
		return;
	for (size_t i = start; i < end; i++)
		if ((unsigned char)line[i] < 0x21 || (unsigned char)line[i] > 0x7e)
			return;
	memcpy(d->xuidl, line + start, n);
	d->xuidl[n] = '\0';
}

/* Bytes of the caller's buffer that enter the digest as they are. */
struct run {
	const char *start, *end;
};

static void run_flush(struct uiddigest *d, struct run *r)
{
	size_t n = (size_t)(r->end - r->start);
	if (d->done && !d->streaming) {
		if (!d->have_sum)
			hash_sum(d, XXH3_128bits(r->start, n));
	} else if (n)
		hash_more(d, r->start, n);
	r->start = r->end = NULL;
}

/* A complete header line: LEN octets of it at LINE, its LF not included;
 * OVERFLOW: more octets were cut off.  IN_PLACE: LINE is in the caller's
 * buffer with its LF at LINE[LEN]. */
static void end_line(struct uiddigest *d, const char *line, size_t len, int overflow,
                     int in_place, struct run *r)
{
	size_t n = len;
	if (!overflow && n > 0 && line[n - 1] == '\r')
		n--;
	if (n > UIDDIGEST_LINEMAX)
		n = UIDDIGEST_LINEMAX;
	if (n == 0) {
		d->done = 1;
		return;
	}
	if (line[0] != ' ' && line[0] != '\t') {
		d->in_cont_skip = 0;
		if (may_be_listed(line[0])) {
			d->in_cont_skip = (unsigned char)is_volatile(line, n);
			d->left_out |= d->in_cont_skip;
			note_xuidl(d, line, n);
		}
	}
	if (d->in_cont_skip)
		return;
	if (in_place && n == len) {
		if (r->end != line) {
			run_flush(d, r);
			r->start = line;
		}
		r->end = line + n + 1;
		return;
	}
	run_flush(d, r);
	hash_more(d, line, n);
	hash_more(d, "\n", 1);
}

int uiddigest_feed(struct uiddigest *d, const char *buf, size_t len)
{
	struct run r = { NULL, NULL };
	size_t i = 0;
	while (i < len && !d->done) {
		const char *lf = find_lf(buf + i, len - i);
		if (lf && d->line_len == 0) {
			size_t whole = (size_t)(lf - (buf + i));
			int overflow = whole > UIDDIGEST_LINEMAX + 1;
			end_line(d, buf + i, overflow ? UIDDIGEST_LINEMAX + 1 : whole, overflow, 1, &r);
			i = (size_t)(lf - buf) + 1;
			continue;
		}
		size_t take = (lf ? (size_t)(lf - buf) : len) - i;
		size_t room = UIDDIGEST_LINEMAX + 1 - d->line_len;
		if (take > room) {
			d->line_overflow = 1;
			take = room;
		}
		memcpy(d->line + d->line_len, buf + i, take);
		d->line_len += take;
		if (!lf)
			break;
		end_line(d, d->line, d->line_len, d->line_overflow, 0, &r);
		d->line_len = 0;
		d->line_overflow = 0;
		i = (size_t)(lf - buf) + 1;
	}
	run_flush(d, &r);
	return d->done;
}

void uiddigest_final_bytes(struct uiddigest *d, unsigned char sum[UIDDIGEST_BYTES])
{
	if (!d->done && (d->line_len > 0 || d->line_overflow)) {
		struct run r = { NULL, NULL };
		end_line(d, d->line, d->line_len, d->line_overflow, 0, &r);
	}
	d->done = 1;
	if (!d->have_sum)
		hash_sum(d, d->streaming ? XXH3_128bits_digest(xxh(d)) : XXH3_128bits(NULL, 0));
	memcpy(sum, d->sum, UIDDIGEST_BYTES);
}

void uiddigest_hex(const unsigned char sum[UIDDIGEST_BYTES], char hex[UIDDIGEST_HEXLEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < UIDDIGEST_BYTES; i++) {
		hex[2 * i] = digits[sum[i] >> 4];
		hex[2 * i + 1] = digits[sum[i] & 15];
	}
	hex[UIDDIGEST_HEXLEN] = '\0';
}

void uiddigest_final(struct uiddigest *d, char hex[UIDDIGEST_HEXLEN + 1])
{
	unsigned char sum[UIDDIGEST_BYTES];
	uiddigest_final_bytes(d, sum);
	uiddigest_hex(sum, hex);
}
