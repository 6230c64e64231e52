#!/bin/sh
# fresh-check.sh - prove the README's two commands on a pristine Debian 12.
#
#   sh contrib/fresh-check.sh [run|test|both]      (make fresh-check)
#
# Builds a pristine Debian 12 root with mmdebstrap (--variant=apt: apt
# and its essentials, nothing else), copies this work tree (what git
# tracks plus untracked files it does not ignore, so an uncommitted
# change is checked too) to /work/defuse in it and ../shared to
# /work/shared beside it, then runs the README's commands there as
# written, as root in a chroot:
#
#   run   sh contrib/run.sh, until the milter answers on 127.0.0.1:8891,
#         then SIGTERM; it must exit by itself.
#   test  sh contrib/test.sh, which must end with
#         "tests: N passed, 0 failed, 0 skipped" and exit 0.
#
# Each command gets a root of its own (unpacked from one mmdebstrap
# tarball), so neither hides a step the other forgets. Prints how long
# each took and, on failure, the last lines of its log. Cleans up after
# itself: processes left in the root, its mounts, the root.
#
# What the root has that a Debian 12 installer also gives and
# mmdebstrap does not: /etc/hosts (localhost), /etc/hostname, and the
# host's resolv.conf and apt sources (the same archive and snapshot).
# Nothing else is done by hand.
#
# Environment: FRESH_DIR (default /var/tmp/defuse-fresh.XXXXXX),
# FRESH_KEEP=1 keeps the roots, FRESH_ENV extra VAR=value words for the
# commands (e.g. "FUZZ_SECONDS=10"), FRESH_SUITE (default bookworm).
# Needs root, mmdebstrap (apt-get install mmdebstrap) and the network to
# the package archive; about 1 GB of disk, 25 minutes for both.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
what=${1:-both}
case $what in run|test|both) ;; *) echo "usage: $0 [run|test|both]" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "fresh-check: must run as root (chroot, mounts)" >&2; exit 2; }
command -v mmdebstrap >/dev/null ||
	{ echo "fresh-check: mmdebstrap not found (apt-get install mmdebstrap)" >&2; exit 2; }
shared=$(cd "$top/.." && pwd)/shared
[ -d "$shared" ] || echo "fresh-check: $shared is absent: the test command will fail on it" >&2

W=${FRESH_DIR:-$(mktemp -d /var/tmp/defuse-fresh.XXXXXX)}
mkdir -p "$W"
roots=""
status=2

# in_root R - pids whose root directory is R
in_root() {
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$1" ] && echo "${p#/proc/}"
	done
	return 0
}
undo_root() {
	r=$1
	for sig in TERM KILL; do
		pids=$(in_root "$r")
		[ -n "$pids" ] || break
		kill -"$sig" $pids 2>/dev/null || true
		sleep 2
	done
	# innermost mounts first
	for m in $(awk -v r="$r" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null || true
	done
}
cleanup() {
	for r in $roots; do undo_root "$r"; done
	if [ "${FRESH_KEEP:-}" = 1 ]; then
		echo "fresh-check: kept $W"
	else
		for r in $roots; do
			# never remove through a mount that survived
			if awk -v r="$r" 'index($5, r) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
				echo "fresh-check: $r still has mounts; left in place" >&2
			else
				rm -rf "$r"
			fi
		done
		rm -f "$W/root.tar"
		if [ "$status" = 0 ]; then
			rm -f "$W"/*.log
			rmdir "$W" 2>/dev/null || true
		else
			echo "fresh-check: logs kept in $W"
		fi
	fi
}
trap cleanup EXIT
trap 'status=2; exit 2' INT TERM HUP

elapsed() { echo $(( $(date +%s) - $1 )); }

# 1. one pristine root, as a tarball
t0=$(date +%s)
sources=
for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
	[ -s "$f" ] && { sources=$f; break; }
done
echo "fresh-check: mmdebstrap --variant=apt ${FRESH_SUITE:-bookworm} (sources: ${sources:-the default mirror})"
if ! mmdebstrap --quiet --variant=apt "${FRESH_SUITE:-bookworm}" "$W/root.tar" ${sources:+"$sources"} \
	>"$W/mmdebstrap.log" 2>&1; then
	tail -n 20 "$W/mmdebstrap.log"
	echo "fresh-check: mmdebstrap failed" >&2
	exit 1
fi
echo "fresh-check: root built in $(elapsed "$t0") s ($(du -m "$W/root.tar" | cut -f1) MB)"

# make_root NAME - unpack the root, add the tree and ../shared, mount
make_root() {
	r=$W/$1
	roots="$roots $r"
	mkdir -p "$r"
	tar -C "$r" -xf "$W/root.tar"
	mkdir -p "$r/work/defuse"
	git -C "$top" ls-files -z --cached --others --exclude-standard |
		(cd "$top" && xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) |
		(cd "$top" && tar --null -T - -cf -) | tar -C "$r/work/defuse" -xf -
	# the contents, also when ../shared is a link
	[ -d "$shared" ] && mkdir -p "$r/work/shared" && cp -a "$shared/." "$r/work/shared/"
	# what an installed Debian has and an apt-only root lacks
	[ -s "$r/etc/hosts" ] || printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$r/etc/hosts"
	[ -s "$r/etc/hostname" ] || echo fresh-check >"$r/etc/hostname"
	cp -L /etc/resolv.conf "$r/etc/resolv.conf" 2>/dev/null || true
	mount -t proc proc "$r/proc"
	mount -t sysfs sys "$r/sys"
	mount --rbind /dev "$r/dev"
	mount --make-rslave "$r/dev"
	mount -t tmpfs tmpfs "$r/tmp"
	mount -t tmpfs tmpfs "$r/run"
}

# in_chroot R LOG COMMAND - the command, as a new root login would run it
in_chroot() {
	r=$1 log=$2
	shift 2
	chroot "$r" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root TERM=dumb ${FRESH_ENV:-} /bin/sh -c "cd /work/defuse && $*" </dev/null >"$log" 2>&1
}

status=0
report() { # NAME RC SECONDS LOG
	if [ "$2" = 0 ]; then
		echo "fresh-check: $1: ok in $3 s"
	else
		echo "fresh-check: $1: FAILED (exit $2) after $3 s; last lines of $4:"
		tail -n 40 "$4" | sed 's/^/  | /'
		status=1
	fi
}

if [ "$what" != test ]; then
	make_root run
	r=$W/run log=$W/run.log
	if python3 -c 'import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(("127.0.0.1",8891)) != 0)' 2>/dev/null; then
		echo "fresh-check: something already answers on 127.0.0.1:8891; the run check needs that port" >&2
		exit 1
	fi
	t0=$(date +%s)
	in_chroot "$r" "$log" sh contrib/run.sh &
	pid=$!
	rc=1
	# the run command installs and builds first: up to 15 minutes
	while kill -0 "$pid" 2>/dev/null && [ "$(elapsed "$t0")" -lt 900 ]; do
		if python3 -c 'import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(("127.0.0.1",8891)) != 0)' 2>/dev/null; then
			rc=0
			break
		fi
		sleep 1
	done
	secs=$(elapsed "$t0")
	if [ "$rc" = 0 ]; then
		echo "fresh-check: run: the milter answers on 127.0.0.1:8891 after $secs s; stopping it"
		kill -TERM $(in_root "$r") 2>/dev/null || true
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		if kill -0 "$pid" 2>/dev/null; then
			echo "fresh-check: run: still running 10 s after SIGTERM" >&2
			rc=1
		fi
	else
		echo "fresh-check: run: no milter on 127.0.0.1:8891 after $secs s"
	fi
	wait "$pid" 2>/dev/null || true
	report run "$rc" "$secs" "$log"
	undo_root "$r"
fi

if [ "$what" != run ]; then
	make_root test
	r=$W/test log=$W/test.log
	t0=$(date +%s)
	rc=0
	in_chroot "$r" "$log" sh contrib/test.sh || rc=$?
	secs=$(elapsed "$t0")
	last=$(grep -a '^tests: ' "$log" | tail -1)
	echo "fresh-check: test: ${last:-no 'tests:' line}"
	case $last in
	"tests: "*" passed, 0 failed, 0 skipped") ;;
	*) [ "$rc" != 0 ] || rc=1 ;;
	esac
	report test "$rc" "$secs" "$log"
	undo_root "$r"
fi
exit $status
