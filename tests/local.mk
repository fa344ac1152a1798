# tests/: the suites, one directory per kind, each with its own build
# fragment: unit/ (Check, one program per lib/ module and the program's
# core), integration/ (the real program behind real nginx and Apache, the
# client and the tool against the simulator), browser/, fault/, soak/,
# security/, ops/, fuzz/, bench/; lib/ holds what they share (the stack
# harnesses, the C test helpers).  Every test speaks TAP.
TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CURL_CFLAGS) $(EXPAT_CFLAGS) \
	-I$(top_srcdir)/tests/lib
TEST_LIBS = tests/lib/libtestutil.a $(RP_LIBS) $(CHECK_LIBS)

include tests/lib/local.mk
include tests/unit/local.mk
include tests/integration/local.mk
include tests/browser/local.mk
include tests/fault/local.mk
include tests/soak/local.mk
include tests/security/local.mk
include tests/ops/local.mk
include tests/fuzz/local.mk
include tests/bench/local.mk

# `make check-valgrind`: every compiled test (not the scripts) once more
# under valgrind's memcheck; a memory error or a definite leak fails it.
check-valgrind:
	$(MAKE) $(AM_MAKEFLAGS) check \
	  TESTS='$(filter-out %.sh %.js,$(TESTS))' \
	  LOG_COMPILER='$(abs_top_srcdir)/tests/lib/valgrind.sh' \
	  TEST_SUITE_LOG=test-suite-valgrind.log
.PHONY: check-valgrind

# What the suites leave in the build tree (the benchmark's results, the
# browser tests' screenshots); their run directories are under /tmp.
clean-local: clean-test-output
clean-test-output:
	-rm -rf tests/output
.PHONY: clean-test-output

include tests/deb/local.mk
