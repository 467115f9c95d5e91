/* confine.h: the last step of set-up in every process that parses client
 * or mail bytes (doc/security.md).
 *
 * confine() sets no_new_privs, restricts the file system with Landlock
 * (the kernel's best ABI; where Landlock is absent, one log line and the
 * session goes on) and installs a seccomp allow-list of system calls.
 * What a process may still do is fixed by its room:
 *
 *   CONFINE_DIALOGUE        pop3login's chrooted child: talk on the
 *                           descriptors it has, no file at all
 *   CONFINE_POP3D           pop3d: read its descriptors; on a Maildir,
 *                           open files for reading under DIR
 *   CONFINE_MBOX_WORKER     mboxsplit after pop3d is started: the mailbox
 *                           descriptor, the spool helper's socket, and
 *                           files under DIR (the index cache's directory)
 *   CONFINE_MAILDIR_WORKER  maildirscan after pop3d is started: read,
 *                           rename, link and remove under DIR (the Maildir)
 *   CONFINE_TLS             pop3tls's record layer: the descriptors it
 *                           has (and shutdown() of one), no file at all
 *
 * No room may exec, fork, open a socket, trace, signal another process or
 * map memory executable.  A call outside the list ends the process with
 * "PROG: fatal: system call N is not allowed (seccomp)" and exit 111, so
 * a subverted process cannot hang its session; whatever it held open is
 * released by the kernel, and the spool helper removes what it made. */
#ifndef CONFINE_H
#define CONFINE_H

enum confine_room {
	CONFINE_DIALOGUE,
	CONFINE_POP3D,
	CONFINE_MBOX_WORKER,
	CONFINE_MAILDIR_WORKER,
	CONFINE_TLS,
};

/* Confines the calling process for good.  DIR is the one directory the
 * room may still reach (NULL: none).  Dies with EXIT_TEMP if seccomp or
 * no_new_privs cannot be set. */
void confine(enum confine_room room, const char *dir);

#endif
