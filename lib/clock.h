/* clock.h: the monotonic clock every timeout, deadline and duration is read from. */
#ifndef RP_CLOCK_H
#define RP_CLOCK_H

/* CLOCK_MONOTONIC in milliseconds (never 0 once the system is up). */
long long rp_monotonic_ms(void);

/* CLOCK_MONOTONIC in microseconds, for durations in logs and metrics. */
long long rp_monotonic_us(void);

/*
 * CLOCK_REALTIME in milliseconds: only for what other machines must
 * read the same way (the shared tier's expiry inside a sealed value).
 */
long long rp_wall_ms(void);

#endif
