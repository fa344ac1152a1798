# The RichProfile parser: unit tests over fixtures (issue 2).
check_PROGRAMS += tests/test_parse
TESTS += tests/test_parse
tests_test_parse_CFLAGS = $(TEST_CFLAGS)
tests_test_parse_LDADD = $(TEST_LIBS)
EXTRA_DIST += tests/fixtures

# Micro-benchmark: not a test, but built by make check so it cannot rot.
check_PROGRAMS += tests/bench_parse
tests_bench_parse_CFLAGS = $(TEST_CFLAGS)
tests_bench_parse_LDADD = $(TEST_LIBS)
bench-parse: tests/bench_parse$(EXEEXT)
	top_srcdir='$(abs_top_srcdir)' tests/bench_parse $(BENCH_ITERS)
.PHONY: bench-parse
