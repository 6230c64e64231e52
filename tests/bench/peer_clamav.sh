#!/bin/bash
# peer_clamav - defuse side by side with the filter administrators run
# today, clamd + clamav-milter from Debian's packages (issue 5, benchmark 4).
#
# One private Postfix (tests/e2e/lib.sh), four smtpd ports: no milter,
# defuse-milter, clamav-milter (talking to a private clamd).  The same
# messages through each: clean mail (a small text, a 20 MB attachment of
# random bytes, bombgen's ordinary zip and a benign zip nested 4 deep, a
# few real messages of the shared corpus and the whole of corpus/mime in
# one session), the EICAR test file (not a bomb: it shows that clamd
# really scans), every bomb bombgen writes, ten 10 MB attachments (the
# "ten 50 MB attachments" of DESIGN.md scaled to message_size_limit, 100
# MiB here), a multipart tree nested 500 deep and a gzip of 20 MB of zeros.
# Everything but the corpus is built at run time (bombgen and
# peer_clamav.py build).  For each message and each filter:
#   - the verdict: the SMTP reply at the end of DATA;
#   - the time of the SMTP transaction, MAIL FROM to that reply, median
#     of 3 rounds (the three filters interleaved in each round; delivery
#     of an accepted message is waited for outside the timing);
#   - the peak memory, VmHWM from /proc: defuse-milter's, and clamd's and
#     clamav-milter's, separately and summed.  VmHWM is a peak over a
#     process's life, so every filter is restarted for every row: a row's
#     figure is the peak over its 3 rounds, from a fresh start, and never
#     carries what an earlier message left in the heap.  The RSS of each
#     filter right after start (clamd with its one-signature database) is
#     printed as the baseline.
#
# The filters run with their defaults, except what it takes to run them
# privately:
#   defuse-milter  an empty configuration file; lib.sh's milter_start sets
#                  the socket (mode 0666), -f, logs and pid file.
#   clamd          Foreground yes (a child of this script, stopped by it);
#                  LocalSocket, PidFile, LogFile in $T (private);
#                  DatabaseDirectory $T/clamdb: one line, an MD5 signature
#                  of the EICAR test file (clamd refuses to start without a
#                  database; nothing is downloaded, freshclam never runs).
#                  It runs as root (no User): nothing else to set up.
#   clamav-milter  Foreground yes; MilterSocket unix:$T/clamav-milter.sock
#                  with MilterSocketMode 666 (Postfix's smtpd, user
#                  postfix, must connect); ClamdSocket unix:$T/clamd.sock;
#                  PidFile and LogFile in $T; OnInfected Reject (the
#                  default, Quarantine, accepts and puts mail on hold).
# Everything else is left at its default, notably clamd's StreamMaxLength
# (100M), MaxFileSize (100M), MaxScanSize (400M), MaxRecursion (17), MaxFiles
# (10000), MaxScanTime (120 s), AlertExceedsMax (no), TemporaryDirectory
# (/tmp) and clamav-milter's MaxFileSize (100M: bigger messages are not
# scanned) and OnFail (Defer).  The Postfix side is lib.sh's:
# message_size_limit 100 MiB, milter_content_timeout 60s,
# milter_default_action tempfail.
#
# Prints a table, one row per message, and the replies that were not 2xx
# with what clamd found.  A comparison, not a target: exit status 1 only
# when defuse gives a wrong verdict (a bomb accepted; clean mail that
# Postfix alone accepts not accepted); 77 when clamd or clamav-milter is
# missing (sh contrib/install-deps.sh --bench installs them).
#
#   DEFUSE_BUILDDIR=/path/to/build bash tests/bench/peer_clamav.sh
. "$(dirname "$0")/../e2e/lib.sh"
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
HELPER="python3 $BENCH_DIR/peer_clamav.py"
BOMBGEN=$DEFUSE_BUILDDIR/tests/bench/bombgen
PATH=$PATH:/usr/sbin:/sbin
REPS=3

for c in clamd clamav-milter; do
	command -v "$c" >/dev/null 2>&1 ||
		e2e_skip_or_fail "$c not found: install it with 'sh contrib/install-deps.sh --bench' (Debian: clamav-daemon clamav-milter)"
done
[ -x "$BOMBGEN" ] || e2e_skip_or_fail "$BOMBGEN not built (make -C $DEFUSE_BUILDDIR tests/bench/bombgen)"
e2e_begin

# proc_kb PID KEY - a /proc/PID/status figure in kB
proc_kb() {
	awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null
}

# stop_pids PID... - TERM to all, then reap them together
# (clamav-milter alone takes 4 s to go)
stop_pids() {
	kill "$@" 2>/dev/null
	reap_pids "$@"
}

# clamd_ping - does clamd answer PING with PONG?
clamd_ping() {
	python3 - "$T/clamd.sock" <<'EOS' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(2)
s.connect(sys.argv[1])
s.sendall(b"zPING\0")
sys.exit(0 if s.recv(16).startswith(b"PONG") else 1)
EOS
}

# clam_start - a fresh clamd, then a fresh clamav-milter
clam_start() {
	clamd -c "$T/clamd.conf" >>"$T/clamd.out" 2>&1 &
	CLAMD_PID=$!
	E2E_PIDS="$E2E_PIDS $CLAMD_PID"
	for _ in $(seq 600); do
		clamd_ping && break
		kill -0 "$CLAMD_PID" 2>/dev/null || break
		sleep 0.05
	done
	clamd_ping || { cat "$T/clamd.out" "$T/clamd.log"; say "FAIL: clamd did not start"; exit 1; }
	rm -f "$T/clamav-milter.sock"
	clamav-milter -c "$T/clamav-milter.conf" >>"$T/clamav-milter.out" 2>&1 &
	CM_PID=$!
	E2E_PIDS="$E2E_PIDS $CM_PID"
	for _ in $(seq 200); do
		[ -S "$T/clamav-milter.sock" ] && break
		kill -0 "$CM_PID" 2>/dev/null || break
		sleep 0.05
	done
	[ -S "$T/clamav-milter.sock" ] ||
		{ cat "$T/clamav-milter.out" "$T/clamav-milter.log"; say "FAIL: clamav-milter did not start"; exit 1; }
}

# filters_start - a fresh clamd, clamav-milter and defuse-milter (the
# default configuration: an empty file)
filters_start() {
	clam_start
	rm -f "$T/milter.sock"
	milter_start unix "$T/peer.conf"
	DEFUSE_PID=$MILTER_PID_unix
}

# filters_stop - all three
filters_stop() {
	stop_pids "$CM_PID" "$CLAMD_PID" "$DEFUSE_PID"
	MILTER_PID_unix="" CM_PID="" CLAMD_PID="" DEFUSE_PID=""
}

# --- the filters' configurations (see the header for why each option)
mkdir -p "$T/clamdb" "$T/msgs" "$T/bombgen"
$HELPER eicar "$T/clamdb"
cat >"$T/clamd.conf" <<EOS
Foreground yes
LocalSocket $T/clamd.sock
DatabaseDirectory $T/clamdb
PidFile $T/clamd.pid
LogFile $T/clamd.log
EOS
cat >"$T/clamav-milter.conf" <<EOS
Foreground yes
MilterSocket unix:$T/clamav-milter.sock
MilterSocketMode 666
ClamdSocket unix:$T/clamd.sock
PidFile $T/clamav-milter.pid
LogFile $T/clamav-milter.log
OnInfected Reject
EOS
milter_conf peer

# --- Postfix, and a fourth smtpd that uses clamav-milter
PORT_CLAM=$(free_port)
PF_MASTER_EXTRA="127.0.0.1:$PORT_CLAM inet n - n - - smtpd -o smtpd_milters=unix:$T/clamav-milter.sock"
pf_start
wait_port "$PORT_CLAM" || { say "FAIL: Postfix is not listening on $PORT_CLAM"; cat "$T/maillog"; exit 1; }
say "clamav-milter :$PORT_CLAM; $(clamd --version), clamav-milter $(clamav-milter --version | awk '{print $2}')"

# --- the messages
corpus=${DEFUSE_CORPUS:-$DEFUSE_SRCDIR/../shared/corpus}
if [ -d "$corpus/mime" ]; then
	corpus_mime=$(cd "$corpus/mime" && pwd)
	say "corpus: $corpus_mime"
else
	corpus_mime=""
	say "corpus: NOT FOUND at $corpus/mime (set DEFUSE_CORPUS): no real messages in this run"
fi
"$BOMBGEN" "$T/bombgen" || { say "FAIL: bombgen"; exit 1; }
$HELPER build "$T/msgs" "$T/bombgen" "$corpus_mime" >"$T/list" || { say "FAIL: building the messages"; exit 1; }

# --- the baselines: each filter's RSS right after start
filters_start
say "RSS after start: clamd $(( $(proc_kb "$CLAMD_PID" VmRSS) / 1024 )) MiB (one-signature database)," \
	"clamav-milter $(( $(proc_kb "$CM_PID" VmRSS) / 1024 )) MiB, defuse-milter $(( $(proc_kb "$DEFUSE_PID" VmRSS) / 1024 )) MiB"
BASE_CLAMD=$(proc_kb "$CLAMD_PID" VmRSS)

# --- every row: fresh filters, REPS interleaved rounds, the peaks
: >"$T/results"
while IFS="$(printf '\t')" read -r name cls files <&3; do
	[ -n "$name" ] || continue
	[ -n "$CM_PID" ] || filters_start
	say "  $name ($cls)"
	# shellcheck disable=SC2086 # files: a list of paths without blanks
	$HELPER send --reps "$REPS" --out "$T/out" --name "$name" --cls "$cls" \
		--port none="$PORT_NONE" --port defuse="$PORT_UNIX" --port clamav="$PORT_CLAM" \
		--pid defuse="$DEFUSE_PID" --pid clamd="$CLAMD_PID" --pid clamav-milter="$CM_PID" \
		--clamd-log "$T/clamd.log:$(stat -c %s "$T/clamd.log")" \
		$files >>"$T/results" || { say "FAIL: sending $name"; exit 1; }
	filters_stop
done 3<"$T/list"

say ""
say "defuse vs clamd + clamav-milter: verdict at the end of DATA, ms = median of $REPS"
say "(MAIL FROM to the reply), peak memory = VmHWM over the row's rounds from a fresh"
say "start, MiB (clamd's RSS after loading its one-signature database: $((BASE_CLAMD / 1024)) MiB)"
say ""
$HELPER table "$T/results"
status=$?
say ""
say "command: DEFUSE_BUILDDIR=$DEFUSE_BUILDDIR bash tests/bench/peer_clamav.sh"
if [ "$status" != 0 ]; then
	say "FAIL: defuse gave a wrong verdict (above)"
	exit 1
fi
exit 0
