#!/bin/bash
# test_modes - the actions besides reject, and configuration reloads, through
# a real Postfix with defuse-milter over unix and inet: monitor (accept and
# log what would have happened), tag (accept with a header), quarantine
# (Postfix's hold queue), discard, tempfail; SIGHUP reload applied between
# messages, a bad file refused while the old configuration stays, and a
# reload while mail is flowing (no message lost or mis-judged).
. "$(dirname "$0")/lib.sh"
e2e_begin
pf_start
CONF=$T/defuse.conf
set_conf() { milter_conf defuse max_part_size=1M max_mime_depth=8 "$@"; }
set_conf
milter_start unix "$CONF"
milter_start inet "$CONF"
mkmsgs <<'EOS'
attach(d + "/bomb.eml", "big part", os.urandom(2 << 20), "big.bin")
open(d + "/deep.eml", "w").write(header("deep") + deep_mime(12))
open(d + "/clean.eml", "w").write(header("clean") + "Content-Type: text/plain\n\nhello\n")
EOS

# reload - SIGHUP both milters and wait until each has logged it
reload() {
	for v in unix inet; do
		eval "pid=\$MILTER_PID_$v"
		n=$(grep -c 'reload' "$T/milter-$v.log")
		kill -HUP "$pid"
		for _ in $(seq 100); do
			[ "$(grep -c 'reload' "$T/milter-$v.log")" -gt "$n" ] && break
			sleep 0.05
		done
	done
}

# send VIA FILE - one message; sets R (END reply) and Q (queue id)
send() {
	smtp "$T/r" "$(port_of "$1")" "$M/$2"
	R=$(reply_of "$T/r" END)
	Q=$(reply_of "$T/r" QID)
}

last_action() { tail -n 1 "$T/$1.json" | python3 -c 'import json,sys; r=json.loads(sys.stdin.read()); print(r["action"], r["reason"])'; }
held() { find "$T/queue/hold" -type f | wc -l; }
delivered_same() { f=$(wait_delivered "$1") && same_message "$2" "$f"; }
has_header() { f=$(wait_delivered "$1") && grep -Eq "$2" "$f"; }
not_delivered() { sleep 1; [ ! -e "$T/out/$1" ]; }

for via in unix inet; do
	say "--- over $via"
	set_conf action=monitor
	reload
	send "$via" bomb.eml
	check "$via: monitor: a bomb is accepted ($R)" test -n "$Q"
	check "$via: monitor: delivered unchanged, no header" delivered_same "$Q" "$M/bomb.eml"
	check "$via: monitor: logged what would have happened ($(last_action "$via"))" \
		test "$(last_action "$via")" = "monitor part_size"

	set_conf on_part_size=tag
	reload
	send "$via" bomb.eml
	check "$via: tag: accepted ($R)" test -n "$Q"
	check "$via: tag: X-Defuse header with the reason and the part" \
		has_header "$Q" '^X-Defuse: tag; reason=part_size where=2[^ ]* raw='
	check "$via: tag: otherwise delivered unchanged" delivered_same "$Q" "$M/bomb.eml"
	send "$via" deep.eml
	check "$via: tag on part_size only: mime_depth is still rejected ($R)" \
		matches "$R" '^554 5\.6\.0 '

	set_conf on_mime_depth=quarantine add_header=yes header_name=X-Bomb-Check
	reload
	h=$(held)
	send "$via" deep.eml
	check "$via: quarantine: accepted ($R)" test -n "$Q"
	check "$via: quarantine: in Postfix's hold queue, not delivered" sh -c "sleep 1; [ $(held) -gt $h ] && [ ! -e '$T/out/$Q' ]"
	send "$via" clean.eml
	check "$via: add_header with header_name: clean mail gets X-Bomb-Check: accept" \
		has_header "$Q" '^X-Bomb-Check: accept; raw=[0-9]+ decoded='

	set_conf on_mime_depth=discard on_part_size=tempfail
	reload
	send "$via" deep.eml
	check "$via: discard: accepted ($R) ..." test -n "$Q"
	check "$via: ... and dropped" not_delivered "$Q"
	send "$via" bomb.eml
	check "$via: tempfail: 451 with the reason's status made temporary ($R)" \
		matches "$R" '^451 4\.3\.4 part too large once decoded \(part_size\)$'

	printf 'no_such_key = 1\n' >>"$CONF"
	reload
	check "$via: bad file on reload: the error names file and line" \
		grep -q "reload: $CONF:[0-9]*: unknown key \"no_such_key\"; keeping the running configuration" "$T/milter-$via.log"
	send "$via" bomb.eml
	check "$via: ... and the running configuration stays (still tempfail: $R)" \
		matches "$R" '^451 4\.3\.4 '
done

# A reload while mail flows: 3 clients x 20 messages over each socket, a
# clean one and a bomb in turn, while the configuration flips between
# reject and monitor every 0.2 s.  Every clean message must be delivered,
# every bomb rejected or (monitor) accepted, nothing else.
say "--- reload while mail is flowing"
set_conf
reload
for i in $(seq 20); do echo "$M/clean.eml"; echo "$M/bomb.eml"; done >"$T/flow.list"
pids=""
for via in unix inet; do
	for c in 1 2 3; do
		xargs -d '\n' $SMTPC --port "$(port_of "$via")" <"$T/flow.list" >"$T/flow.$via.$c" 2>&1 &
		pids="$pids $!"
	done
done
flips=0
while kill -0 $pids 2>/dev/null; do
	if [ $((flips % 2)) = 0 ]; then set_conf action=monitor; else set_conf; fi
	reload
	flips=$((flips + 1))
	sleep 0.2
done
wait $pids
flow_ok() {
	python3 - "$T" <<'EOS'
import glob, sys
bad, n, acts = 0, 0, {}
for f in glob.glob(sys.argv[1] + "/flow.*.*"):
    cur = None
    for line in open(f):
        tag, _, rest = line.rstrip("\n").partition(" ")
        if tag == "FILE":
            cur = rest
        elif tag == "END":
            n += 1
            ok = rest.startswith("250") if cur.endswith("clean.eml") else rest[:3] in ("250", "552")
            acts[(cur.rsplit("/", 1)[1], rest[:3])] = acts.get((cur.rsplit("/", 1)[1], rest[:3]), 0) + 1
            if not ok:
                bad += 1
                print("  unexpected: %s -> %s" % (cur, rest))
print("  %d messages: %s" % (n, ", ".join("%s %s: %d" % (k[0], k[1], v) for k, v in sorted(acts.items()))))
sys.exit(1 if bad or n != 240 else 0)
EOS
}
check "$flips reloads during 240 messages: every clean message accepted, every bomb 552 or (monitor) 250" flow_ok
accepted=$(cat "$T"/flow.* | grep -c '^QID')
flow_delivered() { test "$(grep -l 'Subject: \(clean\|big part\)' "$T"/out/* 2>/dev/null | wc -l)" -ge "$accepted"; }
check "every accepted message of the flow delivered ($accepted)" eventually 60 flow_delivered
# The global budget: with max_total_memory far below one message's own
# memory, every message gets 451 4.3.1 (or 4.3.0 when not even the
# message's context fits), never a crash; on_trouble = accept lets it pass.
say "--- max_total_memory"
set_conf max_total_memory=4K
reload
send unix clean.eml
R=$(grep -E '^(MAIL|END) ' "$T/r" | tail -n 1)
check "budget exhausted: 451 4.3.x, try again later ($R)" matches "$R" '^(MAIL|END) 451 4\.3\.[01] filter (busy|error), try again later'
set_conf max_total_memory=4K on_trouble=accept
reload
send inet clean.eml
check "budget exhausted with on_trouble = accept: accepted unexamined ($R)" test -n "$Q"
check "... and logged as accept with verdict tempfail" \
	grep -Eq '"action":"accept","verdict":"tempfail","reason":"(budget|internal)"' "$T/inet.json"
set_conf
reload
send unix clean.eml
check "budget back to the default: accepted again ($R)" test -n "$Q"
check "no milter trouble in Postfix's log" sh -c "! grep -E 'warning: milter|can.t read SMFIC' '$T/maillog'"
e2e_end
