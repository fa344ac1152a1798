#!/usr/bin/env bash
# test_shared_refresh.sh: refresh-ahead on several servers.  Three
# programs sharing a real redis-server behind one nginx upstream in round
# robin (the shipped snippet), ttl_s = 2 and so refresh_s = 1, against
# the simulator answering in 100 ms: one server refreshes a hot user's
# entry (the shared tier's SET NX PX lock), the others keep serving
# theirs and then Redis's; the API sees about one call per refresh_s for
# the whole site, and views after the first next to never wait on it.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/stack.sh"
. "$rp_srcdir/tests/lib/redis.sh"

rp_need_redis
TOOL=$rp_builddir/cgi/cli/richprofile
rp_stack_init shrefresh
rp_start_sim slow --delay-ms 100
SIM=http://127.0.0.1:$SIM_PORT_slow
rp_start_redis main
key=$RUN/shared.key
"$TOOL" keygen "$key" >/dev/null 2>&1 || rp_die "richprofile keygen failed"
for n in a b c; do
	# shellcheck disable=SC2046
	rp_write_conf "$RUN/$n.conf" "$SIM_URL_slow" cache.ttl_s=2 server.threads=16 \
		server.log_file="$RUN/$n.log" $(rp_shared_conf main "$key")
	rp_start_fcgi "$n" "$RUN/$n.conf"
done
port=$(rp_free_port)
RP_NGINX_HTTP="$(rp_nginx_pool hot "$port" a b c)"
rp_start_nginx a
POOL=http://127.0.0.1:$port
rp_wait_for "curl -so /dev/null $POOL/richprofile/ping" "the pool"

sim_calls() {
	curl -s "$SIM/_control/stats?token=$1" | sed 's/.*"requests":\([0-9]*\).*/\1/'
}

TOK=fault:tag=7@$RP_TOK_AMELIE
slow=0 n=0 notok=0
end=$(($(date +%s) + 8))
while [ "$(date +%s)" -lt "$end" ]; do
	rp_get "$POOL/richprofile/fragment?view=card" "$TOK"
	n=$((n + 1))
	[ "$R_STATUS" = ok ] || notok=$((notok + 1))
	# The first view on each server may wait: the first on the API, the
	# others on Redis at most.
	[ "$n" -gt 3 ] && [ "$R_MS" -ge 100 ] && slow=$((slow + 1))
	sleep 0.1
done
calls=$(sim_calls "$TOK")
[ "$notok" -eq 0 ]; rp_check $? "every one of $n views over 8 s (4 TTLs, 3 servers) shows the card"
# Without refresh-ahead each server's entry would make a view wait at
# every expiry: about 12 in 8 s.  With it, a server that left the refresh
# to another finds the refreshed profile in Redis when its own expires;
# it still waits when Redis holds no fresh copy by then (seen once under
# load: the lock's holder had not refreshed it in time): at most one.
[ "$slow" -le 1 ]; rp_check $? "at most one view after each server's first waits on the API ($slow took 100 ms or more; about 12 would without refresh-ahead)"
# One server refreshes per refresh_s (1 s, plus a view interval and the
# API's 100 ms): 5 to 10 calls; each server refreshing on its own would
# make about three times as many.
[ "$calls" -ge 3 ] && [ "$calls" -le 11 ]
rp_check $? "the whole site asked the API $calls times in 8 s (bound 3 .. 11: one refresh per refresh_s)"
elsewhere=0
for n in a b c; do
	e=$(curl -s "$POOL/richprofile/status" | awk '$1 == "richprofile_cache_refresh_elsewhere_total" { print $2 }')
	elsewhere=$((elsewhere + ${e:-0}))
done
[ "$elsewhere" -ge 1 ]; rp_check $? "servers left refreshes to the one holding the lock (status: $elsewhere seen)"
rp_tap_done
