# Tests of the configuration loader, the HTTP client and the richprofile tool.
check_PROGRAMS += tests/test_cfg
TESTS += tests/test_cfg
tests_test_cfg_CFLAGS = $(TEST_CFLAGS)
tests_test_cfg_LDADD = $(TEST_LIBS)

# The loopback HTTP(S) server the client tests drive (OpenSSL for TLS).
noinst_LIBRARIES += tests/libtestserver.a
tests_libtestserver_a_CFLAGS = $(TEST_CFLAGS) $(SSL_CFLAGS) $(CRYPTO_CFLAGS)
tests_libtestserver_a_SOURCES = tests/testserver.c tests/testserver.h
EXTRA_DIST += tests/mkcerts.sh

check_PROGRAMS += tests/test_client
TESTS += tests/test_client
tests_test_client_CFLAGS = $(TEST_CFLAGS)
tests_test_client_LDADD = tests/libtestserver.a $(TEST_LIBS) $(SSL_LIBS) $(CRYPTO_LIBS)

# The richprofile tool against the real simulator (needs python3 and curl).
TESTS += tests/cli.sh
EXTRA_DIST += tests/cli.sh

# The client against the real simulator (issue 4): users, consent, faults.
check_PROGRAMS += tests/test_client_sim
TESTS += tests/test_client_sim
tests_test_client_sim_SOURCES = tests/test_client_sim.c \
	tests/sim/simproc.c tests/sim/simproc.h
tests_test_client_sim_CFLAGS = $(TEST_CFLAGS)
tests_test_client_sim_LDADD = tests/libtestserver.a $(TEST_LIBS) $(SSL_LIBS) $(CRYPTO_LIBS)
