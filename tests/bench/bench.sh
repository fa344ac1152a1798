#!/usr/bin/env bash
# bench.sh (`make bench`): nginx, richprofile-fcgi and the simulator on
# loopback, driven by wrk; prints requests/s, p50 and p99 per scenario
# and the ratios to the baselines of the same run, the program's peak
# RSS with 10 000 cached profiles, and callgrind's instructions per
# cached and uncached request.  Run it on a quiet machine: wrk, nginx,
# the program and the simulator share its cores.
#
#   RP_BENCH_SECONDS   seconds per wrk run (default 10)
#   RP_BENCH_CONNS     connections of (a) (a') (b) (c) (default 64)
#   RP_BENCH_CALLGRIND requests per callgrind figure (default 200; 0: skip)
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/stack.sh"

SECS=${RP_BENCH_SECONDS:-10}
CONNS=${RP_BENCH_CONNS:-64}
NCG=${RP_BENCH_CALLGRIND:-200}
LUA=$rp_srcdir/tests/bench/fresh.lua
command -v wrk >/dev/null || rp_die "bench: wrk is missing (apt-get install wrk)"

rp_stack_init bench
# Around the snippet: wrk's connections stay open for the whole run.
RP_NGINX_HTTP='keepalive_requests 1000000;'
# The instant upstream: a pool of two threads (the machine's cores)
# costs it fewer wake-ups per answer than a thread per connection.
rp_start_sim fast --threads 2
rp_start_sim slow --delay-ms 50
# The default configuration (conf/richprofile.conf's values; threads left
# to the program's default), pointed at the simulators, with log_level =
# warn: one log line per request costs every route alike and would hide
# part of what the ratios compare.
rp_write_conf "$RUN/fast.conf" "$SIM_URL_fast" server.log_level=warn server.threads=${RP_BENCH_THREADS:-} \
	upstream.timeout_ms=3000 upstream.connect_timeout_ms=1000 server.log_file="$RUN/fast.log"
rp_write_conf "$RUN/slow.conf" "$SIM_URL_slow" server.log_level=warn server.threads=${RP_BENCH_THREADS:-} \
	upstream.timeout_ms=3000 upstream.connect_timeout_ms=1000 server.log_file="$RUN/slow.log"
rp_start_fcgi fast "$RUN/fast.conf"
rp_start_fcgi slow "$RUN/slow.conf"
rp_start_nginx fast slow
URL=$NGINX_URL_fast
HIT_COOKIE="rp_token=$RP_TOK_AMELIE"

# Converts wrk's "1.23ms" / "456.00us" / "1.02s" to milliseconds.
to_ms() {
	awk -v v="$1" 'BEGIN {
		if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
		else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
		else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
		else print v }'
}

# CPU time (user + system, clock ticks) used so far by the PIDs given and
# their children's threads: /proc/PID/stat fields 14 and 15.
cpu_ticks() {
	local pid t=0
	for pid in "$@"; do
		[ -r "/proc/$pid/stat" ] || continue
		t=$((t + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat")))
	done
	echo "$t"
}
HZ=$(getconf CLK_TCK)

# scenario NAME CONNS URL [WRK-OPTION...]: one wrk run; sets RPS_<NAME>,
# P50_<NAME>, P99_<NAME>, BAD_<NAME> (non-2xx answers and socket errors),
# and CPU_<NAME>: CPU microseconds per request spent by the program, the
# simulator and nginx, which share the machine's cores.
scenario() {
	local name=$1 conns=$2 url=$3 out p0 s0 n0 nginxes
	shift 3
	out=$RUN/wrk-$name.txt
	nginxes="$NGINX_PID $(cat /proc/"$NGINX_PID"/task/*/children 2>/dev/null)"
	# shellcheck disable=SC2086
	p0=$(cpu_ticks $CPU_PIDS) s0=$(cpu_ticks $CPU_SIMS) n0=$(cpu_ticks $nginxes)
	# bash's time keyword: wrk's own user and system seconds.
	{ TIMEFORMAT='%U %S'; time wrk -t2 -c"$conns" -d"${SECS}s" --latency "$@" "$url" >"$out" 2>&1; } 2>"$out.cpu"
	# shellcheck disable=SC2086
	printf -v "CPU_$name" %s "$(awk -v p=$(($(cpu_ticks $CPU_PIDS) - p0)) \
		-v s=$(($(cpu_ticks $CPU_SIMS) - s0)) -v n=$(($(cpu_ticks $nginxes) - n0)) \
		-v w="$(awk '{ print $1 + $2 }' "$out.cpu")" \
		-v hz="$HZ" -v r="$(awk '/requests in/ { print $1 }' "$out")" 'BEGIN {
		if (r > 0) printf "program %.0f, simulator %.0f, nginx %.0f, wrk %.0f", p * 1e6 / hz / r, s * 1e6 / hz / r, n * 1e6 / hz / r, w * 1e6 / r }')"
	printf -v "RPS_$name" %s "$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$out")"
	printf -v "P50_$name" %s "$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")"
	printf -v "P99_$name" %s "$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")"
	printf -v "BAD_$name" %s "$(awk '/Non-2xx/ { n += $NF } /Socket errors/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$out")"
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}

# Sanity: each scenario's request gets what it should before it is timed.
check_ok() {
	local st
	st=$(curl -s -o /dev/null -D - -H "Cookie: $2" "$1" | tr -d '\r' |
		awk -F': ' 'tolower($1) == "x-richprofile-status" { print $2 }')
	[ "$st" = ok ] || rp_die "bench: $1 answers '$st', not ok: see $RUN"
}
check_ok "$URL/richprofile/fragment?view=card" "$HIT_COOKIE"
check_ok "$URL/richprofile/fragment?view=card" "rp_token=fault:tag=1@$RP_TOK_AMELIE"
check_ok "$NGINX_URL_slow/richprofile/fragment?view=card" "rp_token=fault:tag=1@$RP_TOK_AMELIE"

THREADS=$(curl -s "$URL/richprofile/status" | awk '$1 == "richprofile_workers" { print $2 }')
[ -n "$THREADS" ] || rp_die "bench: the status route names no worker count: see $RUN"
echo "bench: $SECS s per scenario, wrk -t2, $(nproc) CPUs, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
CPU_PIDS="$FCGI_PID_fast $FCGI_PID_slow" CPU_SIMS="$SIM_PID_fast $SIM_PID_slow"
scenario static "$CONNS" "$URL/static/1k.html"
scenario ping "$CONNS" "$URL/richprofile/ping"
scenario hit "$CONNS" "$URL/richprofile/fragment?view=card" -H "Cookie: $HIT_COOKIE"
# API calls the program has made, from its status route.
api_calls() {
	curl -s "$URL/richprofile/status" |
		awk '$1 == "richprofile_upstream_duration_seconds_count" { print $2 }'
}
calls0=$(api_calls)
scenario miss "$CONNS" "$URL/richprofile/fragment?view=card" -s "$LUA"
# Every request of (c) must have been a miss: one API call each.
calls=$(($(api_calls) - calls0))
done_c=$(awk '/requests in/ { print $1 }' "$RUN/wrk-miss.txt")
[ "$calls" -ge "$done_c" ] ||
	rp_die "bench: (c) made $calls API calls for $done_c requests: not every request missed the cache"
scenario slow 64 "$NGINX_URL_slow/richprofile/fragment?view=card" -s "$LUA"

# Peak memory of the program that served (b) and (c): its cache is full
# (misses of (c) made far more than max_entries = 10 000 profiles).
entries=$(curl -s "$URL/richprofile/status" | awk '$1 == "richprofile_cache_entries" { print $2 }')
read -r rss hwm < <(rp_rss "$FCGI_PID_fast")

{
printf '\n%-44s %9s %9s %9s %8s  %s\n' scenario req/s p50_ms p99_ms errors ratio
printf '%-44s %9s %9s %9s %8s  %s\n' "(a) nginx static 1 KiB" "$RPS_static" "$P50_static" "$P99_static" "$BAD_static" "1.00 of (a)"
printf '%-44s %9s %9s %9s %8s  %s\n' "(a') program ping route" "$RPS_ping" "$P50_ping" "$P99_ping" "$BAD_ping" "$(ratio "$RPS_ping" "$RPS_static") of (a)"
printf '%-44s %9s %9s %9s %8s  %s\n' "(b) fragment, cache hit" "$RPS_hit" "$P50_hit" "$P99_hit" "$BAD_hit" "$(ratio "$RPS_hit" "$RPS_ping") of (a') (target 0.85)"
printf '%-44s %9s %9s %9s %8s  %s\n' "(c) fragment, miss, instant upstream" "$RPS_miss" "$P50_miss" "$P99_miss" "$BAD_miss" "$(ratio "$RPS_miss" "$RPS_ping") of (a') (target 0.45)"
printf '%-44s %9s %9s %9s %8s  %s\n' "(d) fragment, miss, 50 ms upstream, 64 conns" "$RPS_slow" "$P50_slow" "$P99_slow" "$BAD_slow" "$(ratio "$RPS_slow" 1280) of ideal 1280 (target 0.8)"
printf '\nCPU microseconds per request (all cores):\n'
for n in static:"(a)" ping:"(a')" hit:"(b)" miss:"(c)" slow:"(d)"; do
	v=CPU_${n%%:*}
	printf '  %-5s %s\n' "${n#*:}" "${!v}"
done
printf '(d) ceiling of blocking workers: min(connections, [server] threads) / upstream latency = min(64, %s) / 0.05 s\n' "$THREADS"
printf '\npeak RSS of the program: %s KiB (%.1f MiB; now %s KiB) with %s cached profiles, %s threads (target < 32 MiB)\n' \
	"$hwm" "$(awk -v k="$hwm" 'BEGIN { print k / 1024 }')" "$rss" "$entries" "$THREADS"
} | tee "$RUN/results.txt"

# Instructions per request, from callgrind: a third program under
# valgrind, instrumentation on only while the measured requests run.
if [ "$NCG" -gt 0 ] && command -v valgrind >/dev/null; then
	rp_write_conf "$RUN/cg.conf" "$SIM_URL_fast" server.log_level=warn \
		server.threads=2 upstream.timeout_ms=20000 server.log_file="$RUN/cg.log"
	rp_start_fcgi cg "$RUN/cg.conf" valgrind --tool=callgrind --instr-atstart=no \
		--callgrind-out-file="$RUN/callgrind.out.%p"
	rp_stop "$NGINX_PID"
	rp_start_nginx cg
	URL=$NGINX_URL_cg
	cgpid=$FCGI_PID_cg
	# Warm: the cached token, the connection to the simulator, first-use costs.
	for i in 1 2 3; do
		curl -s -o /dev/null -H "Cookie: $HIT_COOKIE" "$URL/richprofile/fragment?view=card"
		curl -s -o /dev/null -H "Cookie: rp_token=fault:tag=$((900000 + i))@$RP_TOK_AMELIE" "$URL/richprofile/fragment?view=card"
	done
	ir() {
		callgrind_control -d "$1" "$cgpid" >/dev/null 2>&1
		sleep 1
		awk '/^summary:|^totals:/ { print $2; exit }' "$(ls -t "$RUN"/callgrind.out."$cgpid"* | head -n 1)"
	}
	callgrind_control -i on "$cgpid" >/dev/null 2>&1
	callgrind_control -z "$cgpid" >/dev/null 2>&1
	for i in $(seq 1 "$NCG"); do
		curl -s -o /dev/null -H "Cookie: $HIT_COOKIE" "$URL/richprofile/fragment?view=card"
	done
	hit_ir=$(ir cached)
	for i in $(seq 1 "$NCG"); do
		curl -s -o /dev/null -H "Cookie: rp_token=fault:tag=$((800000 + i))@$RP_TOK_AMELIE" "$URL/richprofile/fragment?view=card"
	done
	miss_ir=$(ir uncached)
	printf 'callgrind: %s instructions per cached request, %s per uncached request (%s requests each, whole process)\n' \
		"$(awk -v t="$hit_ir" -v n="$NCG" 'BEGIN { printf "%.0f", t / n }')" \
		"$(awk -v t="$miss_ir" -v n="$NCG" 'BEGIN { printf "%.0f", t / n }')" "$NCG" | tee -a "$RUN/results.txt"
fi
# The run directory goes at exit: the results stay in the build tree.
mkdir -p "$rp_builddir/tests/output/bench"
cp "$RUN/results.txt" "$rp_builddir/tests/output/bench/results.txt"
echo "bench: results in $rp_builddir/tests/output/bench/results.txt"
