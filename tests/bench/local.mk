# tests/bench/: benchmarks, built by make check so they cannot rot, run
# by `make bench` and `make bench-parse` only (never by make check).
check_PROGRAMS += tests/bench/bench_cache tests/bench/bench_parse \
	tests/bench/peer_fcgi tests/bench/peer_fragment
tests_bench_bench_cache_CFLAGS = $(TEST_CFLAGS)
tests_bench_bench_cache_LDADD = $(RP_LIBS)
tests_bench_bench_parse_CFLAGS = $(TEST_CFLAGS)
tests_bench_bench_parse_LDADD = $(TEST_LIBS)
# The peers (r1, r2): what a site would otherwise run, measured in the
# same run.  Plain libfcgi, libcurl and expat, none of the program's code.
tests_bench_peer_fcgi_LDADD = $(FCGI_LIBS) -lpthread
tests_bench_peer_fragment_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(EXPAT_CFLAGS)
tests_bench_peer_fragment_LDADD = $(CURL_LIBS) $(EXPAT_LIBS) $(FCGI_LIBS) -lpthread
EXTRA_DIST += tests/bench/bench.sh tests/bench/fresh.lua tests/bench/peer.php

.PHONY: bench bench-parse
bench: all tests/bench/bench_cache tests/bench/peer_fcgi tests/bench/peer_fragment
	./tests/bench/bench_cache
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	  $(SHELL) $(srcdir)/tests/bench/bench.sh
bench-parse: tests/bench/bench_parse$(EXEEXT)
	top_srcdir='$(abs_top_srcdir)' tests/bench/bench_parse $(BENCH_ITERS)

# The shared tier's scenarios (three programs on one Redis); part of
# `make bench`, or alone with `make bench-shared`.
EXTRA_DIST += tests/bench/bench_shared.sh
.PHONY: bench-shared
bench: bench-shared
bench-shared: all
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	  $(SHELL) $(srcdir)/tests/bench/bench_shared.sh
