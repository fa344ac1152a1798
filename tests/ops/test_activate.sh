#!/usr/bin/env bash
# activate.sh: richprofile-fcgi serves on a socket passed by systemd
# socket activation (LISTEN_PID/LISTEN_FDS, fd 3), started by
# systemd-socket-activate as systemd would; and refuses a passed socket it
# cannot serve.  TAP.
. "${top_srcdir:-.}/tests/ops/opslib.sh"
need systemd-socket-activate cgi-fcgi
need_built "$FCGI" "$SIM"
echo "1..9"

start_sim || { echo "Bail out! the simulator did not start"; exit 1; }
write_conf "$tmp/rp.conf"
amelie=$(token_of amelie)

# Like richprofile.socket: the socket exists before the program, which
# starts on the first connection with the socket as fd 3.
sock=$tmp/rp.sock
systemd-socket-activate -l "$sock" "$FCGI" -c "$tmp/rp.conf" 2>"$tmp/fcgi.log" &
act=$!
rp_track $act
wait_for -S "$sock" || show "$tmp/fcgi.log"
# systemd-socket-activate execs the program on the first connection: until
# then the process is still systemd-socket-activate.
check "the program does not run before the first connection" \
	grep -q "^systemd-socket" "/proc/$act/comm"

fcgi_get "$sock" ping >"$tmp/ping.out" 2>&1
check "ping answers ok through the activated socket" grep -qx "ok" "$tmp/ping.out"
# The main thread logs it once the workers run: maybe after the answer.
wait_grep "serving on" "$tmp/fcgi.log"
check "the program logs that it serves the socket systemd passed" \
	grep -q "serving on fd 3 (systemd socket activation)" "$tmp/fcgi.log"

fcgi_get "$sock" fragment view=card "rp_token=$amelie" >"$tmp/frag.out" 2>&1
if [ "$(header X-RichProfile-Status <"$tmp/frag.out")" = ok ] &&
	grep -q 'class="rp rp-ok"' "$tmp/frag.out" && grep -q 'Amélie' "$tmp/frag.out"; then
	ok "a signed-in user's fragment comes through the activated socket"
else
	nok "a signed-in user's fragment comes through the activated socket"; show "$tmp/frag.out"
fi

# systemd-socket-activate execs the program: its pid is the program's.
kill -TERM $act
wait $act
rc=$?
check "SIGTERM stops the activated program with status 0 (got $rc)" test $rc -eq 0
check "it logs a clean stop" grep -q "stopped cleanly" "$tmp/fcgi.log"

# What systemd would never pass, or passes to someone else.
sh -c 'LISTEN_PID=$$ LISTEN_FDS=2 exec "$1" -c "$2"' sh "$FCGI" "$tmp/rp.conf" \
	>"$tmp/two.log" 2>&1 </dev/null
rc=$?
check "two passed sockets are refused with a reason (status $rc)" \
	sh -c '[ $1 -ne 0 ] && grep -q "systemd passed 2 sockets" "$2"' sh $rc "$tmp/two.log"
sh -c 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$1" -c "$2" 3<"$2"' sh "$FCGI" "$tmp/rp.conf" \
	>"$tmp/file.log" 2>&1 </dev/null
rc=$?
check "a passed fd 3 that is not a socket is refused with a reason (status $rc)" \
	sh -c '[ $1 -ne 0 ] && grep -q "fd 3) is not a socket" "$2"' sh $rc "$tmp/file.log"
# LISTEN_PID names another process: not ours; without a socket on fd 0
# and no CGI request, the program says what to do instead.
LISTEN_PID=1 LISTEN_FDS=1 "$FCGI" -c "$tmp/rp.conf" >"$tmp/other.log" 2>&1 </dev/null
rc=$?
check "sockets passed to another pid are ignored (status $rc)" \
	sh -c '[ $1 -ne 0 ] && grep -q "no FastCGI socket on fd 0" "$2" &&
		! grep -q "systemd" "$2"' sh $rc "$tmp/other.log"
