/* loginlimit.h: abuse limits that outlast a connection, kept without a
 * daemon in small locked files of a state directory (default
 * /run/pop3-toolkit): concurrent sessions per client address, and failed
 * logins per address and per user within a time window.
 *
 * Two kinds of file, named by a hash of their key:
 *   s.HASH  session slots of one address: empty; a session holds an OFD
 *           write lock on one byte 1..max for its life, so the kernel
 *           frees the slot when the holder dies, however it dies.
 *           Byte 0 is a guard: read-locked while a slot is sought,
 *           write-locked by the holder that removes an unused file.
 *   f.HASH  failed logins of one address or user: decimal Unix times,
 *           one per line, oldest first, an attempt still in flight
 *           followed by the pid of the pop3login that holds it (dropped
 *           if that process is gone); read, pruned and rewritten under
 *           an OFD write lock on the whole file, removed when empty.
 * A key is "ip4 A.B.C.D", "ip6 " and the client's /64, or "user " and
 * the name as given.  Only pop3login's root parent (or a pop3login that
 * runs alone) opens the directory; the dialogue child never sees it.
 * Everything here is apart from main() so that unit tests drive it. */
#ifndef LOGINLIMIT_H
#define LOGINLIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "statefile.h"

#define LIMIT_DEFAULT_DIR STATE_DEFAULT_DIR

enum {
	LIMIT_DEFAULT_FAILURES_PER_IP = 30,
	LIMIT_DEFAULT_WINDOW = 900,     /* seconds */
	LIMIT_MAX_SESSIONS = 10000,     /* SESSIONS_PER_IP at most */
	LIMIT_MAX_FAILURES = 1000,      /* FAILURES_PER_IP, _PER_USER at most */
	LIMIT_MAX_WINDOW = 86400,       /* FAILURE_WINDOW at most */
	LIMIT_KEY_MAX = 300,            /* "user " + a 255-octet name */
};

struct limit_config {
	const char *dir;
	unsigned sessions_per_ip;       /* 0: no cap */
	unsigned failures_per_ip;       /* 0: not counted */
	unsigned failures_per_user;     /* 0: not counted */
	unsigned failure_window;        /* seconds, at least 1 */
};

enum limit_result { LIMIT_OK, LIMIT_HIT, LIMIT_ERROR };

/* The defaults, then SESSIONS_PER_IP, FAILURES_PER_IP, FAILURES_PER_USER,
 * FAILURE_WINDOW and POP3_LIMIT_DIR from the environment.  False with
 * *BAD naming the variable when a value is no number or out of range. */
bool limit_config_env(struct limit_config *cfg, const char **bad);

/* The key of a client address (TCPREMOTEIP's text); false when TEXT is
 * no address (a pop3login run from a shell): no address limit applies. */
bool limit_ip_key(const char *text, char *key, size_t cap);

/* Takes a session slot for IPKEY among MAX: LIMIT_OK with *FD the
 * descriptor that holds it (close-on-exec; close it in every child that
 * must not hold it), LIMIT_HIT when all MAX are held. */
enum limit_result limit_session_take(const struct limit_config *cfg,
	const char *ipkey, unsigned max, int *fd);

/* Lets a slot go, removing the file when no other session holds one. */
void limit_session_release(const struct limit_config *cfg, const char *ipkey, int fd);

/* Counts one failure of KEY at NOW, unless MAX already lie within the
 * window: then LIMIT_HIT and nothing is counted.  An attempt is counted
 * before its checker runs, so that parallel connections cannot all pass
 * the test before any of them has failed. */
enum limit_result limit_failure_reserve(const struct limit_config *cfg,
	const char *key, unsigned max, uint64_t now);

/* Takes back the count this process made at WHEN (the attempt did not
 * fail), or keeps it as a failure no longer held by a live login. */
enum limit_result limit_failure_undo(const struct limit_config *cfg,
	const char *key, uint64_t when);
enum limit_result limit_failure_keep(const struct limit_config *cfg,
	const char *key, uint64_t when);

/* One login attempt against both failure counts. */
struct limit_attempt {
	uint64_t when;
	bool ip_counted, user_counted;
	char ipkey[LIMIT_KEY_MAX];      /* "" when the address is unknown */
	char userkey[LIMIT_KEY_MAX];
};

/* Before a checker runs: LIMIT_HIT with *SCOPE "ip" or "user" when the
 * address or the user is past its limit (no checker may run then). */
enum limit_result limit_attempt_begin(const struct limit_config *cfg,
	struct limit_attempt *a, const char *ipkey, const unsigned char *user,
	size_t user_len, uint64_t now, const char **scope);

/* After the checker: FAILED keeps the counts, otherwise they are undone. */
void limit_attempt_end(const struct limit_config *cfg, struct limit_attempt *a,
	bool failed);

/* A checker: the wait status of its run on the credentials block CRED. */
typedef int limit_check_fn(const unsigned char *cred, size_t len, bool tls_on);

/* CHECK's verdict on CRED (user\0secret\0timestamp\0) within the
 * failure limits, from the client IPKEY ("" if unknown; IP for logs):
 * past a limit no checker runs, the status is a temporary failure
 * (exit 111) even for the right password, and a line is logged.  Only
 * a refusal (exit 1) stays counted.  A fault in the state is logged
 * and limits nothing: it must not lock every user out. */
int limit_verdict(const struct limit_config *cfg, const char *ipkey,
	const char *ip, const unsigned char *cred, size_t len, bool tls_on,
	limit_check_fn *check);

#endif
