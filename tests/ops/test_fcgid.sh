#!/usr/bin/env bash
# fcgid.sh: Apache 2.4 with mod_fcgid runs richprofile-fcgi itself, as
# conf/apache/richprofile-fcgid.conf sets it up (a process per concurrent
# request, listener on fd 0); fragments come through, and the status and
# ready routes answer loopback only.  TAP.
. "${top_srcdir:-.}/tests/ops/opslib.sh"
need apache2 curl
need_built "$FCGI" "$SIM"
modules=/usr/lib/apache2/modules
[ -f "$modules/mod_fcgid.so" ] || {
	echo "1..0 # SKIP mod_fcgid is not installed (apt-get install libapache2-mod-fcgid; tests/lib/deps.sh does)"
	exit 0
}
echo "1..7"

start_sim || { echo "Bail out! the simulator did not start"; exit 1; }
# Apache's children (www-data when started as root) read all of this.
chmod 755 "$tmp"
write_conf "$tmp/rp.conf"
chmod 644 "$tmp/rp.conf"
mkdir -p "$tmp/www" "$tmp/fcgid"
amelie=$(token_of amelie)

# A free port: bind 0, read it, let it go; Apache binds it next.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
user=
if [ "$(id -u)" -eq 0 ]; then
	user="User www-data
Group www-data"
	chown www-data "$tmp/fcgid"
fi
# The shipped snippet, pointed at this build and this configuration.
sed -e "s|/usr/sbin/richprofile-fcgi|$FCGI|" \
	-e "s|/etc/richprofile/richprofile.conf|$tmp/rp.conf|" \
	"$srcdir/conf/apache/richprofile-fcgid.conf" >"$tmp/richprofile-fcgid.conf"
cat >"$tmp/httpd.conf" <<EOF
ServerRoot $tmp
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile $tmp/apache.pid
ErrorLog $tmp/apache-error.log
LogLevel warn
DefaultRuntimeDir $tmp
Mutex file:$tmp default
LoadModule mpm_event_module $modules/mod_mpm_event.so
LoadModule authz_core_module $modules/mod_authz_core.so
LoadModule authz_host_module $modules/mod_authz_host.so
LoadModule fcgid_module $modules/mod_fcgid.so
$user
DocumentRoot $tmp/www
FcgidIPCDir $tmp/fcgid
FcgidProcessTableFile $tmp/fcgid/shm
Include $tmp/richprofile-fcgid.conf
EOF
apache2 -d "$tmp" -f "$tmp/httpd.conf" -DFOREGROUND >"$tmp/apache.out" 2>&1 &
rp_track $!
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
