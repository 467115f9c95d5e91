/* die.h: one-line diagnostics and logs, on stderr or syslog.
 * Every line is "PROGNAME: ..." written with a single write(2), so that
 * lines from concurrent sessions never interleave in a shared log. */
#ifndef DIE_H
#define DIE_H

#include <stdarg.h>
#include <stddef.h>

/* Set once in main(); used as the prefix of every line. */
extern const char *progname;

/* Prints "PROGNAME: fatal: MESSAGE" and exits with CODE. */
_Noreturn void die(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* As die(), appending ": strerror(errno)". */
_Noreturn void die_sys(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
_Noreturn void die_nomem(void);

/* Prints "PROGNAME: MESSAGE": a log line, by convention key=value pairs.
 * Its severity on syslog is read from its first word: "fatal" (every
 * die()) and "error" are LOG_ERR, "warning" LOG_WARNING, and so is a line
 * with an error= field; any other line is LOG_INFO. */
void logline(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* As logline(), with the syslog(3) severity LEVEL (LOG_ERR..LOG_DEBUG)
 * for a line whose first word does not tell it. */
void logline_at(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes LINE (ending in a newline, starting "PROGNAME: ") as it is, in
 * one write, unless logs are silenced; async-signal-safe. */
void log_write(const char *line, size_t len);

/* Sends every later line to nowhere. */
void log_silence(void);

/* Decides where this program's lines go; to be called first thing in
 * main() by every program.  Descriptor 2 is a log when it is a pipe
 * (tcpserver's, multilog's), a file, a terminal or a Unix stream socket
 * (systemd's journal stream): the lines go there, one write(2) each.
 * It is not a log when it is closed, /dev/null, the socket of
 * descriptor 0 or 1 or any Internet socket (inetd and xinetd give the
 * client as 0, 1 and 2: a line there would reach the client, and
 * checkpw's why=unknown would tell it which names exist).  Then
 * log_start() connects a datagram socket to the syslog daemon's
 * /dev/log, makes it descriptor 2 and sends each line there as
 * "<PRI>PROGNAME: MESSAGE", facility mail; without a syslog daemon
 * descriptor 2 becomes /dev/null and the lines are dropped.  A Unix
 * datagram socket found on descriptor 2 is such a syslog socket, handed
 * on by an earlier link: every later link and exec'd program writes
 * there, never to the client.  The socket is connected once, before any
 * confinement: a syslog daemon restarted during a session loses that
 * session's later lines.  Returns 1 if the lines go to syslog, else 0;
 * exits EXIT_TEMP, silently, if descriptor 2 cannot be replaced. */
int log_start(void);

#endif
