/* authdialog.c: see authdialog.h.  Answers follow RFC 1939 (USER, PASS,
 * APOP, NOOP, QUIT), RFC 2449 (CAPA, response codes), RFC 5034 (AUTH
 * PLAIN) and RFC 2595 (STLS).  Every failed login gets the same answer,
 * whatever the checker found wrong, so that users cannot be probed. */
#include "authdialog.h"

#include "authsasl.h"
#include "exitcode.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

static void out_add(struct authdialog *d, const char *text)
{
	size_t n = strlen(text);
	if (n > sizeof d->out - d->out_len)
		n = sizeof d->out - d->out_len; /* cannot happen: answers are short */
	memcpy(d->out + d->out_len, text, n);
	d->out_len += n;
}

static void reply(struct authdialog *d, const char *line)
{
	out_add(d, line);
	out_add(d, "\r\n");
}

void authdialog_out_clear(struct authdialog *d)
{
	d->out_len = 0;
}

bool authdialog_start(struct authdialog *d, const struct authdialog_config *cfg,
	const char *unique)
{
	memset(d, 0, sizeof *d);
	d->cfg = *cfg;
	if (strlen(cfg->hostname) > AD_ARG_MAX - 60)
		return false;
	if (cfg->cram) {
		int n = snprintf(d->challenge, sizeof d->challenge, "<%s@%s>",
			unique, cfg->hostname);
		if (n < 0 || (size_t)n >= sizeof d->challenge)
			return false;
	}
	if (cfg->apop) {
		int n = snprintf(d->timestamp, sizeof d->timestamp, "<%s@%s>",
			unique, cfg->hostname);
		if (n < 0 || (size_t)n >= sizeof d->timestamp)
			return false;
		out_add(d, "+OK POP3 server ready ");
		reply(d, d->timestamp);
	} else {
		out_add(d, "+OK ");
		out_add(d, cfg->hostname);
		reply(d, " POP3 server ready");
	}
	return true;
}

static bool login_allowed(const struct authdialog *d)
{
	return !d->cfg.tls_required || d->cfg.tls_active;
}

static bool stls_offered(const struct authdialog *d)
{
	return d->cfg.tls_possible && !d->cfg.tls_active;
}

static void capa(struct authdialog *d)
{
	reply(d, "+OK capability list follows");
	reply(d, "TOP");
	reply(d, "UIDL");
	reply(d, "RESP-CODES");
	reply(d, "AUTH-RESP-CODE");
	reply(d, "PIPELINING");
	if (login_allowed(d)) {
		reply(d, "USER");
		authsasl_capa(d);
	}
	if (stls_offered(d))
		reply(d, "STLS");
	if (d->cfg.login_delay) {
		out_add(d, "LOGIN-DELAY ");
		reply(d, d->cfg.login_delay);
	}
	if (d->cfg.expire) {
		out_add(d, "EXPIRE ");
		reply(d, d->cfg.expire);
	}
	/* USER: UTF-8 names in USER and APOP, once UTF8 is given */
	reply(d, login_allowed(d) ? "UTF8 USER" : "UTF8");
	reply(d, "IMPLEMENTATION pop3login");
	reply(d, ".");
}

/* Puts user\0secret\0timestamp\0 into d->cred.  False if too long. */
static bool set_cred(struct authdialog *d, const char *user, size_t user_len,
	const char *secret, size_t secret_len, const char *timestamp)
{
	size_t ts_len = strlen(timestamp);
	if (user_len + secret_len + ts_len + 3 > sizeof d->cred)
		return false;
	unsigned char *p = d->cred;
	memcpy(p, user, user_len);
	p += user_len;
	*p++ = 0;
	memcpy(p, secret, secret_len);
	p += secret_len;
	*p++ = 0;
	memcpy(p, timestamp, ts_len);
	p += ts_len;
	*p++ = 0;
	d->cred_len = (size_t)(p - d->cred);
	return true;
}

static enum authdialog_action check(struct authdialog *d,
	enum authdialog_method method)
{
	d->method = method;
	return AD_CHECK;
}

bool authdialog_hex_digest(const char *in, char out[33])
{
	for (int i = 0; i < 32; i++) {
		char c = in[i];
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
		out[i] = c;
	}
	out[32] = 0;
	return true;
}

/* RFC 3629: no overlong form, no surrogate, nothing past U+10FFFF. */
static bool utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i], lo = 0x80, hi = 0xbf;
		size_t more;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			more = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			more = 2;
			lo = c == 0xe0 ? 0xa0 : 0x80;
			hi = c == 0xed ? 0x9f : 0xbf;
		} else if (c >= 0xf0 && c <= 0xf4) {
			more = 3;
			lo = c == 0xf0 ? 0x90 : 0x80;
			hi = c == 0xf4 ? 0x8f : 0xbf;
		} else {
			return false;
		}
		if (len - i - 1 < more || s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (size_t k = 2; k <= more; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
		i += more + 1;
	}
	return true;
}

const char *authdialog_name_refused(const struct authdialog *d,
	const char *name, size_t len, bool sasl)
{
	bool ascii = true;
	for (size_t i = 0; i < len; i++)
		ascii &= (unsigned char)name[i] < 0x80;
	if (ascii)
		return NULL;
	if (!d->utf8 && !sasl)
		return "-ERR [AUTH] non-ASCII user name: send UTF8 first";
	if (!utf8_valid((const unsigned char *)name, len))
		return "-ERR [AUTH] user name is not valid UTF-8";
	return NULL;
}

static enum authdialog_action cmd_user(struct authdialog *d, const char *arg,
	size_t len)
{
	if (len == 0 || len > AD_ARG_MAX) {
		reply(d, "-ERR usage: USER name");
		return AD_CONTINUE;
	}
	const char *refused = authdialog_name_refused(d, arg, len, false);
	if (refused) {
		d->have_user = false;
		reply(d, refused);
		return AD_CONTINUE;
	}
	memcpy(d->user, arg, len);
	d->user[len] = 0;
	d->have_user = true;
	reply(d, "+OK send PASS");
	return AD_CONTINUE;
}

static enum authdialog_action cmd_pass(struct authdialog *d, const char *arg,
	size_t len)
{
	if (!d->have_user) {
		reply(d, "-ERR send USER first");
		return AD_CONTINUE;
	}
	d->have_user = false;
	/* The timestamp goes to the checker only with APOP, so that a checker
	 * can tell a digest from a password that looks like one. */
	if (!set_cred(d, d->user, strlen(d->user), arg, len, "")) {
		explicit_bzero(d->user, sizeof d->user);
		reply(d, "-ERR [AUTH] credentials too long");
		return AD_CONTINUE;
	}
	explicit_bzero(d->user, sizeof d->user);
	return check(d, AD_METHOD_PASS);
}

static enum authdialog_action cmd_apop(struct authdialog *d, const char *arg,
	size_t len)
{
	if (!d->cfg.apop) {
		reply(d, "-ERR APOP not available");
		return AD_CONTINUE;
	}
	/* "name digest": the digest is the last word, so names may hold spaces */
	const char *space = len ? memrchr(arg, ' ', len) : NULL;
	if (!space || space == arg || len - (size_t)(space - arg) - 1 != 32) {
		reply(d, "-ERR usage: APOP name digest");
		return AD_CONTINUE;
	}
	size_t name_len = (size_t)(space - arg);
	char digest[33];
	if (!authdialog_hex_digest(space + 1, digest)) {
		reply(d, "-ERR usage: APOP name digest");
		return AD_CONTINUE;
	}
	d->have_user = false;
	const char *refused = authdialog_name_refused(d, arg, name_len, false);
	if (refused) {
		reply(d, refused);
		return AD_CONTINUE;
	}
	if (name_len > AD_ARG_MAX
	    || !set_cred(d, arg, name_len, digest, 32, d->timestamp)) {
		reply(d, "-ERR [AUTH] credentials too long");
		return AD_CONTINUE;
	}
	return check(d, AD_METHOD_APOP);
}

static enum authdialog_action cmd_stls(struct authdialog *d, bool has_arg)
{
	if (has_arg) {
		reply(d, "-ERR usage: STLS");
		return AD_CONTINUE;
	}
	if (d->cfg.tls_active) {
		reply(d, "-ERR TLS already active");
		return AD_CONTINUE;
	}
	if (!d->cfg.tls_possible) {
		reply(d, "-ERR STLS not available");
		return AD_CONTINUE;
	}
	reply(d, "+OK begin TLS negotiation");
	return AD_STLS;
}

static bool word_is(const char *word, size_t len, const char *name)
{
	return strlen(name) == len && strncasecmp(word, name, len) == 0;
}

/* RFC 6856: from here on user names may be UTF-8.  Messages are sent
 * as stored either way, so nothing changes after the login. */
static enum authdialog_action cmd_utf8(struct authdialog *d, bool has_arg)
{
	if (has_arg) {
		reply(d, "-ERR usage: UTF8");
		return AD_CONTINUE;
	}
	d->utf8 = true;
	reply(d, "+OK UTF8 enabled");
	return AD_CONTINUE;
}

static bool transaction_command(const char *word, size_t len)
{
	static const char *const names[] = {
		"STAT", "LIST", "RETR", "DELE", "RSET", "TOP", "UIDL", "LAST",
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (word_is(word, len, names[i]))
			return true;
	return false;
}

static enum authdialog_action command(struct authdialog *d, const char *line,
	size_t len)
{
	const char *space = memchr(line, ' ', len);
	size_t word_len = space ? (size_t)(space - line) : len;
	const char *arg = space ? space + 1 : line + len;
	size_t arg_len = space ? len - word_len - 1 : 0;
	bool has_arg = space != NULL;

	if (word_is(line, word_len, "QUIT")) {
		reply(d, "+OK bye");
		return AD_QUIT;
	}
	if (word_is(line, word_len, "NOOP")) {
		reply(d, "+OK");
		return AD_CONTINUE;
	}
	if (word_is(line, word_len, "CAPA")) {
		capa(d);
		return AD_CONTINUE;
	}
	if (word_is(line, word_len, "STLS"))
		return cmd_stls(d, has_arg);
	if (word_is(line, word_len, "UTF8"))
		return cmd_utf8(d, has_arg);
	bool is_user = word_is(line, word_len, "USER");
	bool is_pass = word_is(line, word_len, "PASS");
	bool is_apop = word_is(line, word_len, "APOP");
	bool is_auth = word_is(line, word_len, "AUTH");
	if ((is_user || is_pass || is_apop || (is_auth && has_arg))
	    && !login_allowed(d)) {
		d->have_user = false;
		reply(d, "-ERR [AUTH] cleartext login refused: use STLS first");
		return AD_CONTINUE;
	}
	if (is_user)
		return cmd_user(d, arg, arg_len);
	if (is_pass) {
		if (!has_arg) {
			d->have_user = false;
			reply(d, "-ERR usage: PASS password");
			return AD_CONTINUE;
		}
		return cmd_pass(d, arg, arg_len);
	}
	if (is_apop)
		return cmd_apop(d, arg, arg_len);
	if (is_auth)
		return authsasl_command(d, arg, arg_len, has_arg);
	if (transaction_command(line, word_len)) {
		reply(d, "-ERR not logged in");
		return AD_CONTINUE;
	}
	reply(d, "-ERR unknown command");
	return AD_CONTINUE;
}

enum authdialog_action authdialog_line(struct authdialog *d, const char *line,
	size_t len, bool toolong)
{
	if (++d->commands > d->cfg.max_commands) {
		reply(d, "-ERR too many commands");
		return AD_CLOSE;
	}
	if (d->sasl_step != AD_SASL_NONE && !toolong && !memchr(line, 0, len))
		return authsasl_response(d, line, len);
	d->sasl_step = AD_SASL_NONE;
	if (toolong) {
		reply(d, "-ERR line too long");
		return AD_CONTINUE;
	}
	if (memchr(line, 0, len) || memchr(line, '\r', len)) {
		reply(d, "-ERR bad characters in command");
		return AD_CONTINUE;
	}
	if (len == 0) {
		reply(d, "-ERR empty command");
		return AD_CONTINUE;
	}
	return command(d, line, len);
}

/* 128 + N: an exposer's word that pop3d was killed by signal N (or a
 * link's own, as sh reports a killed child), after pop3d may have
 * answered the client and served part of a session. */
static bool killed_after_login(int code)
{
	return code > 128 && code <= 128 + 64;
}

const char *authdialog_result_word(int wait_status)
{
	if (!WIFEXITED(wait_status))
		return "crashed";
	if (killed_after_login(WEXITSTATUS(wait_status)))
		return "killed";
	switch (WEXITSTATUS(wait_status)) {
	case EXIT_DONE:
		return "ok";
	case EXIT_REFUSED:
		return "refused";
	case EXIT_INUSE:
		return "inuse";
	case EXIT_LOGIN_DELAY:
		return "delay";
	case EXIT_TEMP:
		return "temp";
	default:
		return "perm";
	}
}

enum authdialog_action authdialog_result(struct authdialog *d, int wait_status)
{
	explicit_bzero(d->cred, sizeof d->cred);
	d->cred_len = 0;
	/* A chain killed by a signal may have answered the client and be
	 * mid-session (pop3d or the exposer died, perhaps after the mailbox
	 * was rewritten): any -ERR from us could be a lie about the mail,
	 * and would land in the middle of pop3d's replies.  Hang up. */
	if (!WIFEXITED(wait_status))
		return AD_QUIT;
	int code = WEXITSTATUS(wait_status);
	if (code == EXIT_DONE || killed_after_login(code))
		return AD_QUIT;
	switch (code) {
	case EXIT_REFUSED:
		reply(d, "-ERR [AUTH] authentication failed");
		break;
	case EXIT_INUSE:
		reply(d, "-ERR [IN-USE] mailbox in use by another session");
		break;
	case EXIT_LOGIN_DELAY:
		reply(d, "-ERR [LOGIN-DELAY] too soon after the last login");
		break;
	case EXIT_TEMP:
		reply(d, "-ERR [SYS/TEMP] temporary failure, try again later");
		break;
	default:
		reply(d, "-ERR [SYS/PERM] login failed");
		break;
	}
	if (++d->failures >= d->cfg.max_failures)
		return AD_CLOSE;
	return AD_CONTINUE;
}

void authdialog_tls_started(struct authdialog *d)
{
	d->cfg.tls_active = true;
	d->have_user = false;
	d->sasl_step = AD_SASL_NONE;
	d->utf8 = false;
	explicit_bzero(d->user, sizeof d->user);
}

void authdialog_wipe(struct authdialog *d)
{
	explicit_bzero(d->cred, sizeof d->cred);
	explicit_bzero(d->user, sizeof d->user);
	d->cred_len = 0;
}

/* The dialogue's pieces that the mechanisms share (authsasl.h). */
void authdialog_reply(struct authdialog *d, const char *line)
{
	reply(d, line);
}

bool authdialog_login_allowed(const struct authdialog *d)
{
	return login_allowed(d);
}

bool authdialog_word_is(const char *word, size_t len, const char *name)
{
	return word_is(word, len, name);
}

bool authdialog_set_cred(struct authdialog *d, const char *user, size_t user_len,
	const char *secret, size_t secret_len, const char *timestamp)
{
	return set_cred(d, user, user_len, secret, secret_len, timestamp);
}

/* True if the field that ends at the NUL END of BLOCK is S, not empty. */
static bool field_before_is(const unsigned char *block, const unsigned char *end,
	const char *s)
{
	size_t n = strlen(s);
	return n > 0 && (size_t)(end - block) >= n + 1 && end[-(ptrdiff_t)n - 1] == 0
		&& memcmp(end - n, s, n) == 0;
}

/* What the parent checks of a block before a checker sees it: three
 * fields, the last empty or this connection's own APOP timestamp, or
 * four, the fourth "cram-md5" and the third this connection's CRAM-MD5
 * challenge, or an OAuth method (when offered) and the third empty, so
 * that a subverted child can neither replay a digest made
 * for another connection nor slip a checker other fields.  The rest is
 * the checker's. */
bool authdialog_block_ok(const unsigned char *block, size_t len,
	const struct authdialog *greeting)
{
	size_t nuls = 0;
	for (size_t i = 0; i < len; i++)
		nuls += block[i] == 0;
	if (len < 3 || block[len - 1] != 0 || (nuls != 3 && nuls != 4))
		return false;
	const unsigned char *end = block + len - 1;
	if (nuls == 4) {
		if (field_before_is(block, end, AD_CRAM_METHOD))
			return field_before_is(block, end - sizeof AD_CRAM_METHOD,
				greeting->challenge);
		if (!greeting->cfg.oauth)
			return false;
		if (field_before_is(block, end, AD_OAUTHBEARER_METHOD))
			return end[-(ptrdiff_t)sizeof AD_OAUTHBEARER_METHOD - 1] == 0;
		if (field_before_is(block, end, AD_XOAUTH2_METHOD))
			return end[-(ptrdiff_t)sizeof AD_XOAUTH2_METHOD - 1] == 0;
		return false;
	}
	return end[-1] == 0 || field_before_is(block, end, greeting->timestamp);
}
