#!/bin/sh
# run.sh BUILDDIR - every benchmark (make bench).  Each script prints its
# figures with the commands behind them and exits non-zero on a missed
# target; this one runs them all and reports.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-.}
status=0
for b in "$here"/bench.py "$here"/archives.py "$here"/streams.py; do
	[ -f "$b" ] || continue
	echo "=== $(basename "$b")"
	python3 "$b" "$build" || status=1
done
echo "=== memplot.py (memory against message size; plot in $build/memory.png)"
python3 "$here/memplot.py" "$build" "$build/memory.png" || status=1
echo "=== tests/e2e/bench_milter.sh (through a real Postfix; needs root)"
DEFUSE_BUILDDIR=$build DEFUSE_SRCDIR=$(cd "$here/../.." && pwd) \
	bash "$here/../e2e/bench_milter.sh" || status=1
echo "=== tests/bench/peer_clamav.sh (beside clamd + clamav-milter; needs root)"
DEFUSE_BUILDDIR=$build DEFUSE_SRCDIR=$(cd "$here/../.." && pwd) \
	bash "$here/peer_clamav.sh"
case $? in 0) ;; 77) echo "peer_clamav: skipped (sh contrib/install-deps.sh --bench)" ;; *) status=1 ;; esac
exit $status
