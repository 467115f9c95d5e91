/* logindelay.h: LOGIN-DELAY enforced (RFC 2449 section 6.8).  A login
 * within LOGIN_DELAY seconds of the user's last accepted one is refused
 * (exit EXIT_LOGIN_DELAY, which pop3login answers -ERR [LOGIN-DELAY]).
 *
 * The last login of each user is a file "d.HASH" in the limits' state
 * directory (statefile.h): "TIME USER\n", TIME in Unix seconds, USER
 * the account's name as checkpw found it.  It is decided and rewritten
 * under a write lock, so two logins at once cannot both pass.  A lost
 * file loses the policy for one delay and nothing else, and a fault in
 * the state is logged and lets the login through: a broken /run must
 * not lock every user out.  It runs after the password was verified,
 * so a refusal says nothing to someone who does not know it. */
#ifndef LOGINDELAY_H
#define LOGINDELAY_H

#include <stddef.h>
#include <stdint.h>

enum login_delay_result { DELAY_OK, DELAY_TOO_SOON, DELAY_ERROR };

/* A login of USER (LEN octets) at NOW under a delay of DELAY seconds
 * (0: none, the state is not touched).  DELAY_OK records NOW as the
 * last login; DELAY_TOO_SOON records nothing and sets *WAIT to the
 * seconds left.  DIR is the state directory. */
enum login_delay_result login_delay_claim(const char *dir, const char *user,
	size_t len, unsigned delay, uint64_t now, uint64_t *wait);

#endif
