# cgi/: the FastCGI program, richprofile-fcgi, and the operator's tool.
#
# cgi/server/: the server core: the configuration in service (app, live:
# SIGHUP reload), where the listening socket comes from (listen,
# activate: systemd), worker threads and how idle ones wait (server),
# how many take connections under load (pace),
# requests waiting to arrive whole (intake), one request in and
# one answer out (request, response), and one-shot CGI mode (cgi_mode).
# cgi/routes/: one file per group of routes, and their table (routes).
# Both are built once, as a library the program and its tests link.
noinst_LTLIBRARIES += cgi/libfcgicore.la
cgi_libfcgicore_la_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(FCGI_CORE_CPPFLAGS)
cgi_libfcgicore_la_SOURCES = \
	cgi/server/app.c cgi/server/app.h \
	cgi/server/live.c cgi/server/live.h \
	cgi/server/listen.c cgi/server/listen.h \
	cgi/server/activate.c cgi/server/activate.h \
	cgi/server/server.c cgi/server/server.h \
	cgi/server/pace.c cgi/server/pace.h \
	cgi/server/cgi_mode.c \
	cgi/server/intake.c cgi/server/intake.h \
	cgi/server/request.c cgi/server/request.h \
	cgi/server/response.c cgi/server/response.h \
	cgi/routes/routes.c cgi/routes/routes.h \
	cgi/routes/fetch.c cgi/routes/fetch.h \
	cgi/routes/profile.c \
	cgi/routes/auth.c \
	cgi/routes/ops.c
FCGI_CORE_CPPFLAGS = -I$(top_srcdir)/cgi/server -I$(top_srcdir)/cgi/routes
FCGI_CORE_LIBS = cgi/libfcgicore.la $(RP_LIBS) $(FCGI_LIBS)

# richprofile-fcgi: main() only; the rest is the core above.
sbin_PROGRAMS += cgi/richprofile-fcgi
cgi_richprofile_fcgi_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(FCGI_CORE_CPPFLAGS)
cgi_richprofile_fcgi_LDADD = $(FCGI_CORE_LIBS)
cgi_richprofile_fcgi_SOURCES = cgi/richprofile-fcgi.c

# cgi/cli/: richprofile, the operator's command-line tool (fetch,
# check-config): the same client, parser and renderer, no FastCGI.
bin_PROGRAMS += cgi/cli/richprofile
cgi_cli_richprofile_SOURCES = cgi/cli/richprofile.c
cgi_cli_richprofile_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS)
cgi_cli_richprofile_LDADD = $(RP_LIBS)
