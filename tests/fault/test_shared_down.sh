#!/usr/bin/env bash
# test_shared_down.sh: Redis killed, then restarted, and Redis paused,
# each under load (32 clients) through nginx and three programs sharing
# it: no request fails or answers anything but what the API gives, Redis
# adds at most [shared] timeout_ms + 10 ms to any request, ready stays
# 200 with a note, and shared hits resume without restarting anything.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/stack.sh"
. "$rp_srcdir/tests/lib/redis.sh"

rp_need_redis
CLIENT=$rp_builddir/tests/soak/soak-client
[ -x "$CLIENT" ] || rp_die "$CLIENT is not built (make check builds it)"
USERS=300
REQUESTS=${RP_SHARED_DOWN_REQUESTS:-6000}
TIMEOUT_MS=50
# Built with AddressSanitizer the programs run several times slower on
# cores they share with 32 clients, nginx and Redis: a healthy Redis
# would time out at 50 ms.  The claims are checked against a longer
# budget there.
ASAN=
if ldd "$RP_FCGI" 2>/dev/null | grep -q libasan; then
	ASAN=1
	TIMEOUT_MS=250
fi

rp_stack_init shared-down

users=$RUN/users.conf
expect=$RUN/expect.tsv
: >"$users"
: >"$expect"
for i in $(seq 1 $USERS); do
	printf '[user d%s]\ntoken = tok-down-%s\nFirstname = Downuser%s\nLastname = Downuser%s\n' \
		"$i" "$i" "$i" "$i" >>"$users"
	printf 'tok-down-%s\tok\tDownuser%s\n' "$i" "$i" >>"$expect"
done
RP_SIM_USERS=$users rp_start_sim main
rp_start_redis main
port=$REDIS_PORT_main
key=$RUN/shared.key
"$rp_builddir/cgi/cli/richprofile" keygen "$key" >/dev/null || rp_die "keygen failed"

# A one-second TTL: in-process misses, hence Redis operations, all along.
for n in a b c; do
	# shellcheck disable=SC2046
	rp_write_conf "$RUN/$n.conf" "$SIM_URL_main" server.threads=16 \
		cache.ttl_s=1 cache.stale_s=5 breaker.failures=0 \
		server.log_file="$RUN/$n.log" server.log_level=warn \
		$(rp_shared_conf main "$key") shared.timeout_ms=$TIMEOUT_MS
	rp_start_fcgi "$n" "$RUN/$n.conf"
done
pool_port=$(rp_free_port)
rp_snippet "$rp_srcdir/conf/nginx/richprofile.conf" \
	"unix:$RP_SNIPPET_SOCKET" rp_pool >"$RUN/pool.conf"
RP_NGINX_HTTP="upstream rp_pool { server unix:$FCGI_SOCK_a; server unix:$FCGI_SOCK_b; server unix:$FCGI_SOCK_c; }
server { listen 127.0.0.1:$pool_port; include $RUN/pool.conf; }"
rp_start_nginx a b c
POOL=http://127.0.0.1:$pool_port
rp_wait_for "curl -so /dev/null $POOL/richprofile/ping" "the pool"

load() { # OUT [REQUESTS]: the users' cards from 32 clients
	"$CLIENT" --url "$POOL/richprofile/fragment?view=card" --users "$expect" \
		--prefix Downuser --threads 32 --requests "${2:-$REQUESTS}" >"$1" 2>&1
}
# metric NAME: its value summed over a, b, c (max for *_max_*).
metric() {
	local n url
	for n in a b c; do
		url=NGINX_URL_$n
		curl -s "${!url}/richprofile/status"
	done | awk -v m="$1" '$1 == m { if (m ~ /_max_/) { if ($2 > s) s = $2 } else s += $2 } END { print s + 0 }'
}
# Shared hits resume: a user seen on A is a shared hit on B, within 12 s
# (the tier's breaker probes every 5 s).
resumed() {
	local i tok
	for i in $(seq 1 60); do
		tok=tok-down-$(( (i * 7) % USERS + 1 ))
		rp_get "$NGINX_URL_a/richprofile/fragment?view=card" "$tok"
		rp_get "$NGINX_URL_b/richprofile/fragment?view=card" "$tok"
		if [ "$(metric richprofile_shared_hits_total)" -gt "$1" ]; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}
ok_run() { # OUT: every answer right, none failed
	grep -q "wrong 0 (transport 0)" "$1" && grep -q "^statuses: ok $2 " "$1"
}

load "$RUN/base.out"
ok_run "$RUN/base.out" "$REQUESTS"
rp_check $? "Redis up: $(head -n 1 "$RUN/base.out")" "$(cat "$RUN/base.out")"
[ "$(metric richprofile_shared_hits_total)" -gt 0 ]
rp_check $? "Redis up: shared hits ($(metric richprofile_shared_hits_total))"
base_max=$(metric richprofile_shared_request_max_seconds)
# The bound: timeout_ms + 10 ms (the claim, checked in the plain
# build).  Built with AddressSanitizer a thread waits for a CPU longer
# than Redis itself takes, and that wait varies from one phase to the
# next: there twice the most seen with Redis healthy (the machine's own
# delay) is allowed on top (once was 0.4 ms short in a CI run).
BOUND_MS=$((TIMEOUT_MS + 10))
if [ -n "$ASAN" ]; then
	BOUND_MS=$(awk -v b=$BOUND_MS -v m="$base_max" 'BEGIN { printf "%d", b + 2 * m * 1000 + 0.999 }')
fi

# ---- killed under load, then restarted ----
load "$RUN/kill.out" &
lpid=$!
sleep 0.5
rp_kill_redis main
wait $lpid
ok_run "$RUN/kill.out" "$REQUESTS"
rp_check $? "Redis killed under load: $(head -n 1 "$RUN/kill.out")" "$(cat "$RUN/kill.out")"
errs=$(metric 'richprofile_shared_errors_total{class="connect"}')
closed=$(metric 'richprofile_shared_errors_total{class="closed"}')
[ $((errs + closed)) -gt 0 ]
rp_check $? "the failures were counted (connect $errs, closed $closed)"
max=$(metric richprofile_shared_request_max_seconds)
awk -v m="$max" -v b=$BOUND_MS 'BEGIN { exit !(m * 1000 <= b) }'
rp_check $? "Redis killed: the most Redis added to a request was $(awk -v m="$max" 'BEGIN { printf "%.1f", m * 1000 }') ms (bound $BOUND_MS)"
curl -s -o "$RUN/ready-down.txt" -w '%{http_code}' "$NGINX_URL_a/richprofile/ready" >"$RUN/ready-down.code"
[ "$(cat "$RUN/ready-down.code")" = 200 ] && grep -q "note: the shared tier (Redis) is failing" "$RUN/ready-down.txt"
rp_check $? "Redis down: ready stays 200 and says so" "$(cat "$RUN/ready-down.code" "$RUN/ready-down.txt")"
grep -q "shared tier: Redis failed 3 times in a row" "$RUN/a.log"
rp_check $? "the log says Redis is failing, once" "$(tail -n 3 "$RUN/a.log")"
hits=$(metric richprofile_shared_hits_total)
rp_start_redis main "$port"
resumed "$hits"
rp_check $? "Redis restarted: shared hits resume, no program restarted"
curl -s "$NGINX_URL_a/richprofile/ready" >"$RUN/ready-up.txt"
grep -q "^ready$" "$RUN/ready-up.txt" && ! grep -q note "$RUN/ready-up.txt"
rp_check $? "ready without a note again" "$(cat "$RUN/ready-up.txt")"

# ---- paused under load (SIGSTOP: connections open, no answer) ----
load "$RUN/pause.out" &
lpid=$!
sleep 0.5
kill -STOP "$REDIS_PID_main"
sleep 1.5
kill -CONT "$REDIS_PID_main"
wait $lpid
ok_run "$RUN/pause.out" "$REQUESTS"
rp_check $? "Redis paused under load: $(head -n 1 "$RUN/pause.out")" "$(cat "$RUN/pause.out")"
t=$(metric 'richprofile_shared_errors_total{class="timeout"}')
[ "$t" -gt 0 ]
rp_check $? "the timeouts were counted ($t)"
max=$(metric richprofile_shared_request_max_seconds)
awk -v m="$max" -v b=$BOUND_MS 'BEGIN { exit !(m * 1000 <= b) }'
rp_check $? "Redis paused: the most Redis added to a request was $(awk -v m="$max" 'BEGIN { printf "%.1f", m * 1000 }') ms (bound $BOUND_MS)"
hits=$(metric richprofile_shared_hits_total)
resumed "$hits"
rp_check $? "Redis resumed: shared hits again"

echo "# client side (ms): $(sed -n 's/.*\(p50 .*\)/\1/p' "$RUN/base.out" | head -n 1) with Redis up;" \
	"$(sed -n 's/.*\(p50 .*\)/\1/p' "$RUN/kill.out" | head -n 1) killed;" \
	"$(sed -n 's/.*\(p50 .*\)/\1/p' "$RUN/pause.out" | head -n 1) paused"
echo "# program side: most Redis time in one request: $(awk -v m="$base_max" 'BEGIN { printf "%.1f", m * 1000 }') ms before the faults, $(awk -v m="$max" 'BEGIN { printf "%.1f", m * 1000 }') ms after"
rp_tap_done
