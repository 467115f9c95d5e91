/* mboxfault.c: the fault points of mboxsplit's test build
 * ($(B)/tests/mboxsplit-fault, never installed; mboxsplit/fault.h).
 *
 * MBOXSPLIT_FAULT=STAGE:N kills the process with SIGKILL the Nth time
 * it reaches fault point STAGE ("any" counts every point), so a test can
 * stop a write-back at each step.  STAGE:N:syscall makes a system call
 * no room of confine.h allows (socket) instead, to show that the filter
 * ends the process as cleanly as a kill; STAGE:N:group kills its whole
 * process group, helper and all, as a host that dies would (run it under
 * setsid).  Read once, before main, so that the
 * sources of mboxsplit need no call but the fault points themselves.
 * Unset or malformed: no fault. */
#include "fault.h"
#include "scan_num.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static char fault_stage[32];
static uint64_t fault_at;   /* 0: disarmed */
static uint64_t fault_seen;
static int fault_by_syscall, fault_group;

__attribute__((constructor)) static void fault_init(void)
{
	const char *spec = getenv("MBOXSPLIT_FAULT");
	if (!spec)
		return;
	const char *colon = strchr(spec, ':');
	if (!colon || (size_t)(colon - spec) >= sizeof fault_stage)
		return;
	const char *num = colon + 1, *how = strchr(num, ':');
	size_t num_len = how ? (size_t)(how - num) : strlen(num);
	if (how && strcmp(how, ":syscall") != 0 && strcmp(how, ":group") != 0)
		return;
	uint64_t n;
	if (!scan_u64(num, num_len, &n) || n == 0)
		return;
	fault_by_syscall = how && strcmp(how, ":syscall") == 0;
	fault_group = how && strcmp(how, ":group") == 0;
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
	if (++fault_seen != fault_at)
		return;
	if (fault_by_syscall)
		socket(AF_INET, SOCK_STREAM, 0);
	if (fault_group)
		kill(0, SIGKILL);
	raise(SIGKILL);
}
