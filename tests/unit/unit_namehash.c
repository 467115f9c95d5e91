/* unit_namehash: the name hash is deterministic, sees every octet and
 * the length, and spreads Maildir-like names over a table's slots. */
#include "namehash.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every one-bit change of every octet, names of 0..40 octets: the low
 * 20 bits (a slot) and the high 32 bits (a fingerprint) both change. */
static int sees_every_bit(void)
{
	char name[41];
	for (size_t len = 1; len <= sizeof name; len++) {
		memset(name, 'a', sizeof name);
		uint64_t base = name_hash(name, len);
		for (size_t i = 0; i < len; i++)
			for (int bit = 0; bit < 8; bit++) {
				name[i] ^= (char)(1 << bit);
				uint64_t h = name_hash(name, len);
				name[i] ^= (char)(1 << bit);
				if (((h ^ base) & 0xfffff) == 0 || ((h ^ base) >> 32) == 0)
					return 0;
			}
	}
	return 1;
}

/* 2^16 names like Maildir's "1712345678.M123P4567Q9.host" into 2^17
 * slots by the low bits: the longest linear probe stays short. */
static size_t longest_probe(void)
{
	enum { NAMES = 1 << 16, SLOTS = 1 << 17 };
	unsigned char *used = calloc(SLOTS, 1);
	size_t longest = 0;
	if (!used)
		return (size_t)-1;
	for (unsigned i = 0; i < NAMES; i++) {
		char name[64];
		int n = snprintf(name, sizeof name, "%u.M%uP%uQ%u.mail.example.org",
		                 1712345678u + i / 7, i * 13 % 1000000, 4000 + i % 300, i);
		size_t slot = (size_t)name_hash(name, (size_t)n) & (SLOTS - 1), probe = 0;
		while (used[slot]) {
			slot = (slot + 1) & (SLOTS - 1);
			probe++;
		}
		used[slot] = 1;
		if (probe > longest)
			longest = probe;
	}
	free(used);
	return longest;
}

int main(void)
{
	const char *uid = "1712345678.M123P4567Q9.mail.example.org";
	size_t len = strlen(uid);
	ok(name_hash(uid, len) == name_hash(uid, len), "the same name, the same hash");

	char unaligned[64];
	memcpy(unaligned + 3, uid, len);
	ok(name_hash(unaligned + 3, len) == name_hash(uid, len), "alignment does not matter");

	char padded[64];
	memset(padded, 'x', sizeof padded);
	memcpy(padded, uid, len);
	ok(name_hash(padded, len) == name_hash(uid, len), "octets past the length are not read");

	ok(name_hash("a", 1) != name_hash("a\0", 2), "the length counts, not only the octets");
	ok(name_hash("", 0) != name_hash("\0", 1), "empty and one NUL differ");
	ok(name_hash("abcdefgh", 8) != name_hash("abcdefgi", 8), "the last octet of a full word counts");
	ok(sees_every_bit(), "every bit of every octet moves the slot and the fingerprint");
	size_t probe = longest_probe();
	if (probe > 40)
		printf("# longest probe %zu\n", probe);
	ok(probe <= 40, "65536 Maildir names in a half-full table: no long probe");

	printf("1..%d\n", test_no);
	return failures != 0;
}
