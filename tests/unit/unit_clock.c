/* unit_clock: the monotonic clock's units agree and go forward, and
 * the time left until a deadline is fit for poll(). */
#include "clock.h"
#include "tap.h"

#include <limits.h>
#include <stdio.h>
#include <time.h>

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0)
		;
}

int main(void)
{
	int64_t ns0 = clock_ns(), ms0 = clock_ms();
	ok(ns0 > 0 && ms0 >= 0, "readings are positive");
	ok(ms0 - ns0 / 1000000 >= 0 && ms0 - ns0 / 1000000 <= 1, "ms and ns are one clock");

	int64_t prev = clock_ns(), backwards = 0;
	for (int i = 0; i < 100000; i++) {
		int64_t t = clock_ns();
		backwards += t < prev;
		prev = t;
	}
	ok(backwards == 0, "never goes back");

	sleep_ms(50);
	int64_t slept = clock_ms() - ms0;
	ok(slept >= 50 && slept < 5000, "a 50 ms sleep measures 50 ms or a little more");

	int64_t now = clock_ms();
	ok(clock_ms_left(now - 1) == 0, "a past deadline leaves 0");
	ok(clock_ms_left(now - ((int64_t)1 << 40)) == 0, "a long-past deadline leaves 0, not a negative wrap");
	int left = clock_ms_left(now + 1000);
	ok(left > 900 && left <= 1000, "a deadline 1 s away leaves about 1000 ms");
	ok(clock_ms_left(now + ((int64_t)1 << 40)) == INT_MAX, "a far deadline is capped at INT_MAX");
	int64_t soon = clock_ms() + 30;
	sleep_ms(40);
	ok(clock_ms_left(soon) == 0, "a deadline passed while sleeping leaves 0");

	printf("1..%d\n", test_no);
	return failures != 0;
}
