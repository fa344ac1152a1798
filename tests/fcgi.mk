# richprofile-fcgi: unit tests of lib/log and of the program's request
# plumbing, and the integration tests behind real nginx and Apache.
check_PROGRAMS += tests/test_log
TESTS += tests/test_log
tests_test_log_CFLAGS = $(TEST_CFLAGS)
tests_test_log_LDADD = $(TEST_LIBS)


# The integration stack (nginx/Apache + richprofile-fcgi + simulator on
# free ports), shared with the demo, browser, benchmark and auth suites.
EXTRA_DIST += tests/integration/stack.js
