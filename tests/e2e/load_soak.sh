#!/bin/bash
# load_soak - defuse-milter under load through a real Postfix, and
# kill -9 under that load (issue 5, "Load and faults").  Not part of
# make check: `make soak` runs it full size (200 sessions, 5 minutes).
#
#   LOAD_SESSIONS (200)   concurrent SMTP sessions (loadgen.py send)
#   LOAD_SECONDS  (300)   how long they send
#   LOAD_BUDGET           max_total_memory: low, so that it binds; by
#                         default SESSIONS x 10K, at least 512K (a message
#                         takes ~30K, the nested zip ~260K at its peak)
#   LOAD_KILL     (yes)   kill -9 the milter at 60 % of the run, restart
#                         it LOAD_DOWN (5) seconds later
#   LOAD_RSS_MAX_MB (96)  bound on defuse-milter's VmHWM
#
# The mix (loadgen.py): small clean mail, 3 MB clean multipart mail, a
# gzip of zeros, a zip nested 6 deep, a 1.5 MB base64 part over
# max_part_size = 1M.  Checks: every verdict right (bombs 5xx, clean
# 250, after the retries that 4xx replies ask for); no message given
# up; the global budget bound (451 4.3.1 seen by senders, reason=budget
# in defuse's log); peak RSS under the bound; the milter never died but
# by our kill -9; no 250 while it was down; after the queue drains,
# every accepted message delivered, intact (sha256 after strip_trace),
# no bomb delivered, duplicates reported.
. "$(dirname "$0")/lib.sh"
SESSIONS=${LOAD_SESSIONS:-200}
DURATION=${LOAD_SECONDS:-300}
BUDGET=${LOAD_BUDGET:-$((SESSIONS * 10 > 512 ? SESSIONS * 10 : 512))K}
KILL=${LOAD_KILL:-yes}
DOWN=${LOAD_DOWN:-5}
RSS_MAX_MB=${LOAD_RSS_MAX_MB:-96}
LOADGEN="python3 $E2E_DIR/loadgen.py"
PATH=$PATH:/usr/sbin
e2e_begin
PF_MAIN_EXTRA="default_process_limit = $((SESSIONS * 2 + 100))
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
smtpd_client_recipient_rate_limit = 0
smtpd_client_new_tls_session_rate_limit = 0
default_destination_concurrency_limit = 20
smtpd_timeout = 300s"
pf_start
milter_conf load max_total_memory="$BUDGET" max_part_size=1M \
	milter_backlog=1024 milter_timeout=600
milter_start unix "$T/load.conf"
say "--- $SESSIONS sessions for $DURATION s, max_total_memory = $BUDGET, kill -9: $KILL"

# sample defuse-milter's memory (whichever process is running) twice a second
sampler() {
	while :; do
		p=$(cat "$T/milter-unix.pid" 2>/dev/null)
		[ -n "$p" ] && awk -v p="$p" -v t="$(date +%s.%N)" \
			'/^VmRSS/ {r=$2} /^VmHWM/ {h=$2} /^Threads/ {n=$2} END {if (r) print t, p, r, h, n}' \
			"/proc/$p/status" 2>/dev/null
		sleep 0.5
	done >>"$T/mem.samples"
}
sampler &
E2E_PIDS="$E2E_PIDS $!"

$LOADGEN send --port "$PORT_UNIX" --sessions "$SESSIONS" --seconds "$DURATION" \
	--log "$T/load.log" --run soak >"$T/load.out" 2>"$T/load.err" &
lg=$!
E2E_PIDS="$E2E_PIDS $lg"

pid1=$MILTER_PID_unix
kill_at=0 restart_at=0 alive_before_kill=1
if [ "$KILL" = yes ]; then
	sleep $((DURATION * 6 / 10))
	kill -0 "$pid1" 2>/dev/null || alive_before_kill=0
	hwm1=$(awk '/^VmHWM/ {print $2}' "/proc/$pid1/status" 2>/dev/null)
	kill_at=$(date +%s.%N)
	kill -9 "$pid1"
	wait "$pid1" 2>/dev/null
	say "    $(date +%T) kill -9 $pid1 (VmHWM then ${hwm1:-?} kB); restart in $DOWN s"
	sleep "$DOWN"
	rm -f "$T/milter.sock"
	restart_at=$(date +%s.%N)
	milter_start unix "$T/load.conf"
	say "    $(date +%T) restarted: pid $MILTER_PID_unix"
fi
wait "$lg"
lg_status=$?
pid2=$MILTER_PID_unix
say "    loadgen: $(tail -n 1 "$T/load.out")"
[ -s "$T/load.err" ] && head -n 5 "$T/load.err"
hwm2=$(awk '/^VmHWM/ {print $2}' "/proc/$pid2/status" 2>/dev/null)

check "loadgen ran to its end (status $lg_status)" test "$lg_status" = 0
summ() { python3 -c 'import json,sys; s=json.loads(open(sys.argv[1]).readlines()[-1]); print(eval(sys.argv[2]))' "$T/load.log" "$1"; }
n=$(summ 's["messages"]')
check "messages judged: $n ($(summ 's["accepted"]') accepted, $(summ 's["refused"]') refused, $(summ 's["attempts"]') attempts)" test "${n:-0}" -gt 0
check "zero wrong verdicts ($(summ 's["wrong"]'))" test "$(summ 's["wrong"]')" = 0
check "no message given up after retries ($(summ 's["gave_up"]'))" test "$(summ 's["gave_up"]')" = 0
say "    by kind: $(summ 's["by_kind"]')"
say "    refusals: $(summ 's["refusals"]')"
say "    temporary failures (then retried): $(summ 's["tempfails"]')"
say "    latency, clean small: $(summ 's["lat_small_ms"]') ms; clean 3 MB: $(summ 's["lat_large_ms"]') ms"
b431=$(summ 'sum(v for k, v in s["tempfails"].items() if "4.3.1" in k)')
check "the budget bound: senders got 451 4.3.1 ($b431 times) and retried" test "${b431:-0}" -gt 0
nb=$(cat "$T"/unix.json 2>/dev/null | grep -c '"reason": *"budget"')
check "defuse logged reason=budget ($nb records)" test "$nb" -gt 0
if [ "$KILL" = yes ]; then
	check "the milter was alive until the kill -9 (no crash)" test "$alive_before_kill" = 1
	during=$(python3 - "$T/load.log" "$kill_at" "$restart_at" <<'EOS'
import json, sys
k, r = float(sys.argv[2]) + 0.5, float(sys.argv[3])
print(sum(1 for l in open(sys.argv[1]) for x in [json.loads(l)]
          if x.get("kind") != "summary" and x["reply"].startswith("250") and k < x["t1"] < r))
EOS
)
	check "no message accepted while the milter was down ($during)" test "$during" = 0
	down=$(grep -Ec "warning: (connect to Milter service|milter [^ ]+: (can't read|read error|error writing))" "$T/maillog")
	n471=$(summ 'sum(v for k, v in s["tempfails"].items() if "4.7.1" in k)')
	say "    while it was down: $down Postfix warnings about the milter, $n471 replies 451 4.7.1 to the senders"
	check "the kill -9 showed: senders got 451 4.7.1 (Postfix's milter_default_action = tempfail)" test "${n471:-0}" -gt 0
fi
check "defuse-milter is running at the end (pid $pid2)" kill -0 "$pid2"
check "no crash, assertion or abort in defuse's log" sh -c "! grep -Eqi 'assert|segmentation|abort\\(|fatal' '$T/milter-unix.log'"
peak=$(awk 'BEGIN {m=0} {if ($4 > m) m=$4} END {print m}' "$T/mem.samples")
rssmax=$(awk 'BEGIN {m=0} {if ($3 > m) m=$3} END {print m}' "$T/mem.samples")
thr=$(awk 'BEGIN {m=0} {if ($5 > m) m=$5} END {print m}' "$T/mem.samples")
say "    defuse-milter memory: peak VmHWM $((peak / 1024)) MiB, max VmRSS sampled $((rssmax / 1024)) MiB, max threads $thr ($(wc -l <"$T/mem.samples") samples)"
check "peak RSS held: VmHWM $((peak / 1024)) MiB <= $RSS_MAX_MB MiB (max_total_memory $BUDGET)" \
	test "$peak" -le $((RSS_MAX_MB * 1024))

# the queue drains, then the sink
for _ in $(seq 600); do
	postqueue -c "$PF" -p 2>/dev/null | grep -q 'Mail queue is empty' && break
	sleep 0.5
done
check "Postfix's queue drained" sh -c "postqueue -c '$PF' -p | grep -q 'Mail queue is empty'"
$LOADGEN verify --log "$T/load.log" --out "$T/out" >"$T/verify.out"
vs=$?
cat "$T/verify.out"
E2E_CHECKS=$((E2E_CHECKS + $(grep -c '^\(ok\|FAIL\)' "$T/verify.out")))
E2E_FAILS=$((E2E_FAILS + $(grep -c '^FAIL' "$T/verify.out")))
[ "$vs" = 0 ] || [ "$(grep -c '^FAIL' "$T/verify.out")" -gt 0 ] || E2E_FAILS=$((E2E_FAILS + 1))
check "no panic or fatal in Postfix's log" sh -c "! grep -E 'postfix/[a-z]+\\[[0-9]+\\]: (panic|fatal):' '$T/maillog'"
e2e_end
