# stack.sh: starts richprofile-sim, richprofile-fcgi and nginx on loopback
# for the fault, soak and benchmark suites; sourced by bash scripts.
#
# Everything lives in one run directory (rp_stack_init); every process is
# started here, remembered by PID, and stopped by PID (rp_stack_stop, also
# on exit).  Ports are free ones picked at run time; sockets are in the
# run directory.  Nothing under /etc or /var is touched.

rp_srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
rp_builddir=${top_builddir:-$rp_srcdir}
RP_FCGI=${RP_FCGI:-$rp_builddir/cgi/richprofile-fcgi}
RP_SIM=${RP_SIM:-$rp_builddir/sim/richprofile-sim}
RP_NGINX=${RP_NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
rp_pids=()
RUN=

# The demo users' tokens (conf/sim-users.conf).
RP_TOK_AMELIE=tok-amelie-2f9c61d04b

rp_die() {
	echo "$*" >&2
	exit 1
}

# rp_stack_init NAME: a fresh run directory under the build tree.
rp_stack_init() {
	RUN=$rp_builddir/tests/output/$1
	rm -rf "$RUN"
	mkdir -p "$RUN/nginx-tmp" || rp_die "cannot create $RUN"
	trap rp_stack_stop EXIT
}

# A free TCP port on 127.0.0.1 (the kernel's pick; a race with another
# program is possible and shows as a failed start).
rp_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# rp_wait_for TEST-COMMAND WHAT: polls up to 10 s.
rp_wait_for() {
	local i
	for i in $(seq 1 200); do
		eval "$1" && return 0
		sleep 0.05
	done
	rp_die "timed out waiting for $2"
}

# rp_start_sim NAME [OPTION...]: a simulator; sets SIM_PID_<NAME>,
# SIM_PORT_<NAME> and SIM_URL_<NAME> (its API base).
rp_start_sim() {
	local name=$1 pf
	shift
	pf=$RUN/sim-$name.port
	"$RP_SIM" --listen 127.0.0.1:0 --port-file "$pf" \
		--users "${RP_SIM_USERS:-$rp_srcdir/conf/sim-users.conf}" \
		--photos "$rp_srcdir/conf/sim-photos" "$@" \
		>"$RUN/sim-$name.log" 2>&1 &
	rp_pids+=($!)
	printf -v "SIM_PID_$name" %s $!
	rp_wait_for "[ -s '$pf' ]" "richprofile-sim ($RUN/sim-$name.log)"
	printf -v "SIM_PORT_$name" %s "$(cat "$pf")"
	printf -v "SIM_URL_$name" %s "http://127.0.0.1:$(cat "$pf")/PersonalRichProfile/V1"
}

# rp_write_conf FILE ENDPOINT [SECTION.KEY=VALUE...]: a configuration for
# the program; later assignments override the defaults written here.
rp_write_conf() {
	local file=$1 endpoint=$2 kv sec key val
	shift 2
	declare -A v=(
		[upstream.endpoint]=$endpoint
		[upstream.connect_timeout_ms]=500
		[upstream.timeout_ms]=1000
		[upstream.max_response_bytes]=262144
		[upstream.low_speed_limit]=100
		[upstream.low_speed_time_ms]=2000
		[session.cookie]=rp_token
		[session.max_token_bytes]=1024
		[site.url]=http://127.0.0.1:${NGINX_PORT:-8080}
		[site.privacy_hosts]=127.0.0.1
		[server.threads]=32
		[server.templates]=$rp_srcdir/conf/templates
		[server.log_level]=info
		[cache.ttl_s]=60
		[cache.max_entries]=10000
		[cache.stale_s]=300
		[breaker.failures]=5
		[breaker.open_ms]=10000
	)
	for kv in "$@"; do
		v[${kv%%=*}]=${kv#*=}
	done
	{
		for sec in upstream session site server cache breaker; do
			echo "[$sec]"
			for key in "${!v[@]}"; do
				[ "${key%%.*}" = "$sec" ] || continue
				val=${v[$key]}
				[ -n "$val" ] && echo "${key#*.} = $val"
			done
		done
		cat <<-EOF
		[view card]
		infos = Firstname,Lastname,Displayname,PictureTagSmallURL,PictureTagMediumURL,CentersOfInterests,PreferredLanguage
		template = card.html
		[view account]
		infos = *
		template = account.html
		EOF
	} >"$file"
}

# rp_start_fcgi NAME CONF [PREFIX-COMMAND...]: the program on a unix
# socket; sets FCGI_PID_<NAME> and FCGI_SOCK_<NAME>.  A prefix command
# (valgrind ...) runs the program under it.
rp_start_fcgi() {
	local name=$1 conf=$2 sock
	shift 2
	sock=$RUN/fcgi-$name.sock
	rm -f "$sock"
	"$@" "$RP_FCGI" -c "$conf" -s "unix:$sock" >"$RUN/fcgi-$name.out" 2>&1 &
	rp_pids+=($!)
	printf -v "FCGI_PID_$name" %s $!
	printf -v "FCGI_SOCK_$name" %s "$sock"
	rp_wait_for "[ -S '$sock' ]" "richprofile-fcgi $name ($RUN/fcgi-$name.out)"
}

# rp_start_nginx PORT [NAME:SOCKET...]: nginx on PORT with /static/ from
# the run directory, /richprofile/ to the first socket and
# /NAME/richprofile/ to each named one.  Sets NGINX_PID.
rp_start_nginx() {
	local port=$1 first=1 ns user=
	shift
	mkdir -p "$RUN/static"
	head -c 1024 /dev/zero | tr '\0' 'x' >"$RUN/static/1k.html"
	[ "$(id -u)" -eq 0 ] && user="user $(id -un);"
	{
		cat <<-EOF
		$user
		worker_processes 1;
		pid $RUN/nginx.pid;
		error_log $RUN/nginx-error.log warn;
		events { worker_connections 4096; }
		http {
			access_log off;
			default_type text/html;
			client_body_temp_path $RUN/nginx-tmp/body;
			proxy_temp_path $RUN/nginx-tmp/proxy;
			fastcgi_temp_path $RUN/nginx-tmp/fastcgi;
			uwsgi_temp_path $RUN/nginx-tmp/uwsgi;
			scgi_temp_path $RUN/nginx-tmp/scgi;
			# Hostile requests (a 64 KiB cookie) must reach the program.
			large_client_header_buffers 4 128k;
			keepalive_requests 1000000;
			server {
				listen 127.0.0.1:$port;
				location /static/ { root $RUN; }
		EOF
		for ns in "$@"; do
			if [ $first -eq 1 ]; then
				echo "		location /richprofile/ { fastcgi_pass unix:${ns#*:}; include /etc/nginx/fastcgi_params; fastcgi_read_timeout 30s; }"
				first=0
			fi
			# The program's own path is /richprofile/ROUTE ([server] prefix).
			echo "		location /${ns%%:*}/richprofile/ { rewrite ^/${ns%%:*}(/richprofile/.*)\$ \$1 break; fastcgi_pass unix:${ns#*:}; include /etc/nginx/fastcgi_params; fastcgi_read_timeout 30s; }"
		done
		echo "	}"
		echo "}"
	} >"$RUN/nginx.conf"
	"$RP_NGINX" -p "$RUN" -c "$RUN/nginx.conf" -g 'daemon off;' \
		>"$RUN/nginx.out" 2>&1 &
	rp_pids+=($!)
	NGINX_PID=$!
	NGINX_PORT=$port
	rp_wait_for "curl -fso /dev/null http://127.0.0.1:$port/static/1k.html" "nginx ($RUN/nginx-error.log)"
}

# Resident set and its peak, in KiB, of PID: "RSS HWM".
rp_rss() {
	awk '/^VmRSS/ { r = $2 } /^VmHWM/ { h = $2 } END { print r, h }' "/proc/$1/status"
}

# Stops every process started here, by PID, and waits for them.
rp_stack_stop() {
	local pid i
	for pid in "${rp_pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${rp_pids[@]}"; do
		for i in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	rp_pids=()
}

# ---- requests and TAP, for the suites ----

rp_tap_n=0
rp_tap_failed=0

# rp_check COND-STATUS DESCRIPTION [DIAGNOSTIC]: one TAP line.
rp_check() {
	rp_tap_n=$((rp_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $rp_tap_n - $2"
	else
		echo "not ok $rp_tap_n - $2"
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'
		rp_tap_failed=$((rp_tap_failed + 1))
	fi
}

rp_tap_done() {
	echo "1..$rp_tap_n"
	[ "$rp_tap_failed" -eq 0 ]
}

# rp_get PATH [COOKIE-VALUE [CURL-OPTION...]]: one request to nginx.  Sets
# R_HTTP, R_MS (whole milliseconds), R_STATUS (X-RichProfile-Status),
# R_STALE (1 or empty), R_BODY (file), R_HDR (file).
rp_get() {
	local path=$1 cookie=${2-} out t
	shift 2 2>/dev/null || shift $#
	R_BODY=$RUN/last.body
	R_HDR=$RUN/last.hdr
	if [ -n "$cookie" ]; then
		out=$(curl -s -o "$R_BODY" -D "$R_HDR" -w '%{http_code} %{time_total}' \
			--max-time 20 -H "Cookie: rp_token=$cookie" "$@" \
			"http://127.0.0.1:$NGINX_PORT$path")
	else
		out=$(curl -s -o "$R_BODY" -D "$R_HDR" -w '%{http_code} %{time_total}' \
			--max-time 20 "$@" "http://127.0.0.1:$NGINX_PORT$path")
	fi
	R_HTTP=${out%% *}
	t=${out#* }
	R_MS=$(awk -v t="$t" 'BEGIN { printf "%d", t * 1000 }')
	R_STATUS=$(tr -d '\r' <"$R_HDR" | awk -F': ' 'tolower($1) == "x-richprofile-status" { print $2 }')
	R_STALE=$(tr -d '\r' <"$R_HDR" | awk -F': ' 'tolower($1) == "x-richprofile-stale" { print $2 }')
}

# What the last answer was, for diagnostics.
rp_last() {
	echo "HTTP $R_HTTP in $R_MS ms, X-RichProfile-Status '$R_STATUS'"
	head -c 600 "$R_BODY"
}
