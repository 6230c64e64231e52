#!/bin/sh
# hang-guard.sh PROGRAM [ARG...] - run a Criterion test program (the
# LOG_COMPILER of make check); if it is still running after
# HANG_GUARD_SECONDS (default 900), kill it and run it once more.
#
# Why: Criterion forks a worker for each test from a runner that has
# threads of its own.  Under AddressSanitizer, a fork taken while another
# thread holds the sanitizer allocator's lock leaves the child waiting on
# that lock for ever: seen once, on a loaded machine, as test_limits (ASan
# build) idle for 46 minutes with its child in __sanitizer::Mutex::Lock
# under criterion_run_all_tests (gdb), before any test had run.  A hang
# says nothing about defuse: the program is run again, and a second hang
# is a failure.  A program that fails or crashes is never run again.
secs=${HANG_GUARD_SECONDS:-900}
for try in 1 2; do
	timeout -k 10 "$secs" "$@"
	rc=$?
	[ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] && exit "$rc"
	echo "hang-guard: $* still running after $secs s (try $try): killed" >&2
done
exit 1
