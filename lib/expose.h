/* expose.h: the exposer's side of the exposer-to-pop3d contract
 * (doc/interfaces.md, lib/scanlist.h), shared by mboxsplit and
 * maildirscan so that both start pop3d, write the scan list and read the
 * deletion report the same way.
 *
 * Use:
 *   expose_start(&e, argv_of_pop3d, mailbox_fd_or_-1);
 *   expose_header(&e, messages, octets, flags);
 *   expose_path(&e, size, uid, path) or expose_range(...), per message;
 *   if (expose_list_end(&e) == 0 && expose_read_report(&e, ...) == 1) {
 *           commit; expose_answer(&e, "+OK ...") or "-ERR [SYS/TEMP] ...";
 *   }
 *   return expose_finish(&e);     exit status to exit with
 *
 * The scan list writer is sticky: after a failed write (pop3d died, so
 * EPIPE) later calls do nothing and expose_list_end() reports it; the
 * exposer then changes nothing and exits with pop3d's status. */
#ifndef EXPOSE_H
#define EXPOSE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The scan list is written in blocks of this size; a list of more than
 * EXPOSE_BIG_LIST messages asks for a pipe of EXPOSE_PIPE_SIZE. */
#define EXPOSE_BUFSIZE 65536
#define EXPOSE_BIG_LIST 1000
#define EXPOSE_PIPE_SIZE (1 << 20)
/* Once pop3d has started its report, the rest must come within this. */
#define EXPOSE_REPORT_TIMEOUT_MS 30000
/* The answer to QUIT, without its LF (RFC 2449 response limit). */
#define EXPOSE_ANSWER_MAX 510
/* A report line: "D 4294967295" and LF, with room to spare. */
#define EXPOSE_REPORT_LINE_MAX 32
/* Largest message count a report can name (scan list numbers are u32). */
#define EXPOSE_MESSAGES_MAX UINT32_MAX

struct expose {
	pid_t pid;              /* pop3d, or -1 once waited for */
	int list_fd;            /* write end of the scan list pipe, or -1 */
	int control_fd;         /* our end of the control socket, or -1 */
	int list_error;         /* errno of the first failed write, or 0 */
	size_t buf_len;
	char buf[EXPOSE_BUFSIZE];
};

/* What pop3d reported after QUIT: message numbers (1-based, scan list
 * order) in the order pop3d sent them; a number appears at most once in
 * both arrays together. */
struct expose_report {
	uint32_t *deleted;
	size_t n_deleted;
	uint32_t *retrieved;
	size_t n_retrieved;
};

/* Forks and execs ARGV (argv[0] searched on PATH) with the scan list
 * pipe on fd 4, the control socket on fd 5 and MAILBOX_FD (unless -1;
 * open it O_RDONLY, pop3d must not be able to write the mailbox)
 * on fd 6 (open it O_RDONLY: pop3d must not be able to write the
 * mailbox); fds 0..2 and the working directory are passed on.
 * Dies with EXIT_MISUSE if ARGV is empty, EXIT_TEMP on a system failure.
 * Ignores SIGPIPE in the caller (pop3d gets it back at its default). */
void expose_start(struct expose *e, char *const argv[], int mailbox_fd);

/* Scan list lines (lib/scanlist.h).  FLAGS is NULL, "" or e.g. "mboxrd
 * hide-status".  A UID that is not valid, or a PATH that is empty, starts
 * with '@' or holds a space, newline or NUL, is a caller bug: the line is
 * not written and the list fails (EINVAL).  Return 0, or -1 once the
 * list has failed. */
int expose_header(struct expose *e, uint64_t messages, uint64_t octets,
                  const char *flags);
int expose_path(struct expose *e, uint64_t size, const char *uid,
                const char *path);
/* The same with lengths: UID and PATH need not be NUL-terminated (an
 * exposer whose ids are prefixes of its file names copies nothing). */
int expose_pathn(struct expose *e, uint64_t size, const char *uid,
                 size_t uid_len, const char *path, size_t path_len);
int expose_range(struct expose *e, uint64_t size, const char *uid,
                 uint64_t offset, uint64_t length);
/* Flushes and closes the scan list: 0, or -1 if any of it failed. */
int expose_list_end(struct expose *e);

/* Waits for pop3d's report on the control socket.  Returns 1 with a
 * complete report in R (free with expose_report_free), or 0 meaning
 * "change nothing": end of file before ".", a malformed or unbounded
 * line, a number outside 1..MESSAGES or named twice, a timeout once the
 * report began.  Logs why on 0, except for a plain end of file. */
int expose_read_report(struct expose *e, uint32_t messages,
                       struct expose_report *r);
/* The same on any descriptor, with the report's timeout in ms (unit
 * tests and other callers). */
int expose_read_report_fd(int fd, uint32_t messages, struct expose_report *r,
                          int timeout_ms);
void expose_report_free(struct expose_report *r);

/* Sends "+OK text" or "-ERR text" (LF added; cut to EXPOSE_ANSWER_MAX)
 * back to pop3d as the answer to QUIT.  Returns 0, or -1 if pop3d is gone. */
int expose_answer(struct expose *e, const char *line);

/* Closes what is left, waits for pop3d and returns the status the
 * exposer exits with: pop3d's exit code, or 128 + signal if it was
 * killed. */
int expose_finish(struct expose *e);

/* Execs the sibling exposer NAME (per-user mailbox type): first the file
 * NAME in the directory of /proc/self/exe, then NAME on PATH, with
 * ARGV[1..] as its arguments.  Never returns: dies with EXIT_TEMP, or
 * EXIT_MISUSE if NAME is nowhere to be found. */
_Noreturn void expose_exec_sibling(const char *name, char *const argv[]);

#endif
