/* testutil.h: what every Check test shares: TAP output, fixture paths. */
#ifndef RP_TESTUTIL_H
#define RP_TESTUTIL_H

#include <stddef.h>

#include <check.h>

/*
 * Runs suite s with TAP on stdout (one line per test case, so the
 * harness counts cases) and returns the process exit status.
 */
int rp_test_run(Suite *s);

/* $top_srcdir/rel (top_srcdir from the environment, else "."); static buffer. */
const char *rp_test_srcpath(const char *rel);

/* $top_builddir/rel, likewise. */
const char *rp_test_buildpath(const char *rel);

/* Reads a whole file into a malloc'd buffer (NUL added); aborts on error. */
char *rp_test_slurp(const char *path, size_t *len);

/* Milliseconds of the monotonic clock, for bounds on how long a call took. */
long rp_test_now_ms(void);

/*
 * Whether the test runs under valgrind (make check-valgrind), where code
 * runs 20-50 times slower: wall-clock upper bounds stand aside; the plain
 * and sanitizer runs check them.
 */
int rp_test_slow_run(void);

#endif
