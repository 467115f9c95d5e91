/* rules.c: the rules text, its compiled cdb form, and the decision.
 * See rules.h for the key layout and doc/hostcheck-rules.md for the
 * text.  The text is written by the administrator, never by a client,
 * but it is still parsed strictly: a rules file that means something
 * other than what it says is worse than one refused with its line. */
#include "rules.h"
#include "die.h"
#include "hostname.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	KEY_MAX = 1 + RULES_NAME_MAX + 2,
	META_LEN = 3 + 5 + 17 + 1,
	META_NAMES = 1, META_SUFFIXES = 2,
	TOKENS_MAX = 2 + RULES_VARS_MAX,
	/* the text form is read whole: far beyond a million rules */
	RULES_FILE_MAX = 256 * 1024 * 1024,
	/* enough for the longest host name and a final dot */
	PATTERN_SHOWN = RULES_NAME_MAX + 2,
};

static const char meta_magic[3] = { 'h', 'c', '1' };

struct token {
	const char *start;
	size_t len;
};

struct compiler {
	struct cdb_make make;
	struct rules_error *err;
	unsigned long line;
	unsigned long count;
	uint8_t v4_bits[5], v6_bits[17];
	bool has_names, has_suffixes;
	void (*warning)(unsigned long line, const char *text);
};

static int fail(struct compiler *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct compiler *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	c->err->line = c->line;
	vsnprintf(c->err->text, sizeof c->err->text, fmt, ap);
	va_end(ap);
	return -1;
}

static int fail_sys(struct rules_error *err, const char *what)
{
	int saved = errno;
	err->line = 0;
	snprintf(err->text, sizeof err->text, "%s: %s", what, strerror(saved));
	errno = saved;
	return -1;
}

/* Splits a line into blank-separated tokens; '"' quotes blanks inside
 * a token, '#' at the start of a token ends the line. */
static int tokenize(struct compiler *c, const char *line, size_t len,
		    struct token *tokens, size_t *count)
{
	size_t n = 0, i = 0;
	for (;;) {
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len || line[i] == '#')
			break;
		if (n == TOKENS_MAX)
			return fail(c, "more than %d variables", RULES_VARS_MAX);
		size_t start = i;
		bool quoted = false;
		while (i < len && (quoted || (line[i] != ' ' && line[i] != '\t'))) {
			if (line[i] == '"')
				quoted = !quoted;
			i++;
		}
		if (quoted)
			return fail(c, "unterminated quote");
		tokens[n].start = line + start;
		tokens[n].len = i - start;
		n++;
	}
	*count = n;
	return 0;
}

static bool token_is(const struct token *t, const char *word)
{
	return t->len == strlen(word) && strncasecmp(t->start, word, t->len) == 0;
}

static int parse_action(struct compiler *c, const struct token *t, uint8_t *action)
{
	if (token_is(t, "allow"))
		*action = RULE_ALLOW;
	else if (token_is(t, "deny"))
		*action = RULE_DENY;
	else if (token_is(t, "warn"))
		*action = RULE_WARN;
	else if (token_is(t, "trust"))
		*action = RULE_TRUST;
	else
		return fail(c, "unknown action \"%.*s\" (allow, deny, warn or trust)",
			    (int)(t->len > 40 ? 40 : t->len), t->start);
	return 0;
}

static bool reserved_variable(const char *name, size_t len)
{
	return (len == 5 && memcmp(name, "PROTO", 5) == 0) ||
	       (len >= 3 && memcmp(name, "TCP", 3) == 0);
}

/* Appends NAME=VALUE\0 for token T to VARS (of VARS_SIZE), at *USED. */
static int parse_variable(struct compiler *c, const struct token *t,
			  char *vars, size_t vars_size, size_t *used)
{
	const char *eq = memchr(t->start, '=', t->len);
	size_t name_len = eq ? (size_t)(eq - t->start) : 0;
	if (!eq || name_len == 0)
		return fail(c, "expected NAME=VALUE, found \"%.*s\"",
			    (int)(t->len > 40 ? 40 : t->len), t->start);
	for (size_t i = 0; i < name_len; i++) {
		unsigned char ch = (unsigned char)t->start[i];
		if (!(isalpha(ch) || ch == '_' || (i > 0 && isdigit(ch))))
			return fail(c, "bad variable name \"%.*s\"", (int)name_len, t->start);
	}
	if (reserved_variable(t->start, name_len))
		return fail(c, "variable %.*s is set by hostcheck itself",
			    (int)name_len, t->start);
	const char *value = eq + 1;
	size_t value_len = t->len - name_len - 1;
	if (value_len > 0 && value[0] == '"') {
		if (value_len < 2 || value[value_len - 1] != '"')
			return fail(c, "a quoted value must be quoted whole");
		value++;
		value_len -= 2;
	}
	if (value_len > RULES_VALUE_MAX)
		return fail(c, "value of %.*s longer than %d octets",
			    (int)name_len, t->start, RULES_VALUE_MAX);
	for (size_t i = 0; i < value_len; i++) {
		unsigned char ch = (unsigned char)value[i];
		if (ch == '"' || ch < 0x20 || ch == 0x7f)
			return fail(c, "bad character in the value of %.*s",
				    (int)name_len, t->start);
	}
	/* the same name twice in one rule is a mistake, not an override */
	for (size_t pos = 0; pos < *used; pos += strlen(vars + pos) + 1)
		if (strncmp(vars + pos, t->start, name_len) == 0 && vars[pos + name_len] == '=')
			return fail(c, "variable %.*s set twice", (int)name_len, t->start);
	size_t need = name_len + 1 + value_len + 1;
	if (*used + need > vars_size)
		return fail(c, "variables too long");
	memcpy(vars + *used, t->start, name_len + 1);
	memcpy(vars + *used + name_len + 1, value, value_len);
	vars[*used + need - 1] = '\0';
	*used += need;
	return 0;
}

static void set_bit(uint8_t *bits, unsigned n)
{
	bits[n / 8] |= (uint8_t)(1u << (n % 8));
}

static bool bit_is_set(const uint8_t *bits, unsigned n)
{
	return bits[n / 8] & (1u << (n % 8));
}

static size_t address_key(uint8_t *key, const struct netaddr *net, unsigned bits)
{
	key[0] = 'a';
	key[1] = (uint8_t)net->family;
	key[2] = (uint8_t)bits;
	size_t octets = (bits + 7) / 8;
	memcpy(key + 3, net->octets, octets);
	return 3 + octets;
}

static bool looks_like_address(const struct token *t)
{
	if (memchr(t->start, ':', t->len))
		return true;
	bool digit = false;
	for (size_t i = 0; i < t->len; i++) {
		if (isdigit((unsigned char)t->start[i]))
			digit = true;
		else if (t->start[i] != '.' && t->start[i] != '/')
			return false;
	}
	return digit;
}

/* Builds the key for the pattern token T. */
static int parse_pattern(struct compiler *c, const struct token *t,
			 uint8_t *key, size_t *key_len)
{
	if (token_is(t, "default")) {
		key[0] = 'd';
		*key_len = 1;
		return 0;
	}
	if (looks_like_address(t)) {
		char text[NETADDR_TEXT_MAX + 4];
		if (t->len >= sizeof text)
			return fail(c, "\"%.*s\" is not an IP address or prefix", 40, t->start);
		memcpy(text, t->start, t->len);
		text[t->len] = '\0';
		struct netaddr net;
		unsigned bits;
		const char *why;
		if (!netaddr_parse_prefix(text, &net, &bits, &why))
			return fail(c, "\"%s\": %s%s", text, why,
				    text[t->len - 1] == '.' ? " (write a prefix as 192.0.2.0/24)" : "");
		set_bit(net.family == NETADDR_V4 ? c->v4_bits : c->v6_bits, bits);
		*key_len = address_key(key, &net, bits);
		return 0;
	}
	bool suffix = t->start[0] == '.';
	const char *name = t->start + suffix;
	size_t name_len = t->len - suffix;
	if (name_len > 0 && name[name_len - 1] == '.')
		name_len--;  /* a fully qualified "example.org." */
	const char *why = hostname_error(name, name_len);
	if (why)
		return fail(c, "\"%.*s%s\" is not a host name, .domain, address or prefix: %s%s",
			    (int)(t->len > PATTERN_SHOWN ? PATTERN_SHOWN : t->len), t->start,
			    t->len > PATTERN_SHOWN ? "..." : "", why,
			    t->len > 2 && t->start[0] == '*' && t->start[1] == '.'
				    ? " (write a domain as .example.org)" : "");
	key[0] = suffix ? 's' : 'n';
	size_t k = 1;
	if (suffix)
		key[k++] = '.';
	for (size_t i = 0; i < name_len; i++)
		key[k++] = (uint8_t)tolower((unsigned char)name[i]);
	*key_len = k;
	if (suffix)
		c->has_suffixes = true;
	else
		c->has_names = true;
	return 0;
}

static int compile_line(struct compiler *c, const char *line, size_t len)
{
	struct token tokens[TOKENS_MAX];
	size_t count = 0;
	if (memchr(line, '\0', len))
		return fail(c, "NUL octet");
	if (tokenize(c, line, len, tokens, &count) < 0)
		return -1;
	if (count == 0)
		return 0;
	if (count == 1)
		return fail(c, "action without a pattern");
	uint8_t value[5 + RULES_LINE_MAX];
	if (parse_action(c, &tokens[0], &value[0]) < 0)
		return -1;
	value[1] = (uint8_t)(c->line >> 24);
	value[2] = (uint8_t)(c->line >> 16);
	value[3] = (uint8_t)(c->line >> 8);
	value[4] = (uint8_t)c->line;
	uint8_t key[KEY_MAX];
	size_t key_len = 0;
	if (parse_pattern(c, &tokens[1], key, &key_len) < 0)
		return -1;
	size_t vars_len = 0;
	for (size_t i = 2; i < count; i++)
		if (parse_variable(c, &tokens[i], (char *)value + 5, sizeof value - 5, &vars_len) < 0)
			return -1;
	if (++c->count > RULES_COUNT_MAX)
		return fail(c, "more than %d rules", RULES_COUNT_MAX);
	int r = cdb_make_put(&c->make, key, (unsigned)key_len, value, (unsigned)(5 + vars_len),
			     c->warning ? CDB_PUT_WARN : CDB_PUT_ADD);
	if (r < 0)
		return fail_sys(c->err, "writing the rules database");
	if (r > 0 && c->warning)
		c->warning(c->line, "this pattern repeats an earlier rule, which wins");
	return 0;
}

static int compile_lines(struct compiler *c, const char *text, size_t len)
{
	size_t pos = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t line_len = end - pos;
		c->line++;
		if (line_len > 0 && text[pos + line_len - 1] == '\r')
			line_len--;
		if (line_len > RULES_LINE_MAX)
			return fail(c, "line longer than %d octets", RULES_LINE_MAX);
		if (compile_line(c, text + pos, line_len) < 0)
			return -1;
		pos = end + 1;
	}
	return 0;
}

int rules_compile(const char *text, size_t len, int fd, struct rules_error *err,
		  void (*warning)(unsigned long line, const char *text))
{
	struct compiler c;
	memset(&c, 0, sizeof c);
	c.err = err;
	c.warning = warning;
	if (cdb_make_start(&c.make, fd) < 0)
		return fail_sys(err, "starting the rules database");
	if (compile_lines(&c, text, len) < 0) {
		int saved = errno;
		cdb_make_finish(&c.make);  /* frees its memory; the output is discarded */
		errno = saved;
		return -1;
	}
	uint8_t meta[META_LEN];
	memcpy(meta, meta_magic, 3);
	memcpy(meta + 3, c.v4_bits, 5);
	memcpy(meta + 8, c.v6_bits, 17);
	meta[25] = (uint8_t)((c.has_names ? META_NAMES : 0) | (c.has_suffixes ? META_SUFFIXES : 0));
	if (cdb_make_add(&c.make, "m", 1, meta, sizeof meta) < 0) {
		int saved = errno;
		cdb_make_finish(&c.make);
		errno = saved;
		return fail_sys(err, "writing the rules database");
	}
	if (cdb_make_finish(&c.make) < 0)
		return fail_sys(err, "writing the rules database");
	return 0;
}

/* Reads the meta record of an opened database. */
static int load_meta(struct rules *rules, struct rules_error *err)
{
	if (cdb_find(&rules->db, "m", 1) <= 0 || cdb_datalen(&rules->db) != META_LEN) {
		err->line = 0;
		snprintf(err->text, sizeof err->text, "not a hostcheck rules database");
		return -1;
	}
	const uint8_t *meta = cdb_getdata(&rules->db);
	if (!meta || memcmp(meta, meta_magic, 3) != 0) {
		err->line = 0;
		snprintf(err->text, sizeof err->text, "not a hostcheck rules database");
		return -1;
	}
	memcpy(rules->v4_bits, meta + 3, 5);
	memcpy(rules->v6_bits, meta + 8, 17);
	rules->has_names = meta[25] & META_NAMES;
	rules->has_suffixes = meta[25] & META_SUFFIXES;
	return 0;
}

static int open_db(struct rules *rules, int fd, struct rules_error *err)
{
	memset(rules, 0, sizeof *rules);
	rules->fd = fd;
	if (cdb_init(&rules->db, fd) < 0) {
		fail_sys(err, "reading the rules database");
		close(fd);
		return -1;
	}
	if (load_meta(rules, err) < 0) {
		rules_close(rules);
		return -1;
	}
	return 0;
}

int rules_open_text(struct rules *rules, const char *text, size_t len,
		    struct rules_error *err)
{
	int fd = memfd_create("hostcheck-rules", MFD_CLOEXEC);
	if (fd < 0)
		return fail_sys(err, "memfd_create");
	if (rules_compile(text, len, fd, err, NULL) < 0) {
		close(fd);
		return -1;
	}
	return open_db(rules, fd, err);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Reads a whole text file into a fresh buffer. */
static char *read_whole(int fd, size_t *len, struct rules_error *err)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		fail_sys(err, "fstat");
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > RULES_FILE_MAX) {
		err->line = 0;
		snprintf(err->text, sizeof err->text, "not a regular file of at most %d octets",
			 RULES_FILE_MAX);
		return NULL;
	}
	size_t size = (size_t)st.st_size, got = 0;
	char *buf = malloc(size + 1);
	if (!buf)
		die_nomem();
	while (got < size) {
		ssize_t r = read(fd, buf + got, size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;  /* shrank under us */
			fail_sys(err, "read");
			free(buf);
			return NULL;
		}
		got += (size_t)r;
	}
	*len = got;
	return buf;
}

char *rules_read_text(const char *path, size_t *len, struct rules_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fail_sys(err, "open");
		return NULL;
	}
	char *text = read_whole(fd, len, err);
	close(fd);
	return text;
}

int rules_open(struct rules *rules, const char *path, struct rules_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_sys(err, "open");
	if (ends_with(path, ".cdb"))
		return open_db(rules, fd, err);
	size_t len;
	char *text = read_whole(fd, &len, err);
	close(fd);
	if (!text)
		return -1;
	int r = rules_open_text(rules, text, len, err);
	free(text);
	return r;
}

void rules_close(struct rules *rules)
{
	cdb_free(&rules->db);
	close(rules->fd);
	rules->fd = -1;
}

/* Looks KEY up; a record too short to be a rule counts as a deny. */
static bool lookup(struct rules *rules, const void *key, size_t key_len,
		   enum rule_match match, struct rule_hit *hit)
{
	if (cdb_find(&rules->db, key, (unsigned)key_len) <= 0)
		return false;
	unsigned len = cdb_datalen(&rules->db);
	const uint8_t *value = cdb_getdata(&rules->db);
	memset(hit, 0, sizeof *hit);
	hit->match = match;
	hit->action = RULE_DENY;
	if (!value || len < 5)
		return true;
	if (value[0] == RULE_ALLOW || value[0] == RULE_WARN || value[0] == RULE_TRUST)
		hit->action = (enum rule_action)value[0];
	hit->line = (unsigned long)value[1] << 24 | (unsigned long)value[2] << 16 |
		    (unsigned long)value[3] << 8 | value[4];
	hit->vars = (const char *)value + 5;
	hit->vars_len = len - 5;
	return true;
}

/* The longest address prefix holding CLIENT. */
static bool longest_prefix(struct rules *rules, const struct netaddr *client,
			   struct rule_hit *hit, unsigned *bits_found)
{
	const uint8_t *used = client->family == NETADDR_V4 ? rules->v4_bits : rules->v6_bits;
	unsigned total = netaddr_bits(client);
	for (unsigned bits = total + 1; bits-- > 0;) {
		if (!bit_is_set(used, bits))
			continue;
		struct netaddr net = *client;
		netaddr_mask(&net, bits);
		uint8_t key[3 + 16];
		size_t key_len = address_key(key, &net, bits);
		if (lookup(rules, key, key_len, bits == total ? MATCH_ADDRESS : MATCH_PREFIX, hit)) {
			*bits_found = bits;
			return true;
		}
	}
	return false;
}

static bool lookup_name(struct rules *rules, char kind, const char *name, size_t len,
			enum rule_match match, struct rule_hit *hit)
{
	uint8_t key[KEY_MAX];
	key[0] = (uint8_t)kind;
	for (size_t i = 0; i < len; i++)
		key[1 + i] = (uint8_t)tolower((unsigned char)name[i]);
	return lookup(rules, key, 1 + len, match, hit);
}

enum rules_status rules_decide(struct rules *rules, const struct netaddr *client,
			       const char *name, bool name_known, struct rule_hit *hit)
{
	struct rule_hit by_address;
	unsigned bits = 0;
	bool have_address = longest_prefix(rules, client, &by_address, &bits);
	if (have_address && (by_address.match == MATCH_ADDRESS || by_address.action == RULE_TRUST)) {
		*hit = by_address;
		return RULES_DECIDED;
	}
	if (!name_known && (rules->has_names || (!have_address && rules->has_suffixes)))
		return RULES_NEED_NAME;
	size_t name_len = name ? strlen(name) : 0;
	bool name_ok = name && name_len <= RULES_NAME_MAX;
	if (name_ok && rules->has_names && lookup_name(rules, 'n', name, name_len, MATCH_NAME, hit))
		return RULES_DECIDED;
	if (have_address) {
		*hit = by_address;
		return RULES_DECIDED;
	}
	if (name_ok && rules->has_suffixes)
		for (size_t i = 0; i < name_len; i++)
			if (name[i] == '.' &&
			    lookup_name(rules, 's', name + i, name_len - i, MATCH_SUFFIX, hit))
				return RULES_DECIDED;
	if (lookup(rules, "d", 1, MATCH_DEFAULT, hit))
		return RULES_DECIDED;
	memset(hit, 0, sizeof *hit);
	hit->action = RULE_NONE;
	hit->match = MATCH_NONE;
	return RULES_DECIDED;
}

const char *rule_action_name(enum rule_action action)
{
	switch (action) {
	case RULE_ALLOW: return "allow";
	case RULE_DENY: return "deny";
	case RULE_WARN: return "warn";
	case RULE_TRUST: return "trust";
	case RULE_NONE: break;
	}
	return "deny";
}

const char *rule_match_name(enum rule_match match)
{
	switch (match) {
	case MATCH_ADDRESS: return "address";
	case MATCH_NAME: return "name";
	case MATCH_PREFIX: return "prefix";
	case MATCH_SUFFIX: return "suffix";
	case MATCH_DEFAULT: return "default";
	case MATCH_NONE: break;
	}
	return "none";
}
