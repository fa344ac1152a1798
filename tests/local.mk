# tests/: unit tests per lib/ module (Check, TAP output), integration
# tests, fuzz targets, benchmarks. One fragment per area, included here.
TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CURL_CFLAGS) $(EXPAT_CFLAGS)
TEST_LIBS = tests/libtestutil.a $(RP_LIBS) $(CHECK_LIBS)

noinst_LIBRARIES = tests/libtestutil.a
tests_libtestutil_a_CFLAGS = $(TEST_CFLAGS)
tests_libtestutil_a_SOURCES = tests/testutil.c tests/testutil.h

EXTRA_DIST += tests/run-node.sh

include tests/unit.mk
include tests/ops.mk
include tests/client.mk
include tests/parse.mk
include tests/fcgi.mk
include tests/cache.mk
include tests/sim/local.mk
include tests/render.mk

# `make check-valgrind`: every compiled test (not the scripts) once more
# under valgrind's memcheck; a memory error or a definite leak fails it.
EXTRA_DIST += tests/valgrind.sh tests/valgrind.supp
check-valgrind:
	$(MAKE) $(AM_MAKEFLAGS) check \
	  TESTS='$(filter-out %.sh %.js,$(TESTS))' \
	  LOG_COMPILER='$(abs_top_srcdir)/tests/valgrind.sh' \
	  TEST_SUITE_LOG=test-suite-valgrind.log
.PHONY: check-valgrind
include tests/fuzz/fuzz.mk
include tests/browser.mk
include tests/fuzz/render.mk
include tests/auth.mk
include tests/security.mk
include tests/deb/local.mk
