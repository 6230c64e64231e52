#!/bin/sh
# run.sh BUILDDIR [SECONDS] - run every libFuzzer harness for SECONDS
# (default 60) from seeds made out of the shared corpus (seeds.py), with
# the dictionaries beside this file.  A crash, leak, sanitizer report,
# timeout or failed assertion fails the run; its input is kept in
# BUILDDIR/tests/fuzz/artifacts/ (turn it into a regression test).
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: run.sh BUILDDIR [SECONDS]}" && pwd)
secs=${2:-60}
corpus=${DEFUSE_CORPUS:-$here/../../../shared/corpus}
work=$build/tests/fuzz/work
art=$build/tests/fuzz/artifacts
mkdir -p "$work" "$art"
if [ -d "$corpus" ]; then
	python3 "$here/seeds.py" "$corpus" "$work" || exit 1
else
	echo "fuzz: no corpus at $corpus: starting from empty seed folders"
	mkdir -p "$work/seeds-engine" "$work/seeds-zip" "$work/seeds-gzip" "$work/seeds-tar" \
		"$work/seeds-cstream"
fi
status=0
for h in engine zip gzip tar cstream codec yenc binhex b64text decoders; do
	bin=$build/tests/fuzz/fuzz-$h
	dict=$here/archive.dict
	[ "$h" = engine ] && dict=$here/mime.dict
	mkdir -p "$work/corpus-$h" "$work/seeds-$h"
	echo "=== fuzz-$h for $secs s"
	if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=200000 \
		-dict="$dict" -print_final_stats=1 -artifact_prefix="$art/$h-" \
		"$work/corpus-$h" "$work/seeds-$h" >"$work/$h.log" 2>&1; then
		echo "fuzz-$h: FAILED (see $work/$h.log; input in $art/)"
		grep -E 'ERROR|SUMMARY|Assertion' "$work/$h.log" | head -5
		status=1
	fi
	grep -E 'stat::number_of_executed_units|cov:' "$work/$h.log" | tail -2 | sed "s/^/  fuzz-$h: /" | cut -c1-150
done
exit $status
