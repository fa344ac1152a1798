# tests/integration/: the real program behind real nginx and Apache with
# the shipped snippets and the simulator (node:test through
# tests/lib/stack.js; web-suite.js is the suite both servers run, authlib.js
# the auth route's backends), the program as a process, the HTTP client and
# the richprofile tool against the real simulator.
INTEGRATION_TESTS = \
	tests/integration/test_fcgi_process.js \
	tests/integration/test_fcgi_nginx.js \
	tests/integration/test_fcgi_apache.js \
	tests/integration/test_auth_nginx.js \
	tests/integration/test_auth_apache.js \
	tests/integration/test_cli.sh
TESTS += $(INTEGRATION_TESTS)
EXTRA_DIST += $(INTEGRATION_TESTS) \
	tests/integration/web-suite.js \
	tests/integration/authlib.js

# The client against the real simulator: users, consent, faults.
check_PROGRAMS += tests/integration/test_client_sim
TESTS += tests/integration/test_client_sim
tests_integration_test_client_sim_SOURCES = tests/integration/test_client_sim.c \
	tests/sim/simproc.c tests/sim/simproc.h
tests_integration_test_client_sim_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/tests/sim
tests_integration_test_client_sim_LDADD = $(TESTSERVER_LIBS)
