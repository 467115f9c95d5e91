/* sessionlock.h: the one-POP3-session-at-a-time lock of a mailbox (an
 * mbox file, or a Maildir with maildirscan -x). */
#ifndef SESSIONLOCK_H
#define SESSIONLOCK_H

/* flock(LOCK_EX) on FD, waiting up to a second for a session that is
 * ending.  0 held, 1 held by another session, -1 error (errno set). */
int session_lock(int fd);

/* An OFD write lock (fcntl F_OFD_SETLK) on the regular file NAME in
 * DIRFD, made if missing, with the same wait.  flock on a directory is
 * local to each host on a network file system (GlusterFS, NFS), an
 * fcntl lock on a regular file is seen by every host that mounts it.
 * 0 held, with *LOCKFD the descriptor that holds it (close-on-exec: it
 * holds the lock while the caller lives); 1 held by another session;
 * -1 error (errno set). */
int session_lock_file(int dirfd, const char *name, int *lockfd);

#endif
