#!/usr/bin/env bash
# bench.sh (`make bench`): nginx, richprofile-fcgi and the simulator on
# loopback, driven by wrk, side by side with what a site would otherwise
# run behind the same nginx and the same simulator:
#   (r1) a minimal libfcgi responder, 8 threads, a fixed 1 KiB body: the
#        FastCGI limit (tests/bench/peer_fcgi.c);
#   (r2) the plainest C fragment: per-thread libcurl handle kept alive,
#        expat, one fixed template, 8 threads, no cache
#        (tests/bench/peer_fragment.c);
#   (r3) PHP-FPM (8 children, opcache): curl + SimpleXML +
#        htmlspecialchars (tests/bench/peer.php; php-fpm, php-curl and
#        php-xml are installed here when missing, never by make check).
# Every miss row sends a fresh cookie per request.  Prints requests/s,
# p50, p99 and the backend's CPU per request for each row, in
# RP_BENCH_ROUNDS rounds (default 5), then the medians and the targets as
# ratios to the peers of the same run, the program's peak RSS with 10 000
# cached profiles, and callgrind's instructions per cached and uncached
# request.  Run it on a quiet machine: wrk, nginx, the backends and the
# simulator share its cores.
#
#   RP_BENCH_SECONDS   seconds per wrk run (default 10)
#   RP_BENCH_ROUNDS    rounds of every row (default 5)
#   RP_BENCH_CONNS     connections of every row but (d) (default 64)
#   RP_BENCH_THREADS   the program's [server] threads (default: its default)
#   RP_BENCH_CALLGRIND requests per callgrind figure (default 200; 0: skip)
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/stack.sh"
. "$rp_srcdir/tests/lib/deps.sh"

SECS=${RP_BENCH_SECONDS:-10}
ROUNDS=${RP_BENCH_ROUNDS:-5}
CONNS=${RP_BENCH_CONNS:-64}
NCG=${RP_BENCH_CALLGRIND:-200}
LUA=$rp_srcdir/tests/bench/fresh.lua
PEERS=$rp_builddir/tests/bench
command -v wrk >/dev/null || rp_die "bench: wrk is missing (apt-get install wrk)"
rp_install_bench_deps || rp_die "bench: PHP-FPM (peer r3) is missing: apt-get install php-fpm php-curl php-xml"
PHP_FPM=$(ls /usr/sbin/php-fpm* 2>/dev/null | head -n 1)
[ -x "$PHP_FPM" ] || rp_die "bench: no /usr/sbin/php-fpm*: apt-get install php-fpm"

rp_stack_init bench
# The instant upstream: a pool of two threads (the machine's cores)
# costs it fewer wake-ups per answer than a thread per connection.
rp_start_sim fast --threads 2
rp_start_sim slow --delay-ms 50
# The default configuration (conf/richprofile.conf's values, log_level =
# info: a log line per request; threads left to the program's default),
# pointed at the simulators.
rp_write_conf "$RUN/fast.conf" "$SIM_URL_fast" server.threads=${RP_BENCH_THREADS:-} \
	upstream.timeout_ms=3000 upstream.connect_timeout_ms=1000 server.log_file="$RUN/fast.log"
rp_write_conf "$RUN/slow.conf" "$SIM_URL_slow" server.threads=${RP_BENCH_THREADS:-} \
	upstream.timeout_ms=3000 upstream.connect_timeout_ms=1000 server.log_file="$RUN/slow.log"
# A hot user across several TTLs: ttl_s = 2 on the 50 ms upstream, with
# refresh-ahead (its default, 1 s) and without.
rp_write_conf "$RUN/hot.conf" "$SIM_URL_slow" server.threads=${RP_BENCH_THREADS:-} \
	cache.ttl_s=2 upstream.timeout_ms=3000 server.log_file="$RUN/hot.log"
rp_write_conf "$RUN/cold.conf" "$SIM_URL_slow" server.threads=${RP_BENCH_THREADS:-} \
	cache.ttl_s=2 cache.refresh_s=0 upstream.timeout_ms=3000 server.log_file="$RUN/cold.log"
rp_start_fcgi fast "$RUN/fast.conf"
rp_start_fcgi slow "$RUN/slow.conf"
rp_start_fcgi hot "$RUN/hot.conf"
rp_start_fcgi cold "$RUN/cold.conf"

# The peers, on sockets of the run directory.
"$PEERS/peer_fcgi" "$RUN/r1.sock" 8 >"$RUN/r1.out" 2>&1 &
rp_track $!; R1_PID=$!
"$PEERS/peer_fragment" "$RUN/r2.sock" "$SIM_URL_fast" 8 >"$RUN/r2.out" 2>&1 &
rp_track $!; R2_PID=$!
php_user=
[ "$(id -u)" -eq 0 ] && php_user=$'user = root\ngroup = root'
printf '%s\n' "[global]" "pid = $RUN/php-fpm.pid" "error_log = $RUN/php-fpm.log" \
	"daemonize = no" "[peer]" "$php_user" "listen = $RUN/r3.sock" "listen.mode = 0666" \
	"pm = static" "pm.max_children = 8" "pm.max_requests = 0" \
	"php_admin_value[opcache.enable] = 1" "php_admin_value[opcache.validate_timestamps] = 0" \
	>"$RUN/php-fpm.conf"
"$PHP_FPM" -R -y "$RUN/php-fpm.conf" >"$RUN/r3.out" 2>&1 &
rp_track $!; R3_PID=$!
for sock in r1 r2 r3; do
	rp_wait_for "[ -S '$RUN/$sock.sock' ]" "peer $sock ($RUN/$sock.out)" "" "$RUN/$sock.out"
done
mapfile -t pp < <(rp_free_port 3)
# Around the snippet: wrk's connections stay open for the whole run; the
# peers' own servers, each passing the request as the snippet does
# (PHP-FPM wants the script's path without "..").
RP_NGINX_HTTP="keepalive_requests 1000000;
  server { listen 127.0.0.1:${pp[0]}; location / { fastcgi_pass unix:$RUN/r1.sock; include fastcgi_params; } }
  server { listen 127.0.0.1:${pp[1]}; location / { fastcgi_pass unix:$RUN/r2.sock; include fastcgi_params; } }
  server { listen 127.0.0.1:${pp[2]}; location / { fastcgi_pass unix:$RUN/r3.sock; include fastcgi_params;
    fastcgi_param SCRIPT_FILENAME $(cd "$rp_srcdir" && pwd -P)/tests/bench/peer.php; fastcgi_param RP_ENDPOINT $SIM_URL_fast; } }"
rp_start_nginx fast slow hot cold
URL=$NGINX_URL_fast
R1_URL=http://127.0.0.1:${pp[0]}/ R2_URL=http://127.0.0.1:${pp[1]}/ R3_URL=http://127.0.0.1:${pp[2]}/
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
# their child processes (PHP-FPM's children): /proc/PID/stat fields 14
# and 15.
cpu_ticks() {
	local pid t=0
	for pid in "$@" $(for pid in "$@"; do cat /proc/"$pid"/task/*/children 2>/dev/null; done); do
		[ -r "/proc/$pid/stat" ] || continue
		t=$((t + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat")))
	done
	echo "$t"
}
HZ=$(getconf CLK_TCK)

# scenario NAME BACKEND-PIDS CONNS URL [WRK-OPTION...]: one wrk run;
# sets RPS_<NAME>, P50_<NAME>, P99_<NAME>, BAD_<NAME> (non-2xx answers
# and socket errors), CPU_<NAME> (the backend's CPU microseconds per
# request) and CPUALL_<NAME> (backend, simulator, nginx and wrk, which
# share the machine's cores).
scenario() {
	local name=$1 pids=$2 conns=$3 url=$4 out p0 s0 n0 nginxes r p s n
	shift 4
	out=$RUN/wrk-$name.txt
	nginxes="$NGINX_PID $(cat /proc/"$NGINX_PID"/task/*/children 2>/dev/null)"
	# shellcheck disable=SC2086
	p0=$(cpu_ticks $pids) s0=$(cpu_ticks $CPU_SIMS) n0=$(cpu_ticks $nginxes)
	# bash's time keyword: wrk's own user and system seconds.
	{ TIMEFORMAT='%U %S'; time wrk -t2 -c"$conns" -d"${SECS}s" --latency "$@" "$url" >"$out" 2>&1; } 2>"$out.cpu"
	r=$(awk '/requests in/ { print $1 }' "$out")
	# shellcheck disable=SC2086
	p=$(($(cpu_ticks $pids) - p0)) s=$(($(cpu_ticks $CPU_SIMS) - s0)) n=$(($(cpu_ticks $nginxes) - n0))
	printf -v "CPU_$name" %s "$(awk -v p="$p" -v hz="$HZ" -v r="$r" 'BEGIN { if (r > 0 && p > 0) printf "%.0f", p * 1e6 / hz / r }')"
	printf -v "CPUALL_$name" %s "$(awk -v p="$p" -v s="$s" -v n="$n" \
		-v w="$(awk '{ print $1 + $2 }' "$out.cpu")" -v hz="$HZ" -v r="$r" 'BEGIN {
		if (r > 0) printf "backend %.0f, simulator %.0f, nginx %.0f, wrk %.0f", p * 1e6 / hz / r, s * 1e6 / hz / r, n * 1e6 / hz / r, w * 1e6 / r }')"
	printf -v "RPS_$name" %s "$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$out")"
	printf -v "P50_$name" %s "$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")"
	printf -v "P99_$name" %s "$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")"
	printf -v "BAD_$name" %s "$(awk '/Non-2xx/ { n += $NF } /Socket errors/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$out")"
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}

# median V...: the median of the numbers given.
median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Sanity: each row's request gets what it should before it is timed.
check_ok() {
	local st
	st=$(curl -s -o /dev/null -D - -H "Cookie: $2" "$1" | tr -d '\r' |
		awk -F': ' 'tolower($1) == "x-richprofile-status" { print $2 }')
	[ "$st" = ok ] || rp_die "bench: $1 answers '$st', not ok: see $RUN"
}
check_peer() {
	curl -s -H "Cookie: rp_token=fault:tag=1@$RP_TOK_AMELIE" "$1" | grep -q 'rp-name">Amélie P.<' ||
		rp_die "bench: peer $1 does not answer the card: see $RUN"
}
check_ok "$URL/richprofile/fragment?view=card" "$HIT_COOKIE"
check_ok "$URL/richprofile/fragment?view=card" "rp_token=fault:tag=1@$RP_TOK_AMELIE"
check_ok "$NGINX_URL_slow/richprofile/fragment?view=card" "rp_token=fault:tag=1@$RP_TOK_AMELIE"
check_ok "$NGINX_URL_hot/richprofile/fragment?view=card" "$HIT_COOKIE"
check_ok "$NGINX_URL_cold/richprofile/fragment?view=card" "$HIT_COOKIE"
check_peer "$R2_URL"
check_peer "$R3_URL"
[ "$(curl -s "$R1_URL" | wc -c)" -eq 1024 ] || rp_die "bench: peer r1 does not answer 1 KiB: see $RUN"

THREADS=$(curl -s "$URL/richprofile/status" | awk '$1 == "richprofile_workers" { print $2 }')
[ -n "$THREADS" ] || rp_die "bench: the status route names no worker count: see $RUN"
# API calls the program has made, from its status route.
api_calls() {
	curl -s "$URL/richprofile/status" |
		awk '$1 == "richprofile_upstream_duration_seconds_count" { print $2 }'
}
CPU_SIMS="$SIM_PID_fast $SIM_PID_slow"
FAST=$FCGI_PID_fast
row() { printf '%-36s %7s %7s %7s %6s %6s  %s\n' "$@"; }
echo "bench: $SECS s per row, $ROUNDS rounds, wrk -t2 -c$CONNS, $(nproc) CPUs, program with $THREADS workers, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$RUN/results.txt"
declare -A R
ROWS="static:(a) nginx static 1 KiB|r1:(r1) bare libfcgi responder|ping:(a') program ping|hit:(b) program, cache hit|miss:(c) program, miss|r2:(r2) plain C fragment, miss|r3:(r3) PHP-FPM fragment, miss|slow:(d) program, miss, 50 ms upstream|hot:(e) hot user, ttl 2 s, refresh-ahead|cold:(e') hot user, ttl 2 s, no refresh"
for round in $(seq 1 "$ROUNDS"); do
	scenario static "" "$CONNS" "$URL/static/1k.html"
	scenario r1 "$R1_PID" "$CONNS" "$R1_URL"
	scenario ping "$FAST" "$CONNS" "$URL/richprofile/ping"
	scenario hit "$FAST" "$CONNS" "$URL/richprofile/fragment?view=card" -H "Cookie: $HIT_COOKIE"
	calls0=$(api_calls)
	scenario miss "$FAST" "$CONNS" "$URL/richprofile/fragment?view=card" -s "$LUA"
	# Every request of (c) must have been a miss: one API call each.
	calls=$(($(api_calls) - calls0))
	done_c=$(awk '/requests in/ { print $1 }' "$RUN/wrk-miss.txt")
	[ "$calls" -ge "$done_c" ] ||
		rp_die "bench: (c) made $calls API calls for $done_c requests: not every request missed the cache"
	scenario r2 "$R2_PID" "$CONNS" "$R2_URL" -s "$LUA"
	scenario r3 "$R3_PID" "$CONNS" "$R3_URL" -s "$LUA"
	scenario slow "$FCGI_PID_slow" 64 "$NGINX_URL_slow/richprofile/fragment?view=card" -s "$LUA"
	scenario hot "$FCGI_PID_hot" "$CONNS" "$NGINX_URL_hot/richprofile/fragment?view=card" -H "Cookie: $HIT_COOKIE"
	scenario cold "$FCGI_PID_cold" "$CONNS" "$NGINX_URL_cold/richprofile/fragment?view=card" -H "Cookie: $HIT_COOKIE"
	{
	printf '\nround %s of %s (load %s)\n' "$round" "$ROUNDS" "$(cut -d' ' -f1-3 /proc/loadavg)"
	row row req/s p50_ms p99_ms errors cpu_us "CPU per request, µs"
	IFS='|' read -r -a rows <<<"$ROWS"
	for n in "${rows[@]}"; do
		k=${n%%:*} v=RPS_$k p5=P50_$k p9=P99_$k b=BAD_$k c=CPU_$k ca=CPUALL_$k
		row "${n#*:}" "${!v}" "${!p5}" "${!p9}" "${!b}" "${!c:--}" "${!ca}"
	done
	} | tee -a "$RUN/results.txt"
	# The table is printed in a subshell: the figures are kept out here.
	IFS='|' read -r -a rows <<<"$ROWS"
	for n in "${rows[@]}"; do
		k=${n%%:*} v=RPS_$k p9=P99_$k c=CPU_$k
		R[$k,rps,$round]=${!v} R[$k,cpu,$round]=${!c:-0} R[$k,p99,$round]=${!p9}
	done
done

# Peak memory of the program that served (b) and (c): its cache is full
# (misses of (c) made far more than max_entries = 10 000 profiles).
entries=$(curl -s "$URL/richprofile/status" | awk '$1 == "richprofile_cache_entries" { print $2 }')
read -r rss hwm < <(rp_rss "$FAST")

# med KEY FIELD: the median over the rounds.  medratio A B FIELD: the
# median over the rounds of A's FIELD / B's FIELD in the same round.
med() { local i v=(); for i in $(seq 1 "$ROUNDS"); do v+=("${R[$1,$2,$i]}"); done; median "${v[@]}"; }
medratio() {
	local i v=()
	for i in $(seq 1 "$ROUNDS"); do v+=("$(ratio "${R[$1,$3,$i]}" "${R[$2,$3,$i]}")"); done
	median "${v[@]}"
}
# target TEXT VALUE le|ge THRESHOLD
target() {
	printf '  %-48s %6s  (target %s %s: %s)\n' "$1" "$2" "$([ "$3" = le ] && echo '<=' || echo '>=')" "$4" \
		"$(awk -v v="$2" -v t="$4" -v d="$3" 'BEGIN { print (d == "le" ? v <= t : v >= t) ? "met" : "NOT met" }')"
}
{
printf '\nmedians over %s rounds\n' "$ROUNDS"
row row req/s "" p99_ms "" cpu_us ""
for k in static r1 ping hit miss r2 r3 slow hot cold; do
	row "$k" "$(med "$k" rps)" "" "$(med "$k" p99)" "" "$(med "$k" cpu)" ""
done
printf '\ntargets (medians of the per-round ratios)\n'
target "miss: program CPU per request / (r2)'s" "$(medratio miss r2 cpu)" le 1.15
target "miss: program req/s / (r2)'s" "$(medratio miss r2 rps)" ge 0.9
target "miss: program req/s / (r3)'s" "$(medratio miss r3 rps)" ge 3
target "hit: program req/s / (r1)'s" "$(medratio hit r1 rps)" ge 0.95
target "hit: program req/s / (r3)'s" "$(medratio hit r3 rps)" ge 5
slowv=(); for i in $(seq 1 "$ROUNDS"); do slowv+=("$(ratio "${R[slow,rps,$i]}" 1280)"); done
target "(d) 50 ms upstream: req/s / ideal 1280" "$(median "${slowv[@]}")" ge 0.9
target "(e) hot user's p99 / (b)'s, refresh-ahead" "$(medratio hot hit p99)" le 1.5
printf "  (e') the same without refresh: %s of (b)'s p99 (each expiry makes every view of the moment wait)\n" "$(medratio cold hit p99)"
printf '(d) ceiling of blocking workers: min(connections, [server] threads) / upstream latency = min(64, %s) / 0.05 s\n' "$THREADS"
printf '\npeak RSS of the program: %s KiB (now %s KiB) with %s cached profiles, %s threads\n' \
	"$hwm" "$rss" "$entries" "$THREADS"
target "peak RSS, MiB" "$(awk -v k="$hwm" 'BEGIN { printf "%.1f", k / 1024 }')" le 24
} | tee -a "$RUN/results.txt"

# Instructions per request, from callgrind: a third program under
# valgrind, instrumentation on only while the measured requests run.
if [ "$NCG" -gt 0 ] && command -v valgrind >/dev/null; then
	rp_write_conf "$RUN/cg.conf" "$SIM_URL_fast" \
		server.threads=2 upstream.timeout_ms=20000 server.log_file="$RUN/cg.log"
	rp_start_fcgi cg "$RUN/cg.conf" valgrind --tool=callgrind --instr-atstart=no \
		--callgrind-out-file="$RUN/callgrind.out.%p"
	# The plain C fragment (r2) the same way, for its uncached requests.
	valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$RUN/callgrind-r2.out.%p" \
		"$PEERS/peer_fragment" "$RUN/r2cg.sock" "$SIM_URL_fast" 2 >"$RUN/r2cg.out" 2>&1 &
	rp_track $!; r2cgpid=$!
	rp_wait_for "[ -S '$RUN/r2cg.sock' ]" "peer r2 under callgrind ($RUN/r2cg.out)" "$r2cgpid" "$RUN/r2cg.out"
	rp_stop "$NGINX_PID"
	cgport=$(rp_free_port)
	RP_NGINX_HTTP="server { listen 127.0.0.1:$cgport; location / { fastcgi_pass unix:$RUN/r2cg.sock; include fastcgi_params; } }"
	rp_start_nginx cg
	URL=$NGINX_URL_cg
	R2CG_URL=http://127.0.0.1:$cgport/
	# ir PID NAME: instructions since the last zeroing (a dump named NAME).
	ir() {
		callgrind_control -d "$2" "$1" >/dev/null 2>&1
		sleep 1
		awk '/^summary:|^totals:/ { print $2; exit }' "$(ls -t "$RUN"/callgrind*.out."$1"* | head -n 1)"
	}
	for pid in "$FCGI_PID_cg" "$r2cgpid"; do
		url=$URL/richprofile/fragment?view=card
		[ "$pid" = "$r2cgpid" ] && url=$R2CG_URL
		# Warm: the cached token, the connection to the simulator, first-use costs.
		for i in 1 2 3; do
			curl -s -o /dev/null -H "Cookie: $HIT_COOKIE" "$url"
			curl -s -o /dev/null -H "Cookie: rp_token=fault:tag=$((900000 + i))@$RP_TOK_AMELIE" "$url"
		done
		callgrind_control -i on "$pid" >/dev/null 2>&1
		callgrind_control -z "$pid" >/dev/null 2>&1
		if [ "$pid" = "$FCGI_PID_cg" ]; then
			for i in $(seq 1 "$NCG"); do
				curl -s -o /dev/null -H "Cookie: $HIT_COOKIE" "$url"
			done
			hit_ir=$(ir "$pid" cached)
		fi
		for i in $(seq 1 "$NCG"); do
			curl -s -o /dev/null -H "Cookie: rp_token=fault:tag=$((800000 + i))@$RP_TOK_AMELIE" "$url"
		done
		if [ "$pid" = "$FCGI_PID_cg" ]; then miss_ir=$(ir "$pid" uncached); else r2_ir=$(ir "$pid" r2); fi
	done
	per() { awk -v t="$1" -v n="$NCG" 'BEGIN { printf "%.0f", t / n }'; }
	printf 'callgrind: %s instructions per cached request, %s per uncached request; (r2) %s per uncached request: %s of (r2) (%s requests each, whole process)\n' \
		"$(per "$hit_ir")" "$(per "$miss_ir")" "$(per "$r2_ir")" "$(ratio "$miss_ir" "$r2_ir")" "$NCG" | tee -a "$RUN/results.txt"
fi
# The run directory goes at exit: the results stay in the build tree.
mkdir -p "$rp_builddir/tests/output/bench"
cp "$RUN/results.txt" "$rp_builddir/tests/output/bench/results.txt"
echo "bench: results in $rp_builddir/tests/output/bench/results.txt"
