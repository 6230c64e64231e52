#!/bin/sh
# run.sh - build defuse and run the milter in the foreground on
# 127.0.0.1:8891 with the sample configuration (conf/defuse.conf).
# Installs missing Debian packages first.  Extra arguments go to
# defuse-milter (e.g. -p unix:/run/defuse/defuse.sock).
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
sh contrib/install-deps.sh
[ -x configure ] && [ configure -nt configure.ac ] && [ configure -nt Makefile.am ] ||
	autoreconf -fi
mkdir -p _build/release
cd _build/release
[ -f Makefile ] || "$top/configure" -q CFLAGS="-O2 -g"
make -s -j"${JOBS:-2}"
echo "defuse-milter: listening on inet:8891@127.0.0.1 (Ctrl-C stops it)"
echo "attach Postfix:  postconf -e 'smtpd_milters = inet:127.0.0.1:8891' 'milter_default_action = tempfail'"
exec ./milter/defuse-milter -f -c "$top/conf/defuse.conf" -p inet:8891@127.0.0.1 "$@"
