/* clock.c: see clock.h. */
#include "clock.h"

#include <limits.h>
#include <time.h>

int64_t clock_ns(void)
{
	struct timespec ts;
	/* CLOCK_MONOTONIC cannot fail on Linux for a valid pointer. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t clock_ms(void)
{
	return clock_ns() / 1000000;
}

int clock_ms_left(int64_t deadline)
{
	int64_t left = deadline - clock_ms();
	if (left <= 0)
		return 0;
	return left > INT_MAX ? INT_MAX : (int)left;
}
