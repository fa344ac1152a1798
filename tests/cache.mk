# Cache, coalescing, stale-if-error and circuit breaker (issue 7).
check_PROGRAMS += tests/test_cache tests/test_breaker
TESTS += tests/test_cache tests/test_breaker
tests_test_cache_CFLAGS = $(TEST_CFLAGS)
tests_test_cache_LDADD = $(TEST_LIBS)
tests_test_breaker_CFLAGS = $(TEST_CFLAGS)
tests_test_breaker_LDADD = $(TEST_LIBS)

# Benchmarks: built on demand, run by `make bench` only (never by make check).
check_PROGRAMS += tests/bench/bench_cache
tests_bench_bench_cache_CFLAGS = $(TEST_CFLAGS)
tests_bench_bench_cache_LDADD = $(RP_LIBS)

.PHONY: bench
bench: all tests/bench/bench_cache
	./tests/bench/bench_cache
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	  $(SHELL) $(srcdir)/tests/bench/bench.sh
EXTRA_DIST += tests/bench/bench.sh tests/bench/fresh.lua

# The soak load client: concurrent users, each answer checked against its cookie.
check_PROGRAMS += tests/soak/soak-client
tests_soak_soak_client_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS)
tests_soak_soak_client_LDADD = $(CURL_LIBS) $(PTHREAD_LIBS)

# End-to-end suites through nginx, richprofile-fcgi and the simulator.
TESTS += tests/fault/fault.sh tests/fault/protect.sh
EXTRA_DIST += tests/bench/stack.sh tests/fault/fault.sh tests/fault/protect.sh

clean-local: clean-cache-suites
clean-cache-suites:
	-rm -rf tests/output/fault tests/output/protect tests/output/soak \
	  tests/output/hostile tests/output/bench
.PHONY: clean-cache-suites

# Soak (bounded here; `make soak` for the long run) and hostile requests.
TESTS += tests/soak/soak.sh tests/soak/hostile.sh
EXTRA_DIST += tests/soak/soak.sh tests/soak/hostile.sh

# The memory of the cache in the real program, bounded by [cache] max_bytes.
TESTS += tests/soak/cache-bytes.js
EXTRA_DIST += tests/soak/cache-bytes.js

# The long soak: 2 x 200 000 requests; then a short one under valgrind.
.PHONY: soak soak-valgrind
soak: all tests/soak/soak-client
	RP_SOAK_REQUESTS=200000 top_srcdir='$(abs_top_srcdir)' \
	  top_builddir='$(abs_top_builddir)' $(SHELL) $(srcdir)/tests/soak/soak.sh
soak-valgrind: all tests/soak/soak-client
	RP_SOAK_REQUESTS=3000 RP_SOAK_THREADS=8 \
	  RP_SOAK_WRAPPER='valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite' \
	  top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	  $(SHELL) $(srcdir)/tests/soak/soak.sh
