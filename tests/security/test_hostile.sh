#!/usr/bin/env bash
# test_hostile.sh: requests no browser sends, through nginx (the shipped
# snippet) to the program.
# Each gets the right answer (sign-in for an unusable token, 400 for a bad
# query or view), nothing of it is echoed unescaped, and the program
# keeps serving.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/stack.sh"

rp_stack_init hostile
# Around the snippet: nginx's default header buffers (8 KiB) would refuse
# the large cookies below before the program could.
RP_NGINX_HTTP='large_client_header_buffers 4 128k;'
rp_start_sim main
rp_write_conf "$RUN/h.conf" "$SIM_URL_main" server.threads=4 server.log_file="$RUN/fcgi.log"
rp_start_fcgi main "$RUN/h.conf"
rp_start_nginx main
CARD="/richprofile/fragment?view=card"

# expect WHAT HTTP STATUS [FORBIDDEN...]: checks the last answer: its HTTP
# status, its X-RichProfile-Status ("" for none) and that none of the
# forbidden strings appears in the body, then that the program still
# serves Amélie.
expect() {
	local what=$1 http=$2 st=$3 bad ok=0 diag
	shift 3
	diag=$(rp_last)
	[ "$R_HTTP" = "$http" ] && [ "$R_STATUS" = "$st" ] || ok=1
	for bad in "$@"; do
		grep -qF -- "$bad" "$R_BODY" && { ok=1; diag="$diag
echoed: $bad"; }
	done
	rp_check $ok "$what: HTTP $http${st:+, $st}, nothing echoed" "$diag"
}

alive() {
	rp_get "$CARD" "$RP_TOK_AMELIE"
	[ "$R_STATUS" = ok ] && grep -q Amélie "$R_BODY"
	rp_check $? "still serving after: $1" "$(rp_last)"
}

# nginx cannot pass a 64 KiB header over FastCGI (a record holds at most
# 65535 bytes): it answers by itself, the program never sees it.  A cookie
# just under that size reaches the program, which refuses the token.
big=$(head -c 65536 /dev/zero | tr '\0' 'A')
rp_get "$CARD" "$big"
[ "$R_HTTP" -ge 400 ] && [ -z "$R_STATUS" ] && ! grep -q AAAAAAAAAAAAAAAA "$R_BODY"
rp_check $? "a 64 KiB cookie: refused by nginx ($R_HTTP), nothing echoed" "$(rp_last)"
big=$(head -c 60000 /dev/zero | tr '\0' 'A')
rp_get "$CARD" "$big"
expect "a 60 kB cookie" 200 signin AAAAAAAAAAAAAAAA
alive "huge cookies"

many=$(for i in $(seq 1 3000); do printf 'c%d=v%d; ' "$i" "$i"; done)
rp_get "$CARD" "" -H "Cookie: rp_token=$RP_TOK_AMELIE; $many"
expect "3000 cookies after the session cookie" 200 ok c2999=v2999
grep -q Amélie "$R_BODY"
rp_check $? "3000 cookies after the session cookie: Amélie's card"
rp_get "$CARD" "" -H "Cookie: ${many}rp_token=$RP_TOK_AMELIE"
expect "the session cookie after 3000 others (beyond what is read)" 200 signin c2999
alive "thousands of cookies"

for t in 'a"b' "a'b<script>" 'tok;evil' 'a\b' $'tok\xff\xfe' $'\xc3\x28' 'tok%00x' 'tok%0d%0aSet-Cookie:x' 'a&b=c#d' 'tok%2F..%2F'; do
	rp_get "$CARD" "$t"
	expect "token $(printf '%q' "$t")" 200 signin "$t" '<script>'
done
alive "hostile tokens"

# Bytes nginx refuses itself (NUL, bare CR or LF in a header): a 400
# from nginx, and the program never sees them.
raw() {
	python3 - "$NGINX_PORT" "$1" <<-'PY'
	import socket, sys
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
	s.sendall(b"GET /richprofile/fragment?view=card HTTP/1.1\r\nHost: x\r\nCookie: rp_token=" +
	          bytes.fromhex(sys.argv[2]) + b"\r\nConnection: close\r\n\r\n")
	data = b""
	while True:
	    b = s.recv(65536)
	    if not b:
	        break
	    data += b
	print(data.split(b" ", 2)[1].decode())
	PY
}
for hex in 746f6b00656e64 746f6b0d656e64; do
	code=$(raw "$hex")
	[ "$code" = 400 ] || [ "$code" = 200 ]
	rp_check $? "raw token bytes $hex: answered ($code), not crashed"
done
alive "raw control bytes"

longq=$(head -c 10000 /dev/zero | tr '\0' 'q')
rp_get "/richprofile/fragment?view=card&x=$longq" "$RP_TOK_AMELIE"
expect "a 10 kB query string" 400 "" qqqqqqqqqqqqqqqq
rp_get "/richprofile/fragment?view=%3Cscript%3Ealert(1)%3C/script%3E" "$RP_TOK_AMELIE"
expect "a view name with markup" 400 "" '<script>' 'alert(1)'
rp_get "/richprofile/fragment?view=nosuchview" "$RP_TOK_AMELIE"
expect "an unknown view" 400 "" nosuchview
rp_get "/richprofile/fragment?view=..%2F..%2Fetc%2Fpasswd" "$RP_TOK_AMELIE"
expect "a view that is a path" 400 "" passwd
rp_get "/richprofile/fragment?view=card%00x" "$RP_TOK_AMELIE"
expect "a view with %00" 400 ""
rp_get "/richprofile/fragment?view=card&return=javascript:alert(1)" tok-maxime-c07d5a19e2
expect "return=javascript: on a consent answer" 200 consent 'javascript:' 'alert(1)'
rp_get "/richprofile/fragment?view=card&return=//evil.example/x" tok-maxime-c07d5a19e2
expect "return=//evil.example on a consent answer" 200 consent 'evil.example'
rp_get "/richprofile/fragment?view=card&return=/a%0d%0aSet-Cookie:x=1" tok-maxime-c07d5a19e2
expect "return with CR LF" 200 consent 'Set-Cookie'
! grep -qi '^set-cookie' "$R_HDR"
rp_check $? "return with CR LF: no header injected" "$(cat "$R_HDR")"
rp_get "/richprofile/fragment?view=card&view=account&view=%ff%fe" "$RP_TOK_AMELIE"
[ "$R_HTTP" = 200 ] && [ "$R_STATUS" = ok ]
rp_check $? "repeated view= parameters: the first counts" "$(rp_last)"
rp_get "/richprofile/fragment?%%%%&&&===&view" "$RP_TOK_AMELIE"
[ "$R_HTTP" = 200 ] || [ "$R_HTTP" = 400 ]
rp_check $? "a query of stray %, & and = : answered ($R_HTTP)" "$(rp_last)"
rp_get "/richprofile/no-such-route" "$RP_TOK_AMELIE"
expect "an unknown route" 404 "" no-such-route
alive "absurd queries"

kill -0 "$FCGI_PID_main"
rp_check $? "the program never crashed"
! grep -qE "$RP_TOK_AMELIE|AAAAAAAAAAAA|tok-maxime|<script>" "$RUN/fcgi.log"
rp_check $? "no token and no hostile input in the program's log"
rp_tap_done
