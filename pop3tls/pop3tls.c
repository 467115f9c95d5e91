/* pop3tls: TLS (1.2 and 1.3, through OpenSSL) as one link of the chain.
 *
 *   pop3tls [-n] [-T SECONDS] [-u USER] -f PEMFILE PROG [ARG...]
 *
 * As root it reads PEMFILE (the private key and the certificate chain)
 * afresh at every connection, so a renewed certificate serves the next
 * connection while running sessions keep the one they started with.
 * Then it forks.  The parent becomes PROG (pop3login), so the listener
 * still waits for the session itself; the child, which holds the key,
 * drops to USER (nobody), confines itself to the descriptors it has
 * (CONFINE_TLS), and only then reads a byte of the client:
 *
 *   POP3S (no -n)  the child does the handshake; the parent waits, and
 *                  only after a good handshake runs PROG with a socket to
 *                  the child on fds 0 and 1 and POP3_TLS_ON=1.
 *   STLS (-n)      PROG starts at once, the client in clear on fds 0 and
 *                  1, with the UCSPI-TLS variables: 'y' on SSLCTLFD
 *                  starts the handshake, the plaintext then goes through
 *                  SSLREADFD and SSLWRITEFD (one socket to the child).
 *                  Until then the child reads nothing of the client. */
#include "relay.h"

#include "confine.h"
#include "dropuser.h"
#include "die.h"
#include "exitcode.h"
#include "logvalue.h"
#include "scan_num.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	DEFAULT_HANDSHAKE_TIMEOUT = 30, /* seconds, as tlswrapper's -T */
	MAX_HANDSHAKE_TIMEOUT = 600,
	PEM_FILE_MAX = 1 << 20,         /* a key and a long chain fit easily */
};

static struct {
	bool delayed;
	unsigned timeout;
	const char *pem;
	const char *user;
	char **prog;
	const char *ip;
} opt;

static _Noreturn void usage(void)
{
	die(EXIT_MISUSE, "usage: pop3tls [-n] [-T seconds] [-u user] -f pemfile prog [arg...]");
}

static void parse_options(int argc, char **argv)
{
	int c;
	uint32_t n;
	opt.timeout = DEFAULT_HANDSHAKE_TIMEOUT;
	opt.user = "nobody";
	opterr = 0;
	while ((c = getopt(argc, argv, "+nT:u:f:")) != -1) {
		switch (c) {
		case 'n': opt.delayed = true; break;
		case 'T':
			if (!scan_u32(optarg, strlen(optarg), &n) || n == 0 || n > MAX_HANDSHAKE_TIMEOUT)
				die(EXIT_MISUSE, "bad handshake timeout: %s (1 to %d seconds)",
				    optarg, MAX_HANDSHAKE_TIMEOUT);
			opt.timeout = n;
			break;
		case 'u': opt.user = optarg; break;
		case 'f': opt.pem = optarg; break;
		default: usage();
		}
	}
	if (!opt.pem || optind >= argc)
		usage();
	opt.prog = argv + optind;
	opt.ip = getenv("TCPREMOTEIP");
	if (!opt.ip || !*opt.ip)
		opt.ip = "unknown";
}

/* The whole file in memory (wiped by the caller), so that the key and
 * the certificates come from one reading of it. */
static char *read_pem(size_t *len)
{
	int fd = open(opt.pem, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		die_sys(EXIT_TEMP, "cannot read %s", opt.pem);
	if (!S_ISREG(st.st_mode) || st.st_size > PEM_FILE_MAX)
		die(EXIT_MISUSE, "%s: not a regular file of at most %d octets", opt.pem, PEM_FILE_MAX);
	if (st.st_mode & 077)
		logline("warning: %s (the private key) can be read by others than its owner", opt.pem);
	char *buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		die_nomem();
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_sys(EXIT_TEMP, "cannot read %s", opt.pem);
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return buf;
}

/* A key file with a passphrase cannot be used here: no prompt. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1;
}

static void use_key_and_chain(SSL_CTX *ctx, const char *pem, size_t len)
{
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *key = b ? PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL) : NULL;
	BIO_free(b);
	if (!key || !SSL_CTX_use_PrivateKey(ctx, key))
		die(EXIT_MISUSE, "%s: no usable private key (an unencrypted PEM key)", opt.pem);
	EVP_PKEY_free(key);
	b = BIO_new_mem_buf(pem, (int)len);
	X509 *cert = b ? PEM_read_bio_X509(b, NULL, no_passphrase, NULL) : NULL;
	if (!cert || !SSL_CTX_use_certificate(ctx, cert))
		die(EXIT_MISUSE, "%s: no certificate", opt.pem);
	X509_free(cert);
	while ((cert = PEM_read_bio_X509(b, NULL, no_passphrase, NULL)))
		if (!SSL_CTX_add0_chain_cert(ctx, cert))
			die(EXIT_TEMP, "%s: cannot add a chain certificate", opt.pem);
	BIO_free(b);
	ERR_clear_error(); /* the end of the file, read as an error */
	if (!SSL_CTX_check_private_key(ctx))
		die(EXIT_MISUSE, "%s: the key does not match the first certificate", opt.pem);
}

static SSL_CTX *load_context(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION))
		die(EXIT_TEMP, "cannot set up OpenSSL");
	/* One process a connection: a session cache or a ticket key would
	 * die with it, so neither is offered.  A client that closes without
	 * close_notify (most do after QUIT) has ended normally: POP3 frames
	 * its own answers, so a cut-off is seen without TLS's help.  The
	 * decrypted records (the password among them) are wiped once read,
	 * as relay.c wipes its own buffers. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE
	                    | SSL_OP_NO_TICKET | SSL_OP_IGNORE_UNEXPECTED_EOF
	                    | SSL_OP_CLEANSE_PLAINTEXT);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	size_t len;
	char *pem = read_pem(&len);
	use_key_and_chain(ctx, pem, len);
	explicit_bzero(pem, len);
	free(pem);
	return ctx;
}

static void set_nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		die_sys(EXIT_TEMP, "fcntl");
}

/* The child's walls: no groups, USER's ids, not traceable, then the
 * room (no file, no process, no socket).  Run as another user than root
 * there is nothing to drop, and the room alone applies. */
static void drop_and_confine(const struct passwd *pw)
{
	if (pw && drop_user(pw) < 0)
		die_sys(EXIT_TEMP, "cannot drop privileges");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		die_sys(EXIT_TEMP, "prctl");
	confine(CONFINE_TLS, NULL);
}

/* STLS: the chain's 'y' (or 'Y') on the control socket.  Its end of
 * file (the dialogue is over, in clear or not at all) ends the child. */
static void wait_for_start(int ctl)
{
	char c;
	ssize_t n;
	while ((n = read(ctl, &c, 1)) < 0 && errno == EINTR)
		;
	if (n != 1 || (c != 'y' && c != 'Y'))
		_exit(EXIT_DONE);
	close(ctl);
}

/* The child: everything that touches the client's TLS bytes. */
static _Noreturn void tls_side(SSL_CTX *ctx, const struct passwd *pw, int app, int ctl, int go)
{
	signal(SIGPIPE, SIG_IGN);
	drop_and_confine(pw);
	if (ctl >= 0)
		wait_for_start(ctl);
	set_nonblocking(0);
	set_nonblocking(1);
	set_nonblocking(app);
	SSL *ssl = SSL_new(ctx);
	if (!ssl || !SSL_set_rfd(ssl, 0) || !SSL_set_wfd(ssl, 1))
		die(EXIT_TEMP, "cannot set up the TLS session");
	const char *why = NULL;
	if (!tls_handshake(ssl, (int)opt.timeout * 1000, &why)) {
		char v[LOG_VALUE_SIZE(64)];
		logline("handshake ip=%s result=failed why=%s", opt.ip,
		        log_value(v, sizeof v, why, strlen(why)));
		_exit(EXIT_REFUSED);
	}
	logline("tls ip=%s version=%s cipher=%s", opt.ip, SSL_get_version(ssl),
	        SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)));
	if (go >= 0 && (write(go, "g", 1) != 1 || close(go) < 0))
		_exit(EXIT_TEMP);
	struct relay_counts counts = { 0, 0, NULL };
	tls_relay(ssl, app, &counts);
	logline("end ip=%s in=%llu out=%llu how=%s", opt.ip,
	        (unsigned long long)counts.from_client, (unsigned long long)counts.to_client,
	        counts.end);
	_exit(EXIT_DONE);
}

static void set_env_fd(const char *name, int fd)
{
	char num[16];
	snprintf(num, sizeof num, "%d", fd);
	if (setenv(name, num, 1) < 0)
		die_nomem();
}

static void keep_across_exec(int fd)
{
	int fl = fcntl(fd, F_GETFD);
	if (fl < 0 || fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
		die_sys(EXIT_TEMP, "fcntl");
}

/* The parent: becomes PROG, with the plaintext socket APP where the
 * mode wants it. */
static _Noreturn void chain_side(int app, int ctl, int go)
{
	if (opt.delayed) {
		/* not encrypted yet, whatever the environment said */
		unsetenv("POP3_TLS_ON");
		keep_across_exec(ctl);
		keep_across_exec(app);
		set_env_fd("SSLCTLFD", ctl);
		set_env_fd("SSLREADFD", app);
		set_env_fd("SSLWRITEFD", app);
	} else {
		char c;
		ssize_t n;
		while ((n = read(go, &c, 1)) < 0 && errno == EINTR)
			;
		if (n != 1)
			_exit(EXIT_REFUSED); /* the child has said why */
		close(go);
		if (dup2(app, 0) < 0 || dup2(app, 1) < 0)
			die_sys(EXIT_TEMP, "dup2");
		close(app);
		if (setenv("POP3_TLS_ON", "1", 1) < 0)
			die_nomem();
	}
	execvp(opt.prog[0], opt.prog);
	die_sys(EXIT_TEMP, "cannot run %s", opt.prog[0]);
}

int main(int argc, char **argv)
{
	progname = "pop3tls";
	log_start();
	parse_options(argc, argv);
	SSL_CTX *ctx = load_context();
	const struct passwd *pw = NULL;
	if (geteuid() == 0) {
		errno = 0;
		pw = getpwnam(opt.user);
		if (!pw)
			die(EXIT_MISUSE, "unknown user %s", opt.user);
		if (pw->pw_uid == 0 || pw->pw_gid == 0)
			die(EXIT_MISUSE, "user %s has root's uid or gid", opt.user);
	}
	int data[2], ctl[2] = { -1, -1 }, go[2] = { -1, -1 };
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, data) < 0
	    || (opt.delayed && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl) < 0))
		die_sys(EXIT_TEMP, "socketpair");
	if (!opt.delayed && pipe2(go, O_CLOEXEC) < 0)
		die_sys(EXIT_TEMP, "pipe");
	pid_t pid = fork();
	if (pid < 0)
		die_sys(EXIT_TEMP, "fork");
	if (pid == 0) {
		close(data[0]);
		if (opt.delayed)
			close(ctl[0]);
		else
			close(go[0]);
		tls_side(ctx, pw, data[1], ctl[1], go[1]);
	}
	SSL_CTX_free(ctx);
	close(data[1]);
	if (opt.delayed)
		close(ctl[1]);
	else
		close(go[1]);
	chain_side(data[0], ctl[0], go[0]);
}
