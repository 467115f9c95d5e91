/* clock.h: the monotonic clock, for deadlines and durations.
 *
 * The wall clock jumps when the time is set (NTP, an operator, a
 * virtual machine resumed); a timeout or a "seconds=" figure measured on
 * it would jump too.  CLOCK_MONOTONIC only goes forward, so every
 * deadline and duration in the toolkit is read from here. */
#ifndef CLOCK_H
#define CLOCK_H

#include <stdint.h>

/* Nanoseconds and milliseconds since an arbitrary start (boot on Linux):
 * only differences between two readings mean anything. */
int64_t clock_ns(void);
int64_t clock_ms(void);

/* Milliseconds from now until DEADLINE (a clock_ms() reading): 0 once it
 * has passed, at most INT_MAX, so the result can go to poll() as is. */
int clock_ms_left(int64_t deadline);

#endif
