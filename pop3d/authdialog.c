/* authdialog.c: see authdialog.h.  Answers follow RFC 1939 (USER, PASS,
 * APOP, NOOP, QUIT), RFC 2449 (CAPA, response codes), RFC 5034 (AUTH
 * PLAIN) and RFC 2595 (STLS).  Every failed login gets the same answer,
 * whatever the checker found wrong, so that users cannot be probed. */
#include "authdialog.h"

#include "base64.h"
#include "exitcode.h"

#include <stdarg.h>
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
		reply(d, "SASL PLAIN");
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

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
		|| (c >= 'A' && c <= 'F');
}

static enum authdialog_action cmd_user(struct authdialog *d, const char *arg,
	size_t len)
{
	if (len == 0 || len > AD_ARG_MAX) {
		reply(d, "-ERR usage: USER name");
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
	for (int i = 0; i < 32; i++) {
		char c = space[1 + i];
		if (!is_hex(c)) {
			reply(d, "-ERR usage: APOP name digest");
			return AD_CONTINUE;
		}
		digest[i] = (c >= 'A' && c <= 'F') ? (char)(c - 'A' + 'a') : c;
	}
	digest[32] = 0;
	d->have_user = false;
	if (name_len > AD_ARG_MAX
	    || !set_cred(d, arg, name_len, digest, 32, d->timestamp)) {
		reply(d, "-ERR [AUTH] credentials too long");
		return AD_CONTINUE;
	}
	return check(d, AD_METHOD_APOP);
}

/* A decoded PLAIN message: authzid \0 authcid \0 password, with no other
 * NUL; an authorization identity other than the user is not supported. */
static enum authdialog_action plain_message(struct authdialog *d,
	const unsigned char *msg, size_t len)
{
	const unsigned char *nul1 = memchr(msg, 0, len);
	const unsigned char *nul2 = nul1 ? memchr(nul1 + 1, 0,
		len - (size_t)(nul1 + 1 - msg)) : NULL;
	if (!nul2 || memchr(nul2 + 1, 0, len - (size_t)(nul2 + 1 - msg))) {
		reply(d, "-ERR malformed PLAIN response");
		return AD_CONTINUE;
	}
	size_t authz_len = (size_t)(nul1 - msg);
	const char *user = (const char *)nul1 + 1;
	size_t user_len = (size_t)(nul2 - nul1) - 1;
	const char *pass = (const char *)nul2 + 1;
	size_t pass_len = len - (size_t)(nul2 + 1 - msg);
	if (user_len == 0 || user_len > AD_ARG_MAX) {
		reply(d, "-ERR malformed PLAIN response");
		return AD_CONTINUE;
	}
	if (authz_len != 0
	    && (authz_len != user_len || memcmp(msg, user, user_len) != 0)) {
		reply(d, "-ERR [AUTH] authorization identity not supported");
		return AD_CONTINUE;
	}
	if (!set_cred(d, user, user_len, pass, pass_len, "")) {
		reply(d, "-ERR [AUTH] credentials too long");
		return AD_CONTINUE;
	}
	return check(d, AD_METHOD_PLAIN);
}

static enum authdialog_action sasl_response(struct authdialog *d,
	const char *line, size_t len)
{
	d->sasl_pending = false;
	if (len == 1 && line[0] == '*') {
		reply(d, "-ERR authentication cancelled");
		return AD_CONTINUE;
	}
	if (len == 1 && line[0] == '=')
		len = 0; /* RFC 5034: an empty initial response */
	unsigned char decoded[AD_CRED_MAX];
	size_t decoded_len;
	enum authdialog_action act;
	if (BASE64_DECODED_MAX(len) > sizeof decoded + 3
	    || !base64_decode(line, len, decoded, sizeof decoded, &decoded_len)) {
		reply(d, "-ERR bad base64");
		act = AD_CONTINUE;
	} else {
		act = plain_message(d, decoded, decoded_len);
	}
	explicit_bzero(decoded, sizeof decoded);
	return act;
}

static bool word_is(const char *word, size_t len, const char *name)
{
	return strlen(name) == len && strncasecmp(word, name, len) == 0;
}

static enum authdialog_action cmd_auth(struct authdialog *d, const char *arg,
	size_t len, bool has_arg)
{
	if (!has_arg) {
		/* bare AUTH lists the mechanisms (a pre-CAPA convention) */
		reply(d, "+OK mechanisms follow");
		if (login_allowed(d))
			reply(d, "PLAIN");
		reply(d, ".");
		return AD_CONTINUE;
	}
	const char *space = memchr(arg, ' ', len);
	size_t mech_len = space ? (size_t)(space - arg) : len;
	if (!word_is(arg, mech_len, "PLAIN")) {
		reply(d, "-ERR unsupported mechanism");
		return AD_CONTINUE;
	}
	d->have_user = false;
	if (!space) {
		d->sasl_pending = true;
		reply(d, "+ ");
		return AD_CONTINUE;
	}
	return sasl_response(d, space + 1, len - mech_len - 1);
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
		return cmd_auth(d, arg, arg_len, has_arg);
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
	if (d->sasl_pending && !toolong && !memchr(line, 0, len))
		return sasl_response(d, line, len);
	d->sasl_pending = false;
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

const char *authdialog_result_word(int wait_status)
{
	if (!WIFEXITED(wait_status))
		return "crashed";
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
	if (code == EXIT_DONE)
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
	d->sasl_pending = false;
	explicit_bzero(d->user, sizeof d->user);
}

void authdialog_wipe(struct authdialog *d)
{
	explicit_bzero(d->cred, sizeof d->cred);
	explicit_bzero(d->user, sizeof d->user);
	d->cred_len = 0;
}

/* What the parent checks of a block before a checker sees it: exactly
 * three fields, the last empty or this connection's own APOP timestamp,
 * so that a subverted child can neither replay a digest made for another
 * greeting nor slip a checker extra fields.  The rest is the checker's. */
bool authdialog_block_ok(const unsigned char *block, size_t len, const char *timestamp)
{
	size_t nuls = 0;
	for (size_t i = 0; i < len; i++)
		nuls += block[i] == 0;
	if (nuls != 3 || block[len - 1] != 0)
		return false;
	if (block[len - 2] == 0)
		return true; /* no timestamp */
	size_t ts_len = strlen(timestamp);
	return ts_len > 0 && len >= ts_len + 2 && block[len - ts_len - 2] == 0
		&& memcmp(block + len - ts_len - 1, timestamp, ts_len) == 0;
}
