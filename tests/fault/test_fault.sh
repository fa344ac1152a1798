#!/usr/bin/env bash
# test_fault.sh: every way the API can fail, through nginx (the shipped
# snippet) and the real program.
# Each fault must give the `unavailable` fragment within [upstream]
# timeout_ms + 100 ms, leave the program serving the next request, and be
# counted in the program's log by its class (upstream=CLASS).
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/stack.sh"

TIMEOUT_MS=1000
BOUND_MS=$((TIMEOUT_MS + 100))

rp_stack_init fault

# Certificates: the simulator serves one for 127.0.0.1; the program trusts
# either that one (control) or another CA (the wrong one).
for n in good other; do
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 -keyout "$RUN/$n.key" \
		-out "$RUN/$n.pem" >/dev/null 2>&1 || rp_die "openssl cannot make a test certificate"
done

rp_start_sim main
rp_start_sim tls --tls-cert "$RUN/good.pem" --tls-key "$RUN/good.key"
closed=$(rp_free_port)    # nothing listens there: connections are refused

# Faults must not trip the breaker here (it has its own test below).
common=(upstream.timeout_ms=$TIMEOUT_MS upstream.connect_timeout_ms=500 breaker.failures=0
	server.threads=4)
rp_write_conf "$RUN/main.conf" "$SIM_URL_main" "${common[@]}" server.log_file="$RUN/main.log"
rp_write_conf "$RUN/refused.conf" "http://127.0.0.1:$closed/PersonalRichProfile/V1" \
	"${common[@]}" server.log_file="$RUN/refused.log"
tls_url=${SIM_URL_tls/http:/https:}
rp_write_conf "$RUN/tlsbad.conf" "$tls_url" "${common[@]}" \
	upstream.ca_file="$RUN/other.pem" server.log_file="$RUN/tlsbad.log"
rp_write_conf "$RUN/tlsgood.conf" "$tls_url" "${common[@]}" \
	upstream.ca_file="$RUN/good.pem" server.log_file="$RUN/tlsgood.log"
for n in main refused tlsbad tlsgood; do
	rp_start_fcgi "$n" "$RUN/$n.conf"
done
# One nginx server per program, each on its own port.
rp_start_nginx main refused tlsbad tlsgood

tag=0
# FRESH: a token never seen before, answered as Amélie (a real upstream
# call, not a cache hit).
fresh() {
	tag=$((tag + 1))
	FRESH="fault:tag=$tag@$RP_TOK_AMELIE"
}

# rp_log_count LOG PATTERN: request lines of LOG matching PATTERN.
log_count() {
	grep -c " request .*$2" "$1" 2>/dev/null || true
}

# fault_case INSTANCE TOKEN WHAT CLASS-REGEX: CLASS-REGEX matches what
# follows "upstream=" in the request's log line.
fault_case() {
	local inst=$1 token=$2 what=$3 class=$4 log=$RUN/$1.log url before after i first
	url=NGINX_URL_$inst
	url=${!url}
	before=$(log_count "$log" "route=fragment")
	rp_get "$url/richprofile/fragment?view=card" "$token"
	[ "$R_HTTP" = 200 ] && [ "$R_STATUS" = unavailable ] &&
		grep -q 'class="rp rp-unavailable' "$R_BODY"
	rp_check $? "$what: the unavailable fragment" "$(rp_last)"
	first=$R_MS
	for i in 1 2; do
		[ "$R_MS" -le "$BOUND_MS" ] && break
		# Other builds share this machine: a late answer is tried again
		# (twice at most); a program that does not bound the wait is
		# late every time.
		before=$(log_count "$log" "route=fragment")
		rp_get "$url/richprofile/fragment?view=card" "$token"
		first="$first ms, then $R_MS"
	done
	[ "$R_MS" -le "$BOUND_MS" ] && [ "$R_STATUS" = unavailable ]
	rp_check $? "$what: answered in $first ms (bound $BOUND_MS ms)"
	# The log line is written once the answer is out: wait for it.
	for i in $(seq 1 40); do
		after=$(log_count "$log" "route=fragment")
		[ "$after" -gt "$before" ] && break
		sleep 0.05
	done
	tail -n 1 "$log" | grep -Eq " request .*status=unavailable .*upstream=($class) "
	rp_check $? "$what: counted in the log as $class" "$(tail -n 2 "$log")"
	# The next request is served normally (a control token where the
	# upstream itself is broken: it is unavailable again, promptly).
	if [ "$inst" = main ]; then
		fresh
		rp_get "/richprofile/fragment?view=card" "$FRESH"
		[ "$R_STATUS" = ok ] && grep -q 'Amélie' "$R_BODY"
		rp_check $? "$what: the next request is served (a new API call)" "$(rp_last)"
	else
		rp_get "$url/richprofile/ping"
		[ "$R_HTTP" = 200 ]
		rp_check $? "$what: the program still answers" "$(rp_last)"
	fi
}

fresh
rp_get "/richprofile/fragment?view=card" "$FRESH"
[ "$R_STATUS" = ok ] && grep -q 'Amélie' "$R_BODY"
rp_check $? "control: a healthy upstream gives Amélie's card" "$(rp_last)"

fresh
fault_case refused "$FRESH" "connection refused" refused
fault_case main "fault:stall@$RP_TOK_AMELIE" "accepts and never answers" timeout
fault_case main "fault:stallbody@$RP_TOK_AMELIE" "stops mid-body" "timeout|too_slow"
fault_case main "fault:delay=$((TIMEOUT_MS + 500))@$RP_TOK_AMELIE" "slower than the timeout" timeout
fault_case main "fault:slow=20@$RP_TOK_AMELIE" "trickles the body" "timeout|too_slow"
fault_case main "fault:status=500@$RP_TOK_AMELIE" "HTTP 500" http_status
fault_case main "fault:status=503@$RP_TOK_AMELIE" "HTTP 503" http_status
fault_case main "fault:code=504@$RP_TOK_AMELIE" "API error 504" "ok upstream_http=200 upstream_code=504"
fault_case main "fault:notxml@$RP_TOK_AMELIE" "HTML instead of XML" malformed
fault_case main "fault:truncate@$RP_TOK_AMELIE" "truncated XML" malformed
fault_case main "fault:short@$RP_TOK_AMELIE" "body shorter than announced" reset
fault_case main "fault:reset@$RP_TOK_AMELIE" "reset mid-body" reset
fault_case main "fault:drop@$RP_TOK_AMELIE" "closed without an answer" reset
fault_case main "fault:oversize@$RP_TOK_AMELIE" "oversized body" too_large
fault_case main "fault:redirect@$RP_TOK_AMELIE" "3xx redirect" redirect
fault_case tlsbad "$RP_TOK_AMELIE" "TLS certificate from a CA not trusted" tls

rp_get "$NGINX_URL_tlsgood/richprofile/fragment?view=card" "$RP_TOK_AMELIE"
[ "$R_STATUS" = ok ] && grep -q 'Amélie' "$R_BODY"
rp_check $? "control: the same TLS simulator with the right CA works" "$(rp_last)"

rp_tap_done
