/* checkpw_lookup FILE.cdb COUNT USERS: the lookup work checkpw does per
 * login against a virtual-user file, without the hash: open, cdb_init,
 * find the dummy and the user, copy and parse the record, close.  Looks
 * up COUNT names userN (N pseudo-random below USERS, a tenth of them
 * absent) and prints lookups per second; then the same with the file
 * opened once (the cost of the cdb search alone). */
#include "clock.h"
#include "../../checkpw/vuser.h"

#include <cdb.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int search(struct cdb *db, const char *key)
{
	char value[VUSER_RECORD_MAX + 1];
	struct vrecord rec;
	(void)cdb_find(db, VUSER_DUMMY_KEY, sizeof VUSER_DUMMY_KEY - 1);
	if (cdb_find(db, key, (unsigned)strlen(key)) <= 0)
		return 0;
	unsigned n = cdb_datalen(db);
	const char *v = cdb_get(db, n, cdb_datapos(db));
	if (!v || n > VUSER_RECORD_MAX)
		return 0;
	memcpy(value, v, n);
	return vuser_parse_record(value, n, &rec);
}

static void open_db(const char *path, struct cdb *db, int *fd)
{
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0 || cdb_init(db, *fd) != 0) {
		perror(path);
		exit(111);
	}
}

static int lookup_once(const char *path, const char *key)
{
	struct cdb db;
	int fd;
	open_db(path, &db, &fd);
	int found = search(&db, key);
	cdb_free(&db);
	close(fd);
	return found;
}

static double seconds_since(int64_t t0_ns)
{
	return (double)(clock_ns() - t0_ns) / 1e9;
}

/* The name of the I-th lookup: the same sequence for both runs. */
static void next_key(unsigned long *state, long users, char *key, size_t size)
{
	*state = *state * 6364136223846793005UL + 1442695040888963407UL;
	/* A tenth of the names are beyond USERS: unknown users. */
	long n = (long)((*state >> 33) % (unsigned long)(users + users / 10));
	snprintf(key, size, "user%ld", n);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: checkpw_lookup FILE.cdb COUNT USERS\n");
		return 2;
	}
	long count = atol(argv[2]), users = atol(argv[3]), found = 0;
	unsigned long state = 12345;
	struct cdb db;
	char key[32];
	int fd;

	if (count <= 0 || users <= 0)
		return 2;
	int64_t t0 = clock_ns();
	for (long i = 0; i < count; i++) {
		next_key(&state, users, key, sizeof key);
		found += lookup_once(argv[1], key);
	}
	double secs = seconds_since(t0);
	printf("per_login_open: lookups=%ld found=%ld seconds=%.3f per_second=%.0f\n",
	       count, found, secs, (double)count / secs);

	state = 12345;
	found = 0;
	open_db(argv[1], &db, &fd);
	t0 = clock_ns();
	for (long i = 0; i < count; i++) {
		next_key(&state, users, key, sizeof key);
		found += search(&db, key);
	}
	secs = seconds_since(t0);
	printf("open_once: lookups=%ld found=%ld seconds=%.3f per_second=%.0f\n",
	       count, found, secs, (double)count / secs);
	cdb_free(&db);
	close(fd);
	return 0;
}
