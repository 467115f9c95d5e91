/* fuzz_rules: hostcheck's rules text compiler and the decision over the
 * result.  Any text must compile or fail with a line number, never
 * crash; a compiled text must answer every client, with a line from it. */
#include "../../hostcheck/rules.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const clients[] = {
	"10.1.2.3", "192.168.1.10", "0.0.0.0", "255.255.255.255",
	"2001:db8::1", "::", "::ffff:10.1.2.3", "fe80::1",
};
static const char *const names[] = {
	"host.example.org", "a.b.example.org", "x", "example.org",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rules rules;
	struct rules_error err;
	if (rules_open_text(&rules, (const char *)data, size, &err) < 0) {
		if (!memchr(err.text, '\0', sizeof err.text))
			abort();
		return 0;
	}
	unsigned long lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	for (size_t c = 0; c < sizeof clients / sizeof clients[0]; c++) {
		struct netaddr addr;
		struct rule_hit hit;
		if (!netaddr_parse(clients[c], &addr))
			abort();
		enum rules_status st = rules_decide(&rules, &addr, NULL, false, &hit);
		for (size_t n = 0; n <= sizeof names / sizeof names[0]; n++) {
			const char *name = n < sizeof names / sizeof names[0] ? names[n] : NULL;
			st = rules_decide(&rules, &addr, name, true, &hit);
			if (st != RULES_DECIDED || hit.line > lines)
				abort();
			if (hit.vars_len > 0 && hit.vars[hit.vars_len - 1] != '\0')
				abort();
		}
	}
	rules_close(&rules);
	return 0;
}
