/* oldids.c: a Maildir's messages with the UIDLs the server before this
 * one gave them (UIDL_FORMAT, doc/maildirscan.8).  Run on the sorted,
 * sized list; a message the old server's records do not know (mail that
 * came after the switch) keeps its own id.  The Maildir is the working
 * directory, where the confined worker may read. */
#include "scanparts.h"

#include "die.h"
#include "olduidl.h"
#include "sizecache.h"
#include "uidlformat.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The old server's file, parsed into T; 0 if there is none to use. */
static int load(struct olduidl *t, int format, char **buf)
{
	const char *file = format == UIDL_DOVECOT ? OLDUIDL_DOVECOT_FILE : OLDUIDL_COURIER_FILE;
	const char *why;
	size_t len;
	*buf = maildir_read_file(AT_FDCWD, file, OLDUIDL_FILE_MAX, &len, &why);
	if (!*buf) {
		logline("olduidl file=%s used=0 why=\"%s\"", file, why ? why : "absent");
		return 0;
	}
	int r = format == UIDL_DOVECOT ? olduidl_parse_dovecot(t, *buf, len, &why)
	                               : olduidl_parse_courier(t, *buf, len, &why);
	if (r < 0) {
		logline("olduidl file=%s used=0 why=\"%s\"", file, why);
		free(*buf);
		*buf = NULL;
		return 0;
	}
	logline("olduidl file=%s entries=%zu ignored=%zu", file, t->count, t->ignored);
	return 1;
}

/* Courier's id for a name it had no number for: the name up to ':' with
 * octets outside 0x21..0x7E, and ' " +, as "+XX".  Returns its length,
 * 0 when it would be too long for a UIDL. */
static size_t courier_name_id(const char *name, size_t len, char out[UID_MAX + 1])
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		int plain = c >= 0x21 && c <= 0x7E && c != '\'' && c != '"' && c != '+';
		if (n + (plain ? 1 : 3) > UID_MAX)
			return 0;
		if (plain) {
			out[n++] = (char)c;
		} else {
			out[n++] = '+';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = '\0';
	return n;
}

/* The old server's id for message M into OUT, or 0 if it had none
 * usable. */
static size_t old_id(const struct scan *s, const struct scan_message *m, int format,
                     const struct olduidl *t, char out[UID_MAX + 1])
{
	const char *name = s->arena + m->name_off;
	const char *colon = memchr(name, ':', m->name_len);
	size_t base = colon ? (size_t)(colon - name) : m->name_len;
	size_t n = 0;
	const char *id = t ? olduidl_find(t, name, base, &n) : NULL;
	if (id) {
		memcpy(out, id, n);
		return n;
	}
	if (format == UIDL_QMAIL && uid_valid(name, base)) {
		memcpy(out, name, base);
		return base;
	}
	if (format == UIDL_COURIER)
		return courier_name_id(name, base, out);
	return 0;
}

/* An id no other message has: OWN (LEN octets), else OWN-2, OWN-3 ...,
 * OWN cut short so that the suffix fits.  Bounded: each candidate taken
 * is another message's. */
static void unique_own(struct scan *s, struct scan_message *m, const uint32_t *table,
                       size_t mask, uint32_t own_off, uint8_t own_len)
{
	m->uid_off = own_off;
	m->uid_len = own_len;
	size_t at = scan_uid_slot(s, table, mask, s->arena + own_off, own_len);
	for (unsigned k = 2; table[at]; k++) {
		char alt[UID_MAX + 1], num[16];
		int d = snprintf(num, sizeof num, "-%u", k);
		int keep = own_len + d > UID_MAX ? UID_MAX - d : own_len;
		int n = snprintf(alt, sizeof alt, "%.*s%s", keep, s->arena + own_off, num);
		m->uid_off = scan_arena_add(s, alt, (size_t)n);
		m->uid_len = (uint8_t)n;
		at = scan_uid_slot(s, table, mask, s->arena + m->uid_off, m->uid_len);
	}
}

/* Old ids first, in delivery order: they are what the clients know, so
 * one that a new message's own id equals stays with the old message.
 * Of two messages the old server gave one id, the first keeps it; the
 * second, like a new message whose own id is taken, gets its own id
 * made unique. */
static void make_unique(struct scan *s, const uint32_t *own_off, const uint8_t *own_len)
{
	size_t mask;
	uint32_t *table = scan_id_table(s->count, &mask);
	uint8_t *placed = calloc(s->count + 1, 1);
	if (!placed)
		die_nomem();
	for (size_t i = 0; i < s->count; i++) {
		struct scan_message *m = &s->msgs[i];
		if (m->uid_off == own_off[i])
			continue;
		size_t at = scan_uid_slot(s, table, mask, s->arena + m->uid_off, m->uid_len);
		if (!table[at]) {
			table[at] = (uint32_t)(i + 1);
			placed[i] = 1;
		}
	}
	for (size_t i = 0; i < s->count; i++) {
		struct scan_message *m = &s->msgs[i];
		if (placed[i])
			continue;
		if (m->uid_off != own_off[i])
			s->stats.duplicates++;
		unique_own(s, m, table, mask, own_off[i], own_len[i]);
		size_t at = scan_uid_slot(s, table, mask, s->arena + m->uid_off, m->uid_len);
		table[at] = (uint32_t)(i + 1);
	}
	free(placed);
	free(table);
}

void scan_old_ids(struct scan *s, int uidl_format)
{
	struct olduidl t;
	char *buf = NULL;
	int have = 0;
	memset(&t, 0, sizeof t);
	if (uidl_format == UIDL_DOVECOT || uidl_format == UIDL_COURIER)
		have = load(&t, uidl_format, &buf);
	uint32_t *own_off = malloc((s->count + 1) * sizeof *own_off);
	uint8_t *own_len = malloc(s->count + 1);
	if (!own_off || !own_len)
		die_nomem();
	size_t used = 0;
	for (size_t i = 0; i < s->count; i++) {
		struct scan_message *m = &s->msgs[i];
		char id[UID_MAX + 1];
		own_off[i] = m->uid_off;
		own_len[i] = m->uid_len;
		size_t n = old_id(s, m, uidl_format, have ? &t : NULL, id);
		if (n == 0)
			continue;
		m->uid_off = scan_arena_add(s, id, n);
		m->uid_len = (uint8_t)n;
		used++;
	}
	make_unique(s, own_off, own_len);
	logline("olduidl format=%s old_ids=%zu own_ids=%zu", uidl_format_name(uidl_format),
	        used, s->count - used);
	free(own_off);
	free(own_len);
	olduidl_free(&t);
	free(buf);
}
