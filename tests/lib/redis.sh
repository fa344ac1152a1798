# redis.sh: a private redis-server for the shell suites that test the
# shared tier; sourced after tests/lib/stack.sh (it uses $RUN, rp_track,
# rp_wait_for).  Never the system's instance: each is started here on a
# free loopback port (or a Unix socket in $RUN), keeps nothing on disk
# (--save '' --appendonly no), and is stopped by PID.

RP_REDIS_SERVER=${RP_REDIS_SERVER:-$(command -v redis-server || echo /usr/bin/redis-server)}
RP_REDIS_CLI=${RP_REDIS_CLI:-$(command -v redis-cli || echo /usr/bin/redis-cli)}

# rp_have_redis: whether redis-server and redis-cli are installed.
rp_have_redis() {
	[ -x "$RP_REDIS_SERVER" ] && [ -x "$RP_REDIS_CLI" ]
}

# rp_need_redis: a suite without redis-server is skipped (TAP's 1..0),
# saying why; deps.sh installs it.
rp_need_redis() {
	rp_have_redis && return 0
	echo "1..0 # SKIP redis-server is not installed (tests/lib/deps.sh installs it)"
	exit 0
}

# rp_start_redis NAME [PORT|unix] [OPTION...]: a redis-server; sets
# REDIS_PID_<NAME>, REDIS_PORT_<NAME> (empty on a socket),
# REDIS_SOCK_<NAME> (empty on TCP) and REDIS_ADDR_<NAME>, the [shared]
# redis value.  PORT reuses a port (a restart); "unix" listens on
# $RUN/redis-NAME.sock only; empty: a free port.
rp_start_redis() {
	local name=$1 where=${2:-} dir pid
	dir=$RUN/redis-$name
	shift 2 2>/dev/null || shift $#
	mkdir -p "$dir"
	if [ "$where" = unix ]; then
		set -- --port 0 --unixsocket "$dir.sock" --unixsocketperm 700 "$@"
		printf -v "REDIS_PORT_$name" %s ""
		printf -v "REDIS_SOCK_$name" %s "$dir.sock"
		printf -v "REDIS_ADDR_$name" %s "unix:$dir.sock"
	else
		[ -n "$where" ] || where=$(rp_free_port)
		set -- --port "$where" "$@"
		printf -v "REDIS_PORT_$name" %s "$where"
		printf -v "REDIS_SOCK_$name" %s ""
		printf -v "REDIS_ADDR_$name" %s "tcp:127.0.0.1:$where"
	fi
	"$RP_REDIS_SERVER" --bind 127.0.0.1 --save '' --appendonly no \
		--dir "$dir" --daemonize no --protected-mode yes \
		--logfile "$dir/redis.log" "$@" >/dev/null 2>&1 &
	pid=$!
	rp_track "$pid"
	printf -v "REDIS_PID_$name" %s "$pid"
	rp_wait_for "rp_redis_cli $name PING 2>/dev/null | grep -q PONG" \
		"redis-server $name ($dir/redis.log)" "$pid" "$dir/redis.log"
}

# rp_redis_cli NAME ARG...: redis-cli against instance NAME.
rp_redis_cli() {
	local name=$1 port sock
	shift
	port=REDIS_PORT_$name
	sock=REDIS_SOCK_$name
	if [ -n "${!sock}" ]; then
		"$RP_REDIS_CLI" -s "${!sock}" "$@"
	else
		"$RP_REDIS_CLI" -h 127.0.0.1 -p "${!port}" "$@"
	fi
}

# rp_stop_redis NAME: SIGTERM (SIGKILL after 5 s), by PID.
rp_stop_redis() {
	local pid=REDIS_PID_$1
	rp_stop "${!pid}"
}

# rp_kill_redis NAME: SIGKILL at once, as a crash.
rp_kill_redis() {
	local pid=REDIS_PID_$1
	kill -KILL "${!pid}" 2>/dev/null
	wait "${!pid}" 2>/dev/null
}

# rp_shared_conf NAME KEYFILE: the [shared] assignments for rp_write_conf
# (one a line) pointing at instance NAME with the key in KEYFILE.
rp_shared_conf() {
	local addr=REDIS_ADDR_$1
	printf '%s\n' "shared.redis=${!addr}" "shared.key_file=$2" "shared.timeout_ms=50"
}
