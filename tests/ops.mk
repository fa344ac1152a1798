# tests/ops.mk: operations tests (issue 8): manual pages, make install,
# service units, process managers, metrics, reload.
TESTS += tests/ops/manlint.sh tests/ops/install.sh tests/ops/demodeps.sh
EXTRA_DIST += tests/ops/manlint.sh tests/ops/install.sh tests/ops/opslib.sh \
	tests/ops/demodeps.sh
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
check_PROGRAMS += tests/ops/test_metrics
TESTS += tests/ops/test_metrics
tests_ops_test_metrics_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/tests
tests_ops_test_metrics_LDADD = $(TEST_LIBS)
# The program under its process managers and web servers, its metrics,
# readiness and reload (they skip when the program is not built or a tool
# is missing; tests/deps.sh installs the tools).
TESTS += tests/ops/activate.sh tests/ops/spawnfcgi.sh tests/ops/fcgid.sh \
	tests/ops/status.sh tests/ops/ready.sh tests/ops/reload.sh \
	tests/ops/restrict.js
EXTRA_DIST += tests/ops/activate.sh tests/ops/spawnfcgi.sh tests/ops/fcgid.sh \
	tests/ops/status.sh tests/ops/ready.sh tests/ops/reload.sh \
	tests/ops/restrict.js
