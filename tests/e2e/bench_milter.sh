#!/bin/bash
# bench_milter - defuse-milter through a real Postfix: figures for the
# README and for `make bench` (tests/bench/run.sh calls this).  The SMTP
# client is tests/bench/smtpbench.py: messages are put in their DATA form
# before any clock starts, so the client's own work stays out of the times.
#   1. messages per second and latency (MAIL FROM to the reply after the
#      final dot; median and 95th percentile) with no milter, with
#      nullmilter (below) and with defuse, over unix and over inet, at 1 and 20 concurrent sessions, each for
#      BENCH_CELL_SECONDS (default 10): a 30 KB message, text and a base64
#      attachment; defuse with add_header = yes (two replies at the end);
#   2. a 20 MB clean message (base64 attachment), median of 9 interleaved
#      rounds, whole SMTP transaction: Postfix alone, Postfix + nullmilter
#      (tests/bench/nullmilter: a libmilter filter that takes the body and
#      does nothing - what the milter protocol itself costs; libmilter's
#      defaults, so over inet it shows the delayed-ACK stall that defuse
#      avoids with TCP_NODELAY), Postfix + defuse; over unix and inet;
#      and Postfix + nullmilter -n (no body asked for: what a milter
#      costs before any body byte moves).  Each delivery is waited for
#      between transactions.  Target: defuse within 1.1x of
#      nullmilter on the same socket (the ratio to Postfix alone is
#      printed too: see the README for why it cannot be 1.1x);
#   3. 20 concurrent SMTP sessions for BENCH_SECONDS (default 60), a clean
#      message and a bomb in turn: every verdict right, no error, and
#      defuse-milter's peak RSS (VmHWM) under 64 MiB.
# Exit status 1 when a target is missed.
. "$(dirname "$0")/lib.sh"
e2e_begin
NULLMILTER=${NULLMILTER:-$DEFUSE_BUILDDIR/tests/bench/nullmilter}
[ -x "$NULLMILTER" ] || { say "bench_milter: $NULLMILTER missing (make bench builds it)"; exit 1; }
SMTPBENCH="python3 $DEFUSE_SRCDIR/tests/bench/smtpbench.py"
PORT_NULL_UNIX=$(free_port)
PORT_NULL_INET=$(free_port)
PORT_NOBODY=$(free_port)
NULL_MPORT=$(free_port)
PF_MASTER_EXTRA="127.0.0.1:$PORT_NULL_UNIX inet n - n - - smtpd -o smtpd_milters=unix:$T/null.sock
127.0.0.1:$PORT_NULL_INET inet n - n - - smtpd -o smtpd_milters=inet:127.0.0.1:$NULL_MPORT
127.0.0.1:$PORT_NOBODY inet n - n - - smtpd -o smtpd_milters=unix:$T/nobody.sock"
pf_start
milter_conf bench add_header=yes
milter_start unix "$T/bench.conf"
milter_start inet "$T/bench.conf"
for sock in "unix:$T/null.sock" "inet:$NULL_MPORT@127.0.0.1"; do
	"$NULLMILTER" -p "$sock" 2>>"$T/nullmilter.log" &
	E2E_PIDS="$E2E_PIDS $!"
done
"$NULLMILTER" -n -p "unix:$T/nobody.sock" 2>>"$T/nullmilter.log" &
E2E_PIDS="$E2E_PIDS $!"
for port in $PORT_NULL_UNIX $PORT_NULL_INET $PORT_NOBODY; do wait_port "$port" || { say "FAIL: no listener on $port"; exit 1; }; done
SECONDS_LOAD=${BENCH_SECONDS:-60}
CELL=${BENCH_CELL_SECONDS:-10}
PATH=$PATH:/usr/sbin

python3 - "$T" <<'EOS'
import base64, os, sys
T = sys.argv[1]
open(T + "/typical.eml", "w").write(
    "From: a@example.org\nTo: b@example.net\nSubject: typical\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"BB\"\n\n--BB\nContent-Type: text/plain\n\n"
    + "A line of text in a typical message.\n" * 100 + "--BB\n"
    "Content-Type: application/octet-stream; name=\"a.bin\"\nContent-Transfer-Encoding: base64\n\n"
    + base64.encodebytes(os.urandom(20 << 10)).decode() + "--BB--\n")
EOS
big_message "$T/big.eml"

say "--- 1. messages per second and latency, $(wc -c <"$T/typical.eml") byte message, $CELL s a cell"
say "  milter    sessions   msgs/s   latency median     p95   replies"
for via in none null_unix unix null_inet inet; do
	case $via in
	null_unix) port=$PORT_NULL_UNIX ;;
	null_inet) port=$PORT_NULL_INET ;;
	*) port=$(port_of "$via") ;;
	esac
	for n in 1 20; do
		$SMTPBENCH rate --port "$port" --sessions "$n" --seconds "$CELL" "$T/typical.eml" >"$T/rate.$via.$n"
		python3 - "$via" "$n" "$T/rate.$via.$n" <<'EOS'
import json, sys
r = json.load(open(sys.argv[3]))
print("  %-9s %6s %8.1f %12.2f ms %7.2f ms   %s errors=%d" % (sys.argv[1], sys.argv[2], r["msgs_s"],
      r["lat_ms_median"], r["lat_ms_p95"], " ".join("%sxx=%d" % kv for kv in sorted(r["codes"].items())), r["errors"]))
print("RATE_%s_%s=%d" % (sys.argv[1], sys.argv[2], int(r["lat_ms_median"] * 1000)), file=open(sys.argv[3] + ".sh", "w"))
print("OK_%s_%s=%d" % (sys.argv[1], sys.argv[2], int(r["errors"] == 0 and set(r["codes"]) == {"2"})), file=open(sys.argv[3] + ".sh", "a"))
EOS
		. "$T/rate.$via.$n.sh"
	done
done
for via in none null_unix unix null_inet inet; do
	for n in 1 20; do
		eval "ok=\$OK_${via}_$n"
		check "$via, $n sessions: every message accepted, no error" test "$ok" = 1
	done
done
check "inet is as fast as unix (1 session: latency within 25 % + 1 ms)" \
	test "$RATE_inet_1" -le $(( RATE_unix_1 * 125 / 100 + 1000 ))

say "--- 2. a 20 MB clean message: median of 9 interleaved rounds, whole SMTP transaction"
rm -f "$T"/out/*
$SMTPBENCH once --rounds 9 --out "$T/out" "$T/big.eml" none="$PORT_NONE" nobody_unix="$PORT_NOBODY" null_unix="$PORT_NULL_UNIX" \
	null_inet="$PORT_NULL_INET" defuse_unix="$PORT_UNIX" defuse_inet="$PORT_INET" >"$T/big.json"
python3 - "$T/big.json" >"$T/big.sh" <<'EOS'
import json, sys
r = {j["name"]: j for j in map(json.loads, open(sys.argv[1]))}
none = r["none"]["ms_median"]
for k in ("none", "nobody_unix", "null_unix", "null_inet", "defuse_unix", "defuse_inet"):
    j = r[k]
    print("say '  %-12s median %7.1f ms  min %7.1f ms  %5.2fx Postfix alone  replies %s'"
          % (k, j["ms_median"], j["ms_min"], j["ms_median"] / none, ",".join(j["replies"])))
    print("BIG_%s=%d" % (k, int(j["ms_median"] * 10)))
    print("BIGOK_%s=%d" % (k, int(j["replies"] == ["250"])))
EOS
. "$T/big.sh"
for via in unix inet; do
	eval "d=\$BIG_defuse_$via n=\$BIG_null_$via okd=\$BIGOK_defuse_$via okn=\$BIGOK_null_$via"
	check "20 MB accepted through defuse and nullmilter ($via)" test "$okd$okn" = 11
	say "  $via: defuse $((d * 100 / n))% of nullmilter, nullmilter $((n * 100 / BIG_none))% of Postfix alone"
	check "20 MB through Postfix + defuse ($via) within 1.1x of Postfix + nullmilter" \
		test $((d * 10)) -le $((n * 11))
done

say "--- 3. 20 concurrent sessions for $SECONDS_LOAD s"
milter_conf load max_part_size=1M
for via in unix inet; do milter_stop "$via"; milter_start "$via" "$T/load.conf"; done
python3 - "$T" <<'EOS'
import base64, os, sys
T = sys.argv[1]
open(T + "/clean.eml", "w").write("From: a@example.org\nTo: b@example.net\nSubject: clean\n\n" + "text line\n" * 2000)
open(T + "/bomb.eml", "w").write("From: a@example.org\nTo: b@example.net\nSubject: bomb\nMIME-Version: 1.0\n"
    "Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"
    + base64.encodebytes(os.urandom(2 << 20)).decode())
EOS
load() {
	via=$1
	end=$(( $(date +%s) + SECONDS_LOAD ))
	lpids=""
	for c in $(seq 20); do
		(
			while [ "$(date +%s)" -lt "$end" ]; do
				$SMTPC --port "$(port_of "$via")" "$T/clean.eml" "$T/bomb.eml"
			done
		) >"$T/load.$via.$c" 2>&1 &
		lpids="$lpids $!"
	done
	wait $lpids
}
for via in unix inet; do
	eval "pid=\$MILTER_PID_$via"
	load "$via"
	hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
	n=$(cat "$T"/load.$via.* | grep -c '^END')
	bad=$(cat "$T"/load.$via.* | python3 -c '
import sys
bad, cur = 0, None
for line in sys.stdin:
    tag, _, rest = line.rstrip("\n").partition(" ")
    if tag == "FILE": cur = rest
    elif tag == "END":
        want = "250" if cur.endswith("clean.eml") else "552"
        bad += not rest.startswith(want)
    elif tag == "ERROR": bad += 1
print(bad)')
	say "  $via: $n messages in $SECONDS_LOAD s, $bad wrong or failed, peak RSS $((hwm / 1024)) MiB"
	check "$via: 20 sessions: every verdict right, no error" test "$bad" = 0
	check "$via: peak RSS under 64 MiB ($((hwm / 1024)) MiB)" test "$hwm" -lt 65536
done
e2e_end
