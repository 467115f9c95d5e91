/* sessionlock.h: the one-POP3-session-at-a-time lock of a mailbox (an
 * mbox file, or a Maildir directory with maildirscan -x). */
#ifndef SESSIONLOCK_H
#define SESSIONLOCK_H

/* flock(LOCK_EX) on FD, waiting up to a second for a session that is
 * ending.  0 held, 1 held by another session, -1 error (errno set). */
int session_lock(int fd);

#endif
