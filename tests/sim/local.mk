# tests/sim/: the simulator's tests.

# Tests: node:test files that start the simulator on port 0.
SIM_TESTS = tests/sim/test-api.js tests/sim/test-consent.js \
	tests/sim/test-faults.js tests/sim/test-pages.js tests/sim/test-startup.js
TESTS += $(SIM_TESTS)
EXTRA_DIST += $(SIM_TESTS) tests/sim/simutil.js

# The simulator's answers read by the real parser (libcurl + lib/parse.c),
# and the real client (lib/client.c) against it: outcomes, reuse, faults.
check_PROGRAMS += tests/sim/test_sim_parse tests/sim/test_sim_client
TESTS += tests/sim/test_sim_parse tests/sim/test_sim_client
SIMPROC = tests/sim/simproc.c tests/sim/simproc.h
tests_sim_test_sim_parse_CFLAGS = $(TEST_CFLAGS)
tests_sim_test_sim_parse_LDADD = $(TEST_LIBS)
tests_sim_test_sim_parse_SOURCES = tests/sim/test_sim_parse.c $(SIMPROC)
tests_sim_test_sim_client_CFLAGS = $(TEST_CFLAGS)
tests_sim_test_sim_client_LDADD = $(TEST_LIBS)
tests_sim_test_sim_client_SOURCES = tests/sim/test_sim_client.c $(SIMPROC)
