/* fuzz_olduid: the old servers' header fields (mboxsplit/olduid.c) on
 * arbitrary bytes.  The first byte picks a read size and the format: the
 * header read in those chunks must give what the whole buffer gives, and
 * the mbox indexed under UIDL_FORMAT popa3d or dovecot must give every
 * message a printable id of at most UID_MAX octets, unique, the same
 * whatever the read size. */
#include "index.h"
#include "olduid.h"
#include "scanlist.h"
#include "uidlformat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void fields(const char *p, size_t len, size_t chunk, struct olduid *o, char hex[17])
{
	olduid_init(o);
	for (size_t i = 0; i < len; i += chunk)
		olduid_feed(o, p + i, len - i < chunk ? len - i : chunk);
	olduid_popa3d(o, hex);
}

static int same_fields(const struct olduid *a, const struct olduid *b)
{
	return a->x_uid == b->x_uid && a->uid_after_base == b->uid_after_base &&
	       a->has_base == b->has_base && a->pseudo == b->pseudo &&
	       a->uidvalidity == b->uidvalidity && a->uidlast == b->uidlast;
}

static int uid_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The ids, sorted, UID_MAX + 1 octets each; NULL if not indexed. */
static char *index_ids(const char *p, size_t len, unsigned format, size_t chunk, size_t *count)
{
	struct mbox_index ix;
	mbox_index_init(&ix, 0, 10000);
	ix.uidl_format = format;
	enum mbox_index_result r = chunk ? mbox_index_chunks(&ix, p, len, chunk)
	                                 : mbox_index_mem(&ix, p, len);
	if (r == MBOX_OK && format == UIDL_DOVECOT && mbox_index_dovecot(&ix) < 0)
		abort();
	if (r != MBOX_OK || mbox_index_unique(&ix) < 0) {
		mbox_index_free(&ix);
		return NULL;
	}
	char *ids = calloc(ix.count + 1, UID_MAX + 1);
	if (!ids)
		abort();
	for (size_t i = 0; i < ix.count; i++) {
		char *u = ids + i * (UID_MAX + 1);
		size_t n = mbox_uid(&ix, i, u);
		if (n == 0 || n > UID_MAX || strlen(u) != n)
			abort();
		for (size_t k = 0; k < n; k++)
			if ((unsigned char)u[k] < 0x21 || (unsigned char)u[k] > 0x7e)
				abort();
	}
	*count = ix.count;
	mbox_index_free(&ix);
	return ids;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t chunk = (size_t)(data[0] >> 1) + 1;
	unsigned format = data[0] & 1 ? UIDL_DOVECOT : UIDL_POPA3D;
	const char *p = (const char *)data + 1;
	size_t len = size - 1;

	struct olduid whole, parts;
	char hw[17], hp[17];
	fields(p, len, len ? len : 1, &whole, hw);
	fields(p, len, chunk, &parts, hp);
	if (!same_fields(&whole, &parts) || strcmp(hw, hp) != 0)
		abort();

	size_t n1 = 0, n2 = 0;
	char *a = index_ids(p, len, format, 0, &n1);
	char *b = index_ids(p, len, format, chunk, &n2);
	if (!a != !b || n1 != n2 || (a && memcmp(a, b, n1 * (UID_MAX + 1)) != 0))
		abort();
	if (a) {
		qsort(a, n1, UID_MAX + 1, uid_cmp);
		for (size_t i = 1; i < n1; i++)
			if (strcmp(a + (i - 1) * (UID_MAX + 1), a + i * (UID_MAX + 1)) == 0)
				abort();
	}
	free(a);
	free(b);
	return 0;
}
