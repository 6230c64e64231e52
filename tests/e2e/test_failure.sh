#!/bin/bash
# test_failure - the milter down, killed mid-message, or stopped with
# SIGTERM while a message streams, through a real Postfix with
# milter_default_action = tempfail, over unix and inet: Postfix replies
# 4xx, never accepts unexamined mail; after a restart the sender's retry
# is accepted and delivered byte for byte; nothing is lost or duplicated.
# SIGTERM lets the message in flight finish before the process exits.
. "$(dirname "$0")/lib.sh"
e2e_begin
pf_start
milter_conf base
M=$T/msgs
mkdir -p "$M"
python3 - "$M" <<'EOS'
import sys
line = "abcdefghijklmnopqrstuvwxyz0123456789" * 2 + "\n"
open(sys.argv[1] + "/big.eml", "w").write(
    "From: a@example.org\nTo: b@example.net\nSubject: 5 MB of text\n\n" + line * (5 * (1 << 20) // len(line)))
open(sys.argv[1] + "/small.eml", "w").write(
    "From: a@example.org\nTo: b@example.net\nSubject: small\n\nhello\n")
EOS
accepted=0

# retry VIA FILE - send until accepted (at most 5 tries); checks delivery
retry() {
	for i in 1 2 3 4 5; do
		smtp "$T/r" "$(port_of "$1")" "$M/$2"
		q=$(reply_of "$T/r" QID)
		if [ -n "$q" ]; then
			accepted=$((accepted + 1))
			f=$(wait_delivered "$q") && same_message "$M/$2" "$f"
			return
		fi
		sleep 0.5
	done
	return 1
}

tempfailed() {
	grep -Eq '^(MAIL|RCPT|END) 4[0-9][0-9] ' "$T/r" && ! grep -q '^QID' "$T/r"
}

for via in unix inet; do
	say "--- over $via"
	smtp "$T/r" "$(port_of "$via")" "$M/small.eml"
	check "$via: milter not running: Postfix tempfails ($(grep -E '^(MAIL|END) ' "$T/r" | head -1))" tempfailed
	milter_start "$via" "$T/base.conf"
	check "$via: after the milter starts, the retry is accepted and delivered unchanged" retry "$via" small.eml

	eval "pid=\$MILTER_PID_$via"
	smtp "$T/r" "$(port_of "$via")" --pause-at 2000000 --pause-cmd "kill -9 $pid; sleep 0.3" "$M/big.eml"
	check "$via: milter killed (SIGKILL) after 2 MB of a 5 MB body: Postfix tempfails ($(reply_of "$T/r" END))" tempfailed
	wait "$pid" 2>/dev/null
	rm -f "$T/milter.sock"
	milter_start "$via" "$T/base.conf"
	check "$via: after a restart the retry is accepted and delivered unchanged" retry "$via" big.eml

	eval "pid=\$MILTER_PID_$via"
	smtp "$T/r" "$(port_of "$via")" --pause-at 2000000 --pause-cmd "kill -TERM $pid; sleep 0.5" "$M/big.eml"
	q=$(reply_of "$T/r" QID)
	check "$via: SIGTERM while a message streams: that message still finishes and is accepted" test -n "$q"
	[ -n "$q" ] && accepted=$((accepted + 1))
	delivered_same() { f=$(wait_delivered "$1") && same_message "$2" "$f"; }
	check "$via: ... and delivered unchanged" delivered_same "$q" "$M/big.eml"
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	check "$via: ... and then the milter exits" sh -c "! kill -0 $pid 2>/dev/null"
	wait "$pid" 2>/dev/null
	check "$via: exit status 0 after SIGTERM" test "$?" = 0
	grep -q 'stopped' "$T/milter-$via.log"
	check "$via: it logged a clean stop" test $? = 0
	eval "MILTER_PID_$via="
done

sleep 1
check "nothing lost, nothing duplicated: $accepted accepted, $(ls "$T/out" | wc -l) delivered" \
	test "$(ls "$T/out" | wc -l)" -eq "$accepted"
e2e_end
