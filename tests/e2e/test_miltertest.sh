#!/bin/bash
# test_miltertest - a second, independent milter client: miltertest
# (Debian package miltertest) drives defuse-milter over a unix and an inet
# socket through protocol edges: abort mid-body, several messages on one
# connection with a refusal in the middle of a body, no macros at all;
# and (a raw client) an MTA that stalls mid-packet: milter_timeout.
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

# milter_timeout: an MTA that stops in the middle of a body packet.  libmilter
# gives up on the read after milter_timeout seconds, closes the connection
# and the message is ended (logged as abort); the daemon goes on.
say "--- an MTA that stalls mid-packet (milter_timeout = 3)"
milter_stop unix
milter_conf stall milter_timeout=3
milter_start unix "$T/stall.conf"
python3 - "$T/milter.sock" >"$T/stall.out" 2>&1 <<'EOS'
import socket, struct, sys, time

def pkt(cmd, data=b""):
    return struct.pack(">I", len(data) + 1) + cmd + data

def reply(s):
    hdr = b""
    while len(hdr) < 4:
        got = s.recv(4 - len(hdr))
        if not got:
            raise SystemExit("EOF before a reply")
        hdr += got
    n = struct.unpack(">I", hdr)[0]
    body = b""
    while len(body) < n:
        body += s.recv(n - len(body))
    return body[:1]

s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(pkt(b"O", struct.pack(">III", 6, 0x1ff, 0)))
reply(s)
for cmd, data in ((b"D", b"Ci\0STALL1\0"), (b"C", b"mta.example.org\0U"), (b"H", b"mta.example.org\0"),
                  (b"M", b"<a@example.org>\0"), (b"R", b"<b@example.net>\0"),
                  (b"L", b"Subject\0stall\0"), (b"N", b"")):
    s.sendall(pkt(cmd, data))
    if cmd != b"D":
        reply(s)
s.sendall(pkt(b"B", b"x" * 1000)[:200])	# 200 bytes of a 1005-byte packet
t0 = time.time()
s.settimeout(30)
try:
    got = s.recv(100)
except socket.timeout:
    got = None
print("closed" if got == b"" else "not closed: %r" % (got,), "after %.1f s" % (time.time() - t0))
EOS
say "    $(cat "$T/stall.out")"
check "stall: defuse closed the connection after milter_timeout (3 s)" \
	python3 -c "import sys; w = open('$T/stall.out').read().split(); sys.exit(not (w[0] == 'closed' and 2 <= float(w[2]) <= 8))"
check "stall: the message was ended and logged as abort" \
	eventually 5 grep -q '^defuse-milter: STALL1: action=abort ' "$T/milter-unix.log"
check "stall: the daemon goes on" kill -0 "$MILTER_PID_unix"
e2e_end
