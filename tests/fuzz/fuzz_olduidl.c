/* fuzz_olduidl.c: dovecot-uidlist and courierpop3dsizelist are the
 * user's files, so their parsers must hold for any octets: no overrun,
 * and every id they give is one pop3d can send, found again under its
 * own name.  The first octet picks the parser (even: Dovecot). */
#include "die.h"
#include "olduidl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_table(const struct olduidl *t)
{
	for (size_t i = 0; i < t->count; i++) {
		const struct olduidl_entry *e = &t->entries[i];
		const char *key = t->data + e->key_off;
		if (e->key_len == 0 || memchr(key, ':', e->key_len) || memchr(key, '/', e->key_len))
			abort();
		size_t n;
		const char *id = olduidl_find(t, key, e->key_len, &n);
		if (e->dropped)
			continue;
		/* The entry found under a name is the live one for it. */
		if (!id || !uid_valid(id, n) || id[n] != '\0')
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	if (!quiet) {
		log_silence();
		quiet = 1;
	}
	if (size == 0)
		return 0;
	/* An exact-size copy, so that ASan sees a read past the end. */
	char *copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	struct olduidl t;
	const char *why;
	int r = data[0] % 2 == 0 ? olduidl_parse_dovecot(&t, copy, size - 1, &why)
	                         : olduidl_parse_courier(&t, copy, size - 1, &why);
	if (r == 0)
		check_table(&t);
	else if (t.count != 0 || t.entries != NULL || !why)
		abort();
	olduidl_free(&t);
	free(copy);
	return 0;
}
