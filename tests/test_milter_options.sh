#!/bin/bash
# test_milter_options - defuse-milter's command line and configuration
# checks, no MTA needed: -t prints every key; the sample configuration
# passes -t; an unknown key or a bad value is an error naming file and
# line with exit status 1; -o wins over the file; the built-in defaults
# run with no file at all (defuse-milter -f -p inet:PORT@127.0.0.1).
. "$(dirname "$0")/e2e/lib.sh"
[ -x "$DEFUSE_MILTER" ] || e2e_skip_or_fail "$DEFUSE_MILTER not built"
T=$(mktemp -d /tmp/defuse-opt.XXXXXX)
trap e2e_cleanup EXIT
DM=$DEFUSE_MILTER

check "-t with no file: exit 0" sh -c "'$DM' -t >'$T/t.out'"
check "-t prints every key of the table (as many as the sample has)" \
	test "$(grep -c ' = ' "$T/t.out")" -eq "$(grep -c '^[a-z_0-9]* = ' "$DEFUSE_SRCDIR/conf/defuse.conf")"
"$DM" -t -c "$DEFUSE_SRCDIR/conf/defuse.conf" >"$T/t2.full"
check "-t -c conf/defuse.conf: exit 0" test $? = 0
tail -n +2 "$T/t2.full" >"$T/t2.out"
check "-t -c conf/defuse.conf prints the built-in defaults" cmp -s "$T/t2.out" <(tail -n +2 "$T/t.out")

printf 'max_part_size = 1M\n# comment\n\nno_such_key = 3\n' >"$T/bad.conf"
"$DM" -t -c "$T/bad.conf" >/dev/null 2>"$T/err"
check "unknown key: exit 1" test $? = 1
check "unknown key: the error names file and line ($(cat "$T/err"))" \
	grep -q "$T/bad.conf:4: unknown key \"no_such_key\"" "$T/err"
printf 'max_part_size = 12Q\n' >"$T/bad2.conf"
"$DM" -t -c "$T/bad2.conf" >/dev/null 2>"$T/err"
check "bad size: exit 1 with file and line ($(cat "$T/err"))" grep -q "bad2.conf:1: max_part_size: bad size" "$T/err"
printf 'on_ratio = explode\n' >"$T/bad3.conf"
"$DM" -t -c "$T/bad3.conf" >/dev/null 2>"$T/err"
check "bad action: exit 1, the choices listed ($(cat "$T/err"))" grep -q "on_ratio: bad value \"explode\" (one of default|reject|tempfail|discard|quarantine|tag|monitor)" "$T/err"
"$DM" -t -o socket_mode=999 >/dev/null 2>"$T/err"
check "bad socket_mode: exit 1 ($(cat "$T/err"))" grep -q "socket_mode" "$T/err"
"$DM" -t -p 'tcp:25' >/dev/null 2>"$T/err"
check "bad socket: exit 1 ($(cat "$T/err"))" grep -q "socket: \"tcp:25\"" "$T/err"
"$DM" -t -u no-such-user-defuse >/dev/null 2>"$T/err"
check "unknown user: exit 1 ($(cat "$T/err"))" grep -q "no such user" "$T/err"
"$DM" -t -c "$T/nonexistent.conf" >/dev/null 2>"$T/err"
check "missing file: exit 1 ($(cat "$T/err"))" grep -q "nonexistent.conf: No such file" "$T/err"
"$DM" -x >/dev/null 2>&1
check "unknown option: exit 1" test $? = 1

printf 'max_part_size = 1M\naction = monitor\n' >"$T/ok.conf"
"$DM" -t -c "$T/ok.conf" -o max_part_size=2M -o on_ratio=tag -P "$T/pid" >"$T/t3.out"
check "-o wins over the file" grep -q '^max_part_size = 2M$' "$T/t3.out"
check "file values are applied" grep -q '^action = monitor$' "$T/t3.out"
check "-o sets any key" grep -q '^on_ratio = tag$' "$T/t3.out"
check "-P sets pidfile" grep -q "^pidfile = \"$T/pid\"$" "$T/t3.out"

port=$(free_port)
"$DM" -f -p "inet:$port@127.0.0.1" -P "$T/run.pid" 2>"$T/run.err" &
pid=$!
E2E_PIDS=$pid
wait_port "$port"
check "built-in defaults, no file: -f -p inet:$port@127.0.0.1 listens" test $? = 0
check "pid file written" test "$(cat "$T/run.pid" 2>/dev/null)" = "$pid"
kill -TERM "$pid"
wait "$pid"
check "SIGTERM: exit status 0" test $? = 0
check "pid file removed at exit" test ! -e "$T/run.pid"
e2e_end
