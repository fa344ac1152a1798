# Unit tests of the foundation modules.
check_PROGRAMS += tests/test_attr tests/test_err
TESTS += tests/test_attr tests/test_err
tests_test_attr_CFLAGS = $(TEST_CFLAGS)
tests_test_attr_LDADD = $(TEST_LIBS)
tests_test_err_CFLAGS = $(TEST_CFLAGS)
tests_test_err_LDADD = $(TEST_LIBS)
# Addresses and networks ([server] ops_allow).
check_PROGRAMS += tests/test_netaddr
TESTS += tests/test_netaddr
tests_test_netaddr_CFLAGS = $(TEST_CFLAGS)
tests_test_netaddr_LDADD = $(TEST_LIBS)
