/* olduidl.c: see olduidl.h.  The two parsers, then the table of names
 * both fill. */
#include "olduidl.h"

#include "die.h"
#include "namehash.h"
#include "scan_num.h"
#include "shortstr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest name a Maildir holds (NAME_MAX), and so a key. */
#define OLDUIDL_NAME_MAX 255

static void add_entry(struct olduidl *t, const char *key, size_t key_len,
                      const char *id, size_t id_len)
{
	if (t->count == t->cap) {
		size_t n = t->cap ? 2 * t->cap : 64;
		struct olduidl_entry *e = realloc(t->entries, n * sizeof *e);
		if (!e)
			die_nomem();
		t->entries = e;
		t->cap = n;
	}
	if (t->ids_len + id_len + 1 > t->ids_cap) {
		size_t n = t->ids_cap ? t->ids_cap : 1024;
		while (n < t->ids_len + id_len + 1)
			n *= 2;
		char *p = realloc(t->ids, n);
		if (!p)
			die_nomem();
		t->ids = p;
		t->ids_cap = n;
	}
	struct olduidl_entry *e = &t->entries[t->count++];
	e->key_off = (size_t)(key - t->data);
	e->key_len = (uint16_t)key_len;
	e->id_off = t->ids_len;
	e->id_len = (uint8_t)id_len;
	e->dropped = 0;
	memcpy(t->ids + t->ids_len, id, id_len);
	t->ids[t->ids_len + id_len] = '\0';
	t->ids_len += id_len + 1;
}

/* Takes the message named NAME (LEN octets, up to ':' used) with ID, or
 * counts the line ignored when either is unusable. */
static void take(struct olduidl *t, const char *name, size_t len,
                 const char *id, size_t id_len)
{
	const char *colon = short_find(name, len, ':');
	if (colon)
		len = (size_t)(colon - name);
	if (len == 0 || len > OLDUIDL_NAME_MAX || short_find(name, len, '/') ||
	    !uid_valid(id, id_len)) {
		t->ignored++;
		return;
	}
	add_entry(t, name, len, id, id_len);
}

static size_t slot_of(const struct olduidl *t, const char *key, size_t len)
{
	size_t at = name_hash(key, len) & t->mask;
	while (t->slots[at]) {
		const struct olduidl_entry *e = &t->entries[t->slots[at] - 1];
		if (e->key_len == len && memcmp(t->data + e->key_off, key, len) == 0)
			break;
		at = (at + 1) & t->mask;
	}
	return at;
}

/* A name listed twice: Dovecot reads the later line as the truth
 * (LATER_WINS); Courier's order between the two is not defined, so
 * neither is trusted unless both give the same id. */
static void build_index(struct olduidl *t, int later_wins)
{
	size_t n = 16;
	while (n < 2 * t->count + 2)
		n *= 2;
	t->slots = calloc(n, sizeof *t->slots);
	if (!t->slots)
		die_nomem();
	t->mask = n - 1;
	for (size_t i = 0; i < t->count; i++) {
		struct olduidl_entry *e = &t->entries[i];
		size_t at = slot_of(t, t->data + e->key_off, e->key_len);
		if (!t->slots[at]) {
			t->slots[at] = (uint32_t)(i + 1);
			continue;
		}
		struct olduidl_entry *held = &t->entries[t->slots[at] - 1];
		int same = held->id_len == e->id_len &&
		           memcmp(t->ids + held->id_off, t->ids + e->id_off, e->id_len) == 0;
		t->ignored++;
		if (later_wins) {
			held->dropped = 1;
			t->slots[at] = (uint32_t)(i + 1);
		} else if (same) {
			e->dropped = 1;
		} else {
			held->dropped = e->dropped = 1;
		}
	}
}

/* Calls LINE_FN on each LF-terminated line of DATA after the first, the
 * header, which is returned in *HDR / *HDR_LEN.  Lines with a NUL, over
 * OLDUIDL_LINE_MAX, or cut off by the end of the file are ignored.
 * Returns -1 when there is no whole header line. */
static int each_line(struct olduidl *t, size_t len, const char **hdr, size_t *hdr_len,
                     void (*line_fn)(struct olduidl *, const char *, size_t, void *),
                     void *arg)
{
	size_t pos = 0, seen = 0;
	while (pos < len) {
		const char *p = t->data + pos;
		const char *lf = memchr(p, '\n', len - pos);
		if (!lf) {
			t->ignored += seen > 0;
			break;
		}
		size_t n = (size_t)(lf - p);
		pos += n + 1;
		int bad = n > OLDUIDL_LINE_MAX || memchr(p, '\0', n) != NULL;
		if (seen++ == 0) {
			if (bad)
				return -1;
			*hdr = p;
			*hdr_len = n;
		} else if (bad) {
			t->ignored++;
		} else {
			line_fn(t, p, n, arg);
		}
	}
	return seen > 0 ? 0 : -1;
}

static size_t digits(const char *p, size_t len)
{
	size_t i = 0;
	while (i < len && p[i] >= '0' && p[i] <= '9')
		i++;
	return i;
}

static void start(struct olduidl *t, const char *data)
{
	memset(t, 0, sizeof *t);
	t->data = data;
}

static int refuse(struct olduidl *t, const char **why, const char *what)
{
	*why = what;
	const char *data = t->data;
	olduidl_free(t);
	t->data = data;
	return -1;
}

/* Dovecot ---------------------------------------------------------- */

struct dovecot_state {
	int version;           /* 1 or 3 */
	uint32_t uidvalidity;
	uint32_t prev_uid;
};

/* "V<n> N<n> G<guid> ..." (version 3): the uidvalidity, 0 if missing. */
static uint32_t dovecot_v3_header(const char *p, size_t len)
{
	uint32_t v = 0, next = 0;
	size_t i = 0;
	while (i < len) {
		if (p[i] == ' ') {
			i++;
			continue;
		}
		size_t end = i;
		while (end < len && p[end] != ' ')
			end++;
		uint32_t *to = p[i] == 'V' ? &v : p[i] == 'N' ? &next : NULL;
		if (to && !scan_u32(p + i + 1, end - i - 1, to))
			return 0;
		i = end;
	}
	return next ? v : 0;
}

/* "<uidvalidity> <nextuid>" (version 1). */
static uint32_t dovecot_v1_header(const char *p, size_t len)
{
	size_t a = digits(p, len);
	uint32_t v, next;
	if (a == 0 || a >= len || p[a] != ' ' || !scan_u32(p, a, &v) ||
	    !scan_u32(p + a + 1, len - a - 1, &next) || next == 0)
		return 0;
	return v;
}

/* The fields between the uid and ":NAME" (version 3): the "P" value, if
 * any, in *POP3.  Returns the offset of NAME, or 0 if there is none. */
static size_t dovecot_fields(const char *p, size_t len, size_t i,
                             const char **pop3, size_t *pop3_len)
{
	while (i < len && p[i] != ':') {
		size_t end = i;
		while (end < len && p[end] != ' ')
			end++;
		if (p[i] == 'P' && end - i > 1) {
			*pop3 = p + i + 1;
			*pop3_len = end - i - 1;
		}
		i = end;
		while (i < len && p[i] == ' ')
			i++;
	}
	return i < len ? i + 1 : 0;
}

static void dovecot_line(struct olduidl *t, const char *p, size_t len, void *arg)
{
	struct dovecot_state *st = arg;
	size_t n = digits(p, len);
	uint32_t uid;
	if (n == 0 || n >= len || p[n] != ' ' || !scan_u32(p, n, &uid) ||
	    uid == 0 || uid == UINT32_MAX || uid <= st->prev_uid) {
		t->ignored++;
		return;
	}
	st->prev_uid = uid;
	size_t i = n;
	while (i < len && p[i] == ' ')
		i++;
	const char *pop3 = NULL;
	size_t pop3_len = 0;
	if (st->version == 3 && !(i = dovecot_fields(p, len, i, &pop3, &pop3_len))) {
		t->ignored++;
		return;
	}
	char id[24];
	if (!pop3) {
		pop3_len = (size_t)snprintf(id, sizeof id, "%08x%08x", uid, st->uidvalidity);
		pop3 = id;
	}
	take(t, p + i, len - i, pop3, pop3_len);
}

int olduidl_parse_dovecot(struct olduidl *t, const char *data, size_t len,
                          const char **why)
{
	struct dovecot_state st = { 0 };
	const char *hdr = NULL;
	size_t hdr_len = 0;
	start(t, data);
	*why = NULL;
	/* The header is read before any line uses its uidvalidity. */
	const char *lf = memchr(data, '\n', len);
	if (!lf || (size_t)(lf - data) > OLDUIDL_LINE_MAX || (size_t)(lf - data) < 2 ||
	    data[1] != ' ' || (data[0] != '1' && data[0] != '3'))
		return refuse(t, why, "not a version 1 or 3 dovecot-uidlist");
	hdr_len = (size_t)(lf - data) - 2;
	st.version = data[0] - '0';
	st.uidvalidity = st.version == 3 ? dovecot_v3_header(data + 2, hdr_len)
	                                 : dovecot_v1_header(data + 2, hdr_len);
	if (st.uidvalidity == 0)
		return refuse(t, why, "header without uidvalidity or next uid");
	if (each_line(t, len, &hdr, &hdr_len, dovecot_line, &st) < 0)
		return refuse(t, why, "unreadable header");
	build_index(t, 1);
	return 0;
}

/* Courier ---------------------------------------------------------- */

/* "<size> <uid>:<uidvalidity>[:<utf8>]" at the end of a line. */
static void courier_line(struct olduidl *t, const char *p, size_t len, void *arg)
{
	(void)arg;
	const char *last = memrchr(p, ' ', len);
	const char *mid = last ? memrchr(p, ' ', (size_t)(last - p)) : NULL;
	uint64_t size, uid, uidv, utf8;
	if (!mid || mid == p || !scan_u64(mid + 1, (size_t)(last - mid - 1), &size)) {
		t->ignored++;
		return;
	}
	const char *f = last + 1, *end = p + len;
	size_t a = digits(f, (size_t)(end - f));
	size_t b = a < (size_t)(end - f) && f[a] == ':' ? digits(f + a + 1, (size_t)(end - f - a - 1)) : 0;
	const char *rest = f + a + 1 + b;
	if (a == 0 || b == 0 || !scan_u64(f, a, &uid) || !scan_u64(f + a + 1, b, &uidv) ||
	    (rest < end && (*rest != ':' || !scan_u64(rest + 1, (size_t)(end - rest - 1), &utf8))) ||
	    uid == 0) {
		t->ignored++;
		return;
	}
	char id[48];
	int n = uidv ? snprintf(id, sizeof id, "UID%llu-%llu", (unsigned long long)uid,
	                        (unsigned long long)uidv)
	             : snprintf(id, sizeof id, "UID%llu", (unsigned long long)uid);
	take(t, p, (size_t)(mid - p), id, (size_t)n);
}

int olduidl_parse_courier(struct olduidl *t, const char *data, size_t len,
                          const char **why)
{
	const char *hdr = NULL;
	size_t hdr_len = 0;
	start(t, data);
	*why = NULL;
	if (each_line(t, len, &hdr, &hdr_len, courier_line, NULL) < 0)
		return refuse(t, why, "no header line");
	size_t v = hdr_len > 1 && hdr[0] == '/' ? digits(hdr + 1, hdr_len - 1) : 0;
	size_t nd = v && v + 2 < hdr_len && hdr[v + 1] == ' '
	            ? digits(hdr + v + 2, hdr_len - v - 2) : 0;
	uint32_t version;
	if (!v || !nd || !scan_u32(hdr + 1, v, &version) || (version != 2 && version != 3))
		return refuse(t, why, "not a version 2 or 3 courierpop3dsizelist");
	build_index(t, 0);
	return 0;
}

/* The table ------------------------------------------------------- */

const char *olduidl_find(const struct olduidl *t, const char *name, size_t len,
                         size_t *id_len)
{
	if (!t->slots || len == 0 || len > OLDUIDL_NAME_MAX)
		return NULL;
	size_t at = slot_of(t, name, len);
	if (!t->slots[at])
		return NULL;
	const struct olduidl_entry *e = &t->entries[t->slots[at] - 1];
	if (e->dropped)
		return NULL;
	*id_len = e->id_len;
	return t->ids + e->id_off;
}

void olduidl_free(struct olduidl *t)
{
	free(t->ids);
	free(t->entries);
	free(t->slots);
	memset(t, 0, sizeof *t);
}
