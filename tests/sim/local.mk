# tests/sim/: the simulator's tests.

# Tests: node:test files that start the simulator on port 0.
SIM_TESTS = tests/sim/test-api.js tests/sim/test-consent.js \
	tests/sim/test-faults.js tests/sim/test-pages.js tests/sim/test-startup.js
TESTS += $(SIM_TESTS)
EXTRA_DIST += $(SIM_TESTS) tests/sim/simutil.js
