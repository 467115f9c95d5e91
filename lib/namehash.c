/* namehash.c: see namehash.h. */
#include "namehash.h"

#include <string.h>

#define NAME_HASH_SEED UINT64_C(0xcbf29ce484222325)   /* FNV-1a's offset basis */
#define NAME_HASH_MUL  UINT64_C(0x9e3779b97f4a7c15)   /* 2^64 / golden ratio */

uint64_t name_hash(const char *name, size_t len)
{
	uint64_t h = NAME_HASH_SEED ^ len;
	uint64_t w;
	while (len >= 8) {
		memcpy(&w, name, 8);
		h = (h ^ w) * NAME_HASH_MUL;
		h ^= h >> 29;
		name += 8;
		len -= 8;
	}
	w = 0;
	memcpy(&w, name, len);
	h = (h ^ w) * NAME_HASH_MUL;
	/* The final avalanche (MurmurHash3's fmix64 step). */
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	return h;
}
