/* fcrdns.h: forward-confirmed reverse DNS, bounded in time.
 * The resolver may hang for minutes, so the lookup runs in a child that
 * is killed at the deadline; the parent only reads the answer from a
 * pipe.  A name counts only if it resolves back to the client address. */
#ifndef FCRDNS_H
#define FCRDNS_H

#include <stddef.h>

#include "netaddr.h"
#include "rules.h"

enum fcrdns_status {
	FCRDNS_OK,            /* NAME holds the confirmed name */
	FCRDNS_NONAME,        /* no PTR record */
	FCRDNS_UNCONFIRMED,   /* the name does not resolve back to the address */
	FCRDNS_TIMEOUT,
	FCRDNS_ERROR,         /* the lookup could not run, or answered nonsense */
};

/* Looks ADDR up within TIMEOUT_MS milliseconds.  On FCRDNS_OK, NAME (of
 * RULES_NAME_MAX + 1 octets) holds the name in lowercase, without a
 * final dot. */
enum fcrdns_status fcrdns_lookup(const struct netaddr *addr, unsigned timeout_ms,
				 char name[RULES_NAME_MAX + 1]);

const char *fcrdns_status_name(enum fcrdns_status status);

#endif
