# tests/fuzz/: fuzz targets.  Adding a target is one line, here or in
# your own fragment (included after this one):
#	FUZZ_SOURCES += tests/fuzz/fuzz_NAME.c
# where fuzz_NAME.c uses RP_FUZZ_TARGET(NAME) (tests/fuzz/fuzz.h), with
# seeds in tests/fuzz/corpus/NAME/ and in the directories, relative to the
# source tree, that tests/fuzz/NAME.seeds lists one per line (so shipped
# files seed a target without a copy), and optionally tests/fuzz/NAME.dict.
# `make check` replays every seed of every target (tests/fuzz/replay);
# `make fuzz FUZZ_SECONDS=N` runs each target under libFuzzer for N s.
FUZZ_SOURCES = tests/fuzz/fuzz_parse.c

check_PROGRAMS += tests/fuzz/replay
TESTS += tests/fuzz/replay
tests_fuzz_replay_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz.h \
	$(FUZZ_SOURCES)
tests_fuzz_replay_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/tests/lib \
	-I$(top_srcdir)/tests/fuzz
tests_fuzz_replay_LDADD = $(TEST_LIBS)
EXTRA_DIST += tests/fuzz/corpus tests/fuzz/parse.dict

FUZZ_SECONDS = 60
# libFuzzer needs the library compiled with clang's coverage too, so
# each fuzz binary builds lib/ from source rather than linking librp.la.
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -DRP_LIBFUZZER \
	-I$(top_builddir) -I$(top_srcdir)/lib -I$(top_srcdir)/tests/lib \
	-I$(top_srcdir)/tests/fuzz $(CURL_CFLAGS) $(EXPAT_CFLAGS) \
	$(INIH_CFLAGS) $(SODIUM_CFLAGS) $(CRYPTO_CFLAGS) $(PTHREAD_CFLAGS)
FUZZ_LIBS = $(CURL_LIBS) $(EXPAT_LIBS) $(INIH_LIBS) $(SODIUM_LIBS) \
	$(CRYPTO_LIBS) $(PTHREAD_LIBS)

.PHONY: fuzz
if HAVE_CLANG
fuzz:
	@set -e; \
	libsrc=; for s in $(lib_librp_la_SOURCES); do \
	  case $$s in *.c) libsrc="$$libsrc $(top_srcdir)/$$s";; esac; \
	done; \
	for src in $(FUZZ_SOURCES); do \
	  name=`basename $$src .c | sed 's/^fuzz_//'`; \
	  bin=tests/fuzz/fuzz-$$name; \
	  echo "  CLANG    $$bin"; \
	  $(CLANG) $(FUZZ_CFLAGS) $$libsrc $(top_srcdir)/$$src -o $$bin \
	    $(FUZZ_LIBS); \
	  mkdir -p tests/fuzz/work/$$name tests/fuzz/artifacts/$$name; \
	  dict=; test ! -f $(top_srcdir)/tests/fuzz/$$name.dict || \
	    dict=-dict=$(top_srcdir)/tests/fuzz/$$name.dict; \
	  more=; test ! -f $(top_srcdir)/tests/fuzz/$$name.seeds || \
	    more=`sed -e '/^#/d' -e '/^$$/d' -e 's|^|$(top_srcdir)/|' \
	      $(top_srcdir)/tests/fuzz/$$name.seeds`; \
	  echo "  FUZZ     $$name for $(FUZZ_SECONDS) s"; \
	  ./$$bin -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=tests/fuzz/artifacts/$$name/ $$dict \
	    tests/fuzz/work/$$name $(top_srcdir)/tests/fuzz/corpus/$$name $$more \
	    2>tests/fuzz/fuzz-$$name.log || { \
	    tail -40 tests/fuzz/fuzz-$$name.log; \
	    echo "fuzz: $$name FAILED; input in tests/fuzz/artifacts/$$name/." \
	      "Reproduce with: tests/fuzz/replay $$name FILE; once fixed," \
	      "add FILE to tests/fuzz/corpus/$$name/ (and a fixture)."; \
	    exit 1; }; \
	  grep -E 'stat::number_of_executed_units|Done [0-9]+ runs' \
	    tests/fuzz/fuzz-$$name.log || true; \
	  echo "fuzz: $$name ran $(FUZZ_SECONDS) s without a finding"; \
	done
else
fuzz:
	@echo "make fuzz needs clang with libFuzzer, which configure did not" \
	  "find: apt-get install clang, then re-run configure"; exit 1
endif

clean-local: clean-fuzz
clean-fuzz:
	-rm -rf tests/fuzz/fuzz-* tests/fuzz/work tests/fuzz/artifacts
.PHONY: clean-fuzz
# Fuzz targets of the rendering modules (issue 5): the Cookie header
# reader, query strings with return paths and privacy URLs, templates.
FUZZ_SOURCES += tests/fuzz/fuzz_cookie.c tests/fuzz/fuzz_query.c \
	tests/fuzz/fuzz_template.c
EXTRA_DIST += tests/fuzz/template.dict tests/fuzz/template.seeds
