# tests/deb/: the Debian packages (debian/, `make deb`).

# The compiled tests alone: they need nothing but the build (no web
# server, browser or root), so the package build runs them (debian/rules).
check-compiled:
	$(MAKE) $(AM_MAKEFLAGS) check TEST_SUITE_LOG=test-suite-compiled.log \
	  TESTS='$(filter-out %.sh %.js,$(TESTS))'
.PHONY: check-compiled
