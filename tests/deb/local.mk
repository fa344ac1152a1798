# tests/deb/: the Debian packages (debian/, `make deb`): built, checked by
# lintian, installed, serving a demo user's fragment, purged.
TESTS += tests/deb/test_deb.sh
EXTRA_DIST += tests/deb/test_deb.sh
if SANITIZERS
rp_deb_sanitizers = yes
endif
AM_TESTS_ENVIRONMENT += \
	RP_DEB_MAKE='$(MAKE)' RP_DEB_VERSION='$(PACKAGE_VERSION)' \
	RP_DEB_SANITIZERS='$(rp_deb_sanitizers)'; \
	export RP_DEB_MAKE RP_DEB_VERSION RP_DEB_SANITIZERS;

# The compiled tests alone: they need nothing but the build (no web
# server, browser or root), so the package build runs them (debian/rules).
check-compiled:
	$(MAKE) $(AM_MAKEFLAGS) check TEST_SUITE_LOG=test-suite-compiled.log \
	  TESTS='$(filter-out %.sh %.js,$(TESTS))'
.PHONY: check-compiled
