# tests/lib/: what the suites share.  C: TAP output and paths (testutil),
# a loopback HTTP(S) server with canned answers (testserver), profiles
# built by hand for the rendering tests (render_fixture), and the one way
# C tests start richprofile-sim and ask it (simproc).  Scripts: the stack
# harnesses (stack.js, the one way JS tests start the simulator, and
# stack.sh, the one way shell suites do), what the simulator's own tests
# say to it (sim.js), the node runner, the valgrind wrapper, the test
# PKI, the dependency installer.
noinst_LIBRARIES = tests/lib/libtestutil.a
tests_lib_libtestutil_a_CFLAGS = $(TEST_CFLAGS)
tests_lib_libtestutil_a_SOURCES = tests/lib/testutil.c tests/lib/testutil.h

noinst_LIBRARIES += tests/lib/libtestserver.a
tests_lib_libtestserver_a_CFLAGS = $(TEST_CFLAGS) $(SSL_CFLAGS) $(CRYPTO_CFLAGS)
tests_lib_libtestserver_a_SOURCES = tests/lib/testserver.c tests/lib/testserver.h
TESTSERVER_LIBS = tests/lib/libtestserver.a $(TEST_LIBS) $(SSL_LIBS) $(CRYPTO_LIBS)

noinst_LIBRARIES += tests/lib/librenderfx.a
tests_lib_librenderfx_a_CFLAGS = $(TEST_CFLAGS)
tests_lib_librenderfx_a_SOURCES = tests/lib/render_fixture.c tests/lib/render_fixture.h
RENDER_TEST_LIBS = tests/lib/librenderfx.a $(TEST_LIBS)

noinst_LIBRARIES += tests/lib/libsimproc.a
tests_lib_libsimproc_a_CFLAGS = $(TEST_CFLAGS)
tests_lib_libsimproc_a_SOURCES = tests/lib/simproc.c tests/lib/simproc.h

# A private redis-server for the shared tier's C tests (redisproc).
noinst_LIBRARIES += tests/lib/libredisproc.a
tests_lib_libredisproc_a_CFLAGS = $(TEST_CFLAGS)
tests_lib_libredisproc_a_SOURCES = tests/lib/redisproc.c tests/lib/redisproc.h

EXTRA_DIST += tests/lib/redis.sh tests/lib/run-node.sh tests/lib/valgrind.sh \
	tests/lib/valgrind.supp tests/lib/mkcerts.sh \
	tests/lib/stack.js tests/lib/sim.js tests/lib/stack.sh
