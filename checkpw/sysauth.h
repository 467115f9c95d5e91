/* sysauth.h: system accounts, passwd + shadow, hashes via libxcrypt. */
#ifndef CHECKPW_SYSAUTH_H
#define CHECKPW_SYSAUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "account.h"

/* Looks LOGIN up with getpwnam() and getspnam() and checks its password.
 * Locked ("!", "*", empty) hashes and expired accounts or passwords
 * (shadow_expired) are refused.
 * APOP is refused: no plain secret is stored.  NOW is the time, for the
 * expiry checks. */
enum verdict sysauth_check(const struct login *login, time_t now,
			   struct account *acct);

/* Fills UID, GID, HOME, SHELL and SYSTEM_NAME of ACCT from passwd entry
 * NAME (shared with the PAM backend).  V_UNKNOWN or V_TEMP on failure. */
enum verdict sysauth_fill(const char *name, struct account *acct);

/* Shadow expiry, in days since 1970 (today).  Fields as in struct spwd,
 * -1 meaning unset.  True if the account may not log in: past its expire
 * date, or its password must be changed (last change 0 or older than the
 * maximum age). */
bool shadow_expired(long today, long lastchg, long max, long inact,
		    long expire);

/* Copies into OUT the first usable hash among the first few entries of
 * /etc/shadow, else of getspent() (root's, normally, or the first real
 * user's), so that the dummy spent for unknown users has the site's
 * method and cost.  False if there is none, or it does not fit. */
bool sysauth_dummy_setting(char *out, size_t size);

#endif
