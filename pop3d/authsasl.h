/* authsasl.h: the AUTH command (RFC 5034) and its mechanisms, for
 * pop3d/authdialog.c alone.  Each mechanism is a few client lines, each
 * an answer to a "+ " challenge; the dialogue hands every line to
 * authsasl_response() while an exchange is open (d->sasl_step). */
#ifndef AUTHSASL_H
#define AUTHSASL_H

#include "authdialog.h"

/* AUTH with its argument (HAS_ARG) or bare (the mechanism list). */
enum authdialog_action authsasl_command(struct authdialog *d, const char *arg,
	size_t len, bool has_arg);

/* CAPA's SASL line. */
void authsasl_capa(struct authdialog *d);

/* The client's line in an open exchange: "*" cancels it. */
enum authdialog_action authsasl_response(struct authdialog *d, const char *line,
	size_t len);

/* Shared by the mechanisms: ends an exchange with credentials to check
 * (AD_CHECK), and adds a block's fourth field, the method; false (the
 * block wiped) when it does not fit. */
enum authdialog_action authsasl_check(struct authdialog *d,
	enum authdialog_method method);
/* Ends an exchange with ANSWER, an -ERR line; the dialogue goes on. */
enum authdialog_action authsasl_refuse(struct authdialog *d, const char *answer);
bool authsasl_add_method(struct authdialog *d, const char *method);

/* The dialogue's own pieces that the mechanisms share (authdialog.c). */
void authdialog_reply(struct authdialog *d, const char *line);
bool authdialog_login_allowed(const struct authdialog *d);
bool authdialog_word_is(const char *word, size_t len, const char *name);
/* NULL if NAME may go to the checker, else the -ERR line: names beyond
 * ASCII only after UTF8 (or in SASL, whose names are UTF-8 by RFC 4422),
 * and then valid UTF-8. */
const char *authdialog_name_refused(const struct authdialog *d,
	const char *name, size_t len, bool sasl);
/* IN's first 32 octets as lower-case hex digits in OUT; false if any is
 * no hex digit. */
bool authdialog_hex_digest(const char *in, char out[33]);
bool authdialog_set_cred(struct authdialog *d, const char *user, size_t user_len,
	const char *secret, size_t secret_len, const char *timestamp);

#endif
