/* maildirname.c: see maildirname.h.  Pure functions over the name's
 * octets: fuzzed by tests/fuzz/fuzz_maildirname.c. */
#include "maildirname.h"

#include "scan_num.h"
#include "shortstr.h"

#include <md5.h>
#include <string.h>

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* ",S=123" style fields between the unique part and the info. */
static void parse_fields(const char *p, size_t len, struct maildir_name *n)
{
	size_t i = 0;
	while (i < len) {
		size_t end = i;
		while (end < len && p[end] != ',')
			end++;
		/* field p[i..end) */
		if (end - i > 2 && p[i + 1] == '=' && (p[i] == 'S' || p[i] == 'W')) {
			uint64_t v;
			if (scan_u64(p + i + 2, end - i - 2, &v)) {
				if (p[i] == 'S' && !n->has_s) {
					n->size_s = v;
					n->has_s = 1;
				} else if (p[i] == 'W' && !n->has_w) {
					n->size_w = v;
					n->has_w = 1;
				}
			}
		}
		i = end + 1;
	}
}

/* "1700000000.M123P45.host": the seconds, then the M pair of the middle
 * field if the middle field is made of letter-number pairs. */
static void parse_time(const char *p, size_t len, struct maildir_name *n)
{
	size_t i = 0;
	while (i < len && is_digit(p[i]))
		i++;
	if (i == 0 || i > 20 || !scan_u64(p, i, &n->seconds))
		return;
	n->has_seconds = 1;
	if (i >= len || p[i] != '.')
		return;
	i++;
	while (i < len && p[i] >= 'A' && p[i] <= 'Z') {
		char key = p[i++];
		size_t start = i;
		while (i < len && is_digit(p[i]))
			i++;
		if (i == start)
			return;
		if (key == 'M') {
			uint64_t v;
			if (i - start <= 20 && scan_u64(p + start, i - start, &v))
				n->usec = v;
			return;
		}
	}
}

void maildir_name_parse(const char *name, size_t len, struct maildir_name *n)
{
	memset(n, 0, sizeof *n);
	const char *colon = short_find(name, len, ':');
	n->base_len = colon ? (size_t)(colon - name) : len;
	n->has_info = colon != NULL;
	const char *comma = short_find(name, n->base_len, ',');
	n->unique_len = comma ? (size_t)(comma - name) : n->base_len;
	if (comma)
		parse_fields(comma + 1, n->base_len - n->unique_len - 1, n);
	parse_time(name, n->unique_len, n);
}

size_t maildir_uid(const char *unique, size_t len, char out[UID_MAX + 1])
{
	if (uid_valid(unique, len)) {
		memcpy(out, unique, len);
		out[len] = '\0';
		return len;
	}
	static const char hex[] = "0123456789abcdef";
	unsigned char sum[MD5_DIGEST_LENGTH];
	MD5_CTX ctx;
	MD5Init(&ctx);
	MD5Update(&ctx, (const unsigned char *)unique, len);
	MD5Final(sum, &ctx);
	out[0] = '~';
	for (size_t i = 0; i < MD5_DIGEST_LENGTH; i++) {
		out[1 + 2 * i] = hex[sum[i] >> 4];
		out[2 + 2 * i] = hex[sum[i] & 15];
	}
	out[1 + 2 * MD5_DIGEST_LENGTH] = '\0';
	return 1 + 2 * MD5_DIGEST_LENGTH;
}

int maildir_name_add_flag(const char *name, char flag, char *out, size_t size)
{
	size_t len = strlen(name);
	const char *colon = strchr(name, ':');
	if (!colon) {
		if (len + 4 + 1 > size)
			return -1;
		memcpy(out, name, len);
		memcpy(out + len, ":2,", 3);
		out[len + 3] = flag;
		out[len + 4] = '\0';
		return 1;
	}
	if (strncmp(colon + 1, "2,", 2) != 0 || strchr(colon + 3, flag))
		return 0;
	if (len + 2 > size)
		return -1;
	/* Flags are kept in ASCII order: the new one goes before the first
	 * greater one. */
	const char *flags = colon + 3;
	size_t at = (size_t)(flags - name);
	while (name[at] && (unsigned char)name[at] < (unsigned char)flag)
		at++;
	memcpy(out, name, at);
	out[at] = flag;
	memcpy(out + at + 1, name + at, len - at + 1);
	return 1;
}
