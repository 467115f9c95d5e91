/* netaddr.h: IPv4 and IPv6 addresses and CIDR prefixes, as hostcheck
 * compares them.  An IPv4-mapped IPv6 address (::ffff:192.0.2.1, what a
 * dual-stack listener reports for an IPv4 client) is stored as the IPv4
 * address, so that one rule covers a client however it arrived. */
#ifndef NETADDR_H
#define NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum { NETADDR_V4 = 4, NETADDR_V6 = 6 };
/* Longest text form, with its NUL (as INET6_ADDRSTRLEN). */
enum { NETADDR_TEXT_MAX = 46 };

struct netaddr {
	int family;          /* NETADDR_V4 or NETADDR_V6 */
	uint8_t octets[16];  /* network order; IPv4 uses the first 4 */
};

/* 32 or 128. */
unsigned netaddr_bits(const struct netaddr *addr);

/* Strict text form: dotted quad (no leading zeros, as inet_pton) or
 * RFC 4291 IPv6.  Nothing else: no spaces, no zone index, no prefix. */
bool netaddr_parse(const char *text, struct netaddr *addr);

/* "ADDRESS" or "ADDRESS/BITS".  Without /BITS the prefix is the whole
 * address.  Fails (and says why in *why) on a bad address, bad length
 * or bits set beyond the prefix: 10.1.2.3/8 is refused, not rounded. */
bool netaddr_parse_prefix(const char *text, struct netaddr *net,
			  unsigned *prefix_bits, const char **why);

/* Clears every bit after the first PREFIX_BITS. */
void netaddr_mask(struct netaddr *addr, unsigned prefix_bits);

/* Whether ADDR lies in NET/PREFIX_BITS (families must agree). */
bool netaddr_in_prefix(const struct netaddr *addr, const struct netaddr *net,
		       unsigned prefix_bits);

/* Canonical text (inet_ntop) into BUF of NETADDR_TEXT_MAX; returns BUF. */
char *netaddr_format(const struct netaddr *addr, char *buf);

/* From a socket address (AF_INET or AF_INET6); false for other kinds. */
bool netaddr_from_sockaddr(const struct sockaddr *sa, socklen_t len,
			   struct netaddr *addr, uint16_t *port);

bool netaddr_equal(const struct netaddr *a, const struct netaddr *b);

#endif
