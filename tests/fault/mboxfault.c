/* mboxfault.c: the fault points of mboxsplit's test build
 * ($(B)/tests/mboxsplit-fault, never installed; mboxsplit/fault.h).
 *
 * MBOXSPLIT_FAULT=STAGE:N kills the process with SIGKILL the Nth time
 * it reaches fault point STAGE ("any" counts every point), so a test can
 * stop a write-back at each step.  Read once, before main, so that the
 * sources of mboxsplit need no call but the fault points themselves.
 * Unset or malformed: no fault. */
#include "fault.h"
#include "scan_num.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char fault_stage[32];
static uint64_t fault_at;   /* 0: disarmed */
static uint64_t fault_seen;

__attribute__((constructor)) static void fault_init(void)
{
	const char *spec = getenv("MBOXSPLIT_FAULT");
	if (!spec)
		return;
	const char *colon = strchr(spec, ':');
	if (!colon || (size_t)(colon - spec) >= sizeof fault_stage)
		return;
	uint64_t n;
	if (!scan_u64(colon + 1, strlen(colon + 1), &n) || n == 0)
		return;
	memcpy(fault_stage, spec, (size_t)(colon - spec));
	fault_stage[colon - spec] = '\0';
	fault_at = n;
}

void fault_point(const char *stage)
{
	if (!fault_at)
		return;
	if (strcmp(fault_stage, "any") != 0 && strcmp(fault_stage, stage) != 0)
		return;
	if (++fault_seen == fault_at)
		raise(SIGKILL);
}
