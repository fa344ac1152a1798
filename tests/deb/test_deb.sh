#!/bin/sh
# deb.sh: the Debian packages, as an operator gets them.  Builds them once
# with `make deb` (dpkg-buildpackage in a copy of the distribution files),
# runs lintian (no error, no warning), checks what each package installs
# and how its maintainer scripts treat the systemd units, then installs
# them and runs debian/tests/smoke (the autopkgtest) against them.  TAP.
#
# With CI=true (CI runs as root on a throwaway machine) the packages are
# really installed, with `apt-get install ./richprofile_*.deb
# ./richprofile-sim_*.deb`, upgraded over an edited configuration, purged,
# and the machine is checked for anything of them left behind; they are
# purged at exit whatever happened.  Without CI they are unpacked into a
# temporary root with dpkg-deb -x instead, and the smoke test runs from
# there: `make check` on a developer's machine must not install, remove
# or reconfigure anything on it.  The file lists stand in for the purge.
set -u
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
MAKE=${RP_DEB_MAKE:-make}
version=${RP_DEB_VERSION:-}

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
# check DESCRIPTION COMMAND...: one case from a command's status, which
# it returns (for "|| show LOG").
check() {
	d=$1; shift
	if "$@"; then ok "$d"; else nok "$d"; return 1; fi
}
show() { [ -f "$1" ] && sed 's/^/# /' "$1"; }
finish() { echo "1..$n"; exit 0; }

for c in dpkg-buildpackage dpkg-deb lintian nginx curl apache2 \
	systemd-socket-activate setpriv unshare; do
	command -v "$c" >/dev/null 2>&1 || {
		echo "1..0 # SKIP $c is not installed (tests/lib/deps.sh installs it)"
		exit 0
	}
done
# The packages are built with Debian's flags whatever this build's are:
# a sanitizer build would test the very same packages again.
if [ -n "${RP_DEB_SANITIZERS:-}" ]; then
	echo "1..0 # SKIP built with Debian's flags, not this build's: tested in the plain build"
	exit 0
fi
ci=
if [ "${CI:-}" = true ]; then
	[ "$(id -u)" -eq 0 ] || { echo "Bail out! CI=true installs packages: run as root"; exit 1; }
	ci=1
fi

# Readable by the web server's and the program's users (smoke test).
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rp-deb.XXXXXX") || exit 1
chmod 755 "$tmp"
installed=

# CI: whatever happened, nothing of the packages stays on the machine.
cleanup() {
	if [ -n "$installed" ]; then
		dpkg --purge richprofile richprofile-sim >"$tmp/cleanup.log" 2>&1 ||
			show "$tmp/cleanup.log"
		link=/etc/apache2/conf-enabled/richprofile.conf
		[ -L "$link" ] && ! [ -e "$link" ] && rm -f "$link"
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Whether a package is installed (in any state but not-installed).
is_installed() {
	s=$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)
	[ -n "$s" ] && [ "$s" != not-installed ]
}
if [ -n "$ci" ] && { is_installed richprofile || is_installed richprofile-sim; }; then
	echo "Bail out! richprofile is already installed here: this test installs and purges it"
	exit 1
fi

# --- Build ----------------------------------------------------------------
# Once per run; the surrounding `make check` runs the compiled tests on
# these sources already (nocheck), and no debugging symbols are needed
# (noautodbgsym).  Niced: other suites run meanwhile.
debdir=$builddir/deb
arch=$(dpkg --print-architecture)
t0=$(date +%s)
DEB_BUILD_OPTIONS="nocheck noautodbgsym${DEB_BUILD_OPTIONS:+ $DEB_BUILD_OPTIONS}" \
	nice -n 10 $MAKE -C "$builddir" deb >"$tmp/build.log" 2>&1
rc=$?
echo "# make deb: status $rc after $(($(date +%s) - t0)) s"
main=$debdir/richprofile_${version}_$arch.deb
sim=$debdir/richprofile-sim_${version}_$arch.deb
changes=$debdir/richprofile_${version}_$arch.changes
if [ $rc -eq 0 ] && [ -f "$main" ] && [ -f "$sim" ] && [ -f "$changes" ]; then
	ok "make deb builds richprofile and richprofile-sim $version"
else
	nok "make deb builds richprofile and richprofile-sim $version"
	tail -n 60 "$tmp/build.log" | sed 's/^/# /'
	finish
fi
left=
for f in tmp richprofile richprofile-sim files .debhelper debhelper-build-stamp \
	richprofile.substvars richprofile-sim.substvars; do
	[ -e "$srcdir/debian/$f" ] && left="$left debian/$f"
done
check "the source tree is left as it was (no${left:- build product} in debian/)" test -z "$left"
chv=$(dpkg-parsechangelog -l "$srcdir/debian/changelog" -S Version 2>&1)
check "debian/changelog has configure.ac's version ($chv, $version)" test "$chv" = "$version"
# configure.ac names the Debian package of every library it needs.
missing=
bd=$(sed -n '/^Build-Depends:/,/^[^ ]/p' "$srcdir/debian/control")
for p in $(sed -n -e 's/^RP_NEED(\[[^]]*\], *\[[^]]*\], *\[\([a-z0-9.+-]*\)\]).*/\1/p' \
	-e 's/.*install the Debian package \([a-z0-9.+-][a-z0-9.+-]*\).*/\1/p' "$srcdir/configure.ac" | sort -u); do
	printf '%s\n' "$bd" | grep -q "[ ,]$p\\( \\|,\\|\$\\)" || missing="$missing $p"
done
check "Build-Depends names every library configure.ac needs${missing:+ (missing:$missing)}" test -z "$missing"

# --- lintian --------------------------------------------------------------
lintian --fail-on error,warning "$changes" >"$tmp/lintian.out" 2>&1
rc=$?
grep -v "^running with root privileges" "$tmp/lintian.out" >"$tmp/lintian.tags"
if [ $rc -eq 0 ] && ! grep -q "^[EW]: " "$tmp/lintian.tags"; then
	ok "lintian: no error, no warning"
else
	nok "lintian: no error, no warning (status $rc)"
fi
show "$tmp/lintian.tags"
# An override without a comment hides a tag without saying why.
bare=
for f in "$srcdir"/debian/*lintian-overrides "$srcdir"/debian/source/lintian-overrides; do
	[ -f "$f" ] || continue
	bare="$bare$(awk -v f="${f#"$srcdir"/}" '
		/^[ \t]*$/ { prev = ""; next }
		/^#/ { prev = "#"; next }
		prev != "#" { printf " %s:%d", f, NR }
		{ prev = "o" }' "$f")"
done
check "every lintian override has a comment saying why${bare:+ (not:$bare)}" test -z "$bare"

# --- What each package installs -------------------------------------------
contents() { dpkg-deb -c "$1" | awk '{ sub(/^\./, "", $6); print $1, $2, $6 }'; }
contents "$main" >"$tmp/main.list"
contents "$sim" >"$tmp/sim.list"
files_of() { awk '$1 !~ /^d/ { print $3 }' "$1"; }
lacks() {
	for f in "$@"; do grep -qx "$f" "$tmp/files" || printf ' %s' "$f"; done
}
files_of "$tmp/main.list" >"$tmp/files"
l=$(lacks /usr/sbin/richprofile-fcgi /usr/bin/richprofile \
	/etc/richprofile/richprofile.conf /etc/apache2/conf-available/richprofile.conf \
	/lib/systemd/system/richprofile.socket /lib/systemd/system/richprofile.service \
	/usr/share/richprofile/templates/ok.html /usr/share/richprofile/templates/card.html \
	/usr/share/richprofile/richprofile.css \
	/usr/share/doc/richprofile/examples/nginx/richprofile.conf \
	/usr/share/doc/richprofile/examples/site/account.shtml \
	/usr/share/man/man8/richprofile-fcgi.8.gz /usr/share/man/man5/richprofile.conf.5.gz \
	/usr/share/man/man1/richprofile.1.gz)
check "richprofile installs the program, tool, configuration, units, templates, snippets, manuals${l:+ (lacks$l)}" test -z "$l"
files_of "$tmp/sim.list" >"$tmp/files"
l=$(lacks /usr/bin/richprofile-sim /usr/share/richprofile/sim-users.conf \
	/usr/share/richprofile/sim-photos/amelie.png /usr/share/man/man1/richprofile-sim.1.gz)
check "richprofile-sim installs the simulator, its users, photos and manual${l:+ (lacks$l)}" test -z "$l"
both=$( (files_of "$tmp/main.list"; files_of "$tmp/sim.list") | sort | uniq -d | tr '\n' ' ')
check "no file is in both packages${both:+ ($both)}" test -z "$both"
# Debian's places only: no /usr/local, nothing enabled under /etc/systemd,
# nothing in /run, /var or /tmp made by dpkg.
odd=$( (files_of "$tmp/main.list"; files_of "$tmp/sim.list") | grep -Ev \
	'^/(etc/richprofile/|etc/apache2/conf-available/|lib/systemd/system/|usr/s?bin/|usr/share/(richprofile|doc/richprofile(-sim)?|man/man[158])/)' |
	tr '\n' ' ')
check "every file is where Debian puts it${odd:+ (not: $odd)}" test -z "$odd"
dpkg-deb -I "$main" conffiles 2>/dev/null | sort >"$tmp/conffiles"
printf '%s\n' /etc/apache2/conf-available/richprofile.conf /etc/richprofile/richprofile.conf >"$tmp/conffiles.want"
check "the conffiles are richprofile.conf and Apache's conf-available file" \
	cmp -s "$tmp/conffiles" "$tmp/conffiles.want" || show "$tmp/conffiles"
check "richprofile-sim has no conffile" sh -c '! dpkg-deb -I "$1" conffiles >/dev/null 2>&1' sh "$sim"
check "richprofile.conf is root's, readable by the service's dynamic user (0644)" \
	grep -qx -- "-rw-r--r-- root/root /etc/richprofile/richprofile.conf" "$tmp/main.list"

# --- The units under systemd, as the maintainer scripts treat them -------
# systemd does not run here, so the scripts run in a mount namespace where
# /run/systemd/system exists (what they test for) and the systemd tools
# are stand-ins that record their arguments.  Apache's helper is hidden:
# it is not what this checks, and would act on this machine's Apache.
dpkg-deb -e "$main" "$tmp/ctrl"
mkdir "$tmp/fake"
for t in deb-systemd-invoke deb-systemd-helper systemctl; do
	cat >"$tmp/fake/$t" <<EOF
#!/bin/sh
echo "$t \$*" >>"$tmp/calls"
case "\$1" in debian-installed|was-enabled|--quiet) exit 1 ;; esac
exit 0
EOF
	chmod 755 "$tmp/fake/$t"
done
# maint SCRIPT ARGS...: runs a maintainer script so; the calls go to $tmp/calls.
maint() {
	: >"$tmp/calls"
	userns=
	[ "$(id -u)" -eq 0 ] || userns=-r
	unshare $userns -m sh -c '
		mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/system || exit 99
		[ -d /usr/share/apache2 ] && { mount -t tmpfs tmpfs /usr/share/apache2 || exit 99; }
		PATH=$0:$PATH; export PATH; unset DPKG_ROOT
		exec "$@"' "$tmp/fake" "$@" >"$tmp/maint.log" 2>&1
}
maint "$tmp/ctrl/postinst" configure
rc=$?
if [ $rc -eq 99 ]; then
	skip "the maintainer scripts under systemd: no mount namespace here"
	skip "upgrade restarts running units only"; skip "removal stops the units"
else
	if [ $rc -eq 0 ] && ! grep -q "^deb-systemd-invoke\|^deb-systemd-helper enable\|^systemctl .*\(start\|enable\)" "$tmp/calls"; then
		ok "a fresh install, systemd running, neither enables nor starts a unit"
	else
		nok "a fresh install, systemd running, neither enables nor starts a unit (status $rc)"
		show "$tmp/calls"; show "$tmp/maint.log"
	fi
	maint "$tmp/ctrl/postinst" configure "$version"
	rc=$?
	if [ $rc -eq 0 ] && [ "$(grep "^deb-systemd-invoke" "$tmp/calls")" = \
		"deb-systemd-invoke try-restart richprofile.service richprofile.socket" ]; then
		ok "an upgrade restarts the units only if they run (systemctl try-restart)"
	else
		nok "an upgrade restarts the units only if they run (status $rc)"
		show "$tmp/calls"; show "$tmp/maint.log"
	fi
	maint "$tmp/ctrl/prerm" remove
	rc=$?
	if [ $rc -eq 0 ] && grep -qx "deb-systemd-invoke stop richprofile.socket richprofile.service" "$tmp/calls"; then
		ok "removing the package stops the units"
	else
		nok "removing the package stops the units (status $rc)"
		show "$tmp/calls"; show "$tmp/maint.log"
	fi
fi

# --- Install --------------------------------------------------------------
if [ -n "$ci" ]; then
	root=
	installed=1
	(cd "$debdir" && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		-o DPkg::Lock::Timeout=300 "./${main##*/}" "./${sim##*/}") >"$tmp/apt.log" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && is_installed richprofile && is_installed richprofile-sim; then
		ok "apt-get install ./richprofile_*.deb ./richprofile-sim_*.deb"
	else
		nok "apt-get install ./richprofile_*.deb ./richprofile-sim_*.deb (status $rc)"
		show "$tmp/apt.log"; finish
	fi
	links=$(find /etc/systemd/system -name 'richprofile.*' 2>/dev/null | tr '\n' ' ')
	check "the units are installed, not enabled${links:+ (enabled: $links)}" test -z "$links"
	if [ -d /run/systemd/system ]; then
		check "nor started" sh -c '! systemctl is-active -q richprofile.socket richprofile.service'
	fi
	a2enconf -q richprofile >"$tmp/a2enconf.log" 2>&1
	check "a2enconf richprofile enables the installed Apache configuration" \
		test -f /etc/apache2/conf-enabled/richprofile.conf || show "$tmp/a2enconf.log"
else
	root=$tmp/root
	mkdir "$root"
	if dpkg-deb -x "$main" "$root" && dpkg-deb -x "$sim" "$root"; then
		ok "both packages unpack into a temporary root (CI unset: nothing is installed)"
	else
		nok "both packages unpack into a temporary root"; finish
	fi
fi

# Apache reads the conf-available file with the modules the README names
# (a2enmod proxy_fcgi include headers) and Debian's defaults.
m=/usr/lib/apache2/modules
cat >"$tmp/apache.conf" <<EOF
ServerRoot $tmp
ServerName 127.0.0.1
Listen 127.0.0.1:1
PidFile $tmp/apache.pid
ErrorLog $tmp/apache-error.log
LoadModule mpm_event_module $m/mod_mpm_event.so
LoadModule authz_core_module $m/mod_authz_core.so
LoadModule authz_host_module $m/mod_authz_host.so
LoadModule mime_module $m/mod_mime.so
LoadModule proxy_module $m/mod_proxy.so
LoadModule proxy_fcgi_module $m/mod_proxy_fcgi.so
LoadModule include_module $m/mod_include.so
LoadModule headers_module $m/mod_headers.so
Include $root/etc/apache2/conf-available/richprofile.conf
EOF
apache2 -t -f "$tmp/apache.conf" >"$tmp/apache-t.log" 2>&1
check "Apache accepts the installed conf-available/richprofile.conf" test $? -eq 0 ||
	show "$tmp/apache-t.log"

# --- The smoke test (debian/tests/smoke, the autopkgtest) ------------------
# Its cases become this test's, renumbered.
RP_ROOT=${root:-/} sh "$srcdir/debian/tests/smoke" >"$tmp/smoke.tap" 2>&1
src=$?
while IFS= read -r line; do
	case $line in
	"ok "*) ok "smoke: ${line#ok [0-9]* - }" ;;
	"not ok "*) nok "smoke: ${line#not ok [0-9]* - }" ;;
	"Bail out!"*) nok "smoke: ${line#Bail out! }" ;;
	"1.."*) ;;
	*) echo "# $line" ;;
	esac
done <"$tmp/smoke.tap"
check "the smoke test ends with status 0" test $src -eq 0

if [ -z "$ci" ]; then
	finish
fi

# --- Upgrade over an edited configuration (CI) ----------------------------
# The next version is this one repacked with a changed richprofile.conf.
conf=/etc/richprofile/richprofile.conf
sed -i 's|^url =$|url = https://shop.example.org|' "$conf"
next=$version+upgradetest1
dpkg-deb -R "$main" "$tmp/next"
sed -i "s/^Version: .*/Version: $next/" "$tmp/next/DEBIAN/control"
echo "; a line the next version adds" >>"$tmp/next$conf"
sum=$(cd "$tmp/next" && md5sum "${conf#/}")
sed -i "s|^[0-9a-f]*  ${conf#/}\$|$sum|" "$tmp/next/DEBIAN/md5sums"
dpkg-deb --root-owner-group -b "$tmp/next" "$tmp/richprofile_${next}_$arch.deb" >/dev/null
# dpkg asks what to do with the edited file; nobody answers here.
dpkg -i "$tmp/richprofile_${next}_$arch.deb" </dev/null >"$tmp/upgrade.log" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "Modified (by you or by a script) since installation" "$tmp/upgrade.log" &&
	grep -q "end of file on stdin at conffile prompt" "$tmp/upgrade.log"; then
	ok "upgrading over an edited richprofile.conf asks before replacing it"
else
	nok "upgrading over an edited richprofile.conf asks before replacing it (status $rc)"
	show "$tmp/upgrade.log"
fi
# The operator keeps their version (dpkg's default answer, N).
dpkg --configure --force-confold richprofile >"$tmp/configure.log" 2>&1
rc=$?
v=$(dpkg-query -W -f='${Version}' richprofile)
if [ $rc -eq 0 ] && [ "$v" = "$next" ] && grep -qx "url = https://shop.example.org" "$conf" &&
	grep -qx "; a line the next version adds" "$conf.dpkg-dist"; then
	ok "kept: the edited richprofile.conf stays, the new one is beside it (.dpkg-dist)"
else
	nok "kept: the edited richprofile.conf stays, the new one beside it (status $rc, version $v)"
	show "$tmp/configure.log"
fi
links=$(find /etc/systemd/system -name 'richprofile.*' 2>/dev/null | tr '\n' ' ')
check "the units are still not enabled after the upgrade${links:+ ($links)}" test -z "$links"

# --- Purge (CI) -----------------------------------------------------------
dpkg -L richprofile richprofile-sim | sort -u >"$tmp/owned"
dpkg --purge richprofile richprofile-sim >"$tmp/purge.log" 2>&1
rc=$?
check "dpkg --purge richprofile richprofile-sim" test $rc -eq 0 || show "$tmp/purge.log"
installed=
# A directory another package owns (/usr/bin) stays; nothing else may.
left=
while IFS= read -r f; do
	[ "$f" = /. ] && continue
	[ -e "$f" ] || [ -L "$f" ] || continue
	[ -d "$f" ] && dpkg-query -S "$f" >/dev/null 2>&1 && continue
	left="$left $f"
done <"$tmp/owned"
check "no file the packages listed (dpkg -L, $(wc -l <"$tmp/owned") paths) is left" test -z "$left" ||
	echo "# left:$left"
left=
for f in /etc/richprofile /etc/apache2/conf-enabled/richprofile.conf \
	/var/lib/apache2/conf/enabled_by_admin/richprofile \
	/var/lib/apache2/conf/disabled_by_maint/richprofile \
	/var/lib/systemd/deb-systemd-helper-enabled/richprofile.service.dsh-also \
	/var/lib/systemd/deb-systemd-helper-enabled/richprofile.socket.dsh-also \
	/var/lib/systemd/deb-systemd-helper-masked/richprofile.service \
	/var/lib/systemd/deb-systemd-helper-masked/richprofile.socket \
	/run/richprofile /var/log/richprofile; do
	{ [ -e "$f" ] || [ -L "$f" ]; } && left="$left $f"
done
check "nor what they made: configuration, Apache and unit state, run and log directories${left:+ (left:$left)}" \
	test -z "$left"
s=$(dpkg-query -W -f='${db:Status-Status}' richprofile 2>/dev/null)
check "dpkg knows nothing of richprofile any more (${s:-unknown})" test -z "$s" -o "$s" = not-installed
finish
