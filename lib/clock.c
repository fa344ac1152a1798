/* clock.c: the monotonic clock every timeout, deadline and duration is read from. */
#include "config.h"

#include <time.h>

#include "clock.h"

long long
rp_monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

long long
rp_monotonic_ms(void)
{
	return rp_monotonic_us() / 1000;
}

long long
rp_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
