#!/usr/bin/env bash
# test_cli.sh: the richprofile tool against the real simulator (started
# by tests/lib/stack.sh): every exit code, every output format, the token
# never in output nor on the command line.  Prints TAP.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/stack.sh"
src=$rp_srcdir
rp=$rp_builddir/cgi/cli/richprofile
rp_stack_init cli
tmp=$RUN

check() { rp_check_cmd "$@"; }

# Demo tokens of conf/sim-users.conf.
AMELIE=tok-amelie-2f9c61d04b
CAMILLE=tok-camille-5d2b8e4471
MAXIME=tok-maxime-c07d5a19e2
PAUL=tok-paul-expired-0000
SOPHIE='tok&sophie=1#x%41+y?z/6b'

rp_start_sim main
port=$SIM_PORT_main

conf=$tmp/rp.conf
cat >"$conf" <<EOF
[upstream]
endpoint = http://127.0.0.1:$port/PersonalRichProfile/V1
connect_timeout_ms = 1000
timeout_ms = 1500
[site]
url = http://127.0.0.1:8080
[server]
templates = $RP_TEMPLATES
[view card]
infos = Firstname,Lastname,PictureTagSmallURL,CentersOfInterests
template = card.html
EOF

# fetch TOKEN ARGS...: runs the tool (bounded) with the token in the
# environment; status in $rc, output in $tmp/out and $tmp/err.
fetch() {
	tok=$1; shift
	RICHPROFILE_TOKEN=$tok timeout 20 "$rp" fetch -c "$conf" "$@" \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
	# Whatever happened, the token was not printed.
	if [ -n "$tok" ] && grep -qF -- "$tok" "$tmp/out" "$tmp/err"; then
		echo "# the token appeared in the output" >&2
		rc=99
	fi
}
has() { grep -qF -- "$1" "$tmp/out"; }
says() { grep -qF -- "$1" "$tmp/err"; }

# --- usage, help, version ---------------------------------------------
"$rp" --help >"$tmp/out" 2>&1
check "--help exits 0 and documents the exit codes and JSON shape" \
	sh -c '[ $1 -eq 0 ] && grep -q "^  6  the API could not be reached" "$2" && grep -q "consent_url" "$2"' sh $? "$tmp/out"
"$rp" --version >"$tmp/out" 2>&1
check "--version prints the version" sh -c '[ $1 -eq 0 ] && grep -qx "richprofile [0-9.]*" "$2"' sh $? "$tmp/out"
"$rp" >/dev/null 2>&1
check "no command: exit 1" [ $? -eq 1 ]
"$rp" frobnicate >/dev/null 2>"$tmp/err"
check "unknown command: exit 1, named" sh -c '[ $1 -eq 1 ] && grep -q "unknown command .frobnicate" "$2"' sh $? "$tmp/err"
fetch "$AMELIE" --token "$AMELIE"
check "--token on the command line is refused (exit 1)" sh -c '[ $1 -eq 1 ] && grep -q "never taken from the command line" "$2"' sh $rc "$tmp/err"
env -u RICHPROFILE_TOKEN "$rp" fetch -c "$conf" >/dev/null 2>"$tmp/err"
check "no token: exit 1, says how to give one" sh -c '[ $1 -eq 1 ] && grep -q "RICHPROFILE_TOKEN" "$2"' sh $? "$tmp/err"
fetch "$AMELIE" --format yaml
check "unknown format: exit 1" [ $rc -eq 1 ]
fetch "$AMELIE" --infos Firstname,Fristname
check "unknown attribute in --infos: exit 1, named" sh -c '[ $1 -eq 1 ] && grep -q "Fristname" "$2"' sh $rc "$tmp/err"
fetch "$AMELIE" --view nosuch
check "unknown view: exit 1" sh -c '[ $1 -eq 1 ] && grep -q "no \[view nosuch\]" "$2"' sh $rc "$tmp/err"
fetch "$AMELIE" --view card --infos Firstname
check "--view with --infos: exit 1" [ $rc -eq 1 ]
fetch ""
check "empty token: exit 1" [ $rc -eq 1 ]

# --- configuration ----------------------------------------------------
printf '[upstream]\nendpoint = ftp://x/\n[site]\nurl = http://a\n' >"$tmp/bad.conf"
RICHPROFILE_TOKEN=$AMELIE "$rp" fetch -c "$tmp/bad.conf" >/dev/null 2>"$tmp/err"
check "bad configuration: exit 2 with FILE:LINE" sh -c '[ $1 -eq 2 ] && grep -q "bad.conf:2: \[upstream\] endpoint" "$2"' sh $? "$tmp/err"
"$rp" check-config -c "$tmp/none.conf" >/dev/null 2>"$tmp/err"
check "check-config, missing file: exit 2" sh -c '[ $1 -eq 2 ] && grep -q "none.conf: cannot open" "$2"' sh $? "$tmp/err"
"$rp" check-config -c "$conf" >"$tmp/out" 2>"$tmp/err"
check "check-config: exit 0, prints what it understood" sh -c '[ $1 -eq 0 ] &&
	grep -q "configuration OK; 1 view; templates compiled" "$2" &&
	grep -qx "timeout_ms = 1500" "$2" && grep -qx "max_response_bytes = 262144" "$2" &&
	grep -qx "infos = Firstname,Lastname,PictureTagSmallURL,CentersOfInterests" "$2"' sh $? "$tmp/out"
sed "s|^templates = .*|templates = $tmp|" "$conf" >"$tmp/notpl.conf"
"$rp" check-config -c "$tmp/notpl.conf" >/dev/null 2>"$tmp/err"
check "check-config, templates missing: exit 2, names the file" sh -c '[ $1 -eq 2 ] && grep -q "$3/.*html" "$2"' sh $? "$tmp/err" "$tmp"
mkdir "$tmp/tpl" && cp "$src"/conf/templates/*.html "$tmp/tpl/" && chmod u+w "$tmp"/tpl/*.html
printf '<div class="rp">{{#broken</div>\n' >"$tmp/tpl/card.html"
sed "s|^templates = .*|templates = $tmp/tpl|" "$conf" >"$tmp/badtpl.conf"
"$rp" check-config -c "$tmp/badtpl.conf" >/dev/null 2>"$tmp/err"
check "check-config, broken template: exit 2, names it" sh -c '[ $1 -eq 2 ] && grep -q "card.html" "$2"' sh $? "$tmp/err"
"$rp" check-config -c "$conf" --view card >/dev/null 2>&1
check "check-config takes only -c: exit 1" [ $? -eq 1 ]

# --- outcomes and their exit codes --------------------------------------
fetch "$AMELIE" --view card
check "granted: exit 0, one labelled attribute per line" sh -c '[ $1 -eq 0 ] &&
	grep -qx "outcome: granted" "$2" && grep -qx "Prénom (Firstname): Amélie" "$2" &&
	grep -q "^Centres d.intérêt (CentersOfInterests): Cinéma, " "$2"' sh $rc "$tmp/out"
fetch "$AMELIE" --view card --lang en
check "--lang en: English labels" sh -c '[ $1 -eq 0 ] && grep -qx "First name (Firstname): Amélie" "$2"' sh $rc "$tmp/out"
fetch "$CAMILLE" --view card
check "partial: exit 0, withheld list and consent URL" sh -c '[ $1 -eq 0 ] &&
	grep -qx "outcome: partial" "$2" && grep -qx "withheld: PictureTagSmallURL" "$2" &&
	grep -q "^consent: http://127.0.0.1:[0-9]*/urm-gui/interaction.do?" "$2"' sh $rc "$tmp/out"
fetch "$MAXIME" --view card
check "consent needed: exit 3" sh -c '[ $1 -eq 3 ] && grep -qx "outcome: refused" "$2" && grep -q "^consent: http" "$2"' sh $rc "$tmp/out"
# expect DESCRIPTION TOKEN STATUS PATTERN: fetch the card; the exit status
# is STATUS and standard error says PATTERN.
expect() {
	fetch "$2" --view card
	check "$1" sh -c '[ $1 -eq $2 ] && grep -q -- "$3" "$4"' sh $rc "$3" "$4" "$tmp/err"
}
expect "expired token: exit 4" "$PAUL" 4 "code 103"
expect "unknown token: exit 4" "tok-unknown-123456" 4 "code 102"
expect "API error: exit 5" "fault:code=203@$AMELIE" 5 "error code (code 203"
# The bound is on the call itself, which the tool reports ("after N
# ms"); the wall clock of the whole process only has to show that
# nothing hangs (start-up and exit of a process vary with the load).
start=$(date +%s%N)
fetch "fault:stall@$AMELIE" --view card
ms=$(( ($(date +%s%N) - start) / 1000000 ))
call=$(sed -n 's/.*(timeout) after \([0-9]*\) ms.*/\1/p' "$tmp/err")
check "stalled API: exit 6 (timeout), the call abandoned within timeout_ms + 200 ms (call ${call:-?} ms, process ${ms} ms)" \
	sh -c '[ $1 -eq 6 ] && [ -n "$3" ] && [ $3 -ge 1500 ] && [ $3 -lt 1700 ] && [ $4 -lt 5000 ]' sh $rc "$tmp/err" "$call" $ms
expect "answer not XML: exit 6 (malformed)" "fault:notxml@$AMELIE" 6 "unusable (malformed"
expect "HTTP 503 with an HTML body: exit 6 (http_status)" "fault:status=503@$AMELIE" 6 "(http_status)"
expect "reset mid-body: exit 6 (reset)" "fault:reset@$AMELIE" 6 "(reset)"
expect "redirect: exit 6 (redirect)" "fault:redirect@$AMELIE" 6 "(redirect)"
expect "connection closed without an answer: exit 6 (reset)" "fault:drop@$AMELIE" 6 "(reset)"
expect "answer cut short: exit 6 (reset)" "fault:short@$AMELIE" 6 "(reset)"
expect "XML cut in half: exit 6 (malformed)" "fault:truncate@$AMELIE" 6 "(malformed"
sed "s|^max_response_bytes.*||; s|^timeout_ms = 1500|timeout_ms = 5000\nmax_response_bytes = 4096|" "$conf" >"$tmp/small.conf"
RICHPROFILE_TOKEN="fault:oversize@$AMELIE" timeout 20 "$rp" fetch -c "$tmp/small.conf" >/dev/null 2>"$tmp/err"
check "oversized answer: exit 6 (too_large)" sh -c '[ $1 -eq 6 ] && grep -q "(too_large)" "$2"' sh $? "$tmp/err"
# A port nothing listens on: bound, then closed.
free=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed "s|127.0.0.1:$port|127.0.0.1:$free|" "$conf" >"$tmp/refused.conf"
RICHPROFILE_TOKEN=$AMELIE timeout 20 "$rp" fetch -c "$tmp/refused.conf" >/dev/null 2>"$tmp/err"
check "API not listening: exit 6 (refused)" sh -c '[ $1 -eq 6 ] && grep -q "(refused)" "$2"' sh $? "$tmp/err"

# --- formats ----------------------------------------------------------
fetch "$CAMILLE" --view card --format json
cp "$tmp/out" "$tmp/camille.json"
check "json: exit 0, the documented shape" python3 - "$tmp/camille.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert list(d) == ["outcome", "status", "http_status", "attributes", "withheld", "consent_url", "error"], list(d)
assert d["outcome"] == "partial" and d["status"] == "partial" and d["http_status"] == 200
assert d["attributes"]["Firstname"] == "Camille"
assert isinstance(d["attributes"]["CentersOfInterests"], list)
assert d["withheld"] == ["PictureTagSmallURL"]
assert d["consent_url"].startswith("http://127.0.0.1:") and d["error"] is None
EOF
fetch "fault:stall@$AMELIE" --view card --format json
cp "$tmp/out" "$tmp/stall.json"
check "json of a failure: exit 6, error class and message" sh -c '[ $1 -eq 6 ] && python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"outcome\"] == \"upstream\" and d[\"status\"] == \"unavailable\" and d[\"attributes\"] == {}
assert d[\"error\"][\"class\"] == \"timeout\" and d[\"error\"][\"code\"] is None and d[\"error\"][\"message\"]
" "$2"' sh $rc "$tmp/stall.json"
fetch "$PAUL" --view card --format json
cp "$tmp/out" "$tmp/paul.json"
check "json of an API error: exit 4, code 103" sh -c '[ $1 -eq 4 ] && python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"outcome\"] == \"account\" and d[\"error\"] == {\"class\": \"api\", \"code\": 103, \"detail\": d[\"error\"][\"detail\"], \"message\": d[\"error\"][\"message\"]}
assert d[\"error\"][\"message\"].startswith(\"account error\")
" "$2"' sh $rc "$tmp/paul.json"
fetch "$AMELIE" --view card --format xml
cp "$tmp/out" "$tmp/tool.xml"
curl -s -o "$tmp/curl.xml" "http://127.0.0.1:$port/PersonalRichProfile/V1?action=getPersonalRichProfile&infos=Firstname,Lastname,PictureTagSmallURL,CentersOfInterests&token=$AMELIE"
check "xml: exit 0, the API's answer byte for byte" sh -c '[ $1 -eq 0 ] && [ -s "$2" ] && cmp -s "$2" "$3"' sh $rc "$tmp/tool.xml" "$tmp/curl.xml"
fetch "fault:code=203@$AMELIE" --view card --format xml
check "xml of an API error: exit 5, the <error> body" sh -c '[ $1 -eq 5 ] && grep -q "<code>203</code>" "$2"' sh $rc "$tmp/out"

# --- the token's ways in, and out of sight ------------------------------
printf '%s\n' "$AMELIE" >"$tmp/token"
chmod 600 "$tmp/token"
env -u RICHPROFILE_TOKEN timeout 20 "$rp" fetch -c "$conf" --view card --token-file "$tmp/token" >"$tmp/out" 2>&1
check "--token-file FILE (final newline dropped): exit 0" sh -c '[ $1 -eq 0 ] && grep -qx "outcome: granted" "$2"' sh $? "$tmp/out"
printf '%s\r\n' "$CAMILLE" | env -u RICHPROFILE_TOKEN timeout 20 "$rp" fetch -c "$conf" --view card --token-file - >"$tmp/out" 2>&1
check "--token-file - (standard input, CRLF dropped): exit 0" sh -c '[ $1 -eq 0 ] && grep -qx "outcome: partial" "$2"' sh $? "$tmp/out"
env -u RICHPROFILE_TOKEN timeout 20 "$rp" fetch -c "$conf" --token-file "$tmp/nosuch" >/dev/null 2>"$tmp/err"
check "--token-file missing: exit 1, named" sh -c '[ $1 -eq 1 ] && grep -q "nosuch" "$2"' sh $? "$tmp/err"
head -c 2000 /dev/zero | tr '\0' a >"$tmp/long"
env -u RICHPROFILE_TOKEN timeout 20 "$rp" fetch -c "$conf" --token-file "$tmp/long" >/dev/null 2>"$tmp/err"
check "token over max_token_bytes: exit 1" sh -c '[ $1 -eq 1 ] && grep -q "max_token_bytes" "$2"' sh $? "$tmp/err"
fetch "$SOPHIE" --view card
check "a token full of & = # % + ? / reaches the API intact (granted)" sh -c '[ $1 -eq 0 ] && grep -qx "outcome: granted" "$2"' sh $rc "$tmp/out"
fetch "fault:stall@$SOPHIE" --view card --format json
check "no token in any message, even of a failure" [ $rc -eq 6 ]

# While a call hangs, what ps shows of the tool holds no token.
printf '%s\n' "fault:stall@$AMELIE" | env -u RICHPROFILE_TOKEN timeout 20 "$rp" fetch -c "$conf" --token-file - >/dev/null 2>&1 &
tp=$!
RICHPROFILE_TOKEN="fault:stall@$CAMILLE" timeout 20 "$rp" fetch -c "$conf" >/dev/null 2>&1 &
ep=$!
sleep 0.5
ps -ww -o args= -p "$tp" -p "$ep" >"$tmp/ps" 2>&1
for p in $tp $ep; do tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null; echo; done >>"$tmp/ps"
# timeout(1) runs the tool as a child: look at the children too.
for p in $(pgrep -P "$tp") $(pgrep -P "$ep"); do tr '\0' ' ' <"/proc/$p/cmdline"; echo; done >>"$tmp/ps"
check "ps shows the tool running, without its token" sh -c 'grep -q "richprofile fetch" "$1" && ! grep -q "tok-amelie\|tok-camille\|fault:" "$1"' sh "$tmp/ps"
wait "$tp" "$ep"

rp_tap_done
