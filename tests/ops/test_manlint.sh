#!/bin/sh
# manlint.sh: every manual page is clean under `mandoc -Tlint -Wwarning`,
# has an EXAMPLES section, reads without stacked quotes once rendered, and
# its cross-references point at pages that exist (ours) or are well known.
# TAP.
srcdir=${top_srcdir:-.}
pages="man/richprofile.1 man/richprofile-sim.1 man/richprofile.conf.5 man/richprofile-fcgi.8"
n=0
for p in $pages; do n=$((n + 4)); done
n=$((n + 6))
echo "1..$n"
if ! command -v mandoc >/dev/null 2>&1; then
	i=0
	while [ $i -lt $n ]; do i=$((i + 1)); echo "ok $i # SKIP mandoc not installed (tests/lib/deps.sh installs it)"; done
	exit 0
fi
i=0
for p in $pages; do
	f=$srcdir/$p
	i=$((i + 1))
	if out=$(mandoc -Tlint -Wwarning "$f" 2>&1) && [ -z "$out" ]; then
		echo "ok $i - $p: mandoc -Tlint -Wwarning is clean"
	else
		echo "not ok $i - $p: mandoc -Tlint -Wwarning"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
	i=$((i + 1))
	if grep -q '^\.Sh EXAMPLES' "$f" && mandoc -Tmarkdown "$f" | grep -A3 '^# EXAMPLES' | grep -q '[a-z]'; then
		echo "ok $i - $p: has an EXAMPLES section"
	else
		echo "not ok $i - $p: no EXAMPLES section"
	fi
	# Several .Ql on one line nest instead of following each other and
	# render as stacked quotes (‘ok’’’ in a terminal), which -Tlint does
	# not flag: look at the rendered text.  In UTF-8 two opening or two
	# closing quotes never touch; in ASCII, where the closing quote is
	# the apostrophe, two backquotes or three apostrophes never do (a
	# quoted UTF-8'' prefix legitimately shows two).
	i=$((i + 1))
	if ! command -v col >/dev/null 2>&1; then
		echo "ok $i # SKIP col not installed (apt-get install bsdextrautils; tests/lib/deps.sh installs it)"
	elif stacked=$( { mandoc -Tutf8 "$f" | col -b | grep -n '’’\|‘‘' | sed 's/^/utf8:/'
		mandoc -Tascii "$f" | col -b | grep -n "\`\`\|'''" | sed 's/^/ascii:/'; } )
		[ -z "$stacked" ]; then
		echo "ok $i - $p: rendered text has no stacked quotes"
	else
		echo "not ok $i - $p: rendered text has stacked quotes (give each .Ql a line of its own):"
		printf '%s\n' "$stacked" | sed 's/^/# /'
	fi
	# Every .Xr to a page of ours must name one we ship, in its section.
	i=$((i + 1))
	bad=$(sed -n 's/^\.Xr \(richprofile[^ ]*\) \([0-9]\).*/\1.\2/p' "$f" | sort -u |
		while read -r ref; do [ -f "$srcdir/man/$ref" ] || echo "$ref"; done)
	if [ -z "$bad" ]; then
		echo "ok $i - $p: cross-references name shipped pages"
	else
		echo "not ok $i - $p: cross-references to missing pages: $bad"
	fi
done

# richprofile.conf(5) documents every key the loader knows and every
# attribute of the catalogue: the page must not drift from the code.
conf5=$srcdir/man/richprofile.conf.5
i=$((i + 1))
missing=$(sed -n 's/^[[:space:]]*{ "\([a-z]*\)", "\([a-z_]*\)", K_.*/\1 \2/p' "$srcdir/lib/cfg.c" |
	while read -r sec key; do
		grep -Eq "^\\.It Cm (.* )?$key( |\$)" "$conf5" || echo "[$sec] $key"
	done)
nkeys=$(grep -c '^[[:space:]]*{ "[a-z]*", "[a-z_]*", K_' "$srcdir/lib/cfg.c")
if [ "$nkeys" -gt 10 ] && [ -z "$missing" ]; then
	echo "ok $i - richprofile.conf.5 documents all $nkeys keys of lib/cfg.c"
else
	echo "not ok $i - richprofile.conf.5 documents all $nkeys keys of lib/cfg.c; missing: $(echo $missing)"
fi
i=$((i + 1))
missing=$(sed -n 's/^[[:space:]]*\[RP_A_[A-Z]*\] = { "\([A-Za-z]*\)".*/\1/p' "$srcdir/lib/attr.c" |
	while read -r a; do grep -q "^\.It Cm $a\$" "$conf5" || echo "$a"; done)
nattrs=$(grep -c '^[[:space:]]*\[RP_A_[A-Z]*\] = { "' "$srcdir/lib/attr.c")
if [ "$nattrs" -gt 20 ] && [ -z "$missing" ]; then
	echo "ok $i - richprofile.conf.5 lists all $nattrs attributes of lib/attr.c"
else
	echo "not ok $i - richprofile.conf.5 lists all $nattrs attributes of lib/attr.c; missing: $(echo $missing)"
fi

# The programs' own help and their pages say the same: every option, every
# route, every exit status.  Skipped until the programs are built.
builddir=${top_builddir:-.}
fcgi=$builddir/cgi/richprofile-fcgi
cli=$builddir/cgi/cli/richprofile
page8=$srcdir/man/richprofile-fcgi.8
page1=$srcdir/man/richprofile.1
# -n's default in richprofile-fcgi(8) is [server] threads' default in the code.
i=$((i + 1))
want=$(sed -n 's/.*{ "server", "threads", K_LONG, .*, "\([0-9]*\)" },.*/\1/p' "$srcdir/lib/cfg.c")
got=$(sed -n '/^\.It Fl n Ar threads/,/^\.It Fl s/s/.*(default \([0-9]*\)).*/\1/p' "$page8")
if [ -n "$want" ] && [ "$want" = "$got" ]; then
	echo "ok $i - richprofile-fcgi.8 gives -n the default of lib/cfg.c ($want threads)"
else
	echo "not ok $i - richprofile-fcgi.8 gives -n the default '$got', lib/cfg.c '$want'"
fi
i=$((i + 1))
if [ -x "$fcgi" ]; then
	help=$("$fcgi" -h)
	missing=$(printf '%s\n' "$help" | sed -n 's/^  -\([a-zA-Z]\) .*/\1/p' |
		while read -r o; do grep -Eq "^\\.It Fl $o( |\$)" "$page8" || echo "-$o"; done)
	# "Routes (last path segment): a (default), b, c (what)." -> a b c
	routes=$(printf '%s\n' "$help" | sed -n '/^Routes/,/^Query/p' | tr '\n' ' ' |
		sed -e 's/^Routes ([^)]*)://' -e 's/Query:.*//' -e 's/([^)]*)//g' | tr ', ' '\n\n' |
		sed 's/\.$//' | grep -x '[a-z][a-z.]*[a-z]')
	check_routes=$(printf '%s\n' "$routes" |
		while read -r r; do grep -Eq "^\\.It Cm $r\$" "$page8" || echo "route:$r"; done)
	nroutes=$(printf '%s\n' "$routes" | grep -c .)
	[ "$nroutes" -ge 3 ] || check_routes="$check_routes (only $nroutes routes found in -h)"
	if [ -z "$missing$check_routes" ]; then
		echo "ok $i - richprofile-fcgi.8 documents every option and route of richprofile-fcgi -h"
	else
		echo "not ok $i - richprofile-fcgi.8 misses what -h lists: $(echo $missing $check_routes)"
	fi
else
	echo "ok $i # SKIP richprofile-fcgi is not built"
fi
i=$((i + 1))
if [ -x "$cli" ]; then
	help=$("$cli" --help)
	missing=$(printf '%s\n' "$help" | grep -o -- '--[a-z][a-z-]*' | sort -u |
		while read -r o; do grep -q "Fl -${o#--}\( \|\$\)" "$page1" || echo "$o"; done)
	if [ -z "$missing" ]; then
		echo "ok $i - richprofile.1 documents every option of richprofile --help"
	else
		echo "not ok $i - richprofile.1 misses options of richprofile --help: $(echo $missing)"
	fi
	i=$((i + 1))
	missing=$(printf '%s\n' "$help" | sed -n '/^Exit status/,$s/^  \([0-9]\)  .*/\1/p' |
		while read -r x; do grep -qx "\.It $x" "$page1" || echo "$x"; done)
	nx=$(printf '%s\n' "$help" | sed -n '/^Exit status/,$p' | grep -c '^  [0-9]  ')
	if [ "$nx" -gt 3 ] && [ -z "$missing" ]; then
		echo "ok $i - richprofile.1 documents all $nx exit statuses of richprofile --help"
	else
		echo "not ok $i - richprofile.1 documents all $nx exit statuses of richprofile --help; missing: $(echo $missing)"
	fi
else
	echo "ok $i # SKIP richprofile is not built"
	i=$((i + 1))
	echo "ok $i # SKIP richprofile is not built"
fi
