/* mboxuid.c: the ids of an indexed mbox (index.h): a message's X-UIDL,
 * else its header digest, with "-N" added to the second and later
 * holders of one id, so that every id in the scan list is unique. */
#include "index.h"
#include "olduid.h"
#include "uiddigest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The id before any suffix: the X-UIDL, else the digest in hex. */
static size_t uid_base(const struct mbox_index *ix, size_t i, char buf[UID_MAX + 1])
{
	const struct mbox_msg *m = &ix->msgs[i];
	if (m->tag & MBOX_TAG_XUIDL) {
		size_t n = strlen(ix->xuidl_pool + m->xuidl_off);
		memcpy(buf, ix->xuidl_pool + m->xuidl_off, n + 1);
		return n;
	}
	uiddigest_hex(m->digest, buf);
	return UIDDIGEST_HEXLEN;
}

/* BASE with "-SUFFIX" if SUFFIX > 0; 0 if that would pass UID_MAX. */
static size_t uid_with_suffix(const char *base, size_t len, uint32_t suffix,
                              char buf[UID_MAX + 1])
{
	char tail[16] = "";
	size_t tlen = 0;
	if (suffix > 0) {
		char digits[12];
		size_t nd = 0;
		for (uint32_t v = suffix; v > 0; v /= 10)
			digits[nd++] = (char)('0' + v % 10);
		tail[tlen++] = '-';
		while (nd > 0)
			tail[tlen++] = digits[--nd];
	}
	if (len + tlen > UID_MAX)
		return 0;
	if (buf != base)
		memmove(buf, base, len);
	memcpy(buf + len, tail, tlen);
	buf[len + tlen] = '\0';
	return len + tlen;
}

size_t mbox_uid(const struct mbox_index *ix, size_t i, char buf[UID_MAX + 1])
{
	size_t len = uid_base(ix, i, buf);
	return uid_with_suffix(buf, len, ix->msgs[i].tag & MBOX_TAG_SUFFIX, buf);
}

static uint32_t hash_str(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* Slot of the message whose final id is UID, or of the empty slot where
 * it would go.  Slots hold index + 1, 0 meaning empty. */
static size_t table_find(const struct mbox_index *ix, const uint32_t *table,
                         size_t mask, const char *uid, size_t len)
{
	size_t slot = hash_str(uid, len) & mask;
	char other[UID_MAX + 1];
	while (table[slot]) {
		size_t olen = mbox_uid(ix, table[slot] - 1, other);
		if (olen == len && memcmp(other, uid, len) == 0)
			return slot;
		slot = (slot + 1) & mask;
	}
	return slot;
}

/* Gives message I a final id not yet in TABLE and enters it.
 * Returns 1 done, 0 to try again with the digest, -1 on overflow. */
static int make_unique(struct mbox_index *ix, uint32_t *table, size_t mask, size_t i)
{
	struct mbox_msg *m = &ix->msgs[i];
	char base[UID_MAX + 1], uid[UID_MAX + 1];
	m->tag &= ~(uint32_t)MBOX_TAG_SUFFIX;
	size_t blen = uid_base(ix, i, base);
	size_t slot = table_find(ix, table, mask, base, blen);
	if (table[slot]) {
		/* Taken: go on from the last suffix given for this id. */
		struct mbox_msg *holder = &ix->msgs[table[slot] - 1];
		uint32_t suffix = holder->dups < 2 ? 2 : holder->dups + 1;
		for (;; suffix++) {
			if (suffix > MBOX_TAG_SUFFIX)
				return -1;
			size_t len = uid_with_suffix(base, blen, suffix, uid);
			if (len == 0) {
				/* An X-UIDL too long to take a suffix. */
				m->tag &= ~(uint32_t)MBOX_TAG_XUIDL;
				return 0;
			}
			slot = table_find(ix, table, mask, uid, len);
			if (!table[slot])
				break;
		}
		holder->dups = suffix;
		m->tag |= suffix;
	}
	table[slot] = (uint32_t)(i + 1);
	return 1;
}

/* The common case, and much quicker: no message has an X-UIDL, so every
 * id is a digest and two ids are equal exactly when their 16 octets are.
 * Returns 1 if all are distinct (nothing to add), 0 if some are not (the
 * general pass decides the suffixes), -1 out of memory. */
static int digests_distinct(const struct mbox_index *ix, size_t size)
{
	uint32_t *table = calloc(size, sizeof *table);
	if (!table)
		return -1;
	int r = 1;
	for (size_t i = 0; i < ix->count && r == 1; i++) {
		const unsigned char *d = ix->msgs[i].digest;
		uint64_t h;
		memcpy(&h, d, sizeof h);
		size_t slot = (size_t)h & (size - 1);
		for (; table[slot]; slot = (slot + 1) & (size - 1))
			if (memcmp(ix->msgs[table[slot] - 1].digest, d, UIDDIGEST_BYTES) == 0) {
				r = 0;
				break;
			}
		table[slot] = (uint32_t)(i + 1);
	}
	free(table);
	return r;
}

int mbox_index_unique(struct mbox_index *ix)
{
	size_t size = 16;
	while (size < 2 * ix->count)
		size *= 2;
	if (ix->pool_len == 0) {
		int distinct = digests_distinct(ix, size);
		if (distinct != 0) {
			if (distinct == 1)
				for (size_t i = 0; i < ix->count; i++)
					ix->msgs[i].tag &= ~(uint32_t)MBOX_TAG_SUFFIX;
			return distinct == 1 ? 0 : -1;
		}
	}
	uint32_t *table = calloc(size, sizeof *table);
	if (!table)
		return -1;
	int r = 0;
	for (size_t i = 0; i < ix->count && r == 0; i++) {
		int done;
		while ((done = make_unique(ix, table, size - 1, i)) == 0)
			;
		if (done < 0)
			r = -1;
	}
	free(table);
	return r;
}

int mbox_index_xuids_room(struct mbox_index *ix)
{
	if (ix->x_cap >= ix->cap)
		return 0;
	uint32_t *p = realloc(ix->x_uids, ix->cap * sizeof *p);
	if (!p)
		return -1;
	ix->x_uids = p;
	ix->x_cap = ix->cap;
	return 0;
}

int mbox_index_dovecot(struct mbox_index *ix)
{
	struct olduid_seq seq;
	olduid_seq_start(&seq, ix->has_base, ix->uidlast);
	int r = 0;
	/* The c-client pseudo message holds the folder's data, not mail:
	 * Dovecot gives it no uid. */
	for (size_t i = ix->pseudo ? 1 : 0; i < ix->count && r == 0; i++) {
		if (!olduid_seq_take(&seq, ix->x_uids[i]))
			continue;
		char hex[OLDUID_DOVECOT_HEXLEN + 1];
		olduid_dovecot(ix->x_uids[i], ix->uidvalidity, hex);
		r = mbox_pool_add(ix, hex, &ix->msgs[i].xuidl_off);
		if (r == 0)
			ix->msgs[i].tag |= MBOX_TAG_XUIDL;
	}
	free(ix->x_uids);
	ix->x_uids = NULL;
	ix->x_cap = 0;
	return r;
}
