#!/bin/sh
# test-summary.sh BUILDDIR... - add up what the test logs of the given
# build directories say: Criterion's per-program synthesis lines, and one
# result per script test, with the failed checks and the last lines of
# a failed script's log.  Prints "tests: N passed, N failed" last;
# exits 1 when anything failed, crashed, or did not run.
set -u
passed=0 failed=0 skipped=0
for dir in "$@"; do
	for trs in $(find "$dir/tests" -name '*.trs' 2>/dev/null); do
		log=${trs%.trs}.log
		result=$(sed -n 's/^:test-result: //p' "$trs" | head -1)
		synth=$(grep -a 'Synthesis: Tested:' "$log" 2>/dev/null | tail -1)
		if [ -n "$synth" ]; then
			p=$(echo "$synth" | sed 's/.*Passing: \([0-9]*\).*/\1/')
			f=$(echo "$synth" | sed 's/.*Failing: \([0-9]*\).*Crashing: \([0-9]*\).*/\1 \2/')
			passed=$((passed + p))
			for n in $f; do failed=$((failed + n)); done
			[ "$result" = PASS ] || [ "$f" != "0 0" ] || failed=$((failed + 1))
		else
			case $result in
			PASS) passed=$((passed + 1)) ;;
			SKIP) skipped=$((skipped + 1)); echo "skipped: $log" ;;
			*) failed=$((failed + 1)); echo "failed: $log"
			   # the failed checks and how the log ends, for a CI
			   # run whose files are gone
			   grep -a '^FAIL' "$log" | sed 's/^/  | /'
			   echo "  | ... last lines:"
			   tail -n 25 "$log" | sed 's/^/  | /' ;;
			esac
		fi
	done
done
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$skipped" -eq 0 ] && [ "$passed" -gt 0 ]
