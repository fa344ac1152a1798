# Security review: attack tests (the adversary's suite).  Check tests of
# what the modules' own unit tests leave out, and attack-web.js: real
# nginx and richprofile-fcgi against a hostile API in the test process.
check_PROGRAMS += tests/test_security_consent
TESTS += tests/test_security_consent
tests_test_security_consent_CFLAGS = $(TEST_CFLAGS)
tests_test_security_consent_LDADD = $(TEST_LIBS)

TESTS += tests/security/attack-web.js
EXTRA_DIST += tests/security/attack-web.js
