/* hostcheck_bench RULES COUNT: times rules_open() on RULES, then COUNT
 * decisions for clients spread over the address space (IPv4 and IPv6,
 * with and without a host name).  Prints key=value lines: open time,
 * mean and worst time per check in nanoseconds. */
#include "clock.h"
#include "../../hostcheck/rules.h"
#include "die.h"
#include "exitcode.h"
#include "scan_num.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* xorshift: the same clients on every run */
static uint32_t next_random(uint32_t *state)
{
	uint32_t x = *state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

static void make_client(uint32_t *state, struct netaddr *addr)
{
	memset(addr, 0, sizeof *addr);
	uint32_t r = next_random(state);
	if (r % 4 == 0) {
		addr->family = NETADDR_V6;
		addr->octets[0] = 0x20;
		addr->octets[1] = 0x01;
		addr->octets[2] = 0x0d;
		addr->octets[3] = 0xb8;
		for (int i = 4; i < 16; i++)
			addr->octets[i] = (uint8_t)next_random(state);
		addr->octets[4] &= 0x0f;  /* inside the generated prefixes, often */
	} else {
		addr->family = NETADDR_V4;
		uint32_t v = next_random(state);
		addr->octets[0] = (uint8_t)(10 + r % 3);
		addr->octets[1] = (uint8_t)(v >> 8);
		addr->octets[2] = (uint8_t)(v >> 16);
		addr->octets[3] = (uint8_t)(v >> 24);
	}
}

static int compare_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	progname = "hostcheck_bench";
	uint32_t count;
	if (argc != 3 || !scan_u32(argv[2], strlen(argv[2]), &count) || count == 0)
		die(EXIT_MISUSE, "usage: hostcheck_bench RULES COUNT");
	struct rules rules;
	struct rules_error err;
	long long t0 = clock_ns();
	if (rules_open(&rules, argv[1], &err) < 0)
		die(EXIT_MISUSE, "%s:%lu: %s", argv[1], err.line, err.text);
	long long opened = clock_ns() - t0;

	uint32_t state = 2463534242u;
	long long worst = 0, total = 0;
	long long *took_ns = malloc(sizeof *took_ns * count);
	if (!took_ns)
		die_nomem();
	unsigned allowed = 0, named = 0;
	char name[64];
	for (uint32_t i = 0; i < count; i++) {
		struct netaddr client;
		struct rule_hit hit;
		make_client(&state, &client);
		snprintf(name, sizeof name, "host%u.zone%u.example.net",
			 next_random(&state) % 2000, next_random(&state) % 1500);
		long long start = clock_ns();
		if (rules_decide(&rules, &client, NULL, false, &hit) == RULES_NEED_NAME) {
			named++;
			rules_decide(&rules, &client, name, true, &hit);
		}
		long long took = clock_ns() - start;
		took_ns[i] = took;
		total += took;
		if (took > worst)
			worst = took;
		allowed += hit.action == RULE_ALLOW || hit.action == RULE_TRUST || hit.action == RULE_WARN;
	}
	qsort(took_ns, count, sizeof *took_ns, compare_ll);
	printf("open_us=%lld checks=%u mean_check_ns=%lld p50_ns=%lld p99_ns=%lld "
	       "worst_check_ns=%lld needed_name=%u allowed=%u\n",
	       opened / 1000, count, total / count, took_ns[count / 2],
	       took_ns[count - 1 - count / 100], worst, named, allowed);
	free(took_ns);
	rules_close(&rules);
	return 0;
}
