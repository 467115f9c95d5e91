/* commit.c: see commit.h.
 *
 * Maildir deletion is one unlink per message, each atomic: a crash part
 * way leaves some deleted and the rest untouched, never a damaged
 * message.  An unlink that fails for another reason than "not there" is
 * reported to the client as a temporary error, the message staying. */
#include "commit.h"

#include "die.h"
#include "maildirname.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* cur/ as it is now, read only once a name has been found missing. */
struct current {
	char **names;
	size_t count;
	int loaded;
};

static void current_load(struct current *c, int cur_fd)
{
	c->loaded = 1;
	int copy = fcntl(cur_fd, F_DUPFD_CLOEXEC, 0);
	DIR *d = copy >= 0 ? fdopendir(copy) : NULL;
	if (!d) {
		if (copy >= 0)
			close(copy);
		logline("commit error=\"cannot read cur/: %s\"", strerror(errno));
		return;
	}
	rewinddir(d);
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (c->count == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			char **p = realloc(c->names, ncap * sizeof *p);
			if (!p)
				die_nomem();
			c->names = p;
			cap = ncap;
		}
		if (!(c->names[c->count] = strdup(e->d_name)))
			die_nomem();
		c->count++;
	}
	closedir(d);
}

static void current_free(struct current *c)
{
	for (size_t i = 0; i < c->count; i++)
		free(c->names[i]);
	free(c->names);
}

/* The name in cur/ now of the message whose unique part is UNIQUE, or
 * NULL if none has it.  A linear search: it runs only for messages some
 * other program touched during the session. */
static const char *current_find(struct current *c, int cur_fd,
                                const char *unique, size_t len)
{
	if (!c->loaded)
		current_load(c, cur_fd);
	for (size_t i = 0; i < c->count; i++) {
		struct maildir_name n;
		const char *name = c->names[i];
		if (strncmp(name, unique, len) != 0)
			continue;
		maildir_name_parse(name, strlen(name), &n);
		if (n.unique_len == len)
			return name;
	}
	return NULL;
}

/* Unlinks cur/NAME, adding its size on disk to *BYTES (for the quota
 * file).  Returns 0, or -1 with errno. */
static int unlink_counted(int cur_fd, const char *name, uint64_t *bytes)
{
	struct stat st;
	int known = fstatat(cur_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (unlinkat(cur_fd, name, 0) < 0)
		return -1;
	if (known)
		*bytes += (uint64_t)st.st_size;
	return 0;
}

/* 1 deleted, 0 already gone, -1 failed. */
static int delete_one(const struct scan *s, size_t i, struct current *c,
                      uint64_t *bytes)
{
	const char *name = scan_name(s, i);
	if (unlink_counted(s->cur_fd, name, bytes) == 0)
		return 1;
	if (errno != ENOENT)
		goto failed;
	const char *now = current_find(c, s->cur_fd, name, s->msgs[i].unique_len);
	if (!now)
		return 0;
	if (unlink_counted(s->cur_fd, now, bytes) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	name = now;
failed:
	logline("delete name=\"%s\" error=\"%s\"", name, strerror(errno));
	return -1;
}

/* Maildir++ quotas (maildrop, Courier, Dovecot): when the Maildir has a
 * maildirsize file, what is removed is recorded there as one appended
 * line "-BYTES -COUNT", written at once, so that the deliverer's count
 * stays right without a recount.  No file, no quota: nothing to do. */
static void quota_note(uint64_t bytes, size_t count)
{
	if (count == 0)
		return;
	int fd = open(MAILDIRSIZE_NAME, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno != ENOENT)
			logline("quota error=\"%s\"", strerror(errno));
		return;
	}
	char line[64];
	int n = snprintf(line, sizeof line, "-%llu -%zu\n", (unsigned long long)bytes, count);
	if (write(fd, line, (size_t)n) != n)
		logline("quota error=\"cannot append to %s\"", MAILDIRSIZE_NAME);
	close(fd);
}

static int mark_one_seen(const struct scan *s, size_t i, struct current *c)
{
	char target[NAME_MAX + 8];
	const char *name = scan_name(s, i);
	for (int attempt = 0; attempt < 2; attempt++) {
		int k = maildir_name_add_flag(name, 'S', target, sizeof target);
		if (k <= 0)
			return 0;
		if (renameat(s->cur_fd, name, s->cur_fd, target) == 0)
			return 1;
		if (errno != ENOENT || attempt == 1)
			break;
		name = current_find(c, s->cur_fd, name, s->msgs[i].unique_len);
		if (!name)
			return 0;
	}
	if (errno != ENOENT)
		logline("seen name=\"%s\" error=\"%s\"", name, strerror(errno));
	return 0;
}

void commit_report(const struct scan *s, const struct expose_report *r,
                   int mark_seen, struct commit_result *res,
                   char *answer, size_t answer_size)
{
	struct current c = { 0 };
	uint64_t bytes = 0;
	memset(res, 0, sizeof *res);
	for (size_t k = 0; k < r->n_deleted; k++) {
		int d = delete_one(s, r->deleted[k] - 1, &c, &bytes);
		if (d > 0)
			res->deleted++;
		else if (d == 0)
			res->gone++;
		else
			res->failed++;
	}
	quota_note(bytes, res->deleted);
	if (mark_seen)
		for (size_t k = 0; k < r->n_retrieved; k++)
			res->seen += (size_t)mark_one_seen(s, r->retrieved[k] - 1, &c);
	current_free(&c);
	if (res->failed)
		snprintf(answer, answer_size,
		         "-ERR [SYS/TEMP] %zu of %zu messages could not be deleted",
		         res->failed, r->n_deleted);
	else
		snprintf(answer, answer_size, "+OK %zu message%s deleted",
		         r->n_deleted, r->n_deleted == 1 ? "" : "s");
}
