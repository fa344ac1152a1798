# lib/: the internal library, one file per concern.
noinst_LTLIBRARIES += lib/librp.la
lib_librp_la_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(EXPAT_CFLAGS) \
	$(INIH_CFLAGS) $(SODIUM_CFLAGS)
lib_librp_la_SOURCES = \
	lib/rp.h \
	lib/err.c lib/err.h \
	lib/attr.c lib/attr.h \
	lib/arena.c lib/arena.h \
	lib/profile.c lib/profile.h \
	lib/parse.c lib/parse.h \
	lib/hash.c lib/hash.h
