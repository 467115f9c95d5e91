/* logvalue.h: a name from a client (LEN octets of SRC) as one log value
 * in DST: printable ASCII only, '"' and '\' and the rest as '?', quoted
 * when it holds a space or is empty, cut to fit CAP.  A value so made
 * can neither end the line nor forge another key=value field. */
#ifndef LOGVALUE_H
#define LOGVALUE_H

#include <stddef.h>

void log_value(char *dst, size_t cap, const unsigned char *src, size_t len);

#endif
