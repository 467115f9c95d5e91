/* fuzz_login: pop3login's dialogue on arbitrary client bytes.
 * The first octet picks the configuration (APOP, STLS possible, TLS
 * required, TLS on, small limits, CRAM-MD5 and OAuth); the rest is the client's input.  It is
 * cut into lines by lib/lineexact over a socketpair, and the lines must
 * be exactly those a plain split at LF gives (so the reader neither loses
 * nor invents bytes); each line goes to the dialogue, each credentials
 * block to a made-up checker verdict.  Aborts on any broken invariant:
 * answers end in CR LF and hold no bare LF, credentials are a block the
 * root parent accepts (user\0secret\0timestamp\0, and cram-md5\0 for
 * CRAM-MD5) within 512 octets. */
#include "authdialog.h"
#include "lineexact.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void check_output(const struct authdialog *d)
{
	if (d->out_len > sizeof d->out)
		abort();
	if (d->out_len == 0)
		return;
	if (d->out_len < 2 || memcmp(d->out + d->out_len - 2, "\r\n", 2) != 0)
		abort();
	for (size_t i = 0; i < d->out_len; i++)
		if (d->out[i] == '\n' && (i == 0 || d->out[i - 1] != '\r'))
			abort();
}

/* Every block the dialogue makes must pass the root parent's check. */
static void check_cred(const struct authdialog *d)
{
	if (d->cred_len < 3 || d->cred_len > AD_CRED_MAX || d->cred[0] == 0
	    || !authdialog_block_ok(d->cred, d->cred_len, d))
		abort();
}

/* Runs the dialogue on one line; returns false when it ends. */
static bool feed(struct authdialog *d, const char *line, size_t len, bool toolong,
	unsigned *verdicts)
{
	static const int codes[] = { 1, 4, 111, 2, 1, 0 };
	enum authdialog_action act = authdialog_line(d, line, len, toolong);
	check_output(d);
	if (act == AD_CHECK) {
		if (d->out_len != 0)
			abort();
		check_cred(d);
		int code = codes[(*verdicts)++ % (sizeof codes / sizeof codes[0])];
		act = authdialog_result(d, code << 8);
		if (d->cred_len != 0)
			abort();
		check_output(d);
	}
	if (act == AD_STLS)
		authdialog_tls_started(d);
	authdialog_out_clear(d);
	return act == AD_CONTINUE || act == AD_STLS;
}

/* The expected split: at each LF, CR before it removed, overlong marked. */
static size_t next_line(const uint8_t *data, size_t size, size_t pos,
	size_t *len, bool *toolong, bool *complete)
{
	const uint8_t *lf = memchr(data + pos, '\n', size - pos);
	*complete = lf != NULL;
	size_t end = lf ? (size_t)(lf - data) : size;
	size_t raw = end - pos;
	*toolong = raw + 1 > AD_LINE_MAX - 1;
	*len = raw;
	if (raw > 0 && data[end - 1] == '\r')
		(*len)--;
	return lf ? end + 1 : end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct authdialog d;
	static char line[AD_LINE_MAX];
	if (size < 1 || size > 60000)
		return 0;
	uint8_t flags = data[0];
	struct authdialog_config cfg = {
		.hostname = "fuzz.example", .apop = flags & 1,
		.tls_possible = flags & 2, .tls_required = flags & 4,
		.tls_active = flags & 8,
		.login_delay = (flags & 16) ? "60" : NULL,
		.expire = (flags & 16) ? "NEVER" : NULL,
		.max_failures = (flags & 32) ? 2 : 1000,
		.max_commands = (flags & 64) ? 5 : 100000,
		.cram = flags & 128,
		.oauth = flags & 128,
	};
	if (!authdialog_start(&d, &cfg, "1.2.0123456789abcdef"))
		abort();
	check_output(&d);
	authdialog_out_clear(&d);
	data++;
	size--;

	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return 0;
	int bufsize = 1 << 17;
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof bufsize);
	setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof bufsize);
	if (write(sv[1], data, size) != (ssize_t)size) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	close(sv[1]);
	struct line_reader reader;
	line_reader_init(&reader, sv[0], 1000);

	unsigned verdicts = 0;
	size_t pos = 0;
	bool going = true;
	while (going) {
		size_t want_len, got_len;
		bool toolong, complete, had_cr;
		pos = next_line(data, size, pos, &want_len, &toolong, &complete);
		enum line_status st = line_read(&reader, line, sizeof line, &got_len, &had_cr);
		if (!complete) {
			if (st != LINE_EOF)
				abort();
			break;
		}
		if (toolong) {
			if (st != LINE_TOOLONG)
				abort();
		} else if (st != LINE_OK || got_len != want_len
		    || memcmp(line, data + pos - want_len - 1 - had_cr, got_len) != 0) {
			abort();
		}
		going = feed(&d, line, got_len, toolong, &verdicts);
	}
	authdialog_wipe(&d);
	close(sv[0]);
	return 0;
}
