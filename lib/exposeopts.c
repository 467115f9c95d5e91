/* exposeopts.c: the option set of both exposers (exposeopts.h). */
#include "exposeopts.h"

#include "die.h"
#include "exitcode.h"
#include "expose.h"
#include "msgfilter.h"
#include "scan_num.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The letters of now that take an argument. */
#define WITH_ARGUMENT "mdClwtn"

static const char *const kind_name[] = {
	[EXPOSE_MBOX] = "mboxsplit",
	[EXPOSE_MAILDIR] = "maildirscan",
};

_Noreturn static void usage(void)
{
	die(EXIT_MISUSE, "usage: %s [-m mailbox | -d maildir] [-rHRux] [-C cache] "
	    "[-l dotlock,fcntl] [-w seconds] [-t seconds] [-n max] prog [args...]", progname);
}

int expose_lock_methods_parse(const char *s, unsigned *methods)
{
	unsigned m = 0;
	while (*s) {
		size_t n = strcspn(s, ",");
		if (n == 7 && strncmp(s, "dotlock", 7) == 0)
			m |= EXPOSE_LOCK_DOTLOCK;
		else if (n == 5 && strncmp(s, "fcntl", 5) == 0)
			m |= EXPOSE_LOCK_FCNTL;
		else
			return -1;
		s += n;
		if (*s == ',')
			s++;
	}
	if (!m)
		return -1;
	*methods = m;
	return 0;
}

static void pass_push(struct expose_opts *o, const char *arg)
{
	if (o->pass_len + 1 >= o->pass_cap) {
		size_t cap = o->pass_cap ? 2 * o->pass_cap : 32;
		char **p = realloc(o->pass, cap * sizeof *p);
		if (!p)
			die_nomem();
		o->pass = p;
		o->pass_cap = cap;
	}
	o->pass[o->pass_len++] = (char *)arg;
	o->pass[o->pass_len] = NULL;
}

/* The option C as this release spells it, and its argument. */
static void pass_option(struct expose_opts *o, int c, const char *arg)
{
	static const char letters[] = "mdrHRCuxlwtn";
	static char spelled[sizeof letters - 1][3];
	const char *at = strchr(letters, c);
	char *s = spelled[at - letters];
	s[0] = '-';
	s[1] = (char)c;
	pass_push(o, s);
	if (arg)
		pass_push(o, arg);
}

static unsigned opt_number(const char *arg, uint32_t min, uint32_t max)
{
	uint32_t v;
	if (!scan_u32(arg, strlen(arg), &v) || v < min || v > max)
		usage();
	return v;
}

/* The spellings of the last release, each translated to its letter of
 * now; returns that letter. */
static int old_spelling(struct expose_opts *o, enum expose_kind self, int c)
{
	if (c == 's' && self == EXPOSE_MBOX) {
		logline("warning: -s is now -H (hide bookkeeping headers); -s goes in the next release");
		return 'H';
	}
	if (c == 's') {
		logline("warning: -s is now -R (mark retrieved mail seen); -s goes in the next release");
		return 'R';
	}
	if (self == EXPOSE_MBOX) {
		logline("warning: -c FILE is now -C FILE (index cache); -c goes in the next release");
		return 'C';
	}
	logline("warning: -c is now -C FILE (index cache; a Maildir's is maildirscan.sizes "
	        "whatever FILE); -c goes in the next release");
	o->cache = 1;
	return 0;
}

/* One option, already in the spelling of now; 0, or -1 if unknown. */
static int take_option(struct expose_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'm': o->mailbox = arg; o->maildir = 0; break;
	case 'd': o->mailbox = arg; o->maildir = 1; break;
	case 'r': o->msg_flags |= MSGF_MBOXRD; break;
	case 'H': o->msg_flags |= MSGF_HIDE_STATUS; break;
	case 'R': o->mark_seen = 1; break;
	case 'C': o->cache = 1; o->cache_file = arg; break;
	case 'u': o->uid_digest = 1; break;
	case 'x': o->exclusive = 1; break;
	case 'l':
		if (expose_lock_methods_parse(arg, &o->lock_methods) < 0)
			usage();
		break;
	case 'w': o->wait_seconds = opt_number(arg, 0, EXPOSE_SECONDS_MAX); break;
	case 't': o->stale_seconds = opt_number(arg, 0, EXPOSE_SECONDS_MAX); break;
	case 'n': o->max_messages = opt_number(arg, 1, EXPOSE_MESSAGES_LIMIT); break;
	default: return -1;
	}
	pass_option(o, c, arg);
	return 0;
}

void expose_opts_parse(struct expose_opts *o, enum expose_kind self,
                       int argc, char **argv)
{
	memset(o, 0, sizeof *o);
	o->lock_methods = EXPOSE_LOCK_DOTLOCK | EXPOSE_LOCK_FCNTL;
	o->wait_seconds = EXPOSE_LOCK_WAIT_DEFAULT;
	o->stale_seconds = EXPOSE_LOCK_STALE_DEFAULT;
	o->max_messages = EXPOSE_MESSAGES_DEFAULT;
	pass_push(o, kind_name[!self]);
	/* '+': options end at pop3d's name; its own options are its own.
	 * Only -c differs: the old spellings took a file in mboxsplit and
	 * none in maildirscan. */
	const char *letters = self == EXPOSE_MBOX ? "+m:d:rHRC:uxl:w:t:n:sc:"
	                                          : "+m:d:rHRC:uxl:w:t:n:sc";
	int c;
	opterr = 0;  /* one line for a bad option: ours */
	while ((c = getopt(argc, argv, letters)) != -1) {
		if (c == 's' || c == 'c')
			c = old_spelling(o, self, c);
		if (c == 0)
			continue;
		/* getopt leaves optarg as it was after a flag */
		const char *arg = strchr(WITH_ARGUMENT, c) ? optarg : NULL;
		if (take_option(o, c, arg) < 0)
			usage();
	}
	if (optind >= argc)
		usage();
	o->prog = argv + optind;
	for (int i = optind; i < argc; i++)
		pass_push(o, argv[i]);
	if (!expire_policy_env(&o->expire))
		die(EXIT_MISUSE, "bad EXPIRE: %s (days, or NEVER)", getenv("EXPIRE"));
}

enum expose_kind expose_opts_kind(const struct expose_opts *o, enum expose_kind self)
{
	if (o->mailbox && o->maildir)
		return EXPOSE_MAILDIR;
	const char *m = o->mailbox ? o->mailbox : getenv("MAILBOX");
	if (!m || !*m)
		return self;
	return m[strlen(m) - 1] == '/' ? EXPOSE_MAILDIR : EXPOSE_MBOX;
}

void expose_opts_dispatch(struct expose_opts *o, enum expose_kind self)
{
	enum expose_kind kind = expose_opts_kind(o, self);
	if (kind != self)
		expose_exec_sibling(kind_name[kind], o->pass);
	/* the hand-off's argument list, not needed by the session */
	free(o->pass);
	o->pass = NULL;
	o->pass_len = o->pass_cap = 0;
	/* Headers a client was to be spared reach it: say so.  The other
	 * options of the other kind need saying nowhere: a Maildir has no
	 * spool lock and no From_ quoting, an mbox session is always alone
	 * and its ids always come from the header. */
	if (kind == EXPOSE_MAILDIR && (o->msg_flags & MSGF_HIDE_STATUS))
		logline("option_ignored option=-H reason=\"a Maildir's messages are sent with all their headers\"");
}
