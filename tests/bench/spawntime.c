/* spawntime: how long a program takes from posix_spawn to its exit.
 *
 *   spawntime N PROG [ARG...]
 *
 * Runs PROG N times, one after another, with stdin, stdout and stderr on
 * /dev/null, and prints "min median mean" in microseconds.  For the cost
 * of starting a program, give it arguments that make it exit at once. */
#include "clock.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: spawntime n prog [arg...]\n");
		return 2;
	}
	int n = atoi(argv[1]);
	if (n < 1 || n > 1000000)
		return 2;
	double *us = calloc((size_t)n, sizeof *us);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	for (int fd = 0; fd < 3; fd++)
		posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", O_RDWR, 0);
	double sum = 0;
	for (int i = 0; i < n; i++) {
		pid_t pid;
		int status;
		int64_t t0 = clock_ns();
		if (posix_spawn(&pid, argv[2], &fa, NULL, argv + 2, environ) != 0) {
			perror(argv[2]);
			return 1;
		}
		waitpid(pid, &status, 0);
		us[i] = (double)(clock_ns() - t0) / 1e3;
		sum += us[i];
	}
	qsort(us, (size_t)n, sizeof *us, cmp_double);
	printf("%.0f %.0f %.0f\n", us[0], us[n / 2], sum / n);
	return 0;
}
