/* seccomp_cost: what attaching a seccomp filter costs (doc/security.md).
 *
 *   seccomp_cost linear N   a filter whose every call number walks N
 *                           comparisons before it is allowed
 *   seccomp_cost skip N     the same N comparisons jumped over: one step
 *   seccomp_cost rooms      confine() of each room of lib/confine.h
 *
 * Each figure is the mean over 50 fresh children of the time around the
 * attach (or confine()), in microseconds: the kernel runs a new filter
 * once for every call number to fill its action cache, so the price
 * follows the steps a number takes, not the filter's length. */
#include "confine.h"
#include "die.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 50

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static struct sock_fprog prog;
static int room = -1;

/* In a child: the attach (or confine()) timed, the time written to FD. */
static void attach(int fd)
{
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	double t0 = now_us();
	if (room >= 0)
		confine((enum confine_room)room, room >= CONFINE_MBOX_WORKER ? "/tmp" : NULL);
	else if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		_exit(1);
	double d = now_us() - t0;
	_exit(write(fd, &d, sizeof d) == (ssize_t)sizeof d ? 0 : 1);
}

static double mean_attach(void)
{
	double total = 0;
	for (int r = 0; r < ROUNDS; r++) {
		int p[2];
		double d = 0;
		if (pipe(p) < 0)
			return -1;
		pid_t c = fork();
		if (c == 0)
			attach(p[1]);
		int status;
		if (c < 0 || read(p[0], &d, sizeof d) != (ssize_t)sizeof d ||
		    waitpid(c, &status, 0) < 0 || status != 0)
			return -1;
		close(p[0]);
		close(p[1]);
		total += d;
	}
	return total / ROUNDS;
}

int main(int argc, char **argv)
{
	progname = "seccomp_cost";
	if (argc == 2 && strcmp(argv[1], "rooms") == 0) {
		static const char *const names[] = { "dialogue", "pop3d", "mbox worker",
		                                     "maildir worker", "tls" };
		for (room = 0; room < (int)(sizeof names / sizeof *names); room++)
			printf("confine %-14s %6.1f us\n", names[room], mean_attach());
		return 0;
	}
	int n = argc == 3 ? atoi(argv[2]) : -1;
	int skip = argc == 3 && strcmp(argv[1], "skip") == 0;
	if (n < 1 || n > 1000 || (!skip && strcmp(argv[1], "linear") != 0)) {
		fprintf(stderr, "usage: seccomp_cost linear N | skip N | rooms\n");
		return 2;
	}
	struct sock_filter *f = calloc((size_t)n + 2, sizeof *f);
	if (!f)
		return 111;
	f[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	if (skip)
		f[0] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, (unsigned)n);
	for (int i = 1; i <= n; i++)
		f[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 100000u + (unsigned)i, 0, 0);
	f[n + 1] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog = (struct sock_fprog){ (unsigned short)(n + 2), f };
	double us = mean_attach();
	if (us < 0) {
		fprintf(stderr, "seccomp_cost: the attach failed\n");
		return 111;
	}
	printf("%s %d: %.1f us\n", skip ? "skip" : "linear", n, us);
	return 0;
}
