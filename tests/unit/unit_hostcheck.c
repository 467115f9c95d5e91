/* unit_hostcheck: hostcheck's address prefixes, rules text, decisions
 * and PROXY header parser, driven directly (TAP on stdout). */
#include "../../hostcheck/hostname.h"
#include "../../hostcheck/netaddr.h"
#include "../../hostcheck/proxy.h"
#include "../../hostcheck/rules.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int test_count, failures;

static void ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%s %d - ", cond ? "ok" : "not ok", ++test_count);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	if (!cond)
		failures++;
}

/* ---- netaddr ---- */

static void test_parse(void)
{
	static const struct { const char *text; int family; } cases[] = {
		{ "192.168.1.1", 4 }, { "0.0.0.0", 4 }, { "255.255.255.255", 4 },
		{ "192.168.01.1", 0 }, { "1.2.3", 0 }, { "1.2.3.4.5", 0 }, { " 1.2.3.4", 0 },
		{ "1.2.3.256", 0 }, { "", 0 }, { "2001:db8::1", 6 }, { "::", 6 }, { "::1", 6 },
		{ "::ffff:1.2.3.4", 4 }, { "fe80::1%eth0", 0 }, { "2001:db8:::1", 0 },
		{ "1.2.3.4/32", 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct netaddr a;
		bool r = netaddr_parse(cases[i].text, &a);
		ok(cases[i].family ? r && a.family == cases[i].family : !r,
		   "netaddr_parse \"%s\" %s", cases[i].text,
		   cases[i].family ? "accepted" : "refused");
	}
	struct netaddr a;
	char text[NETADDR_TEXT_MAX];
	netaddr_parse("::ffff:10.9.8.7", &a);
	ok(strcmp(netaddr_format(&a, text), "10.9.8.7") == 0, "mapped address formats as IPv4");
}

static void test_prefix(void)
{
	static const struct { const char *text; bool good; int family; unsigned bits; } cases[] = {
		{ "10.0.0.0/8", true, 4, 8 }, { "10.1.0.0/8", false, 0, 0 },
		{ "10.0.0.0/33", false, 0, 0 }, { "10.0.0.0/", false, 0, 0 },
		{ "10.0.0.0/08", false, 0, 0 }, { "10.0.0.0/-1", false, 0, 0 },
		{ "0.0.0.0/0", true, 4, 0 }, { "1.2.3.4", true, 4, 32 },
		{ "192.168.1.1/31", false, 0, 0 }, { "192.168.1.0/31", true, 4, 31 },
		{ "::/0", true, 6, 0 }, { "2001:db8::/32", true, 6, 32 },
		{ "2001:db8::/129", false, 0, 0 }, { "2001:db8:8000::/32", false, 0, 0 },
		{ "2001:db8::1", true, 6, 128 }, { "::ffff:10.0.0.0/104", true, 4, 8 },
		{ "::ffff:0.0.0.0/95", false, 0, 0 }, { "/8", false, 0, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct netaddr net;
		unsigned bits = 999;
		const char *why = NULL;
		bool r = netaddr_parse_prefix(cases[i].text, &net, &bits, &why);
		bool good = cases[i].good ? r && net.family == cases[i].family && bits == cases[i].bits
					  : !r && why != NULL;
		ok(good, "prefix \"%s\" %s", cases[i].text, cases[i].good ? "accepted" : "refused");
	}
}

static bool in(const char *addr, const char *prefix)
{
	struct netaddr a, net;
	unsigned bits;
	const char *why;
	return netaddr_parse(addr, &a) && netaddr_parse_prefix(prefix, &net, &bits, &why) &&
	       netaddr_in_prefix(&a, &net, bits);
}

static void test_in_prefix(void)
{
	ok(in("192.168.1.255", "192.168.1.0/24"), "last address of a /24 is in it");
	ok(in("192.168.1.0", "192.168.1.0/24"), "first address of a /24 is in it");
	ok(!in("192.168.2.0", "192.168.1.0/24"), "next address after a /24 is not");
	ok(!in("192.168.0.255", "192.168.1.0/24"), "address before a /24 is not");
	ok(!in("192.168.1.10", "192.168.1.1"), "192.168.1.10 is not 192.168.1.1");
	ok(!in("192.168.1.1", "192.168.1.10"), "192.168.1.1 is not 192.168.1.10");
	ok(in("203.0.113.9", "0.0.0.0/0"), "/0 holds every IPv4 address");
	ok(!in("2001:db8::1", "0.0.0.0/0"), "an IPv6 address is in no IPv4 prefix");
	ok(!in("10.0.0.1", "::/0"), "an IPv4 address is in no IPv6 prefix");
	ok(in("::ffff:10.0.0.1", "10.0.0.0/8"), "a mapped address is in its IPv4 prefix");
	ok(in("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::/32"), "last of a v6 /32");
	ok(!in("2001:db9::", "2001:db8::/32"), "first after a v6 /32");
	ok(in("2001:db8::1", "2001:db8::/127"), "::1 in ::/127");
	ok(!in("2001:db8::2", "2001:db8::/127"), "::2 not in ::/127");
	ok(in("10.255.255.255", "10.128.0.0/9"), "odd-length prefix /9, top");
	ok(!in("10.127.255.255", "10.128.0.0/9"), "odd-length prefix /9, below");
}

/* ---- rules ---- */

static const char rules_text[] =
	"# overlapping rules, in no particular order\n"  /* 1 */
	"allow 10.0.0.0/8 A=1\n"                          /* 2 */
	"deny 10.1.0.0/16\n"                              /* 3 */
	"allow 10.1.2.0/24 GREETING=\"hello there\" DELAY=0\n" /* 4 */
	"deny 10.1.2.3\n"                                 /* 5 */
	"\n"                                              /* 6 */
	"allow 192.168.1.1\n"                             /* 7 */
	"trust 172.16.0.0/12\n"                           /* 8 */
	"allow 2001:db8::/32\n"                           /* 9 */
	"deny 2001:db8:1::/48\n"                          /* 10 */
	"allow 2001:db8:1::1\r\n"                         /* 11 */
	"warn 2001:db8:ffff::/127\n"                      /* 12 */
	"ALLOW Host.Example.Org.\n"                       /* 13 */
	"deny .bad.example.org   # comment\n"             /* 14 */
	"allow default LAST=yes\n";                       /* 15 */

struct decide_case {
	const char *addr, *name;
	bool name_known;
	enum rules_status status;
	enum rule_action action;
	enum rule_match match;
	unsigned long line;
};

static void test_decide(void)
{
	static const struct decide_case cases[] = {
		{ "10.1.2.3", NULL, false, RULES_DECIDED, RULE_DENY, MATCH_ADDRESS, 5 },
		{ "10.1.2.4", NULL, false, RULES_NEED_NAME, 0, 0, 0 },
		{ "10.1.2.4", NULL, true, RULES_DECIDED, RULE_ALLOW, MATCH_PREFIX, 4 },
		{ "10.1.3.1", NULL, true, RULES_DECIDED, RULE_DENY, MATCH_PREFIX, 3 },
		{ "10.2.0.0", NULL, true, RULES_DECIDED, RULE_ALLOW, MATCH_PREFIX, 2 },
		{ "11.0.0.0", NULL, true, RULES_DECIDED, RULE_ALLOW, MATCH_DEFAULT, 15 },
		{ "192.168.1.1", NULL, false, RULES_DECIDED, RULE_ALLOW, MATCH_ADDRESS, 7 },
		{ "192.168.1.10", NULL, true, RULES_DECIDED, RULE_ALLOW, MATCH_DEFAULT, 15 },
		{ "192.168.1.100", NULL, true, RULES_DECIDED, RULE_ALLOW, MATCH_DEFAULT, 15 },
		{ "172.16.5.5", NULL, false, RULES_DECIDED, RULE_TRUST, MATCH_PREFIX, 8 },
		{ "172.31.255.255", NULL, false, RULES_DECIDED, RULE_TRUST, MATCH_PREFIX, 8 },
		{ "172.32.0.0", NULL, false, RULES_NEED_NAME, 0, 0, 0 },
		{ "172.15.255.255", "host.example.org", true, RULES_DECIDED, RULE_ALLOW, MATCH_NAME, 13 },
		{ "2001:db8:1::1", NULL, false, RULES_DECIDED, RULE_ALLOW, MATCH_ADDRESS, 11 },
		{ "2001:db8:1::2", NULL, true, RULES_DECIDED, RULE_DENY, MATCH_PREFIX, 10 },
		{ "2001:db8:1:ffff::", NULL, true, RULES_DECIDED, RULE_DENY, MATCH_PREFIX, 10 },
		{ "2001:db8:2::", NULL, true, RULES_DECIDED, RULE_ALLOW, MATCH_PREFIX, 9 },
		{ "2001:db8:ffff::1", NULL, true, RULES_DECIDED, RULE_WARN, MATCH_PREFIX, 12 },
		{ "2001:db8:ffff::2", NULL, true, RULES_DECIDED, RULE_ALLOW, MATCH_PREFIX, 9 },
		{ "2001:db9::", NULL, true, RULES_DECIDED, RULE_ALLOW, MATCH_DEFAULT, 15 },
		{ "::ffff:10.1.2.3", NULL, false, RULES_DECIDED, RULE_DENY, MATCH_ADDRESS, 5 },
		{ "198.51.100.7", "host.example.org", true, RULES_DECIDED, RULE_ALLOW, MATCH_NAME, 13 },
		{ "198.51.100.7", "x.bad.example.org", true, RULES_DECIDED, RULE_DENY, MATCH_SUFFIX, 14 },
		{ "198.51.100.7", "a.b.bad.example.org", true, RULES_DECIDED, RULE_DENY, MATCH_SUFFIX, 14 },
		{ "198.51.100.7", "bad.example.org", true, RULES_DECIDED, RULE_ALLOW, MATCH_DEFAULT, 15 },
		{ "198.51.100.7", "xbad.example.org", true, RULES_DECIDED, RULE_ALLOW, MATCH_DEFAULT, 15 },
		{ "198.51.100.7", "host.example.org.evil", true, RULES_DECIDED, RULE_ALLOW, MATCH_DEFAULT, 15 },
		{ "10.1.3.1", "host.example.org", true, RULES_DECIDED, RULE_ALLOW, MATCH_NAME, 13 },
		{ "10.1.2.3", "host.example.org", true, RULES_DECIDED, RULE_DENY, MATCH_ADDRESS, 5 },
		{ "10.1.3.1", "x.bad.example.org", true, RULES_DECIDED, RULE_DENY, MATCH_PREFIX, 3 },
		{ "10.2.0.1", "x.bad.example.org", true, RULES_DECIDED, RULE_ALLOW, MATCH_PREFIX, 2 },
	};
	struct rules rules;
	struct rules_error err;
	int r = rules_open_text(&rules, rules_text, sizeof rules_text - 1, &err);
	ok(r == 0, "the test rules compile (%s)", r == 0 ? "" : err.text);
	if (r != 0)
		return;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct decide_case *c = &cases[i];
		struct netaddr a;
		struct rule_hit hit;
		netaddr_parse(c->addr, &a);
		enum rules_status st = rules_decide(&rules, &a, c->name, c->name_known, &hit);
		bool good = st == c->status &&
			    (st == RULES_NEED_NAME ||
			     (hit.action == c->action && hit.match == c->match && hit.line == c->line));
		ok(good, "%s%s%s: %s", c->addr, c->name ? " " : "", c->name ? c->name : "",
		   st == RULES_NEED_NAME ? "needs a name"
					 : rule_match_name(hit.match));
	}
	struct netaddr a;
	struct rule_hit hit;
	netaddr_parse("10.1.2.9", &a);
	rules_decide(&rules, &a, NULL, true, &hit);
	static const char want_vars[] = "GREETING=hello there\0DELAY=0";
	ok(hit.vars_len == sizeof want_vars && memcmp(hit.vars, want_vars, sizeof want_vars) == 0,
	   "a rule's variables, quotes removed");
	netaddr_parse("10.1.3.9", &a);
	rules_decide(&rules, &a, NULL, true, &hit);
	ok(hit.vars_len == 0, "a rule without variables sets none");
	rules_close(&rules);

	r = rules_open_text(&rules, "", 0, &err);
	netaddr_parse("10.1.3.9", &a);
	ok(r == 0 && rules_decide(&rules, &a, NULL, false, &hit) == RULES_DECIDED &&
	   hit.action == RULE_NONE, "empty rules: no match, which denies");
	rules_close(&rules);

	static const char dup[] = "deny 10.0.0.0/8\nallow 10.0.0.0/8\n";
	r = rules_open_text(&rules, dup, sizeof dup - 1, &err);
	netaddr_parse("10.3.3.3", &a);
	ok(r == 0 && rules_decide(&rules, &a, NULL, true, &hit) == RULES_DECIDED &&
	   hit.action == RULE_DENY && hit.line == 1, "a pattern given twice: the first line wins");
	rules_close(&rules);

	static const char suffixes_only[] = "deny .example.org\nallow 10.0.0.0/8\nallow default\n";
	r = rules_open_text(&rules, suffixes_only, sizeof suffixes_only - 1, &err);
	netaddr_parse("10.3.3.3", &a);
	ok(r == 0 && rules_decide(&rules, &a, NULL, false, &hit) == RULES_DECIDED &&
	   hit.line == 2, "a prefix outranks every suffix: no lookup needed");
	netaddr_parse("11.3.3.3", &a);
	ok(rules_decide(&rules, &a, NULL, false, &hit) == RULES_NEED_NAME,
	   "no prefix matched and suffix rules exist: a lookup is needed");
	rules_close(&rules);
}

struct bad_case {
	const char *text;
	unsigned long line;
	const char *message;
};

static void test_malformed(void)
{
	static const struct bad_case cases[] = {
		{ "allow\n", 1, "action without a pattern" },
		{ "permit 1.2.3.4\n", 1, "unknown action \"permit\" (allow, deny, warn or trust)" },
		{ "# c\n\nallow 1.2.3.4/33\n", 3, "\"1.2.3.4/33\": bad prefix length" },
		{ "allow 10.1.0.0/8\n", 1, "\"10.1.0.0/8\": address has bits set beyond the prefix length" },
		{ "allow 192.168.1.\n", 1, "\"192.168.1.\": not an IP address (write a prefix as 192.0.2.0/24)" },
		{ "allow 300.1.1.1\n", 1, "\"300.1.1.1\": not an IP address" },
		{ "allow host..example\n", 1, "\"host..example\" is not a host name, .domain, address or prefix: empty label" },
		{ "allow .\n", 1, "\".\" is not a host name, .domain, address or prefix: empty name" },
		{ "allow ho$t\n", 1, "\"ho$t\" is not a host name, .domain, address or prefix: '$' is not allowed in a host name (letters, digits, '-')" },
		{ "allow 1.2.3.4 FOO\n", 1, "expected NAME=VALUE, found \"FOO\"" },
		{ "allow 1.2.3.4 =x\n", 1, "expected NAME=VALUE, found \"=x\"" },
		{ "allow 1.2.3.4 1X=x\n", 1, "bad variable name \"1X\"" },
		{ "allow 1.2.3.4 TCPREMOTEIP=x\n", 1, "variable TCPREMOTEIP is set by hostcheck itself" },
		{ "allow 1.2.3.4 PROTO=x\n", 1, "variable PROTO is set by hostcheck itself" },
		{ "allow 1.2.3.4 X=\"a\n", 1, "unterminated quote" },
		{ "allow 1.2.3.4 X=a\"b\"\n", 1, "bad character in the value of X" },
		{ "allow 1.2.3.4 X=1 X=2\n", 1, "variable X set twice" },
		{ "allow 1.2.3.4\ndeny 1.2.3.4 X=\001\n", 2, "bad character in the value of X" },
		{ "allow 1.2.3.4\nallow\0 5.6.7.8\n", 2, "NUL octet" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct rules rules;
		struct rules_error err;
		size_t len = strlen(cases[i].text);
		if (strstr(cases[i].text, "allow 1.2.3.4\nallow") == cases[i].text)
			len = sizeof "allow 1.2.3.4\nallow\0 5.6.7.8\n" - 1;
		int r = rules_open_text(&rules, cases[i].text, len, &err);
		bool good = r < 0 && err.line == cases[i].line && strcmp(err.text, cases[i].message) == 0;
		ok(good, "malformed rule refused at line %lu: %s%s%s", cases[i].line, cases[i].message,
		   good ? "" : " -- got: ", good ? "" : err.text);
		if (r == 0)
			rules_close(&rules);
	}
	char long_line[RULES_LINE_MAX + 20];
	memset(long_line, ' ', sizeof long_line);
	memcpy(long_line, "allow 1.2.3.4", 13);
	struct rules rules;
	struct rules_error err;
	int r = rules_open_text(&rules, long_line, sizeof long_line, &err);
	ok(r < 0 && err.line == 1 && strcmp(err.text, "line longer than 4096 octets") == 0,
	   "a line over the limit is refused");
	char many[64 + 40 * 8];
	size_t used = (size_t)snprintf(many, sizeof many, "allow 1.2.3.4");
	for (int i = 0; i <= RULES_VARS_MAX; i++)
		used += (size_t)snprintf(many + used, sizeof many - used, " V%d=1", i);
	r = rules_open_text(&rules, many, used, &err);
	ok(r < 0 && strcmp(err.text, "more than 32 variables") == 0, "more than 32 variables refused");
}

/* ---- PROXY ---- */

static enum proxy_status parse_text(const char *s, size_t len, size_t *want, struct proxy_result *res)
{
	return proxy_parse((const uint8_t *)s, len, want, res);
}

/* RFC 1123 for rule patterns; the lenient check for names from the DNS. */
static void test_hostname(void)
{
	char l63[64], l64[65], n253[254], n254[255];
	memset(l63, 'a', 63);
	l63[63] = '\0';
	memset(l64, 'b', 64);
	l64[64] = '\0';
	snprintf(n253, sizeof n253, "%s.%s.%s.%.61s", l63, l63, l63, l63);
	snprintf(n254, sizeof n254, "%s.%s.%s.%.62s", l63, l63, l63, l63);
	static const char *good[] = {
		"a", "mail.example.org", "A-1.b2.EXAMPLE", "xn--bcher-kva.example",
		"0ffice.example.net", "1.2.3.com", "a-b-c.d",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		ok(hostname_error(good[i], strlen(good[i])) == NULL,
		   "host name \"%s\" accepted", good[i]);
	ok(hostname_error(l63, 63) == NULL, "a 63-octet label accepted");
	ok(strlen(n253) == 253 && hostname_error(n253, 253) == NULL,
	   "a 253-octet name accepted");
	static const struct { const char *name; const char *why; } bad[] = {
		{ "", "empty name" },
		{ "my_host.example", "'_' is not allowed in a host name (letters, digits, '-')" },
		{ "-1.2.3.4", "label \"-1\" begins with '-'" },
		{ "host-.example", "label \"host-\" ends with '-'" },
		{ "a..b", "empty label" },
		{ ".a", "empty label" },
		{ "a.", "empty label" },
		{ "example.123", "the last label is all digits: neither a host name nor an IP address" },
		{ "ex ample.org", "a host name has letters, digits, '-' and '.' only" },
		{ "ex\xc3\xa9.org", "a host name has letters, digits, '-' and '.' only" },
		{ "a*.org", "'*' is not allowed in a host name (letters, digits, '-')" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *why = hostname_error(bad[i].name, strlen(bad[i].name));
		ok(why && strcmp(why, bad[i].why) == 0, "host name \"%s\": %s (got %s)",
		   bad[i].name, bad[i].why, why ? why : "NULL");
	}
	char with_l64[80];
	snprintf(with_l64, sizeof with_l64, "%s.org", l64);
	const char *why = hostname_error(with_l64, strlen(with_l64));
	ok(why && strcmp(why, "a label of 64 octets, at most 63") == 0, "a 64-octet label refused");
	why = hostname_error(n254, strlen(n254));
	ok(why && strcmp(why, "254 octets, a host name has at most 253") == 0,
	   "a 254-octet name refused");
	/* a name from the DNS may hold an underscore; the pattern may not */
	ok(hostname_dns_ok("my_host.example.org", 19), "DNS name with '_' accepted");
	ok(!hostname_dns_ok("a..b", 4), "DNS name with an empty label refused");
}

static void test_proxy_v1(void)
{
	struct proxy_result res;
	size_t want;
	char text[NETADDR_TEXT_MAX];
	static const char good4[] = "PROXY TCP4 192.0.2.1 198.51.100.2 56324 110\r\nUSER x\r\n";
	enum proxy_status st = parse_text(good4, sizeof good4 - 1, &want, &res);
	ok(st == PROXY_DONE && want == 45 && res.has_addresses && res.source_port == 56324 &&
	   res.destination_port == 110 && strcmp(netaddr_format(&res.source, text), "192.0.2.1") == 0,
	   "v1 TCP4 header: addresses, ports and length");
	static const char good6[] = "PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\n";
	st = parse_text(good6, sizeof good6 - 1, &want, &res);
	ok(st == PROXY_DONE && want == sizeof good6 - 1 && res.source.family == NETADDR_V6 &&
	   res.destination_port == 65535, "v1 TCP6 header");
	static const char unknown[] = "PROXY UNKNOWN\r\n";
	st = parse_text(unknown, sizeof unknown - 1, &want, &res);
	ok(st == PROXY_DONE && !res.has_addresses, "v1 UNKNOWN: keep the socket's addresses");
	st = parse_text(good4, 20, &want, &res);
	ok(st == PROXY_MORE && want == 21, "v1 incomplete: one more octet");
	st = parse_text("PRO", 3, &want, &res);
	ok(st == PROXY_MORE && want == 4, "v1 signature incomplete");
	static const char *const bad[] = {
		"PROXY TCP4 192.0.2.1 198.51.100.2 56324 110\n",
		"PROXY TCP4 192.0.2.1 198.51.100.2 56324 65536\r\n",
		"PROXY TCP4 192.0.2.1 198.51.100.2 056324 110\r\n",
		"PROXY TCP4 192.0.2.1  198.51.100.2 56324 110\r\n",
		"PROXY TCP4 192.0.2.1 198.51.100.2 56324\r\n",
		"PROXY TCP4 192.0.2.1 198.51.100.2 56324 110 7\r\n",
		"PROXY TCP4 2001:db8::1 198.51.100.2 56324 110\r\n",
		"PROXY TCP6 192.0.2.1 198.51.100.2 56324 110\r\n",
		"PROXY UDP4 192.0.2.1 198.51.100.2 56324 110\r\n",
		"PROXY TCP4 192.0.2.1 198.51.100.2 -1 110\r\n",
		"PROXY \r\n",
		"USER alice\r\n",
		"proxy TCP4 192.0.2.1 198.51.100.2 56324 110\r\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		st = parse_text(bad[i], strlen(bad[i]), &want, &res);
		ok(st == PROXY_BAD, "v1 malformed refused: %.*s", (int)strcspn(bad[i], "\r\n"), bad[i]);
	}
	char longline[PROXY_V1_MAX + 1];
	memset(longline, '1', sizeof longline);
	memcpy(longline, "PROXY ", 6);
	ok(parse_text(longline, PROXY_V1_MAX, &want, &res) == PROXY_BAD,
	   "v1 with no line end within 107 octets refused");
}

static size_t v2_header(uint8_t *buf, uint8_t ver_cmd, uint8_t family, const uint8_t *body,
			size_t body_len)
{
	static const uint8_t sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };
	memcpy(buf, sig, 12);
	buf[12] = ver_cmd;
	buf[13] = family;
	buf[14] = (uint8_t)(body_len >> 8);
	buf[15] = (uint8_t)body_len;
	if (body_len > 0)
		memcpy(buf + 16, body, body_len);
	return 16 + body_len;
}

static void test_proxy_v2(void)
{
	uint8_t buf[256];
	struct proxy_result res;
	size_t want;
	char text[NETADDR_TEXT_MAX];
	static const uint8_t tcp4[12 + 3] = { 192, 0, 2, 7, 198, 51, 100, 1, 0x12, 0x34, 0, 110, 1, 2, 3 };
	size_t len = v2_header(buf, 0x21, 0x11, tcp4, sizeof tcp4);
	enum proxy_status st = proxy_parse(buf, len, &want, &res);
	ok(st == PROXY_DONE && want == len && res.source_port == 0x1234 &&
	   strcmp(netaddr_format(&res.source, text), "192.0.2.7") == 0 && res.destination_port == 110,
	   "v2 TCP4 with a TLV: addresses and the whole length");
	st = proxy_parse(buf, 10, &want, &res);
	ok(st == PROXY_MORE && want == 12, "v2 signature incomplete: read to 12");
	st = proxy_parse(buf, 12, &want, &res);
	ok(st == PROXY_MORE && want == 16, "v2 fixed part incomplete: read to 16");
	st = proxy_parse(buf, 16, &want, &res);
	ok(st == PROXY_MORE && want == len, "v2 body incomplete: read exactly the rest");
	uint8_t tcp6[36] = { 0x20, 0x01, 0x0d, 0xb8 };
	tcp6[15] = 9;
	tcp6[32] = 0xff;
	tcp6[33] = 0xff;
	len = v2_header(buf, 0x21, 0x21, tcp6, sizeof tcp6);
	st = proxy_parse(buf, len, &want, &res);
	ok(st == PROXY_DONE && strcmp(netaddr_format(&res.source, text), "2001:db8::9") == 0 &&
	   res.source_port == 65535, "v2 TCP6");
	len = v2_header(buf, 0x20, 0x00, NULL, 0);
	st = proxy_parse(buf, len, &want, &res);
	ok(st == PROXY_DONE && !res.has_addresses, "v2 LOCAL: keep the socket's addresses");
	len = v2_header(buf, 0x11, 0x11, tcp4, 12);
	ok(proxy_parse(buf, len, &want, &res) == PROXY_BAD, "v2 with version 1 refused");
	len = v2_header(buf, 0x22, 0x11, tcp4, 12);
	ok(proxy_parse(buf, len, &want, &res) == PROXY_BAD, "v2 with command 2 refused");
	len = v2_header(buf, 0x21, 0x12, tcp4, 12);
	ok(proxy_parse(buf, len, &want, &res) == PROXY_BAD, "v2 UDP refused");
	len = v2_header(buf, 0x21, 0x11, tcp4, 11);
	ok(proxy_parse(buf, len, &want, &res) == PROXY_BAD, "v2 TCP4 with a short body refused");
	len = v2_header(buf, 0x21, 0x31, tcp4, 12);
	ok(proxy_parse(buf, len, &want, &res) == PROXY_BAD, "v2 AF_UNIX refused");
	buf[11] = 0x0b;
	ok(proxy_parse(buf, len, &want, &res) == PROXY_BAD, "v2 with a bad signature refused");
}

int main(void)
{
	test_parse();
	test_prefix();
	test_in_prefix();
	test_decide();
	test_malformed();
	test_hostname();
	test_proxy_v1();
	test_proxy_v2();
	printf("1..%d\n", test_count);
	return failures ? 1 : 0;
}
