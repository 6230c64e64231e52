# lib.sh - helpers of defuse's end-to-end tests (sourced, POSIX sh + bash).
#
# A real Postfix, private to the test: config, queue and data directories
# in a temporary directory, listening on 127.0.0.1 only, three smtpd
# listeners: one with defuse-milter over a unix socket ($PORT_UNIX), one
# over inet ($PORT_INET), one with no milter ($PORT_NONE).  Accepted mail
# is delivered by a pipe transport into $T/out/<queue id>, byte for byte
# as Postfix stored it.  Every process a test starts is stopped by the
# EXIT trap.
#
# Environment: DEFUSE_BUILDDIR (the build tree), DEFUSE_SRCDIR,
# DEFUSE_CORPUS, CI (=true: a missing tool is a failure, never a skip),
# DEFUSE_MILTER (the binary, default $DEFUSE_BUILDDIR/milter/defuse-milter),
# PF_MAIN_EXTRA (lines pf_start appends to main.cf; set by the test),
# PF_MASTER_EXTRA (lines appended to master.cf: more smtpd listeners).

set -u

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)
: "${DEFUSE_SRCDIR:=$(cd "$E2E_DIR/../.." && pwd)}"
: "${DEFUSE_BUILDDIR:=$(pwd)}"
: "${DEFUSE_MILTER:=$DEFUSE_BUILDDIR/milter/defuse-milter}"
SMTPC="python3 $E2E_DIR/smtpc.py"
E2E_FAILS=0
E2E_CHECKS=0
E2E_PIDS=""

# say - progress on stdout
say() { printf '%s\n' "$*"; }

# e2e_skip_or_fail - a missing prerequisite: fail under CI, else skip
e2e_skip_or_fail() {
	if [ "${CI:-}" = true ]; then
		say "FAIL: $* (CI=true: the end-to-end tests must run)"
		exit 1
	fi
	say "SKIP: $*"
	exit 77
}

# e2e_need - commands the test needs
e2e_need() {
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$c" >/dev/null 2>&1 ||
			e2e_skip_or_fail "$c not found (Debian: apt-get install postfix miltertest python3)"
	done
	[ -x "$DEFUSE_MILTER" ] || e2e_skip_or_fail "$DEFUSE_MILTER not built"
	[ "$(id -u)" = 0 ] || e2e_skip_or_fail "must run as root (starts a private Postfix)"
}

# check - one named assertion: check LABEL command...
check() {
	label=$1
	shift
	E2E_CHECKS=$((E2E_CHECKS + 1))
	if "$@"; then
		say "ok   - $label"
	else
		say "FAIL - $label"
		E2E_FAILS=$((E2E_FAILS + 1))
	fi
}

# e2e_cleanup - stop everything this test started
# reap_pids PID... - wait up to REAP_WAIT (10) s for each (already signalled), then
# KILL; each leaves E2E_PIDS (at exit its number may be another process's)
reap_pids() {
	for p in "$@"; do
		for _ in $(seq $((${REAP_WAIT:-10} * 10))); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$p" 2>/dev/null && say "    (pid $p still running after ${REAP_WAIT:-10} s: killed)"
		wait "$p" 2>/dev/null
		E2E_PIDS=$(printf '%s\n' $E2E_PIDS | grep -vx "$p" | tr '\n' ' ')
	done
}
e2e_cleanup() {
	for p in $E2E_PIDS; do
		kill "$p" 2>/dev/null
	done
	if [ -n "${PF:-}" ] && [ -f "$PF/main.cf" ]; then
		postfix -c "$PF" stop >/dev/null 2>&1
		# postfix stop returns before the master has gone
		for _ in $(seq 50); do
			[ -f "$T/queue/pid/master.pid" ] && kill -0 "$(cat "$T/queue/pid/master.pid" 2>/dev/null)" 2>/dev/null || break
			sleep 0.1
		done
	fi
	reap_pids $E2E_PIDS
	if [ "${E2E_KEEP:-}" = "" ] && [ -n "${T:-}" ]; then
		rm -rf "$T"
	else
		say "kept $T"
	fi
}

# e2e_begin - a fresh temporary directory and the trap
e2e_begin() {
	e2e_need postfix python3
	T=$(mktemp -d /tmp/defuse-e2e.XXXXXX)
	chmod 755 "$T"
	trap e2e_cleanup EXIT
	trap 'exit 2' INT TERM HUP
	mkdir -p "$T/out" && chmod 1777 "$T/out"
}

# e2e_end - the summary and the exit status
e2e_end() {
	say "$E2E_CHECKS checks, $E2E_FAILS failed"
	[ "$E2E_FAILS" = 0 ]
	exit $?
}

# free_port - an unused TCP port on 127.0.0.1
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# pf_start - the private Postfix
pf_start() {
	PF=$T/pf
	PORT_UNIX=$(free_port)
	PORT_INET=$(free_port)
	PORT_NONE=$(free_port)
	MPORT=$(free_port)
	mkdir -p "$PF" "$T/queue" "$T/data"
	chown postfix "$T/data"
	cat >"$T/deliver.sh" <<EOS
#!/bin/sh
# pipe(8) delivery: the message as Postfix has it, into out/<queue id>
cat >"$T/out/.\$1.tmp" && mv "$T/out/.\$1.tmp" "$T/out/\$1"
EOS
	chmod 755 "$T/deliver.sh"
	cat >"$PF/main.cf" <<EOS
compatibility_level = 3.6
queue_directory = $T/queue
data_directory = $T/data
mail_owner = postfix
setgid_group = postdrop
myhostname = defuse-test.example.org
mydomain = example.org
myorigin = example.org
mydestination =
relay_domains =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
local_header_rewrite_clients =
default_transport = deliver
relay_transport = deliver
deliver_destination_recipient_limit = 1
maillog_file = $T/maillog
maillog_file_prefixes = $T
message_size_limit = 104857600
header_size_limit = 4194304
milter_default_action = tempfail
milter_protocol = 6
milter_connect_timeout = 5s
milter_command_timeout = 10s
milter_content_timeout = 60s
smtpd_milters =
non_smtpd_milters =
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 1000
smtpd_hard_error_limit = 1000
in_flow_delay = 0
biff = no
alias_maps =
alias_database =
delay_warning_time = 0
EOS
	# PF_MAIN_EXTRA: more main.cf lines from the test (load tests raise limits)
	[ -z "${PF_MAIN_EXTRA:-}" ] || printf '%s\n' "$PF_MAIN_EXTRA" >>"$PF/main.cf"
	cat >"$PF/master.cf" <<EOS
127.0.0.1:$PORT_UNIX inet n - n - - smtpd -o smtpd_milters=unix:$T/milter.sock
127.0.0.1:$PORT_INET inet n - n - - smtpd -o smtpd_milters=inet:127.0.0.1:$MPORT
127.0.0.1:$PORT_NONE inet n - n - - smtpd -o smtpd_milters=
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
deliver   unix  -       n       n       -       -       pipe flags= user=nobody argv=$T/deliver.sh \${queue_id}
EOS
	[ -z "${PF_MASTER_EXTRA:-}" ] || printf '%s\n' "$PF_MASTER_EXTRA" >>"$PF/master.cf"
	# Postfix ignores a main.cf younger than about two seconds.
	touch -d '-10 seconds' "$PF/main.cf" "$PF/master.cf"
	if ! script -qec "postfix -c $PF start" /dev/null >"$T/postfix-start.log" 2>&1; then
		cat "$T/postfix-start.log"; cat "$T/maillog" 2>/dev/null
		say "FAIL: postfix -c $PF start"
		exit 1
	fi
	for port in $PORT_UNIX $PORT_INET $PORT_NONE; do
		wait_port "$port" || { say "FAIL: Postfix is not listening on $port"; cat "$T/maillog" 2>/dev/null; exit 1; }
	done
	say "postfix $(postconf -c "$PF" -h mail_version) on 127.0.0.1: unix milter :$PORT_UNIX, inet milter :$PORT_INET, no milter :$PORT_NONE"
}

# wait_port - wait until 127.0.0.1:PORT accepts
wait_port() {
	python3 - "$1" <<'EOS'
import socket, sys, time
end = time.time() + 20
while time.time() < end:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
EOS
}

# milter_conf - write a configuration: milter_conf NAME key=value...
milter_conf() {
	f=$T/$1.conf
	shift
	: >"$f"
	for kv in "$@"; do
		printf '%s = "%s"\n' "${kv%%=*}" "${kv#*=}" >>"$f"
	done
	touch "$f"
}

# milter_start - start defuse-milter: milter_start unix|inet|inet6 CONF
# (inet6: on [::1]:$MPORT)
milter_start() {
	via=$1
	conf=$2
	case $via in
	unix) sock=unix:$T/milter.sock ;;
	inet6) sock=inet6:$MPORT@::1 ;;
	*) sock=inet:$MPORT@127.0.0.1 ;;
	esac
	"$DEFUSE_MILTER" -f -c "$conf" -p "$sock" -o socket_mode=0666 \
		-o log_stderr=yes -o log_json="$T/$via.json" \
		-P "$T/milter-$via.pid" 2>>"$T/milter-$via.log" &
	pid=$!
	E2E_PIDS="$E2E_PIDS $pid"
	eval "MILTER_PID_$via=$pid"
	for _ in $(seq 100); do
		case $via in
		unix) [ -S "$T/milter.sock" ] && break ;;
		inet6) python3 -c "import socket; socket.create_connection(('::1', $MPORT), 1).close()" 2>/dev/null && break ;;
		*) python3 -c "import socket; socket.create_connection(('127.0.0.1', $MPORT), 1).close()" 2>/dev/null && break ;;
		esac
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$pid" 2>/dev/null || { cat "$T/milter-$via.log"; say "FAIL: defuse-milter ($via) did not start"; exit 1; }
}

# milter_stop - stop one: milter_stop unix|inet [signal]
milter_stop() {
	eval "pid=\${MILTER_PID_$1:-}"
	[ -n "$pid" ] || return 0
	kill "-${2:-TERM}" "$pid" 2>/dev/null
	# a clean stop may take drain_timeout (30 s) plus libmilter's poll
	REAP_WAIT=${REAP_WAIT:-40} reap_pids "$pid"
	eval "MILTER_PID_$1="
}

# port_of - the Postfix port that uses the milter over unix or inet
port_of() {
	if [ "$1" = unix ]; then echo "$PORT_UNIX"; elif [ "$1" = inet ]; then echo "$PORT_INET"; else echo "$PORT_NONE"; fi
}

# big_message - the benchmarks' 20 MB clean message: text and a base64
# attachment of 14 MiB random bytes: big_message FILE
big_message() {
	python3 - "$1" <<'EOS'
import base64, os, sys
b64 = base64.encodebytes(os.urandom(14 << 20)).decode()
open(sys.argv[1], "w").write(
    "From: a@example.org\nTo: b@example.net\nSubject: 20 MB\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"BB\"\n\n--BB\nContent-Type: text/plain\n\nhi\n--BB\n"
    "Content-Type: application/octet-stream; name=\"big.bin\"\nContent-Transfer-Encoding: base64\n\n"
    + b64 + "--BB--\n")
EOS
}

# smtp - send messages: smtp OUTFILE PORT [smtpc options] FILE...
smtp() {
	out=$1
	shift
	$SMTPC --port "$@" >"$out" 2>&1
}

# reply_of - the reply to a stage in an smtp output: reply_of FILE STAGE
reply_of() {
	sed -n "s/^$2 //p" "$1" | head -n 1
}

# wait_delivered - wait for a queue id's delivery; prints the file
wait_delivered() {
	for _ in $(seq 300); do
		if [ -f "$T/out/$1" ]; then
			echo "$T/out/$1"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# mkmsgs - build test messages into $M ($T/msgs): python code on stdin,
# with d (that folder) and mkmsg's helpers (tests/e2e/mkmsg.py) in scope
mkmsgs() {
	M=$T/msgs
	mkdir -p "$M"
	{ printf 'import os, sys\nd = sys.argv[1]\nsys.path.insert(0, sys.argv[2])\n'
	  printf 'import mkmsg\nfrom mkmsg import attach, deep_mime, header, nested_zips, zeros_zip\n'
	  cat; } | python3 - "$M" "$E2E_DIR"
}

# matches STRING REGEX - does STRING match the extended REGEX?
matches() { printf '%s\n' "$1" | grep -Eq "$2"; }

# eventually SECS COMMAND... - run COMMAND every 0.2 s until it succeeds,
# for at most SECS seconds; its last status (Postfix delivers when it
# can, and a busy machine is slower)
eventually() {
	secs=$1
	shift
	for _ in $(seq $((secs * 5))); do
		"$@" && return 0
		sleep 0.2
	done
	"$@"
}

# strip_trace - a delivered message without Postfix's Received: and
# without the header defuse adds (X-Defuse by default)
strip_trace() {
	python3 - "$1" "${2:-X-Defuse}" "$E2E_DIR" <<'EOS'
import sys
sys.path.insert(0, sys.argv[3])
from loadgen import strip_trace      # one definition, shared with the load tests
data = open(sys.argv[1], "rb").read()
sys.stdout.buffer.write(strip_trace(data, sys.argv[2].lower().encode()))
EOS
}

# same_message - delivered (trace stripped) equals the original, LF ends
same_message() {
	strip_trace "$2" "${3:-X-Defuse}" >"$T/cmp.delivered"
	python3 - "$1" "$T/cmp.delivered" <<'EOS'
import sys
a = open(sys.argv[1], "rb").read()
b = open(sys.argv[2], "rb").read()
lines = a.split(b"\n")
if lines and lines[-1] == b"":
    lines.pop()
a = b"".join(l[:-1] + b"\n" if l.endswith(b"\r") else l + b"\n" for l in lines)
if a != b:
    for i, (x, y) in enumerate(zip(a.split(b"\n"), b.split(b"\n"))):
        if x != y:
            sys.stderr.write("  differs at line %d:\n    sent:      %r\n    delivered: %r\n" % (i + 1, x[:120], y[:120]))
            break
    else:
        sys.stderr.write("  lengths differ: sent %d, delivered %d\n" % (len(a), len(b)))
    sys.exit(1)
EOS
}
