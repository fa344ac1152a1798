# Tests of the configuration loader, the HTTP client and the richprofile tool.
check_PROGRAMS += tests/test_cfg
TESTS += tests/test_cfg
tests_test_cfg_CFLAGS = $(TEST_CFLAGS)
tests_test_cfg_LDADD = $(TEST_LIBS)
