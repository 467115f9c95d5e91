/* hostname.h: host names as hostcheck's rules name them, and as the
 * DNS hands them over. */
#ifndef HOSTNAME_H
#define HOSTNAME_H

#include <stdbool.h>
#include <stddef.h>

enum { HOSTNAME_MAX = 253 };  /* a DNS name, without the final dot */

/* Whether NAME is a host name hostcheck accepts from the DNS (letters,
 * digits, '-', '_', dots between non-empty labels, at most
 * HOSTNAME_MAX octets): lenient, because a PTR record may hold what
 * no rule can name and a .suffix rule should still match it. */
bool hostname_dns_ok(const char *name, size_t len);

/* NULL if NAME (no final dot) is a host name by RFC 1123: labels of 1
 * to 63 letters, digits and '-', neither first nor last '-', at most
 * HOSTNAME_MAX octets, the last label not all digits.  Otherwise what
 * is wrong, in a static buffer.  Rule patterns must pass it: anything
 * else could never match a host. */
const char *hostname_error(const char *name, size_t len);

#endif
