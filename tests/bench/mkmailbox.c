/* mkmailbox: deterministic benchmark mailboxes.
 *
 *   mkmailbox mbox N PATH           a Berkeley mbox (mboxo, as procmail writes)
 *   mkmailbox maildir N DIR [w]     a Maildir; "w" puts S= and W= in the names
 *   options after N: -s SEED (default 1), -a 0 (no multi-megabyte messages),
 *   -x small (only the 1-10 KB kind: a 100,000-message Maildir of ~550 MB),
 *   -x tiny (1-2 KB each, mostly header: the hardest case per octet)
 *
 * The same N and seed give the same bytes every time.  The size mix is
 * that of an ordinary inbox: 70% of 1-10 KB, 25% of 8-40 KB, 5% of
 * 50-200 KB with a base64 attachment, and one message in a thousand of
 * 2-6 MB (at least one whenever N >= 1000), which makes 10,000 messages
 * about 200 MB.  Bodies have lines that start with "From " (stored
 * quoted as ">From " in the mbox), ".", and blank lines. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

static uint64_t rng_state;
static uint64_t rnd(void)
{
	uint64_t x = (rng_state += 0x9e3779b97f4a7c15ULL);
	x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27; x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}
static size_t below(size_t n) { return n ? (size_t)(rnd() % n) : 0; }

static void fatal(const char *what)
{
	fprintf(stderr, "mkmailbox: %s: %s\n", what, strerror(errno));
	exit(111);
}

struct text { char *p; size_t len, cap; };
static void add(struct text *t, const char *s, size_t n)
{
	if (t->len + n > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1 << 16;
		while (cap < t->len + n)
			cap *= 2;
		if (!(t->p = realloc(t->p, cap)))
			fatal("memory");
		t->cap = cap;
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
}
static void addf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void addf(struct text *t, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	add(t, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static const char *const words[] = { "the", "mail", "server", "of", "and", "a",
	"to", "message", "report", "meeting", "from", "quarterly", "figures", "we",
	"please", "find", "attached", "budget", "in", "with", "regards", "thanks",
	"POP3", "lunch", "tomorrow", "is", "ready", "project", "delivery" };

/* A text body of about TARGET octets, mbox-quoted when MBOX. */
static void text_body(struct text *t, size_t target, int mbox)
{
	size_t start = t->len;
	while (t->len - start < target) {
		size_t kind = below(40);
		if (kind == 0) {
			add(t, "\n", 1);
			continue;
		}
		if (kind == 1)
			add(t, mbox ? ">From here on, it is different.\n" : "From here on, it is different.\n",
				mbox ? 32 : 31);
		else if (kind == 2)
			add(t, ".\n", 2);
		else if (kind == 3)
			add(t, "..and a line with two dots\n", 27);
		size_t col = 0, goal = 40 + below(34);
		while (col < goal) {
			const char *w = words[below(sizeof words / sizeof words[0])];
			size_t wl = strlen(w);
			if (col)
				add(t, " ", 1);
			add(t, w, wl);
			col += wl + 1;
		}
		add(t, "\n", 1);
	}
}

static void base64_part(struct text *t, size_t octets)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	addf(t, "\n--b1\nContent-Type: application/octet-stream; name=\"data.bin\"\n"
		"Content-Transfer-Encoding: base64\n"
		"Content-Disposition: attachment; filename=\"data.bin\"\n\n");
	char line[77];
	line[76] = '\n';
	for (size_t done = 0; done < octets; done += 76) {
		uint64_t r = 0;
		for (int i = 0; i < 76; i++) {
			if (i % 10 == 0)
				r = rnd();
			line[i] = b64[r & 63];
			r >>= 6;
		}
		add(t, line, 77);
	}
	add(t, "--b1--\n", 7);
}

/* Message K (from 0) of N: headers and body, LF line ends. */
static int only_small, only_tiny;

static void message(struct text *t, uint64_t k, uint64_t n, int allow_huge, int mbox)
{
	size_t pick = below(1000), body;
	if (only_small || only_tiny)
		pick = 300 + pick % 700;
	int attach = 0;
	if ((allow_huge && pick == 0) || (allow_huge && n >= 1000 && k == n / 2)) {
		body = 2000000 + below(4000000);
		attach = 1;
	} else if (pick < 50) {
		body = 50000 + below(150000);
		attach = 1;
	} else if (pick < 300)
		body = 8000 + below(32000);
	else if (only_tiny)
		body = 400 + below(1000);
	else
		body = 1000 + below(9000);
	unsigned day = 1 + (unsigned)(k % 28), sec = (unsigned)(k % 60);
	if (mbox)
		addf(t, "From sender%" PRIu64 "@example.org Thu Nov %2u 06:00:%02u 2026\n", k % 97, day, sec);
	addf(t, "Return-Path: <sender%" PRIu64 "@example.org>\n", k % 97);
	addf(t, "Received: from mx.example.org (mx.example.org [192.0.2.%u])\n"
		"\tby mail.example.net with ESMTP id %016" PRIx64 "\n"
		"\tfor <popbench@example.net>; Thu, %u Nov 2026 06:00:%02u +0000\n",
		(unsigned)(k % 250) + 1, rnd(), day, sec);
	addf(t, "From: Sender %" PRIu64 " <sender%" PRIu64 "@example.org>\n", k % 97, k % 97);
	addf(t, "To: popbench@example.net\nSubject: benchmark message %" PRIu64 "\n", k + 1);
	addf(t, "Date: Thu, %u Nov 2026 06:00:%02u +0000\n", day, sec);
	addf(t, "Message-ID: <%" PRIu64 ".%016" PRIx64 "@example.org>\nMIME-Version: 1.0\n", k + 1, rnd());
	if (attach) {
		addf(t, "Content-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\n"
			"Content-Type: text/plain; charset=us-ascii\n\n");
		text_body(t, 1000, mbox);
		base64_part(t, body);
	} else {
		addf(t, "Content-Type: text/plain; charset=us-ascii\n\n");
		text_body(t, body, mbox);
	}
	if (mbox)
		add(t, "\n", 1);
}

static uint64_t crlf_size(const char *p, size_t len)
{
	uint64_t lf = 0;
	for (size_t i = 0; i < len; i++)
		lf += p[i] == '\n';
	return len + lf;
}

static void make_dir(const char *path)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		fatal(path);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: mkmailbox mbox N PATH | maildir N DIR [w] [-s SEED] [-a 0] [-x small|tiny]\n");
		return 2;
	}
	const char *kind = argv[1], *path = argv[3];
	uint64_t n = strtoull(argv[2], NULL, 10), seed = 1;
	int with_w = 0, allow_huge = 1;
	for (int i = 4; i < argc; i++) {
		if (strcmp(argv[i], "w") == 0)
			with_w = 1;
		else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-a") == 0 && i + 1 < argc)
			allow_huge = atoi(argv[++i]);
		else if (strcmp(argv[i], "-x") == 0 && i + 1 < argc &&
		         (strcmp(argv[i + 1], "small") == 0 || strcmp(argv[i + 1], "tiny") == 0)) {
			*(argv[i + 1][0] == 's' ? &only_small : &only_tiny) = 1;
			allow_huge = 0;
			i++;
		}
		else {
			fprintf(stderr, "mkmailbox: unknown argument %s\n", argv[i]);
			return 2;
		}
	}
	rng_state = seed * 0x2545f4914f6cdd1dULL;
	struct text t = { 0 };
	uint64_t total = 0;
	if (strcmp(kind, "mbox") == 0) {
		FILE *f = fopen(path, "w");
		if (!f)
			fatal(path);
		for (uint64_t k = 0; k < n; k++) {
			t.len = 0;
			message(&t, k, n, allow_huge, 1);
			if (fwrite(t.p, 1, t.len, f) != t.len)
				fatal(path);
			total += t.len;
		}
		if (fclose(f) != 0)
			fatal(path);
	} else if (strcmp(kind, "maildir") == 0) {
		char dir[4096], file[4400];
		make_dir(path);
		const char *subs[] = { "tmp", "new", "cur" };
		for (int i = 0; i < 3; i++) {
			snprintf(dir, sizeof dir, "%s/%s", path, subs[i]);
			make_dir(dir);
		}
		for (uint64_t k = 0; k < n; k++) {
			t.len = 0;
			message(&t, k, n, allow_huge, 0);
			/* deliveries one second apart, in order, all already seen */
			uint64_t when = 1764000000 + k;
			if (with_w)
				snprintf(file, sizeof file, "%s/cur/%" PRIu64 ".M%" PRIu64 "P1.bench,S=%zu,W=%" PRIu64 ":2,S",
					path, when, k, t.len, crlf_size(t.p, t.len));
			else
				snprintf(file, sizeof file, "%s/cur/%" PRIu64 ".M%" PRIu64 "P1.bench:2,S",
					path, when, k);
			FILE *f = fopen(file, "w");
			if (!f || fwrite(t.p, 1, t.len, f) != t.len || fclose(f) != 0)
				fatal(file);
			total += t.len;
		}
	} else {
		fprintf(stderr, "mkmailbox: kind must be mbox or maildir\n");
		return 2;
	}
	printf("%s %" PRIu64 " messages %" PRIu64 " octets\n", path, n, total);
	free(t.p);
	return 0;
}
