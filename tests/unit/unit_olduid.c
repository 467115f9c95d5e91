/* unit_olduid: the old servers' ids (mboxsplit/olduid.c): popa3d's
 * header MD5 on fixed headers, against values the real popa3d 1.0.3
 * listed and Python's hashlib; Dovecot's X-UID and X-IMAPbase fields and
 * its order rule; the same results whatever the chunk sizes; and the
 * ids an index under each UIDL_FORMAT gives (mboxsplit/index.c). */
#include "index.h"
#include "olduid.h"
#include "tap.h"
#include "uidlformat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* HEADER fed in chunks of CHUNK octets (0: at once). */
static void feed(struct olduid *o, const char *header, size_t chunk)
{
	size_t len = strlen(header);
	olduid_init(o);
	if (!chunk)
		chunk = len ? len : 1;
	for (size_t i = 0; i < len; i += chunk)
		olduid_feed(o, header + i, len - i < chunk ? len - i : chunk);
	olduid_finish(o);
}

static int popa3d_is(const char *header, const char *want)
{
	static const size_t chunks[] = { 0, 1, 2, 3, 7, 15, 16, 17 };
	for (size_t k = 0; k < sizeof chunks / sizeof *chunks; k++) {
		struct olduid o;
		char hex[OLDUID_POPA3D_HEXLEN + 1];
		feed(&o, header, chunks[k]);
		olduid_popa3d(&o, hex);
		if (strcmp(hex, want) != 0) {
			printf("# chunk %zu: %s, want %s\n", chunks[k], hex, want);
			return 0;
		}
	}
	return 1;
}

static void test_popa3d(void)
{
	/* Listed by Debian's popa3d for this header: only the first
	 * Received counts, and Date and Message-ID after it do not. */
	const char *h = "Received: from a by b; Mon, 1 Jan 2024\nReceived: second hop 1\n"
	                "Date: Mon, 1 Jan 2024 00:00:01 +0000\nMessage-ID: <m1@example.org>\n"
	                "Subject: test 1\n\nbody\n";
	ok(popa3d_is(h, "24ebf38a07681e9e"), "popa3d: the id popa3d listed, in any chunks");
	const char *mua = "Status: RO\nX-Status: A\nReceived: from a by b; Mon, 1 Jan 2024\n"
	                  "X-UID: 7\nX-IMAPbase: 1 2\nReceived: other\nX-UIDL: abc\nSubject: x\n\n";
	ok(popa3d_is(mua, "24ebf38a07681e9e"), "popa3d: fields readers write are left out");
	/* hashlib.md5(b"Message-ID: <a@b>\nReceived: from x\n\tby y\nDelivered-To: u@h\n"):
	 * an "x" in lower case starts no X-Delivery-ID for popa3d. */
	const char *h3 = "Message-ID: <a@b>\nReceived: from x\n\tby y\nDate: late\n"
	                 "Delivered-To: u@h\nx-delivery-id: lower\nSubject: s\n\n";
	ok(popa3d_is(h3, "26e496df1d678bcb"),
	   "popa3d: Message-ID before Received, a folded Received, Delivered-To");
	ok(popa3d_is("Received: from a by b; Mon, 1 Jan 2024\n", "24ebf38a07681e9e"),
	   "popa3d: a header that ends without an empty line");
	ok(popa3d_is("Subject: s\n\nReceived: from a by b; Mon, 1 Jan 2024\n", "d98c1dd404b2008f"),
	   "popa3d: the body is not read (MD5 of nothing)");
}

static void test_dovecot_fields(void)
{
	struct olduid o;
	int all = 1;
	for (size_t chunk = 0; chunk < 20; chunk++) {
		feed(&o, "X-IMAPbase: 1796411148 0000000004 $Junk\nX-UID: 1                \n"
		         "Subject: s\n\nX-UID: 9\n", chunk);
		all &= o.has_base && o.uidvalidity == 1796411148u && o.uidlast == 4 &&
		       o.x_uid == 1 && o.uid_after_base && !o.pseudo;
	}
	ok(all, "dovecot: X-IMAPbase and a padded X-UID, in any chunks");
	feed(&o, "X-UID: 3\nX-IMAPbase: 5 6\n\n", 0);
	ok(o.x_uid == 3 && !o.uid_after_base && o.has_base, "dovecot: an X-UID before X-IMAPbase is noted");
	feed(&o, "X-UID: 12a\nX-UID: 4\n\n", 0);
	ok(o.x_uid == 4, "dovecot: a broken X-UID gives way to the next");
	feed(&o, "x-uid : 8\nX-UID: 5\n\n", 0);
	ok(o.x_uid == 8, "dovecot: names in any case, blanks before the colon; the first counts");
	feed(&o, "X-UID: 99999999999\n\n", 0);
	ok(o.x_uid == 0, "dovecot: an X-UID past 32 bits is none");
	feed(&o, "X-IMAPbase: 0 5\n\n", 0);
	ok(!o.has_base, "dovecot: uidvalidity 0 is broken");
	feed(&o, "X-IMAPbase: 12x 5\n\n", 0);
	ok(!o.has_base, "dovecot: a uidvalidity that is not a number is broken");
	feed(&o, "X-IMAP: 1234 0000000002\nSubject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\n\n", 0);
	ok(o.has_base && o.pseudo && o.uidvalidity == 1234 && o.uidlast == 2,
	   "dovecot: the X-IMAP of the pseudo message");
	feed(&o, "X-IMAPbase: 77\n\n", 0);
	ok(o.has_base && o.uidvalidity == 77 && o.uidlast == 0, "dovecot: X-IMAPbase without uidlast");
	char hex[OLDUID_DOVECOT_HEXLEN + 1];
	olduid_dovecot(1, 0x6B130F0Cu, hex);
	ok(strcmp(hex, "000000016b130f0c") == 0, "dovecot: the id as Dovecot 2.3 lists it");
}

static void test_dovecot_order(void)
{
	struct olduid_seq s;
	olduid_seq_start(&s, 1, 3);
	int a = olduid_seq_take(&s, 1), b = olduid_seq_take(&s, 2), c = olduid_seq_take(&s, 3);
	int d = olduid_seq_take(&s, 4), e = olduid_seq_take(&s, 9);
	ok(a && b && c && d && !e, "dovecot: growing X-UIDs to the next free one are kept");
	olduid_seq_start(&s, 1, 10);
	a = olduid_seq_take(&s, 5);
	b = olduid_seq_take(&s, 5);
	c = olduid_seq_take(&s, 4);
	d = olduid_seq_take(&s, 0);   /* given 11 */
	e = olduid_seq_take(&s, 10);
	ok(a && !b && !c && !d && !e, "dovecot: a repeated, shrinking or overtaken X-UID is not");
	olduid_seq_start(&s, 0, 10);
	ok(!olduid_seq_take(&s, 1), "dovecot: no X-IMAPbase, no X-UID kept");
}

static char *ids(const char *mbox, unsigned format, size_t chunk)
{
	struct mbox_index ix;
	mbox_index_init(&ix, 0, 1000);
	ix.uidl_format = format;
	enum mbox_index_result r = chunk ? mbox_index_chunks(&ix, mbox, strlen(mbox), chunk)
	                                 : mbox_index_mem(&ix, mbox, strlen(mbox));
	if (r != MBOX_OK || (format == UIDL_DOVECOT && mbox_index_dovecot(&ix) < 0) ||
	    mbox_index_unique(&ix) < 0)
		abort();
	char *out = calloc(1, 2048);
	for (size_t i = 0, n = 0; out && i < ix.count; i++) {
		char uid[UID_MAX + 1];
		mbox_uid(&ix, i, uid);
		n += (size_t)snprintf(out + n, 2048 - n, "%s;", uid);
	}
	mbox_index_free(&ix);
	return out;
}

static const char dovecot_mbox[] =
	"From a Mon Jan  1 00:00:00 2024\nX-IMAPbase: 1796411148 0000000003\nX-UID: 1\n"
	"Received: from a\n\none\n\n"
	"From b Mon Jan  1 00:00:00 2024\nX-UID: 2\nX-UIDL: old-2\nReceived: from b\n\ntwo\n\n"
	"From c Mon Jan  1 00:00:00 2024\nReceived: from c\nX-UIDL: old-3\n\nthree\n\n"
	"From d Mon Jan  1 00:00:00 2024\nReceived: from d\nX-UID: 3\n\nfour\n\n";

static void test_index(void)
{
	char *d = ids(dovecot_mbox, UIDL_DOVECOT, 0);
	/* Message 3 has no X-UID: Dovecot gave it 4, so 3 after it is not
	 * the uid Dovecot gave message 4 either; both get the toolkit's. */
	ok(strncmp(d, "000000016b130f0c;000000026b130f0c;old-3;", 40) == 0 && strlen(d) == 40 + 33,
	   "index: Dovecot's ids, else the X-UIDL, else the digest");
	int same = 1;
	for (size_t chunk = 1; chunk < 40; chunk++) {
		char *c = ids(dovecot_mbox, UIDL_DOVECOT, chunk);
		same &= strcmp(c, d) == 0;
		free(c);
	}
	ok(same, "index: Dovecot's ids whatever the read sizes");
	char *own = ids(dovecot_mbox, UIDL_OWN, 0);
	ok(strstr(own, "old-2;old-3;") != NULL && strncmp(own, d, 16) != 0, "index: own ids keep X-UIDL");
	char *p = ids(dovecot_mbox, UIDL_POPA3D, 0);
	size_t n = 0;
	for (const char *q = p; *q; q++)
		n += *q == ';';
	ok(n == 4 && strlen(p) == 4 * 17 && !strstr(p, "old-"), "index: popa3d's ids for every message");
	free(d);
	free(own);
	free(p);
	const char twice[] = "From a x\nSubject: s\n\n1\n\nFrom b x\nSubject: s\n\n2\n";
	char *t = ids(twice, UIDL_POPA3D, 0);
	ok(strcmp(t, "d98c1dd404b2008f;d98c1dd404b2008f-2;") == 0,
	   "index: popa3d's equal ids are made unique");
	free(t);
}

/* A mailbox large enough to be read as two halves, every message with
 * its X-UID: the second half's X-UIDs must reach the ids too. */
static void test_halves(void)
{
	const size_t count = 40000;
	size_t cap = count * 300, len = 0;
	char *big = malloc(cap);
	if (!big)
		abort();
	len += (size_t)sprintf(big, "From a x\nX-IMAPbase: 99 %010zu\n", count);
	for (size_t i = 1; i <= count; i++) {
		if (i > 1)
			len += (size_t)sprintf(big + len, "From a x\n");
		len += (size_t)sprintf(big + len, "X-UID: %zu\nReceived: from host%zu\n\n%0200zu\n\n",
		                       i, i, i);
	}
	char path[] = "/tmp/unit_olduid.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, big, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	unlink(path);
	struct mbox_index a;
	mbox_index_init(&a, 0, 1000000);
	a.uidl_format = UIDL_DOVECOT;
	int all = mbox_index_file(&a, fd, 2) == MBOX_OK && a.parts == 2 && a.count == count &&
	          mbox_index_dovecot(&a) == 0 && mbox_index_unique(&a) == 0;
	for (size_t i = 0; all && i < count; i++) {
		char uid[UID_MAX + 1], want[OLDUID_DOVECOT_HEXLEN + 1];
		mbox_uid(&a, i, uid);
		olduid_dovecot((uint32_t)i + 1, 99, want);
		all = strcmp(uid, want) == 0;
	}
	ok(all, "index: Dovecot's ids from a mailbox read as two halves");
	mbox_index_free(&a);
	close(fd);
	free(big);
}

int main(void)
{
	test_popa3d();
	test_dovecot_fields();
	test_dovecot_order();
	test_index();
	test_halves();
	printf("1..%d\n", test_no);
	return failures != 0;
}
