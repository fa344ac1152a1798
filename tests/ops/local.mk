# tests/ops/: operations: manual pages, make install, the demo's
# dependencies, the program under its process managers (systemd socket
# activation, spawn-fcgi, mod_fcgid), metrics, readiness, reload, and the
# shipped snippets' restrictions.  They skip when a tool is missing;
# tests/lib/deps.sh installs the tools.
OPS_TESTS = tests/ops/test_manlint.sh tests/ops/test_install.sh \
	tests/ops/test_demodeps.sh tests/ops/test_activate.sh \
	tests/ops/test_spawnfcgi.sh tests/ops/test_fcgid.sh \
	tests/ops/test_status.sh tests/ops/test_ready.sh \
	tests/ops/test_reload.sh tests/ops/test_restrict.js \
	tests/ops/test_sandbox.sh
TESTS += $(OPS_TESTS)
EXTRA_DIST += $(OPS_TESTS) tests/ops/opslib.sh
# The install test checks the tree against this build's directories.
AM_TESTS_ENVIRONMENT += \
	RP_OPS_MAKE='$(MAKE)' RP_OPS_PREFIX='$(prefix)' \
	RP_OPS_BINDIR='$(bindir)' RP_OPS_SBINDIR='$(sbindir)' \
	RP_OPS_SYSCONFDIR='$(sysconfdir)' RP_OPS_DATADIR='$(datadir)' \
	RP_OPS_MANDIR='$(mandir)' RP_OPS_DOCDIR='$(docdir)' \
	RP_OPS_UNITDIR='$(systemdunitdir)' EXEEXT='$(EXEEXT)'; \
	export RP_OPS_MAKE RP_OPS_PREFIX RP_OPS_BINDIR RP_OPS_SBINDIR \
	RP_OPS_SYSCONFDIR RP_OPS_DATADIR RP_OPS_MANDIR RP_OPS_DOCDIR \
	RP_OPS_UNITDIR EXEEXT;
