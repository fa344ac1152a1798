#!/usr/bin/env bash
# test_shared_sealed.sh: what the shared tier leaves in Redis is opaque,
# and what Redis hands back is trusted only when it opens as sealed: after
# a soak, every key and value is read back (SCAN + GET) and holds no
# token, name or value in clear; a value copied onto another user's key,
# a flipped byte and entries of another key file show nothing of anyone.
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/stack.sh"
. "$rp_srcdir/tests/lib/redis.sh"

rp_need_redis
CLIENT=$rp_builddir/tests/soak/soak-client
TOOL=$rp_builddir/cgi/cli/richprofile
[ -x "$CLIENT" ] || rp_die "$CLIENT is not built (make check builds it)"
USERS=100

rp_stack_init shared-sealed

users=$RUN/users.conf
expect=$RUN/expect.tsv
: >"$users"
: >"$expect"
for i in $(seq 1 $USERS); do
	printf '[user s%s]\ntoken = tok-sealed-%s\nFirstname = Sealeduser%s\nLastname = Lastsealed%s\nUserEMail = sealed%s@example.org\nCentersOfInterests = Voile, Sealeduser%s\n' \
		"$i" "$i" "$i" "$i" "$i" "$i" >>"$users"
	printf 'tok-sealed-%s\tok\tSealeduser%s\n' "$i" "$i" >>"$expect"
done
# Users no soak has seen, for the cases after it (no process has them).
for i in 1 2 3 4; do
	printf '[user x%s]\ntoken = tok-extra-%s\nFirstname = Sealedextra%s\n' "$i" "$i" "$i" >>"$users"
done
printf '[user r1]\ntoken = tok-refused-1\nFirstname = Sealedrefused\nrefused = *\n' >>"$users"
RP_SIM_USERS=$users rp_start_sim main
SIM=http://127.0.0.1:$SIM_PORT_main
rp_start_redis main
"$TOOL" keygen "$RUN/k1" >/dev/null && "$TOOL" keygen "$RUN/k2" >/dev/null ||
	rp_die "keygen failed"
for n in a b; do
	# shellcheck disable=SC2046
	rp_write_conf "$RUN/$n.conf" "$SIM_URL_main" server.threads=8 \
		server.log_file="$RUN/$n.log" $(rp_shared_conf main "$RUN/k1")
done
# "other": the same Redis and prefix, another key file.
# shellcheck disable=SC2046
rp_write_conf "$RUN/other.conf" "$SIM_URL_main" server.threads=8 \
	server.log_file="$RUN/other.log" $(rp_shared_conf main "$RUN/k2")
for n in a b other; do rp_start_fcgi "$n" "$RUN/$n.conf"; done
rp_start_nginx a b other

calls() {
	curl -s "$SIM/_control/stats?token=$1" | sed 's/.*"requests":\([0-9]*\).*/\1/'
}
card() { # NAME TOKEN
	local url=NGINX_URL_$1
	rp_get "${!url}/richprofile/fragment?view=card" "$2"
}
note() { # NAME: the note of the program's last request line
	grep " request " "$RUN/$1.log" | tail -n 1 | grep -o 'note=[a-z_]*'
}
# dump: every key and value in Redis, raw, one file.
dump() {
	local k
	: >"$RUN/dump.bin"
	rp_redis_cli main --scan --pattern '*' >"$RUN/keys.txt"
	while read -r k; do
		printf '%s\n' "$k" >>"$RUN/dump.bin"
		rp_redis_cli main --raw GET "$k" >>"$RUN/dump.bin"
	done <"$RUN/keys.txt"
}

# ---- a soak, then everything Redis holds ----
"$CLIENT" --url "$NGINX_URL_a/richprofile/fragment?view=card" \
	--url "$NGINX_URL_b/richprofile/fragment?view=account" --users "$expect" \
	--prefix Sealeduser --threads 8 --requests 1500 >"$RUN/soak.out" 2>&1
rp_check $? "soak: $(head -n 1 "$RUN/soak.out")" "$(cat "$RUN/soak.out")"
card a tok-refused-1 # a refusal: consent memory too
[ "$R_STATUS" = consent ]
rp_check $? "a refused user: the consent prompt" "$(rp_last)"
dump
nkeys=$(wc -l <"$RUN/keys.txt")
[ "$nkeys" -ge "$USERS" ] && grep -q '^rp:c:' "$RUN/keys.txt"
rp_check $? "Redis holds $nkeys entries after the soak, consent memory included"
grep -Evq '^rp:[pc]:[0-9a-f]{32}$' "$RUN/keys.txt"
rp_check $((!$?)) "every key is rp:p: or rp:c: and 32 hex characters" "$(grep -Ev '^rp:[pc]:[0-9a-f]{32}$' "$RUN/keys.txt" | head -n 3)"
leaks=$(grep -a -c -E 'tok-sealed|tok-refused|Sealed|Lastsealed|example\.org|Voile|Firstname|CentersOfInterests' "$RUN/dump.bin")
[ "$leaks" = 0 ]
rp_check $? "no token, attribute name or value in clear in any key or value ($leaks lines)"

# ---- a value copied onto another user's key ----
rp_redis_cli main FLUSHALL >/dev/null
card a tok-extra-1
k1=$(rp_redis_cli main --scan --pattern 'rp:p:*')
card a tok-extra-2
k2=$(rp_redis_cli main --scan --pattern 'rp:p:*' | grep -vx "$k1")
[ -n "$k1" ] && [ -n "$k2" ]
rp_check $? "two users, two entries ($k1, $k2)"
rp_redis_cli main EVAL "redis.call('SET', KEYS[2], redis.call('GET', KEYS[1]), 'KEEPTTL') return 1" 2 "$k1" "$k2" >/dev/null
before=$(calls tok-extra-2)
card b tok-extra-2
[ "$R_STATUS" = ok ] && grep -q Sealedextra2 "$R_BODY" && ! grep -q Sealedextra1 "$R_BODY" &&
	[ "$(calls tok-extra-2)" = $((before + 1)) ] && [ "$(note b)" != note=shared_hit ]
rp_check $? "user 1's value on user 2's key: a miss, user 2's own card from the API" "$(rp_last; note b)"

# ---- a flipped byte ----
rp_redis_cli main EVAL "local v = redis.call('GET', KEYS[1]) local b = string.byte(v, 40) redis.call('SET', KEYS[1], string.sub(v, 1, 39) .. string.char((b + 1) % 256) .. string.sub(v, 41), 'KEEPTTL') return 1" 1 "$k1" >/dev/null
before=$(calls tok-extra-1)
card b tok-extra-1
[ "$R_STATUS" = ok ] && grep -q Sealedextra1 "$R_BODY" && [ "$(calls tok-extra-1)" = $((before + 1)) ]
rp_check $? "a flipped byte: a miss, the card from the API" "$(rp_last; note b)"
seal=$(curl -s "$NGINX_URL_b/richprofile/status" | awk '$1 == "richprofile_shared_errors_total{class=\"seal\"}" { print $2 }')
[ "${seal:-0}" -ge 2 ]
rp_check $? "both counted as values that do not open (seal: $seal)"

# ---- another key file ----
before=$(calls tok-extra-3)
card a tok-extra-3
card other tok-extra-3
[ "$R_STATUS" = ok ] && grep -q Sealedextra3 "$R_BODY" && [ "$(calls tok-extra-3)" = $((before + 2)) ] &&
	[ "$(note other)" != note=shared_hit ]
rp_check $? "another key file: A's entry is not found, the API is asked" "$(rp_last; note other)"
# Its entry for a user, copied over ours for the same user: no use.
newkey() { # NAME TOKEN: the profile key the view writes
	rp_redis_cli main --scan --pattern 'rp:p:*' | sort >"$RUN/k-before.txt"
	card "$1" "$2"
	rp_redis_cli main --scan --pattern 'rp:p:*' | sort | comm -13 "$RUN/k-before.txt" -
}
ko=$(newkey other tok-extra-4)
ka=$(newkey a tok-extra-4)
[ -n "$ko" ] && [ -n "$ka" ] && [ "$ko" != "$ka" ] &&
	rp_redis_cli main EVAL "redis.call('SET', KEYS[2], redis.call('GET', KEYS[1]), 'KEEPTTL') return 1" 2 "$ko" "$ka" >/dev/null
before=$(calls tok-extra-4)
card b tok-extra-4
[ -n "$ka" ] && [ "$R_STATUS" = ok ] && grep -q Sealedextra4 "$R_BODY" && [ "$(calls tok-extra-4)" = $((before + 1)) ]
rp_check $? "a value sealed under another key file, on our key: a miss" "$(rp_last; note b)"
rp_tap_done
