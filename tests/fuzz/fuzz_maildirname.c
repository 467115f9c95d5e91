/* fuzz_maildirname.c: Maildir names are chosen by whoever delivers the
 * mail, so the name parser, the UIDL mapping and the flag edit must hold
 * for any octets: no overrun, a valid and deterministic UIDL, and a flag
 * edit that only ever inserts the flag. */
#include "maildirname.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
