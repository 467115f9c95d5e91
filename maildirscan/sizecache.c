/* sizecache.c: see sizecache.h. */
#include "sizecache.h"

#include "die.h"
#include "scanlist.h"
#include "scan_num.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t hash_key(const char *p, size_t len)
{
	uint64_t h = 1469598103934665603u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211u;
	return h;
}

void sizecache_free(struct sizecache *c)
{
	free(c->data);
	free(c->entries);
	free(c->slots);
	memset(c, 0, sizeof *c);
}

static void load_fail(struct sizecache *c, const char *why)
{
	logline("sizecache ignored=\"%s\"", why);
	sizecache_free(c);
}

char *maildir_read_file(int dir_fd, const char *name, size_t max, size_t *len,
                        const char **why)
{
	*why = NULL;
	int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno != ENOENT)
			*why = "cannot open";
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > max) {
		*why = "not a regular file of a sane size";
		close(fd);
		return NULL;
	}
	size_t want = (size_t)st.st_size;
	char *buf = malloc(want + 1);
	if (!buf)
		die_nomem();
	size_t have = 0;
	while (have < want) {
		ssize_t got = read(fd, buf + have, want - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		have += (size_t)got;
	}
	close(fd);
	if (have != want) {
		*why = "short read";
		free(buf);
		return NULL;
	}
	buf[have] = '\0';
	*len = have;
	return buf;
}

/* Adds an entry unless its key is there already (then the file is bad). */
static int insert(struct sizecache *c, const struct sizecache_entry *entry)
{
	const char *key = c->data + entry->key_off;
	size_t at = hash_key(key, entry->key_len) & c->mask;
	while (c->slots[at]) {
		const struct sizecache_entry *e = &c->entries[c->slots[at] - 1];
		if (e->key_len == entry->key_len &&
		    memcmp(c->data + e->key_off, key, entry->key_len) == 0)
			return -1;
		at = (at + 1) & c->mask;
	}
	c->entries[c->count] = *entry;
	c->slots[at] = (uint32_t)++c->count;
	return 0;
}

static int is_digest(const char *p, size_t len)
{
	if (len != 32)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return 0;
	return 1;
}

/* One line (without its LF) at DATA + POS: KEY SIZE [DIGEST [XUIDL]]. */
static int parse_line(struct sizecache *c, size_t pos, size_t len)
{
	const char *line = c->data + pos;
	size_t start[4], flen[4], n = 0, i = 0;
	while (i <= len) {
		size_t j = i;
		while (j < len && line[j] != ' ')
			j++;
		if (j == i || n == 4)
			return -1;
		start[n] = i;
		flen[n] = j - i;
		n++;
		i = j + 1;
	}
	struct sizecache_entry e = { (uint32_t)pos, (uint32_t)flen[0], 0, 0, 0, 0 };
	if (n < 2 || !scan_u64(line + start[1], flen[1], &e.size))
		return -1;
	if (n >= 3) {
		if (!is_digest(line + start[2], flen[2]))
			return -1;
		e.digest_off = (uint32_t)(pos + start[2]);
	}
	if (n == 4) {
		if (!uid_valid(line + start[3], flen[3]))
			return -1;
		e.xuidl_off = (uint32_t)(pos + start[3]);
		e.xuidl_len = (uint32_t)flen[3];
	}
	return insert(c, &e);
}

int sizecache_parse(struct sizecache *c, char *data, size_t len)
{
	memset(c, 0, sizeof *c);
	c->data = data;
	size_t magic = strlen(SIZECACHE_MAGIC);
	if (len < magic + 2 || memcmp(data, SIZECACHE_MAGIC, magic) != 0 ||
	    memcmp(data + len - 2, ".\n", 2) != 0 || data[len - 3] != '\n') {
		load_fail(c, "bad header or cut short");
		return -1;
	}
	size_t lines = 0;
	for (size_t i = magic; i < len; i++)
		lines += data[i] == '\n';
	size_t slots = 16;
	while (slots < 2 * lines + 2)
		slots *= 2;
	c->entries = calloc(lines, sizeof *c->entries);
	c->slots = calloc(slots, sizeof *c->slots);
	if (!c->entries || !c->slots)
		die_nomem();
	c->mask = slots - 1;
	size_t pos = magic;
	while (pos < len - 2) {
		/* Every line ends in LF: the byte before the final ".\n" is one. */
		char *nl = memchr(data + pos, '\n', len - pos);
		if (parse_line(c, pos, (size_t)(nl - (data + pos))) < 0) {
			load_fail(c, "malformed or repeated line");
			return -1;
		}
		pos = (size_t)(nl - data) + 1;
	}
	return 0;
}

void sizecache_load(struct sizecache *c, int dir_fd, const char *name)
{
	const char *why;
	size_t len;
	memset(c, 0, sizeof *c);
	char *data = maildir_read_file(dir_fd, name, SIZECACHE_FILE_MAX, &len, &why);
	if (!data) {
		if (why)
			load_fail(c, why);
		return;
	}
	sizecache_parse(c, data, len);
}

int sizecache_find(const struct sizecache *c, const char *key, size_t len,
                   struct sizecache_record *r)
{
	if (!c->count)
		return 0;
	size_t at = hash_key(key, len) & c->mask;
	while (c->slots[at]) {
		const struct sizecache_entry *e = &c->entries[c->slots[at] - 1];
		if (e->key_len == len && memcmp(c->data + e->key_off, key, len) == 0) {
			r->key = c->data + e->key_off;
			r->key_len = e->key_len;
			r->size = e->size;
			r->digest = e->digest_off ? c->data + e->digest_off : NULL;
			r->xuidl = e->xuidl_off ? c->data + e->xuidl_off : NULL;
			r->xuidl_len = e->xuidl_len;
			return 1;
		}
		at = (at + 1) & c->mask;
	}
	return 0;
}

int sizecache_get(const struct sizecache *c, const char *key, size_t len,
                  uint64_t *size)
{
	struct sizecache_record r;
	if (!sizecache_find(c, key, len, &r))
		return 0;
	*size = r.size;
	return 1;
}

static int save_fail(int dir_fd, const char *tmp, FILE *f, const char *why)
{
	logline("sizecache save_error=\"%s: %s\"", why, strerror(errno));
	if (f)
		fclose(f);
	unlinkat(dir_fd, tmp, 0);
	return -1;
}

int sizecache_save(int dir_fd, const char *name,
                   const struct sizecache_record *records, size_t count)
{
	char tmp[256];
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", name, (long)getpid());
	int fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return save_fail(dir_fd, tmp, NULL, "create");
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return save_fail(dir_fd, tmp, NULL, "fdopen");
	}
	fputs(SIZECACHE_MAGIC, f);
	for (size_t i = 0; i < count; i++) {
		const struct sizecache_record *r = &records[i];
		char num[24];
		size_t n = fmt_u64(num, r->size);
		fwrite(r->key, 1, r->key_len, f);
		fputc(' ', f);
		fwrite(num, 1, n, f);
		if (r->digest) {
			fputc(' ', f);
			fwrite(r->digest, 1, 32, f);
			if (r->xuidl) {
				fputc(' ', f);
				fwrite(r->xuidl, 1, r->xuidl_len, f);
			}
		}
		fputc('\n', f);
	}
	fputs(".\n", f);
	if (fflush(f) != 0 || ferror(f))
		return save_fail(dir_fd, tmp, f, "write");
	if (fdatasync(fd) < 0)
		return save_fail(dir_fd, tmp, f, "fdatasync");
	if (fclose(f) != 0)
		return save_fail(dir_fd, tmp, NULL, "close");
	if (renameat(dir_fd, tmp, dir_fd, name) < 0)
		return save_fail(dir_fd, tmp, NULL, "rename");
	return 0;
}
