/* confine-probe: applies the filter a shipped program applies, through
 * the same library function, then tries one thing it should not do.
 *
 *   confine-probe ROOM DIR ACTION [ARG]
 *
 * ROOM is dialogue, pop3d, mbox, maildir or tls; DIR is "-" for none.
 * ACTION: open PATH (for reading), create PATH, socket, exec PATH,
 * ptrace PID, kill PID, fork, mmap-exec, none.
 * Prints "allowed" and exits 0 if the call worked, "refused: ERROR" and
 * exits 1 if it failed; a call the filter forbids ends the probe with
 * confine's own log line and status 111. */
#include "confine.h"
#include "die.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int verdict(long r)
{
	if (r >= 0) {
		puts("allowed");
		return 0;
	}
	printf("refused: %s\n", strerror(errno));
	return 1;
}

static enum confine_room room(const char *name)
{
	if (strcmp(name, "dialogue") == 0)
		return CONFINE_DIALOGUE;
	if (strcmp(name, "pop3d") == 0)
		return CONFINE_POP3D;
	if (strcmp(name, "mbox") == 0)
		return CONFINE_MBOX_WORKER;
	if (strcmp(name, "maildir") == 0)
		return CONFINE_MAILDIR_WORKER;
	if (strcmp(name, "tls") == 0)
		return CONFINE_TLS;
	die(2, "unknown room %s", name);
}

int main(int argc, char **argv)
{
	progname = "confine-probe";
	if (argc < 4)
		die(2, "usage: confine-probe room dir action [arg]");
	const char *act = argv[3], *arg = argc > 4 ? argv[4] : "";
	confine(room(argv[1]), strcmp(argv[2], "-") == 0 ? NULL : argv[2]);
	fflush(stdout);
	if (strcmp(act, "none") == 0)
		return verdict(0);
	if (strcmp(act, "open") == 0)
		return verdict(open(arg, O_RDONLY | O_CLOEXEC));
	if (strcmp(act, "create") == 0)
		return verdict(open(arg, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
	if (strcmp(act, "socket") == 0)
		return verdict(socket(AF_INET, SOCK_STREAM, 0));
	if (strcmp(act, "exec") == 0) {
		char *args[] = { (char *)arg, NULL };
		return verdict(execv(arg, args));
	}
	if (strcmp(act, "ptrace") == 0)
		return verdict(ptrace(PTRACE_ATTACH, (pid_t)atoi(arg), NULL, NULL));
	if (strcmp(act, "kill") == 0)
		return verdict(kill((pid_t)atoi(arg), SIGTERM));
	if (strcmp(act, "fork") == 0) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		return verdict(pid);
	}
	if (strcmp(act, "mmap-exec") == 0) {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		return verdict(p == MAP_FAILED ? -1 : 0);
	}
	die(2, "unknown action %s", act);
}
