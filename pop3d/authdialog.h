/* authdialog.h: the POP3 AUTHORIZATION state as a pure state machine.
 * It reads nothing and writes nothing: main() feeds it one client line
 * at a time and sends what it leaves in the output buffer.  When the
 * client has given credentials the machine says so (AD_CHECK) and holds
 * them, in the checkpassword format, until the caller reports the
 * checker's verdict.  This keeps every byte of protocol logic in one
 * place that unit tests and the fuzzer drive without sockets or forks. */
#ifndef AUTHDIALOG_H
#define AUTHDIALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	AD_LINE_MAX = 1024,      /* a command line with its CR LF (AUTH PLAIN needs ~700) */
	AD_ARG_MAX = 255,        /* RFC 2449: arguments up to 255 octets */
	AD_CRED_MAX = 512,       /* user\0secret\0timestamp\0, doc/interfaces.md */
	AD_TIMESTAMP_MAX = 256,  /* <pid.time.random@host> */
	AD_OUT_MAX = 1024,       /* the longest answer: CAPA */
};

struct authdialog_config {
	const char *hostname;
	bool apop;               /* timestamp in the greeting, APOP accepted */
	bool cram;               /* AUTH CRAM-MD5 offered (RFC 2195) */
	bool oauth;              /* OAUTHBEARER (RFC 7628) and XOAUTH2 offered */
	bool tls_possible;       /* a descriptor for STARTTLS is present */
	bool tls_active;         /* the connection is already encrypted */
	bool tls_required;       /* refuse USER/PASS, APOP, AUTH in cleartext */
	const char *login_delay; /* CAPA LOGIN-DELAY value, or NULL */
	const char *expire;      /* CAPA EXPIRE value, or NULL */
	unsigned max_failures;   /* failed logins before the connection ends */
	unsigned max_commands;   /* command lines before login, in all */
};

enum authdialog_action {
	AD_CONTINUE,  /* send the output, read the next line */
	AD_CHECK,     /* send the output (nothing), run the checker on cred */
	AD_STLS,      /* send the output through the TLS control channel, then
	               * call authdialog_tls_started() */
	AD_QUIT,      /* send the output, exit 0 */
	AD_CLOSE,     /* send the output, drop the connection (limits hit) */
};

enum authdialog_method {
	AD_METHOD_PASS, AD_METHOD_APOP, AD_METHOD_PLAIN, AD_METHOD_LOGIN,
	AD_METHOD_CRAM, AD_METHOD_OAUTHBEARER, AD_METHOD_XOAUTH2,
};

/* The fourth field of a CRAM-MD5 block (doc/interfaces.md). */
#define AD_CRAM_METHOD "cram-md5"
/* ... and of an OAuth 2.0 bearer token's, whose timestamp is empty. */
#define AD_OAUTHBEARER_METHOD "oauthbearer"
#define AD_XOAUTH2_METHOD "xoauth2"

/* Where an AUTH exchange stands: the next line is the client's answer
 * to the last "+ " (pop3d/authsasl.c). */
enum authdialog_sasl {
	AD_SASL_NONE,
	AD_SASL_PLAIN,       /* the PLAIN message */
	AD_SASL_LOGIN_USER,  /* LOGIN: the user name */
	AD_SASL_LOGIN_PASS,  /* LOGIN: the password; the name is in user */
	AD_SASL_CRAM,        /* CRAM-MD5: "name digest" */
	AD_SASL_OAUTHBEARER, /* OAUTHBEARER: the GS2 header and pairs */
	AD_SASL_XOAUTH2,     /* XOAUTH2: user= and auth= pairs */
};

struct authdialog {
	struct authdialog_config cfg;
	char timestamp[AD_TIMESTAMP_MAX]; /* "" when APOP is off */
	char challenge[AD_TIMESTAMP_MAX]; /* CRAM-MD5's, "" when it is off */
	char user[AD_ARG_MAX + 1];        /* from USER until PASS, or AUTH LOGIN's */
	bool have_user;
	bool utf8;                        /* UTF8 given: UTF-8 user names too */
	enum authdialog_sasl sasl_step;
	unsigned failures;
	unsigned commands;
	/* Set by AD_CHECK: the credentials block, its length, how they came */
	unsigned char cred[AD_CRED_MAX];
	size_t cred_len;
	enum authdialog_method method;
	char out[AD_OUT_MAX];
	size_t out_len;
};

/* Starts a dialogue; UNIQUE is the process-unique part of the APOP
 * timestamp and of the CRAM-MD5 challenge ("pid.time.random"), the two
 * then the same <UNIQUE@hostname>: the digests differ in kind (MD5 of
 * timestamp and password against HMAC-MD5 keyed with the password), so
 * neither answers the other.  Leaves the
 * greeting in the output buffer.  Returns false if the timestamp or the
 * hostname would be too long. */
bool authdialog_start(struct authdialog *d, const struct authdialog_config *cfg,
	const char *unique);

/* Feeds one line (without its line end; may hold NULs).  HAD_CR: the LF
 * followed a CR.  TOOLONG: the line overflowed and was dropped. */
enum authdialog_action authdialog_line(struct authdialog *d, const char *line,
	size_t len, bool toolong);

/* Reports the checker's exit status (as from waitpid) for the last
 * AD_CHECK; wipes the credentials.  Returns AD_QUIT when the chain has
 * answered the client (status 0: exit silently), AD_CONTINUE or
 * AD_CLOSE with an -ERR in the output otherwise. */
enum authdialog_action authdialog_result(struct authdialog *d, int wait_status);

/* After AD_STLS and a started handshake: the dialogue starts afresh
 * (RFC 2595: no state carries over). */
void authdialog_tls_started(struct authdialog *d);

/* For logs: the word for a checker's wait status ("ok", "refused", ...). */
const char *authdialog_result_word(int wait_status);

/* For pop3login's root parent: BLOCK (LEN octets from the dialogue) is
 * a block this connection's dialogue GREETING could have made: three
 * fields, the last empty or its APOP timestamp, or four: CRAM-MD5 with
 * its challenge, or an OAuth method with none. */
bool authdialog_block_ok(const unsigned char *block, size_t len,
	const struct authdialog *greeting);

/* Clears the output buffer after the caller has sent it. */
void authdialog_out_clear(struct authdialog *d);

/* Wipes every secret the dialogue holds. */
void authdialog_wipe(struct authdialog *d);

#endif
