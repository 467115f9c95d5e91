/* exitcode.h: the exit codes every link of the chain shares.
 * They are the whole contract between a caller and the program it runs
 * (doc/interfaces.md).  0..2 and 111 are checkpassword's; EXIT_INUSE is
 * ours, so that pop3login can answer [IN-USE] rather than [SYS/TEMP];
 * EXIT_LOGIN_DELAY likewise for [LOGIN-DELAY]. */
#ifndef EXITCODE_H
#define EXITCODE_H

enum {
	EXIT_DONE = 0,     /* done; after a login: the chain has answered the client */
	EXIT_REFUSED = 1,  /* bad credentials, denied host */
	EXIT_MISUSE = 2,   /* bad options, malformed input: a permanent problem */
	EXIT_INUSE = 4,    /* the mailbox is held by another session */
	EXIT_LOGIN_DELAY = 5, /* too soon after the user's last login (RFC 2449) */
	EXIT_TEMP = 111,   /* temporary failure: try again later */
};

#endif
