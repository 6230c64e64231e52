#!/bin/bash
# bench_milter - defuse-milter through a real Postfix: figures for the
# README and for `make bench` (tests/bench/run.sh calls this).
#   1. latency: 300 small messages, one SMTP session, through Postfix with
#      no milter, with defuse over unix, with defuse over inet (with
#      add_header = yes, the worst case: two replies at end of message);
#   2. a 20 MB clean message: Postfix alone, + defuse unix, + defuse inet
#      (best of 5 interleaved rounds, whole SMTP transaction), ratio to alone;
#   3. 20 concurrent SMTP sessions for BENCH_SECONDS (default 60) with
#      smtp-source, a clean message and a bomb in turn: every verdict
#      right, no error, defuse-milter's peak RSS (VmHWM) under 64 MiB.
# Exit status 1 when a target is missed.
. "$(dirname "$0")/lib.sh"
e2e_begin
e2e_need smtp-source
pf_start
milter_conf bench add_header=yes max_part_size=1M
milter_start unix "$T/bench.conf"
milter_start inet "$T/bench.conf"
SECONDS_LOAD=${BENCH_SECONDS:-60}
PATH=$PATH:/usr/sbin

say "--- 1. latency: 300 messages of 1 KB in one session"
for via in none unix inet; do
	s=$(date +%s%N)
	smtp-source -m 300 -l 1024 -f a@example.org -t b@example.net "127.0.0.1:$(port_of "$via")" 2>"$T/ss.err"
	e=$(date +%s%N)
	us=$(( (e - s) / 300000 ))
	printf '  %-5s %6d.%03d ms per message\n' "$via" $(( (e - s) / 300000000 )) $(( ((e - s) / 300000) % 1000 ))
	eval "lat_$via=$us"
done
check "inet is as fast as unix (within 25 % + 1 ms per message)" \
	test "$lat_inet" -le $(( lat_unix * 125 / 100 + 1000 ))

say "--- 2. a 20 MB clean message"
python3 - "$T/big.eml" <<'EOS'
import base64, os, sys
b64 = base64.encodebytes(os.urandom(14 << 20)).decode()
open(sys.argv[1], "w").write(
    "From: a@example.org\nTo: b@example.net\nSubject: 20 MB\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"BB\"\n\n--BB\nContent-Type: text/plain\n\nhi\n--BB\n"
    "Content-Type: application/octet-stream; name=\"big.bin\"\nContent-Transfer-Encoding: base64\n\n"
    + b64 + "--BB--\n")
EOS
milter_conf big add_header=yes
for via in unix inet; do milter_stop "$via"; milter_start "$via" "$T/big.conf"; done
# Interleaved rounds, best of 9 each: the machine's other load hits all three.
python3 - "$T/big.eml" "$PORT_NONE" "$PORT_UNIX" "$PORT_INET" >"$T/big.times" <<'EOS'
import smtplib, sys, time
data = open(sys.argv[1], "rb").read()
best = {}
for _ in range(9):
    for via, port in zip(("none", "unix", "inet"), sys.argv[2:5]):
        s = smtplib.SMTP("127.0.0.1", int(port))
        t = time.time()
        s.sendmail("a@example.org", ["b@example.net"], data)
        best[via] = min(best.get(via, 1e9), int((time.time() - t) * 1000))
        s.quit()
for via in ("none", "unix", "inet"):
    print("big_%s=%d" % (via, best[via]))
EOS
. "$T/big.times"
for via in none unix inet; do
	eval "t=\$big_$via"
	printf '  %-5s %6d ms (best of 9, whole SMTP transaction)\n' "$via" "$t"
done
check "20 MB through Postfix + defuse (unix) within 1.1x of Postfix alone ($big_unix vs $big_none ms)" \
	test $((big_unix * 10)) -le $((big_none * 11 + 50))
check "20 MB through Postfix + defuse (inet) within 1.1x of Postfix alone ($big_inet vs $big_none ms)" \
	test $((big_inet * 10)) -le $((big_none * 11 + 50))

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
