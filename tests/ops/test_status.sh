#!/usr/bin/env bash
# status.sh: the status route's Prometheus counters move as requests are
# made (by route and outcome, upstream calls by result class, latency
# histogram, workers), and the ready route answers 200 while the
# service can serve.  TAP.
. "${top_srcdir:-.}/tests/ops/opslib.sh"
need cgi-fcgi curl
need_built "$FCGI" "$SIM"
echo "1..15"

start_sim || { echo "Bail out! the simulator did not start"; exit 1; }
write_conf "$tmp/rp.conf"
amelie=$(token_of amelie)
rp_start_fcgi main "$tmp/rp.conf"
sock=$FCGI_SOCK_main

# One scrape into a file; m FILE SERIES prints a value (0 when absent).
scrape() { fcgi_get "$sock" status | tr -d '\r' >"$1"; }
m() {
	v=$(awk -v s="$2" 'index($0, s " ") == 1 { print $2; exit }' "$1")
	echo "${v:-0}"
}
# d SERIES: how much SERIES moved from a.prom to b.prom.
d() { awk -v a="$(m "$tmp/a.prom" "$1")" -v b="$(m "$tmp/b.prom" "$1")" 'BEGIN { print b - a }'; }

scrape "$tmp/a.prom"
head=$(fcgi_get "$sock" status | header Content-Type)
check "status answers the Prometheus text format ($head)" \
	test "$head" = "text/plain; version=0.0.4; charset=utf-8"
check "build info names the version" grep -q '^richprofile_build_info{version="[0-9.]*"} 1$' "$tmp/a.prom"
check "workers: the configured 4" test "$(m "$tmp/a.prom" richprofile_workers)" = 4
check "busy workers: the one answering the scrape" test "$(m "$tmp/a.prom" richprofile_workers_busy)" = 1

# Three views of one signed-in user, one of a signed-out one, an unknown
# route, and a user whose upstream call fails.
for i in 1 2 3; do fcgi_get "$sock" fragment view=card "rp_token=$amelie" >/dev/null; done
fcgi_get "$sock" fragment view=card "" >/dev/null
fcgi_get "$sock" no-such-route >/dev/null
curl -s -X POST "http://127.0.0.1:$SIM_PORT/_control/fault?mode=notxml&for=$(token_of john)" >/dev/null
fcgi_get "$sock" fragment view=card "rp_token=$(token_of john)" >"$tmp/john.out"
fcgi_get "$sock" ping >/dev/null
scrape "$tmp/b.prom"

F='richprofile_requests_total{route="fragment",outcome='
check "fragment ok moved by 3 (got $(d "${F}\"ok\"}"))" test "$(d "${F}\"ok\"}")" = 3
check "fragment signin moved by 1 (got $(d "${F}\"signin\"}"))" test "$(d "${F}\"signin\"}")" = 1
check "fragment unavailable moved by 1 (got $(d "${F}\"unavailable\"}"))" test "$(d "${F}\"unavailable\"}")" = 1
check "ping ok moved by 1" test "$(d 'richprofile_requests_total{route="ping",outcome="ok"}')" = 1
check "an unknown route counts as other/not_found, its name is no label" \
	sh -c '[ "$1" = 1 ] && ! grep -q "no-such-route" "$2"' sh \
	"$(d 'richprofile_requests_total{route="other",outcome="not_found"}')" "$tmp/b.prom"
U='richprofile_upstream_requests_total{result='
ok_calls=$(d "${U}\"ok\"}")
check "upstream ok calls moved by 1: the cache answered the other two (got $ok_calls)" \
	test "$ok_calls" = 1
failed=$(awk '/^richprofile_upstream_requests_total\{/ && !/result="ok"/ { s += $2 } END { print s + 0 }' "$tmp/b.prom")
check "the failed call is counted under its class (non-ok results: $failed)" test "$failed" = 1
check "the latency histogram counts every call" \
	test "$(d richprofile_upstream_duration_seconds_count)" = "$((ok_calls + 1))"
check "the histogram's +Inf bucket equals its count" \
	test "$(m "$tmp/b.prom" 'richprofile_upstream_duration_seconds_bucket{le="+Inf"}')" = \
	"$(m "$tmp/b.prom" richprofile_upstream_duration_seconds_count)"

fcgi_get "$sock" ready >"$tmp/ready.out"
check "ready answers 200 ready" \
	sh -c 'head -1 "$1" | grep -q "^Status: 200" && grep -qx "ready" "$1"' sh "$tmp/ready.out"

# The manual documents every family the program exports.
undoc=$(sed -n 's/^# TYPE \(richprofile_[a-z_]*\) .*/\1/p' "$tmp/b.prom" |
	while read -r f; do grep -q "$f" "$srcdir/man/richprofile-fcgi.8" || echo "$f"; done)
check "richprofile-fcgi(8) documents every metric family${undoc:+ (not: $(echo $undoc))}" test -z "$undoc"
