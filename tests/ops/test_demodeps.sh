#!/usr/bin/env bash
# demodeps.sh: the demo's dependency step needs no npm package.  It runs
# the step demo.sh runs (tests/lib/deps.sh) in a tree whose browser tests
# still lack their npm packages, with an npm that fails as it does
# without network: the demo's step must succeed without calling npm,
# while the test command's step (check.sh) calls it and fails, saying so.
# Every Debian package counts as installed here (a dpkg-query stand-in):
# what is under test is the npm step, not apt.
. "${top_srcdir:-.}/tests/ops/opslib.sh"
need bash

echo "1..5"
mkdir -p "$tmp/bin" "$tmp/tree/tests/browser" || exit 1
cat >"$tmp/bin/npm" <<EOS
#!/bin/sh
echo "npm \$*" >>"$tmp/npm.calls"
echo "npm ERR! network: request to https://registry.npmjs.org/ failed" >&2
exit 1
EOS
cat >"$tmp/bin/dpkg-query" <<'EOS'
#!/bin/sh
printf 'install ok installed'
EOS
chmod +x "$tmp/bin/npm" "$tmp/bin/dpkg-query"
cp "$srcdir/tests/browser/package.json" "$tmp/tree/tests/browser/" || exit 1

# The step demo.sh runs, read from demo.sh itself.
step=$(sed -n 's/^[[:space:]]*\(rp_install[a-z_]*\) || exit 1$/\1/p' "$srcdir/demo.sh")
check "demo.sh runs rp_install_deps as its dependency step (it runs: ${step:-none})" \
	[ "$step" = rp_install_deps ]

run_step() {
	(cd "$tmp/tree" && PATH="$tmp/bin:$PATH" bash -c \
		'. "$1"; "$2"' deps "$srcdir/tests/lib/deps.sh" "$1") >"$tmp/$1.out" 2>&1
}
rm -f "$tmp/npm.calls"
if run_step rp_install_deps; then
	ok "the demo's dependency step succeeds while npm install fails"
else
	nok "the demo's dependency step succeeds while npm install fails"
	show "$tmp/rp_install_deps.out"
fi
check "the demo's dependency step does not run npm" [ ! -e "$tmp/npm.calls" ]

# The test command still installs the browser tests' package, and says
# what failed when it cannot.
step=$(sed -n 's/^[[:space:]]*\(rp_install[a-z_]*\) || exit 1$/\1/p' "$srcdir/check.sh")
if [ -n "$step" ] && ! run_step "$step" && [ -e "$tmp/npm.calls" ]; then
	ok "check.sh's dependency step ($step) runs npm install and fails with it"
else
	nok "check.sh's dependency step (${step:-none}) runs npm install and fails with it"
	show "$tmp/$step.out"
fi
if grep -q "npm install in tests/browser failed" "$tmp/$step.out" 2>/dev/null; then
	ok "its message names the npm install that failed"
else
	nok "its message names the npm install that failed"
	show "$tmp/$step.out"
fi
