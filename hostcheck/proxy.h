/* proxy.h: the PROXY protocol header (HAProxy's proxy-protocol.txt,
 * versions 1 and 2) that a load balancer sends before the client's
 * bytes, naming the real client.  hostcheck reads it only from listed
 * balancer addresses, and never a byte beyond it, so that the next link
 * finds the client's first command unread. */
#ifndef PROXY_H
#define PROXY_H

#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

enum {
	PROXY_V1_MAX = 107,            /* the whole v1 line, CR LF included */
	PROXY_V2_HEADER = 16,
	PROXY_MAX = PROXY_V2_HEADER + 65535,
};

enum proxy_status {
	PROXY_MORE,   /* *want: read until the buffer holds that many octets */
	PROXY_DONE,   /* *want: the header's length; *out filled */
	PROXY_BAD,    /* not a valid header: drop the connection */
};

struct proxy_result {
	int has_addresses;             /* 0: LOCAL or UNKNOWN, keep the socket's */
	struct netaddr source, destination;
	uint16_t source_port, destination_port;
	int version;                   /* 1 or 2 */
};

/* Examines the first LEN octets received.  Never asks for more than the
 * header itself, so no client byte after it is read. */
enum proxy_status proxy_parse(const uint8_t *buf, size_t len, size_t *want,
			      struct proxy_result *out);

/* Reads a header from FD, at most TIMEOUT_MS milliseconds in all.
 * Returns PROXY_DONE or PROXY_BAD (with *WHY: "timeout", "eof", "malformed"). */
enum proxy_status proxy_read(int fd, unsigned timeout_ms, struct proxy_result *out,
			     const char **why);

#endif
