/* vuser.h: virtual users from a cdb compiled by vusers-make.
 *
 * Source line (doc/virtual-users.md):  NAME:UID:GID:HOME:MAILBOX:SECRET
 * cdb key NAME, value UID:GID:HOME:MAILBOX:SECRET.  SECRET is last so that
 * it may hold any octet but NUL and newline; it is "{plain}TEXT" (usable
 * for APOP), a crypt(5) hash, or empty / "!..." / "*..." for a locked
 * user.  HOME and MAILBOX may hold %-templates (template.h).  The key
 * VUSER_DUMMY_KEY (not a valid name) holds a hash with the file's usual
 * setting, spent for unknown users so that they cost as much as known. */
#ifndef CHECKPW_VUSER_H
#define CHECKPW_VUSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "account.h"

#define VUSER_DUMMY_KEY " dummy"
enum { VUSER_RECORD_MAX = 2048 };

enum secret_kind { SECRET_LOCKED, SECRET_PLAIN, SECRET_HASH };

struct vrecord {
	uint32_t uid, gid;
	const char *home, *mailbox, *secret;  /* point into the value */
	size_t home_len, mailbox_len, secret_len;
	enum secret_kind kind;
};

/* Parses a cdb value.  False if a field is missing or malformed: UID and
 * GID decimal, HOME absolute (or starting with a %-code), no NUL. */
bool vuser_parse_record(const char *val, size_t len, struct vrecord *out);

/* Parses a source line (no newline): the name and the value after its
 * colon.  False for a bad name or record. */
bool vuser_parse_line(const char *line, size_t len, size_t *name_len,
		      struct vrecord *rec);

/* Opens the file PATH_TEMPLATE names for this login (%d the domain, from
 * the login or else TCPLOCALHOST; %i TCPLOCALIP), looks the user up and
 * checks the secret.  A template with %d or %i names one domain's file,
 * keyed by the part before @; otherwise keys are whole logins.  LOCALHOST
 * and LOCALIP are the environment's values or NULL. */
enum verdict vuser_check(const char *path_template, const struct login *login,
			 const char *localhost, const char *localip,
			 struct account *acct);

#endif
