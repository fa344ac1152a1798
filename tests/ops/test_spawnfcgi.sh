#!/usr/bin/env bash
# spawnfcgi.sh: the shipped conf/spawn-fcgi.sh starts richprofile-fcgi
# under spawn-fcgi (socket on fd 0), with the socket mode and owner it
# promises, dropping root when started as root; the program serves
# through it, reloads on SIGHUP and stops on SIGTERM.  TAP.
. "${top_srcdir:-.}/tests/ops/opslib.sh"
need spawn-fcgi cgi-fcgi
need_built "$FCGI" "$SIM"
echo "1..8"

start_sim || { echo "Bail out! the simulator did not start"; exit 1; }
# Readable by the unprivileged user the script switches to.
chmod 755 "$tmp"
write_conf "$tmp/rp.conf"
chmod 644 "$tmp/rp.conf"
amelie=$(token_of amelie)
sock=$tmp/run/rp.sock

if [ "$(id -u)" -eq 0 ]; then
	# As root the script drops to RP_USER; nobody exists everywhere.
	user=nobody
	group=$(id -gn nobody)
	export RP_USER=$user RP_GROUP=$group RP_SOCKET_GROUP=$group
else
	user=$(id -un)
	group=$(id -gn)
fi
RP_FCGI=$FCGI RP_CONF=$tmp/rp.conf RP_SOCKET=$sock \
	sh "$srcdir/conf/spawn-fcgi.sh" >"$tmp/spawn.log" 2>&1 &
pid=$!
rp_track $pid
wait_for -S "$sock" || show "$tmp/spawn.log"
check "spawn-fcgi.sh creates the socket" test -S "$sock"

fcgi_get "$sock" fragment view=card "rp_token=$amelie" >"$tmp/frag.out" 2>&1
if [ "$(header X-RichProfile-Status <"$tmp/frag.out")" = ok ] && grep -q 'Amélie' "$tmp/frag.out"; then
	ok "a signed-in user's fragment comes through the spawn-fcgi socket"
else
	nok "a signed-in user's fragment comes through the spawn-fcgi socket"
	show "$tmp/frag.out"; show "$tmp/spawn.log"
fi
wait_grep "serving on" "$tmp/spawn.log"
check "the program serves the socket spawn-fcgi passed on fd 0" \
	grep -q "serving on fd 0" "$tmp/spawn.log"

# -n: spawn-fcgi execs the program in its own process.
check "the program runs as $user" \
	test "$(ps -o user= -p $pid | tr -d ' ')" = "$user"
mode=$(stat -c '%a %G' "$sock")
check "the socket is mode 0660, group $group (got $mode)" test "$mode" = "660 $group"

kill -HUP $pid
wait_grep 'reloaded' "$tmp/spawn.log"
check "SIGHUP reloads the configuration" grep -q 'SIGHUP: configuration .* reloaded' "$tmp/spawn.log"

kill -TERM $pid
wait $pid
rc=$?
check "SIGTERM stops it with status 0 (got $rc)" test $rc -eq 0

# A broken configuration stops the script before spawn-fcgi runs.
printf '[upstream]\nendpoint = ftp://nowhere\n' >"$tmp/bad.conf"
RP_FCGI=$FCGI RP_CONF=$tmp/bad.conf RP_SOCKET=$tmp/run/bad.sock \
	timeout 10 sh "$srcdir/conf/spawn-fcgi.sh" >"$tmp/bad.log" 2>&1
rc=$?
check "a broken configuration is refused before anything listens (status $rc)" \
	sh -c '[ $1 -ne 0 ] && [ ! -e "$2" ] && grep -q "bad.conf" "$3"' sh $rc "$tmp/run/bad.sock" "$tmp/bad.log"
