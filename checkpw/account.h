/* account.h: what a backend hands back for an accepted login, and the
 * answer every backend gives. */
#ifndef CHECKPW_ACCOUNT_H
#define CHECKPW_ACCOUNT_H

#include <stdbool.h>
#include <sys/types.h>

#include "template.h"

enum verdict {
	V_ACCEPT,   /* the secret is right: become the account */
	V_REFUSE,   /* the backend knows the user: wrong secret, locked ... */
	V_UNKNOWN,  /* the backend has no such user */
	V_TEMP,     /* the backend cannot answer now (exit 111) */
};

struct account {
	char user[256];             /* USER: the login as given */
	char system_name[256];      /* for initgroups(); empty for virtual users */
	uid_t uid;
	gid_t gid;
	char home[PATH_LIMIT];
	char shell[PATH_LIMIT];
	char mailbox[PATH_LIMIT];   /* empty: the default rule picks one */
	const char *why;            /* a word for the log: badpass, locked ... */
};

/* The login, split once, passed to each backend. */
struct login {
	const char *whole;   /* user or user@domain, NUL-terminated */
	char local[256];     /* before @ */
	char domain[256];    /* after @, lower-cased; empty if none */
	const char *secret;  /* NUL-terminated; the APOP digest for APOP */
	size_t secret_len;
	const char *timestamp;
	size_t timestamp_len;
	bool apop_shaped;    /* secret is 32 hex digits, timestamp <...> */
	bool cram;           /* CRAM-MD5: secret the HMAC of the challenge in timestamp */
};

#endif
