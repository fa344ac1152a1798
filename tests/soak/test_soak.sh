#!/usr/bin/env bash
# test_soak.sh: many concurrent users over every outcome, through nginx
# (the shipped snippet) and the program; every answer is checked to belong to the cookie that asked
# for it, and the program's memory must stay flat once warm.
#
#   RP_SOAK_REQUESTS   requests per phase (default 20000; `make soak`: 200000)
#   RP_SOAK_THREADS    concurrent clients (default 32)
#   RP_SOAK_WRAPPER    run the program under this (e.g. "valgrind -q
#                      --error-exitcode=99"), checked for a clean exit
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/stack.sh"

REQUESTS=${RP_SOAK_REQUESTS:-20000}
THREADS=${RP_SOAK_THREADS:-32}
USERS=300
CLIENT=$rp_builddir/tests/soak/soak-client
[ -x "$CLIENT" ] || rp_die "$CLIENT is not built (make check builds it)"

rp_stack_init soak

# Users of every kind, each with a marker only their answers may carry.
# The simulator gets the users; the client gets what each token must see.
users=$RUN/users.conf
expect=$RUN/expect.tsv
: >"$users"
: >"$expect"
for i in $(seq 1 $USERS); do
	m=Soakuser$i
	tok=tok-soak-$i
	{
		echo "[user s$i]"
		echo "token = $tok"
		echo "Firstname = $m"
		echo "Lastname = $m"
		echo "Displayname = $m"
		echo "CentersOfInterests = Soak, $m"
		case $((i % 6)) in
		0) echo "refused = *" ;;
		1) echo "refused = Lastname" ;;
		2) echo "expired = yes" ;;
		esac
	} >>"$users"
	case $((i % 6)) in
	0) printf '%s\tconsent\t-\n' "$tok" ;;
	1) printf '%s\tpartial\t%s\n' "$tok" "$m" ;;
	2) printf '%s\tsignin\t-\n' "$tok" ;;
	*) printf '%s\tok\t%s\n' "$tok" "$m" ;;
	esac >>"$expect"
done
# Unknown tokens (error 102), no cookie at all, and a failing API for
# some tokens (answered as a granted user, who must not leak into them).
for i in $(seq 1 20); do
	printf 'tok-nobody-%s\tsignin\t-\n' "$i" >>"$expect"
	printf 'fault:code=503@tok-soak-%s\tunavailable\t-\n' "$((i * 6 + 3))" >>"$expect"
	printf 'fault:notxml@tok-soak-%s\tunavailable\t-\n' "$((i * 6 + 4))" >>"$expect"
done
printf '\tsignin\t-\n' >>"$expect"

RP_SIM_USERS=$users rp_start_sim main
# Short lifetimes and a small cache: hits, misses, expiry and eviction
# all happen during the run.  Faults must not open the breaker here.
rp_write_conf "$RUN/soak.conf" "$SIM_URL_main" cache.ttl_s=2 cache.stale_s=5 \
	cache.max_entries=200 breaker.failures=0 server.threads=16 \
	server.log_file="$RUN/fcgi.log" server.log_level=warn
# Built with AddressSanitizer (make check's sanitizer build), the
# program's RSS is mostly ASan's quarantine of freed memory, 256 MiB by
# default, whose refilling moved the figure by up to 2.4 MiB between two
# phases (1.5 MiB typical) while the plain build moves by under 0.1 MiB.
# A 16 MiB quarantine still catches a use after free within hundreds of
# requests, and leaves the figure to the program (0.2-0.9 MiB measured).
asan=
if ldd "$RP_FCGI" 2>/dev/null | grep -q libasan; then
	asan=1
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16"
fi
# shellcheck disable=SC2086
rp_start_fcgi main "$RUN/soak.conf" ${RP_SOAK_WRAPPER:-}
rp_start_nginx main
pid=$FCGI_PID_main

base=$NGINX_URL_main/richprofile
run_phase() {
	"$CLIENT" --url "$base/fragment?view=card" --url "$base/fragment?view=account" \
		--url "$base/profile.json?view=card" --users "$expect" \
		--threads "$THREADS" --requests "$1" >"$RUN/phase-$2.out" 2>&1
}

# Warm is every worker having served: the program keeps a worker's
# memory (stack, API connection, parser, and under AddressSanitizer its
# allocator caches, about 1 MiB each) once it has served, and which
# workers a load uses drifts with the load.  Sixteen requests held 300 ms
# by the API at once use all sixteen workers.
args=()
for i in $(seq 1 16); do
	args+=(-o /dev/null -H "Cookie: rp_token=fault:delay=300@tok-soak-$((i * 6 + 1))" "$base/fragment?view=card")
done
curl -s -Z --parallel-immediate --parallel-max 16 "${args[@]}"
run_phase "$REQUESTS" warmup
rc=$?
rp_check $rc "warm-up: $(head -n 1 "$RUN/phase-warmup.out")" "$(cat "$RUN/phase-warmup.out")"
# AddressSanitizer's allocator takes longer to reach its steady size
# (its size classes fill region by region): a second warm-up there,
# the same bound after it.
if [ -n "$asan" ]; then
	run_phase "$REQUESTS" warmup2
	rp_check $? "warm-up again under AddressSanitizer: $(head -n 1 "$RUN/phase-warmup2.out")" "$(cat "$RUN/phase-warmup2.out")"
fi
read -r rss0 _ < <(rp_rss "$pid")
run_phase "$REQUESTS" steady
rc=$?
rp_check $rc "steady: $(head -n 1 "$RUN/phase-steady.out")" "$(cat "$RUN/phase-steady.out")"
grep -q 'statuses: ok [1-9][0-9]* partial [1-9][0-9]* consent [1-9][0-9]* signin [1-9][0-9]* unavailable [1-9]' \
	"$RUN/phase-steady.out"
rp_check $? "every outcome was exercised: $(sed -n 2p "$RUN/phase-steady.out")"
read -r rss1 _ < <(rp_rss "$pid")
growth=$((rss1 - rss0))
[ "$growth" -lt 2048 ]
rp_check $? "program memory flat after warm-up: $rss0 KiB -> $rss1 KiB (growth $growth KiB, bound 2048)"
kill -0 "$pid" 2>/dev/null
rp_check $? "the program is still running"

# A clean stop: the program (and a wrapper such as valgrind) exits 0.
kill -TERM "$pid"
wait "$pid"
rc=$?
rp_check $rc "the program stops cleanly on SIGTERM (exit $rc)" "$(tail -n 20 "$RUN/fcgi-main.out")"
rp_tap_done
