/* unit_mbox: mboxsplit's indexer (mboxsplit/index.c) on fixed mboxes,
 * the same index whatever the read sizes, unique ids, and the fault
 * point parser. */
#include "index.h"
#include "msgfilter.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

	printf("1..%d\n", test_no);
	return failures != 0;
}
