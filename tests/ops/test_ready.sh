#!/usr/bin/env bash
# ready.sh: the ready route turns 503 when the API keeps failing and the
# circuit breaker opens (and no call succeeded recently), and the status
# route shows the cache and the breaker at work.  TAP.
. "${top_srcdir:-.}/tests/ops/opslib.sh"
need cgi-fcgi curl
need_built "$FCGI" "$SIM"
echo "1..9"

start_sim || { echo "Bail out! the simulator did not start"; exit 1; }
# [breaker] failures = 3 (write_conf), open for a minute.
write_conf "$tmp/rp.conf"
rp_start_fcgi main "$tmp/rp.conf"
sock=$FCGI_SOCK_main
metric() { awk -v s="$1" 'index($0, s " ") == 1 { print $2; exit }' "$2"; }
scrape() { fcgi_get "$sock" status | tr -d '\r' >"$1"; }
code() { tr -d '\r' | sed -n '1s/^Status: \([0-9]*\).*/\1/p'; }

fcgi_get "$sock" ready >"$tmp/r1.out"
check "ready answers 200 at start (breaker closed, no call yet)" \
	test "$(code <"$tmp/r1.out")" = 200

# The cache: one user, three views, one call.
amelie=$(token_of amelie)
for i in 1 2 3; do fcgi_get "$sock" fragment view=card "rp_token=$amelie" >/dev/null; done
scrape "$tmp/a.prom"
check "three views of one user make one API call" \
	test "$(metric 'richprofile_upstream_requests_total{result="ok"}' "$tmp/a.prom")" = 1
check "...one cache miss and two hits" \
	test "$(metric richprofile_cache_misses_total "$tmp/a.prom")" = 1 -a \
	"$(metric richprofile_cache_hits_total "$tmp/a.prom")" = 2
check "...one profile in the cache" test "$(metric richprofile_cache_entries "$tmp/a.prom")" = 1

# A second program that has never reached the API: every call fails.
curl -s -X POST "http://127.0.0.1:$SIM_PORT/_control/fault?mode=status=503&for=all" >/dev/null
rp_start_fcgi second "$tmp/rp.conf"
sock2=$FCGI_SOCK_second
# Three users (no cache can answer): three failures open the breaker.
for u in amelie john camille; do
	fcgi_get "$sock2" fragment view=card "rp_token=$(token_of $u)" >"$tmp/f-$u.out"
done
fcgi_get "$sock2" status | tr -d '\r' >"$tmp/b.prom"
check "three failed calls open the breaker (state 1)" \
	test "$(metric richprofile_breaker_state "$tmp/b.prom")" = 1
fcgi_get "$sock2" ready >"$tmp/r2.out"
check "ready answers 503 while the breaker is open" test "$(code <"$tmp/r2.out")" = 503
check "...and says why" grep -q 'not ready: the API is failing' "$tmp/r2.out"
t0=$(date +%s%N)
fcgi_get "$sock2" fragment view=card "rp_token=$(token_of maxime)" >"$tmp/f-open.out"
ms=$((($(date +%s%N) - t0) / 1000000))
check "a user still gets the unavailable fragment, without a call (${ms} ms)" \
	test "$(header X-RichProfile-Status <"$tmp/f-open.out")" = unavailable
fcgi_get "$sock2" status | tr -d '\r' >"$tmp/c.prom"
check "the refused call is counted by the breaker, not as an API call" \
	sh -c '[ "$1" -ge 1 ] && [ "$2" = "$3" ]' sh \
	"$(metric richprofile_breaker_rejected_total "$tmp/c.prom")" \
	"$(metric richprofile_upstream_duration_seconds_count "$tmp/b.prom")" \
	"$(metric richprofile_upstream_duration_seconds_count "$tmp/c.prom")"
