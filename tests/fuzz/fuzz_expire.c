/* fuzz_expire.c: EXPIRE's state file lies in a directory the user can
 * write (the Maildir, the cache's), so any octets may be in it.  The
 * input is the file; a fixed listing of eight messages, some deleted and
 * some retrieved by the "client", meets it at a random NOW under a
 * random policy.  Must hold: no overrun; the report stays a report (each
 * number once, in range, deleted and retrieved apart); nothing the
 * client deleted or never retrieved is expired unless the file named it;
 * and the file written back parses to records of listed messages only. */
#include "die.h"
#include "expire.h"
#include "scanlist.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const uids[8] = { "a", "b", "c1", "d.M1P1.host", "e",
	"0e046d0243869322", "000000016b103fc1", "x" };

static const char *uid_of(const void *ctx, size_t i, size_t *len)
{
	(void)ctx;
	*len = strlen(uids[i]);
	return uids[i];
}

struct named { unsigned mask; size_t records; };

static void note(void *arg, uint64_t t, const char *uid, size_t len)
{
	struct named *n = arg;
	(void)t;
	if (!uid_valid(uid, len))
		abort();
	n->records++;
	for (unsigned i = 0; i < 8; i++)
		if (strlen(uids[i]) == len && memcmp(uids[i], uid, len) == 0)
			n->mask |= 1u << i;
}

static char path[64];

static void check_written(void)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return;
	static char text[1 << 16];
	size_t len = fread(text, 1, sizeof text, f);
	fclose(f);
	struct named n = { 0, 0 };
	expire_parse(text, len, note, &n);
	if (n.records > 8)
		abort();  /* one record at most per listed message */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	if (!path[0]) {
		log_silence();
		snprintf(path, sizeof path, "/tmp/fuzz_expire.%ld", (long)getpid());
	}
	unsigned client = data[0], days = data[1] % 4;
	uint64_t now = 1000000 + (uint64_t)data[2] * 40000;
	data += 3, size -= 3;
	struct named n = { 0, 0 };
	expire_parse((const char *)data, size, note, &n);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	uint32_t del[8], ret[8];
	struct expose_report rep = { del, 0, ret, 0 };
	for (uint32_t i = 0; i < 8; i++) {
		if (client & (1u << i))
			ret[rep.n_retrieved++] = i + 1;
		else if (i % 3 == 0)
			del[rep.n_deleted++] = i + 1;
	}
	size_t client_deleted = rep.n_deleted;
	struct expire_policy p = { true, (uint64_t)days * 86400 };
	struct expire_result res;
	expire_apply(&p, path, 8, uid_of, NULL, &rep, now, &res);
	unsigned seen = 0;
	for (size_t k = 0; k < rep.n_deleted + rep.n_retrieved; k++) {
		uint32_t m = k < rep.n_deleted ? del[k] : ret[k - rep.n_deleted];
		if (m < 1 || m > 8 || (seen & (1u << (m - 1))))
			abort();
		seen |= 1u << (m - 1);
		if (k >= client_deleted && k < rep.n_deleted
		    && !(client & (1u << (m - 1))) && !(n.mask & (1u << (m - 1))))
			abort();  /* expired, never retrieved, not in the file */
	}
	if (rep.n_deleted != client_deleted + res.expired)
		abort();
	check_written();
	unlink(path);
	return 0;
}
