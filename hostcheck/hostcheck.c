/* hostcheck: access control as a link of the chain.
 *
 *   hostcheck [-qrhi] [-m TEXT] [-t SECONDS] [-p BALANCER]... [-l LOCALNAME]
 *             RULES PROG [ARG...]
 *   hostcheck -c RULES
 *
 * Decides from the client's address (and, where a rule needs it, its
 * forward-confirmed host name) whether PROG runs; passes the deciding
 * rule's variables on.  Under tcpserver it reads TCPREMOTEIP and its
 * friends; under inetd, xinetd or systemd (fd 0 is the client, nothing
 * set) it fills them from the socket, so later links see the same
 * environment either way.  It reads nothing from the client but a PROXY
 * header, and that only from a listed load balancer.  See hostcheck(8). */
#include "die.h"
#include "exitcode.h"
#include "fcrdns.h"
#include "hostname.h"
#include "netaddr.h"
#include "proxy.h"
#include "rules.h"
#include "scan_num.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

enum {
	BALANCERS_MAX = 16,
	MESSAGE_MAX = 200,           /* octets of the -ERR text */
	TIMEOUT_DEFAULT_S = 5,
	TIMEOUT_MAX_S = 600,
};

static const char usage_text[] =
	"usage: hostcheck [-qrhi] [-m TEXT] [-t SECONDS] [-p BALANCER]... "
	"[-l LOCALNAME] RULES PROG [ARG...]\n"
	"       hostcheck -c RULES";

struct options {
	bool check_only;      /* -c */
	bool quiet;           /* -q: deny without a word */
	bool require_name;    /* -r: refuse clients without forward-confirmed DNS */
	bool always_lookup;   /* -h: look the name up for TCPREMOTEHOST too */
	bool inetd;           /* -i: read the addresses from fd 0, whatever is set */
	const char *message;  /* -m */
	unsigned timeout_ms;  /* -t */
	const char *local_name;  /* -l: TCPLOCALHOST in inetd mode */
	struct netaddr balancer[BALANCERS_MAX];
	unsigned balancer_bits[BALANCERS_MAX];
	size_t balancers;
};

struct connection {
	struct netaddr remote, local;
	uint16_t remote_port, local_port;
	bool have_local;
	bool via_proxy;
	struct netaddr balancer;
};

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

static void parse_options(int argc, char **argv, struct options *opt)
{
	memset(opt, 0, sizeof *opt);
	opt->message = "access denied";
	opt->timeout_ms = TIMEOUT_DEFAULT_S * 1000;
	int c;
	opterr = 0;  /* one line for a bad option: ours */
	while ((c = getopt(argc, argv, "+cqrhim:t:p:l:")) != -1) {
		uint32_t n;
		const char *why;
		switch (c) {
		case 'c': opt->check_only = true; break;
		case 'q': opt->quiet = true; break;
		case 'r': opt->require_name = true; break;
		case 'h': opt->always_lookup = true; break;
		case 'i': opt->inetd = true; break;
		case 'm':
			if (strlen(optarg) > MESSAGE_MAX || !printable(optarg))
				die(EXIT_MISUSE, "-m: at most %d printable ASCII octets", MESSAGE_MAX);
			opt->message = optarg;
			break;
		case 't':
			if (!scan_u32(optarg, strlen(optarg), &n) || n == 0 || n > TIMEOUT_MAX_S)
				die(EXIT_MISUSE, "-t: seconds from 1 to %d", TIMEOUT_MAX_S);
			opt->timeout_ms = n * 1000;
			break;
		case 'p':
			if (opt->balancers == BALANCERS_MAX)
				die(EXIT_MISUSE, "-p: at most %d balancers", BALANCERS_MAX);
			if (!netaddr_parse_prefix(optarg, &opt->balancer[opt->balancers],
						  &opt->balancer_bits[opt->balancers], &why))
				die(EXIT_MISUSE, "-p %s: %s", optarg, why);
			opt->balancers++;
			break;
		case 'l':
			if (!hostname_dns_ok(optarg, strlen(optarg)))
				die(EXIT_MISUSE, "-l: not a host name");
			opt->local_name = optarg;
			break;
		default:
			die(EXIT_MISUSE, "%s", usage_text);
		}
	}
}

static void open_rules(struct rules *rules, const char *path)
{
	struct rules_error err;
	if (rules_open(rules, path, &err) == 0)
		return;
	if (err.line)
		die(EXIT_MISUSE, "%s:%lu: %s", path, err.line, err.text);
	die(EXIT_MISUSE, "%s: %s", path, err.text);
}

static void set_env(const char *name, const char *value)
{
	if (setenv(name, value, 1) < 0)
		die_nomem();
}

static void set_env_port(const char *name, uint16_t port)
{
	char text[8];
	snprintf(text, sizeof text, "%u", (unsigned)port);
	set_env(name, text);
}

/* Fills *CONN from getpeername and getsockname on fd 0. */
static void connection_from_socket(struct connection *conn)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	if (getpeername(0, (struct sockaddr *)&ss, &len) < 0 ||
	    !netaddr_from_sockaddr((struct sockaddr *)&ss, len, &conn->remote, &conn->remote_port))
		die(EXIT_MISUSE, "no TCPREMOTEIP, and fd 0 is not a TCP connection");
	len = sizeof ss;
	if (getsockname(0, (struct sockaddr *)&ss, &len) < 0 ||
	    !netaddr_from_sockaddr((struct sockaddr *)&ss, len, &conn->local, &conn->local_port))
		die(EXIT_TEMP, "getsockname on fd 0 failed");
	conn->have_local = true;
}

/* Fills *CONN from what tcpserver (or a shell, for a test) has set. */
static void connection_from_env(struct connection *conn, const char *remote_ip)
{
	if (!netaddr_parse(remote_ip, &conn->remote))
		die(EXIT_MISUSE, "TCPREMOTEIP is not an IP address");
	const char *port = getenv("TCPREMOTEPORT");
	uint32_t n;
	if (port && scan_u32(port, strlen(port), &n) && n <= 65535)
		conn->remote_port = (uint16_t)n;
	const char *local_ip = getenv("TCPLOCALIP");
	const char *local_port = getenv("TCPLOCALPORT");
	if (local_ip && netaddr_parse(local_ip, &conn->local)) {
		conn->have_local = true;
		if (local_port && scan_u32(local_port, strlen(local_port), &n) && n <= 65535)
			conn->local_port = (uint16_t)n;
	}
}

/* The variables every later link reads, as tcpserver sets them. */
static void export_connection(const struct connection *conn)
{
	char text[NETADDR_TEXT_MAX];
	set_env("PROTO", conn->remote.family == NETADDR_V4 ? "TCP" : "TCP6");
	set_env("TCPREMOTEIP", netaddr_format(&conn->remote, text));
	set_env_port("TCPREMOTEPORT", conn->remote_port);
	if (conn->have_local) {
		set_env("TCPLOCALIP", netaddr_format(&conn->local, text));
		set_env_port("TCPLOCALPORT", conn->local_port);
	}
	unsetenv("TCPREMOTEHOST");  /* it named the old peer, if anything */
	unsetenv("TCPREMOTEINFO");
	/* ucspi-tcp-ipv6's tcpserver sets a TCP6 copy of each variable;
	 * behind a balancer they name the balancer's connection, so they go
	 * (the chain reads the TCP ones). */
	static const char *const tcp6_copies[] = {
		"TCP6LOCALHOST", "TCP6LOCALIP", "TCP6LOCALPORT", "TCP6REMOTEHOST",
		"TCP6REMOTEINFO", "TCP6REMOTEIP", "TCP6REMOTEPORT", "TCP6INTERFACE",
	};
	for (size_t i = 0; i < sizeof tcp6_copies / sizeof tcp6_copies[0]; i++)
		unsetenv(tcp6_copies[i]);
}

static bool from_balancer(const struct options *opt, const struct netaddr *peer)
{
	for (size_t i = 0; i < opt->balancers; i++)
		if (netaddr_in_prefix(peer, &opt->balancer[i], opt->balancer_bits[i]))
			return true;
	return false;
}

/* A listed balancer speaks first: the PROXY header names the client. */
static void read_proxy_header(const struct options *opt, struct connection *conn)
{
	struct proxy_result header;
	const char *why;
	char text[NETADDR_TEXT_MAX];
	if (proxy_read(0, opt->timeout_ms, &header, &why) != PROXY_DONE) {
		logline_at(LOG_NOTICE, "drop ip=%s proxy=bad reason=%s",
		     netaddr_format(&conn->remote, text), why);
		_exit(EXIT_REFUSED);
	}
	if (!header.has_addresses)
		return;  /* LOCAL or UNKNOWN: the balancer speaks for itself */
	conn->balancer = conn->remote;
	conn->via_proxy = true;
	conn->remote = header.source;
	conn->remote_port = header.source_port;
	conn->local = header.destination;
	conn->local_port = header.destination_port;
	conn->have_local = true;
}

/* Whether -r or -h want a lookup the rules do not: not for a trusted
 * client, and not for one already denied (a refused client costs no
 * DNS query). */
static bool options_want_name(const struct options *opt, const struct rule_hit *hit)
{
	return (opt->require_name || opt->always_lookup) && hit->action != RULE_TRUST &&
	       hit->action != RULE_DENY && hit->action != RULE_NONE;
}

struct decision {
	struct rule_hit hit;
	enum fcrdns_status dns;
	bool looked_up;
	bool refused_for_name;
	char name[RULES_NAME_MAX + 1];
};

static void decide(const struct options *opt, struct rules *rules, const struct netaddr *client,
		   struct decision *d)
{
	memset(d, 0, sizeof *d);
	enum rules_status status = rules_decide(rules, client, NULL, false, &d->hit);
	if (status == RULES_NEED_NAME || options_want_name(opt, &d->hit)) {
		d->looked_up = true;
		d->dns = fcrdns_lookup(client, opt->timeout_ms, d->name);
		rules_decide(rules, client, d->dns == FCRDNS_OK ? d->name : NULL, true, &d->hit);
	}
	bool admitted = d->hit.action == RULE_ALLOW || d->hit.action == RULE_WARN;
	if (opt->require_name && admitted && (!d->looked_up || d->dns != FCRDNS_OK))
		d->refused_for_name = true;
}

static bool allowed(const struct decision *d)
{
	return !d->refused_for_name && (d->hit.action == RULE_ALLOW || d->hit.action == RULE_WARN ||
					d->hit.action == RULE_TRUST);
}

static void log_decision(const struct connection *conn, const struct decision *d)
{
	char ip[NETADDR_TEXT_MAX], balancer[NETADDR_TEXT_MAX + 8] = "";
	char host[RULES_NAME_MAX + 8] = "";
	if (conn->via_proxy) {
		memcpy(balancer, " proxy=", 7);
		netaddr_format(&conn->balancer, balancer + 7);
	}
	if (d->looked_up && d->dns == FCRDNS_OK)
		snprintf(host, sizeof host, " host=%s", d->name);
	const char *verdict = allowed(d) ? rule_action_name(d->hit.action) : "deny";
	logline_at(allowed(d) ? (d->hit.action == RULE_WARN ? LOG_WARNING : LOG_INFO) : LOG_NOTICE,
	     "%s ip=%s port=%u%s%s dns=%s match=%s rule=%lu%s", verdict,
	     netaddr_format(&conn->remote, ip), (unsigned)conn->remote_port, host, balancer,
	     d->looked_up ? fcrdns_status_name(d->dns) : "skipped", rule_match_name(d->hit.match),
	     d->hit.line, d->refused_for_name ? " reason=no-fcrdns" : "");
}

static _Noreturn void refuse(const struct options *opt)
{
	if (!opt->quiet) {
		char line[MESSAGE_MAX + 8];
		int n = snprintf(line, sizeof line, "-ERR %s\r\n", opt->message);
		signal(SIGPIPE, SIG_IGN);  /* a client gone already is no error */
		if (write(1, line, (size_t)n) < 0) {
			/* nothing more to tell it */
		}
	}
	_exit(EXIT_REFUSED);
}

/* The deciding rule's NAME=VALUE\0 list. */
static void export_rule_vars(const struct rule_hit *hit)
{
	const char *p = hit->vars, *end = hit->vars + hit->vars_len;
	while (p < end) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		const char *eq = nul ? memchr(p, '=', (size_t)(nul - p)) : NULL;
		if (!eq)
			break;
		char name[RULES_LINE_MAX];
		size_t name_len = (size_t)(eq - p);
		if (name_len == 0 || name_len >= sizeof name)
			break;
		memcpy(name, p, name_len);
		name[name_len] = '\0';
		set_env(name, eq + 1);
		p = nul + 1;
	}
}

int main(int argc, char **argv)
{
	struct options opt;
	struct rules rules;
	progname = "hostcheck";
	log_start();
	parse_options(argc, argv, &opt);
	if (opt.check_only) {
		if (argc - optind != 1)
			die(EXIT_MISUSE, "%s", usage_text);
		open_rules(&rules, argv[optind]);
		rules_close(&rules);
		return EXIT_DONE;
	}
	if (argc - optind < 2)
		die(EXIT_MISUSE, "%s", usage_text);
	open_rules(&rules, argv[optind]);

	struct connection conn;
	memset(&conn, 0, sizeof conn);
	const char *remote_ip = getenv("TCPREMOTEIP");
	bool inetd = opt.inetd || !remote_ip;
	if (inetd)
		connection_from_socket(&conn);
	else
		connection_from_env(&conn, remote_ip);
	if (opt.balancers > 0 && from_balancer(&opt, &conn.remote))
		read_proxy_header(&opt, &conn);
	if (inetd || conn.via_proxy)
		export_connection(&conn);
	if (inetd && opt.local_name)
		set_env("TCPLOCALHOST", opt.local_name);

	struct decision d;
	decide(&opt, &rules, &conn.remote, &d);
	log_decision(&conn, &d);
	if (!allowed(&d))
		refuse(&opt);
	export_rule_vars(&d.hit);
	if (d.looked_up) {
		if (d.dns == FCRDNS_OK)
			set_env("TCPREMOTEHOST", d.name);
		else
			unsetenv("TCPREMOTEHOST");
	}
	rules_close(&rules);
	execvp(argv[optind + 1], argv + optind + 1);
	die(EXIT_TEMP, "unable to run %s: %s", argv[optind + 1], strerror(errno));
}
