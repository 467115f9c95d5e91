/* engine.c: see engine.h.  Answers:
 *   STAT            +OK COUNT OCTETS (deleted messages left out)
 *   LIST [N]        +OK ... then "N SIZE" lines and "."; or +OK N SIZE
 *   UIDL [N]        the same with UIDs
 *   RETR N          +OK SIZE octets, the message (dot-stuffed), "."
 *   TOP N L         +OK, the header, L body lines, "."
 *   DELE N, RSET, NOOP, CAPA, LAST (by option), QUIT
 * Every bad line gets one -ERR and the session goes on. */
#include "engine.h"

#include "msgfilter.h"
#include "linein.h"
#include "scan_num.h"
#include "scanlist.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ARGS 2

struct command {
	const char *name;
	int min_args, max_args;
	enum engine_result (*run)(struct engine *, const char *const *, const size_t *, int);
	const char *usage;
};

void engine_init(struct engine *e, struct maildrop *drop, struct outbuf *out,
                 int mailbox_fd, int control_fd)
{
	memset(e, 0, sizeof *e);
	e->drop = drop;
	e->out = out;
	e->mailbox_fd = mailbox_fd;
	e->control_fd = control_fd;
	e->control_timeout_ms = 600000;
	struct stat st;
	if (mailbox_fd >= 0 && fstat(mailbox_fd, &st) == 0)
		e->mailbox_links = (uint64_t)st.st_nlink;
}

/* 1 if the mailbox file of fd 6 has lost a name since the start: the
 * exposer's rename(2) put a new mailbox in its place (or another
 * program replaced it).  An mbox exposer never writes the file it
 * served, so while its link count stands, nothing has been committed. */
static int mailbox_replaced(const struct engine *e)
{
	struct stat st;
	return e->mailbox_fd >= 0 && fstat(e->mailbox_fd, &st) == 0 &&
	       (uint64_t)st.st_nlink < e->mailbox_links;
}

static enum engine_result reply(struct engine *e, const char *text)
{
	outbuf_puts(e->out, text);
	outbuf_put(e->out, "\r\n", 2);
	return ENGINE_CONTINUE;
}

__attribute__((format(printf, 2, 3)))
static enum engine_result replyf(struct engine *e, const char *fmt, ...)
{
	char line[POP3_ANSWER_MAX + 3];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof line - 3)
		n = (int)(sizeof line - 3);
	line[n++] = '\r';
	line[n++] = '\n';
	outbuf_put(e->out, line, (size_t)n);
	return ENGINE_CONTINUE;
}

static void live_totals(const struct engine *e, uint32_t *count, uint64_t *octets)
{
	*count = e->drop->count - e->n_deleted;
	*octets = e->drop->octets - e->deleted_octets;
}

void engine_greet(struct engine *e)
{
	uint32_t count;
	uint64_t octets;
	live_totals(e, &count, &octets);
	replyf(e, "+OK %lu messages (%llu octets)", (unsigned long)count,
	       (unsigned long long)octets);
}

void engine_line_too_long(struct engine *e)
{
	reply(e, "-ERR line too long");
}

/* Parses a message number that must name a message not deleted.
 * Returns 0 with *INDEX from 0, or -1 having answered -ERR. */
static int message_arg(struct engine *e, const char *arg, size_t len, uint32_t *index)
{
	uint32_t n;
	if (!scan_u32(arg, len, &n)) {
		reply(e, "-ERR invalid message number");
		return -1;
	}
	if (n == 0 || n > e->drop->count) {
		reply(e, "-ERR no such message");
		return -1;
	}
	if (bit_get(e->drop->deleted, n - 1)) {
		replyf(e, "-ERR message %lu is deleted", (unsigned long)n);
		return -1;
	}
	*index = n - 1;
	return 0;
}

static enum engine_result cmd_stat(struct engine *e, const char *const *arg,
                                   const size_t *len, int nargs)
{
	(void)arg, (void)len, (void)nargs;
	uint32_t count;
	uint64_t octets;
	live_totals(e, &count, &octets);
	return replyf(e, "+OK %lu %llu", (unsigned long)count, (unsigned long long)octets);
}

static void list_line(struct engine *e, uint32_t i, int uidl)
{
	char line[32 + UID_MAX];
	size_t n = fmt_u64(line, (uint64_t)i + 1);
	line[n++] = ' ';
	if (uidl) {
		size_t ulen;
		const char *uid = maildrop_uid(e->drop, i, &ulen);
		memcpy(line + n, uid, ulen);
		n += ulen;
	} else {
		n += fmt_u64(line + n, maildrop_size(e->drop, i));
	}
	line[n++] = '\r';
	line[n++] = '\n';
	outbuf_put(e->out, line, n);
}

static enum engine_result list_or_uidl(struct engine *e, const char *const *arg,
                                       const size_t *len, int nargs, int uidl)
{
	uint32_t i;
	if (nargs == 1) {
		if (message_arg(e, arg[0], len[0], &i) < 0)
			return ENGINE_CONTINUE;
		outbuf_put(e->out, "+OK ", 4);
		list_line(e, i, uidl);
		return ENGINE_CONTINUE;
	}
	if (uidl) {
		reply(e, "+OK unique-id listing follows");
	} else {
		uint32_t count;
		uint64_t octets;
		live_totals(e, &count, &octets);
		replyf(e, "+OK %lu messages (%llu octets)", (unsigned long)count,
		       (unsigned long long)octets);
	}
	for (i = 0; i < e->drop->count && e->out->status == OUTBUF_OK; i++)
		if (!bit_get(e->drop->deleted, i))
			list_line(e, i, uidl);
	return reply(e, ".");
}

static enum engine_result cmd_list(struct engine *e, const char *const *arg,
                                   const size_t *len, int nargs)
{
	return list_or_uidl(e, arg, len, nargs, 0);
}

static enum engine_result cmd_uidl(struct engine *e, const char *const *arg,
                                   const size_t *len, int nargs)
{
	return list_or_uidl(e, arg, len, nargs, 1);
}

/* Where message I's bytes come from: an open descriptor and a range. */
struct source {
	int fd;
	int own_fd;
	uint64_t offset;
	uint64_t remaining;  /* UINT64_MAX: to end of file */
};

/* Opens message I; 0, or -1 having answered -ERR. */
static int open_source(struct engine *e, uint32_t i, struct source *src)
{
	const char *path = maildrop_path(e->drop, i);
	if (!path) {
		if (e->mailbox_fd < 0) {
			reply(e, "-ERR [SYS/PERM] no mailbox descriptor");
			return -1;
		}
		src->fd = e->mailbox_fd;
		src->own_fd = 0;
		src->offset = e->drop->msgs[i].offset;
		src->remaining = e->drop->msgs[i].length;
		return 0;
	}
	/* The exposer listed a regular file; whatever has been put in its
	 * place since (a symlink, a FIFO that would block the session) is
	 * not followed or read. */
	int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
		errno = EINVAL;
	}
	if (fd < 0) {
		if (errno == ENOENT)
			replyf(e, "-ERR message %lu is gone", (unsigned long)i + 1);
		else
			replyf(e, "-ERR [SYS/TEMP] cannot open message %lu", (unsigned long)i + 1);
		return -1;
	}
	src->fd = fd;
	src->own_fd = 1;
	src->offset = 0;
	src->remaining = UINT64_MAX;
	return 0;
}

/* Reads the next chunk: >0 octets, 0 at the end, -1 error, -2 the
 * mailbox is shorter than the scan list says. */
static ssize_t source_read(struct source *src, char *buf, size_t room)
{
	if (src->remaining == 0)
		return 0;
	if (src->remaining < room)
		room = (size_t)src->remaining;
	ssize_t n;
	do
		n = src->own_fd ? read(src->fd, buf, room)
		                : pread(src->fd, buf, room, (off_t)src->offset);
	while (n < 0 && errno == EINTR);
	if (n == 0 && src->remaining != UINT64_MAX)
		return -2;
	if (n > 0) {
		src->offset += (uint64_t)n;
		if (src->remaining != UINT64_MAX)
			src->remaining -= (uint64_t)n;
	}
	return n;
}

static void replace_nul(char *p, size_t len)
{
	char *end = p + len;
	while ((p = memchr(p, '\0', (size_t)(end - p))) != NULL)
		*p++ = ENGINE_NUL_REPLACEMENT;
}

/* Streams message I through msgfilter into the output.  Returns the
 * counted octets, or -1 with e->abort_reason set. */
static int64_t send_body(struct engine *e, struct source *src, int64_t top)
{
	struct msgfilter f;
	size_t have = 0;
	int eof = 0;

	msgfilter_init(&f, e->drop->filter_flags | MSGF_DOTSTUFF, top);
	while (!eof && !f.done) {
		ssize_t n = source_read(src, e->read_buf + have, sizeof e->read_buf - have);
		if (n < 0) {
			e->abort_reason = n == -2 ? "mailbox shorter than the scan list"
			                          : "read error";
			return -1;
		}
		eof = n == 0;
		have += (size_t)n;
		char *room = outbuf_room(e->out, MSGF_OUTCAP(have));
		if (!room) {
			e->abort_reason = "write error";
			return -1;
		}
		size_t outlen;
		size_t used = msgfilter_feed(&f, e->read_buf, have, eof, room, &outlen);
		if (e->nul_replace)
			replace_nul(room, outlen);
		outbuf_commit(e->out, outlen);
		memmove(e->read_buf, e->read_buf + used, have - used);
		have -= used;
	}
	return (int64_t)f.octets;
}

static enum engine_result send_message(struct engine *e, uint32_t i, int64_t top)
{
	struct source src;
	if (open_source(e, i, &src) < 0)
		return ENGINE_CONTINUE;
	uint64_t size = maildrop_size(e->drop, i);
	if (top < 0)
		replyf(e, "+OK %llu octets", (unsigned long long)size);
	else
		reply(e, "+OK top of message follows");
	int64_t sent = send_body(e, &src, top);
	if (src.own_fd)
		close(src.fd);
	if (sent < 0)
		return ENGINE_ABORT;
	/* A message that changed under us must not reach the client as
	 * complete: hang up before the final dot. */
	if (top < 0 && (uint64_t)sent != size) {
		e->abort_reason = "message size differs from the scan list";
		return ENGINE_ABORT;
	}
	return reply(e, ".");
}

static enum engine_result cmd_retr(struct engine *e, const char *const *arg,
                                   const size_t *len, int nargs)
{
	(void)nargs;
	uint32_t i;
	if (message_arg(e, arg[0], len[0], &i) < 0)
		return ENGINE_CONTINUE;
	enum engine_result r = send_message(e, i, -1);
	if (r == ENGINE_CONTINUE && e->out->status == OUTBUF_OK) {
		/* Counted only when the message went out whole. */
		bit_set(e->drop->retrieved, i);
		e->n_retrieved++;
		if (i + 1 > e->last_accessed)
			e->last_accessed = i + 1;
	}
	return r;
}

static enum engine_result cmd_top(struct engine *e, const char *const *arg,
                                  const size_t *len, int nargs)
{
	(void)nargs;
	uint32_t i;
	uint64_t lines;
	if (message_arg(e, arg[0], len[0], &i) < 0)
		return ENGINE_CONTINUE;
	if (!scan_u64(arg[1], len[1], &lines))
		return reply(e, "-ERR invalid line count");
	if (lines > INT64_MAX)
		lines = INT64_MAX;
	return send_message(e, i, (int64_t)lines);
}

static enum engine_result cmd_dele(struct engine *e, const char *const *arg,
                                   const size_t *len, int nargs)
{
	(void)nargs;
	uint32_t i;
	if (message_arg(e, arg[0], len[0], &i) < 0)
		return ENGINE_CONTINUE;
	bit_set(e->drop->deleted, i);
	e->n_deleted++;
	e->deleted_octets += maildrop_size(e->drop, i);
	if (i + 1 > e->last_accessed)
		e->last_accessed = i + 1;
	return replyf(e, "+OK message %lu deleted", (unsigned long)i + 1);
}

static enum engine_result cmd_noop(struct engine *e, const char *const *arg,
                                   const size_t *len, int nargs)
{
	(void)arg, (void)len, (void)nargs;
	return reply(e, "+OK");
}

static enum engine_result cmd_rset(struct engine *e, const char *const *arg,
                                   const size_t *len, int nargs)
{
	(void)arg, (void)len, (void)nargs;
	memset(e->drop->deleted, 0, (size_t)e->drop->count / 8 + 1);
	e->n_deleted = 0;
	e->deleted_octets = 0;
	e->last_accessed = 0;
	uint32_t count;
	uint64_t octets;
	live_totals(e, &count, &octets);
	return replyf(e, "+OK maildrop has %lu messages (%llu octets)",
	              (unsigned long)count, (unsigned long long)octets);
}

static enum engine_result cmd_last(struct engine *e, const char *const *arg,
                                   const size_t *len, int nargs)
{
	(void)arg, (void)len, (void)nargs;
	return replyf(e, "+OK %lu", (unsigned long)e->last_accessed);
}

static enum engine_result cmd_capa(struct engine *e, const char *const *arg,
                                   const size_t *len, int nargs)
{
	(void)arg, (void)len, (void)nargs;
	reply(e, "+OK capability list follows\r\n"
	         "TOP\r\n"
	         "UIDL\r\n"
	         "RESP-CODES\r\n"
	         "PIPELINING");
	/* RFC 2449: after login, the values that hold for this user */
	if (e->expire)
		replyf(e, "EXPIRE %s", e->expire);
	if (e->login_delay)
		replyf(e, "LOGIN-DELAY %s", e->login_delay);
	return reply(e, "IMPLEMENTATION pop3d\r\n.");
}

static enum engine_result cmd_wrong_state(struct engine *e, const char *const *arg,
                                          const size_t *len, int nargs)
{
	(void)arg, (void)len, (void)nargs;
	return reply(e, "-ERR already authenticated");
}

/* Reports deletions and retrievals on the control socket and reads the
 * exposer's answer into ANSWER.  Returns 0, or -1 if the exchange
 * failed (the exposer then changes nothing). */
static int control_exchange(struct engine *e, char *answer, size_t cap)
{
	char wbuf[8192];
	struct outbuf w;
	outbuf_init(&w, e->control_fd, wbuf, sizeof wbuf, e->control_timeout_ms);
	for (uint32_t i = 0; i < e->drop->count && w.status == OUTBUF_OK; i++) {
		char line[24];
		int del = bit_get(e->drop->deleted, i);
		if (!del && !bit_get(e->drop->retrieved, i))
			continue;
		line[0] = del ? 'D' : 'R';
		line[1] = ' ';
		size_t n = 2 + fmt_u64(line + 2, (uint64_t)i + 1);
		line[n++] = '\n';
		outbuf_put(&w, line, n);
	}
	outbuf_put(&w, ".\n", 2);
	if (outbuf_flush(&w) != OUTBUF_OK)
		return -1;

	char rbuf[POP3_ANSWER_MAX + 2];
	struct linein r;
	const char *line;
	size_t len;
	linein_init(&r, e->control_fd, rbuf, sizeof rbuf, e->control_timeout_ms, 0);
	if (linein_get(&r, &line, &len) != LINEIN_LINE)
		return -1;
	int is_ok = len >= 3 && memcmp(line, "+OK", 3) == 0 && (len == 3 || line[3] == ' ');
	int is_err = len >= 4 && memcmp(line, "-ERR", 4) == 0 && (len == 4 || line[4] == ' ');
	if ((!is_ok && !is_err) || len >= cap || memchr(line, '\r', len) ||
	    memchr(line, '\0', len))
		return -1;
	memcpy(answer, line, len);
	answer[len] = '\0';
	return 0;
}

static enum engine_result cmd_quit(struct engine *e, const char *const *arg,
                                   const size_t *len, int nargs)
{
	(void)arg, (void)len, (void)nargs;
	char answer[POP3_ANSWER_MAX + 1];
	if (e->control_fd < 0) {
		reply(e, "+OK no exposer: nothing deleted");
		return ENGINE_QUIT;
	}
	if (control_exchange(e, answer, sizeof answer) < 0) {
		/* The exposer died or garbled its answer.  "-ERR" promises that
		 * nothing changed (doc/interfaces.md); once the mailbox has
		 * been replaced nobody here knows, so QUIT gets no answer and
		 * the client, like one whose connection broke, must look. */
		if (mailbox_replaced(e)) {
			e->quit_unconfirmed = 1;
			return ENGINE_QUIT;
		}
		reply(e, "-ERR [SYS/TEMP] the mailbox could not be updated");
		return ENGINE_QUIT;
	}
	if (answer[0] == '+')
		e->committed_deletions = e->n_deleted;
	reply(e, answer);
	return ENGINE_QUIT;
}

static const struct command commands[] = {
	{ "STAT", 0, 0, cmd_stat, "STAT" },
	{ "LIST", 0, 1, cmd_list, "LIST [msg]" },
	{ "UIDL", 0, 1, cmd_uidl, "UIDL [msg]" },
	{ "RETR", 1, 1, cmd_retr, "RETR msg" },
	{ "TOP", 2, 2, cmd_top, "TOP msg lines" },
	{ "DELE", 1, 1, cmd_dele, "DELE msg" },
	{ "NOOP", 0, 0, cmd_noop, "NOOP" },
	{ "RSET", 0, 0, cmd_rset, "RSET" },
	{ "QUIT", 0, 0, cmd_quit, "QUIT" },
	{ "CAPA", 0, 0, cmd_capa, "CAPA" },
	{ "LAST", 0, 0, cmd_last, "LAST" },
	{ "USER", 0, MAX_ARGS, cmd_wrong_state, NULL },
	{ "PASS", 0, MAX_ARGS, cmd_wrong_state, NULL },
	{ "APOP", 0, MAX_ARGS, cmd_wrong_state, NULL },
	{ "AUTH", 0, MAX_ARGS, cmd_wrong_state, NULL },
};

enum engine_result engine_command(struct engine *e, const char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0)
		return reply(e, "-ERR empty command");
	if (memchr(line, '\0', len))
		return reply(e, "-ERR NUL in command");
	if (memchr(line, '\r', len))
		return reply(e, "-ERR CR in command");

	/* Keyword and arguments, separated by spaces. */
	const char *word[MAX_ARGS + 2];
	size_t wlen[MAX_ARGS + 2];
	int nwords = 0;
	size_t i = 0;
	while (i < len) {
		while (i < len && line[i] == ' ')
			i++;
		if (i == len)
			break;
		size_t start = i;
		while (i < len && line[i] != ' ')
			i++;
		if (nwords == MAX_ARGS + 1) {
			nwords++;  /* too many: the command decides what to say */
			break;
		}
		word[nwords] = line + start;
		wlen[nwords] = i - start;
		nwords++;
	}
	if (nwords == 0)
		return reply(e, "-ERR empty command");

	const struct command *cmd = NULL;
	for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
		if (strlen(commands[c].name) == wlen[0] &&
		    strncasecmp(commands[c].name, word[0], wlen[0]) == 0)
			cmd = &commands[c];
	if (cmd && cmd->run == cmd_last && !e->last_enabled)
		cmd = NULL;
	if (!cmd)
		return reply(e, "-ERR unknown command");
	if (!cmd->usage)
		return cmd->run(e, NULL, NULL, 0);
	int nargs = nwords - 1;
	if (nargs < cmd->min_args || nargs > cmd->max_args)
		return replyf(e, "-ERR usage: %s", cmd->usage);
	for (int k = 1; k < nwords; k++)
		if (wlen[k] > POP3_ARG_MAX)
			return reply(e, "-ERR argument too long");
	return cmd->run(e, word + 1, wlen + 1, nargs);
}
