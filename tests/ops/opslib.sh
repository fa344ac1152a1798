# opslib.sh: what the operations tests share (sourced, not run): TAP
# output, a temporary directory, processes stopped by their pid, the
# simulator on a free port, a configuration for it, FastCGI requests
# through cgi-fcgi.
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
FCGI=$builddir/cgi/richprofile-fcgi
SIM=$builddir/sim/richprofile-sim

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rp-ops.XXXXXX") || exit 1
ops_pids=

# Stops every process the test started, by pid: SIGTERM, then SIGKILL.
ops_cleanup() {
	for p in $ops_pids; do kill "$p" 2>/dev/null; done
	for p in $ops_pids; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap ops_cleanup EXIT
trap 'exit 1' INT TERM

# Remembers a pid for ops_cleanup.
ops_track() { ops_pids="$ops_pids $1"; }

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
# check DESCRIPTION COMMAND...: one test case from a command's status.
check() {
	d=$1; shift
	if "$@"; then ok "$d"; else nok "$d"; fi
}
# Shows a file as TAP comments (after a failure).
show() { [ -f "$1" ] && sed 's/^/# /' "$1"; }
# The whole plan is skipped when a tool is missing.
need() {
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || {
			echo "1..0 # SKIP $c is not installed (tests/lib/deps.sh installs it)"
			exit 0
		}
	done
}
need_built() {
	for f in "$@"; do
		[ -x "$f" ] || { echo "1..0 # SKIP $f is not built"; exit 0; }
	done
}

# Waits up to 10 s for a test (e.g. -S FILE) to hold.
wait_for() {
	i=0
	while ! test "$@"; do
		i=$((i + 1))
		[ $i -gt 100 ] && return 1
		sleep 0.1
	done
}

# Waits up to 5 s for a line matching $1 in file $2 (log lines may come
# from another thread after the answer the test saw).
wait_grep() {
	i=0
	while ! grep -q "$1" "$2" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# A demo user's token, from the simulator's users file.
token_of() {
	sed -n "/^\[user $1\]/,/^\[/s/^token = //p" "$srcdir/conf/sim-users.conf"
}

# Starts the simulator on a free loopback port: SIM_PORT, SIM_PID.
start_sim() {
	rm -f "$tmp/sim.port"
	"$SIM" --listen 127.0.0.1:0 --port-file "$tmp/sim.port" \
		--users "$srcdir/conf/sim-users.conf" \
		--photos "$srcdir/conf/sim-photos" "$@" >"$tmp/sim.log" 2>&1 &
	SIM_PID=$!
	ops_track $SIM_PID
	wait_for -s "$tmp/sim.port" || { show "$tmp/sim.log"; return 1; }
	SIM_PORT=$(cat "$tmp/sim.port")
}

# Writes a configuration for the simulator to $1, with the templates
# directory $2 (default: the sources'); more lines from stdin are
# appended when $3 is "-".
write_conf() {
	{
		cat <<EOF
[upstream]
endpoint = http://127.0.0.1:$SIM_PORT/PersonalRichProfile/V1
connect_timeout_ms = 1000
timeout_ms = 2000
[session]
cookie = rp_token
[site]
url = http://127.0.0.1:8080
privacy_hosts = 127.0.0.1:$SIM_PORT
[server]
threads = 4
templates = ${2:-$srcdir/conf/templates}
log_level = info
[cache]
ttl_s = 60
[breaker]
failures = 3
open_ms = 60000
[view card]
infos = Firstname,Lastname,Displayname,PictureTagSmallURL,CentersOfInterests
template = card.html
EOF
		[ "${3:-}" = - ] && cat
	} >"$1"
}

# One FastCGI GET through cgi-fcgi to ADDR (a socket path or HOST:PORT):
#   fcgi_get ADDR ROUTE [QUERY] [COOKIE]
# prints the answer (CGI headers, blank line, body); bounded to 10 s.
fcgi_get() {
	env -i PATH="$PATH" REQUEST_METHOD=GET REMOTE_ADDR=127.0.0.1 \
		SCRIPT_NAME="/richprofile/$2" REQUEST_URI="/richprofile/$2${3:+?$3}" \
		QUERY_STRING="${3:-}" HTTP_COOKIE="${4:-}" SERVER_PROTOCOL=HTTP/1.1 \
		timeout 10 cgi-fcgi -bind -connect "$1" </dev/null
}

# The value of header $1 in the answer on stdin.
header() {
	tr -d '\r' | sed -n "/^\$/q; s/^$1: //Ip"
}
