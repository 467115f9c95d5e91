/* pop3stress: many POP3 clients on one mailbox while mail is delivered
 * into it, then an account of every message delivered.
 *
 * Each client thread runs sessions: connect, USER/PASS, STAT, then a
 * random mix of commands (weights from -m) until it picks QUIT, a drop
 * (close without QUIT) or a vanish (close in the middle of a RETR).  A
 * delivery thread meanwhile feeds numbered messages to a real delivery
 * agent.  Every message carries "X-Stress-Id: RUN.N" and a body that is
 * a pure function of RUN and N, so any copy read back is checked byte by
 * byte.  A deletion counts only once QUIT has been answered "+OK"; when
 * the answer is lost the deletion is "uncertain" and either outcome is
 * accepted.  At the end one last session reads every message (and -M
 * counts the copies in the mailbox files themselves): each delivered
 * message must be deleted, or present exactly once and intact.
 *
 * The tool talks only to the address given with -H/-p; it is bounded by
 * -t seconds and -n sessions.  Exit: 0 intact, 1 an integrity failure,
 * 2 usage, 111 the final account could not be made. */
#include "clock.h"
#include "die.h"
#include "exitcode.h"
#include "scan_num.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum {
	MAX_CLIENTS = 512,
	MAX_MESSAGES = 1000000,       /* deliveries per run */
	MAX_LINE = 8192,              /* a response line; longer is an error */
	MAX_MSG_BYTES = 64 << 20,     /* a retrieved message */
	MAX_SAMPLES = 1 << 20,        /* latency samples kept per kind */
	FINAL_LOGIN_TRIES = 120,      /* final session: IN-USE retries, 0.5 s apart */
	DEFAULT_TIMEOUT = 30,         /* seconds per socket read or write */
	DEFAULT_CMDS = 20,            /* commands per session at most */
};

/* The command mix. */
enum op { OP_STAT, OP_LIST, OP_UIDL, OP_RETR, OP_TOP, OP_DELE, OP_RSET,
	OP_NOOP, OP_QUIT, OP_DROP, OP_VANISH, OP_COUNT };
static const char *const op_name[OP_COUNT] = { "stat", "list", "uidl",
	"retr", "top", "dele", "rset", "noop", "quit", "drop", "vanish" };
static unsigned op_weight[OP_COUNT] = { 2, 2, 2, 6, 2, 4, 1, 1, 3, 1, 1 };

/* Latency kinds: one per command, plus whole sessions and logins. */
enum { LAT_SESSION = OP_COUNT, LAT_LOGIN, LAT_KINDS };

/* What is known of delivered message N. */
struct msgstate {
	unsigned char delivered;     /* 1 agent said yes, 2 agent failed */
	unsigned char deleted;       /* committed by a "+OK" to QUIT */
	unsigned char maybe_deleted; /* DELE then QUIT without an answer */
	unsigned char err_deleted;   /* DELE then QUIT answered -ERR */
	double deleted_at;           /* monotonic seconds of the commit */
	uint32_t retrieved;          /* intact copies read during the run */
};

static struct config {
	const char *host, *port, *user, *pass;
	unsigned clients;
	double seconds;
	uint64_t max_sessions;
	double interval_ms;
	unsigned max_cmds;
	const char *agent;          /* procmail:PATH, maildrop:PATH/, cmd:... */
	uint64_t deliveries;        /* how many to deliver at most */
	double delivery_ms;         /* pause between deliveries */
	const char *mailbox;        /* -M: count copies in the files */
	unsigned max_kb;            /* largest body */
	int timeout;
	bool verbose;
	bool strict;                /* errors fail the run too */
	bool no_final;
	bool partial_ok;            /* -P: "-ERR" to QUIT may have deleted some */
} cfg = {
	.host = "127.0.0.1", .port = "110", .clients = 4, .seconds = 10,
	.max_sessions = UINT64_MAX, .max_cmds = DEFAULT_CMDS,
	.deliveries = 0, .delivery_ms = 10, .max_kb = 64,
	.timeout = DEFAULT_TIMEOUT,
};

static char run_id[17];
static struct sockaddr_storage server_addr;
static socklen_t server_addrlen;
static double t_start, t_end;
static atomic_bool stopping;
static atomic_uint_fast64_t sessions_started;

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static struct msgstate *msgs;      /* index 1..deliveries */
static uint64_t delivered_max;     /* highest N handed to the agent */

/* Counters, under state_lock. */
static struct counters {
	uint64_t sessions, quit_ok, quit_err, quit_lost, drops, vanishes;
	uint64_t busy, login_fail, connect_fail, errors, gone;
	uint64_t commands[OP_COUNT];
	uint64_t bytes_retrieved, messages_retrieved, foreign;
	uint64_t deliver_ok, deliver_fail;
	uint64_t altered, resurrected, size_mismatch, unknown_seq;
} count;

/* Integrity failures found during the run, named once each. */
static void integrity_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static void integrity_fail(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fprintf(stderr, "pop3stress: INTEGRITY %s\n", line);
}

static void error_note(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static void error_note(const char *fmt, ...)
{
	if (!cfg.verbose)
		return;
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fprintf(stderr, "pop3stress: error %s\n", line);
}

static double now(void)
{
	return (double)clock_ns() / 1e9;
}

static void pause_ms(double ms)
{
	if (ms <= 0)
		return;
	struct timespec ts = { (time_t)(ms / 1000),
		(long)((ms - (double)(time_t)(ms / 1000) * 1000) * 1e6) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- the expected message ---------------------------------------- */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27; x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

struct rng { uint64_t s; };
static uint64_t rng_next(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return mix64(r->s);
}
static unsigned rng_below(struct rng *r, unsigned n)
{
	return n ? (unsigned)(rng_next(r) % n) : 0;
}

struct buf { char *p; size_t len, cap; };
static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			die_nomem();
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

/* The body of message N: lines of 0..150 printable octets, some
 * starting with "." or "..", some empty, a few with trailing blanks,
 * never a line starting "From " or ">From " (mbox quoting would make
 * the stored form differ from the delivered one legitimately).  It ends
 * with a non-empty line so that a separator blank line the mbox adds can
 * be told from the body. */
static void expected_body(uint64_t n, struct buf *out)
{
	static const char alphabet[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:-_=+/()<>'\"!?";
	struct rng r = { mix64(n * 0x100000001b3ULL ^ strtoull(run_id, NULL, 16)) };
	size_t target = 200 + rng_below(&r, 3000);
	unsigned pick = rng_below(&r, 100);
	if (pick < 5)
		target = 20000 + rng_below(&r, 40000);
	if (pick == 0)
		target = (size_t)cfg.max_kb * 1024 / 2 + rng_below(&r, cfg.max_kb * 512 + 1);
	if (target > (size_t)cfg.max_kb * 1024)
		target = (size_t)cfg.max_kb * 1024;
	char line[200];
	out->len = 0;
	while (out->len < target) {
		unsigned kind = rng_below(&r, 20);
		size_t len = rng_below(&r, 150), i = 0;
		if (kind == 0)
			len = 0;
		if (kind == 1)
			line[i++] = '.';
		if (kind == 2) {
			line[i++] = '.';
			line[i++] = '.';
		}
		if (kind == 3 && len < 2) {
			line[i++] = '.';  /* a line of only "." must be stuffed */
			len = 1;
		}
		for (; i < len; i++)
			line[i] = alphabet[rng_below(&r, sizeof alphabet - 1)];
		if (kind == 4 && len > 2)
			line[len - 1] = ' ';
		if (len >= 5 && (memcmp(line, "From ", 5) == 0))
			line[0] = 'f';
		if (len >= 6 && (memcmp(line, ">From ", 6) == 0))
			line[0] = ']';
		line[len] = '\n';
		buf_add(out, line, len + 1);
	}
	char tail[64];
	int k = snprintf(tail, sizeof tail, "end of message %" PRIu64 "\n", n);
	buf_add(out, tail, (size_t)k);
}

static void expected_message(uint64_t n, struct buf *out)
{
	struct buf body = { 0 };
	char head[512];
	expected_body(n, &body);
	int k = snprintf(head, sizeof head,
		"From: pop3stress <stress@localhost>\n"
		"To: %s\n"
		"Subject: pop3stress %s message %" PRIu64 "\n"
		"Message-ID: <%s.%" PRIu64 "@pop3stress>\n"
		"X-Stress-Id: %s.%" PRIu64 "\n\n",
		cfg.user, run_id, n, run_id, n, run_id, n);
	out->len = 0;
	buf_add(out, head, (size_t)k);
	buf_add(out, body.p, body.len);
	free(body.p);
}

/* ---- checking a message read back -------------------------------- */

/* Finds "X-Stress-Id: RUN.N" in the header of MSG (LF line ends).
 * Returns 1 ours (sets *N), 0 not ours, -1 ours but unreadable. */
static int stress_id(const char *msg, size_t len, uint64_t *n)
{
	const char *p = msg, *end = msg + len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if (eol == p)
			break;  /* end of the header */
		if ((size_t)(eol - p) > 13 && strncasecmp(p, "X-Stress-Id: ", 13) == 0) {
			const char *v = p + 13;
			if ((size_t)(eol - v) < 18 || memcmp(v, run_id, 16) != 0)
				return 0;
			if (v[16] != '.')
				return -1;
			return scan_u64(v + 17, (size_t)(eol - v - 17), n) ? 1 : -1;
		}
		p = eol + 1;
	}
	return 0;
}

/* The body of a message read back must be the expected one; trailing
 * empty lines are not compared (an mbox keeps one as the separator, and
 * some servers send it). */
static bool body_intact(uint64_t n, const char *msg, size_t len)
{
	const char *sep = memmem(msg, len, "\n\n", 2);
	if (!sep)
		return false;
	const char *body = sep + 2;
	size_t blen = len - (size_t)(body - msg);
	struct buf want = { 0 };
	expected_body(n, &want);
	while (blen > 0 && body[blen - 1] == '\n' && blen > want.len)
		blen--;
	bool same = blen == want.len && memcmp(body, want.p, blen) == 0;
	free(want.p);
	return same;
}

/* ---- latency samples --------------------------------------------- */

struct samples { float *v; size_t n; uint64_t total; };
static struct samples lat[LAT_KINDS];
static pthread_mutex_t lat_lock = PTHREAD_MUTEX_INITIALIZER;

static void lat_add(int kind, double seconds)
{
	pthread_mutex_lock(&lat_lock);
	struct samples *s = &lat[kind];
	s->total++;
	if (!s->v)
		s->v = calloc(MAX_SAMPLES, sizeof *s->v);
	if (s->v) {
		if (s->n < MAX_SAMPLES)
			s->v[s->n++] = (float)seconds;
		else  /* keep a fair sample of a long run */
			s->v[mix64(s->total) % MAX_SAMPLES] = (float)seconds;
	}
	pthread_mutex_unlock(&lat_lock);
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

/* ---- a connection ------------------------------------------------ */

struct conn {
	int fd;
	char in[65536];
	size_t start, end;
	char line[MAX_LINE + 1];
	size_t line_len;
};

static bool conn_open(struct conn *c)
{
	c->start = c->end = 0;
	c->fd = socket(server_addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return false;
	struct timeval tv = { cfg.timeout, 0 };
	int one = 1;
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(c->fd, (struct sockaddr *)&server_addr, server_addrlen) < 0) {
		close(c->fd);
		c->fd = -1;
		return false;
	}
	return true;
}

/* Closes; RESET sends an RST rather than a FIN (a client that vanishes). */
static void conn_close(struct conn *c, bool reset)
{
	if (c->fd < 0)
		return;
	if (reset) {
		struct linger lg = { 1, 0 };
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	}
	close(c->fd);
	c->fd = -1;
}

static bool conn_send(struct conn *c, const char *s)
{
	size_t len = strlen(s), off = 0;
	while (off < len) {
		ssize_t w = send(c->fd, s + off, len - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		off += (size_t)w;
	}
	return true;
}

/* Reads one line into c->line without its CR LF.  Returns 1, 0 at end
 * of file or error, -1 for a line without CR LF or too long. */
static int conn_line(struct conn *c)
{
	c->line_len = 0;
	for (;;) {
		if (c->start == c->end) {
			ssize_t r = recv(c->fd, c->in, sizeof c->in, 0);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return 0;
			c->start = 0;
			c->end = (size_t)r;
		}
		char *nl = memchr(c->in + c->start, '\n', c->end - c->start);
		size_t take = nl ? (size_t)(nl - (c->in + c->start)) + 1 : c->end - c->start;
		if (c->line_len + take > MAX_LINE)
			return -1;
		memcpy(c->line + c->line_len, c->in + c->start, take);
		c->line_len += take;
		c->start += take;
		if (nl) {
			if (c->line_len < 2 || c->line[c->line_len - 2] != '\r')
				return -1;
			c->line_len -= 2;
			c->line[c->line_len] = 0;
			return 1;
		}
	}
}

/* Reads a multi-line body up to "." into OUT with LF line ends and the
 * dot-stuffing removed; *OCTETS gets the CR LF size as LIST counts it.
 * Returns 1, 0 at a dropped connection, -1 for a protocol error. */
static int conn_multiline(struct conn *c, struct buf *out, uint64_t *octets)
{
	out->len = 0;
	*octets = 0;
	for (;;) {
		int r = conn_line(c);
		if (r <= 0)
			return r;
		const char *s = c->line;
		size_t len = c->line_len;
		if (len == 1 && s[0] == '.')
			return 1;
		if (len > 0 && s[0] == '.') {
			s++;
			len--;
		}
		if (out->len + len + 1 > MAX_MSG_BYTES)
			return -1;
		buf_add(out, s, len);
		buf_add(out, "\n", 1);
		*octets += len + 2;
	}
}

static bool is_ok(const struct conn *c) { return strncmp(c->line, "+OK", 3) == 0; }
static bool is_err(const struct conn *c) { return strncmp(c->line, "-ERR", 4) == 0; }

/* Sends CMD and reads the status line; 1 +OK, 0 -ERR, -1 anything else
 * or a dropped connection. */
static int command(struct conn *c, const char *cmd)
{
	if (!conn_send(c, cmd))
		return -1;
	if (conn_line(c) <= 0)
		return -1;
	return is_ok(c) ? 1 : is_err(c) ? 0 : -1;
}

/* ---- a session --------------------------------------------------- */

struct session {
	struct conn conn;
	struct rng rng;
	uint32_t messages;        /* from STAT at the start */
	uint64_t *seq;            /* message number -> N, 0 unknown */
	uint64_t *size;           /* from LIST, UINT64_MAX unknown */
	unsigned char *deleted;   /* DELE'd in this session */
	double login_at;
	struct buf msg;
};

static void count_add(uint64_t *counter, uint64_t n)
{
	pthread_mutex_lock(&state_lock);
	*counter += n;
	pthread_mutex_unlock(&state_lock);
}

/* A message read back during the run: ours and intact, or named. */
static void check_retrieved(struct session *s, uint32_t msgno, uint64_t octets)
{
	uint64_t n;
	int mine = stress_id(s->msg.p, s->msg.len, &n);
	if (mine == 0) {
		count_add(&count.foreign, 1);
		return;
	}
	pthread_mutex_lock(&state_lock);
	count.messages_retrieved++;
	count.bytes_retrieved += octets;
	if (mine < 0 || n == 0 || n > delivered_max) {
		count.unknown_seq++;
		pthread_mutex_unlock(&state_lock);
		integrity_fail("message %" PRIu32 " carries an unknown stress id", msgno);
		return;
	}
	struct msgstate *m = &msgs[n];
	bool resurrected = m->deleted && m->deleted_at < s->login_at;
	if (resurrected)
		count.resurrected++;
	pthread_mutex_unlock(&state_lock);
	if (resurrected)
		integrity_fail("message %" PRIu64 " was served again after its deletion was committed", n);
	s->seq[msgno] = n;
	if (s->size[msgno] != UINT64_MAX && s->size[msgno] != octets) {
		count_add(&count.size_mismatch, 1);
		integrity_fail("message %" PRIu64 ": LIST said %" PRIu64 " octets, RETR sent %" PRIu64,
			n, s->size[msgno], octets);
	}
	if (!body_intact(n, s->msg.p, s->msg.len)) {
		count_add(&count.altered, 1);
		integrity_fail("message %" PRIu64 " (number %" PRIu32 ") is altered", n, msgno);
		return;
	}
	pthread_mutex_lock(&state_lock);
	m->retrieved++;
	pthread_mutex_unlock(&state_lock);
}

/* A message number not deleted in this session, or 0. */
static uint32_t pick_message(struct session *s)
{
	if (s->messages == 0)
		return 0;
	for (int tries = 0; tries < 8; tries++) {
		uint32_t k = 1 + rng_below(&s->rng, s->messages);
		if (!s->deleted[k])
			return k;
	}
	return 0;
}

static enum op pick_op(struct session *s)
{
	unsigned total = 0;
	for (int i = 0; i < OP_COUNT; i++)
		total += op_weight[i];
	unsigned x = rng_below(&s->rng, total);
	for (int i = 0; i < OP_COUNT; i++) {
		if (x < op_weight[i])
			return (enum op)i;
		x -= op_weight[i];
	}
	return OP_QUIT;
}

/* Reads a multi-line answer and throws it away; false on a failure. */
static bool skip_multiline(struct session *s)
{
	uint64_t octets;
	return conn_multiline(&s->conn, &s->msg, &octets) == 1;
}

static bool do_list(struct session *s)
{
	if (command(&s->conn, "LIST\r\n") != 1)
		return false;
	uint64_t octets;
	if (conn_multiline(&s->conn, &s->msg, &octets) != 1)
		return false;
	char *p = s->msg.p, *end = s->msg.p + s->msg.len;
	while (p < end) {
		char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			break;
		char *sp = memchr(p, ' ', (size_t)(eol - p));
		uint32_t k;
		uint64_t size;
		if (sp && scan_u32(p, (size_t)(sp - p), &k) && k >= 1 && k <= s->messages
		    && scan_u64(sp + 1, (size_t)(eol - sp - 1), &size))
			s->size[k] = size;
		p = eol + 1;
	}
	return true;
}

/* TOP k 0 to learn which message number k is. */
static bool learn_seq(struct session *s, uint32_t k)
{
	char cmd[64];
	snprintf(cmd, sizeof cmd, "TOP %" PRIu32 " 0\r\n", k);
	int r = command(&s->conn, cmd);
	if (r < 0)
		return false;
	count_add(&count.commands[OP_TOP], 1);
	if (r == 0)
		return true;
	uint64_t octets, n;
	if (conn_multiline(&s->conn, &s->msg, &octets) != 1)
		return false;
	if (stress_id(s->msg.p, s->msg.len, &n) == 1)
		s->seq[k] = n;
	return true;
}

static void commit_deletions(struct session *s, int how)
{
	double t = now();
	pthread_mutex_lock(&state_lock);
	for (uint32_t k = 1; k <= s->messages; k++) {
		uint64_t n = s->seq[k];
		if (!s->deleted[k] || n == 0 || n > delivered_max)
			continue;
		if (how == 1) {
			msgs[n].deleted = 1;
			msgs[n].deleted_at = t;
		} else if (how == -1) {
			msgs[n].maybe_deleted = 1;
		} else if (how == -2) {
			msgs[n].err_deleted = 1;
		}
	}
	pthread_mutex_unlock(&state_lock);
}

/* One command of the mix.  Returns 1 to go on, 0 the session ended
 * normally, -1 it broke. */
static int session_step(struct session *s, enum op op)
{
	char cmd[64];
	double t0 = now();
	uint32_t k;
	int r = 1;
	switch (op) {
	case OP_STAT:
		r = command(&s->conn, "STAT\r\n") == 1 ? 1 : -1;
		break;
	case OP_LIST:
		r = do_list(s) ? 1 : -1;
		break;
	case OP_UIDL:
		r = command(&s->conn, "UIDL\r\n") == 1 && skip_multiline(s) ? 1 : -1;
		break;
	case OP_NOOP:
		r = command(&s->conn, "NOOP\r\n") == 1 ? 1 : -1;
		break;
	case OP_RSET:
		r = command(&s->conn, "RSET\r\n") == 1 ? 1 : -1;
		if (r == 1)
			memset(s->deleted, 0, s->messages + 1);
		break;
	case OP_RETR:
	case OP_TOP:
		if (!(k = pick_message(s)))
			return 1;
		if (op == OP_RETR)
			snprintf(cmd, sizeof cmd, "RETR %" PRIu32 "\r\n", k);
		else
			snprintf(cmd, sizeof cmd, "TOP %" PRIu32 " %u\r\n", k, rng_below(&s->rng, 10));
		r = command(&s->conn, cmd);
		if (r == 0 && strstr(s->conn.line, "gone")) {
			count_add(&count.gone, 1);
			r = 1;
			break;
		}
		if (r != 1) {
			error_note("%s answered: %s", cmd, s->conn.line);
			r = -1;
			break;
		}
		uint64_t octets;
		if (conn_multiline(&s->conn, &s->msg, &octets) != 1) {
			r = -1;
			break;
		}
		if (op == OP_RETR)
			check_retrieved(s, k, octets);
		else {
			uint64_t n;
			if (stress_id(s->msg.p, s->msg.len, &n) == 1)
				s->seq[k] = n;
		}
		r = 1;
		break;
	case OP_DELE:
		if (!(k = pick_message(s)))
			return 1;
		if (!s->seq[k] && !learn_seq(s, k))
			return -1;
		/* only mail known to be ours is deleted: not a stranger's, and
		 * not one whose TOP said "gone" (its DELE would still succeed
		 * and remove it under its new name, unseen by the account) */
		if (!s->seq[k])
			return 1;
		snprintf(cmd, sizeof cmd, "DELE %" PRIu32 "\r\n", k);
		r = command(&s->conn, cmd);
		if (r == 1)
			s->deleted[k] = 1;
		else if (r == 0 && strstr(s->conn.line, "gone"))
			r = 1;
		else
			r = -1;
		break;
	case OP_QUIT:
		if (!conn_send(&s->conn, "QUIT\r\n") || conn_line(&s->conn) <= 0) {
			commit_deletions(s, -1);
			count_add(&count.quit_lost, 1);
			return -1;
		}
		if (is_ok(&s->conn)) {
			commit_deletions(s, 1);
			count_add(&count.quit_ok, 1);
		} else {
			/* a failed write-back must have changed nothing; with -P
			 * (a Maildir deletes one file at a time) it may have
			 * deleted some */
			commit_deletions(s, -2);
			count_add(&count.quit_err, 1);
			error_note("QUIT answered: %s", s->conn.line);
		}
		r = 0;
		break;
	case OP_DROP:
		count_add(&count.drops, 1);
		return 0;
	case OP_VANISH:
		if (!(k = pick_message(s)))
			return 1;
		snprintf(cmd, sizeof cmd, "RETR %" PRIu32 "\r\n", k);
		conn_send(&s->conn, cmd);
		conn_line(&s->conn);
		count_add(&count.vanishes, 1);
		return 0;
	default:
		return 1;
	}
	lat_add(op, now() - t0);
	count_add(&count.commands[op], 1);
	if (r < 0)
		error_note("%s failed: %.200s", op_name[op], s->conn.line);
	return r;
}

/* USER/PASS/STAT.  Returns 1 logged in, 0 busy or refused, -1 broken. */
static int session_login(struct session *s)
{
	char cmd[600];
	if (conn_line(&s->conn) <= 0 || !is_ok(&s->conn))
		return -1;
	snprintf(cmd, sizeof cmd, "USER %s\r\n", cfg.user);
	if (command(&s->conn, cmd) != 1)
		return -1;
	snprintf(cmd, sizeof cmd, "PASS %s\r\n", cfg.pass);
	int r = command(&s->conn, cmd);
	if (r == 0) {
		if (strstr(s->conn.line, "IN-USE") || strstr(s->conn.line, "in use")
		    || strstr(s->conn.line, "locked"))
			count_add(&count.busy, 1);
		else {
			count_add(&count.login_fail, 1);
			error_note("PASS answered: %s", s->conn.line);
		}
		return 0;
	}
	if (r < 0)
		return -1;
	s->login_at = now();
	double t0 = now();
	if (command(&s->conn, "STAT\r\n") != 1)
		return -1;
	lat_add(OP_STAT, now() - t0);
	count_add(&count.commands[OP_STAT], 1);
	const char *sp = strchr(s->conn.line + 4, ' ');
	uint32_t m;
	if (!sp || !scan_u32(s->conn.line + 4, (size_t)(sp - s->conn.line - 4), &m)
	    || m > 10000000)
		return -1;
	s->messages = m;
	s->seq = calloc((size_t)m + 1, sizeof *s->seq);
	s->size = malloc(((size_t)m + 1) * sizeof *s->size);
	s->deleted = calloc((size_t)m + 1, 1);
	if (!s->seq || !s->size || !s->deleted)
		die_nomem();
	for (uint32_t k = 0; k <= m; k++)
		s->size[k] = UINT64_MAX;
	return 1;
}

static void session_run(struct session *s)
{
	double t0 = now();
	s->messages = 0;
	s->seq = NULL;
	s->size = NULL;
	s->deleted = NULL;
	if (!conn_open(&s->conn)) {
		count_add(&count.connect_fail, 1);
		pause_ms(10);
		return;
	}
	int r = session_login(s);
	if (r == 1) {
		lat_add(LAT_LOGIN, now() - t0);
		bool reset = false;
		for (unsigned i = 0; i < cfg.max_cmds && r == 1; i++) {
			pause_ms(cfg.interval_ms);
			enum op op = i + 1 == cfg.max_cmds ? OP_QUIT : pick_op(s);
			reset = op == OP_VANISH && (rng_below(&s->rng, 2) == 0);
			r = session_step(s, op);
		}
		conn_close(&s->conn, reset);
		if (r < 0)
			count_add(&count.errors, 1);
		else
			lat_add(LAT_SESSION, now() - t0);
	} else {
		if (r < 0) {
			count_add(&count.errors, 1);
			error_note("login failed: %.200s", s->conn.line);
		}
		if (s->conn.fd >= 0)
			conn_send(&s->conn, "QUIT\r\n");
		conn_close(&s->conn, false);
		/* a busy mailbox is retried soon; a broken server is not
		 * hammered in a tight loop */
		pause_ms(r == 0 ? 2 : 20);
	}
	count_add(&count.sessions, 1);
	free(s->seq);
	free(s->size);
	free(s->deleted);
}

static void *client_thread(void *arg)
{
	struct session *s = calloc(1, sizeof *s);
	if (!s)
		die_nomem();
	s->rng.s = mix64((uintptr_t)arg ^ (uint64_t)getpid() << 20 ^ (uint64_t)time(NULL));
	while (!atomic_load(&stopping) && now() < t_end) {
		if (atomic_fetch_add(&sessions_started, 1) >= cfg.max_sessions)
			break;
		session_run(s);
	}
	free(s->msg.p);
	free(s);
	return NULL;
}

/* ---- delivery ---------------------------------------------------- */

static uid_t deliver_uid;
static gid_t deliver_gid;
static const char *deliver_name;
static char filter_path[256];

/* Deliveries run as the owner of the mailbox when we are root, the way
 * a real delivery agent would be started. */
static void pick_delivery_user(const char *path)
{
	struct stat st;
	char dir[4096];
	if (geteuid() != 0 || !path)
		return;
	if (stat(path, &st) < 0) {
		snprintf(dir, sizeof dir, "%s", path);
		char *slash = strrchr(dir, '/');
		if (slash && slash != dir)
			*slash = 0;
		else
			snprintf(dir, sizeof dir, ".");
		if (stat(dir, &st) < 0)
			return;
	}
	struct passwd *pw = getpwuid(st.st_uid);
	deliver_uid = st.st_uid;
	deliver_gid = pw ? pw->pw_gid : st.st_gid;
	deliver_name = pw ? strdup(pw->pw_name) : NULL;
}

static void setup_agent(void)
{
	if (!cfg.agent)
		return;
	if (strncmp(cfg.agent, "procmail:", 9) == 0)
		pick_delivery_user(cfg.agent + 9);
	else if (strncmp(cfg.agent, "maildrop:", 9) == 0) {
		const char *md = cfg.agent + 9;
		pick_delivery_user(md);
		/* maildrop wants a filter file of its user, mode 600 */
		snprintf(filter_path, sizeof filter_path, "/tmp/pop3stress-%s.mailfilter", run_id);
		int fd = open(filter_path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd < 0)
			die_sys(EXIT_TEMP, "cannot create %s", filter_path);
		dprintf(fd, "to \"%s\"\n", md);
		if (deliver_uid && fchown(fd, deliver_uid, deliver_gid) < 0)
			die_sys(EXIT_TEMP, "cannot chown %s", filter_path);
		close(fd);
	} else if (strncmp(cfg.agent, "cmd:", 4) == 0)
		pick_delivery_user(cfg.mailbox);
	else
		die(EXIT_MISUSE, "agent must be procmail:MBOX, maildrop:MAILDIR/ or cmd:COMMAND");
}

static _Noreturn void exec_agent(void)
{
	if (deliver_uid) {
		if (setgid(deliver_gid) < 0
		    || (deliver_name ? initgroups(deliver_name, deliver_gid) : setgroups(0, NULL)) < 0
		    || setuid(deliver_uid) < 0)
			_exit(111);
	}
	if (strncmp(cfg.agent, "procmail:", 9) == 0) {
		char def[4200];
		snprintf(def, sizeof def, "DEFAULT=%s", cfg.agent + 9);
		/* procmail's default of 8 s between tries at a held lock
		 * would let a short run deliver only a handful of messages */
		execlp("procmail", "procmail", "-m", "LOCKSLEEP=1", def, "/dev/null", (char *)NULL);
	} else if (strncmp(cfg.agent, "maildrop:", 9) == 0)
		execlp("maildrop", "maildrop", filter_path, (char *)NULL);
	else
		execl("/bin/sh", "sh", "-c", cfg.agent + 4, (char *)NULL);
	_exit(127);
}

/* Hands message N to the agent; true when it exited 0. */
static bool deliver_one(uint64_t n, struct buf *msg)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return false;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return false;
	}
	if (pid == 0) {
		if (dup2(p[0], 0) < 0)
			_exit(111);
		exec_agent();
	}
	close(p[0]);
	expected_message(n, msg);
	/* procmail -m writes no "From " line of its own; as an LDA it
	 * would, so give it one as an MTA gives it the envelope */
	static const char envelope[] = "From pop3stress@localhost Thu Nov 26 06:00:00 2026\n";
	bool procmail = strncmp(cfg.agent, "procmail:", 9) == 0;
	if (procmail && write(p[1], envelope, sizeof envelope - 1) != (ssize_t)(sizeof envelope - 1)) {
		close(p[1]);
		waitpid(pid, NULL, 0);
		return false;
	}
	size_t off = 0;
	while (off < msg->len) {
		ssize_t w = write(p[1], msg->p + off, msg->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(p[1]);
	/* an agent stuck on a lock is killed after the timeout bound, so
	 * that the run ends; its message counts as a failed delivery */
	int status;
	double give_up = now() + 2.0 * cfg.timeout;
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return false;
		if (now() > give_up) {
			fprintf(stderr, "pop3stress: delivery agent stuck for %ds, killed\n", 2 * cfg.timeout);
			kill(pid, SIGKILL);
			give_up = now() + 3600;
		}
		pause_ms(1);
	}
	return off == msg->len && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void *delivery_thread(void *arg)
{
	(void)arg;
	struct buf msg = { 0 };
	for (uint64_t n = 1; n <= cfg.deliveries; n++) {
		if (atomic_load(&stopping) || now() >= t_end)
			break;
		pthread_mutex_lock(&state_lock);
		delivered_max = n;
		pthread_mutex_unlock(&state_lock);
		bool ok = deliver_one(n, &msg);
		pthread_mutex_lock(&state_lock);
		msgs[n].delivered = ok ? 1 : 2;
		if (ok)
			count.deliver_ok++;
		else
			count.deliver_fail++;
		pthread_mutex_unlock(&state_lock);
		if (!ok)
			fprintf(stderr, "pop3stress: delivery of message %" PRIu64 " failed\n", n);
		pause_ms(cfg.delivery_ms);
	}
	free(msg.p);
	return NULL;
}

/* ---- the final account ------------------------------------------- */

static uint32_t *present;     /* copies served in the final session */
static uint32_t *in_files;    /* copies found in the mailbox files */

/* One last session reads every message.  false when it could not. */
static bool final_session(void)
{
	struct session *s = calloc(1, sizeof *s);
	if (!s)
		die_nomem();
	s->rng.s = 1;
	int r = -1;
	for (int tries = 0; tries < FINAL_LOGIN_TRIES; tries++) {
		if (!conn_open(&s->conn)) {
			pause_ms(500);
			continue;
		}
		r = session_login(s);
		if (r == 1)
			break;
		conn_close(&s->conn, false);
		pause_ms(500);
	}
	if (r != 1) {
		fprintf(stderr, "pop3stress: the final session could not log in: %s\n", s->conn.line);
		free(s);
		return false;
	}
	bool ok = do_list(s);
	for (uint32_t k = 1; ok && k <= s->messages; k++) {
		char cmd[64];
		snprintf(cmd, sizeof cmd, "RETR %" PRIu32 "\r\n", k);
		int c = command(&s->conn, cmd);
		if (c == 0) {
			integrity_fail("final session: RETR %" PRIu32 " answered %s", k, s->conn.line);
			count.altered++;
			continue;
		}
		uint64_t octets, n;
		if (c < 0 || conn_multiline(&s->conn, &s->msg, &octets) != 1) {
			ok = false;
			break;
		}
		int mine = stress_id(s->msg.p, s->msg.len, &n);
		if (mine == 0)
			continue;
		if (mine < 0 || n == 0 || n > delivered_max) {
			integrity_fail("final session: message %" PRIu32 " carries an unknown stress id", k);
			count.unknown_seq++;
			continue;
		}
		present[n]++;
		if (s->size[k] != UINT64_MAX && s->size[k] != octets) {
			count.size_mismatch++;
			integrity_fail("final session: message %" PRIu64 ": LIST said %" PRIu64
				" octets, RETR sent %" PRIu64, n, s->size[k], octets);
		}
		if (!body_intact(n, s->msg.p, s->msg.len)) {
			count.altered++;
			integrity_fail("final session: message %" PRIu64 " is altered", n);
		}
	}
	if (ok && command(&s->conn, "QUIT\r\n") != 1)
		ok = false;
	conn_close(&s->conn, false);
	free(s->msg.p);
	free(s->seq);
	free(s->size);
	free(s->deleted);
	free(s);
	if (!ok)
		fprintf(stderr, "pop3stress: the final session broke off\n");
	return ok;
}

/* Counts "X-Stress-Id: RUN.N" header lines in a file's bytes. */
static void count_ids(const char *p, size_t len)
{
	char key[64];
	int klen = snprintf(key, sizeof key, "\nX-Stress-Id: %s.", run_id);
	const char *end = p + len;
	while ((p = memmem(p, (size_t)(end - p), key, (size_t)klen))) {
		p += klen;
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		uint64_t n;
		if (eol && scan_u64(p, (size_t)(eol - p), &n) && n >= 1 && n <= delivered_max)
			in_files[n]++;
	}
}

static bool count_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT;  /* a Maildir file moved under us */
	struct buf b = { 0 };
	buf_add(&b, "\n", 1);
	char chunk[65536];
	ssize_t r;
	while ((r = read(fd, chunk, sizeof chunk)) > 0)
		buf_add(&b, chunk, (size_t)r);
	close(fd);
	count_ids(b.p, b.len);
	free(b.p);
	return r == 0;
}

static bool count_mailbox(const char *path)
{
	size_t len = strlen(path);
	if (len == 0 || path[len - 1] != '/')
		return count_file(path);
	static const char *const subdirs[] = { "new", "cur" };
	for (int i = 0; i < 2; i++) {
		char dir[4200];
		snprintf(dir, sizeof dir, "%s%s", path, subdirs[i]);
		DIR *d = opendir(dir);
		if (!d)
			return false;
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char file[4600];
			snprintf(file, sizeof file, "%s/%s", dir, e->d_name);
			if (!count_file(file)) {
				closedir(d);
				return false;
			}
		}
		closedir(d);
	}
	return true;
}

/* Every delivered message: deleted, or there exactly once.  Returns
 * the number of failures. */
static uint64_t account(uint64_t *deleted, uint64_t *kept, uint64_t *uncertain,
                        uint64_t *after_err)
{
	uint64_t failures = 0;
	for (uint64_t n = 1; n <= delivered_max; n++) {
		struct msgstate *m = &msgs[n];
		uint32_t copies = present[n];
		if (cfg.mailbox && in_files[n] != copies) {
			integrity_fail("message %" PRIu64 ": %" PRIu32 " copies in the files, %" PRIu32
				" served", n, in_files[n], copies);
			failures++;
		}
		if (m->delivered == 2) {
			if (copies > 1) {
				integrity_fail("message %" PRIu64 " (delivery failed) is there %" PRIu32 " times", n, copies);
				failures++;
			}
			continue;
		}
		if (m->deleted) {
			(*deleted)++;
			if (copies) {
				integrity_fail("message %" PRIu64 " was deleted but is still there (%" PRIu32 "x)", n, copies);
				failures++;
			}
		} else if (copies == 1) {
			(*kept)++;
		} else if (copies == 0 && m->maybe_deleted) {
			(*uncertain)++;
		} else if (copies == 0 && m->err_deleted) {
			/* "-ERR" to QUIT promised that nothing was deleted */
			(*after_err)++;
			if (!cfg.partial_ok) {
				integrity_fail("message %" PRIu64 " was deleted though QUIT answered -ERR", n);
				failures++;
			}
		} else if (copies == 0) {
			integrity_fail("message %" PRIu64 " is LOST", n);
			failures++;
		} else {
			integrity_fail("message %" PRIu64 " is there %" PRIu32 " times", n, copies);
			failures++;
		}
	}
	return failures;
}

/* ---- report ------------------------------------------------------ */

static void print_latency(const char *name, struct samples *s)
{
	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof *s->v, cmp_float);
	printf("latency %-8s n=%-8" PRIu64 " p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms\n",
		name, s->total, 1e3 * s->v[s->n / 2], 1e3 * s->v[s->n * 9 / 10],
		1e3 * s->v[s->n * 99 / 100], 1e3 * s->v[s->n - 1]);
}

static void usage(void)
{
	die(EXIT_MISUSE, "usage: pop3stress [-H host] [-p port] -u user -w password "
		"[-c clients] [-t seconds] [-n sessions] [-i ms] [-L commands] [-m mix] "
		"[-a procmail:MBOX|maildrop:MAILDIR/|cmd:COMMAND] [-d deliveries] [-D ms] "
		"[-M mailbox] [-k maxkb] [-T timeout] [-N] [-P] [-s] [-v]");
}

static void parse_mix(const char *spec)
{
	unsigned weights[OP_COUNT] = { 0 };
	char *copy = strdup(spec), *save = NULL;
	if (!copy)
		die_nomem();
	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		uint32_t w = 1;
		if (eq) {
			*eq = 0;
			if (!scan_u32(eq + 1, strlen(eq + 1), &w) || w > 1000)
				die(EXIT_MISUSE, "bad weight in mix: %s", eq + 1);
		}
		int i;
		for (i = 0; i < OP_COUNT; i++)
			if (strcasecmp(item, op_name[i]) == 0)
				break;
		if (i == OP_COUNT)
			die(EXIT_MISUSE, "unknown command in mix: %s", item);
		weights[i] = w;
	}
	free(copy);
	unsigned total = 0;
	for (int i = 0; i < OP_COUNT; i++)
		total += weights[i];
	if (!total)
		die(EXIT_MISUSE, "the mix is empty");
	memcpy(op_weight, weights, sizeof weights);
}

static double number_arg(const char *s, const char *what)
{
	char *end;
	double v = strtod(s, &end);
	if (*s == 0 || *end || v < 0 || v != v)
		die(EXIT_MISUSE, "bad %s: %s", what, s);
	return v;
}

static void resolve(void)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)&server_addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&server_addr;
	uint32_t port;
	if (!scan_u32(cfg.port, strlen(cfg.port), &port) || port == 0 || port > 65535)
		die(EXIT_MISUSE, "bad port: %s", cfg.port);
	memset(&server_addr, 0, sizeof server_addr);
	if (inet_pton(AF_INET, cfg.host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		server_addrlen = sizeof *in4;
	} else if (inet_pton(AF_INET6, cfg.host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		server_addrlen = sizeof *in6;
	} else
		die(EXIT_MISUSE, "the host must be a numeric address: %s", cfg.host);
}

int main(int argc, char **argv)
{
	progname = "pop3stress";
	int opt;
	while ((opt = getopt(argc, argv, "H:p:u:w:c:t:n:i:L:m:a:d:D:M:k:T:NPsv")) != -1) {
		switch (opt) {
		case 'H': cfg.host = optarg; break;
		case 'p': cfg.port = optarg; break;
		case 'u': cfg.user = optarg; break;
		case 'w': cfg.pass = optarg; break;
		case 'c': cfg.clients = (unsigned)number_arg(optarg, "client count"); break;
		case 't': cfg.seconds = number_arg(optarg, "seconds"); break;
		case 'n': cfg.max_sessions = (uint64_t)number_arg(optarg, "session count"); break;
		case 'i': cfg.interval_ms = number_arg(optarg, "interval"); break;
		case 'L': cfg.max_cmds = (unsigned)number_arg(optarg, "command count"); break;
		case 'm': parse_mix(optarg); break;
		case 'a': cfg.agent = optarg; break;
		case 'd': cfg.deliveries = (uint64_t)number_arg(optarg, "delivery count"); break;
		case 'D': cfg.delivery_ms = number_arg(optarg, "delivery interval"); break;
		case 'M': cfg.mailbox = optarg; break;
		case 'k': cfg.max_kb = (unsigned)number_arg(optarg, "size"); break;
		case 'T': cfg.timeout = (int)number_arg(optarg, "timeout"); break;
		case 'N': cfg.no_final = true; break;
		case 'P': cfg.partial_ok = true; break;
		case 's': cfg.strict = true; break;
		case 'v': cfg.verbose = true; break;
		default: usage();
		}
	}
	if (optind != argc || !cfg.user || !cfg.pass)
		usage();
	if (cfg.clients > MAX_CLIENTS || cfg.deliveries > MAX_MESSAGES || cfg.max_cmds < 1
	    || cfg.max_kb < 1 || cfg.max_kb > 32768 || cfg.timeout < 1
	    || strlen(cfg.user) > 200 || strlen(cfg.pass) > 200)
		die(EXIT_MISUSE, "a limit is out of range (clients <= %d, deliveries <= %d, "
			"1 <= maxkb <= 32768)", MAX_CLIENTS, MAX_MESSAGES);
	if (cfg.deliveries && !cfg.agent)
		die(EXIT_MISUSE, "-d needs a delivery agent (-a)");
	resolve();
	signal(SIGPIPE, SIG_IGN);

	struct timespec wall;
	clock_gettime(CLOCK_REALTIME, &wall);
	snprintf(run_id, sizeof run_id, "%016" PRIx64,
		mix64((uint64_t)wall.tv_sec * 1000000007ULL ^ (uint64_t)wall.tv_nsec ^ (uint64_t)getpid() << 32));
	msgs = calloc((size_t)cfg.deliveries + 2, sizeof *msgs);
	present = calloc((size_t)cfg.deliveries + 2, sizeof *present);
	in_files = calloc((size_t)cfg.deliveries + 2, sizeof *in_files);
	if (!msgs || !present || !in_files)
		die_nomem();
	setup_agent();

	t_start = now();
	t_end = t_start + cfg.seconds;
	pthread_t threads[MAX_CLIENTS], deliverer;
	bool delivering = cfg.deliveries > 0;
	if (delivering && pthread_create(&deliverer, NULL, delivery_thread, NULL) != 0)
		die(EXIT_TEMP, "cannot start the delivery thread");
	for (unsigned i = 0; i < cfg.clients; i++)
		if (pthread_create(&threads[i], NULL, client_thread, (void *)(uintptr_t)(i + 1)) != 0)
			die(EXIT_TEMP, "cannot start client thread %u", i);
	for (unsigned i = 0; i < cfg.clients; i++)
		pthread_join(threads[i], NULL);
	if (cfg.clients == 0 && delivering) {
		/* deliveries only: run them to their count or the time bound */
	} else
		atomic_store(&stopping, true);
	if (delivering)
		pthread_join(deliverer, NULL);
	double elapsed = now() - t_start;
	if (filter_path[0])
		unlink(filter_path);

	printf("pop3stress: run=%s clients=%u seconds=%.1f\n", run_id, cfg.clients, elapsed);
	printf("sessions %" PRIu64 " (%.1f/s): quit=%" PRIu64 " quit-err=%" PRIu64
		" quit-lost=%" PRIu64 " drop=%" PRIu64 " vanish=%" PRIu64 " busy=%" PRIu64
		" login-fail=%" PRIu64 " connect-fail=%" PRIu64 " errors=%" PRIu64 "\n",
		count.sessions, (double)count.sessions / elapsed, count.quit_ok, count.quit_err,
		count.quit_lost, count.drops, count.vanishes, count.busy, count.login_fail,
		count.connect_fail, count.errors);
	uint64_t total_cmds = 0;
	printf("commands");
	for (int i = 0; i < OP_COUNT; i++) {
		printf(" %s=%" PRIu64, op_name[i], count.commands[i]);
		total_cmds += count.commands[i];
	}
	printf(" (%.1f/s)\n", (double)total_cmds / elapsed);
	printf("retrieved %" PRIu64 " messages, %.2f MB (%.2f MB/s), gone=%" PRIu64 "\n",
		count.messages_retrieved, (double)count.bytes_retrieved / 1e6,
		(double)count.bytes_retrieved / 1e6 / elapsed, count.gone);
	print_latency("session", &lat[LAT_SESSION]);
	print_latency("login", &lat[LAT_LOGIN]);
	for (int i = 0; i < OP_COUNT; i++)
		print_latency(op_name[i], &lat[i]);
	printf("deliveries ok=%" PRIu64 " failed=%" PRIu64 "\n", count.deliver_ok, count.deliver_fail);

	uint64_t failures = 0;
	int code = 0;
	if (!cfg.no_final) {
		if (cfg.mailbox && !count_mailbox(cfg.mailbox)) {
			fprintf(stderr, "pop3stress: cannot read the mailbox %s\n", cfg.mailbox);
			code = EXIT_TEMP;
		}
		if (!final_session())
			code = EXIT_TEMP;
		uint64_t deleted = 0, kept = 0, uncertain = 0, after_err = 0;
		if (code == 0)
			failures += account(&deleted, &kept, &uncertain, &after_err);
		failures += count.altered + count.resurrected + count.size_mismatch + count.unknown_seq;
		printf("integrity delivered=%" PRIu64 " deleted=%" PRIu64 " kept=%" PRIu64
			" deleted-unanswered=%" PRIu64 " deleted-after-err=%" PRIu64 " altered=%" PRIu64
			" resurrected=%" PRIu64 " size-mismatch=%" PRIu64 " failures=%" PRIu64 "\n",
			count.deliver_ok, deleted, kept, uncertain, after_err, count.altered,
			count.resurrected, count.size_mismatch, failures);
	}
	if (cfg.no_final)
		failures += count.altered + count.resurrected + count.size_mismatch + count.unknown_seq;
	if (failures)
		code = 1;
	else if (code == 0 && cfg.strict && (count.errors || count.login_fail || count.connect_fail))
		code = 3;
	printf("result %s\n", code == 0 ? "OK" : code == 1 ? "INTEGRITY FAILURE"
		: code == 3 ? "ERRORS" : "NO ACCOUNT");
	return code;
}
