/* rules.h: hostcheck's access rules, and the decision for one client.
 *
 * The text form (doc/hostcheck-rules.md) is compiled into a cdb, either
 * a file (hostcheck-rules) or an anonymous in-memory file when hostcheck
 * is given the text: one lookup path for both.  A check costs one cdb
 * probe per prefix length in use, a few for the name, whatever the
 * number of rules.
 *
 * Keys: "a" FAMILY BITS OCTETS (address prefix, masked), "n" NAME (exact
 * host name), "s" .SUFFIX, "d" (default), "m" (meta: prefix lengths in
 * use, which kinds of rule exist).  Values: ACTION, LINE (4 octets, big
 * endian), then NAME=VALUE\0 for each variable the rule sets. */
#ifndef RULES_H
#define RULES_H

#include <cdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostname.h"
#include "netaddr.h"

enum rule_action {
	RULE_NONE = 0,   /* nothing matched: the client is denied */
	RULE_DENY = 'D',
	RULE_ALLOW = 'A',
	RULE_WARN = 'W',  /* allowed, logged as a warning */
	RULE_TRUST = 'T', /* allowed without any DNS lookup */
};

/* How the deciding rule matched, for the log. */
enum rule_match {
	MATCH_NONE, MATCH_ADDRESS, MATCH_NAME, MATCH_PREFIX, MATCH_SUFFIX, MATCH_DEFAULT,
};

enum {
	RULES_LINE_MAX = 4096,   /* octets in one line of the text form */
	RULES_VARS_MAX = 32,     /* variables one rule may set */
	RULES_VALUE_MAX = 1024,  /* octets in one variable's value */
	RULES_COUNT_MAX = 1000000,
	RULES_NAME_MAX = HOSTNAME_MAX,
	RULES_ERROR_MAX = 512,
};

struct rules_error {
	unsigned long line;            /* 0: not about one line */
	char text[RULES_ERROR_MAX];
};

struct rules {
	struct cdb db;
	int fd;
	uint8_t v4_bits[5];    /* bit N set: some IPv4 rule has prefix length N */
	uint8_t v6_bits[17];
	bool has_names;
	bool has_suffixes;
};

struct rule_hit {
	enum rule_action action;
	enum rule_match match;
	unsigned long line;        /* line of the rules text; 0 for none */
	const char *vars;          /* NAME=VALUE\0 ..., VARS_LEN octets in all */
	size_t vars_len;
};

/* Compiles TEXT into a cdb written to FD (positioned at its start).
 * Returns 0, or -1 with *ERR filled (a syntax error names its line; a
 * system error has line 0 and errno set).  With WARNINGS non-NULL, a
 * pattern given twice is reported there (the first line wins). */
int rules_compile(const char *text, size_t len, int fd, struct rules_error *err,
		  void (*warning)(unsigned long line, const char *text));

/* Opens a compiled file (name ending in ".cdb") or compiles a text file
 * in memory.  Returns 0, or -1 with *ERR filled. */
int rules_open(struct rules *rules, const char *path, struct rules_error *err);
/* Reads the rules text at PATH whole (a regular file, at most 256 MB)
 * into a fresh buffer for the caller to free; NULL with *ERR filled. */
char *rules_read_text(const char *path, size_t *len, struct rules_error *err);
/* As rules_open, from text in memory. */
int rules_open_text(struct rules *rules, const char *text, size_t len,
		    struct rules_error *err);
void rules_close(struct rules *rules);

enum rules_status { RULES_DECIDED, RULES_NEED_NAME };

/* The decision for CLIENT.  NAME is its forward-confirmed host name
 * (lowercase, no final dot) or NULL; NAME_KNOWN says whether a lookup
 * was made.  Without one, RULES_NEED_NAME means a name could change the
 * outcome: look it up and ask again.  The most specific rule wins:
 * whole address, host name, longest address prefix, longest .suffix,
 * default; a trust rule that is the longest prefix decides at once. */
enum rules_status rules_decide(struct rules *rules, const struct netaddr *client,
			       const char *name, bool name_known, struct rule_hit *hit);

const char *rule_action_name(enum rule_action action);
const char *rule_match_name(enum rule_match match);

#endif
