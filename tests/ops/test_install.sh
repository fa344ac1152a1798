#!/usr/bin/env bash
# install.sh: `make install` with DESTDIR and with another prefix gives a
# complete, usable tree, and `make uninstall` takes it all away.  TAP.
# The directories come from the Makefile (tests/ops.mk).
. "${top_srcdir:-.}/tests/ops/opslib.sh"
make=${RP_OPS_MAKE:-make}
# A sub-make of its own: the parent's jobserver is not ours to use.
submake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $make -s -C "$builddir" "$@"; }

echo "1..21"

# --- DESTDIR: a staged install, as a package build does.
dest=$tmp/dest
if submake install DESTDIR="$dest" >"$tmp/install.log" 2>&1; then
	ok "make install DESTDIR=... succeeds"
else
	nok "make install DESTDIR=... succeeds"; show "$tmp/install.log"
fi
D() { printf '%s%s' "$dest" "$1"; }

# Every program this tree has built, where its section says.
missing= progs=
for p in sbin:cgi/richprofile-fcgi bin:cgi/richprofile bin:sim/richprofile-sim; do
	f=$builddir/${p#*:}$EXEEXT
	[ -x "$f" ] || continue
	case ${p%%:*} in sbin) dir=$RP_OPS_SBINDIR ;; *) dir=$RP_OPS_BINDIR ;; esac
	progs="$progs $(basename "$f")"
	[ -x "$(D "$dir")/$(basename "$f")" ] || missing="$missing $f"
done
check "the programs are installed:$progs${missing:+ (missing:$missing)}" test -n "$progs" -a -z "$missing"
if [ -f "$srcdir/conf/templates/card.html" ]; then
	check "templates and stylesheet installed in datadir/richprofile" \
		test -f "$(D "$RP_OPS_DATADIR")/richprofile/templates/card.html" -a \
		-f "$(D "$RP_OPS_DATADIR")/richprofile/richprofile.css"
else
	skip "no templates in this tree yet"
fi

missing=
for m in man1/richprofile.1 man1/richprofile-sim.1 man5/richprofile.conf.5 man8/richprofile-fcgi.8; do
	[ -f "$(D "$RP_OPS_MANDIR")/$m" ] || missing="$missing $m"
done
check "the four manual pages are installed under mandir${missing:+ (missing:$missing)}" test -z "$missing"

unit=$(D "$RP_OPS_UNITDIR")
check "systemd units installed in $RP_OPS_UNITDIR" \
	test -f "$unit/richprofile.socket" -a -f "$unit/richprofile.service"
check "the service runs the installed program (final path, not DESTDIR)" \
	grep -qx "ExecStart=$RP_OPS_SBINDIR/richprofile-fcgi -c $RP_OPS_SYSCONFDIR/richprofile/richprofile.conf" \
	"$unit/richprofile.service"
check "no @placeholder@ is left in the installed units" \
	sh -c '! grep -n "@[a-z_]*@" "$1"/richprofile.socket "$1"/richprofile.service' sh "$unit"
check "the socket unit is a unix socket under /run/richprofile for the web server's group" \
	sh -c 'grep -qx "ListenStream=/run/richprofile/richprofile.sock" "$1" &&
		grep -qx "SocketGroup=www-data" "$1" && grep -qx "SocketMode=0660" "$1"' sh "$unit/richprofile.socket"

ex=$(D "$RP_OPS_DOCDIR")/examples
check "spawn-fcgi and mod_fcgid examples installed in docdir/examples" \
	test -f "$ex/spawn-fcgi.sh" -a -f "$ex/richprofile-fcgid.conf"

etc=$(D "$RP_OPS_SYSCONFDIR")/richprofile
check "richprofile.conf and richprofile.conf.sample installed in sysconfdir/richprofile" \
	test -f "$etc/richprofile.conf" -a -f "$etc/richprofile.conf.sample"
check "the installed configuration names the installed templates" \
	grep -qx "templates = $RP_OPS_DATADIR/richprofile/templates" "$etc/richprofile.conf"
# An upgrade must not overwrite the site's settings; the sample is refreshed.
echo "; changed by the site" >>"$etc/richprofile.conf"
echo "; stale sample" >>"$etc/richprofile.conf.sample"
submake install DESTDIR="$dest" >"$tmp/reinstall.log" 2>&1
check "a second make install keeps a changed richprofile.conf and refreshes the sample" \
	sh -c 'grep -q "changed by the site" "$1/richprofile.conf" &&
		! grep -q "stale sample" "$1/richprofile.conf.sample"' sh "$etc"

if submake uninstall DESTDIR="$dest" >"$tmp/uninstall.log" 2>&1; then
	ok "make uninstall DESTDIR=... succeeds"
else
	nok "make uninstall DESTDIR=... succeeds"; show "$tmp/uninstall.log"
fi
check "make uninstall keeps the changed richprofile.conf" test -f "$etc/richprofile.conf"
rm -f "$etc/richprofile.conf"
left=$(find "$dest" -type f 2>/dev/null)
check "make uninstall leaves no other file behind${left:+: $(echo $left)}" test -z "$left"

# --- Another prefix: the installed files name that prefix and work there.
p=$tmp/prefix
if submake install prefix="$p" >"$tmp/install2.log" 2>&1; then
	ok "make install prefix=... succeeds"
else
	nok "make install prefix=... succeeds"; show "$tmp/install2.log"
fi
# The directories as this prefix makes them (the defaults derive from it).
sub() { printf '%s' "$1" | sed "s|^$RP_OPS_PREFIX|$p|"; }
punit=$(sub "$RP_OPS_UNITDIR")
check "the service names the new prefix's program" \
	grep -qx "ExecStart=$(sub "$RP_OPS_SBINDIR")/richprofile-fcgi -c $(sub "$RP_OPS_SYSCONFDIR")/richprofile/richprofile.conf" \
	"$punit/richprofile.service"
pfcgi=$(sub "$RP_OPS_SBINDIR")/richprofile-fcgi$EXEEXT
if [ ! -x "$pfcgi" ]; then
	skip "richprofile-fcgi is not built in this tree yet"
elif "$pfcgi" -t -c "$(sub "$RP_OPS_SYSCONFDIR")/richprofile/richprofile.conf" >"$tmp/t.log" 2>&1; then
	ok "richprofile-fcgi -t accepts the installed configuration and finds the installed templates"
else
	nok "richprofile-fcgi -t accepts the installed configuration and finds the installed templates"
	show "$tmp/t.log"
fi
if ! command -v systemd-analyze >/dev/null 2>&1; then
	skip "systemd-analyze not installed (tests/lib/deps.sh installs systemd)"
elif [ ! -x "$pfcgi" ]; then
	skip "richprofile-fcgi is not built in this tree yet"
else
	if (cd "$tmp" && systemd-analyze verify --man=no "$punit/richprofile.socket" "$punit/richprofile.service") >"$tmp/verify.log" 2>&1 &&
		! grep -q . "$tmp/verify.log"; then
		ok "systemd-analyze verify accepts the installed units"
	else
		nok "systemd-analyze verify accepts the installed units"; show "$tmp/verify.log"
	fi
fi
if command -v systemd-analyze >/dev/null 2>&1; then
	# The exposure score (0 best, 10 worst): the hardening must stay in place.
	score=$(cd "$tmp" && systemd-analyze security --offline=true "$punit/richprofile.service" 2>/dev/null |
		sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
	check "systemd-analyze security rates the service's exposure ${score:-?} (at most 2.0)" \
		awk -v s="${score:-99}" 'BEGIN { exit !(s + 0 <= 2.0) }'
else
	skip "systemd-analyze not installed"
fi
submake uninstall prefix="$p" >"$tmp/uninstall2.log" 2>&1
left=$(find "$p" -type f 2>/dev/null)
check "make uninstall prefix=... leaves no file behind${left:+: $(echo $left)}" test -z "$left"
