# tests/security/: the adversary's suites: a hostile API behind real nginx
# (test_attack_web.js), hostile requests through nginx (test_hostile.sh),
# hostile clients of the FastCGI socket (test_intake.js).  The consent-link
# attack cases are unit tests (tests/unit/test_consent.c).
TESTS += tests/security/test_attack_web.js tests/security/test_intake.js \
	tests/security/test_hostile.sh
EXTRA_DIST += tests/security/test_attack_web.js tests/security/test_intake.js \
	tests/security/test_hostile.sh
