/* fault.c: see fault.h. */
#include "fault.h"
#include "scan_num.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char fault_stage[32];
static uint64_t fault_at;   /* 0: disarmed */
static uint64_t fault_seen;

void fault_init(void)
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
