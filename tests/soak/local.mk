# tests/soak/: many users at once for a bounded time, every answer checked
# against its cookie, memory flat; `make soak` for the long run.
check_PROGRAMS += tests/soak/soak-client
tests_soak_soak_client_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS)
tests_soak_soak_client_LDADD = $(CURL_LIBS) $(PTHREAD_LIBS)

TESTS += tests/soak/test_soak.sh tests/soak/test_cache_bytes.js
EXTRA_DIST += tests/soak/test_soak.sh tests/soak/test_cache_bytes.js

# The long soak: 2 x 200 000 requests; then a short one under valgrind.
.PHONY: soak soak-valgrind
soak: all tests/soak/soak-client
	RP_SOAK_REQUESTS=200000 top_srcdir='$(abs_top_srcdir)' \
	  top_builddir='$(abs_top_builddir)' $(SHELL) $(srcdir)/tests/soak/test_soak.sh
soak-valgrind: all tests/soak/soak-client
	RP_SOAK_REQUESTS=3000 RP_SOAK_THREADS=8 \
	  RP_SOAK_WRAPPER='valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite' \
	  top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	  $(SHELL) $(srcdir)/tests/soak/test_soak.sh
