/* authsasl.c: see authsasl.h.  PLAIN is RFC 4616, LOGIN the exchange of
 * draft-murchison-sasl-login (the name, then the password, each asked
 * for with a base64 "Username:" / "Password:"), CRAM-MD5 RFC 2195 (the
 * checker computes the HMAC: only it knows the secret).  The AUTH
 * command itself and its initial response follow RFC 5034. */
#include "authsasl.h"

#include "authoauth.h"
#include "base64.h"

#include <string.h>

#define LOGIN_ASK_USER "+ VXNlcm5hbWU6"  /* base64 of "Username:" */
#define LOGIN_ASK_PASS "+ UGFzc3dvcmQ6"  /* base64 of "Password:" */

enum authdialog_action authsasl_check(struct authdialog *d,
	enum authdialog_method method)
{
	d->method = method;
	return AD_CHECK;
}

enum authdialog_action authsasl_refuse(struct authdialog *d, const char *answer)
{
	authdialog_reply(d, answer);
	return AD_CONTINUE;
}

/* A decoded PLAIN message: authzid \0 authcid \0 password, with no other
 * NUL; an authorization identity other than the user is not supported. */
static enum authdialog_action plain_message(struct authdialog *d,
	const unsigned char *msg, size_t len)
{
	const unsigned char *nul1 = memchr(msg, 0, len);
	const unsigned char *nul2 = nul1 ? memchr(nul1 + 1, 0,
		len - (size_t)(nul1 + 1 - msg)) : NULL;
	if (!nul2 || memchr(nul2 + 1, 0, len - (size_t)(nul2 + 1 - msg)))
		return authsasl_refuse(d, "-ERR malformed PLAIN response");
	size_t authz_len = (size_t)(nul1 - msg);
	const char *user = (const char *)nul1 + 1;
	size_t user_len = (size_t)(nul2 - nul1) - 1;
	const char *pass = (const char *)nul2 + 1;
	size_t pass_len = len - (size_t)(nul2 + 1 - msg);
	if (user_len == 0 || user_len > AD_ARG_MAX)
		return authsasl_refuse(d, "-ERR malformed PLAIN response");
	const char *refused = authdialog_name_refused(d, user, user_len, true);
	if (refused)
		return authsasl_refuse(d, refused);
	if (authz_len != 0
	    && (authz_len != user_len || memcmp(msg, user, user_len) != 0))
		return authsasl_refuse(d, "-ERR [AUTH] authorization identity not supported");
	if (!authdialog_set_cred(d, user, user_len, pass, pass_len, ""))
		return authsasl_refuse(d, "-ERR [AUTH] credentials too long");
	return authsasl_check(d, AD_METHOD_PLAIN);
}

/* LOGIN's first answer: the user name, kept until the password comes. */
static enum authdialog_action login_user(struct authdialog *d,
	const unsigned char *name, size_t len)
{
	if (len == 0 || memchr(name, 0, len))
		return authsasl_refuse(d, "-ERR malformed LOGIN response");
	if (len > AD_ARG_MAX)
		return authsasl_refuse(d, "-ERR [AUTH] credentials too long");
	const char *refused = authdialog_name_refused(d, (const char *)name, len, true);
	if (refused)
		return authsasl_refuse(d, refused);
	memcpy(d->user, name, len);
	d->user[len] = 0;
	d->sasl_step = AD_SASL_LOGIN_PASS;
	authdialog_reply(d, LOGIN_ASK_PASS);
	return AD_CONTINUE;
}

static enum authdialog_action login_pass(struct authdialog *d,
	const unsigned char *pass, size_t len)
{
	enum authdialog_action act;
	if (memchr(pass, 0, len))
		act = authsasl_refuse(d, "-ERR malformed LOGIN response");
	else if (!authdialog_set_cred(d, d->user, strlen(d->user),
	    (const char *)pass, len, ""))
		act = authsasl_refuse(d, "-ERR [AUTH] credentials too long");
	else
		act = authsasl_check(d, AD_METHOD_LOGIN);
	explicit_bzero(d->user, sizeof d->user);
	return act;
}

/* Adds METHOD as a fourth field, for a checker to tell the digest's kind. */
bool authsasl_add_method(struct authdialog *d, const char *method)
{
	size_t n = strlen(method) + 1;
	if (n > sizeof d->cred - d->cred_len) {
		explicit_bzero(d->cred, sizeof d->cred);
		d->cred_len = 0;
		return false;
	}
	memcpy(d->cred + d->cred_len, method, n);
	d->cred_len += n;
	return true;
}

/* CRAM-MD5's answer: "name digest", the digest 32 hex digits, the last
 * word (so names may hold spaces, as with APOP). */
static enum authdialog_action cram_answer(struct authdialog *d,
	const unsigned char *msg, size_t len)
{
	const char *text = (const char *)msg;
	const char *space = len ? memrchr(text, ' ', len) : NULL;
	char digest[33];
	if (!space || space == text || len - (size_t)(space - text) - 1 != 32
	    || memchr(text, 0, len) || !authdialog_hex_digest(space + 1, digest))
		return authsasl_refuse(d, "-ERR malformed CRAM-MD5 response");
	size_t name_len = (size_t)(space - text);
	if (name_len > AD_ARG_MAX)
		return authsasl_refuse(d, "-ERR [AUTH] credentials too long");
	const char *refused = authdialog_name_refused(d, text, name_len, true);
	if (refused)
		return authsasl_refuse(d, refused);
	if (!authdialog_set_cred(d, text, name_len, digest, 32, d->challenge)
	    || !authsasl_add_method(d, AD_CRAM_METHOD))
		return authsasl_refuse(d, "-ERR [AUTH] credentials too long");
	return authsasl_check(d, AD_METHOD_CRAM);
}

/* "+ " and the challenge in base64: at most 340 characters. */
static enum authdialog_action cram_start(struct authdialog *d)
{
	char line[2 + BASE64_ENCODED_SIZE(AD_TIMESTAMP_MAX)] = "+ ";
	if (!base64_encode((const unsigned char *)d->challenge,
	    strlen(d->challenge), line + 2, sizeof line - 2))
		return authsasl_refuse(d, "-ERR [SYS/PERM] CRAM-MD5 not available");
	d->sasl_step = AD_SASL_CRAM;
	authdialog_reply(d, line);
	return AD_CONTINUE;
}

enum authdialog_action authsasl_response(struct authdialog *d, const char *line,
	size_t len)
{
	enum authdialog_sasl step = d->sasl_step;
	d->sasl_step = AD_SASL_NONE;
	if (len == 1 && line[0] == '*') {
		explicit_bzero(d->user, sizeof d->user);
		return authsasl_refuse(d, "-ERR authentication cancelled");
	}
	if (len == 1 && line[0] == '=')
		len = 0; /* RFC 5034: an empty response */
	unsigned char decoded[AD_CRED_MAX];
	size_t n;
	enum authdialog_action act;
	if (BASE64_DECODED_MAX(len) > sizeof decoded + 3
	    || !base64_decode(line, len, decoded, sizeof decoded, &n)) {
		explicit_bzero(d->user, sizeof d->user);
		act = authsasl_refuse(d, "-ERR bad base64");
	} else if (step == AD_SASL_LOGIN_USER) {
		act = login_user(d, decoded, n);
	} else if (step == AD_SASL_LOGIN_PASS) {
		act = login_pass(d, decoded, n);
	} else if (step == AD_SASL_CRAM) {
		act = cram_answer(d, decoded, n);
	} else if (step == AD_SASL_OAUTHBEARER) {
		act = authoauth_bearer(d, decoded, n);
	} else if (step == AD_SASL_XOAUTH2) {
		act = authoauth_xoauth2(d, decoded, n);
	} else {
		act = plain_message(d, decoded, n);
	}
	explicit_bzero(decoded, sizeof decoded);
	return act;
}

/* The mechanisms and when each is offered, in CAPA's SASL line and bare
 * AUTH's list: CRAM-MD5 and the OAuth ones only where the site says its
 * checker can verify them, because clients that see them prefer them
 * and do not fall back. */
static const struct mechanism {
	const char *name;
	enum authdialog_sasl step;
	enum { ALWAYS, WITH_CRAM, WITH_OAUTH } when;
} mechanisms[] = {
	{ "PLAIN", AD_SASL_PLAIN, ALWAYS },
	{ "LOGIN", AD_SASL_LOGIN_USER, ALWAYS },
	{ "CRAM-MD5", AD_SASL_CRAM, WITH_CRAM },
	{ "OAUTHBEARER", AD_SASL_OAUTHBEARER, WITH_OAUTH },
	{ "XOAUTH2", AD_SASL_XOAUTH2, WITH_OAUTH },
};
enum { MECHANISMS = sizeof mechanisms / sizeof mechanisms[0] };

static bool offered(const struct authdialog *d, const struct mechanism *m)
{
	return m->when == ALWAYS || (m->when == WITH_CRAM && d->cfg.cram)
		|| (m->when == WITH_OAUTH && d->cfg.oauth);
}

static enum authdialog_action list_mechanisms(struct authdialog *d)
{
	authdialog_reply(d, "+OK mechanisms follow");
	if (authdialog_login_allowed(d))
		for (size_t i = 0; i < MECHANISMS; i++)
			if (offered(d, &mechanisms[i]))
				authdialog_reply(d, mechanisms[i].name);
	authdialog_reply(d, ".");
	return AD_CONTINUE;
}

enum authdialog_action authsasl_command(struct authdialog *d, const char *arg,
	size_t len, bool has_arg)
{
	if (!has_arg)
		return list_mechanisms(d); /* a pre-CAPA convention */
	const char *space = memchr(arg, ' ', len);
	size_t mech_len = space ? (size_t)(space - arg) : len;
	const struct mechanism *m = NULL;
	for (size_t i = 0; i < MECHANISMS && !m; i++)
		if (offered(d, &mechanisms[i])
		    && authdialog_word_is(arg, mech_len, mechanisms[i].name))
			m = &mechanisms[i];
	if (!m)
		return authsasl_refuse(d, "-ERR unsupported mechanism");
	d->have_user = false;
	if (m->step == AD_SASL_CRAM) {
		/* the server speaks first (RFC 4422 section 5) */
		if (space)
			return authsasl_refuse(d, "-ERR CRAM-MD5 takes no initial response");
		return cram_start(d);
	}
	d->sasl_step = m->step;
	if (space)
		return authsasl_response(d, space + 1, len - mech_len - 1);
	authdialog_reply(d, m->step == AD_SASL_LOGIN_USER ? LOGIN_ASK_USER : "+ ");
	return AD_CONTINUE;
}

void authsasl_capa(struct authdialog *d)
{
	char line[64] = "SASL";
	for (size_t i = 0; i < MECHANISMS; i++) {
		if (!offered(d, &mechanisms[i]))
			continue;
		strcat(line, " ");
		strcat(line, mechanisms[i].name);
	}
	authdialog_reply(d, line);
}
