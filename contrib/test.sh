#!/bin/sh
# test.sh - build defuse twice and run the whole test suite in each build:
#   _build/release  -O2 -Wall -Wextra -Werror
#   _build/asan     AddressSanitizer + UndefinedBehaviorSanitizer, -Werror
# then make distcheck.  Installs missing Debian packages first.
#
# then every libFuzzer harness for FUZZ_SECONDS (default 60) each.
#
# Environment: JOBS (default 2), DEFUSE_CORPUS (default ../shared/corpus),
# SKIP_DISTCHECK=1 to leave distcheck out, FUZZ_SECONDS=0 to skip fuzzing.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
JOBS=${JOBS:-2}

sh contrib/install-deps.sh --test
[ -x configure ] && [ configure -nt configure.ac ] && [ configure -nt Makefile.am ] ||
	autoreconf -fi

status=0
build() {
	name=$1; shift
	echo "=== build $name: $*"
	mkdir -p "_build/$name"
	( cd "_build/$name" &&
	  "$top/configure" -q "$@" &&
	  make -s -j"$JOBS" &&
	  make -s -j"$JOBS" check ) || status=1
}

build release CFLAGS="-O2 -g -Wall -Wextra -Werror"
build asan CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all -Wall -Wextra -Werror" \
	LDFLAGS="-fsanitize=address,undefined"
if [ "${SKIP_DISTCHECK:-}" != 1 ]; then
	echo "=== make distcheck"
	( cd _build/release && make -s -j"$JOBS" distcheck ) || status=1
fi

if [ "${FUZZ_SECONDS:-60}" != 0 ]; then
	echo "=== fuzz: every harness for ${FUZZ_SECONDS:-60} s"
	mkdir -p _build/fuzz
	( cd _build/fuzz && "$top/configure" -q --enable-fuzzing CC=clang &&
	  make -s -j"$JOBS" fuzz ) &&
	sh tests/fuzz/run.sh _build/fuzz "${FUZZ_SECONDS:-60}" || status=1
fi

sh contrib/test-summary.sh _build/release _build/asan || status=1
exit $status
