/* creds.h: the checkpassword credentials on fd 3, and login names.
 * This is the only client-derived input a root process parses, so the
 * format is fixed and strict: exactly "user\0secret\0timestamp\0", or
 * with a fourth field that names how the secret was made
 * (doc/interfaces.md: "cram-md5"), at most CREDS_MAX octets, nothing
 * after the last NUL.  Names are checked
 * before any lookup or path is built from them. */
#ifndef CHECKPW_CREDS_H
#define CHECKPW_CREDS_H

#include <stdbool.h>
#include <stddef.h>

enum {
	CREDS_MAX = 512,     /* checkpassword's limit on fd 3 */
	NAME_MAX_LEN = 255,  /* a whole login, user@domain */
	LOCAL_MAX_LEN = 64,  /* the part before @ (RFC 5321's local-part) */
};

struct creds {
	const char *user;      /* point into the caller's buffer */
	const char *secret;
	const char *timestamp;
	const char *method;    /* the fourth field, NULL when there is none */
	size_t user_len, secret_len, timestamp_len, method_len;
};

/* Splits BUF[0..LEN) into the three fields and the optional fourth.
 * False if the buffer is empty, too long, has fewer than three or more
 * than four NUL-terminated fields, or an empty fourth. */
bool creds_parse(const char *buf, size_t len, struct creds *out);

/* A safe name: 1..MAX octets of 0x21..0x7E, none of / : % \ , not "."
 * and no "..", not starting with "-".  Used for user names, domains and
 * the TCPLOCAL* values that pick a file. */
bool name_ok(const char *s, size_t len, size_t max);

/* A login: LOCAL or LOCAL@DOMAIN, both parts name_ok, one "@" at most.
 * On success *at is the index of "@" or LEN when there is none. */
bool login_split(const char *s, size_t len, size_t *at);

/* The one method a fourth field may name: CRAM-MD5, the secret its
 * digest and the timestamp its challenge. */
#define CREDS_CRAM "cram-md5"

/* The fourth field is NAME. */
bool creds_method_is(const struct creds *c, const char *name);

/* APOP: SECRET is 32 hex digits and TIMESTAMP looks like <...>. */
bool creds_is_apop_shaped(const struct creds *c);

#endif
