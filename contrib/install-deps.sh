#!/bin/sh
# install-deps.sh - install what defuse needs to build, test and run on
# Debian 12 (and its derivatives).  Idempotent; needs root (or sudo).
#
#   sh contrib/install-deps.sh          build + run dependencies
#   sh contrib/install-deps.sh --test   also what the test suite needs
#   sh contrib/install-deps.sh --bench  also what make bench needs
set -eu

pkgs="build-essential autoconf automake libtool pkg-config
      libmilter-dev libmagic-dev libmagic-mgc zlib1g-dev libcriterion-dev"
if [ "${1:-}" = "--test" ] || [ "${1:-}" = "--bench" ]; then
	# The end-to-end tests run a real Postfix, swaks and miltertest;
	# python3 drives SMTP; clang and valgrind serve the sanitizer and
	# fuzzing builds; gnuplot draws the benchmark plot.
	pkgs="$pkgs postfix postfix-pcre swaks miltertest python3 bzip2 bsdutils
	      clang valgrind gnuplot-nox coreutils procps iproute2 libclang-rt-14-dev"
fi
if [ "${1:-}" = "--bench" ]; then
	# clamd and clamav-milter: the peer of tests/bench/peer_clamav.sh.
	# On a machine with systemd the packages start the system's clamd
	# and freshclam; the benchmark runs its own private pair.
	pkgs="$pkgs clamav-daemon clamav-milter"
fi

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "install-deps: installing$missing"
# Postfix asks who it is at install time: no configuration; the tests
# write their own.
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
