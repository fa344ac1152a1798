# tests/sim/: richprofile-sim, the simulator of the RichProfile API and of
# Orange's consent pages (installed: the demo runs it), its data and tests.
bin_PROGRAMS += tests/sim/richprofile-sim
tests_sim_richprofile_sim_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(INIH_CFLAGS)
tests_sim_richprofile_sim_LDADD = $(RP_LIBS) $(MHD_LIBS) $(INIH_LIBS)
tests_sim_richprofile_sim_SOURCES = \
	tests/sim/sim.h \
	tests/sim/main.c \
	tests/sim/users.c \
	tests/sim/fault.c \
	tests/sim/api.c \
	tests/sim/consent.c \
	tests/sim/pages.c \
	tests/sim/control.c

# The demo users and their photos, installed where the simulator looks.
simdatadir = $(datadir)/richprofile
dist_simdata_DATA = conf/sim-users.conf
simphotosdir = $(datadir)/richprofile/sim-photos
dist_simphotos_DATA = \
	conf/sim-photos/amelie.png conf/sim-photos/camille.png \
	conf/sim-photos/john.png conf/sim-photos/mallory.png \
	conf/sim-photos/maxime.png conf/sim-photos/paul.png \
	conf/sim-photos/sophie.png
EXTRA_DIST += tests/sim/make-photos.py

# Tests: node:test files that start the simulator on port 0.
SIM_TESTS = tests/sim/test-api.js tests/sim/test-consent.js \
	tests/sim/test-faults.js tests/sim/test-pages.js tests/sim/test-startup.js
TESTS += $(SIM_TESTS)
EXTRA_DIST += $(SIM_TESTS) tests/sim/simutil.js

# The simulator's answers read by the real parser (libcurl + lib/parse.c),
# and the real client (lib/client.c) against it: outcomes, reuse, faults.
check_PROGRAMS += tests/sim/test_sim_parse tests/sim/test_sim_client
TESTS += tests/sim/test_sim_parse tests/sim/test_sim_client
SIMPROC = tests/sim/simproc.c tests/sim/simproc.h
tests_sim_test_sim_parse_CFLAGS = $(TEST_CFLAGS)
tests_sim_test_sim_parse_LDADD = $(TEST_LIBS)
tests_sim_test_sim_parse_SOURCES = tests/sim/test_sim_parse.c $(SIMPROC)
tests_sim_test_sim_client_CFLAGS = $(TEST_CFLAGS)
tests_sim_test_sim_client_LDADD = $(TEST_LIBS)
tests_sim_test_sim_client_SOURCES = tests/sim/test_sim_client.c $(SIMPROC)
