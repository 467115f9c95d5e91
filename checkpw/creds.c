/* creds.c: see creds.h. */
#include "creds.h"

#include <string.h>

/* Returns the length of the NUL-terminated field at BUF[0..LEN), or LEN
 * when there is no NUL. */
static size_t field_len(const char *buf, size_t len)
{
	const char *nul = memchr(buf, '\0', len);
	return nul ? (size_t)(nul - buf) : len;
}

bool creds_parse(const char *buf, size_t len, struct creds *out)
{
	const char *field[4];
	size_t flen[4];
	size_t pos = 0;
	int fields = 0;

	if (len == 0 || len > CREDS_MAX)
		return false;
	for (int i = 0; i < 4 && (i < 3 || pos < len); i++) {
		if (pos >= len)
			return false;
		field[i] = buf + pos;
		flen[i] = field_len(buf + pos, len - pos);
		if (pos + flen[i] >= len)  /* no terminating NUL */
			return false;
		pos += flen[i] + 1;
		fields++;
	}
	if (pos != len || (fields == 4 && flen[3] == 0))  /* bytes after the last NUL */
		return false;
	out->user = field[0];
	out->user_len = flen[0];
	out->secret = field[1];
	out->secret_len = flen[1];
	out->timestamp = field[2];
	out->timestamp_len = flen[2];
	out->method = fields == 4 ? field[3] : NULL;
	out->method_len = fields == 4 ? flen[3] : 0;
	return true;
}

bool name_ok(const char *s, size_t len, size_t max)
{
	if (len == 0 || len > max)
		return false;
	if (s[0] == '-' || (len == 1 && s[0] == '.'))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x21 || c > 0x7e)
			return false;
		if (c == '/' || c == ':' || c == '%' || c == '\\')
			return false;
		if (c == '.' && i + 1 < len && s[i + 1] == '.')
			return false;
	}
	return true;
}

bool login_split(const char *s, size_t len, size_t *at)
{
	const char *sign = memchr(s, '@', len);
	if (!sign) {
		*at = len;
		return name_ok(s, len, LOCAL_MAX_LEN);
	}
	size_t local_len = (size_t)(sign - s);
	size_t domain_len = len - local_len - 1;
	if (len > NAME_MAX_LEN || memchr(sign + 1, '@', domain_len))
		return false;
	if (!name_ok(s, local_len, LOCAL_MAX_LEN) ||
	    !name_ok(sign + 1, domain_len, NAME_MAX_LEN))
		return false;
	*at = local_len;
	return true;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

bool creds_is_apop_shaped(const struct creds *c)
{
	if (c->secret_len != 32 || c->timestamp_len < 3)
		return false;
	if (c->timestamp[0] != '<' || c->timestamp[c->timestamp_len - 1] != '>')
		return false;
	for (size_t i = 0; i < 32; i++)
		if (!is_hex(c->secret[i]))
			return false;
	return true;
}

bool creds_method_is(const struct creds *c, const char *name)
{
	return c->method && c->method_len == strlen(name) &&
	       memcmp(c->method, name, c->method_len) == 0;
}
