#!/usr/bin/env bash
# test_refresh.sh: refresh-ahead end to end (nginx with the shipped
# snippet, the program, the simulator answering in 150 ms): a user viewed
# continuously through several TTLs never waits on the API after the
# first view, the API sees about one call per refresh_s, and a user
# nobody views costs no call.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/stack.sh"

rp_stack_init refresh
rp_start_sim slow --delay-ms 150
SIM=http://127.0.0.1:$SIM_PORT_slow
# ttl_s = 2 leaves refresh_s at its default, three quarters of it: 1 s.
rp_write_conf "$RUN/r.conf" "$SIM_URL_slow" cache.ttl_s=2 server.log_file="$RUN/r.log"
rp_write_conf "$RUN/off.conf" "$SIM_URL_slow" cache.ttl_s=2 cache.refresh_s=0 \
	server.log_file="$RUN/off.log"
rp_start_fcgi r "$RUN/r.conf"
rp_start_fcgi off "$RUN/off.conf"
rp_start_nginx r off

sim_calls() {
	curl -s "$SIM/_control/stats?token=$1" | sed 's/.*"requests":\([0-9]*\).*/\1/'
}

# views NGINX-URL TOKEN SECONDS: views every 100 ms for SECONDS; sets
# FIRST (ms of the first view), SLOW (later views of 100 ms or more: a
# view that waited on the API takes at least 150), VIEWS, NOTOK.
views() {
	local url=$1 tok=$2 end n=0
	SLOW=0 NOTOK=0 FIRST=
	end=$(($(date +%s%N) / 1000000 + $3 * 1000))
	while [ $(($(date +%s%N) / 1000000)) -lt "$end" ]; do
		rp_get "$url/richprofile/fragment?view=card" "$tok"
		n=$((n + 1))
		[ "$R_STATUS" = ok ] || NOTOK=$((NOTOK + 1))
		if [ -z "$FIRST" ]; then FIRST=$R_MS
		elif [ "$R_MS" -ge 100 ]; then SLOW=$((SLOW + 1)); fi
		sleep 0.1
	done
	VIEWS=$n
}

TOK=fault:tag=1@$RP_TOK_AMELIE
views "$NGINX_URL_r" "$TOK" 10
calls=$(sim_calls "$TOK")
[ "$FIRST" -ge 150 ]; rp_check $? "the first view waits on the API (${FIRST} ms)"
[ "$NOTOK" -eq 0 ]; rp_check $? "every one of $VIEWS views over 10 s (5 TTLs) shows the card (not ok: $NOTOK)"
[ "$SLOW" -eq 0 ]; rp_check $? "no view after the first waits on the API: $SLOW of $((VIEWS - 1)) took 100 ms or more"
# A refresh starts at the first view after refresh_s, and takes the API's
# 150 ms: one call per 1.2 to 1.5 s with views every 100 to 300 ms.
[ "$calls" -ge 6 ] && [ "$calls" -le 13 ]
rp_check $? "the API saw about one call per refresh_s (1 s): $calls in 10 s (bound 6 .. 13)"
refreshes=$(curl -s "$NGINX_URL_r/richprofile/status" | awk '$1 == "richprofile_cache_refreshes_total" { print $2 }')
[ "${refreshes:-0}" -ge 7 ]; rp_check $? "status counts the refreshes ($refreshes)"
! grep -q "$RP_TOK_AMELIE" "$RUN/r.log"; rp_check $? "no token in the log"

# Nobody views it any more: no refresh, no call.
sleep 3
[ "$(sim_calls "$TOK")" -eq "$calls" ]
rp_check $? "a user nobody views costs no call ($(sim_calls "$TOK") after $calls)"

# Without refresh (refresh_s = 0), the same views wait at each expiry.
TOK2=fault:tag=2@$RP_TOK_AMELIE
views "$NGINX_URL_off" "$TOK2" 5
[ "$SLOW" -ge 2 ]; rp_check $? "control: without refresh_s, views wait at expiry ($SLOW of $((VIEWS - 1)) in 5 s)"

# Withdrawn consent: a refresh that is refused drops the entry, and the
# next view shows the consent prompt (no cached data shown after it).
# Maxime refuses everything at start; he grants on the privacy page,
# his card is kept, then he withdraws his consent there.
TOK3=tok-maxime-c07d5a19e2
card3() { rp_get "$NGINX_URL_r/richprofile/fragment?view=card" "$TOK3"; }
card3
[ "$R_STATUS" = consent ] && rp_consent always "$SIM" "$NGINX_URL_r/account"
rp_check $? "Maxime grants on the privacy page" "$(rp_last)"
card3; card3
[ "$R_STATUS" = ok ] && grep -q Maxime "$R_BODY"
rp_check $? "his card shows (and is kept)" "$(rp_last)"
rp_consent_again refuse "$SIM" "$NGINX_URL_r/account"
rp_check $? "he withdraws his consent"
sleep 1.2
card3
[ "$R_STATUS" = ok ]; rp_check $? "a view within the TTL still shows the cached card, and starts a refresh" "$(rp_last)"
sleep 0.5
card3
[ "$R_STATUS" = consent ] && ! grep -q Maxime "$R_BODY"
rp_check $? "the refused refresh dropped the entry: the next view shows the consent prompt" "$(rp_last)"
rp_tap_done
