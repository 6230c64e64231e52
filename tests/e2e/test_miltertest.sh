#!/bin/bash
# test_miltertest - a second, independent milter client: miltertest
# (Debian package miltertest) drives defuse-milter over a unix and an inet
# socket through protocol edges: abort mid-body, several messages on one
# connection with a refusal in the middle of a body, no macros at all.
. "$(dirname "$0")/lib.sh"
e2e_need miltertest python3
T=$(mktemp -d /tmp/defuse-e2e.XXXXXX)
chmod 755 "$T"
trap e2e_cleanup EXIT
trap 'exit 2' INT TERM HUP
MPORT=$(free_port)
milter_conf mt max_part_size=256K add_header=yes
milter_start unix "$T/mt.conf"
milter_start inet "$T/mt.conf"

for via in unix inet; do
	if [ "$via" = unix ]; then sock=unix:$T/milter.sock; else sock=inet:$MPORT@127.0.0.1; fi
	for s in abort multi nomacros; do
		say "--- $s.lua over $via"
		timeout 60 miltertest -s "$E2E_DIR/miltertest/$s.lua" -D socket="$sock" >"$T/mt.out" 2>&1
		rc=$?
		sed 's/^/  /' "$T/mt.out"
		check "$via: miltertest $s.lua (exit $rc)" test "$rc" = 0
	done
	log=$T/milter-$via.log
	check "$via: the aborted message was logged as abort with its queue id" \
		grep -q '^defuse-milter: MTABORT1: action=abort ' "$log"
	check "$via: the refused message was logged as reject, part_size" \
		grep -q '^defuse-milter: MTMULTI2: action=reject verdict=reject reason=part_size ' "$log"
	check "$via: messages after the refusal on the same connection were accepted" \
		grep -q '^defuse-milter: MTMULTI4: action=accept ' "$log"
	check "$via: no queue id: logged as NOQUEUE" \
		grep -q '^defuse-milter: NOQUEUE: action=accept ' "$log"
	check "$via: SIZE= refusal logged as size_declared" \
		grep -q '^defuse-milter: NOQUEUE: action=reject verdict=reject reason=size_declared ' "$log"
done
e2e_end
