#!/bin/bash
# compare_milter - two builds of defuse-milter through one real Postfix,
# side by side: the like-for-like figure an issue's "within N % of
# today" asks for.  Both milters run at once, each on its own unix socket
# behind its own smtpd listener of the same Postfix; smtpbench.py's
# "once" mode interleaves the targets round by round, so drift in the
# machine's speed falls on both alike.
#
#   DEFUSE_BUILDDIR=_build/release OLD_MILTER=/tmp/old/milter/defuse-milter \
#	bash tests/bench/compare_milter.sh [ROUNDS]
#
# The message is bench_milter.sh's section 2: 20 MB, a base64 attachment
# of random bytes.  Prints the median and minimum of each target (Postfix
# alone, nullmilter, the old build, the new one) and new/old in per cent.
# Nothing is asserted: the figure goes into a note, not a pass/fail.

. "$(dirname "$0")/../e2e/lib.sh"
: "${OLD_MILTER:?OLD_MILTER: the defuse-milter binary to compare against}"
ROUNDS=${1:-15}
e2e_begin
NULLMILTER=${NULLMILTER:-$DEFUSE_BUILDDIR/tests/bench/nullmilter}
[ -x "$NULLMILTER" ] || { say "compare_milter: $NULLMILTER missing (make bench builds it)"; exit 1; }
[ -x "$OLD_MILTER" ] || { say "compare_milter: $OLD_MILTER missing"; exit 1; }
SMTPBENCH="python3 $DEFUSE_SRCDIR/tests/bench/smtpbench.py"
PORT_OLD=$(free_port)
PORT_NULL=$(free_port)
PF_MASTER_EXTRA="127.0.0.1:$PORT_OLD inet n - n - - smtpd -o smtpd_milters=unix:$T/old.sock
127.0.0.1:$PORT_NULL inet n - n - - smtpd -o smtpd_milters=unix:$T/null.sock"
pf_start
milter_conf bench add_header=yes
milter_start unix "$T/bench.conf"
"$OLD_MILTER" -f -c "$T/bench.conf" -p "unix:$T/old.sock" -o socket_mode=0666 \
	-o log_stderr=yes 2>>"$T/milter-old.log" &
E2E_PIDS="$E2E_PIDS $!"
"$NULLMILTER" -p "unix:$T/null.sock" 2>>"$T/nullmilter.log" &
E2E_PIDS="$E2E_PIDS $!"
for _ in $(seq 100); do [ -S "$T/old.sock" ] && [ -S "$T/null.sock" ] && break; sleep 0.05; done
for port in $PORT_OLD $PORT_NULL; do wait_port "$port" || { say "FAIL: no listener on $port"; exit 1; }; done

big_message "$T/big.eml"
say "--- old: $OLD_MILTER"
say "--- new: $DEFUSE_MILTER"
say "--- a 20 MB clean message, median of $ROUNDS interleaved rounds, whole SMTP transaction"
$SMTPBENCH once --rounds "$ROUNDS" --out "$T/out" "$T/big.eml" none="$PORT_NONE" null="$PORT_NULL" \
	old="$PORT_OLD" new="$PORT_UNIX" >"$T/cmp.json"
python3 - "$T/cmp.json" <<'EOS'
import json, sys
r = {j["name"]: j for j in map(json.loads, open(sys.argv[1]))}
for k in ("none", "null", "old", "new"):
    j = r[k]
    print("  %-5s median %7.1f ms  min %7.1f ms  replies %s" % (k, j["ms_median"], j["ms_min"], ",".join(j["replies"])))
print("  new/old: median %.1f %%, min %.1f %%" % (100 * r["new"]["ms_median"] / r["old"]["ms_median"],
      100 * r["new"]["ms_min"] / r["old"]["ms_min"]))
print("  over nullmilter: old %+.1f ms, new %+.1f ms (median)" % (r["old"]["ms_median"] - r["null"]["ms_median"],
      r["new"]["ms_median"] - r["null"]["ms_median"]))
EOS
e2e_end
