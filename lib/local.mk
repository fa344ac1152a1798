# lib/: the internal library, one file per concern.
noinst_LTLIBRARIES += lib/librp.la
lib_librp_la_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(EXPAT_CFLAGS) \
	$(INIH_CFLAGS) $(SODIUM_CFLAGS) $(SECCOMP_CFLAGS) $(HIREDIS_CFLAGS)
lib_librp_la_SOURCES = \
	lib/rp.h \
	lib/err.c lib/err.h \
	lib/attr.c lib/attr.h \
	lib/arena.c lib/arena.h \
	lib/profile.c lib/profile.h \
	lib/parse.c lib/parse.h \
	lib/hash.c lib/hash.h
# Rendering: output buffer, escaping, templates, language, consent, request input.
lib_librp_la_SOURCES += \
	lib/buf.c lib/buf.h \
	lib/escape.c lib/escape.h \
	lib/i18n.c lib/i18n.h \
	lib/consent.c lib/consent.h \
	lib/cookie.c lib/cookie.h \
	lib/query.c lib/query.h \
	lib/template.c lib/template.h \
	lib/render.c lib/render.h
lib_librp_la_SOURCES += lib/cfg.c lib/cfg.h lib/netaddr.c lib/netaddr.h
lib_librp_la_SOURCES += lib/clock.c lib/clock.h
lib_librp_la_SOURCES += lib/client.c lib/client.h
# Logging: one line per request, thread-safe (richprofile-fcgi).
lib_librp_la_SOURCES += lib/log.c lib/log.h
lib_librp_la_SOURCES += \
	lib/cache.c lib/cache.h \
	lib/refresh.c lib/refresh.h \
	lib/breaker.c lib/breaker.h
# Metrics: lock-free counters in the Prometheus text format (status route).
lib_librp_la_SOURCES += lib/metrics.c lib/metrics.h
# The seccomp sandbox of the serving process (libseccomp).
lib_librp_la_SOURCES += lib/sandbox.c lib/sandbox.h
# W3C Trace Context passed from the request to the API.
lib_librp_la_SOURCES += lib/trace.c lib/trace.h
# The shared tier on Redis (optional, [shared]): profiles packed to bytes,
# sealed under the key all servers share, behind a breaker of its own.
lib_librp_la_SOURCES += \
	lib/pack.c lib/pack.h \
	lib/seal.c lib/seal.h \
	lib/shared.c lib/shared.h
