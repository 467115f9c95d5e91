/* uservars.h: per-user settings (checkpw -e DIR).  The file DIR/USER,
 * USER the account's name as checkpw found it (a login's characters
 * are already safe for a file name), holds lines NAME=VALUE for the
 * policies a host rule sets for the links after checkpw and that a site
 * may want to differ per user: LOGIN_DELAY, EXPIRE and UIDL_FORMAT.
 * They win over the rule's values.  Empty lines and lines starting with
 * '#' are comments; any other line (another name, no '=') is logged
 * with its number and ignored, so that a typo costs that setting, not
 * the user's mail.  No file: the rule's values hold. */
#ifndef USERVARS_H
#define USERVARS_H

#include <stddef.h>

/* A settings file larger than this is not read. */
#define USERVARS_FILE_MAX 4096

/* Sets the variables of DIR/USER in the environment; returns how many,
 * or -1 when the file exists but cannot be read (logged: the caller
 * refuses the login for now, rather than run it under the wrong
 * policy). */
int uservars_load(const char *dir, const char *user);

/* The same for the text of a file (unit tests, the fuzz harness):
 * FILE names it in the log. */
int uservars_apply(const char *text, size_t len, const char *file);

#endif
