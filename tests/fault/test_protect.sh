#!/usr/bin/env bash
# test_protect.sh: the cache, stale-if-error, coalescing, the circuit breaker
# and the consent rules, end to end through nginx, the program and the
# simulator; nginx serves each program with the shipped snippet.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/stack.sh"

rp_stack_init protect
rp_start_sim main
SIM=http://127.0.0.1:$SIM_PORT_main
TOK_MAXIME=tok-maxime-c07d5a19e2

# "short": profiles expire after 1 s but may stand in for 60 s; the
# breaker opens after 3 failures for 4 s.  "long": a 10-minute TTL.
rp_write_conf "$RUN/short.conf" "$SIM_URL_main" cache.ttl_s=1 cache.stale_s=60 \
	breaker.failures=3 breaker.open_ms=4000 server.log_file="$RUN/short.log"
rp_write_conf "$RUN/long.conf" "$SIM_URL_main" cache.ttl_s=600 \
	breaker.failures=0 upstream.timeout_ms=3000 server.log_file="$RUN/long.log"
rp_start_fcgi short "$RUN/short.conf"
rp_start_fcgi long "$RUN/long.conf"
rp_start_nginx short long

# FRESH: a token never seen before, answered as Amélie.  (No comma in a token:
# it is not a cookie octet, so one fault per token.)
tag=0
fresh() {
	tag=$((tag + 1))
	FRESH="fault:tag=$tag@$RP_TOK_AMELIE"
}

# How many API calls the simulator saw for a token.
sim_calls() {
	curl -s "$SIM/_control/stats?token=$1" | sed 's/.*"requests":\([0-9]*\).*/\1/'
}

log_lines() {
	grep -c " request " "$RUN/$1.log" 2>/dev/null
}

# last_log INSTANCE: the last request line.
last_log() {
	grep " request " "$RUN/$1.log" | tail -n 1
}

# card INSTANCE TOKEN: a card view; returns once its log line is written
# (the program logs after answering), so last_log is about this view.
card() {
	local n i url=NGINX_URL_$1
	n=$(log_lines "$1")
	rp_get "${!url}/richprofile/fragment?view=card" "$2"
	for i in $(seq 1 250); do
		[ "$(log_lines "$1")" -gt "$n" ] && return
		sleep 0.02
	done
}

# ---- cache hit ----
card short "$RP_TOK_AMELIE"
[ "$R_STATUS" = ok ] && grep -q Amélie "$R_BODY"
rp_check $? "first view: Amélie's card from the API" "$(rp_last)"
card short "$RP_TOK_AMELIE"
[ "$R_STATUS" = ok ] && grep -q Amélie "$R_BODY" && [ "$(sim_calls "$RP_TOK_AMELIE")" = 1 ]
rp_check $? "second view: from the cache, the API asked once" "$(rp_last; sim_calls "$RP_TOK_AMELIE")"
last_log short | grep -q "note=cache_hit"
rp_check $? "the log says cache_hit" "$(last_log short)"

# ---- stale-if-error ----
sleep 1.1
curl -s -X POST "$SIM/_control/fault?mode=status=500&for=$RP_TOK_AMELIE&count=1" >/dev/null
card short "$RP_TOK_AMELIE"
[ "$R_STATUS" = ok ] && [ "$R_STALE" = 1 ] && grep -q Amélie "$R_BODY"
rp_check $? "API failing after expiry: the expired card, X-RichProfile-Stale: 1" "$(rp_last)"
last_log short | grep -q "upstream=http_status .*note=stale"
rp_check $? "the log names the failure and says stale" "$(last_log short)"
card short "$RP_TOK_AMELIE"
[ "$R_STATUS" = ok ] && [ -z "$R_STALE" ] && grep -q Amélie "$R_BODY"
rp_check $? "API back: a fresh card, no stale header" "$(rp_last)"

# ---- coalescing: 20 concurrent views of one slow miss, one API call ----
# One curl process makes the 20 requests at once (20 processes could be
# too slow to start on a loaded machine to overlap at all).
slow="fault:delay=1500@$RP_TOK_AMELIE"
args=()
for i in $(seq 1 20); do
	args+=(-o "$RUN/co.$i" "$NGINX_URL_long/richprofile/fragment?view=card")
done
curl -s -Z --parallel-immediate --parallel-max 20 -H "Cookie: rp_token=$slow" \
	-w '%{http_code}\n' "${args[@]}" >"$RUN/co.codes"
n=0
for i in $(seq 1 20); do
	grep -q Amélie "$RUN/co.$i" && n=$((n + 1))
done
[ "$n" = 20 ] && [ "$(grep -c '^200$' "$RUN/co.codes")" = 20 ] &&
	[ "$(sim_calls "$slow")" = 1 ]
rp_check $? "20 concurrent views of a slow miss: all served ($n), one API call ($(sim_calls "$slow"))"

# ---- circuit breaker ----
for i in 1 2 3; do
	card short "fault:status=500@$RP_TOK_AMELIE"
done
[ "$R_STATUS" = unavailable ]
rp_check $? "three failures in a row: unavailable" "$(rp_last)"
grep -q "circuit breaker open" "$RUN/short.log"
rp_check $? "the log says the breaker opened" "$(tail -n 3 "$RUN/short.log")"
fresh
healthy=$FRESH
card short "$healthy"
# "At once": the API is not asked, so no wait for it (its timeout is 1 s).
[ "$R_STATUS" = unavailable ] && [ "$R_MS" -lt 500 ] && [ "$(sim_calls "$healthy")" = 0 ]
rp_check $? "breaker open: unavailable at once ($R_MS ms), API not asked" "$(rp_last)"
last_log short | grep -q "upstream=breaker_open"
rp_check $? "the log says breaker_open" "$(last_log short)"
card short "$RP_TOK_AMELIE"
[ "$R_STATUS" = ok ] && [ "$R_STALE" = 1 ] && grep -q Amélie "$R_BODY"
rp_check $? "breaker open: an expired card still stands in, marked stale" "$(rp_last)"
sleep 4.1
card short "$healthy"
[ "$R_STATUS" = ok ] && grep -q Amélie "$R_BODY"
rp_check $? "after open_ms: one probe goes through and succeeds" "$(rp_last)"
fresh
card short "$FRESH"
[ "$R_STATUS" = ok ]
rp_check $? "breaker closed: the next request is served" "$(rp_last)"
grep -q "circuit breaker closed" "$RUN/short.log"
rp_check $? "the log says the breaker closed" "$(tail -n 3 "$RUN/short.log")"

# ---- consent: what the user just gave shows at once ----
# Maxime refuses everything at start.  The consent link of the fragment
# leads to the simulator's privacy page; the form is posted as a browser
# would, then the user comes back to the site.
consent() {
	rp_consent "$1" "$SIM" "$NGINX_URL_long/account"
}

card long "$TOK_MAXIME"
[ "$R_STATUS" = consent ] && grep -q 'class="rp rp-consent' "$R_BODY"
rp_check $? "refused: the consent fragment" "$(rp_last)"
consent once
rp_check $? "consent granted once on the privacy page"
card long "$TOK_MAXIME"
[ "$R_STATUS" = ok ] && grep -q Maxime "$R_BODY"
rp_check $? "back from the privacy page: Maxime's data at once" "$(rp_last)"
card long "$TOK_MAXIME"
[ "$R_STATUS" = consent ] && ! grep -q Maxime "$R_BODY"
rp_check $? "granted once: the next view asks again (nothing kept)" "$(rp_last)"
consent always
rp_check $? "consent granted permanently"
card long "$TOK_MAXIME"
[ "$R_STATUS" = ok ] && grep -q Maxime "$R_BODY"
rp_check $? "back again: Maxime's data" "$(rp_last)"
calls=$(sim_calls "$TOK_MAXIME")
card long "$TOK_MAXIME"
[ "$R_STATUS" = ok ] && [ "$(sim_calls "$TOK_MAXIME")" = $((calls + 1)) ]
rp_check $? "still granted: asked once more, now kept" "$(last_log long; sim_calls "$TOK_MAXIME")"
card long "$TOK_MAXIME"
[ "$R_STATUS" = ok ] && last_log long | grep -q cache_hit
rp_check $? "and from then on served from the cache" "$(last_log long)"

# ---- two users never see each other's data ----
card long "$RP_TOK_AMELIE"
a=$(grep -c Amélie "$R_BODY"); am=$(grep -c Maxime "$R_BODY")
card long "$TOK_MAXIME"
m=$(grep -c Maxime "$R_BODY"); ma=$(grep -c Amélie "$R_BODY")
[ "$a" -gt 0 ] && [ "$am" = 0 ] && [ "$m" -gt 0 ] && [ "$ma" = 0 ]
rp_check $? "cached cards: each user sees only their own"

# ---- what the status route tells an operator ----
rp_get "$NGINX_URL_short/richprofile/status"
grep -Eq '^richprofile_cache_hits_total [1-9]' "$R_BODY" &&
	grep -Eq '^richprofile_cache_stale_total [1-9]' "$R_BODY" &&
	grep -Eq '^richprofile_breaker_opened_total 1$' "$R_BODY" &&
	grep -Eq '^richprofile_breaker_rejected_total 2$' "$R_BODY" &&
	grep -Eq '^richprofile_breaker_state 0$' "$R_BODY"
rp_check $? "metrics: cache hits, stale answers, one breaker opening, two refusals, closed again" \
	"$(grep -E '^richprofile_(cache|breaker)' "$R_BODY")"
rp_get "$NGINX_URL_long/richprofile/status"
awk '$1 == "richprofile_cache_coalesced_total" { c = $2 }
	$1 == "richprofile_cache_hits_total" { h = $2 }
	END { exit !(c >= 1 && c + h >= 19) }' "$R_BODY"
rp_check $? "metrics: the concurrent views waited for one call (or came after it)" \
	"$(grep -E '^richprofile_cache' "$R_BODY")"

rp_tap_done
