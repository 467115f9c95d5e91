/* sizecache.c: see sizecache.h. */
#include "sizecache.h"

#include "die.h"
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

static char *read_file(int dir_fd, const char *name, size_t *len, const char **why)
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
	    (uint64_t)st.st_size > SIZECACHE_FILE_MAX) {
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
static int insert(struct sizecache *c, uint32_t off, uint32_t len, uint64_t size)
{
	size_t at = hash_key(c->data + off, len) & c->mask;
	while (c->slots[at]) {
		const struct sizecache_entry *e = &c->entries[c->slots[at] - 1];
		if (e->key_len == len && memcmp(c->data + e->key_off, c->data + off, len) == 0)
			return -1;
		at = (at + 1) & c->mask;
	}
	c->entries[c->count] = (struct sizecache_entry){ off, len, size };
	c->slots[at] = (uint32_t)++c->count;
	return 0;
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
		char *sp = memchr(data + pos, ' ', (size_t)(nl - (data + pos)));
		uint64_t size;
		if (!sp || sp == data + pos ||
		    !scan_u64(sp + 1, (size_t)(nl - sp - 1), &size) ||
		    insert(c, (uint32_t)pos, (uint32_t)(sp - (data + pos)), size) < 0) {
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
	char *data = read_file(dir_fd, name, &len, &why);
	if (!data) {
		if (why)
			load_fail(c, why);
		return;
	}
	sizecache_parse(c, data, len);
}

int sizecache_get(const struct sizecache *c, const char *key, size_t len,
                  uint64_t *size)
{
	if (!c->count)
		return 0;
	size_t at = hash_key(key, len) & c->mask;
	while (c->slots[at]) {
		const struct sizecache_entry *e = &c->entries[c->slots[at] - 1];
		if (e->key_len == len && memcmp(c->data + e->key_off, key, len) == 0) {
			*size = e->size;
			return 1;
		}
		at = (at + 1) & c->mask;
	}
	return 0;
}

static int save_fail(int dir_fd, const char *tmp, FILE *f, const char *why)
{
	logline("sizecache save_error=\"%s: %s\"", why, strerror(errno));
	if (f)
		fclose(f);
	unlinkat(dir_fd, tmp, 0);
	return -1;
}

int sizecache_save(int dir_fd, const char *name, size_t count,
                   const char *const *keys, const size_t *key_lens,
                   const uint64_t *sizes)
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
		char num[24];
		size_t n = fmt_u64(num, sizes[i]);
		fwrite(keys[i], 1, key_lens[i], f);
		fputc(' ', f);
		fwrite(num, 1, n, f);
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
