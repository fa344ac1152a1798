# conf/: build rules (empty until its issue lands).

# --- Operations (issue 8): service units and install rules. ---------------
# Files that name installed paths (the systemd units, the sample
# configuration) are written at install time from their sources with this
# install's directories, so that `make install prefix=/opt/rp` and
# `make install DESTDIR=/tmp/stage` both give files naming the right paths
# (the final ones, without DESTDIR).
rp_edit = sed \
	-e 's|@bindir[@]|$(bindir)|g' \
	-e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@datadir[@]|$(datadir)|g' \
	-e 's|@PACKAGE_VERSION[@]|$(PACKAGE_VERSION)|g'

# systemd units go where systemd looks for vendor units under the prefix
# ($(prefix)/lib/systemd/system: /usr/lib/... for a package,
# /usr/local/lib/... for a source build); override with
# `make install systemdunitdir=/etc/systemd/system`.
systemdunitdir = $(prefix)/lib/systemd/system
rp_units = richprofile.socket richprofile.service
EXTRA_DIST += conf/systemd/richprofile.socket.in conf/systemd/richprofile.service.in

# Examples for other process managers, installed for reference.
rpexamplesdir = $(docdir)/examples
dist_rpexamples_DATA = conf/spawn-fcgi.sh conf/apache/richprofile-fcgid.conf

# Only prerequisites here (no recipe), so that other fragments may hook
# these targets too.
install-data-local: rp-install-ops
uninstall-local: rp-uninstall-ops
.PHONY: rp-install-ops rp-uninstall-ops

rp-install-ops:
	$(MKDIR_P) '$(DESTDIR)$(systemdunitdir)'
	for u in $(rp_units); do \
	  $(rp_edit) '$(srcdir)/conf/systemd/'$$u.in >'$(DESTDIR)$(systemdunitdir)/'$$u.tmp && \
	  chmod 644 '$(DESTDIR)$(systemdunitdir)/'$$u.tmp && \
	  mv -f '$(DESTDIR)$(systemdunitdir)/'$$u.tmp '$(DESTDIR)$(systemdunitdir)/'$$u || exit 1; \
	done

rp-uninstall-ops:
	for u in $(rp_units); do rm -f '$(DESTDIR)$(systemdunitdir)/'$$u; done
# The annotated sample configuration; installed as an example.
EXTRA_DIST += conf/richprofile.conf
