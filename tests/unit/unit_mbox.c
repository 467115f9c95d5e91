/* unit_mbox: mboxsplit's indexer (mboxsplit/index.c) on fixed mboxes,
 * the same index whatever the read sizes, unique ids, and the fault
 * point parser. */
#include "index.h"
#include "msgfilter.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* "SIZE UID @OFF+LEN;" for each message, after making ids unique. */
static char *describe(struct mbox_index *ix)
{
	size_t cap = 64 + ix->count * 128, len = 0;
	char *out = malloc(cap);
	if (!out)
		abort();
	out[0] = '\0';
	if (mbox_index_unique(ix) < 0)
		abort();
	for (size_t i = 0; i < ix->count; i++) {
		char uid[UID_MAX + 1];
		mbox_uid(ix, i, uid);
		const struct mbox_msg *m = &ix->msgs[i];
		len += (size_t)snprintf(out + len, cap - len, "%llu %s @%llu+%llu;",
		                        (unsigned long long)m->size, uid,
		                        (unsigned long long)(m->from_start + m->from_len),
		                        (unsigned long long)m->length);
	}
	return out;
}

static char *index_desc(const char *data, size_t len, unsigned flags, size_t chunk,
                        enum mbox_index_result *r)
{
	struct mbox_index ix;
	mbox_index_init(&ix, flags, 1000);
	*r = chunk ? mbox_index_chunks(&ix, data, len, chunk) : mbox_index_mem(&ix, data, len);
	char *d = *r == MBOX_OK ? describe(&ix) : strdup("");
	mbox_index_free(&ix);
	return d;
}

/* Ranges only (ids are checked elsewhere): "OFF+LEN SIZE;". */
static void check_ranges(const char *name, const char *data, unsigned flags, const char *want)
{
	struct mbox_index ix;
	mbox_index_init(&ix, flags, 1000);
	enum mbox_index_result r = mbox_index_mem(&ix, data, strlen(data));
	char got[1024] = "";
	size_t len = 0;
	for (size_t i = 0; r == MBOX_OK && i < ix.count; i++) {
		const struct mbox_msg *m = &ix.msgs[i];
		len += (size_t)snprintf(got + len, sizeof got - len, "%llu+%llu %llu;",
		                        (unsigned long long)(m->from_start + m->from_len),
		                        (unsigned long long)m->length, (unsigned long long)m->size);
	}
	int same = r == MBOX_OK && strcmp(got, want) == 0;
	if (!same)
		printf("# %s: got \"%s\" want \"%s\"\n", name, got, want);
	ok(same, name);
	mbox_index_free(&ix);
}

static void check_chunking(const char *name, const char *data, unsigned flags)
{
	enum mbox_index_result r0, r;
	char *whole = index_desc(data, strlen(data), flags, 0, &r0);
	int same = 1;
	for (size_t chunk = 1; chunk <= strlen(data) + 1 && same; chunk++) {
		char *part = index_desc(data, strlen(data), flags, chunk, &r);
		same = r == r0 && strcmp(part, whole) == 0;
		if (!same)
			printf("# chunk %zu: %s vs %s\n", chunk, part, whole);
		free(part);
	}
	ok(same, name);
	free(whole);
}


/* A file of about BYTES octets of small messages whose bodies hold what
 * a split must not be fooled by ("From " after a line that is not
 * blank, >From, blank runs, CR LF), with Status and X-UIDL headers. */
static char *tricky_mbox(size_t bytes, size_t *len)
{
	char *m = malloc(bytes + 4096);
	size_t n = 0;
	unsigned long seed = 7;
	for (unsigned k = 0; n < bytes; k++) {
		seed = seed * 6364136223846793005ul + 1442695040888963407ul;
		unsigned r = (unsigned)(seed >> 33);
		const char *eol = r % 7 == 0 ? "\r\n" : "\n";
		n += (size_t)sprintf(m + n, "From s%u@example.org Thu Nov 26 06:00:00 2026%s", k, eol);
		n += (size_t)sprintf(m + n, "Subject: %u%s", k, eol);
		if (r % 5 == 0)
			n += (size_t)sprintf(m + n, "Status: RO%s", eol);
		if (r % 11 == 0)
			n += (size_t)sprintf(m + n, "X-UIDL: id%u%s", k % 50, eol);
		n += (size_t)sprintf(m + n, "%sline%s", eol, eol);
		if (r % 3 == 0)
			n += (size_t)sprintf(m + n, "From here, not a message%s", eol);
		if (r % 4 == 0)
			n += (size_t)sprintf(m + n, "%s>From quoted%s%s%s", eol, eol, eol, eol);
		for (unsigned i = r % 40; i > 0; i--)
			n += (size_t)sprintf(m + n, "body text of message %u%s", k, eol);
		n += (size_t)sprintf(m + n, "%s", eol);
	}
	*len = n;
	return m;
}

/* mbox_index_file with two workers against one pass over memory. */
static void check_halves(const char *name, const char *data, size_t len, unsigned flags)
{
	char path[] = "/tmp/unit_mbox.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	unlink(path);
	struct mbox_index a, b;
	mbox_index_init(&a, flags, 1000000);
	mbox_index_init(&b, flags, 1000000);
	enum mbox_index_result ra = mbox_index_file(&a, fd, 2), rb = mbox_index_mem(&b, data, len);
	int same = ra == MBOX_OK && rb == MBOX_OK && a.count == b.count && a.octets == b.octets &&
	           a.end == b.end && lseek(fd, 0, SEEK_CUR) == (off_t)len;
	char *da = same ? describe(&a) : NULL, *db = same ? describe(&b) : NULL;
	same = same && strcmp(da, db) == 0;
	if (!same)
		fprintf(stderr, "# %s: %d/%d messages %zu/%zu\n", name, ra, rb, a.count, b.count);
	ok(same, name);
	free(da);
	free(db);
	mbox_index_free(&a);
	mbox_index_free(&b);
	close(fd);
}

static const char plain[] =
	"From a Thu Nov 26 06:00:00 2026\nSubject: one\n\nbody\n\n"
	"From b Thu Nov 26 06:00:00 2026\nSubject: two\n\n\nFrom here\n>From there\n\n\n"
	"From c\r\nSubject: three\r\n\r\ncrlf\r\n\r\n"
	"From d\nX-UIDL: keep-me\nStatus: RO\n\nlast";

int main(void)
{
	check_ranges("one message, separator dropped", "From a\nS: 1\n\nx\n\n", 0, "7+8 11;");
	check_ranges("no separator at the end: all kept", "From a\nS: 1\n\nx\n", 0, "7+8 11;");
	check_ranges("missing final newline", "From a\nS: 1\n\nx", 0, "7+7 11;");
	check_ranges("blank lines before the separator are content",
	             "From a\nS: 1\n\nx\n\n\n\nFrom b\n\n", 0, "7+10 15;25+0 0;");
	check_ranges("From not after a blank line is content",
	             "From a\nS: 1\n\nx\nFrom y\n\n", 0, "7+15 19;");
	check_ranges("CRLF separator", "From a\r\nS: 1\r\n\r\nx\r\n\r\nFrom b\r\nS: 2\r\n", 0,
	             "8+11 11;29+6 6;");
	check_ranges("From_ line alone at the end", "From a\nS: 1\n\nx\n\nFrom b", 0,
	             "7+8 11;22+0 0;");
	check_ranges("mboxrd unquotes >From in the size", "From a\nS: 1\n\n>From x\n\n",
	             MSGF_MBOXRD, "7+14 16;");
	check_ranges("hide-status drops Status: in the size", "From a\nStatus: RO\nS: 1\n\nx\n\n",
	             MSGF_HIDE_STATUS, "7+19 11;");
	check_ranges("empty file: no messages", "", 0, "");

	struct mbox_index ix;
	mbox_index_init(&ix, 0, 1000);
	ok(mbox_index_mem(&ix, "Subject: x\n\nFrom a\n", 19) == MBOX_NOT_MBOX, "not an mbox");
	mbox_index_free(&ix);
	mbox_index_init(&ix, 0, 1000);
	ok(mbox_index_mem(&ix, "From", 4) == MBOX_NOT_MBOX, "too short to be an mbox");
	mbox_index_free(&ix);
	mbox_index_init(&ix, 0, 2);
	ok(mbox_index_mem(&ix, "From a\n\nFrom b\n\nFrom c\n", 23) == MBOX_TOO_MANY,
	   "message limit");
	mbox_index_free(&ix);

	enum mbox_index_result r;
	char *d = index_desc(plain, strlen(plain), 0, 0, &r);
	ok(r == MBOX_OK && strstr(d, " keep-me @") != NULL, "X-UIDL used as the id");
	free(d);

	check_chunking("same index for every read size: mixed mbox", plain, 0);
	check_chunking("same index for every read size: mboxrd hide-status", plain,
	               MSGF_MBOXRD | MSGF_HIDE_STATUS);
	check_chunking("same index for every read size: blank runs",
	               "From a\n\n\n\n\nFrom b\r\n\r\n\r\nFrom c\n\n", 0);

	const char dups[] =
		"From a\nX-UIDL: u\n\n1\n\nFrom a\nX-UIDL: u\n\n2\n\nFrom a\nX-UIDL: u-2\n\n3\n\n"
		"From a\nS: same\n\nx\n\nFrom a\nS: same\n\ny\n\nFrom a\nX-UIDL: u\n\n4\n\n";
	d = index_desc(dups, strlen(dups), 0, 0, &r);
	ok(r == MBOX_OK && strstr(d, " u @") && strstr(d, " u-2 @") && strstr(d, " u-2-2 @") &&
	   strstr(d, " u-3 @"), "duplicate X-UIDLs: -2, then the next free suffix");
	/* The fifth entry: the second "S: same", digest plus "-2". */
	const char *p = d;
	for (int k = 0; k < 4 && p; k++)
		if ((p = strchr(p, ';')))
			p++;
	const char *sp = p ? strchr(p, ' ') : NULL;
	ok(sp && strncmp(sp + 1 + 32, "-2 @", 4) == 0, "digest duplicates get -2");
	free(d);

	/* Many copies of one message: ids stay unique and cheap. */
	size_t n = 20000, one = strlen("From a\nS: x\n\nbody\n\n");
	char *many = malloc(n * one + 1);
	for (size_t i = 0; i < n; i++)
		memcpy(many + i * one, "From a\nS: x\n\nbody\n\n", one);
	mbox_index_init(&ix, 0, n);
	int good = mbox_index_mem(&ix, many, n * one) == MBOX_OK && ix.count == n &&
	           mbox_index_unique(&ix) == 0;
	char last[UID_MAX + 1];
	if (good)
		mbox_uid(&ix, n - 1, last);
	ok(good && strcmp(last + 32, "-20000") == 0, "20000 identical messages: -2 .. -20000");
	ok(sizeof(struct mbox_msg) <= 56, "56 bytes or fewer per message in the index");
	mbox_index_free(&ix);
	free(many);

	size_t big_len;
	char *big = tricky_mbox(9u << 20, &big_len);
	check_halves("two halves at once: the index of one pass", big, big_len, 0);
	check_halves("two halves at once, mboxrd hide-status", big, big_len,
	             MSGF_MBOXRD | MSGF_HIDE_STATUS);
	/* Every split point near the middle is tried by moving the middle:
	 * a file cut shorter by 0..4000 octets. */
	int all = 1;
	for (size_t cut = 0; cut <= 4000 && all; cut += 97) {
		struct mbox_index a, b;
		char path[] = "/tmp/unit_mbox.XXXXXX";
		int fd = mkstemp(path);
		size_t l = big_len - cut;
		if (fd < 0 || write(fd, big, l) != (ssize_t)l || lseek(fd, 0, SEEK_SET) != 0)
			abort();
		unlink(path);
		mbox_index_init(&a, 0, 1000000);
		mbox_index_init(&b, 0, 1000000);
		all = mbox_index_file(&a, fd, 2) == MBOX_OK && mbox_index_mem(&b, big, l) == MBOX_OK &&
		      a.count == b.count && a.octets == b.octets &&
		      memcmp(a.msgs, b.msgs, a.count * sizeof *a.msgs) == 0;
		mbox_index_free(&a);
		mbox_index_free(&b);
		close(fd);
	}
	ok(all, "two halves: the same index wherever the middle falls");
	/* A message filling the middle: split at 40%, or one pass. */
	memset(big + big_len / 2 - 100, 'x', big_len / 2);
	memcpy(big + big_len - 100, "\n\nFrom z\n\nend\n", 15);
	check_halves("a message filling the middle: the same index", big, big_len - 85, 0);
	free(big);

	printf("1..%d\n", test_no);
	return failures != 0;
}
