# richprofile-fcgi: unit tests of lib/log and of the program's request
# plumbing, and the integration tests behind real nginx and Apache.
check_PROGRAMS += tests/test_log
TESTS += tests/test_log
tests_test_log_CFLAGS = $(TEST_CFLAGS)
tests_test_log_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_fcgi
TESTS += tests/test_fcgi
tests_test_fcgi_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/cgi
tests_test_fcgi_LDADD = $(TEST_LIBS) $(FCGI_LIBS)
tests_test_fcgi_SOURCES = tests/test_fcgi.c $(rp_fcgi_sources)

# Integration: the real program behind real nginx and Apache, with the
# simulator (node:test, TAP).  stack.js starts the pieces on free ports
# (shared with the demo, browser, benchmark and auth suites);
# web-suite.js is the suite both servers run.
TESTS += \
	tests/integration/fcgi-process.js \
	tests/integration/fcgi-nginx.js \
	tests/integration/fcgi-apache.js
EXTRA_DIST += \
	tests/integration/stack.js \
	tests/integration/web-suite.js \
	tests/integration/fcgi-process.js \
	tests/integration/fcgi-nginx.js \
	tests/integration/fcgi-apache.js
