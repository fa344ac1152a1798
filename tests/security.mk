# Security review: attack tests (the adversary's suite): attack-web.js,
# real nginx and richprofile-fcgi against a hostile API in the test
# process.  (Its consent-link cases are in tests/test_consent.c.)
TESTS += tests/security/attack-web.js tests/security/intake.js
EXTRA_DIST += tests/security/attack-web.js tests/security/intake.js
