#!/bin/sh
# manlint.sh: every manual page is clean under `mandoc -Tlint -Wwarning`,
# has an EXAMPLES section, and its cross-references point at pages that
# exist (ours) or are well known.  TAP.
srcdir=${top_srcdir:-.}
pages="man/richprofile.1 man/richprofile-sim.1 man/richprofile.conf.5 man/richprofile-fcgi.8"
n=0
for p in $pages; do n=$((n + 3)); done
n=$((n + 2))
echo "1..$n"
if ! command -v mandoc >/dev/null 2>&1; then
	i=0
	while [ $i -lt $n ]; do i=$((i + 1)); echo "ok $i # SKIP mandoc not installed (tests/deps.sh installs it)"; done
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
