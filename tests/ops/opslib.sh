# opslib.sh: what the operations tests share (sourced by bash, not run):
# the stack harness (tests/lib/stack.sh: a private run directory, the
# simulator, the program, processes stopped by their pid), TAP output
# through it, a configuration for the simulator, FastCGI requests
# through cgi-fcgi.
. "$(dirname "${BASH_SOURCE[0]}")/../lib/stack.sh"
srcdir=$rp_srcdir
builddir=$rp_builddir
FCGI=$RP_FCGI
SIM=$RP_SIM

# The run directory, rp-NAME.XXXXXX for tests/ops/test_NAME.sh.
rp_stack_init "$(basename "$0" .sh | sed 's/^test_//')"
tmp=$RUN

ok() { rp_check 0 "$*"; }
nok() { rp_check 1 "$*"; }
skip() { rp_tap_n=$((rp_tap_n + 1)); echo "ok $rp_tap_n # SKIP $*"; }
check() { rp_check_cmd "$@"; }
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
wait_for() { rp_poll "test $(printf '%q ' "$@")"; }

# Waits up to 10 s for a line matching $1 in file $2 (log lines may come
# from another thread after the answer the test saw).
wait_grep() { rp_poll "grep -q $(printf '%q %q' "$1" "$2") 2>/dev/null"; }

# A demo user's token, from the simulator's users file.
token_of() {
	sed -n "/^\[user $1\]/,/^\[/s/^token = //p" "$srcdir/conf/sim-users.conf"
}

# Starts the simulator on a free loopback port: SIM_PORT, SIM_PID.
start_sim() {
	rp_start_sim main "$@"
	SIM_PORT=$SIM_PORT_main
	SIM_PID=$SIM_PID_main
}

# Writes a configuration for the simulator to $1, with the templates
# directory $2 (default: the shipped ones, RP_TEMPLATES); more lines
# from stdin are appended when $3 is "-".
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
templates = ${2:-$RP_TEMPLATES}
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
