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
