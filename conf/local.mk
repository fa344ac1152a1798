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

# The configuration: richprofile.conf.sample is the annotated sample of
# this version, replaced on every install; richprofile.conf is created
# from it only when there is none, so an upgrade never overwrites a
# site's settings.  Both are world-readable (0644): the service's dynamic
# user must read them, and they hold no secret.  The templates key is set
# to this install's directory, so the file works under any prefix.
rpconfdir = $(sysconfdir)/richprofile
rptemplatesdir = $(datadir)/richprofile/templates

rp-install-ops:
	$(MKDIR_P) '$(DESTDIR)$(rpconfdir)'
	sed -e 's|^#* *templates *=.*|templates = $(rptemplatesdir)|' \
	  '$(srcdir)/conf/richprofile.conf' >'$(DESTDIR)$(rpconfdir)/richprofile.conf.sample.tmp'
	chmod 644 '$(DESTDIR)$(rpconfdir)/richprofile.conf.sample.tmp'
	mv -f '$(DESTDIR)$(rpconfdir)/richprofile.conf.sample.tmp' '$(DESTDIR)$(rpconfdir)/richprofile.conf.sample'
	@if test -f '$(DESTDIR)$(rpconfdir)/richprofile.conf'; then \
	  echo "richprofile: keeping the existing $(DESTDIR)$(rpconfdir)/richprofile.conf;" \
	    "compare it with richprofile.conf.sample beside it"; \
	else \
	  echo " cp richprofile.conf.sample $(DESTDIR)$(rpconfdir)/richprofile.conf"; \
	  cp '$(DESTDIR)$(rpconfdir)/richprofile.conf.sample' '$(DESTDIR)$(rpconfdir)/richprofile.conf'; \
	fi
	$(MKDIR_P) '$(DESTDIR)$(systemdunitdir)'
	for u in $(rp_units); do \
	  $(rp_edit) '$(srcdir)/conf/systemd/'$$u.in >'$(DESTDIR)$(systemdunitdir)/'$$u.tmp && \
	  chmod 644 '$(DESTDIR)$(systemdunitdir)/'$$u.tmp && \
	  mv -f '$(DESTDIR)$(systemdunitdir)/'$$u.tmp '$(DESTDIR)$(systemdunitdir)/'$$u || exit 1; \
	done

# A configuration the site changed is kept; an untouched one goes.
rp-uninstall-ops:
	for u in $(rp_units); do rm -f '$(DESTDIR)$(systemdunitdir)/'$$u; done
	@if cmp -s '$(DESTDIR)$(rpconfdir)/richprofile.conf' '$(DESTDIR)$(rpconfdir)/richprofile.conf.sample'; then \
	  echo " rm -f $(DESTDIR)$(rpconfdir)/richprofile.conf"; \
	  rm -f '$(DESTDIR)$(rpconfdir)/richprofile.conf'; \
	elif test -f '$(DESTDIR)$(rpconfdir)/richprofile.conf'; then \
	  echo "richprofile: keeping $(DESTDIR)$(rpconfdir)/richprofile.conf: it was changed"; \
	fi
	rm -f '$(DESTDIR)$(rpconfdir)/richprofile.conf.sample'

# The annotated sample configuration; installed as an example.
EXTRA_DIST += conf/richprofile.conf

# --- Rendering (issue 5): default templates and stylesheet. ---------------
# Installed in rptemplatesdir (above), where [server] templates points by
# default (RP_DATADIR/templates); a site copies them to change them.
dist_rptemplates_DATA = conf/templates/ok.html conf/templates/partial.html \
	conf/templates/consent.html conf/templates/signin.html \
	conf/templates/unavailable.html conf/templates/error.html \
	conf/templates/card.html conf/templates/account.html \
	conf/templates/README
rpcssdir = $(datadir)/richprofile
dist_rpcss_DATA = conf/richprofile.css

# Web-server snippets and the sample account page (richprofile-fcgi),
# installed with the other examples, one directory each since the two
# snippets share a name.
rpexamplesnginxdir = $(rpexamplesdir)/nginx
dist_rpexamplesnginx_DATA = conf/nginx/richprofile.conf
rpexamplesapachedir = $(rpexamplesdir)/apache
dist_rpexamplesapache_DATA = conf/apache/richprofile.conf
# A drop-in for a local Redis (the shared tier): After= and Wants=, never Requires=.
rpexamplessystemddir = $(rpexamplesdir)/systemd
dist_rpexamplessystemd_DATA = conf/systemd/richprofile-redis.conf
rpexamplessitedir = $(rpexamplesdir)/site
dist_rpexamplessite_DATA = conf/site/account.shtml
# The auth route's snippets (issue 9): the site's backend gets the profile.
dist_rpexamplesnginx_DATA += conf/nginx/richprofile-auth.conf \
	conf/nginx/richprofile-auth-request.conf \
	conf/nginx/richprofile-auth-proxy.conf \
	conf/nginx/richprofile-auth-fastcgi.conf
dist_rpexamplesapache_DATA += conf/apache/richprofile-auth.conf
