#!/bin/sh
# test_differential - defuse-scan against the reference extractors on
# messages built to be read two ways (tests/differential/README).  An
# automake script test: DEFUSE_BUILDDIR (defuse-scan is
# $DEFUSE_BUILDDIR/milter/defuse-scan), DEFUSE_SRCDIR, CI (=true: a
# missing extractor is a failure, else a skip, exit 77).  Arguments go to
# run.py: --cases N --seed S for a longer campaign (make differential).
here=$(cd "$(dirname "$0")" && pwd)
: "${DEFUSE_SRCDIR:=$(cd "$here/../.." && pwd)}"
: "${DEFUSE_BUILDDIR:=$(pwd)}"
if ! command -v python3 >/dev/null 2>&1; then
	if [ "${CI:-}" = true ]; then
		echo "FAIL: python3 not found (CI=true: the harness must run)"
		exit 1
	fi
	echo "SKIP: python3 not found (Debian: apt-get install python3)"
	exit 77
fi
exec python3 "$here/run.py" --builddir "$DEFUSE_BUILDDIR" --known "$here/known-bypasses" "$@"
