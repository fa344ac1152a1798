# cgi/: build rules (empty until its issue lands).

# richprofile: the operator's command-line tool (fetch, check-config).
bin_PROGRAMS += cgi/richprofile
cgi_richprofile_SOURCES = cgi/richprofile.c
cgi_richprofile_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS)
cgi_richprofile_LDADD = $(RP_LIBS)

# richprofile-fcgi: the FastCGI program (issue 5).  Thin: start-up,
# listener, worker threads, one request in, one answer out; the work is
# in lib/.  rp_fcgi_sources is everything but main(), shared with the
# unit test of the request plumbing (tests/fcgi.mk).
rp_fcgi_sources = \
	cgi/fcgi_app.c cgi/fcgi_app.h \
	cgi/fcgi_listen.c cgi/fcgi_listen.h \
	cgi/fcgi_server.c cgi/fcgi_server.h \
	cgi/fcgi_intake.c cgi/fcgi_intake.h \
	cgi/fcgi_request.c cgi/fcgi_request.h \
	cgi/fcgi_response.c cgi/fcgi_response.h \
	cgi/fcgi_routes.c cgi/fcgi_routes.h \
	cgi/fcgi_profile_routes.c \
	cgi/fcgi_auth.c \
	cgi/fcgi_fetch.c cgi/fcgi_fetch.h
sbin_PROGRAMS += cgi/richprofile-fcgi
cgi_richprofile_fcgi_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS)
cgi_richprofile_fcgi_LDADD = $(RP_LIBS) $(FCGI_LIBS)
cgi_richprofile_fcgi_SOURCES = cgi/richprofile-fcgi.c $(rp_fcgi_sources)

# Operations (issue 8): systemd socket activation, SIGHUP reload, the
# status (Prometheus metrics) and ready routes.
rp_fcgi_sources += \
	cgi/fcgi_activate.c cgi/fcgi_activate.h \
	cgi/fcgi_live.c cgi/fcgi_live.h \
	cgi/fcgi_ops_routes.c
