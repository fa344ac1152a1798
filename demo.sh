#!/usr/bin/env bash
# demo.sh: builds richprofile and starts its demo in one command: nginx
# serving a small sample site on http://127.0.0.1:8080/ whose "my account"
# page includes the profile fragments by SSI, richprofile-fcgi behind it on
# a unix socket, and richprofile-sim standing in for Orange's API on
# 127.0.0.1:8081.  Ctrl-C (or SIGTERM) stops everything it started, by PID.
# What it writes at run time stays in the build tree (the run directory;
# only a socket path too long for the kernel goes to a private directory
# under /tmp, removed at exit).  From a git checkout, autoreconf first
# generates configure and friends in the source tree, as check.sh does.
#
# Usage: ./demo.sh [--no-build] [-h]
#   --no-build  use an existing build tree (RP_DEMO_BUILDDIR) as it is;
#               the browser tests start the demo stack this way.
# Environment:
#   RP_DEMO_PORT      port of the site (8080)
#   RP_SIM_PORT       port of the simulator (8081)
#   RP_DEMO_BUILDDIR  build tree (default: _build/demo, or the source tree
#                     when it was configured in place)
#   RP_DEMO_RUNDIR    run directory: configuration, logs, socket, pid files
#                     (default: BUILDDIR/demo-run; emptied at each start)
set -uo pipefail

top=$(cd "$(dirname "$0")" && pwd)
site_port=${RP_DEMO_PORT:-8080}
sim_port=${RP_SIM_PORT:-8081}
build=yes

die() { echo "demo.sh: $*" >&2; exit 1; }

usage() { sed -n '2,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "$0"; }

for arg in "$@"; do
	case $arg in
	--no-build) build=no ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$arg' (see ./demo.sh --help)" ;;
	esac
done

check_port() {
	case $2 in
	''|*[!0-9]*) die "$1='$2' is not a port number: give a number from 1 to 65535" ;;
	esac
	[ "$2" -ge 1 ] && [ "$2" -le 65535 ] ||
		die "$1=$2 is out of range: give a number from 1 to 65535"
	# A connection that succeeds means someone already listens there.
	if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then
		die "port $2 ($1) is already in use on 127.0.0.1: stop what listens there, or choose another port with $1=PORT"
	fi
}
check_port RP_DEMO_PORT "$site_port"
check_port RP_SIM_PORT "$sim_port"
[ "$site_port" != "$sim_port" ] ||
	die "RP_DEMO_PORT and RP_SIM_PORT are both $site_port: give them different values"

# --- build -------------------------------------------------------------
if [ $build = yes ]; then
	cd "$top" || exit 1
	. tests/lib/deps.sh
	rp_install_deps || exit 1
	if [ -f "$top/config.status" ]; then
		# Configured in place: an out-of-tree build would be refused.
		builddir=${RP_DEMO_BUILDDIR:-$top}
	else
		builddir=${RP_DEMO_BUILDDIR:-$top/_build/demo}
	fi
	if [ ! -f "$builddir/config.status" ]; then
		if [ ! -x "$top/configure" ]; then
			echo "demo.sh: autoreconf -fi" >&2
			autoreconf -fi >/dev/null 2>&1 || autoreconf -fi || die "autoreconf failed (see above)"
		fi
		echo "demo.sh: configuring in $builddir" >&2
		mkdir -p "$builddir" && (cd "$builddir" && "$top/configure" -q) ||
			die "configure failed (see above and $builddir/config.log)"
	fi
	echo "demo.sh: building in $builddir (log: $builddir/demo-build.log)" >&2
	if ! make -C "$builddir" -j"$(nproc 2>/dev/null || echo 2)" >"$builddir/demo-build.log" 2>&1; then
		tail -n 30 "$builddir/demo-build.log" >&2
		die "the build failed (above; whole log in $builddir/demo-build.log)"
	fi
else
	builddir=${RP_DEMO_BUILDDIR:-}
	[ -n "$builddir" ] || die "--no-build needs RP_DEMO_BUILDDIR=DIR, an existing build tree"
fi
builddir=$(cd "$builddir" && pwd) || die "build tree $builddir does not exist"

find_prog() {
	local d
	for d in cgi sim .; do
		[ -x "$builddir/$d/$1" ] && { echo "$builddir/$d/$1"; return 0; }
	done
	die "$1 was not found in $builddir: build the project first (make -C $builddir)"
}
fcgi=$(find_prog richprofile-fcgi) || exit 1
sim=$(find_prog richprofile-sim) || exit 1
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || die "nginx not found: apt-get install nginx-light"
command -v curl >/dev/null || die "curl not found: apt-get install curl"

# --- run directory -------------------------------------------------------
rundir=${RP_DEMO_RUNDIR:-$builddir/demo-run}
marker=.richprofile-demo-run
if [ -e "$rundir" ]; then
	[ -f "$rundir/$marker" ] ||
		die "$rundir exists and is not a demo run directory: choose another RP_DEMO_RUNDIR"
	rm -rf "$rundir"
fi
mkdir -p "$rundir/nginx-tmp" || die "cannot create the run directory $rundir"
rundir=$(cd "$rundir" && pwd)
touch "$rundir/$marker"

# A unix socket path must fit in sun_path (108 bytes); a deep build tree
# gets its socket in a private directory under /tmp, removed at exit.
sockdir=$rundir
if [ ${#rundir} -gt 90 ]; then
	sockdir=$(mktemp -d "${TMPDIR:-/tmp}/rp-demo.XXXXXX") || die "mktemp failed"
fi
socket=$sockdir/fcgi.sock

site_url=http://127.0.0.1:$site_port
sim_url=http://127.0.0.1:$sim_port
user_line='# (not root: the workers run as the invoking user)'
[ "$(id -u)" -eq 0 ] && user_line="user $(id -un) $(id -gn);  # as root: workers need the socket and the site files"

# Replaces @NAME@ in file $1, writing $2.  Values are escaped for sed.
fill() {
	local in=$1 out=$2 args=() kv k v
	shift 2
	for kv in "$@"; do
		k=${kv%%=*}; v=${kv#*=}
		v=$(printf '%s' "$v" | sed -e 's/[\\|&]/\\&/g')
		args+=(-e "s|@$k@|$v|g")
	done
	sed "${args[@]}" "$in" >"$out" || die "cannot write $out"
	! grep -n '@[A-Z_]*@' "$out" >&2 || die "$out: placeholders left unfilled (above)"
}
subst=(PORT="$site_port" SIM_PORT="$sim_port" SITE_URL="$site_url" SIM_URL="$sim_url"
	RUNDIR="$rundir" SOCKET="$socket" SITE="$top/conf/demo/site"
	CSS="$top/conf/richprofile.css" TEMPLATES="$top/conf/templates"
	USER_LINE="$user_line")
fill "$top/conf/demo/richprofile.conf.in" "$rundir/richprofile.conf" "${subst[@]}"
fill "$top/conf/demo/nginx.conf.in" "$rundir/nginx.conf" "${subst[@]}"
# The shipped snippet, as an operator installs it, with this socket.
sed "s|/run/richprofile/richprofile.sock|$socket|g" \
	"$top/conf/nginx/richprofile.conf" >"$rundir/richprofile-nginx.conf" &&
	cp /etc/nginx/fastcgi_params "$rundir/fastcgi_params" ||
	die "cannot write the nginx snippet into $rundir"

# --- processes -----------------------------------------------------------
pids=()         # everything started, in start order
names=()
stopping=no

stop_all() {
	local i pid n
	stopping=yes
	trap - INT TERM HUP EXIT
	# Stop in reverse order: the site first, the upstream last.
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		kill -TERM "${pids[i]}" 2>/dev/null
	done
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		pid=${pids[i]}
		for ((n = 0; n < 50; n++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "demo.sh: ${names[i]} (pid $pid) did not stop within 5 s; killing it" >&2
			kill -KILL "$pid" 2>/dev/null
		fi
		wait "$pid" 2>/dev/null
	done
	rm -f "$socket" "$rundir"/*.pid
	[ "$sockdir" = "$rundir" ] || rmdir "$sockdir" 2>/dev/null
}

on_signal() {
	echo >&2
	echo "demo.sh: stopping" >&2
	stop_all
	echo "demo.sh: stopped; logs are in $rundir" >&2
	exit 0
}
trap on_signal INT TERM HUP
trap 'stop_all' EXIT

# start NAME LOG CMD...: starts a process, records its PID.
start() {
	local name=$1 log=$2
	shift 2
	"$@" >"$log" 2>&1 </dev/null &
	pids+=($!)
	names+=("$name")
	echo $! >"$rundir/$name.pid"
}

# fail NAME LOG WHAT: the start-up of NAME failed; shows its log and stops.
fail() {
	echo "demo.sh: $1 $3; its log ($2) ends with:" >&2
	tail -n 15 "$2" | sed 's/^/    /' >&2
	exit 1
}

# wait_for NAME LOG TEST...: waits up to 10 s for TEST to succeed while the
# process NAME (the last started) is alive.
wait_for() {
	local name=$1 log=$2 pid=${pids[-1]} n
	shift 2
	for ((n = 0; n < 100; n++)); do
		"$@" && return 0
		kill -0 "$pid" 2>/dev/null || fail "$name" "$log" "exited during start-up"
		sleep 0.1
	done
	fail "$name" "$log" "did not become ready within 10 s"
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
ping_ok() { [ "$(curl -s --max-time 2 "$site_url/richprofile/ping" 2>/dev/null)" = ok ]; }

start richprofile-sim "$rundir/sim.log" "$sim" -c "$rundir/richprofile.conf" \
	--listen "127.0.0.1:$sim_port" --public-url "$sim_url" \
	--users "$top/conf/sim-users.conf" --photos "$top/conf/sim-photos"
wait_for richprofile-sim "$rundir/sim.log" port_open "$sim_port"

start richprofile-fcgi "$rundir/richprofile-fcgi.log" "$fcgi" \
	-c "$rundir/richprofile.conf" -s "unix:$socket"
wait_for richprofile-fcgi "$rundir/richprofile-fcgi.log" test -S "$socket"

start nginx "$rundir/nginx-error.log" "$nginx" -p "$rundir/" -c "$rundir/nginx.conf" \
	-e "$rundir/nginx-error.log" -g 'daemon off;'
wait_for nginx "$rundir/nginx-error.log" ping_ok

# --- what to try -----------------------------------------------------------
# The demo users, described from the simulator's users file.
users_help() {
	awk '
	function val() { v = $0; sub(/^[^=]*=[ \t]*/, "", v); return v }
	function show() {
		n = (dn != "") ? dn : fn " " ln
		printf "    %-14s %s\n", id, n
		if (about != "") printf "    %-14s   %s\n", "", about
	}
	/^[ \t]*\[/ {
		if (id != "") show()
		id = ""
		if ($0 ~ /^[ \t]*\[user /) {
			id = $0; sub(/^[ \t]*\[user[ \t]*/, "", id); sub(/\].*/, "", id)
			dn = fn = ln = about = ""
		}
		next
	}
	id == "" { next }
	tolower($0) ~ /^[ \t]*(displayname|displaynme)[ \t]*=/ { dn = val() }
	tolower($0) ~ /^[ \t]*firstname[ \t]*=/ { fn = val() }
	tolower($0) ~ /^[ \t]*lastname[ \t]*=/ { ln = val() }
	/^[ \t]*about[ \t]*=/ { about = val() }
	END { if (id != "") show() }
	' "$top/conf/sim-users.conf"
}

cat <<EOF

  richprofile demo — open $site_url/ in a browser

  1. "Se connecter avec Orange" opens the demo sign-in page: pick a user.
     The account page $site_url/account.shtml then shows the user's card
     and full profile (two SSI includes of /richprofile/fragment) and, below,
     the same profile read by /static/app.js from /richprofile/profile.json.
  2. Pick a user who withheld attributes: the page offers Orange's consent
     link.  Follow it, choose "grant once" or "grant permanently", and you
     come back to the account page with the data.  "Once" lasts one call.
  3. Stop the simulator (kill \$(cat $rundir/richprofile-sim.pid)): the
     page still renders, with the "unavailable" message.
  4. "Se déconnecter" clears the session cookie.

  Demo users:
$(users_help)

  Logs: $rundir/{richprofile-fcgi,sim,nginx-error,nginx-access}.log
  Press Ctrl-C to stop everything.

Demo ready: $site_url/
EOF

# --- supervise -----------------------------------------------------------
# The site and the FastCGI program are the demo: if one dies, stop.  The
# simulator may be stopped on purpose (step 3 above): say so and go on.
live=("${pids[@]}")
while [ ${#live[@]} -gt 0 ]; do
	done_pid=
	wait -n -p done_pid "${live[@]}"
	rc=$?
	[ -n "$done_pid" ] || continue
	for i in "${!pids[@]}"; do
		[ "${pids[i]}" = "$done_pid" ] && name=${names[i]}
	done
	rest=()
	for pid in "${live[@]}"; do [ "$pid" = "$done_pid" ] || rest+=("$pid"); done
	live=("${rest[@]}")
	rm -f "$rundir/$name.pid"
	if [ "$name" = richprofile-sim ]; then
		echo "demo.sh: richprofile-sim stopped (exit status $rc); the site goes on and shows the 'unavailable' message. Restart ./demo.sh to bring the simulator back." >&2
		continue
	fi
	echo "demo.sh: $name stopped unexpectedly (exit status $rc; see its log in $rundir); stopping the demo" >&2
	exit 1
done
