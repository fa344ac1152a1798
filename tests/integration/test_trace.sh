#!/usr/bin/env bash
# test_trace.sh: W3C Trace Context from the browser, through nginx (the
# shipped snippet passes request headers as HTTP_* parameters) and the
# program, to the API: a valid traceparent and tracestate reach the
# simulator unchanged, malformed ones do not, [server] trace = generate
# starts valid ones, the trace id is in the log line, and nothing else of
# the browser's headers reaches the API.  TAP.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/stack.sh"

rp_stack_init trace
rp_start_sim main
SIM=http://127.0.0.1:$SIM_PORT_main
rp_write_conf "$RUN/prop.conf" "$SIM_URL_main" server.log_file="$RUN/prop.log"
rp_write_conf "$RUN/gen.conf" "$SIM_URL_main" server.trace=generate \
	server.log_file="$RUN/gen.log"
rp_start_fcgi prop "$RUN/prop.conf"
rp_start_fcgi gen "$RUN/gen.conf"
rp_start_nginx prop gen

TP=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
TS='rojo=00f067aa0ba902b7,congo=t61rcWkgMzE'

# A token never seen before (no cache hit), answered as Amélie.
tag=0
fresh() {
	tag=$((tag + 1))
	FRESH="fault:tag=$((7000 + tag))@$RP_TOK_AMELIE"
}

# sim_header TOKEN NAME: the value of header NAME (case-insensitive) of
# the token's last API call, or nothing; sim_names TOKEN: every name.
sim_json() { curl -s "$SIM/_control/stats?token=$1"; }
sim_header() {
	sim_json "$1" | python3 -c 'import json, sys
for n, v in json.load(sys.stdin)["headers"]:
    if n.lower() == sys.argv[1].lower(): print(v)' "$2"
}
sim_names() {
	sim_json "$1" | python3 -c 'import json, sys
print(" ".join(sorted(n.lower() for n, v in json.load(sys.stdin)["headers"])))'
}

# card INSTANCE TOKEN [CURL-OPTION...]: a card view through nginx.
card() {
	local url=NGINX_URL_$1 tok=$2
	shift 2
	rp_get "${!url}/richprofile/fragment?view=card" "$tok" "$@"
}

fresh
card prop "$FRESH" -H "traceparent: $TP" -H "tracestate: $TS"
[ "$R_STATUS" = ok ] && [ "$(sim_header "$FRESH" traceparent)" = "$TP" ] &&
	[ "$(sim_header "$FRESH" tracestate)" = "$TS" ]
rp_check $? "a valid traceparent and tracestate reach the API unchanged" \
	"$(rp_last; sim_json "$FRESH")"
rp_poll "grep -q ' trace=4bf92f3577b34da6a3ce929d0e0e4736' '$RUN/prop.log'"
rp_check $? "the request's log line has the trace id" "$(tail -n 2 "$RUN/prop.log")"

bad=(
	"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"
	"00-00000000000000000000000000000000-00f067aa0ba902b7-01"
	"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"
	"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"
	"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7"
	"hello"
)
leaked=
for b in "${bad[@]}"; do
	fresh
	card prop "$FRESH" -H "traceparent: $b" -H "tracestate: $TS"
	[ "$R_STATUS" = ok ] || leaked="$leaked [not served: $b]"
	[ -z "$(sim_header "$FRESH" traceparent)$(sim_header "$FRESH" tracestate)" ] ||
		leaked="$leaked [$b]"
done
[ -z "$leaked" ]
rp_check $? "malformed traceparents (${#bad[@]} kinds) never reach the API, nor tracestate with them" "$leaked"

fresh
card prop "$FRESH" -H "traceparent: $TP" -H "tracestate: Rojo=1,rojo=2=3"
[ "$(sim_header "$FRESH" traceparent)" = "$TP" ] && [ -z "$(sim_header "$FRESH" tracestate)" ]
rp_check $? "a malformed tracestate is dropped, the valid traceparent still goes" "$(sim_json "$FRESH")"

fresh
card prop "$FRESH"
[ -z "$(sim_header "$FRESH" traceparent)" ]
rp_check $? "propagate: no traceparent came, none is sent" "$(sim_json "$FRESH")"

fresh
card gen "$FRESH"
g=$(sim_header "$FRESH" traceparent)
[[ $g =~ ^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$ ]] && [[ $g != 00-00000000000000000000000000000000-* ]] &&
	[[ $g != *-0000000000000000-* ]]
rp_check $? "generate: a valid traceparent is started ($g)" "$(sim_json "$FRESH")"
id=${g:3:32}
rp_poll "grep -q ' trace=$id' '$RUN/gen.log'"
rp_check $? "...and its trace id is in the log line" "$(tail -n 2 "$RUN/gen.log")"
fresh
card gen "$FRESH" -H "traceparent: $TP"
[ "$(sim_header "$FRESH" traceparent)" = "$TP" ]
rp_check $? "generate: a valid incoming traceparent is kept" "$(sim_json "$FRESH")"

# Nothing else of the browser's: only what the client itself sends.
fresh
card prop "$FRESH" -H "traceparent: $TP" -H "tracestate: $TS" \
	-H "User-Agent: EvilBrowser/1.0" -H "Referer: http://evil.example/" \
	-H "Accept-Language: de" -H "Authorization: Bearer secret" \
	-H "X-Forwarded-For: 10.0.0.1" -H "X-Custom: leak" -H "Accept: text/html"
names=$(sim_names "$FRESH")
[ "$names" = "accept host traceparent tracestate user-agent" ] &&
	[[ $(sim_header "$FRESH" user-agent) == richprofile/* ]] &&
	[[ $(sim_header "$FRESH" accept) == application/xml* ]]
rp_check $? "no other header of the browser's reaches the API (got: $names)" "$(sim_json "$FRESH")"
rp_tap_done
