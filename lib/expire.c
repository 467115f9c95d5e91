/* expire.c: EXPIRE's retrieval times and the deletions they make due
 * (expire.h). */
#include "expire.h"
#include "die.h"
#include "scan_num.h"
#include "scanlist.h"
#include "write_all.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEADER "pop3expire 1\n"
#define NO_TIME UINT64_MAX

bool expire_policy_env(struct expire_policy *p)
{
	const char *v = getenv("EXPIRE");
	uint32_t days;
	p->on = false;
	p->seconds = 0;
	if (!v || !*v || strcmp(v, "NEVER") == 0)
		return true;
	if (!scan_u32(v, strlen(v), &days) || days > EXPIRE_DAYS_MAX)
		return false;
	p->on = true;
	p->seconds = (uint64_t)days * 86400;
	return true;
}

size_t expire_parse(const char *text, size_t len, expire_record_fn *fn, void *arg)
{
	size_t hl = sizeof HEADER - 1, n = 0;
	if (len < hl || memcmp(text, HEADER, hl) != 0)
		return 0;
	for (size_t start = hl; start < len;) {
		const char *line = text + start;
		const char *nl = memchr(line, '\n', len - start);
		if (!nl)
			break;  /* cut short: a write that did not finish */
		size_t ll = (size_t)(nl - line);
		const char *sp = memchr(line, ' ', ll);
		uint64_t t;
		if (sp && scan_u64(line, (size_t)(sp - line), &t) && t != NO_TIME
		    && uid_valid(sp + 1, (size_t)(nl - sp - 1))) {
			fn(arg, t, sp + 1, (size_t)(nl - sp - 1));
			n++;
		}
		start += ll + 1;
	}
	return n;
}

struct record {
	uint64_t time;
	const char *uid;
	size_t len;
};

struct records {
	struct record *r;
	size_t n, cap;
	char *text;
};

static void add_record(void *arg, uint64_t time, const char *uid, size_t len)
{
	struct records *rs = arg;
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? 2 * rs->cap : 256;
		struct record *p = realloc(rs->r, cap * sizeof *p);
		if (!p)
			die_nomem();
		rs->r = p;
		rs->cap = cap;
	}
	rs->r[rs->n++] = (struct record){ time, uid, len };
}

static int record_cmp(const void *a, const void *b)
{
	const struct record *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->uid, y->uid, n);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* The state file's records, sorted by UID; none if it is missing,
 * unreadable (logged) or too large. */
static void load(const char *path, struct records *rs)
{
	memset(rs, 0, sizeof *rs);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0) {
		if (errno != ENOENT)
			logline("expire file=%s error=\"%s\"", path, strerror(errno));
		return;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > EXPIRE_FILE_MAX) {
		logline("expire file=%s error=\"not a state file of at most %u octets\"",
			path, EXPIRE_FILE_MAX);
		close(fd);
		return;
	}
	size_t size = (size_t)st.st_size, got = 0;
	if (!(rs->text = malloc(size + 1)))
		die_nomem();
	while (got < size) {
		ssize_t k = read(fd, rs->text + got, size - got);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	expire_parse(rs->text, got, add_record, rs);
	if (rs->n > 1)
		qsort(rs->r, rs->n, sizeof *rs->r, record_cmp);
}

static uint64_t lookup(const struct records *rs, const char *uid, size_t len)
{
	struct record key = { 0, uid, len };
	const struct record *r = rs->n ? bsearch(&key, rs->r, rs->n, sizeof *rs->r, record_cmp) : NULL;
	return r ? r->time : NO_TIME;
}

/* The records to keep, written whole beside PATH and renamed over it;
 * with none to keep the file goes. */
static bool save(const char *path, size_t n, expire_uid_fn *uid_of, const void *ctx,
	const uint64_t *times)
{
	char tmp[PATH_MAX];
	size_t kept = 0;
	for (size_t i = 0; i < n; i++)
		kept += times[i] != NO_TIME;
	if (kept == 0)
		return unlink(path) == 0 || errno == ENOENT;
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return errno = ENAMETOOLONG, false;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return false;
	static char buf[65536];
	size_t len = sizeof HEADER - 1;
	memcpy(buf, HEADER, len);
	bool ok = true;
	for (size_t i = 0; ok && i < n; i++) {
		if (times[i] == NO_TIME)
			continue;
		size_t ul;
		const char *uid = uid_of(ctx, i, &ul);
		if (len + 22 + ul + 1 > sizeof buf) {
			ok = write_all(fd, buf, len) == 0;
			len = 0;
		}
		len += fmt_u64(buf + len, times[i]);
		buf[len++] = ' ';
		memcpy(buf + len, uid, ul);
		len += ul;
		buf[len++] = '\n';
	}
	ok = ok && write_all(fd, buf, len) == 0;
	ok = close(fd) == 0 && ok;
	if (ok && rename(tmp, path) == 0)
		return true;
	int e = errno;
	unlink(tmp);
	errno = e;
	return false;
}

enum { MARK_NONE, MARK_DELETED, MARK_RETRIEVED, MARK_DUE };

/* Each message's retrieval time (NO_TIME: not retrieved, or deleted by
 * the client), marking the due ones in MARK. */
static void decide(const struct expire_policy *p, size_t n, expire_uid_fn *uid_of,
	const void *ctx, const struct records *rs, unsigned char *mark, uint64_t *times,
	uint64_t now, struct expire_result *res)
{
	for (size_t i = 0; i < n; i++) {
		times[i] = NO_TIME;
		if (mark[i] == MARK_DELETED)
			continue;
		size_t len;
		const char *uid = uid_of(ctx, i, &len);
		uint64_t t = lookup(rs, uid, len);
		if (t == NO_TIME && mark[i] == MARK_RETRIEVED) {
			t = now;
			res->recorded++;
		}
		times[i] = t;
		/* a time after NOW is another clock's (set back since): not due */
		if (t != NO_TIME && t <= now && now - t >= p->seconds)
			mark[i] = MARK_DUE;
	}
}

/* The due messages moved from REP's retrievals to its deletions.  The
 * arrays have room for every message (expose_read_report). */
static void add_due(struct expose_report *rep, const unsigned char *mark, size_t n,
	struct expire_result *res)
{
	size_t k = 0;
	for (size_t j = 0; j < rep->n_retrieved; j++)
		if (mark[rep->retrieved[j] - 1] != MARK_DUE)
			rep->retrieved[k++] = rep->retrieved[j];
	rep->n_retrieved = k;
	for (size_t i = 0; i < n; i++)
		if (mark[i] == MARK_DUE) {
			rep->deleted[rep->n_deleted++] = (uint32_t)(i + 1);
			res->expired++;
		}
}

void expire_apply(const struct expire_policy *p, const char *path, size_t n,
	expire_uid_fn *uid_of, const void *ctx, struct expose_report *rep,
	uint64_t now, struct expire_result *res)
{
	memset(res, 0, sizeof *res);
	if (!p->on || n == 0 || !rep->deleted)
		return;
	unsigned char *mark = calloc(n, 1);
	uint64_t *times = malloc(n * sizeof *times);
	if (!mark || !times)
		die_nomem();
	for (size_t j = 0; j < rep->n_deleted; j++)
		mark[rep->deleted[j] - 1] = MARK_DELETED;
	for (size_t j = 0; j < rep->n_retrieved; j++)
		mark[rep->retrieved[j] - 1] = MARK_RETRIEVED;
	struct records rs = { 0 };
	if (path)
		load(path, &rs);
	decide(p, n, uid_of, ctx, &rs, mark, times, now, res);
	add_due(rep, mark, n, res);
	if (path) {
		res->saved = save(path, n, uid_of, ctx, times);
		if (!res->saved)
			logline("expire file=%s error=\"cannot write: %s\"", path, strerror(errno));
	} else if (p->seconds > 0 && res->recorded > 0) {
		logline("expire note=\"no state file: retrieval times not kept\"");
	}
	logline("expire days=%llu expired=%zu recorded=%zu",
		(unsigned long long)(p->seconds / 86400), res->expired, res->recorded);
	free(rs.r);
	free(rs.text);
	free(mark);
	free(times);
}
