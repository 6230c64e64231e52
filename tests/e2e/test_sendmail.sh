#!/bin/bash
# test_sendmail - defuse-milter behind a real Sendmail (Debian's 8.17),
# configured with the INPUT_MAIL_FILTER line of contrib/sendmail.mc, over
# a unix and an inet socket: clean mail queued byte for byte as sent, with
# defuse's log line keyed by Sendmail's queue id; bombs refused with the
# reason table's code and text, nothing of them queued; ESMTP SIZE= over
# the limit refused at MAIL FROM; the filter down: a temporary failure
# (F=T), never mail let through unexamined.  inet6 too ([::1]).
#
# Sendmail conflicts with Postfix as a Debian package, so it is not
# installed: contrib/install-deps.sh --test unpacks sendmail-bin and
# sendmail-cf (apt-get download, dpkg-deb -x) into SENDMAIL_ROOT
# (default /opt/defuse-test/sendmail).  It runs in a UTS namespace of its
# own whose host name has a dot (Sendmail sleeps 60 s at start on an
# unqualified one), with host lookups from /etc/hosts only, and queues
# what it accepts (DeliveryMode=queue): the queue's df file is the body.
. "$(dirname "$0")/lib.sh"
SM_ROOT=${SENDMAIL_ROOT:-/opt/defuse-test/sendmail}
SENDMAIL=$SM_ROOT/usr/libexec/sendmail/sendmail
CFM4=$SM_ROOT/usr/share/sendmail/cf/m4/cf.m4
e2e_begin
e2e_need m4 unshare
[ -x "$SENDMAIL" ] && [ -f "$CFM4" ] ||
	e2e_skip_or_fail "no Sendmail unpacked in $SM_ROOT (sh contrib/install-deps.sh --test)"
"$SENDMAIL" -d0.1 -bt -C /dev/null </dev/null 2>/dev/null | grep -q MILTER ||
	e2e_skip_or_fail "$SENDMAIL does not run, or was built without MILTER"
MPORT=$(free_port)
milter_conf limits max_part_size=1M max_message_cost=10M max_ratio=100 ratio_min_size=256K
milter_start unix "$T/limits.conf"
milter_start inet "$T/limits.conf"
MPORT6=$(free_port)
MPORT=$MPORT6 milter_start inet6 "$T/limits.conf"
# The messages: clean ones (text, a zip of text, a 900 KB PDF-like
# binary under the part limit), and bombs.
mkmsgs <<'EOS'
import io, zipfile
TO = "root@defuse-test.example.org"

def attach(name, subject, data, fname):
    mkmsg.attach("%s/%s.eml" % (d, name), subject, data, fname, TO)

open(d + "/clean_text.eml", "w").write(header("clean text", TO) + "\n" + "".join(
    "line %d of a plain message, .dots. at the end.\n.leading dot\n" % i for i in range(2000)))
z = io.BytesIO()
with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
    for i in range(5):
        zf.writestr("notes%d.txt" % i, ("note %d " % i) * 5000)
attach("clean_zip", "clean zip", z.getvalue(), "notes.zip")
attach("clean_binary", "clean binary", b"%PDF-1.4\n" + os.urandom(900 << 10), "report.pdf")
# bombs: a zip member of 900 KB of zeros (ratio), 3 MB decoded in one
# part (part_size), zips nested 6 deep (archive_depth)
attach("ratio", "zip bomb", zeros_zip(900 << 10), "zeros.zip")
attach("part_size", "big part", os.urandom(3 << 20), "big.bin")
attach("archive_depth", "nested zips", nested_zips(6), "nested.zip")
EOS

# sm_start VIA - a private Sendmail whose filter is defuse over VIA
sm_start() {
	via=$1
	d=$T/sm-$via
	mkdir -p "$d/mqueue"
	chmod 700 "$d/mqueue"
	SM_PORT=$(free_port)
	case $via in
	unix) spec="unix:$T/milter.sock" ;;
	inet6) spec="inet6:$MPORT6@::1" ;;
	*) spec="inet:$MPORT@127.0.0.1" ;;
	esac
	# the administrator's line, from contrib/sendmail.mc, on this socket
	filter=$(grep '^INPUT_MAIL_FILTER' "$DEFUSE_SRCDIR/contrib/sendmail.mc" | head -n 1 |
		sed "s|S=[^,]*,|S=$spec,|")
	printf 'hosts files\naliases files\n' >"$d/service.switch"
	cat >"$d/sendmail.mc" <<EOS
divert(-1)
divert(0)dnl
include(\`$CFM4')dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`defuse-test.example.org')dnl
define(\`QUEUE_DIR', \`$d/mqueue')dnl
define(\`ALIAS_FILE', \`')dnl
define(\`STATUS_FILE', \`')dnl
define(\`HELP_FILE', \`')dnl
define(\`confPID_FILE', \`$d/sendmail.pid')dnl
define(\`confSERVICE_SWITCH_FILE', \`$d/service.switch')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`confDELIVERY_MODE', \`queue')dnl
define(\`confDONT_BLAME_SENDMAIL', \`GroupWritableDirPathSafe,TrustStickyBit')dnl
define(\`confTO_IDENT', \`0')dnl
define(\`confMAX_MESSAGE_SIZE', \`0')dnl
FEATURE(\`no_default_msa')dnl
FEATURE(\`accept_unresolvable_domains')dnl
DAEMON_OPTIONS(\`Port=$SM_PORT, Addr=127.0.0.1, Name=MTA')dnl
$filter
MAILER(\`local')dnl
MAILER(\`smtp')dnl
EOS
	m4 "$d/sendmail.mc" >"$d/sendmail.cf" 2>"$d/m4.err" || { cat "$d/m4.err"; check "m4 builds sendmail.cf" false; return 1; }
	unshare --uts sh -c "hostname mta.defuse-test.example.org && exec '$SENDMAIL' -C '$d/sendmail.cf' -bD" \
		>"$d/sendmail.log" 2>&1 &
	SM_PID=$!
	E2E_PIDS="$E2E_PIDS $SM_PID"
	wait_port "$SM_PORT" || { cat "$d/sendmail.log"; check "$via: Sendmail listens on $SM_PORT" false; return 1; }
	SM_DIR=$d
}

# body_of FILE - a message's body as sent (after the first blank line)
body_of() { sed '1,/^$/d' "$1"; }

# queued_same QID FILE - Sendmail's df file for QID is FILE's body
queued_same() { cmp -s "$SM_DIR/mqueue/df$1" <(body_of "$2"); }

for via in unix inet inet6; do
	say "--- Sendmail, filter over $via"
	sm_start "$via" || continue
	json=$T/$via.json
	for m in clean_text clean_zip clean_binary; do
		smtp "$T/r" "$SM_PORT" --rcpt root@defuse-test.example.org "$M/$m.eml"
		end=$(reply_of "$T/r" END)
		qid=$(echo "$end" | awk '$1 == 250 {print $3}')
		check "$via: $m accepted ($end)" test -n "$qid"
		check "$via: $m queued byte for byte as sent (df$qid)" queued_same "$qid" "$M/$m.eml"
		check "$via: defuse logged it under Sendmail's queue id" grep -q "\"queue_id\":\"$qid\"" "$json"
	done
	for m in ratio part_size archive_depth; do
		n=$(ls "$SM_DIR/mqueue" | wc -l)
		smtp "$T/r" "$SM_PORT" --rcpt root@defuse-test.example.org "$M/$m.eml"
		end=$(reply_of "$T/r" END)
		check "$via: $m refused: $end" matches "$end" "^55[24] 5\\.[0-9]\\.[0-9] .*$m"
		check "$via: ... nothing of it queued" test "$(ls "$SM_DIR/mqueue" | wc -l)" = "$n"
	done
	smtp "$T/r" "$SM_PORT" --rcpt root@defuse-test.example.org --size 50000000 "$M/clean_text.eml"
	check "$via: SIZE=50000000 over max_message_cost 10M refused at MAIL FROM ($(reply_of "$T/r" MAIL))" \
		matches "$(reply_of "$T/r" MAIL)" '^552 5\.3\.4 '
	milter_stop "$via"
	[ "$via" = unix ] && rm -f "$T/milter.sock"
	smtp "$T/r" "$SM_PORT" --rcpt root@defuse-test.example.org "$M/clean_text.eml"
	check "$via: filter down: a temporary failure, F=T ($(grep -E '^(MAIL|RCPT|END) 4' "$T/r" | head -n 1))" \
		grep -Eq '^(MAIL|RCPT|END) 4[0-9][0-9] ' "$T/r"
	check "$via: ... and nothing accepted" sh -c "! grep -q '^END 250' '$T/r'"
	kill "$SM_PID" 2>/dev/null
	reap_pids "$SM_PID"
done
e2e_end
