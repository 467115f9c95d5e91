/* pamauth.h: PAM, with the password handed over by the conversation. */
#ifndef CHECKPW_PAMAUTH_H
#define CHECKPW_PAMAUTH_H

#include "account.h"

/* pam_authenticate() then pam_acct_mgmt() under SERVICE; on success the
 * account (as PAM names it) comes from passwd.  PAM has no plain secret
 * to give, so APOP is not possible here. */
enum verdict pamauth_check(const char *service, const struct login *login,
			   struct account *acct);

#endif
