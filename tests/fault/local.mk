# tests/fault/: the API failing every way (refused, silent, cut, slow,
# malformed) and the protections (cache, coalescing, stale, breaker),
# through nginx, richprofile-fcgi and the simulator.
TESTS += tests/fault/test_fault.sh tests/fault/test_protect.sh \
	tests/fault/test_shared_down.sh
EXTRA_DIST += tests/fault/test_fault.sh tests/fault/test_protect.sh \
	tests/fault/test_shared_down.sh
