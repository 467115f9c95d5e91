/* maildrop.c: see maildrop.h. */
#include "maildrop.h"
#include "namehash.h"

#include "linein.h"
#include "msgfilter.h"
#include "scan_num.h"
#include "scanlist.h"
#include "shortstr.h"

#include <stdlib.h>
#include <string.h>

/* The exposer writes the list before pop3d answers: a minute of silence
 * means it is stuck. */
#define SCANLIST_TIMEOUT_MS 60000
#define SCANLIST_MAX_FIELDS 8
/* The list is read in blocks of this size (lines stay bounded by
 * SCANLIST_LINE_MAX): a 100,000-message list is ~8 MB, and 4 KiB reads
 * cost a poll, a read and a wakeup of the exposer each. */
#define SCANLIST_READ_BLOCK 65536
/* UIDs enter the table this many lines after their own: the slot is
 * prefetched when the line is parsed, and by the time it is used the
 * (random) table line is in the cache.  A power of 2. */
#define UID_PENDING 16

struct loader {
	struct maildrop *m;
	uint64_t lineno;
	uint32_t next;           /* messages read so far */
	uint64_t sum;
	uint64_t *uid_hash;      /* slots: fingerprint << 32 | index + 1,
	                            0 = empty; freed after loading */
	size_t hash_mask;
	uint32_t checked;        /* messages before this are in the table */
	uint64_t pending[UID_PENDING];  /* hashes of the others, by index */
	int header_seen;
	const char *why;
};

static int fail(struct loader *l, const char *why)
{
	l->why = why;
	return -1;
}

/* Splits LINE at single spaces; returns the field count or -1 when a
 * field is empty or there are more than MAX. */
static int split_fields(const char *line, size_t len, const char **field,
                        size_t *flen, int max)
{
	int n = 0;
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != ' ')
			continue;
		if (i == start || n == max)
			return -1;
		field[n] = line + start;
		flen[n] = i - start;
		n++;
		start = i + 1;
	}
	return n;
}

static int field_is(const char *f, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(f, word, len) == 0;
}

static int parse_header(struct loader *l, const char *line, size_t len)
{
	const char *f[SCANLIST_MAX_FIELDS];
	size_t fl[SCANLIST_MAX_FIELDS];
	struct maildrop *m = l->m;
	int n = split_fields(line, len, f, fl, SCANLIST_MAX_FIELDS);
	uint32_t count;

	if (n < 4 || !field_is(f[0], fl[0], "pop3scan") || !field_is(f[1], fl[1], "1"))
		return fail(l, "not a version 1 scan list header");
	if (!scan_u32(f[2], fl[2], &count) || count > MAILDROP_MAX_MESSAGES)
		return fail(l, "bad message count");
	if (!scan_u64(f[3], fl[3], &m->octets))
		return fail(l, "bad octet count");
	for (int i = 4; i < n; i++) {
		if (field_is(f[i], fl[i], "mboxrd"))
			m->filter_flags |= MSGF_MBOXRD;
		else if (field_is(f[i], fl[i], "hide-status"))
			m->filter_flags |= MSGF_HIDE_STATUS;
		else
			return fail(l, "unknown flag");
	}
	m->count = count;
	m->msgs = malloc(((size_t)count + 1) * sizeof *m->msgs);
	m->deleted = calloc((size_t)count / 8 + 1, 1);
	m->retrieved = calloc((size_t)count / 8 + 1, 1);
	/* Linear probing at a load of 4/5 at most.  Each slot keeps 32 bits
	 * of the UID's hash beside the index, so a probe compares a word of
	 * the table (neighbours share a cache line) and reads a stored UID
	 * only on a likely match: 8 to 20 octets a message while loading. */
	size_t cap = 16;
	while (cap < (size_t)count + count / 4 + 1)
		cap *= 2;
	l->uid_hash = calloc(cap, sizeof *l->uid_hash);
	l->hash_mask = cap - 1;
	if (!m->msgs || !m->deleted || !m->retrieved || !l->uid_hash)
		return fail(l, "out of memory");
	l->header_seen = 1;
	return 0;
}

/* Copies an entry into the arena; returns its position or UINT32_MAX. */
static uint32_t arena_add(struct maildrop *m, const char *uid, size_t uid_len,
                          const char *path, size_t path_len)
{
	size_t need = 1 + uid_len + (path ? path_len + 1 : 0);
	if (need > MAILDROP_ARENA_BLOCK)
		return UINT32_MAX;
	if (m->n_blocks == 0 || m->block_used + need > MAILDROP_ARENA_BLOCK) {
		if (m->n_blocks >= UINT32_MAX / MAILDROP_ARENA_BLOCK)
			return UINT32_MAX;
		/* The block table itself grows by doubling; it is tiny. */
		if ((m->n_blocks & (m->n_blocks - 1)) == 0) {
			size_t cap = m->n_blocks ? m->n_blocks * 2 : 1;
			char **nb = realloc(m->blocks, cap * sizeof *nb);
			if (!nb)
				return UINT32_MAX;
			m->blocks = nb;
		}
		char *block = malloc(MAILDROP_ARENA_BLOCK);
		if (!block)
			return UINT32_MAX;
		m->blocks[m->n_blocks++] = block;
		m->block_used = 0;
	}
	char *p = m->blocks[m->n_blocks - 1] + m->block_used;
	uint32_t pos = (uint32_t)((m->n_blocks - 1) * MAILDROP_ARENA_BLOCK + m->block_used);
	p[0] = (char)uid_len;
	short_copy(p + 1, uid, uid_len);
	if (path) {
		short_copy(p + 1 + uid_len, path, path_len);
		p[1 + uid_len + path_len] = '\0';
	}
	m->block_used += need;
	return pos;
}

static const char *arena_at(const struct maildrop *m, uint32_t pos)
{
	return m->blocks[pos / MAILDROP_ARENA_BLOCK] + pos % MAILDROP_ARENA_BLOCK;
}

const char *maildrop_uid(const struct maildrop *m, uint32_t i, size_t *len)
{
	const char *e = arena_at(m, m->msgs[i].arena_pos);
	*len = (unsigned char)e[0];
	return e + 1;
}

const char *maildrop_path(const struct maildrop *m, uint32_t i)
{
	if (m->msgs[i].offset != MSG_IS_PATH)
		return NULL;
	const char *e = arena_at(m, m->msgs[i].arena_pos);
	return e + 1 + (unsigned char)e[0];
}

uint64_t maildrop_size(const struct maildrop *m, uint32_t i)
{
	if (m->msgs[i].size32 != UINT32_MAX)
		return m->msgs[i].size32;
	size_t lo = 0, hi = m->n_big_sizes;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->big_sizes[mid].index < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return m->big_sizes[lo].size;
}

#define SLOT_INDEX_MASK UINT64_C(0xffffffff)

/* Puts message INDEX's UID (hash H) in the table; -1 if another
 * message has it. */
static int uid_insert(struct loader *l, uint32_t index, uint64_t h)
{
	size_t len;
	const char *uid = maildrop_uid(l->m, index, &len);
	uint64_t mark = h & ~SLOT_INDEX_MASK;
	size_t slot = (size_t)h & l->hash_mask;
	uint64_t e;
	while ((e = l->uid_hash[slot]) != 0) {
		if ((e & ~SLOT_INDEX_MASK) == mark) {
			size_t olen;
			const char *other = maildrop_uid(l->m, (uint32_t)(e & SLOT_INDEX_MASK) - 1, &olen);
			if (olen == len && memcmp(other, uid, len) == 0)
				return -1;
		}
		slot = (slot + 1) & l->hash_mask;
	}
	l->uid_hash[slot] = mark | ((uint64_t)index + 1);
	return 0;
}

/* Checks the pending UIDs of messages before END.  A duplicate is
 * reported at its own line (message I is line I + 2, after the header),
 * as if it had been checked when read: before any later failure. */
static int uid_check_upto(struct loader *l, uint32_t end)
{
	while (l->checked < end) {
		uint32_t i = l->checked;
		if (uid_insert(l, i, l->pending[i % UID_PENDING]) < 0) {
			l->lineno = (uint64_t)i + 2;
			return fail(l, "duplicate UID");
		}
		l->checked++;
	}
	return 0;
}

/* Records message INDEX's UID for a check UID_PENDING lines later. */
static int uid_defer(struct loader *l, uint32_t index, const char *uid, size_t len)
{
	if (index - l->checked == UID_PENDING && uid_check_upto(l, l->checked + 1) < 0)
		return -1;
	uint64_t h = name_hash(uid, len);
	__builtin_prefetch(&l->uid_hash[(size_t)h & l->hash_mask]);
	l->pending[index % UID_PENDING] = h;
	return 0;
}

static int set_size(struct loader *l, struct msg *msg, uint64_t size)
{
	struct maildrop *m = l->m;
	if (size < UINT32_MAX) {
		msg->size32 = (uint32_t)size;
		return 0;
	}
	struct big_size *nb = realloc(m->big_sizes, (m->n_big_sizes + 1) * sizeof *nb);
	if (!nb)
		return fail(l, "out of memory");
	m->big_sizes = nb;
	nb[m->n_big_sizes].index = l->next;
	nb[m->n_big_sizes].size = size;
	m->n_big_sizes++;
	msg->size32 = UINT32_MAX;
	return 0;
}

static int parse_range(const char *f, size_t len, uint64_t *offset, uint64_t *length)
{
	const char *plus = short_find(f, len, '+');
	if (!plus || !scan_u64(f + 1, (size_t)(plus - f) - 1, offset) ||
	    !scan_u64(plus + 1, len - (size_t)(plus + 1 - f), length))
		return -1;
	/* pread takes a signed off_t. */
	if (*offset > INT64_MAX || *length > INT64_MAX - *offset)
		return -1;
	return 0;
}

/* Everything a message line adds once its fields are known to be
 * well formed. */
static int add_message(struct loader *l, const char *const *f, const size_t *fl,
                       uint64_t size)
{
	struct maildrop *m = l->m;
	if (l->next >= m->count)
		return fail(l, "more messages than the header says");
	if (size > UINT64_MAX - l->sum)
		return fail(l, "octet sum overflows");
	l->sum += size;

	struct msg *msg = &m->msgs[l->next];
	if (f[2][0] == '@') {
		if (parse_range(f[2], fl[2], &msg->offset, &msg->length) < 0)
			return fail(l, "bad @OFFSET+LENGTH");
		msg->arena_pos = arena_add(m, f[1], fl[1], NULL, 0);
		m->has_ranges = 1;
	} else {
		if (memchr(f[2], '\0', fl[2]))
			return fail(l, "NUL in path");
		msg->offset = MSG_IS_PATH;
		msg->length = 0;
		msg->arena_pos = arena_add(m, f[1], fl[1], f[2], fl[2]);
	}
	if (msg->arena_pos == UINT32_MAX)
		return fail(l, "out of memory");
	if (set_size(l, msg, size) < 0)
		return -1;
	if (uid_defer(l, l->next, f[1], fl[1]) < 0)
		return -1;
	l->next++;
	return 0;
}

/* The common case in one pass: a line that is plainly "SIZE UID WHERE"
 * with a valid size and UID and no space, CR or NUL in WHERE.  Returns
 * 1 with the fields, or 0 and the line goes through the checks below,
 * which say what is wrong with it (so the reasons logged stay the same). */
static int message_fields_fast(const char *line, size_t len, const char **f,
                               size_t *fl, uint64_t *size)
{
	const char *end = line + len;
	const char *sp1 = short_find(line, len, ' ');
	if (!sp1)
		return 0;
	const char *uid = sp1 + 1;
	const char *sp2 = short_find(uid, (size_t)(end - uid), ' ');
	if (!sp2 || sp2 + 1 == end)
		return 0;
	const char *where = sp2 + 1;
	if (short_has3(where, (size_t)(end - where), ' ', '\r', '\0'))
		return 0;
	f[0] = line;
	fl[0] = (size_t)(sp1 - line);
	f[1] = uid;
	fl[1] = (size_t)(sp2 - uid);
	f[2] = where;
	fl[2] = (size_t)(end - where);
	return uid_valid(f[1], fl[1]) && scan_u64(f[0], fl[0], size);
}

static int parse_message(struct loader *l, const char *line, size_t len)
{
	const char *f[4];
	size_t fl[4];
	uint64_t size;

	if (l->next >= l->m->count)
		return fail(l, "more messages than the header says");
	if (split_fields(line, len, f, fl, 3) != 3)
		return fail(l, "message line needs SIZE UID WHERE");
	if (!scan_u64(f[0], fl[0], &size))
		return fail(l, "bad size");
	if (!uid_valid(f[1], fl[1]))
		return fail(l, "bad UID");
	return add_message(l, f, fl, size);
}

static int parse_line(struct loader *l, const char *line, size_t len)
{
	const char *f[3];
	size_t fl[3];
	uint64_t size;

	l->lineno++;
	if (l->header_seen && message_fields_fast(line, len, f, fl, &size))
		return add_message(l, f, fl, size);
	if (memchr(line, '\r', len))
		return fail(l, "CR in scan list");
	if (!l->header_seen)
		return parse_header(l, line, len);
	return parse_message(l, line, len);
}

/* Checks the totals; on any failure frees what was loaded. */
static int finish(struct loader *l, int r)
{
	/* A duplicate among the UIDs still pending came first. */
	if (l->header_seen && l->uid_hash && uid_check_upto(l, l->next) < 0)
		r = -1;
	free(l->uid_hash);
	l->uid_hash = NULL;
	if (r == 0 && !l->header_seen)
		r = fail(l, "empty scan list");
	else if (r == 0 && l->next != l->m->count)
		r = fail(l, "fewer messages than the header says");
	else if (r == 0 && l->sum != l->m->octets)
		r = fail(l, "octet sum differs from the header");
	if (r < 0)
		maildrop_free(l->m);
	return r;
}

static void loader_init(struct loader *l, struct maildrop *m)
{
	memset(m, 0, sizeof *m);
	memset(l, 0, sizeof *l);
	l->m = m;
	l->why = "bad scan list";
}

int maildrop_load(struct maildrop *m, int fd, const char **why, uint64_t *lineno)
{
	struct loader l;
	struct linein in;
	char *buf = malloc(SCANLIST_READ_BLOCK);
	int r = 0;

	loader_init(&l, m);
	if (!buf) {
		*why = "out of memory";
		return -1;
	}
	linein_init(&in, fd, buf, SCANLIST_READ_BLOCK, SCANLIST_TIMEOUT_MS, 0);
	linein_set_max(&in, SCANLIST_LINE_MAX - 1);
	for (;;) {
		const char *line;
		size_t len;
		int got = linein_get(&in, &line, &len);
		if (got == LINEIN_EOF)
			break;
		if (got != LINEIN_LINE) {
			r = fail(&l, got == LINEIN_TOOLONG ? "line too long" :
			         got == LINEIN_TIMEOUT ? "timeout reading the scan list" :
			         "cannot read the scan list");
			break;
		}
		if ((r = parse_line(&l, line, len)) < 0)
			break;
	}
	free(buf);
	r = finish(&l, r);
	*why = l.why;
	*lineno = l.lineno;
	return r;
}

int maildrop_load_buffer(struct maildrop *m, const char *text, size_t len,
                         const char **why, uint64_t *lineno)
{
	struct loader l;
	int r = 0;
	size_t pos = 0;

	loader_init(&l, m);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		if (!nl)
			break;  /* an unfinished last line is not a line */
		size_t linelen = (size_t)(nl - (text + pos));
		if (linelen > SCANLIST_LINE_MAX - 1) {
			r = fail(&l, "line too long");
			break;
		}
		if ((r = parse_line(&l, text + pos, linelen)) < 0)
			break;
		pos += linelen + 1;
	}
	r = finish(&l, r);
	*why = l.why;
	*lineno = l.lineno;
	return r;
}

void maildrop_free(struct maildrop *m)
{
	for (size_t i = 0; i < m->n_blocks; i++)
		free(m->blocks[i]);
	free(m->blocks);
	free(m->msgs);
	free(m->big_sizes);
	free(m->deleted);
	free(m->retrieved);
	memset(m, 0, sizeof *m);
}
