# The RichProfile parser: unit tests over fixtures (issue 2).
check_PROGRAMS += tests/test_parse
TESTS += tests/test_parse
tests_test_parse_CFLAGS = $(TEST_CFLAGS)
tests_test_parse_LDADD = $(TEST_LIBS)
EXTRA_DIST += tests/fixtures
