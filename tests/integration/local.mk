# tests/integration/: the real program behind real nginx and Apache with
# the shipped snippets and the simulator (node:test through
# tests/lib/stack.js; web-suite.js is the suite both servers run, authlib.js
# the auth route's backends), the program as a process, the HTTP client and
# the richprofile tool against the real simulator, and the simulator
# itself (test_sim_*: its API, consent and sign-in pages, faults and
# start-up, through tests/lib/stack.js and tests/lib/sim.js).
INTEGRATION_TESTS = \
	tests/integration/test_fcgi_process.js \
	tests/integration/test_fcgi_nginx.js \
	tests/integration/test_fcgi_apache.js \
	tests/integration/test_auth_nginx.js \
	tests/integration/test_auth_apache.js \
	tests/integration/test_cli.sh \
	tests/integration/test_refresh.sh \
	tests/integration/test_trace.sh \
	tests/integration/test_shared.sh \
	tests/integration/test_shared_refresh.sh \
	tests/integration/test_sim_api.js \
	tests/integration/test_sim_consent.js \
	tests/integration/test_sim_faults.js \
	tests/integration/test_sim_pages.js \
	tests/integration/test_sim_startup.js
TESTS += $(INTEGRATION_TESTS)
EXTRA_DIST += $(INTEGRATION_TESTS) \
	tests/integration/web-suite.js \
	tests/integration/authlib.js

# The real client against the real simulator: outcomes, users, reuse,
# consent, every fault; and the simulator's answers read by the real
# parser (libcurl + lib/parse.c).
check_PROGRAMS += tests/integration/test_client_sim tests/integration/test_sim_parse
TESTS += tests/integration/test_client_sim tests/integration/test_sim_parse
tests_integration_test_client_sim_SOURCES = tests/integration/test_client_sim.c
tests_integration_test_client_sim_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_client_sim_LDADD = tests/lib/libsimproc.a $(TESTSERVER_LIBS)
tests_integration_test_sim_parse_SOURCES = tests/integration/test_sim_parse.c
tests_integration_test_sim_parse_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_sim_parse_LDADD = tests/lib/libsimproc.a $(TEST_LIBS)
