#!/bin/sh
# install-deps.sh - install what defuse needs to build, test and run on
# Debian 12 (and its derivatives).  Idempotent; needs root (or sudo).
#
#   sh contrib/install-deps.sh          build + run dependencies
#   sh contrib/install-deps.sh --test   also what the test suite needs
#   sh contrib/install-deps.sh --bench  also what make bench needs
set -eu

pkgs="build-essential autoconf automake libtool pkg-config
      libmilter-dev libmagic-dev libmagic-mgc zlib1g-dev libbz2-dev liblzma-dev
      libzstd-dev libcriterion-dev"
if [ "${1:-}" = "--test" ] || [ "${1:-}" = "--bench" ]; then
	# The end-to-end tests run a real Postfix, swaks and miltertest;
	# python3 drives SMTP; clang and valgrind serve the sanitizer and
	# fuzzing builds; gnuplot draws the benchmark plot.
	pkgs="$pkgs postfix postfix-pcre swaks miltertest python3 bzip2 xz-utils zstd bsdutils
	      clang valgrind gnuplot-nox coreutils procps iproute2 libclang-rt-14-dev"
	# The reference extractors of tests/differential (clamav: its
	# optional clamscan reading, DIFF_CLAMAV=1).
	pkgs="$pkgs ripmime mpack maildrop uudeview clamav unzip p7zip-full libarchive-tools"
	# Sendmail for tests/e2e/test_sendmail.sh: its package conflicts
	# with Postfix, so it is unpacked, not installed (below); these
	# are its libraries, and m4 builds its sendmail.cf.
	pkgs="$pkgs m4 util-linux libwrap0 liblockfile1 libnsl2 libsasl2-2
	      libldap-2.5-0 libdb5.3 libssl3"
fi
if [ "${1:-}" = "--bench" ]; then
	# clamd and clamav-milter: the peer of tests/bench/peer_clamav.sh.
	# On a machine with systemd the packages start the system's clamd
	# and freshclam; the benchmark runs its own private pair.
	pkgs="$pkgs clamav-daemon clamav-milter"
	# make fresh-check builds its pristine Debian root with mmdebstrap.
	pkgs="$pkgs mmdebstrap"
fi

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
if [ -n "$missing" ]; then
	echo "install-deps: installing$missing"
	# Postfix asks who it is at install time: no configuration; the
	# tests write their own.
	echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

# Sendmail, unpacked beside the system (SENDMAIL_ROOT of the test).
sm_root=${SENDMAIL_ROOT:-/opt/defuse-test/sendmail}
if { [ "${1:-}" = "--test" ] || [ "${1:-}" = "--bench" ]; } &&
   [ ! -x "$sm_root/usr/libexec/sendmail/sendmail" ]; then
	echo "install-deps: unpacking sendmail-bin and sendmail-cf into $sm_root"
	# dpkg-deb -x makes the target but not its parents.
	$SUDO mkdir -p "$sm_root"
	dl=$(mktemp -d)
	( cd "$dl" && chmod 777 . &&
	  { apt-get download sendmail-bin sendmail-cf >/dev/null 2>&1 ||
	    { $SUDO apt-get update -qq && apt-get download sendmail-bin sendmail-cf >/dev/null; }; } ) &&
	for deb in "$dl"/*.deb; do $SUDO dpkg-deb -x "$deb" "$sm_root"; done
	rm -rf "$dl"
fi
