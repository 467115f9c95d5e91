/* uiddigest.c: see uiddigest.h.
 *
 * The header is cut into lines at LF; each line is kept (its first
 * UIDDIGEST_LINEMAX octets and one more, so that a CR just before the LF
 * is told apart from content) until its LF arrives, because whether it
 * counts depends on its field name.  A kept line enters the digest as its
 * content (CR of CR LF removed, cut to UIDDIGEST_LINEMAX) plus one LF, so
 * the id is the same for an mbox's LF and a Maildir's CR LF copy of a
 * message, and never depends on how the input was cut into chunks. */
#include "uiddigest.h"
#include "findlf.h"

#include <string.h>
#include <strings.h>

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
	memset(d, 0, sizeof *d);
	MD5Init(&d->md5);
}

/* If LINE is the field NAME (name, optional blanks, ':'), returns the
 * offset just after the colon, else 0. */
static size_t field_value_at(const char *line, size_t len, const struct field *f)
{
	size_t n = f->len;
	/* Every name starts with a letter: one compare turns most lines
	 * away before strncasecmp (a slow loop in musl) is called. */
	if (len <= n || (line[0] | 0x20) != (f->name[0] | 0x20) ||
	    strncasecmp(line, f->name, n) != 0)
		return 0;
	size_t i = n;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i < len && line[i] == ':')
		return i + 1;
	return 0;
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

/* One complete header line (LF not included). */
static void end_line(struct uiddigest *d)
{
	size_t len = d->line_len;
	if (!d->line_overflow && len > 0 && d->line[len - 1] == '\r')
		len--;
	if (len > UIDDIGEST_LINEMAX)
		len = UIDDIGEST_LINEMAX;
	d->line_len = 0;
	d->line_overflow = 0;
	if (len == 0) {
		d->done = 1;
		return;
	}
	int continuation = d->line[0] == ' ' || d->line[0] == '\t';
	if (!continuation) {
		d->in_cont_skip = (unsigned char)is_volatile(d->line, len);
		note_xuidl(d, d->line, len);
	}
	if (d->in_cont_skip)
		return;
	MD5Update(&d->md5, (const unsigned char *)d->line, len);
	MD5Update(&d->md5, (const unsigned char *)"\n", 1);
}

int uiddigest_feed(struct uiddigest *d, const char *buf, size_t len)
{
	size_t i = 0;
	while (i < len && !d->done) {
		const char *lf = find_lf(buf + i, len - i);
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
		end_line(d);
		i = (size_t)(lf - buf) + 1;
	}
	return d->done;
}

void uiddigest_final(struct uiddigest *d, char hex[UIDDIGEST_HEXLEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char sum[MD5_DIGEST_LENGTH];
	if (!d->done && (d->line_len > 0 || d->line_overflow))
		end_line(d);
	d->done = 1;
	MD5Final(sum, &d->md5);
	for (size_t i = 0; i < MD5_DIGEST_LENGTH; i++) {
		hex[2 * i] = digits[sum[i] >> 4];
		hex[2 * i + 1] = digits[sum[i] & 15];
	}
	hex[UIDDIGEST_HEXLEN] = '\0';
}
