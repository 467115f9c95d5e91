/* duplicates.c: one entry per UIDL.  Two names with the same unique
 * part are one message; two files with the same header id (-u) are two
 * messages, and the later ones get a suffix. */
#include "scanparts.h"

#include "die.h"
#include "namehash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The slot of UID (LEN octets, hash H) in TABLE (indexes + 1 into
 * S->msgs), or of the empty slot where it would go. */
static size_t uid_slot_h(const struct scan *s, const uint32_t *table,
                         size_t mask, const char *uid, size_t len, uint64_t h)
{
	size_t at = h & mask;
	while (table[at]) {
		const struct scan_message *o = &s->msgs[table[at] - 1];
		if (o->uid_len == len && memcmp(s->arena + o->uid_off, uid, len) == 0)
			break;
		at = (at + 1) & mask;
	}
	return at;
}

size_t scan_uid_slot(const struct scan *s, const uint32_t *table,
                     size_t mask, const char *uid, size_t len)
{
	return uid_slot_h(s, table, mask, uid, len, name_hash(uid, len));
}

static int delivered_before(const struct scan *s, const struct scan_message *a,
                            const struct scan_message *b)
{
	if (a->has_seconds != b->has_seconds)
		return a->has_seconds;
	if (a->seconds != b->seconds)
		return a->seconds < b->seconds;
	if (a->usec != b->usec)
		return a->usec < b->usec;
	return strcmp(s->arena + a->name_off, s->arena + b->name_off) < 0;
}

uint32_t *scan_id_table(size_t count, size_t *mask)
{
	size_t slots = 16;
	while (slots < 2 * count + 2)
		slots *= 2;
	uint32_t *table = calloc(slots, sizeof *table);
	if (!table)
		die_nomem();
	*mask = slots - 1;
	return table;
}

/* Ids from names: the same unique part means the same message (a second
 * link, or a reader's leftover), so only the earliest delivered is kept.
 * Run before sorting, in readdir order: the names are then read in the
 * order they were stored, which matters at 100,000 of them. */
void scan_drop_duplicate_names(struct scan *s)
{
	size_t mask, kept = 0;
	uint32_t *table = scan_id_table(s->count, &mask);
	uint64_t *hash = malloc((s->count + 1) * sizeof *hash);
	if (!hash)
		die_nomem();
	for (size_t i = 0; i < s->count; i++)
		hash[i] = name_hash(s->arena + s->msgs[i].uid_off, s->msgs[i].uid_len);
	for (size_t i = 0; i < s->count; i++) {
		if (i + SCAN_PREFETCH < s->count)
			__builtin_prefetch(&table[hash[i + SCAN_PREFETCH] & mask]);
		struct scan_message m = s->msgs[i];
		size_t at = uid_slot_h(s, table, mask, s->arena + m.uid_off, m.uid_len, hash[i]);
		if (table[at]) {
			struct scan_message *held = &s->msgs[table[at] - 1];
			if (delivered_before(s, &m, held))
				*held = m;
			s->stats.duplicates++;
			continue;
		}
		s->msgs[kept] = m;
		table[at] = (uint32_t)(kept + 1);
		kept++;
	}
	s->count = kept;
	free(hash);
	free(table);
}

/* Ids from headers (-u): two copies of one message are both served, the
 * later ones as "ID-2", "ID-3" ... in delivery order, as mboxsplit does;
 * an X-UIDL too long for a suffix gives way to the digest.  Digest ids
 * are NUL-terminated strings with the digest after them. */
void scan_number_duplicate_digests(struct scan *s)
{
	size_t mask, kept = 0;
	uint32_t *table = scan_id_table(s->count, &mask);
	for (size_t i = 0; i < s->count; i++) {
		struct scan_message m = s->msgs[i];
		uint32_t base_off = m.uid_off;
		size_t at = scan_uid_slot(s, table, mask, s->arena + m.uid_off, m.uid_len);
		for (unsigned suffix = 2; table[at] && suffix < 100000; suffix++) {
			char alt[UID_MAX + 16];
			const char *base = s->arena + base_off;
			size_t blen = strlen(base);
			const char *digest = base + blen + 1;
			int n = snprintf(alt, sizeof alt, "%s-%u", base, suffix);
			if (n > UID_MAX && *digest) {
				base_off = (uint32_t)(digest - s->arena);
				suffix = 1;
				n = snprintf(alt, sizeof alt, "%s", digest);
			} else if (n > UID_MAX) {
				break;
			}
			m.uid_off = scan_arena_add(s, alt, (size_t)n);
			m.uid_len = (uint8_t)n;
			at = scan_uid_slot(s, table, mask, s->arena + m.uid_off, m.uid_len);
		}
		if (table[at]) {
			s->stats.duplicates++;
			continue;
		}
		s->msgs[kept] = m;
		table[at] = (uint32_t)(kept + 1);
		kept++;
	}
	s->count = kept;
	free(table);
}
