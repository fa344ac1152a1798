# tests/security/: the adversary's suites: a hostile API behind real nginx
# (test_attack_web.js), hostile requests through nginx (test_hostile.sh),
# hostile clients of the FastCGI socket (test_intake.js), what the shared
# tier leaves in Redis and takes back from it (test_shared_sealed.sh; the
# hostile Redis itself is tests/unit/test_shared.c's fake server).  The consent-link
# attack cases are unit tests (tests/unit/test_consent.c).
TESTS += tests/security/test_attack_web.js tests/security/test_intake.js \
	tests/security/test_hostile.sh tests/security/test_shared_sealed.sh
EXTRA_DIST += tests/security/test_attack_web.js tests/security/test_intake.js \
	tests/security/test_hostile.sh tests/security/test_shared_sealed.sh
