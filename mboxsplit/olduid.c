/* olduid.c: see olduid.h.
 *
 * A line is told apart by its first OLDUID_HEAD octets (or all of it,
 * if shorter), collected in head[] when it starts at the end of a
 * chunk; the rest of it streams through to MD5 or to the number reader
 * without being kept, so that a line of any length costs no memory and
 * the result never depends on how the header was cut into chunks. */
#include "olduid.h"
#include "findlf.h"

#include <string.h>
#include <strings.h>

enum { NUM_BEFORE, NUM_DIGITS, NUM_AFTER, NUM_BROKEN };
#define UID_DIGITS_MAX 10

void olduid_init(struct olduid *o)
{
	memset(o, 0, sizeof *o);
	MD5Init(&o->md5);
	o->at_start = 1;
}

static int is_lwsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* popa3d's test: the line starts with NAME (colon included), in either
 * case. */
static int starts(const char *line, size_t len, const char *name)
{
	size_t n = strlen(name);
	return len >= n && strncasecmp(line, name, n) == 0;
}

/* Dovecot's: the field is NAME, blanks allowed before the colon.
 * Returns the offset after the colon, or 0. */
static size_t dovecot_name(const char *line, size_t len, const char *name)
{
	size_t n = strlen(name), i;
	if (len <= n || strncasecmp(line, name, n) != 0)
		return 0;
	for (i = n; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	return i < len && line[i] == ':' ? i + 1 : 0;
}

static void number_start(struct olduid *o, unsigned which)
{
	o->num_state = NUM_BEFORE;
	o->num_which = (unsigned char)which;
	o->num = 0;
	o->num_digits = 0;
}

/* The end of X-IMAPbase's first number, at a space or the field's end. */
static void base_validity(struct olduid *o)
{
	o->uidvalidity = (uint32_t)o->num;
	number_start(o, 1);
}

/* One octet of an X-UID or X-IMAPbase value. */
static void value_octet(struct olduid *o, char c)
{
	if (o->num_state == NUM_BROKEN || o->num_which == 2)
		return;
	if (c >= '0' && c <= '9') {
		if (o->num_state == NUM_AFTER || ++o->num_digits > UID_DIGITS_MAX) {
			o->num_state = NUM_BROKEN;
			return;
		}
		o->num = o->num * 10 + (uint64_t)(c - '0');
		o->num_state = o->num > UINT32_MAX ? NUM_BROKEN : NUM_DIGITS;
		return;
	}
	int base = o->field != OF_XUID;
	if (!is_lwsp(c))
		o->num_state = NUM_BROKEN;
	else if (o->num_state == NUM_DIGITS && base && o->num_which == 0)
		base_validity(o);
	else if (o->num_state == NUM_DIGITS && base)
		o->num_which = 2;   /* uidlast read; keywords may follow */
	else if (o->num_state == NUM_DIGITS)
		o->num_state = NUM_AFTER;
}

static void field_end(struct olduid *o)
{
	if (o->field == OF_XUID) {
		if (o->num_state != NUM_BROKEN && o->num > 0) {
			o->x_uid = (uint32_t)o->num;
			o->uid_after_base = o->has_base;
		}
	} else if (o->field == OF_IMAPBASE || o->field == OF_IMAP) {
		if (o->num_state == NUM_DIGITS && o->num_which == 0)
			base_validity(o);
		if (o->num_state != NUM_BROKEN && o->num_which > 0 && o->uidvalidity != 0) {
			o->uidlast = o->num_which == 1 ? (uint32_t)o->num : o->uidlast;
			o->has_base = 1;
			o->pseudo = o->field == OF_IMAP;
		} else
			o->uidvalidity = 0;
	}
	o->field = OF_NONE;
}

/* The uidlast is kept when its digits end (num_which 2). */
static void keep_uidlast(struct olduid *o)
{
	if ((o->field == OF_IMAPBASE || o->field == OF_IMAP) && o->num_which == 1 &&
	    o->num_state == NUM_DIGITS)
		o->uidlast = (uint32_t)o->num;
}

static void line_bytes(struct olduid *o, const char *p, size_t n)
{
	if (o->field == OF_FIXED)
		MD5Update(&o->md5, (const unsigned char *)p, n);
	else if (o->field == OF_XUID || o->field == OF_IMAPBASE || o->field == OF_IMAP)
		for (size_t i = 0; i < n; i++) {
			keep_uidlast(o);
			value_octet(o, p[i]);
		}
}

/* popa3d's choice for a field's first line. */
static int popa3d_fixed(struct olduid *o, const char *h, size_t n)
{
	switch (h[0]) {
	case 'R': case 'r':
		if (o->received || !starts(h, n, "Received:"))
			return 0;
		o->received = 1;
		return 1;
	case 'D': case 'd':
		return starts(h, n, "Delivered-To:") || (!o->received && starts(h, n, "Date:"));
	case 'M': case 'm':
		return !o->received && starts(h, n, "Message-ID:");
	case 'X':
		return starts(h, n, "X-Delivery-ID:");
	}
	return 0;
}

/* Dovecot's fields: the field, and where its value starts in H. */
static size_t dovecot_field(struct olduid *o, const char *h, size_t n)
{
	size_t v;
	if ((h[0] | 0x20) != 'x')
		return 0;
	if (!o->x_uid && (v = dovecot_name(h, n, "X-UID")))
		o->field = OF_XUID;
	else if (!o->has_base && (v = dovecot_name(h, n, "X-IMAPbase")))
		o->field = OF_IMAPBASE;
	else if (!o->has_base && (v = dovecot_name(h, n, "X-IMAP")))
		o->field = OF_IMAP;
	else
		return 0;
	number_start(o, 0);
	return v;
}

/* HEAD holds the start of a line: what it is, then its octets. */
static void decide(struct olduid *o)
{
	const char *h = o->head;
	size_t n = o->head_len;
	o->deciding = 0;
	if ((n == 1 && h[0] == '\n') || (n == 2 && h[0] == '\r' && h[1] == '\n')) {
		field_end(o);
		o->done = 1;
		return;
	}
	size_t skip = 0;
	if (h[0] != ' ' && h[0] != '\t') {
		field_end(o);
		if (popa3d_fixed(o, h, n))
			o->field = OF_FIXED;
		else
			skip = dovecot_field(o, h, n);
	}
	if (o->field == OF_FIXED)
		line_bytes(o, h, n);
	else
		line_bytes(o, h + skip, n - skip);
}

int olduid_feed(struct olduid *o, const char *buf, size_t len)
{
	size_t i = 0;
	while (i < len && !o->done) {
		const char *lf = find_lf(buf + i, len - i);
		size_t seg = lf ? (size_t)(lf - (buf + i)) + 1 : len - i;
		if (o->at_start) {
			o->at_start = 0;
			o->deciding = 1;
			o->head_len = 0;
		}
		if (o->deciding) {
			size_t take = OLDUID_HEAD - o->head_len;
			if (take > seg)
				take = seg;
			memcpy(o->head + o->head_len, buf + i, take);
			o->head_len += take;
			i += take;
			seg -= take;
			if (o->head_len == OLDUID_HEAD || (lf && seg == 0))
				decide(o);
		}
		if (!o->deciding && !o->done) {
			line_bytes(o, buf + i, seg);
			i += seg;
		}
		if (lf && i == (size_t)(lf - buf) + 1)
			o->at_start = 1;
	}
	return o->done;
}

void olduid_finish(struct olduid *o)
{
	if (o->deciding && o->head_len > 0 && !o->done)
		decide(o);
	if (!o->done)
		field_end(o);
	o->done = 1;
}

void olduid_popa3d(struct olduid *o, char hex[OLDUID_POPA3D_HEXLEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	static const unsigned char order[8] = { 3, 2, 1, 0, 7, 6, 5, 4 };
	olduid_finish(o);
	unsigned char sum[16];
	MD5Final(sum, &o->md5);
	for (size_t k = 0; k < 8; k++) {
		hex[2 * k] = digits[sum[order[k]] >> 4];
		hex[2 * k + 1] = digits[sum[order[k]] & 15];
	}
	hex[OLDUID_POPA3D_HEXLEN] = '\0';
}

void olduid_dovecot(uint32_t uid, uint32_t uidvalidity, char hex[OLDUID_DOVECOT_HEXLEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	for (int k = 0; k < 8; k++) {
		hex[k] = digits[(uid >> (28 - 4 * k)) & 15];
		hex[8 + k] = digits[(uidvalidity >> (28 - 4 * k)) & 15];
	}
	hex[OLDUID_DOVECOT_HEXLEN] = '\0';
}

void olduid_seq_start(struct olduid_seq *s, int has_base, uint32_t uidlast)
{
	s->valid = has_base;
	s->prev = 0;
	s->next = uidlast == UINT32_MAX ? UINT32_MAX : uidlast + 1;
}

int olduid_seq_take(struct olduid_seq *s, uint32_t x_uid)
{
	if (!s->valid)
		return 0;
	int kept = x_uid != 0 && x_uid <= s->next && x_uid > s->prev;
	uint32_t uid = kept ? x_uid : s->next;
	if (uid == s->next && s->next < UINT32_MAX)
		s->next++;
	s->prev = uid;
	return kept;
}
