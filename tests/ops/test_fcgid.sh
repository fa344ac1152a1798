#!/usr/bin/env bash
# fcgid.sh: Apache 2.4 with mod_fcgid runs richprofile-fcgi itself, as
# conf/apache/richprofile-fcgid.conf sets it up (a process per concurrent
# request, listener on fd 0); fragments come through, and the status and
# ready routes answer loopback only.  TAP.
. "${top_srcdir:-.}/tests/ops/opslib.sh"
need apache2 curl
need_built "$FCGI" "$SIM"
[ -f "$RP_APACHE_MODULES/mod_fcgid.so" ] || {
	echo "1..0 # SKIP mod_fcgid is not installed (apt-get install libapache2-mod-fcgid; tests/lib/deps.sh does)"
	exit 0
}
echo "1..7"

start_sim || { echo "Bail out! the simulator did not start"; exit 1; }
# Apache's children (www-data when started as root) read all of this.
chmod 755 "$tmp"
write_conf "$tmp/rp.conf"
chmod 644 "$tmp/rp.conf"
mkdir -p "$tmp/fcgid"
amelie=$(token_of amelie)

if [ "$(id -u)" -eq 0 ]; then
	chown www-data "$tmp/fcgid"
fi
# The shipped snippet, pointed at this build and this configuration.
rp_snippet "$srcdir/conf/apache/richprofile-fcgid.conf" \
	/usr/sbin/richprofile-fcgi "$FCGI" \
	/etc/richprofile/richprofile.conf "$tmp/rp.conf" >"$tmp/richprofile-fcgid.conf"
rp_start_apache "$tmp/richprofile-fcgid.conf" "FcgidIPCDir $tmp/fcgid
FcgidProcessTableFile $tmp/fcgid/shm" fcgid
port=$APACHE_PORT
get() { # get PATH [COOKIE] [SOURCE-ADDRESS]: status line, headers, body
	curl -s -i --max-time 10 ${3:+--interface "$3"} ${2:+-H "Cookie: $2"} \
		"http://127.0.0.1:$port$1"
}
i=0
until get /richprofile/ping 2>/dev/null | grep -q '^ok'; do
	i=$((i + 1))
	[ $i -gt 100 ] && break
	sleep 0.1
done
get /richprofile/ping >"$tmp/ping.out"
if grep -qx 'ok' "$tmp/ping.out"; then
	ok "mod_fcgid starts the program and ping answers"
else
	nok "mod_fcgid starts the program and ping answers"
	show "$tmp/ping.out"; show "$tmp/apache-error.log"; show "$tmp/apache.out"
fi

get "/richprofile/fragment?view=card" "rp_token=$amelie" >"$tmp/frag.out"
st=$(header X-RichProfile-Status <"$tmp/frag.out")
check "a signed-in user's fragment comes through mod_fcgid (status $st)" \
	sh -c '[ "$1" = ok ] && grep -q "Amélie" "$2"' sh "$st" "$tmp/frag.out"
get "/richprofile/fragment?view=card" >"$tmp/signin.out"
check "a signed-out visitor gets the signin fragment" \
	test "$(header X-RichProfile-Status <"$tmp/signin.out")" = signin

code() { tr -d '\r' | sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p'; }
check "status answers 200 to loopback (127.0.0.1)" \
	test "$(get /richprofile/status | code)" = 200
check "status answers 403 to any other address (127.0.0.2)" \
	test "$(get /richprofile/status "" 127.0.0.2 | code)" = 403
check "ready answers 403 to any other address (127.0.0.2)" \
	test "$(get /richprofile/ready "" 127.0.0.2 | code)" = 403
check "the fragment itself is not restricted (127.0.0.2 gets 200)" \
	test "$(get "/richprofile/fragment?view=card" "" 127.0.0.2 | code)" = 200
