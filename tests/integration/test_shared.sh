#!/usr/bin/env bash
# test_shared.sh: a site on several servers: three richprofile-fcgi
# processes behind one nginx (an upstream in round robin, the shipped
# snippet) sharing a real redis-server, against the simulator: one API
# call per user whatever the process, "grant once" honest across them,
# the configuration checks, keygen, a Unix socket, status and ready.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/stack.sh"
. "$rp_srcdir/tests/lib/redis.sh"

rp_need_redis
CLIENT=$rp_builddir/tests/soak/soak-client
TOOL=$rp_builddir/cgi/cli/richprofile
[ -x "$CLIENT" ] || rp_die "$CLIENT is not built (make check builds it)"
USERS=${RP_SHARED_USERS:-300}
VIEWS=12

rp_stack_init shared

# Users with a marker only their answers carry, and the demo users (Maxime
# refuses everything until he consents).
users=$RUN/users.conf
expect=$RUN/expect.tsv
cp "$rp_srcdir/conf/sim-users.conf" "$users"
: >"$expect"
for i in $(seq 1 "$USERS"); do
	printf '[user sh%s]\ntoken = tok-shared-%s\nFirstname = Shareduser%s\nLastname = Shareduser%s\nDisplayname = Shareduser%s\nCentersOfInterests = Voile, Shareduser%s\n' \
		"$i" "$i" "$i" "$i" "$i" "$i" >>"$users"
	printf 'tok-shared-%s\tok\tShareduser%s\n' "$i" "$i" >>"$expect"
done
RP_SIM_USERS=$users rp_start_sim main
SIM=http://127.0.0.1:$SIM_PORT_main
TOK_MAXIME=tok-maxime-c07d5a19e2

rp_start_redis main
rp_start_redis sock unix

# ---- the key file ----
key=$RUN/shared.key
"$TOOL" keygen "$key" >"$RUN/keygen.out" 2>&1
rp_check $? "richprofile keygen writes a key file" "$(cat "$RUN/keygen.out")"
[ "$(stat -c %a "$key")" = 600 ] && [ "$(tr -d '\n' <"$key" | wc -c)" = 64 ]
rp_check $? "the key file: mode 0600, 64 hex characters"
"$TOOL" keygen "$key" >"$RUN/keygen2.out" 2>&1
[ $? -ne 0 ] && grep -q "never replaced" "$RUN/keygen2.out"
rp_check $? "keygen refuses to replace a key file" "$(cat "$RUN/keygen2.out")"

conf() { # NAME [KEY=VALUE...]: a program's configuration sharing Redis "main"
	local name=$1
	shift
	# shellcheck disable=SC2046
	rp_write_conf "$RUN/$name.conf" "$SIM_URL_main" server.threads=16 \
		server.log_file="$RUN/$name.log" $(rp_shared_conf main "$key") "$@"
}
for n in a b c; do conf "$n"; done
# The same three without the shared tier, for the comparison.
for n in x y z; do
	rp_write_conf "$RUN/$n.conf" "$SIM_URL_main" server.threads=16 \
		server.log_file="$RUN/$n.log"
done
# Two more on the Unix socket.
conf d shared.redis="$REDIS_ADDR_sock"
conf e shared.redis="$REDIS_ADDR_sock"

# ---- configuration checks ----
"$RP_FCGI" -t -c "$RUN/a.conf" >"$RUN/t.out" 2>&1
rp_check $? "richprofile-fcgi -t: Redis answers PING" "$(cat "$RUN/t.out")"
grep -q "Redis answers PING" "$RUN/t.out"
rp_check $? "-t says Redis was asked" "$(cat "$RUN/t.out")"
conf down shared.redis="tcp:127.0.0.1:$(rp_free_port)"
"$RP_FCGI" -t -c "$RUN/down.conf" >"$RUN/t-down.out" 2>&1
# A warning, not a failure: the units run -t before each start, and a
# Redis down must never keep the program from serving.
[ $? -eq 0 ] && grep -q "warning: .*cannot connect" "$RUN/t-down.out" &&
	grep -q "Redis does not answer" "$RUN/t-down.out"
rp_check $? "-t with nothing listening: a warning saying what to check, exit 0" "$(cat "$RUN/t-down.out")"
"$TOOL" check-config -c "$RUN/a.conf" >"$RUN/cc.out" 2>&1 &&
	grep -q "^\[shared\]" "$RUN/cc.out" && grep -q "^timeout_ms = 50" "$RUN/cc.out" &&
	grep -q "^prefix = rp:" "$RUN/cc.out"
rp_check $? "check-config prints [shared] as understood" "$(cat "$RUN/cc.out")"
cp "$key" "$RUN/open.key" && chmod 644 "$RUN/open.key"
conf open shared.key_file="$RUN/open.key"
"$TOOL" check-config -c "$RUN/open.conf" >"$RUN/cc-open.out" 2>&1
rc=$?
[ $rc = 2 ] && grep -q "readable by every user" "$RUN/cc-open.out" && grep -q "chmod o-rw" "$RUN/cc-open.out"
rp_check $? "a world-readable key file is refused, with the fix (exit $rc)" "$(cat "$RUN/cc-open.out")"
"$RP_FCGI" -t -c "$RUN/open.conf" >"$RUN/t-open.out" 2>&1
[ $? -ne 0 ] && grep -q "readable by every user" "$RUN/t-open.out"
rp_check $? "... and by richprofile-fcgi at start" "$(cat "$RUN/t-open.out")"
conf nokey shared.key_file=
"$TOOL" check-config -c "$RUN/nokey.conf" >"$RUN/cc-nokey.out" 2>&1
[ $? = 2 ] && grep -q "key_file: missing while redis is set" "$RUN/cc-nokey.out" &&
	grep -q "richprofile keygen" "$RUN/cc-nokey.out"
rp_check $? "redis without key_file: refused, naming keygen" "$(cat "$RUN/cc-nokey.out")"

for n in a b c x y z d e; do rp_start_fcgi "$n" "$RUN/$n.conf"; done

# One nginx: a round-robin upstream of a, b, c (shared) and one of x, y, z
# (not shared), each through the shipped snippet; and a server per
# program for the views that must land on one of them.
ports=($(rp_free_port 2))
RP_NGINX_HTTP="$(rp_nginx_pool shared "${ports[0]}" a b c; rp_nginx_pool solo "${ports[1]}" x y z)"
rp_start_nginx a b c d e
SHARED=http://127.0.0.1:${ports[0]}
SOLO=http://127.0.0.1:${ports[1]}
rp_wait_for "curl -so /dev/null $SHARED/richprofile/ping" "the shared pool"

api_calls() {
	curl -s "$SIM/_control/stats?summary=1" | sed 's/.*"api_requests":\([0-9]*\).*/\1/'
}

# ---- 300 users x 12 views spread over three processes ----
# Coalescing is per process: two first views of one user arriving at
# once on two processes both call the API.  16 clients picking users at
# random make a few such pairs (32 made about 11 in 300 users).
run_users() { # BASE OUT: USERS x VIEWS card views from 16 clients
	"$CLIENT" --url "$1/richprofile/fragment?view=card" --users "$expect" \
		--prefix Shareduser --threads 16 --requests $((USERS * VIEWS)) >"$2" 2>&1
}
before=$(api_calls)
run_users "$SHARED" "$RUN/load-shared.out"
rc=$?
shared_calls=$(($(api_calls) - before))
rp_check $rc "shared: $(head -n 1 "$RUN/load-shared.out")" "$(cat "$RUN/load-shared.out")"
per_shared=$(awk -v c="$shared_calls" -v u="$USERS" 'BEGIN { printf "%.3f", c / u }')
awk -v c="$shared_calls" -v u="$USERS" 'BEGIN { exit !(c / u <= 1.05) }'
rp_check $? "with [shared]: $per_shared API calls per user ($shared_calls for $USERS users, bound 1.05)"
before=$(api_calls)
run_users "$SOLO" "$RUN/load-solo.out"
rc=$?
solo_calls=$(($(api_calls) - before))
rp_check $rc "not shared: $(head -n 1 "$RUN/load-solo.out")" "$(cat "$RUN/load-solo.out")"
per_solo=$(awk -v c="$solo_calls" -v u="$USERS" 'BEGIN { printf "%.3f", c / u }')
awk -v c="$solo_calls" -v u="$USERS" 'BEGIN { exit !(c / u >= 2.5) }'
rp_check $? "without [shared]: $per_solo API calls per user (about 3 expected)"
for n in a b c; do
	curl -s "$(eval echo "\$NGINX_URL_$n")/richprofile/status" >"$RUN/status-$n.txt"
done
hits=$(cat "$RUN"/status-[abc].txt | awk '/^richprofile_shared_hits_total / { s += $2 } END { print s + 0 }')
[ "$hits" -gt 0 ]
rp_check $? "status: richprofile_shared_hits_total over a, b, c is $hits"
for m in richprofile_shared_misses_total richprofile_shared_stored_total \
	'richprofile_shared_errors_total{class="timeout"}' richprofile_shared_breaker_state \
	'richprofile_shared_operation_seconds_bucket{le="+Inf"}' richprofile_shared_operation_seconds_count; do
	grep -qF "$m " "$RUN/status-a.txt" || { echo "# missing $m"; false; } || break
done
rp_check $? "status: misses, stored, errors by class, breaker state, latency histogram"
curl -s "$NGINX_URL_a/richprofile/ready" >"$RUN/ready.txt"
[ "$(cat "$RUN/ready.txt")" = ready ]
rp_check $? "ready, with no note while Redis answers" "$(cat "$RUN/ready.txt")"

# ---- grant once across servers ----
# card NAME TOKEN: a card view from program NAME alone.
card() {
	local url=NGINX_URL_$1
	rp_get "${!url}/richprofile/fragment?view=card" "$2"
}
consent() {
	rp_consent "$1" "$SIM" "$NGINX_URL_a/account"
}
card a "$TOK_MAXIME"
[ "$R_STATUS" = consent ] && ! grep -q Maxime "$R_BODY"
rp_check $? "grant once: refused on A, the consent prompt" "$(rp_last)"
consent once
rp_check $? "grant once: consent given once on the privacy page"
card b "$TOK_MAXIME"
[ "$R_STATUS" = ok ] && grep -q Maxime "$R_BODY"
rp_check $? "grant once: the next view, on B, shows the data" "$(rp_last)"
grep " request " "$RUN/b.log" | tail -n 1 | grep -q "note=grant_once"
rp_check $? "grant once: B's log says grant_once (served, kept nowhere)" "$(grep " request " "$RUN/b.log" | tail -n 1)"
for n in a b c a; do
	card "$n" "$TOK_MAXIME"
	[ "$R_STATUS" = consent ] && ! grep -q Maxime "$R_BODY"
	rp_check $? "grant once: the next view on $n asks again" "$(rp_last)"
done
consent always
maxime_calls() {
	curl -s "$SIM/_control/stats?token=$TOK_MAXIME" | sed 's/.*"requests":\([0-9]*\).*/\1/'
}
# Each program saw the refusal: each asks the API once more before a
# granted answer is kept anywhere (the refusal may be all Redis missed),
# then the data is kept and shared.
c0=$(maxime_calls)
all_ok=0
for n in c a b c a b; do
	card "$n" "$TOK_MAXIME"
	[ "$R_STATUS" = ok ] && grep -q Maxime "$R_BODY" || all_ok=1
done
rp_check $all_ok "granted permanently: the data on C, A and B" "$(rp_last)"
c1=$(maxime_calls)
for n in a b c; do card "$n" "$TOK_MAXIME"; done
c2=$(maxime_calls)
[ "$R_STATUS" = ok ] && [ $((c1 - c0)) -le 4 ] && [ "$c2" = "$c1" ]
rp_check $? "granted permanently: $((c1 - c0)) API calls over six views, then kept (none over three more)" "$(rp_last)"

# ---- a Unix socket ----
card d "$RP_TOK_AMELIE"
card e "$RP_TOK_AMELIE"
[ "$R_STATUS" = ok ] && grep -q Amélie "$R_BODY" &&
	grep " request " "$RUN/e.log" | tail -n 1 | grep -q "note=shared_hit"
rp_check $? "Redis on a Unix socket: a card kept by D is a shared hit on E" "$(grep " request " "$RUN/e.log" | tail -n 1)"

# ---- every answer belonged to its cookie (the soak client checked) ----
grep -q "wrong 0 (transport 0)" "$RUN/load-shared.out" && grep -q "wrong 0 (transport 0)" "$RUN/load-solo.out"
rp_check $? "every answer of both runs belonged to the cookie that asked"
echo "# API calls per user: $per_shared with [shared], $per_solo without ($USERS users x $VIEWS views, 3 processes)"
rp_tap_done
