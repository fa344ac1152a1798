# cgi/: build rules (empty until its issue lands).

# richprofile: the operator's command-line tool (fetch, check-config).
bin_PROGRAMS += cgi/richprofile
cgi_richprofile_SOURCES = cgi/richprofile.c
cgi_richprofile_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS)
cgi_richprofile_LDADD = $(RP_LIBS)
