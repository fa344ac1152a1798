# man/: manual pages (mdoc), installed by `make install` and linted by
# tests/ops/test_manlint.sh (mandoc -Tlint -Wwarning) in `make check`, hence
# in `make distcheck` too.
rp_man_pages = \
	man/richprofile.1 \
	man/richprofile-sim.1 \
	man/richprofile.conf.5 \
	man/richprofile-fcgi.8
dist_man_MANS += $(rp_man_pages)
