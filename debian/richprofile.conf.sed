# Edits the installed richprofile.conf for the Debian package (debian/rules).
# The sample names https://www.example.com as the site; the package leaves
# url empty instead, which richprofile-fcgi -t (and so the service, whose
# ExecStartPre runs it) refuses with "[site] url: empty value; expected
# scheme://host[:port] of the site", so the operator must look at [site]
# before anything serves.  The endpoint stays at production.
/^url = https:\/\/www\.example\.com$/c\
; The Debian package leaves url empty: richprofile-fcgi -t, and the\
; service with it, refuses this file until url names your site.\
url =
