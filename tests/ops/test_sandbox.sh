#!/usr/bin/env bash
# sandbox.sh: a running richprofile-fcgi is confined by its seccomp
# filter on every thread (/proc/PID/task/*/status: "Seccomp: 2"), serves
# as before, and says so in its start-up line and -V; with [server]
# sandbox = off it is not, and says that instead.  What the filter
# refuses is tests/unit/test_sandbox.c's.  TAP.
. "${top_srcdir:-.}/tests/ops/opslib.sh"
need cgi-fcgi curl
need_built "$FCGI" "$SIM"
echo "1..8"

start_sim || { echo "Bail out! the simulator did not start"; exit 1; }
write_conf "$tmp/on.conf"
amelie=$(token_of amelie)

# Every thread's seccomp mode and filter count, one "MODE FILTERS" a line.
modes() {
	for t in /proc/"$1"/task/*; do
		awk '/^Seccomp:/ { m = $2 } /^Seccomp_filters:/ { f = $2 }
		    END { print m, f }' "$t/status"
	done
}

rp_start_fcgi on "$tmp/on.conf"
pid=$FCGI_PID_on
fcgi_get "$FCGI_SOCK_on" fragment view=card "rp_token=$amelie" >"$tmp/on.out"
st=$(header X-RichProfile-Status <"$tmp/on.out")
check "sandboxed, it serves Amélie's card (status $st)" test "$st" = ok
modes $pid >"$tmp/on.modes"
n=$(wc -l <"$tmp/on.modes")
check "every one of its $n threads is in seccomp filter mode (Seccomp: 2, a filter)" \
	sh -c '[ "$2" -gt 4 ] && ! grep -qv "^2 [1-9]" "$1"' sh "$tmp/on.modes" "$n" || show "$tmp/on.modes"
check "the start-up line says the sandbox is on" \
	grep -q 'serving on .*; sandbox on (seccomp, [0-9]* system calls allowed)' "$tmp/fcgi-on.out"
"$FCGI" -V -c "$tmp/on.conf" >"$tmp/v-on.out" 2>&1
check "-V says the sandbox is on" grep -q '^sandbox: on (seccomp filter' "$tmp/v-on.out" || show "$tmp/v-on.out"
kill -TERM $pid
wait $pid
rc=$?
check "SIGTERM stops the sandboxed program cleanly (status $rc)" test $rc -eq 0

write_conf "$tmp/off.conf"
sed -i 's/^\[server\]$/&\nsandbox = off/' "$tmp/off.conf"
rp_start_fcgi off "$tmp/off.conf"
fcgi_get "$FCGI_SOCK_off" fragment view=card "rp_token=$amelie" >/dev/null
modes $FCGI_PID_off >"$tmp/off.modes"
check "with sandbox = off no thread is filtered" \
	sh -c '! grep -qv "^0 0" "$1"' sh "$tmp/off.modes" || show "$tmp/off.modes"
check "...and the log says it serves without a filter" \
	sh -c 'grep -q "sandbox off (\[server\] sandbox = off" "$1" && grep -q "; sandbox off$" "$1"' sh "$tmp/fcgi-off.out"
"$FCGI" -V -c "$tmp/off.conf" >"$tmp/v-off.out" 2>&1
check "-V says it is off" grep -q '^sandbox: off' "$tmp/v-off.out"
