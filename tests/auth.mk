# The auth route (issue 9): its configuration keys, and the route behind
# real nginx (auth_request) and Apache (mod_authnz_fcgi) in front of
# backends that echo what they received.
check_PROGRAMS += tests/auth/test_auth_cfg
TESTS += tests/auth/test_auth_cfg
tests_auth_test_auth_cfg_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/tests
tests_auth_test_auth_cfg_LDADD = $(TEST_LIBS)

TESTS += tests/auth/auth-nginx.js tests/auth/auth-apache.js
EXTRA_DIST += \
	tests/auth/authlib.js \
	tests/auth/auth-nginx.js \
	tests/auth/auth-apache.js

