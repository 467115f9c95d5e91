/* fuzz_maildirname.c: Maildir names are chosen by whoever delivers the
 * mail, so the name parser, the UIDL mapping and the flag edit must hold
 * for any octets: no overrun, a valid and deterministic UIDL, and a flag
 * edit that only ever inserts the flag.  An input starting with '#' is
 * a size cache file instead (maildirscan -c), which the user can write:
 * parsed or refused whole, and every parsed entry found again. */
#include "die.h"
#include "maildirname.h"
#include "sizecache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_cache(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);
	if (!copy)
		return;
	memcpy(copy, data, size);
	struct sizecache c;
	if (sizecache_parse(&c, copy, size) == 0) {
		for (size_t i = 0; i < c.count; i++) {
			uint64_t v;
			struct sizecache_record r;
			const struct sizecache_entry *e = &c.entries[i];
			if (!sizecache_get(&c, c.data + e->key_off, e->key_len, &v) || v != e->size)
				abort();
			if (!sizecache_find(&c, c.data + e->key_off, e->key_len, &r))
				abort();
			/* Ids that come back are ids pop3d would accept. */
			if (r.digest && strspn(r.digest, "0123456789abcdef") < 32)
				abort();
			if (r.xuidl && (!r.digest || !uid_valid(r.xuidl, r.xuidl_len)))
				abort();
		}
	} else if (c.count != 0 || c.data != NULL) {
		abort();
	}
	sizecache_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	if (!quiet) {
		log_silence();
		quiet = 1;
	}
	if (size > 0 && data[0] == '#') {
		fuzz_cache(data + 1, size - 1);
		return 0;
	}
	if (size > 4096)
		return 0;
	char *name = malloc(size + 1);
	if (!name)
		return 0;
	memcpy(name, data, size);
	name[size] = '\0';

	struct maildir_name n;
	maildir_name_parse(name, size, &n);
	if (n.unique_len > n.base_len || n.base_len > size)
		abort();
	if (n.has_info != (n.base_len < size))
		abort();

	char uid[UID_MAX + 1], again[UID_MAX + 1];
	size_t len = maildir_uid(name, n.unique_len, uid);
	if (len != strlen(uid) || !uid_valid(uid, len))
		abort();
	maildir_uid(name, n.unique_len, again);
	if (strcmp(uid, again) != 0)
		abort();

	size_t text_len = strlen(name); /* the flag edit works on C strings */
	char out[4096 + 8];
	int k = maildir_name_add_flag(name, 'S', out, sizeof out);
	if (k == 1) {
		size_t out_len = strlen(out);
		if (out_len != text_len + 1 && out_len != text_len + 4)
			abort();
		if (!strchr(out, 'S'))
			abort();
	} else if (k != 0) {
		abort();
	}
	free(name);
	return 0;
}
