/* authoauth.h: the OAuth 2.0 SASL mechanisms, for pop3d/authsasl.c:
 * OAUTHBEARER (RFC 7628) and Google's XOAUTH2.  Each decoded client
 * message yields a user and a bearer token, which go to the checker as
 * user\0token\0\0METHOD\0: only the checker can ask the token's issuer. */
#ifndef AUTHOAUTH_H
#define AUTHOAUTH_H

#include "authdialog.h"

/* "n,a=USER,^Aauth=Bearer TOKEN^A...^A" (^A is 0x01). */
enum authdialog_action authoauth_bearer(struct authdialog *d,
	const unsigned char *msg, size_t len);

/* "user=USER^Aauth=Bearer TOKEN^A^A". */
enum authdialog_action authoauth_xoauth2(struct authdialog *d,
	const unsigned char *msg, size_t len);

#endif
