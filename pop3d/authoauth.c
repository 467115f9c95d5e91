/* authoauth.c: see authoauth.h.  A failed login gets a plain -ERR at
 * once, without RFC 7628's JSON error challenge: the dialogue cannot
 * tell a client why the checker refused, and that challenge is optional
 * to act on (clients take the -ERR as the end of the exchange). */
#include "authoauth.h"
#include "authsasl.h"

#include <string.h>

enum { KVSEP = 0x01, BEARER_LEN = 7 };

/* RFC 6750 section 2.1: "Bearer" (any case), a space, a b64token:
 * letters, digits and -._~+/, then '=' padding only. */
static bool bearer_token(const char *v, size_t len, const char **tok,
	size_t *tok_len)
{
	if (len <= BEARER_LEN || strncasecmp(v, "Bearer ", BEARER_LEN) != 0)
		return false;
	*tok = v + BEARER_LEN;
	*tok_len = len - BEARER_LEN;
	size_t i = 0;
	for (; i < *tok_len; i++) {
		char c = (*tok)[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
		    || (c >= '0' && c <= '9') || (c && strchr("-._~+/", c))))
			break;
	}
	if (i == 0)
		return false;
	for (; i < *tok_len; i++)
		if ((*tok)[i] != '=')
			return false;
	return true;
}

/* The token of the one "auth" pair among the pairs at P[0..LEN), each
 * ended by 0x01, the list by an empty one (others, host= and port=, are
 * the client's business). */
static bool auth_pair(const char *p, size_t len, const char **tok,
	size_t *tok_len)
{
	const char *val = NULL;
	size_t val_len = 0;
	while (len > 0) {
		const char *end = memchr(p, KVSEP, len);
		if (!end)
			return false;
		size_t n = (size_t)(end - p);
		if (n == 0)
			return len == 1 && val && bearer_token(val, val_len, tok, tok_len);
		if (n >= 5 && memcmp(p, "auth=", 5) == 0) {
			if (val)
				return false;
			val = p + 5;
			val_len = n - 5;
		}
		p = end + 1;
		len -= n + 1;
	}
	return false;
}

static enum authdialog_action token_cred(struct authdialog *d, const char *user,
	size_t user_len, const char *tok, size_t tok_len,
	enum authdialog_method method, const char *name)
{
	if (user_len > AD_ARG_MAX)
		return authsasl_refuse(d, "-ERR [AUTH] credentials too long");
	const char *refused = authdialog_name_refused(d, user, user_len, true);
	if (refused)
		return authsasl_refuse(d, refused);
	if (!authdialog_set_cred(d, user, user_len, tok, tok_len, "")
	    || !authsasl_add_method(d, name))
		return authsasl_refuse(d, "-ERR [AUTH] credentials too long");
	return authsasl_check(d, method);
}

/* The GS2 header "n,a=USER," or "y,a=USER," (no channel binding, RFC
 * 5801): USER unescaped (=2C is ',', =3D '=') into USER.  Returns where
 * the header ends, or NULL. */
static const char *gs2_header(const char *p, const char *end, char *user,
	size_t *user_len)
{
	*user_len = 0;
	if (end - p < 4 || (p[0] != 'n' && p[0] != 'y') || p[1] != ','
	    || p[2] != 'a' || p[3] != '=')
		return NULL;
	for (p += 4; p < end && *p != ','; p++) {
		char c = *p;
		if (c == '=') {
			if (end - p >= 3 && p[1] == '2' && p[2] == 'C')
				c = ',';
			else if (end - p >= 3 && p[1] == '3' && p[2] == 'D')
				c = '=';
			else
				return NULL;
			p += 2;
		}
		if (*user_len == AD_ARG_MAX + 1)
			return NULL;
		user[(*user_len)++] = c;
	}
	return p < end && *user_len > 0 ? p + 1 : NULL;
}

enum authdialog_action authoauth_bearer(struct authdialog *d,
	const unsigned char *msg, size_t len)
{
	const char *p = (const char *)msg, *end = p + len, *tok;
	char user[AD_ARG_MAX + 2];
	size_t user_len, tok_len;
	enum authdialog_action act;
	if (memchr(p, 0, len) || !(p = gs2_header(p, end, user, &user_len))
	    || p == end || *p != KVSEP
	    || !auth_pair(p + 1, (size_t)(end - p - 1), &tok, &tok_len))
		act = authsasl_refuse(d, "-ERR malformed OAUTHBEARER response");
	else
		act = token_cred(d, user, user_len, tok, tok_len,
			AD_METHOD_OAUTHBEARER, AD_OAUTHBEARER_METHOD);
	explicit_bzero(user, sizeof user);
	return act;
}

enum authdialog_action authoauth_xoauth2(struct authdialog *d,
	const unsigned char *msg, size_t len)
{
	const char *p = (const char *)msg, *tok;
	size_t tok_len;
	const char *sep = len > 5 ? memchr(p + 5, KVSEP, len - 5) : NULL;
	if (memchr(p, 0, len) || !sep || memcmp(p, "user=", 5) != 0
	    || sep == p + 5
	    || !auth_pair(sep + 1, len - (size_t)(sep + 1 - p), &tok, &tok_len))
		return authsasl_refuse(d, "-ERR malformed XOAUTH2 response");
	return token_cred(d, p + 5, (size_t)(sep - p - 5), tok, tok_len,
		AD_METHOD_XOAUTH2, AD_XOAUTH2_METHOD);
}
