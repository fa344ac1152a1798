# stack.sh: starts richprofile-sim, richprofile-fcgi, nginx and Apache on
# loopback for the shell suites (fault, protection, soak, hostile, bench,
# ops, the command-line tool); sourced by bash scripts.
#
# Everything lives in one short private directory (rp_stack_init, under
# /tmp: a Unix socket path has at most 108 bytes, and a build tree can be
# deeper than that); every process is started here, remembered by PID,
# and stopped by PID (rp_stack_stop, also on exit).  Ports are free ones
# picked at run time.  The web servers' configuration includes the
# shipped snippets (conf/nginx/richprofile.conf, ...) with this run's
# socket put in, as tests/lib/stack.js does: the suites test what
# operators deploy.  Nothing under /etc or /var is touched.

rp_srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
rp_builddir=${top_builddir:-$rp_srcdir}
RP_FCGI=${RP_FCGI:-$rp_builddir/cgi/richprofile-fcgi}
RP_SIM=${RP_SIM:-$rp_builddir/sim/richprofile-sim}
RP_NGINX=${RP_NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
RP_APACHE=${RP_APACHE:-$(command -v apache2 || echo /usr/sbin/apache2)}
RP_APACHE_MODULES=/usr/lib/apache2/modules
# The socket path the shipped snippets name; the suites put their own in.
RP_SNIPPET_SOCKET=/run/richprofile/richprofile.sock
# More nginx directives for the http { } block around the snippet (a
# suite's own needs: header buffers, keep-alive).
RP_NGINX_HTTP=${RP_NGINX_HTTP:-}
rp_pids=()
RUN=

# The demo users' tokens (conf/sim-users.conf).
RP_TOK_AMELIE=tok-amelie-2f9c61d04b

rp_die() {
	echo "$*" >&2
	exit 1
}

# rp_stack_init NAME: a fresh private run directory, /tmp/rp-NAME.XXXXXX
# (TMPDIR when it is short enough for the sockets), removed on exit
# unless the suite failed or RP_TEST_KEEP=1; its path is printed then.
# RP_TEMPLATES names conf/templates from there: the program refuses a
# configuration line longer than 197 bytes, which a path into a deep
# source tree can be.
rp_stack_init() {
	local tmp=${TMPDIR:-/tmp}
	[ "${#tmp}" -le 40 ] || tmp=/tmp
	RUN=$(mktemp -d "$tmp/rp-$1.XXXXXX") || rp_die "cannot create a run directory in $tmp"
	RP_TEMPLATES=$RUN/conf-templates
	ln -s "$rp_srcdir/conf/templates" "$RP_TEMPLATES" || rp_die "cannot link $RP_TEMPLATES"
	trap rp_stack_exit EXIT
	trap 'exit 1' INT TERM
}

rp_stack_exit() {
	local rc=$?
	rp_stack_stop
	[ -n "$RUN" ] || return
	if [ "$rc" -ne 0 ] || [ "$rp_tap_failed" -gt 0 ]; then
		echo "# run files and logs kept in $RUN"
	elif [ "${RP_TEST_KEEP:-}" = 1 ]; then
		echo "# run files and logs kept in $RUN (RP_TEST_KEEP=1)"
	else
		rm -rf "$RUN"
	fi
}

# rp_free_port [N]: N (default 1) distinct TCP ports free on 127.0.0.1,
# one a line (the kernel's pick; a race with another program is possible
# and shows as a failed start).
rp_free_port() {
	python3 -c 'import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print("\n".join(str(s.getsockname()[1]) for s in socks))' "${1:-1}"
}

# rp_poll TEST-COMMAND: evaluates it until it holds, up to 10 s.
rp_poll() {
	local i
	for i in $(seq 1 200); do
		eval "$1" && return 0
		sleep 0.05
	done
	return 1
}

# rp_wait_for TEST-COMMAND WHAT [PID LOG]: rp_poll, or the suite stops,
# at once if PID exits, showing the end of LOG.
rp_wait_for() {
	rp_poll "$1${3:+ || ! kill -0 $3 2>/dev/null}" && eval "$1" && return 0
	[ -n "${4:-}" ] && tail -n 5 "$4" | sed 's/^/# /' >&2
	rp_die "waiting for $2: it exited or took more than 10 s"
}

# rp_track PID: a process the suite started itself, stopped on exit.
rp_track() {
	rp_pids+=("$1")
}

# rp_start_sim NAME [OPTION...]: a simulator; sets SIM_PID_<NAME>,
# SIM_PORT_<NAME> and SIM_URL_<NAME> (its API base).  Its users are
# RP_SIM_USERS (default: the demo users).
rp_start_sim() {
	local name=$1 pf
	shift
	pf=$RUN/sim-$name.port
	"$RP_SIM" --listen 127.0.0.1:0 --port-file "$pf" \
		--users "${RP_SIM_USERS:-$rp_srcdir/conf/sim-users.conf}" \
		--photos "$rp_srcdir/conf/sim-photos" "$@" \
		>"$RUN/sim-$name.log" 2>&1 &
	rp_track $!
	printf -v "SIM_PID_$name" %s $!
	rp_wait_for "[ -s '$pf' ]" "richprofile-sim ($RUN/sim-$name.log)" \
		$! "$RUN/sim-$name.log"
	printf -v "SIM_PORT_$name" %s "$(cat "$pf")"
	printf -v "SIM_URL_$name" %s "http://127.0.0.1:$(cat "$pf")/PersonalRichProfile/V1"
}

# rp_write_conf FILE ENDPOINT [SECTION.KEY=VALUE...]: a configuration for
# the program; later assignments override the defaults written here, and
# an empty value leaves the key out ([shared] has none: no shared tier
# unless shared.redis is given; tests/lib/redis.sh starts a Redis).
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
		[server.templates]=$RP_TEMPLATES
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
		for sec in upstream session site server cache breaker shared; do
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
# socket; sets FCGI_PID_<NAME> and FCGI_SOCK_<NAME>; what it prints goes
# to $RUN/fcgi-NAME.out.  A prefix command (valgrind ...) runs the
# program under it.
rp_start_fcgi() {
	local name=$1 conf=$2 sock
	shift 2
	sock=$RUN/fcgi-$name.sock
	rm -f "$sock"
	"$@" "$RP_FCGI" -c "$conf" -s "unix:$sock" >"$RUN/fcgi-$name.out" 2>&1 &
	rp_track $!
	printf -v "FCGI_PID_$name" %s $!
	printf -v "FCGI_SOCK_$name" %s "$sock"
	rp_wait_for "[ -S '$sock' ]" "richprofile-fcgi $name ($RUN/fcgi-$name.out)" \
		$! "$RUN/fcgi-$name.out"
}

# rp_snippet FILE [FROM TO...]: FILE (a shipped snippet) with each FROM
# replaced by its TO, literally.
rp_snippet() {
	local text
	text=$(<"$1") || rp_die "cannot read $1"
	shift
	while [ $# -ge 2 ]; do
		text=${text//"$1"/"$2"}
		shift 2
	done
	printf '%s\n' "$text"
}

# rp_start_nginx NAME...: one nginx with a server { } per program NAME
# (started by rp_start_fcgi), each on its own free port and including the
# shipped conf/nginx/richprofile.conf with that program's socket; also
# /static/1k.html from the run directory.  Sets NGINX_PORT_<NAME> and
# NGINX_URL_<NAME> (http://127.0.0.1:PORT), NGINX_PORT to the first
# NAME's port, and NGINX_PID.
rp_start_nginx() {
	local name sock i=0 user= ports
	mkdir -p "$RUN/static" "$RUN/nginx-tmp"
	head -c 1024 /dev/zero | tr '\0' 'x' >"$RUN/static/1k.html"
	# The snippet includes "fastcgi_params" relative to nginx.conf.
	cp /etc/nginx/fastcgi_params "$RUN/fastcgi_params" || rp_die "nginx's fastcgi_params is missing"
	mapfile -t ports < <(rp_free_port $#)
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
		  $RP_NGINX_HTTP
		EOF
		for name; do
			sock=FCGI_SOCK_$name
			[ -n "${!sock:-}" ] || rp_die "rp_start_nginx: no program $name (rp_start_fcgi first)"
			rp_snippet "$rp_srcdir/conf/nginx/richprofile.conf" \
				"$RP_SNIPPET_SOCKET" "${!sock}" >"$RUN/richprofile-$name.conf"
			printf -v "NGINX_PORT_$name" %s "${ports[i]}"
			printf -v "NGINX_URL_$name" %s "http://127.0.0.1:${ports[i]}"
			cat <<-EOF
			  server {
			    listen 127.0.0.1:${ports[i]};
			    location /static/ { root $RUN; }
			    include $RUN/richprofile-$name.conf;
			  }
			EOF
			i=$((i + 1))
		done
		echo "}"
	} >"$RUN/nginx.conf"
	"$RP_NGINX" -p "$RUN" -c "$RUN/nginx.conf" -g 'daemon off;' \
		>"$RUN/nginx.out" 2>&1 &
	rp_track $!
	NGINX_PID=$!
	NGINX_PORT=${ports[0]}
	for i in "${ports[@]}"; do
		rp_wait_for "curl -fso /dev/null http://127.0.0.1:$i/static/1k.html" \
			"nginx ($RUN/nginx-error.log)" "$NGINX_PID" "$RUN/nginx-error.log"
	done
}

# rp_nginx_pool NAME PORT PROGRAM...: nginx directives (for
# RP_NGINX_HTTP) of an upstream rp_NAME in round robin over the programs'
# sockets, and a server on PORT passing to it through the shipped snippet,
# as a site with several servers would.
rp_nginx_pool() {
	local name=$1 port=$2 p sock
	shift 2
	rp_snippet "$rp_srcdir/conf/nginx/richprofile.conf" \
		"unix:$RP_SNIPPET_SOCKET" "rp_$name" >"$RUN/pool-$name.conf"
	printf 'upstream rp_%s {' "$name"
	for p; do
		sock=FCGI_SOCK_$p
		printf ' server unix:%s;' "${!sock}"
	done
	printf ' }\nserver { listen 127.0.0.1:%s; include %s; }\n' "$port" "$RUN/pool-$name.conf"
}

# rp_start_apache SNIPPET DIRECTIVES [MODULE...]: Apache (event MPM, as
# www-data when run as root) on a free port, including SNIPPET (a shipped
# snippet made by rp_snippet) after DIRECTIVES (lines of the suite's
# own), with the access-control modules and each MODULE (e.g. fcgid)
# loaded.  The document root is $RUN/www.  Sets APACHE_PORT, APACHE_URL
# and APACHE_PID.
rp_start_apache() {
	local snippet=$1 directives=$2 m=$RP_APACHE_MODULES mod
	shift 2
	mkdir -p "$RUN/www"
	APACHE_PORT=$(rp_free_port)
	APACHE_URL=http://127.0.0.1:$APACHE_PORT
	{
		cat <<-EOF
		ServerRoot $RUN
		ServerName 127.0.0.1
		Listen 127.0.0.1:$APACHE_PORT
		PidFile $RUN/apache.pid
		ErrorLog $RUN/apache-error.log
		LogLevel warn
		DefaultRuntimeDir $RUN
		Mutex file:$RUN default
		LoadModule mpm_event_module $m/mod_mpm_event.so
		LoadModule authz_core_module $m/mod_authz_core.so
		LoadModule authz_host_module $m/mod_authz_host.so
		EOF
		for mod; do
			echo "LoadModule ${mod}_module $m/mod_$mod.so"
		done
		[ "$(id -u)" -eq 0 ] && printf 'User www-data\nGroup www-data\n'
		echo "DocumentRoot $RUN/www"
		printf '%s\n' "$directives"
		echo "Include $snippet"
	} >"$RUN/httpd.conf"
	"$RP_APACHE" -d "$RUN" -f "$RUN/httpd.conf" -DFOREGROUND >"$RUN/apache.out" 2>&1 &
	rp_track $!
	APACHE_PID=$!
	rp_wait_for "curl -so /dev/null $APACHE_URL/" "apache2 ($RUN/apache-error.log)" \
		"$APACHE_PID" "$RUN/apache-error.log"
}

# Resident set and its peak, in KiB, of PID: "RSS HWM".
rp_rss() {
	awk '/^VmRSS/ { r = $2 } /^VmHWM/ { h = $2 } END { print r, h }' "/proc/$1/status"
}

# rp_stop PID: SIGTERM, then as rp_reap.
rp_stop() {
	kill -TERM "$1" 2>/dev/null
	rp_reap "$1"
}

# rp_reap PID: waits up to 5 s for PID to exit, then SIGKILL.
rp_reap() {
	local i
	for i in $(seq 1 100); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# Stops every process started here, by PID, all at once, and waits for
# them.
rp_stack_stop() {
	local pid
	for pid in "${rp_pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${rp_pids[@]}"; do
		rp_reap "$pid"
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

# rp_check_cmd DESCRIPTION COMMAND...: one TAP line from the command's
# exit status.
rp_check_cmd() {
	local what=$1
	shift
	"$@"
	rp_check $? "$what"
}

rp_tap_done() {
	echo "1..$rp_tap_n"
	[ "$rp_tap_failed" -eq 0 ]
}

# rp_get PATH-OR-URL [COOKIE-VALUE [CURL-OPTION...]]: one request; a path
# goes to the first nginx server (NGINX_PORT).  Sets R_HTTP, R_MS (whole
# milliseconds), R_STATUS (X-RichProfile-Status), R_STALE (1 or empty),
# R_BODY (file), R_HDR (file).
rp_get() {
	local url=$1 cookie=${2-} out t
	shift 2 2>/dev/null || shift $#
	case $url in
	http://*) ;;
	*) url=http://127.0.0.1:$NGINX_PORT$url ;;
	esac
	R_BODY=$RUN/last.body
	R_HDR=$RUN/last.hdr
	if [ -n "$cookie" ]; then
		out=$(curl -s -o "$R_BODY" -D "$R_HDR" -w '%{http_code} %{time_total}' \
			--max-time 20 -H "Cookie: rp_token=$cookie" "$@" "$url")
	else
		out=$(curl -s -o "$R_BODY" -D "$R_HDR" -w '%{http_code} %{time_total}' \
			--max-time 20 "$@" "$url")
	fi
	R_HTTP=${out%% *}
	t=${out#* }
	R_MS=$(awk -v t="$t" 'BEGIN { printf "%d", t * 1000 }')
	R_STATUS=$(tr -d '\r' <"$R_HDR" | awk -F': ' 'tolower($1) == "x-richprofile-status" { print $2 }')
	R_STALE=$(tr -d '\r' <"$R_HDR" | awk -F': ' 'tolower($1) == "x-richprofile-stale" { print $2 }')
}

# rp_consent CHOICE SIM-BASE RETURN-URL: posts CHOICE (once, always,
# refuse) on the simulator's privacy page as a browser would, for the
# consent link of the last answer (a consent fragment, in R_BODY).
# Succeeds when the page sends the user back (303).
rp_consent() {
	local href ctx attrs
	href=$(grep -o 'href="[^"]*interaction.do[^"]*"' "$R_BODY" | head -n 1 |
		sed 's/^href="//; s/"$//; s/&amp;/\&/g')
	ctx=$(printf '%s' "$href" | grep -o '[?&]ctx=[^&]*' | cut -d= -f2-)
	attrs=$(printf '%s' "$href" | grep -o '[?&]attributes=[^&]*' | cut -d= -f2-)
	[ -n "$ctx" ] && [ -n "$attrs" ] || return 1
	RP_CONSENT_CTX=$(printf '%b' "${ctx//%/\\x}")
	RP_CONSENT_ATTRS=$(printf '%b' "${attrs//%/\\x}")
	rp_consent_again "$1" "$2" "$3"
}

# rp_consent_again CHOICE SIM-BASE RETURN-URL: the same, with the link
# rp_consent used last (a user who already granted has no link to follow).
rp_consent_again() {
	curl -s -o /dev/null -w '%{http_code}' -X POST \
		--data-urlencode "ctx=$RP_CONSENT_CTX" \
		--data-urlencode "attributes=$RP_CONSENT_ATTRS" \
		--data-urlencode "urlRetour=$3" \
		--data-urlencode "choice=$1" "$2/urm-gui/interaction.do" | grep -q 303
}

# What the last answer was, for diagnostics.
rp_last() {
	echo "HTTP $R_HTTP in $R_MS ms, X-RichProfile-Status '$R_STATUS'"
	head -c 600 "$R_BODY"
}
