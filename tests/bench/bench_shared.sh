#!/usr/bin/env bash
# bench_shared.sh (`make bench`, after bench.sh): the shared tier.  Three
# programs with [shared] on one redis-server behind an nginx upstream in
# round robin, against one program without it: in-process hits with the
# tier on (target: at least 0.95 of one process's hit rate), API calls
# per user with a fresh user per request, and what a shared-tier hit
# adds to p50 over an in-process hit (target: under 0.3 ms), measured at
# a moderate load (RP_BENCH_LAT_CONNS connections) so that p50 is the
# path's own cost rather than the queue of a saturated machine.  Redis
# shares the cores with wrk, nginx and four programs: the programs get
# [shared] timeout_ms = 500 here, so that a Redis held off the CPU is
# measured, not timed out (the 50 ms default is tested in tests/fault/).
#
#   RP_BENCH_SECONDS   seconds per wrk run (default 10)
#   RP_BENCH_CONNS     connections of (e) (f) (g) (default 64)
#   RP_BENCH_LAT_CONNS connections of (h) (h') (default 8)
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/stack.sh"
. "$rp_srcdir/tests/lib/redis.sh"

SECS=${RP_BENCH_SECONDS:-10}
CONNS=${RP_BENCH_CONNS:-64}
LAT_CONNS=${RP_BENCH_LAT_CONNS:-8}
LUA=$rp_srcdir/tests/bench/fresh.lua
command -v wrk >/dev/null || rp_die "bench: wrk is missing (apt-get install wrk)"
rp_have_redis || rp_die "bench: redis-server is missing (apt-get install redis-server)"

rp_stack_init bench-shared
RP_NGINX_HTTP='keepalive_requests 1000000;'
rp_start_sim fast --threads 2
rp_start_redis main
"$rp_builddir/cgi/cli/richprofile" keygen "$RUN/shared.key" >/dev/null || rp_die "bench: keygen failed"
for n in a b c; do
	# shellcheck disable=SC2046
	rp_write_conf "$RUN/$n.conf" "$SIM_URL_fast" server.log_level=warn \
		server.threads=${RP_BENCH_THREADS:-} upstream.timeout_ms=3000 \
		upstream.connect_timeout_ms=1000 server.log_file="$RUN/$n.log" \
		$(rp_shared_conf main "$RUN/shared.key") shared.timeout_ms=500
	rp_start_fcgi "$n" "$RUN/$n.conf"
done
rp_write_conf "$RUN/solo.conf" "$SIM_URL_fast" server.log_level=warn \
	server.threads=${RP_BENCH_THREADS:-} upstream.timeout_ms=3000 \
	upstream.connect_timeout_ms=1000 server.log_file="$RUN/solo.log"
rp_start_fcgi solo "$RUN/solo.conf"
pool_port=$(rp_free_port)
rp_snippet "$rp_srcdir/conf/nginx/richprofile.conf" \
	"unix:$RP_SNIPPET_SOCKET" rp_pool >"$RUN/pool.conf"
RP_NGINX_HTTP="$RP_NGINX_HTTP
upstream rp_pool { server unix:$FCGI_SOCK_a; server unix:$FCGI_SOCK_b; server unix:$FCGI_SOCK_c; keepalive 32; }
server { listen 127.0.0.1:$pool_port; include $RUN/pool.conf; }"
rp_start_nginx solo a b
POOL=http://127.0.0.1:$pool_port
rp_wait_for "curl -so /dev/null $POOL/richprofile/ping" "the pool"
HIT_COOKIE="rp_token=$RP_TOK_AMELIE"

to_ms() {
	awk -v v="$1" 'BEGIN {
		if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
		else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
		else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
		else print v }'
}
# run NAME SECONDS URL [WRK-OPTION...]: RPS_, P50_, P99_, N_ (requests),
# with C connections (default CONNS).
run() {
	local name=$1 secs=$2 url=$3 out
	shift 3
	out=$RUN/wrk-$name.txt
	local c=${C:-$CONNS}
	wrk -t$((c < 2 ? 1 : 2)) -c"$c" -d"${secs}s" --latency "$@" "$url" >"$out" 2>&1
	printf -v "RPS_$name" %s "$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$out")"
	printf -v "P50_$name" %s "$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")"
	printf -v "P99_$name" %s "$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")"
	printf -v "N_$name" %s "$(awk '/requests in/ { print $1 }' "$out")"
}
# metric URL NAME: one figure of a program's status.
metric() {
	curl -s "$1/richprofile/status" | awk -v m="$2" '$1 == m { print $2 }'
}
api_calls() {
	curl -s "http://127.0.0.1:$SIM_PORT_fast/_control/stats?summary=1" |
		sed 's/.*"api_requests":\([0-9]*\).*/\1/'
}
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}

echo "bench (shared tier): $SECS s per run, wrk -t2 -c$CONNS, $(nproc) CPUs, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# (e) one program without [shared], (f) three with it: in-process hits.
run solo_hit "$SECS" "$NGINX_URL_solo/richprofile/fragment?view=card" -H "Cookie: $HIT_COOKIE"
run pool_hit "$SECS" "$POOL/richprofile/fragment?view=card" -H "Cookie: $HIT_COOKIE"
# (g) a fresh user per request over the three: one API call each, no more.
c0=$(api_calls)
run pool_fresh "$SECS" "$POOL/richprofile/fragment?view=card" -s "$LUA"
calls=$(($(api_calls) - c0))
per_user=$(awk -v c="$calls" -v n="$N_pool_fresh" 'BEGIN { if (n > 0) printf "%.3f", c / n }')
# (h) shared-tier hits: A sees users first (fresh.lua's sequence), then B
# is asked for the same users, which only Redis has.
run warm_a $((SECS * 2)) "$NGINX_URL_a/richprofile/fragment?view=card" -s "$LUA"
h0=$(metric "$NGINX_URL_b" richprofile_shared_hits_total)
m0=$(metric "$NGINX_URL_b" richprofile_shared_misses_total)
C=$LAT_CONNS run b_shared $(( (SECS + 1) / 2 )) "$NGINX_URL_b/richprofile/fragment?view=card" -s "$LUA"
h1=$(metric "$NGINX_URL_b" richprofile_shared_hits_total)
m1=$(metric "$NGINX_URL_b" richprofile_shared_misses_total)
C=$LAT_CONNS run b_hit "$SECS" "$NGINX_URL_b/richprofile/fragment?view=card" -H "Cookie: $HIT_COOKIE"
hit_share=$(awk -v h=$((h1 - h0)) -v m=$((m1 - m0)) 'BEGIN { if (h + m > 0) printf "%.3f", h / (h + m) }')
added=$(awk -v a="$P50_b_shared" -v b="$P50_b_hit" 'BEGIN { printf "%.3f", a - b }')

{
printf '\n%-52s %9s %9s %9s  %s\n' "scenario (shared tier)" req/s p50_ms p99_ms ratio
printf '%-52s %9s %9s %9s  %s\n' "(e) cache hit, one program, no [shared]" "$RPS_solo_hit" "$P50_solo_hit" "$P99_solo_hit" "1.00 of (e)"
printf '%-52s %9s %9s %9s  %s\n' "(f) cache hit, three programs with [shared]" "$RPS_pool_hit" "$P50_pool_hit" "$P99_pool_hit" "$(ratio "$RPS_pool_hit" "$RPS_solo_hit") of (e) (target 0.95)"
printf '%-52s %9s %9s %9s  %s\n' "(g) fresh user per request, three with [shared]" "$RPS_pool_fresh" "$P50_pool_fresh" "$P99_pool_fresh" "$per_user API calls per request ($calls for $N_pool_fresh)"
printf '%-52s %9s %9s %9s  %s\n' "(h) shared-tier hit (seen by A, asked of B), -c$LAT_CONNS" "$RPS_b_shared" "$P50_b_shared" "$P99_b_shared" "$hit_share of B's lookups were Redis hits"
printf '%-52s %9s %9s %9s  %s\n' "(h') in-process hit on B, -c$LAT_CONNS" "$RPS_b_hit" "$P50_b_hit" "$P99_b_hit" "p50 added by a shared hit: $added ms (target < 0.3)"
} | tee "$RUN/results-shared.txt"
mkdir -p "$rp_builddir/tests/output/bench"
cp "$RUN/results-shared.txt" "$rp_builddir/tests/output/bench/results-shared.txt"
