/* relay.h: pop3tls's record layer, run by its unprivileged, confined
 * process: the handshake on the client's descriptors, then plaintext
 * between the TLS session and one socket to the rest of the chain.
 * Neither function opens anything; both only read and write the
 * descriptors they are given. */
#ifndef RELAY_H
#define RELAY_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdint.h>

/* The TLS handshake as the server, within TIMEOUT_MS.  On failure
 * returns false and sets *WHY to a short reason for the log. */
bool tls_handshake(SSL *ssl, int timeout_ms, const char **why);

struct relay_counts {
	uint64_t from_client, to_client; /* plaintext octets */
	const char *end;                 /* how it ended, for the log */
};

/* Copies plaintext both ways between SSL and APP (a non-blocking
 * stream socket) until the chain closes APP, or the client goes and the
 * chain has had its end of file.  The client's descriptors are those of
 * SSL, non-blocking.  Sends close_notify at the end. */
void tls_relay(SSL *ssl, int app, struct relay_counts *counts);

#endif
