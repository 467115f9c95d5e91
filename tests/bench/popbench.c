/* popbench: a fast POP3 benchmark client, the same for every server.
 *
 *   popbench [-H addr] -p port -u user -w pass MODE [-c clients] [-n n]
 *            [-k msgno] [-W window] [-x command]
 *
 *   login  each of -c threads runs -n sessions USER, PASS, STAT, QUIT;
 *          session latency percentiles and sessions per second; "%d" in
 *          the user name is the client's number from 1 (one mailbox each)
 *   stat   one session: time from PASS to the STAT answer (the server
 *          opens and scans the mailbox in between), then QUIT
 *   retr   one session: RETR of every message, in order, one at a time;
 *          octets received and MB/s; -x runs a shell command before QUIT
 *          (the benchmark reads the server's RSS there)
 *   retrp  the same, pipelined (RFC 2449 PIPELINING), as fetchmail and
 *          mpop fetch a whole mailbox: up to -W commands (default 32)
 *          in flight, the answers read in order as they come, more
 *          RETRs sent in one write whenever half the window has been
 *          answered; -W 1 is retr again
 *   dele   one session: DELE -k (default 1), then QUIT; the time QUIT
 *          takes is the write-back
 *
 * Prints one line of key=value pairs.  It checks framing only (status
 * lines, the end of each multi-line answer); pop3stress checks content.
 * Exit 0, 1 on any protocol failure, 2 usage. */
#include "clock.h"
#include "die.h"
#include "exitcode.h"
#include "scan_num.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
	MAX_CLIENTS = 256,
	MAX_LINE = 4096,
	IO_TIMEOUT = 120,       /* seconds per read or write */
	RECV_BUF = 256 * 1024,
	MAX_WINDOW = 1024,
};

static const char *host = "127.0.0.1", *user, *pass, *hook;
static uint32_t port, clients = 1, per_client = 100, dele_msg = 1, window = 32;
static struct sockaddr_in addr;

static double now(void)
{
	return (double)clock_ns() / 1e9;
}

struct conn {
	int fd;
	char *buf;
	size_t start, end;
	char line[MAX_LINE];
	uint64_t octets;   /* bytes of multi-line answers */
};

static bool conn_open(struct conn *c)
{
	c->start = c->end = 0;
	if (!c->buf && !(c->buf = malloc(RECV_BUF)))
		die_nomem();
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return false;
	struct timeval tv = { IO_TIMEOUT, 0 };
	int one = 1;
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
		close(c->fd);
		return false;
	}
	return true;
}

static bool fill(struct conn *c)
{
	for (;;) {
		ssize_t r = recv(c->fd, c->buf, RECV_BUF, 0);
		if (r > 0) {
			c->start = 0;
			c->end = (size_t)r;
			return true;
		}
		if (r < 0 && errno == EINTR)
			continue;
		return false;
	}
}

/* One status line into c->line (without CR LF); false on EOF. */
static bool get_line(struct conn *c)
{
	size_t len = 0;
	for (;;) {
		if (c->start == c->end && !fill(c))
			return false;
		char *nl = memchr(c->buf + c->start, '\n', c->end - c->start);
		size_t take = nl ? (size_t)(nl - c->buf - c->start) + 1 : c->end - c->start;
		size_t room = sizeof c->line - 1 - len;
		memcpy(c->line + len, c->buf + c->start, take < room ? take : room);
		len += take < room ? take : room;
		c->start += take;
		if (nl)
			break;
	}
	while (len && (c->line[len - 1] == '\n' || c->line[len - 1] == '\r'))
		len--;
	c->line[len] = 0;
	return true;
}

/* Skips a multi-line answer up to its "." line, counting octets. */
static bool skip_body(struct conn *c)
{
	bool line_start = true;  /* the status line just ended */
	unsigned dot_state = 0;  /* 1 ".", 2 ".\r" at a line start */
	for (;;) {
		if (c->start == c->end && !fill(c))
			return false;
		const char *p = c->buf + c->start, *end = c->buf + c->end;
		while (p < end) {
			if (line_start || dot_state) {
				char ch = *p++;
				if (dot_state == 0 && ch == '.')
					dot_state = 1;
				else if (dot_state == 1 && ch == '\r')
					dot_state = 2;
				else if (dot_state == 2 && ch == '\n') {
					c->octets += (uint64_t)(p - (c->buf + c->start));
					c->start = (size_t)(p - c->buf);
					return true;
				} else
					dot_state = 0;
				line_start = ch == '\n';
				continue;
			}
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			if (!nl) {
				p = end;
				break;
			}
			p = nl + 1;
			line_start = true;
		}
		c->octets += (uint64_t)(end - (c->buf + c->start));
		c->start = c->end;
	}
}

static bool send_all(struct conn *c, const char *s, size_t len)
{
	while (len) {
		ssize_t w = send(c->fd, s, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		s += w;
		len -= (size_t)w;
	}
	return true;
}

/* Sends CMD, reads the status line; true on +OK. */
static bool cmd_ok(struct conn *c, const char *cmd)
{
	return send_all(c, cmd, strlen(cmd)) && get_line(c) && strncmp(c->line, "+OK", 3) == 0;
}

/* The user name of client K: "%d" in -u becomes K + 1, so that each
 * client of the login test has a mailbox of its own. */
static void user_of(uint32_t k, char *out, size_t size)
{
	const char *mark = strstr(user, "%d");
	if (!mark)
		snprintf(out, size, "%s", user);
	else
		snprintf(out, size, "%.*s%" PRIu32 "%s", (int)(mark - user), user, k + 1, mark + 2);
}

static bool login(struct conn *c, uint32_t k)
{
	char cmd[600], name[256];
	if (!get_line(c) || strncmp(c->line, "+OK", 3) != 0)
		return false;
	user_of(k, name, sizeof name);
	snprintf(cmd, sizeof cmd, "USER %s\r\n", name);
	if (!cmd_ok(c, cmd))
		return false;
	snprintf(cmd, sizeof cmd, "PASS %s\r\n", pass);
	return cmd_ok(c, cmd);
}

static bool stat_count(struct conn *c, uint32_t *messages, uint64_t *octets)
{
	if (!cmd_ok(c, "STAT\r\n"))
		return false;
	const char *p = c->line + 4, *sp = strchr(p, ' ');
	return sp && scan_u32(p, (size_t)(sp - p), messages) && scan_u64(sp + 1, strlen(sp + 1), octets);
}

static _Noreturn void fail(struct conn *c, const char *what)
{
	fprintf(stderr, "popbench: %s failed: %s\n", what, c->line);
	exit(1);
}

/* ---- login: many short sessions -------------------------------- */

static double *latencies;
static uint64_t failures;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *login_thread(void *arg)
{
	uint32_t k = (uint32_t)(uintptr_t)arg;
	size_t slot = (size_t)k * per_client;
	struct conn c = { 0 };
	uint32_t m;
	uint64_t o;
	for (uint32_t i = 0; i < per_client; i++) {
		double t0 = now();
		bool ok = conn_open(&c) && login(&c, k) && stat_count(&c, &m, &o) && cmd_ok(&c, "QUIT\r\n");
		latencies[slot + i] = now() - t0;
		if (c.fd >= 0)
			close(c.fd);
		if (!ok) {
			pthread_mutex_lock(&lock);
			failures++;
			pthread_mutex_unlock(&lock);
		}
	}
	free(c.buf);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void mode_login(void)
{
	size_t total = (size_t)clients * per_client;
	latencies = calloc(total, sizeof *latencies);
	if (!latencies)
		die_nomem();
	pthread_t t[MAX_CLIENTS];
	double t0 = now();
	for (uint32_t i = 0; i < clients; i++)
		if (pthread_create(&t[i], NULL, login_thread, (void *)(uintptr_t)i) != 0)
			die(EXIT_TEMP, "cannot start a thread");
	for (uint32_t i = 0; i < clients; i++)
		pthread_join(t[i], NULL);
	double elapsed = now() - t0, sum = 0;
	for (size_t i = 0; i < total; i++)
		sum += latencies[i];
	qsort(latencies, total, sizeof *latencies, cmp_double);
	printf("mode=login clients=%" PRIu32 " sessions=%zu failures=%" PRIu64
		" seconds=%.3f rate=%.1f mean_ms=%.3f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f\n",
		clients, total, failures, elapsed, (double)total / elapsed, 1e3 * sum / (double)total,
		1e3 * latencies[total / 2], 1e3 * latencies[total * 9 / 10],
		1e3 * latencies[total * 99 / 100]);
	exit(failures ? 1 : 0);
}

/* ---- one-session modes ------------------------------------------ */

static void open_session(struct conn *c)
{
	if (!conn_open(c))
		die_sys(EXIT_TEMP, "cannot connect");
	if (!get_line(c) || strncmp(c->line, "+OK", 3) != 0)
		fail(c, "greeting");
	char cmd[600], name[256];
	user_of(0, name, sizeof name);
	snprintf(cmd, sizeof cmd, "USER %s\r\n", name);
	if (!cmd_ok(c, cmd))
		fail(c, "USER");
}

static void mode_stat(void)
{
	struct conn c = { 0 };
	uint32_t m;
	uint64_t o;
	char cmd[600];
	open_session(&c);
	snprintf(cmd, sizeof cmd, "PASS %s\r\n", pass);
	double t0 = now();
	if (!cmd_ok(&c, cmd))
		fail(&c, "PASS");
	double t1 = now();
	if (!stat_count(&c, &m, &o))
		fail(&c, "STAT");
	double t2 = now();
	if (!cmd_ok(&c, "QUIT\r\n"))
		fail(&c, "QUIT");
	printf("mode=stat messages=%" PRIu32 " octets=%" PRIu64 " pass_ms=%.3f stat_ms=%.3f total_ms=%.3f\n",
		m, o, 1e3 * (t1 - t0), 1e3 * (t2 - t1), 1e3 * (t2 - t0));
	exit(0);
}

/* RETR of every message: one at a time when PIPELINED is false, else
 * with up to `window` commands in flight.  Commands are small (under 20
 * octets), so even a full window fits in the socket's send buffer and a
 * blocking send cannot wait on a server that is itself blocked sending
 * answers we have not read yet. */
static void retr_all(bool pipelined)
{
	struct conn c = { 0 };
	uint32_t m;
	uint64_t o;
	char cmd[600];
	open_session(&c);
	snprintf(cmd, sizeof cmd, "PASS %s\r\n", pass);
	if (!cmd_ok(&c, cmd))
		fail(&c, "PASS");
	if (!stat_count(&c, &m, &o))
		fail(&c, "STAT");
	uint32_t w = pipelined ? window : 1;
	char *batch = malloc((size_t)w * 24);
	if (!batch)
		die_nomem();
	uint32_t sent = 0, answered = 0, writes = 0;
	double t0 = now();
	while (answered < m) {
		uint32_t inflight = sent - answered;
		if (sent < m && inflight <= w / 2) {
			size_t len = 0;
			while (sent < m && sent - answered < w)
				len += (size_t)sprintf(batch + len, "RETR %" PRIu32 "\r\n", ++sent);
			if (!send_all(&c, batch, len))
				fail(&c, "sending RETR");
			writes++;
		}
		if (!get_line(&c) || strncmp(c.line, "+OK", 3) != 0)
			fail(&c, "RETR");
		if (!skip_body(&c))
			fail(&c, "reading a RETR answer");
		answered++;
	}
	double elapsed = now() - t0;
	free(batch);
	if (hook) {
		fflush(stdout);
		if (system(hook) != 0)
			fprintf(stderr, "popbench: the -x command failed\n");
	}
	if (!cmd_ok(&c, "QUIT\r\n"))
		fail(&c, "QUIT");
	printf("mode=%s window=%" PRIu32 " writes=%" PRIu32 " messages=%" PRIu32
		" stat_octets=%" PRIu64 " wire_octets=%" PRIu64 " seconds=%.3f mb_per_s=%.1f\n",
		pipelined ? "retrp" : "retr", w, writes, m, o, c.octets, elapsed,
		(double)c.octets / 1e6 / elapsed);
	exit(0);
}

static void mode_dele(void)
{
	struct conn c = { 0 };
	uint32_t m;
	uint64_t o;
	char cmd[600];
	double t0 = now();
	open_session(&c);
	snprintf(cmd, sizeof cmd, "PASS %s\r\n", pass);
	if (!cmd_ok(&c, cmd))
		fail(&c, "PASS");
	if (!stat_count(&c, &m, &o))
		fail(&c, "STAT");
	snprintf(cmd, sizeof cmd, "DELE %" PRIu32 "\r\n", dele_msg);
	if (!cmd_ok(&c, cmd))
		fail(&c, "DELE");
	double t1 = now();
	if (!cmd_ok(&c, "QUIT\r\n"))
		fail(&c, "QUIT");
	double t2 = now();
	printf("mode=dele messages=%" PRIu32 " octets=%" PRIu64 " quit_ms=%.3f session_ms=%.3f\n",
		m, o, 1e3 * (t2 - t1), 1e3 * (t2 - t0));
	exit(0);
}

static uint32_t num(const char *s)
{
	uint32_t v;
	if (!scan_u32(s, strlen(s), &v))
		die(EXIT_MISUSE, "not a number: %s", s);
	return v;
}

int main(int argc, char **argv)
{
	progname = "popbench";
	int opt;
	while ((opt = getopt(argc, argv, "H:p:u:w:c:n:k:W:x:")) != -1) {
		switch (opt) {
		case 'H': host = optarg; break;
		case 'p': port = num(optarg); break;
		case 'u': user = optarg; break;
		case 'w': pass = optarg; break;
		case 'c': clients = num(optarg); break;
		case 'n': per_client = num(optarg); break;
		case 'k': dele_msg = num(optarg); break;
		case 'W': window = num(optarg); break;
		case 'x': hook = optarg; break;
		default: die(EXIT_MISUSE, "usage: popbench [-H addr] -p port -u user -w pass "
			"login|stat|retr|retrp|dele [-c clients] [-n sessions] [-k msgno] [-W window] [-x command]");
		}
	}
	if (optind + 1 != argc || !user || !pass || port == 0 || port > 65535
	    || clients < 1 || clients > MAX_CLIENTS || per_client < 1 || per_client > 1000000
	    || window < 1 || window > MAX_WINDOW
	    || strlen(user) > 200 || strlen(pass) > 200)
		die(EXIT_MISUSE, "usage: popbench [-H addr] -p port -u user -w pass "
			"login|stat|retr|retrp|dele (clients 1..%d, window 1..%d)", MAX_CLIENTS, MAX_WINDOW);
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
		die(EXIT_MISUSE, "the address must be numeric IPv4: %s", host);
	const char *mode = argv[optind];
	if (strcmp(mode, "login") == 0)
		mode_login();
	else if (strcmp(mode, "stat") == 0)
		mode_stat();
	else if (strcmp(mode, "retr") == 0)
		retr_all(false);
	else if (strcmp(mode, "retrp") == 0)
		retr_all(true);
	else if (strcmp(mode, "dele") == 0)
		mode_dele();
	die(EXIT_MISUSE, "unknown mode: %s", mode);
}
