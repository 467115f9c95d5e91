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

/* Under inetd fd 2 may be the client's socket: log_silence() sends
 * every later line to nowhere (or to syslog in a later version). */
void log_silence(void);

#endif
