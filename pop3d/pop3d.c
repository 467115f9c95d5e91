/* pop3d: the TRANSACTION and UPDATE states of POP3, last link of the
 * chain (doc/interfaces.md, doc/pop3d.8).
 *
 *   pop3d [-l] [-n] [-t SECONDS]
 *
 * Reads the scan list from fd 4, answers the login with +OK, then serves
 * client lines on fd 0 and answers on fd 1 until QUIT, end of input, an
 * idle timeout or a write failure.  Only a QUIT reports deletions to the
 * exposer on fd 5; every other end changes nothing.  Exit status: 0 once
 * the +OK has been sent, 2 on bad options, 111 on a bad scan list or a
 * system failure before it. */
#include "engine.h"
#include "clock.h"
#include "maildrop.h"

#include "confine.h"
#include "die.h"
#include "logvalue.h"
#include "exitcode.h"
#include "linein.h"
#include "outbuf.h"
#include "scan_num.h"
#include "scanlist.h"
#include "spoolgroup.h"

#include <fcntl.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_S 600
#define MAX_TIMEOUT_S 86400
#define OUTPUT_BUFFER 65536
/* Holds many pipelined commands, so their answers go out in one write. */
#define INPUT_BUFFER 4096
/* The exposer may take long to rewrite a large mbox after QUIT. */
#define MIN_CONTROL_TIMEOUT_MS 600000

/* Allocated after the scan list is loaded, so that it does not add to
 * the high point of the heap (the loader's UID hash). */
struct session {
	struct engine engine;
	struct outbuf out;
	struct linein in;
	char inbuf[INPUT_BUFFER];
	char outbuf[OUTPUT_BUFFER];
};

static int fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static void usage(void)
{
	die(EXIT_MISUSE, "usage: pop3d [-l] [-n] [-t SECONDS]");
}

struct options {
	unsigned long timeout_s;
	int last_enabled;       /* -l */
	int nul_replace;        /* -n */
};

static void parse_options(int argc, char **argv, struct options *opt)
{
	int c;
	*opt = (struct options){ .timeout_s = DEFAULT_TIMEOUT_S };
	opterr = 0;  /* one line on stderr: ours */
	while ((c = getopt(argc, argv, "+lnt:")) != -1) {
		uint32_t t;
		switch (c) {
		case 'l':
			opt->last_enabled = 1;
			break;
		case 'n':
			opt->nul_replace = 1;
			break;
		case 't':
			if (!scan_u32(optarg, strlen(optarg), &t) || t == 0 || t > MAX_TIMEOUT_S)
				die(EXIT_MISUSE, "-t wants 1..%d seconds", MAX_TIMEOUT_S);
			opt->timeout_s = t;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
}

static void load_scan_list(struct maildrop *drop)
{
	if (!fd_is_open(SCANLIST_FD))
		die(EXIT_TEMP, "no scan list on fd %d", SCANLIST_FD);
	const char *why;
	uint64_t lineno;
	if (maildrop_load(drop, SCANLIST_FD, &why, &lineno) < 0)
		die(EXIT_TEMP, "bad scan list: line %llu: %s", (unsigned long long)lineno, why);
	close(SCANLIST_FD);
}

/* A CAPA value from the environment, as the links before enforce it:
 * digits (or NEVER), else not advertised. */
static const char *capa_value(const char *name, bool never_ok)
{
	const char *v = getenv(name);
	uint32_t n;
	if (!v || !*v)
		return NULL;
	if (never_ok && strcmp(v, "NEVER") == 0)
		return v;
	return scan_u32(v, strlen(v), &n) ? v : NULL;
}

/* The client's line reader and answer buffer, and the engine on them. */
static void session_init(struct session *s, struct maildrop *drop,
                         const struct options *opt, int mailbox_fd, int control_fd)
{
	int timeout_ms = (int)(opt->timeout_s * 1000);
	outbuf_init(&s->out, 1, s->outbuf, sizeof s->outbuf, timeout_ms);
	linein_init(&s->in, 0, s->inbuf, sizeof s->inbuf, timeout_ms, 0);
	linein_set_max(&s->in, POP3_LINE_MAX - 1);
	struct engine *e = &s->engine;
	engine_init(e, drop, &s->out, mailbox_fd, control_fd);
	e->last_enabled = (unsigned char)opt->last_enabled;
	e->nul_replace = (unsigned char)opt->nul_replace;
	e->expire = capa_value("EXPIRE", true);
	e->login_delay = capa_value("LOGIN_DELAY", false);
	e->control_timeout_ms = timeout_ms > MIN_CONTROL_TIMEOUT_MS ? timeout_ms
	                                                           : MIN_CONTROL_TIMEOUT_MS;
}

/* Client lines to the engine until the session ends; returns how it
 * ended, for the log: quit, eof, timeout or error. */
static const char *serve(struct session *s)
{
	struct engine *e = &s->engine;
	for (;;) {
		if (!linein_buffered(&s->in))
			outbuf_flush(&s->out);
		if (s->out.status != OUTBUF_OK)
			return s->out.status == OUTBUF_TIMEOUT ? "timeout" : "error";
		const char *line;
		size_t len;
		int got = linein_get(&s->in, &line, &len);
		enum engine_result r = ENGINE_CONTINUE;
		if (got == LINEIN_LINE) {
			r = engine_command(e, line, len);
		} else if (got == LINEIN_TOOLONG) {
			engine_line_too_long(e);
		} else if (got == LINEIN_EOF) {
			return "eof";
		} else if (got == LINEIN_TIMEOUT) {
			outbuf_puts(&s->out, "-ERR [SYS/TEMP] idle timeout\r\n");
			return "timeout";
		} else {
			return "error";
		}
		if (r == ENGINE_QUIT) {
			if (e->quit_unconfirmed)
				logline("quit_unconfirmed reason=\"no answer from the exposer, "
				        "and the mailbox served was replaced\"");
			return "quit";
		}
		if (r == ENGINE_ABORT) {
			logline("abort reason=\"%s\"", e->abort_reason);
			return "error";
		}
	}
}

static void log_end(const struct maildrop *drop, const struct session *s,
                    int64_t started_ms, const char *how)
{
	char user[LOG_VALUE_SIZE(64)], ip[LOG_VALUE_SIZE(48)];
	log_value_str(user, sizeof user, getenv("USER"));
	log_value_str(ip, sizeof ip, getenv("TCPREMOTEIP"));
	logline("end user=%s ip=%s messages=%lu octets=%llu retrieved=%lu sent=%llu "
	        "deleted=%lu seconds=%ld how=%s",
	        user, ip, (unsigned long)drop->count, (unsigned long long)drop->octets,
	        (unsigned long)s->engine.n_retrieved, (unsigned long long)s->out.written,
	        (unsigned long)s->engine.committed_deletions,
	        (long)((clock_ms() - started_ms) / 1000), how);
}

int main(int argc, char **argv)
{
	struct options opt;
	progname = "pop3d";
	log_start();
	spool_group_drop();  /* whoever started us: pop3d needs no spool group */
	parse_options(argc, argv, &opt);
	signal(SIGPIPE, SIG_IGN);
	int64_t started_ms = clock_ms();

	struct maildrop drop;
	load_scan_list(&drop);
	struct session *s = calloc(1, sizeof *s);
	if (!s)
		die_nomem();
	int mailbox_fd = fd_is_open(MAILBOX_FD) ? MAILBOX_FD : -1;
	int control_fd = fd_is_open(CONTROL_FD) ? CONTROL_FD : -1;
	if (drop.has_ranges && mailbox_fd < 0)
		die(EXIT_TEMP, "bad scan list: ranges but no mailbox on fd %d", MAILBOX_FD);
	session_init(s, &drop, &opt, mailbox_fd, control_fd);
	engine_greet(&s->engine);
	outbuf_flush(&s->out);
	/* Set-up ends here, before the first command is read; confining
	 * after the answer lets the client's next line cross the wire
	 * meanwhile.  A Maildir's messages are files under the working
	 * directory; an mbox is the descriptor already open. */
	confine(CONFINE_POP3D, mailbox_fd < 0 && drop.count > 0 ? "." : NULL);
	/* From here on the client has its answer: exit 0 whatever happens. */
	const char *how = serve(s);
	outbuf_flush(&s->out);
	log_end(&drop, s, started_ms, how);
	maildrop_free(&drop);
	free(s);
	return EXIT_DONE;
}
