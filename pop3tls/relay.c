/* relay.c: the handshake and the copying loop of pop3tls (relay.h).
 *
 * Every descriptor is non-blocking and one poll() waits for whatever the
 * blocked steps need, so a client that stops reading never stops the
 * chain's output from being read (and the other way round): each
 * direction has a buffer of its own.  The plaintext buffers are wiped as
 * soon as their octets are passed on: they hold the password for a
 * moment, and nothing of it is kept. */
#include "relay.h"

#include "clock.h"

#include <errno.h>
#include <openssl/err.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum {
	RELAY_BUF = 16384,          /* one TLS record's worth of plaintext */
	WRITE_TIMEOUT_MS = 60000,   /* for a client that stops reading */
};

/* The SSL's read and write descriptors (0 and 1 under tcpserver). */
static int net_rfd(SSL *ssl) { return SSL_get_rfd(ssl); }
static int net_wfd(SSL *ssl) { return SSL_get_wfd(ssl); }

static const char *ssl_reason(int err)
{
	unsigned long e = ERR_peek_last_error();
	if (e) {
		const char *r = ERR_reason_error_string(e);
		return r ? r : "unknown";
	}
	return err == SSL_ERROR_SYSCALL ? "connection closed" : "unknown";
}

bool tls_handshake(SSL *ssl, int timeout_ms, const char **why)
{
	int64_t deadline = clock_ms() + timeout_ms;
	for (;;) {
		ERR_clear_error();
		int r = SSL_accept(ssl);
		if (r == 1)
			return true;
		int err = SSL_get_error(ssl, r);
		struct pollfd p;
		if (err == SSL_ERROR_WANT_READ)
			p = (struct pollfd){ net_rfd(ssl), POLLIN, 0 };
		else if (err == SSL_ERROR_WANT_WRITE)
			p = (struct pollfd){ net_wfd(ssl), POLLOUT, 0 };
		else {
			*why = ssl_reason(err);
			return false;
		}
		int left = clock_ms_left(deadline);
		int n = left > 0 ? poll(&p, 1, left) : 0;
		if (n == 0) {
			*why = "timeout";
			return false;
		}
		if (n < 0 && errno != EINTR) {
			*why = strerror(errno);
			return false;
		}
	}
}

struct buf {
	unsigned char b[RELAY_BUF];
	size_t off, len;
};

struct relay {
	SSL *ssl;
	int app;
	struct buf to_app, to_net;
	bool client_open;     /* more may come from the client */
	bool client_gone;     /* nothing more can go to the client */
	bool app_open;        /* more may come from the chain */
	bool app_told_eof;
	short want_rd, want_wr, want_app;
	struct relay_counts *counts;
};

static void buf_used(struct buf *b, size_t n)
{
	b->off += n;
	if (b->off == b->len) {
		explicit_bzero(b->b, b->len);
		b->off = b->len = 0;
	}
}

/* What a blocked SSL call waits for. */
static void ssl_wants(struct relay *r, int err)
{
	if (err == SSL_ERROR_WANT_READ)
		r->want_rd = POLLIN;
	else if (err == SSL_ERROR_WANT_WRITE)
		r->want_wr = POLLOUT;
}

static bool ssl_blocked(int err)
{
	return err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE;
}

static bool from_client(struct relay *r)
{
	if (!r->client_open || r->to_app.len)
		return false;
	int n = SSL_read(r->ssl, r->to_app.b, RELAY_BUF);
	if (n > 0) {
		r->to_app.len = (size_t)n;
		r->counts->from_client += (uint64_t)n;
		return true;
	}
	int err = SSL_get_error(r->ssl, n);
	if (ssl_blocked(err)) {
		ssl_wants(r, err);
		return false;
	}
	/* close_notify, end of file or a broken record: no more input */
	r->client_open = false;
	if (err != SSL_ERROR_ZERO_RETURN)
		r->counts->end = "client-error";
	return true;
}

static bool to_app(struct relay *r)
{
	struct buf *b = &r->to_app;
	if (b->len) {
		ssize_t n = write(r->app, b->b + b->off, b->len - b->off);
		if (n > 0) {
			buf_used(b, (size_t)n);
			return true;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			r->want_app |= POLLOUT;
			return false;
		}
		/* the chain is gone: whatever it was sent no longer matters */
		buf_used(b, b->len - b->off);
		r->client_open = false;
		return true;
	}
	if (!r->client_open && !r->app_told_eof) {
		shutdown(r->app, SHUT_WR);
		r->app_told_eof = true;
		return true;
	}
	return false;
}

static bool from_app(struct relay *r)
{
	if (!r->app_open || r->to_net.len)
		return false;
	ssize_t n = read(r->app, r->to_net.b, RELAY_BUF);
	if (n > 0) {
		r->to_net.len = (size_t)n;
		return true;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		r->want_app |= POLLIN;
		return false;
	}
	r->app_open = false;
	return true;
}

static bool to_client(struct relay *r)
{
	struct buf *b = &r->to_net;
	if (!b->len)
		return false;
	if (r->client_gone) {
		buf_used(b, b->len - b->off);
		return true;
	}
	int n = SSL_write(r->ssl, b->b + b->off, (int)(b->len - b->off));
	if (n > 0) {
		r->counts->to_client += (uint64_t)n;
		buf_used(b, (size_t)n);
		return true;
	}
	int err = SSL_get_error(r->ssl, n);
	if (ssl_blocked(err)) {
		ssl_wants(r, err);
		return false;
	}
	r->client_gone = true;
	r->client_open = false;
	r->counts->end = "client-error";
	return true;
}

/* Runs every step until none moves anything.  Each step that moves
 * consumes octets or changes a state for good, so this ends. */
static void run_steps(struct relay *r)
{
	bool moved;
	do {
		r->want_rd = r->want_wr = r->want_app = 0;
		moved = from_client(r);
		moved |= to_app(r);
		moved |= from_app(r);
		moved |= to_client(r);
	} while (moved);
}

/* Waits for what the blocked steps need.  Returns NULL, or why the
 * relay must end: output for the client waited WRITE_TIMEOUT_MS, or
 * (which the steps rule out) nothing is left to wait for. */
static const char *wait_ready(struct relay *r)
{
	struct pollfd p[3];
	nfds_t n = 0;
	if (r->want_rd)
		p[n++] = (struct pollfd){ net_rfd(r->ssl), r->want_rd, 0 };
	if (r->want_wr)
		p[n++] = (struct pollfd){ net_wfd(r->ssl), r->want_wr, 0 };
	if (r->want_app)
		p[n++] = (struct pollfd){ r->app, r->want_app, 0 };
	if (n == 0)
		return "stalled";
	int timeout = r->to_net.len ? WRITE_TIMEOUT_MS : -1;
	int got = poll(p, n, timeout);
	if (got == 0)
		return "write-timeout";
	if (got < 0 && errno != EINTR)
		return "poll-error";
	return NULL;
}

void tls_relay(SSL *ssl, int app, struct relay_counts *counts)
{
	static struct relay r;
	memset(&r, 0, sizeof r);
	r.ssl = ssl;
	r.app = app;
	r.client_open = r.app_open = true;
	r.counts = counts;
	counts->end = "done";
	for (;;) {
		run_steps(&r);
		/* a client gone: closing APP is how the chain learns it */
		if (r.client_gone || (!r.app_open && !r.to_net.len))
			break;
		const char *stop = wait_ready(&r);
		if (stop) {
			counts->end = stop;
			break;
		}
	}
	bool say_goodbye = !r.client_gone && !r.to_net.len;
	explicit_bzero(&r, sizeof r);
	if (say_goodbye)
		SSL_shutdown(ssl);
}
