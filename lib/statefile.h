/* statefile.h: the state directory of the limits that outlast a
 * connection (default /run/pop3-toolkit): small files, one per key,
 * named by a hash of the key and locked with OFD locks (fcntl
 * F_OFD_SETLK*).  OFD locks belong to the open file, not the process, so
 * a unit test can play two sessions in one process and a child that
 * closes its copy holds nothing.  pop3login keeps its session slots and
 * failure counts here (loginlimit.h), checkpw the time of each user's
 * last login (lastlogin.h). */
#ifndef STATEFILE_H
#define STATEFILE_H

#include <stdbool.h>
#include <sys/types.h>

#define STATE_DEFAULT_DIR "/run/pop3-toolkit"

enum { STATE_NAME_MAX = 24 };   /* "K." + 16 hex digits */

/* DIR, made if missing, open as a directory; -1 (and a log line) when
 * it cannot be, or when someone but us may write it: a directory others
 * may write could hold files planted to lock anyone out. */
int state_dir_open(const char *dir);

/* The key of a user name, LEN octets of it: "user NAME", a NUL made '?'
 * (the hash sees every octet), cut to CAP. */
void state_user_key(const char *name, size_t len, char *key, size_t cap);

/* The file name of KEY for files of KIND (one letter). */
void state_file_name(char name[STATE_NAME_MAX], char kind, const char *key);

/* NAME in DIRFD, opened read-write (made if missing, mode 0600). */
int state_file_open(int dirfd, const char *name);

/* fcntl(FD, CMD) for an OFD lock of TYPE on LEN octets at START (LEN 0:
 * to the end); F_OFD_SETLKW is retried when a signal interrupts it. */
int state_range_lock(int fd, int cmd, short type, off_t start, off_t len);

/* False once the file's last user has removed it: what we would write
 * in it nobody else would see. */
bool state_still_linked(int fd);

/* NAME in DIRFD, open and write-locked whole, opened again if it was
 * removed meanwhile; -1 (logged) on failure. */
int state_file_lock(int dirfd, const char *name);

#endif
