/* logvalue.h: a string made safe to stand as a value in a log line.
 *
 * Log lines are "PROGRAM: key=value key=value", read by people and by
 * pop3stats; a value comes from a client (a user name) or from the
 * environment, so it must not end the line, forge a field or move a
 * terminal's cursor.  The one rule:
 *
 *   - octets 0x21..0x7e other than '"' and '\' stand as they are;
 *   - a space stands as it is, and the whole value is then put in
 *     double quotes ("a b"), so that it stays one field;
 *   - every other octet ('"', '\', control octets, DEL, octets of 0x80
 *     and above) is written \xHH, two lower-case hex digits, so a quote
 *     never appears inside a value and a backslash always starts an
 *     escape;
 *   - an empty value is "" and a missing one (NULL) is -.
 *
 * Whatever does not fit in the output is cut at a whole escape; the
 * closing quote is kept. */
#ifndef LOGVALUE_H
#define LOGVALUE_H

#include <stddef.h>

/* Room for any value of N octets: 4 an octet, two quotes, the NUL. */
#define LOG_VALUE_SIZE(n) ((n) * 4 + 3)

/* Writes SRC (LEN octets, or NULL) into DST (CAP octets, CAP >= 4) as
 * a log value, NUL-terminated; returns DST. */
char *log_value(char *dst, size_t cap, const char *src, size_t len);

/* log_value() of a NUL-terminated string, or of NULL. */
char *log_value_str(char *dst, size_t cap, const char *src);

#endif
