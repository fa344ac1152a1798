#!/usr/bin/env bash
# Runs the whole test suite: installs what it needs, builds with warnings
# as errors, runs `make check`, again under AddressSanitizer and
# UndefinedBehaviorSanitizer, the compiled tests once more under valgrind,
# then `make distcheck`.  Ends with the line
# "N passed, N failed" summing every test case of every suite.
set -uo pipefail
cd "$(dirname "$0")"
top=$(pwd)
. tests/lib/deps.sh
rp_install_test_deps || exit 1

jobs=$(nproc 2>/dev/null || echo 2)
status=0
logs=()

step() { echo; echo "=== $*"; }

# A build configured in the source tree blocks the out-of-tree ones.
[ -f config.status ] && make -s distclean >/dev/null 2>&1
step "autoreconf"
autoreconf -fi >/dev/null 2>&1 || { autoreconf -fi; exit 1; }

# One build tree per flavour, outside the source tree's own files.
build() {
	local name=$1; shift
	local dir="$top/_build/$name"
	rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || return 1
	step "$name: configure $*"
	"$top/configure" -q "$@" || return 1
	step "$name: make"
	make -s -j"$jobs" >/dev/null || { make -j1 2>&1 | tail -40; return 1; }
	step "$name: make check"
	make -s -j"$jobs" check
	local rc=$?
	logs+=("$dir/test-suite.log")
	cd "$top"
	return $rc
}

build gcc --enable-werror || status=1
build sanitizers --enable-werror --enable-sanitizers || status=1

step "valgrind: make check-valgrind (compiled tests under memcheck)"
(cd "$top/_build/gcc" && make -s check-valgrind) || status=1
logs+=("$top/_build/gcc/test-suite-valgrind.log")

step "make distcheck"
(cd "$top/_build/gcc" && make -s distcheck >distcheck.out 2>&1) ||
	{ tail -40 "$top/_build/gcc/distcheck.out"; echo "distcheck: FAILED"; status=1; }

step "summary"
pass=0; fail=0
for log in "${logs[@]}"; do
	[ -f "$log" ] || { fail=$((fail + 1)); echo "missing $log"; continue; }
	p=$(sed -n 's/^# PASS: *//p' "$log"); x=$(sed -n 's/^# XFAIL: *//p' "$log")
	f=$(sed -n 's/^# FAIL: *//p' "$log"); e=$(sed -n 's/^# ERROR: *//p' "$log")
	xp=$(sed -n 's/^# XPASS: *//p' "$log")
	pass=$((pass + ${p:-0} + ${x:-0})); fail=$((fail + ${f:-0} + ${e:-0} + ${xp:-0}))
	echo "$(basename "$(dirname "$log")")/$(basename "$log"): PASS ${p:-0} FAIL ${f:-0} ERROR ${e:-0}"
done
if [ $status -ne 0 ] && [ $fail -eq 0 ]; then fail=1; fi
echo "$pass passed, $fail failed"
[ $status -eq 0 ] && [ $fail -eq 0 ]
