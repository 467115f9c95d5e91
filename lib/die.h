/* die.h: one-line diagnostics and logs on stderr.
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

/* Prints "PROGNAME: MESSAGE": a log line, by convention key=value pairs. */
void logline(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes LINE (ending in a newline) as it is, in one write(2), unless
 * logs are silenced; async-signal-safe. */
void log_write(const char *line, size_t len);

/* Sends every later line to nowhere. */
void log_silence(void);

/* Under inetd (and xinetd, or a tcpserver run without a log pipe)
 * descriptor 2 is the client's socket: a log line there would reach the
 * client, and checkpw's why=unknown would tell it which names exist.
 * When descriptor 2 is the socket of descriptor 0, or any Internet
 * socket, log_guard_stderr() silences the log and makes descriptor 2
 * /dev/null, so that no later link and no exec'd program writes there
 * either.  Returns 1 if it did (the caller may log elsewhere, syslog),
 * else 0.  Exits EXIT_TEMP, silently, if /dev/null cannot be opened.
 * To be called first thing in main(). */
int log_guard_stderr(void);

#endif
