/* fuzz_mbox: mboxsplit's indexer on arbitrary bytes.  The first byte
 * picks the flags and a read size; the index read in those chunks must
 * equal the index of the whole buffer, every range must lie inside the
 * file, sizes must add up, and every id must be valid and unique. */
#include "index.h"
#include "msgfilter.h"
#include "scanlist.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int msg_equal(const struct mbox_msg *a, const struct mbox_msg *b)
{
	return a->from_start == b->from_start && a->from_len == b->from_len &&
	       a->length == b->length && a->size == b->size &&
	       memcmp(a->digest, b->digest, sizeof a->digest) == 0 && a->tag == b->tag;
}

static int uid_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned flags = data[0] & 3;
	size_t chunk = (size_t)(data[0] >> 2) + 1;
	const char *mbox = (const char *)data + 1;
	size_t len = size - 1;

	struct mbox_index whole, parts;
	mbox_index_init(&whole, flags, 10000);
	mbox_index_init(&parts, flags, 10000);
	enum mbox_index_result r1 = mbox_index_mem(&whole, mbox, len);
	enum mbox_index_result r2 = mbox_index_chunks(&parts, mbox, len, chunk);
	if (r1 != r2)
		abort();
	if (r1 == MBOX_OK) {
		if (whole.count != parts.count || whole.octets != parts.octets || whole.end != len)
			abort();
		uint64_t sum = 0;
		for (size_t i = 0; i < whole.count; i++) {
			const struct mbox_msg *m = &whole.msgs[i];
			if (!msg_equal(m, &parts.msgs[i]))
				abort();
			if (m->from_start + m->from_len + m->length > len)
				abort();
			if (i > 0 && m->from_start < whole.msgs[i - 1].from_start + whole.msgs[i - 1].from_len +
			                                 whole.msgs[i - 1].length)
				abort();
			if (memcmp(mbox + m->from_start, "From ", 5) != 0)
				abort();
			if (m->size != msgfilter_size(mbox + m->from_start + m->from_len,
			                              (size_t)m->length, flags))
				abort();
			sum += m->size;
		}
		if (sum != whole.octets)
			abort();
		if (mbox_index_unique(&whole) < 0)
			abort();
		char (*uids)[UID_MAX + 1] = malloc((whole.count + 1) * sizeof *uids);
		if (!uids)
			abort();
		for (size_t i = 0; i < whole.count; i++) {
			size_t n = mbox_uid(&whole, i, uids[i]);
			if (!uid_valid(uids[i], n))
				abort();
		}
		qsort(uids, whole.count, sizeof *uids, uid_cmp);
		for (size_t i = 1; i < whole.count; i++)
			if (strcmp(uids[i - 1], uids[i]) == 0)
				abort();
		free(uids);
	}
	mbox_index_free(&whole);
	mbox_index_free(&parts);
	return 0;
}
