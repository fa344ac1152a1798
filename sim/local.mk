# sim/: richprofile-sim, the simulator of the RichProfile API and of
# Orange's consent and sign-in pages (installed: the demo runs it; the
# tests run it from the build tree), and the demo users it serves.
bin_PROGRAMS += sim/richprofile-sim
sim_richprofile_sim_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(INIH_CFLAGS)
sim_richprofile_sim_LDADD = $(RP_LIBS) $(MHD_LIBS) $(INIH_LIBS)
sim_richprofile_sim_SOURCES = \
	sim/sim.h \
	sim/main.c \
	sim/state.c \
	sim/server.c \
	sim/reply.c \
	sim/users.c \
	sim/counts.c \
	sim/fault.c \
	sim/api.c \
	sim/consent_pages.c \
	sim/pages.c \
	sim/control.c

# The demo users and their photos, installed where the simulator looks.
simdatadir = $(datadir)/richprofile
dist_simdata_DATA = conf/sim-users.conf
simphotosdir = $(datadir)/richprofile/sim-photos
dist_simphotos_DATA = \
	conf/sim-photos/amelie.png conf/sim-photos/camille.png \
	conf/sim-photos/john.png conf/sim-photos/mallory.png \
	conf/sim-photos/maxime.png conf/sim-photos/paul.png \
	conf/sim-photos/sophie.png
# Writes those photos (run by hand; the PNGs are committed).
EXTRA_DIST += sim/make-photos.py
