#!/usr/bin/env bash
# reload.sh: SIGHUP reloads configuration and templates without dropping
# a request: a request in flight finishes on the old templates, new ones
# get the new; a broken configuration or template is refused with a log
# line and the old one stays in service; the log file is reopened (log
# rotation: with the sandbox, the same file, copytruncate).  TAP.
. "${top_srcdir:-.}/tests/ops/opslib.sh"
need cgi-fcgi curl
need_built "$FCGI" "$SIM"
echo "1..15"

start_sim || { echo "Bail out! the simulator did not start"; exit 1; }
tpl=$tmp/templates
cp -R "$srcdir/conf/templates" "$tpl"
chmod -R u+w "$tpl"
log=$tmp/rp.log
write_conf "$tmp/rp.conf" "$tpl"
sed -i "s|^log_level = info\$|&\nlog_file = $log|" "$tmp/rp.conf"
grep -q "^log_file = $log\$" "$tmp/rp.conf" || { echo "Bail out! bad test configuration"; exit 1; }
good=$tmp/good.conf
cp "$tmp/rp.conf" "$good"

amelie=$(token_of amelie)
john=$(token_of john)
rp_start_fcgi main "$tmp/rp.conf"
sock=$FCGI_SOCK_main
pid=$FCGI_PID_main

frag() { fcgi_get "$sock" fragment view=card "rp_token=$1"; }
# Waits for the n-th log line matching $1.
wait_log() {
	i=0
	while [ "$(grep -c "$1" "$log" 2>/dev/null)" -lt "${2:-1}" ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
}
# A metric's value from the status route.
metric() { fcgi_get "$sock" status | tr -d '\r' | sed -n "s/^$1 //p"; }
# Marks the card template with a version: class="rp-card vN".
mark() { sed -i "s/class=\"rp-card[^\"]*\"/class=\"rp-card $1\"/" "$tpl/card.html"; }

frag "$amelie" >"$tmp/v1.out"
check "the fragment is served from the configured templates" \
	grep -q 'class="rp-card"' "$tmp/v1.out"
mark v2
frag "$amelie" >"$tmp/v1b.out"
check "a changed template file changes nothing before SIGHUP" \
	grep -q 'class="rp-card"' "$tmp/v1b.out"
kill -HUP $pid
wait_log 'SIGHUP: configuration .* reloaded'
frag "$amelie" >"$tmp/v2.out"
check "after SIGHUP new requests get the new template" grep -q 'class="rp-card v2"' "$tmp/v2.out"
check "the reload is logged with its generation" grep -q 'reloaded (generation 2)' "$log"

# A request in flight during a reload finishes on what it started with.
curl -s -X POST "http://127.0.0.1:$SIM_PORT/_control/fault?mode=delay=1200&for=$john" >/dev/null
frag "$john" >"$tmp/slow.out" &
slow=$!
# In flight once the simulator has it (it holds the answer 1.2 s).
i=0
until curl -s "http://127.0.0.1:$SIM_PORT/_control/stats?token=$john" | grep -q '"requests":[1-9]' ||
	[ $i -ge 250 ]; do
	i=$((i + 1)); sleep 0.02
done
mark v3
kill -HUP $pid
wait_log 'SIGHUP: configuration .* reloaded' 2
frag "$amelie" >"$tmp/v3.out"
wait $slow
check "a request started before the reload still gets the old template" \
	grep -q 'class="rp-card v2"' "$tmp/slow.out"
st=$(header X-RichProfile-Status <"$tmp/slow.out")
check "...and its answer is whole (John's card, status $st)" \
	sh -c '[ "$1" = ok ] && grep -q "John" "$2"' sh "$st" "$tmp/slow.out"
check "a request started after the reload gets the new one, at once" grep -q 'class="rp-card v3"' "$tmp/v3.out"

# A broken configuration: refused, logged with file and line, old one kept.
printf '[nonsense]\nkey = 1\n' >>"$tmp/rp.conf"
kill -HUP $pid
wait_log 'reload refused'
check "a broken configuration is refused with a log line naming the file" \
	grep -q "reload refused.*$tmp/rp.conf" "$log"
frag "$amelie" >"$tmp/after-bad.out"
check "...and the running configuration stays in service" grep -q 'class="rp-card v3"' "$tmp/after-bad.out"

# A broken template: the same.
cp "$good" "$tmp/rp.conf"
printf '{{#Firstname}}never closed\n' >"$tpl/card.html"
kill -HUP $pid
wait_log 'reload refused' 2
check "a broken template is refused with a log line naming the template" \
	sh -c 'grep "reload refused" "$1" | tail -1 | grep -q "card.html"' sh "$log"
frag "$amelie" >"$tmp/after-badtpl.out"
check "...and the old templates keep serving" grep -q 'class="rp-card v3"' "$tmp/after-badtpl.out"
gen=$(metric richprofile_config_generation)
fails=$(metric richprofile_config_reload_failures_total)
check "status counts 3 generations and 2 refused reloads (got $gen, $fails)" \
	test "$gen" = 3 -a "$fails" = 2

# Log rotation under the sandbox (on by default), which forbids opening
# files for writing: SIGHUP keeps the open log file; copytruncate works.
cp -R "$srcdir/conf/templates/card.html" "$tpl/card.html"
: >"$log"
kill -HUP $pid
wait_log 'reloaded (generation 4)'
frag "$amelie" >/dev/null
wait_log 'route=fragment'
check "after copytruncate and SIGHUP the log goes on in the same file" \
	sh -c 'grep -q "reloaded (generation 4)" "$1" && grep -q "route=fragment" "$1"' sh "$log"
# A new log_file cannot be opened in the sandbox: refused, and says so.
sed -i "s|^log_file = .*|log_file = $tmp/other.log|" "$tmp/rp.conf"
kill -HUP $pid
wait_log 'reload refused' 3
check "a new log_file is refused under the sandbox, saying it takes a restart" \
	sh -c 'grep "reload refused" "$1" | tail -1 | grep -q "log_file changed.*takes a restart" && [ ! -e "$2" ]' sh "$log" "$tmp/other.log"

kill -TERM $pid
wait $pid
rc=$?
check "SIGTERM after reloads stops it cleanly (status $rc)" test $rc -eq 0
