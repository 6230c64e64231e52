#!/bin/bash
# test_scan_trial - defuse-scan on existing mail, the real binary: an mbox
# of three messages whose second carries a zip bomb (300 MiB of zeros,
# built here) is split into FILE:1..3 and exits 1; the same messages as a
# Maildir (tmp/ and hidden files passed over), an MH folder and standard
# input give the same verdicts; each message is fed exactly as the MTA
# had it (raw= is its size: no separator, no mbox blank line, ">From "
# kept), whatever the chunk size; --summary and --json --summary; -o
# with an mbox; an unreadable file (chmod 000, skipped as root, which
# reads anything) or a dangling link in a folder is an error naming it,
# exit 2, the other files still scanned; a link to a directory is not
# followed.  bash, with tests/e2e/lib.sh's say and check (no Postfix
# here); DEFUSE_BUILDDIR (the build tree) and DEFUSE_SRCDIR come from
# make check.

. "$(cd "$(dirname "$0")" && pwd)/e2e/lib.sh"
S=$DEFUSE_BUILDDIR/milter/defuse-scan

# scan OUT ARGS... - run defuse-scan, stdout to $O/OUT, stderr to $O/OUT.err,
# the exit status in $rc
scan() {
	out=$1
	shift
	"$S" "$@" >"$O/$out" 2>"$O/$out.err"
	rc=$?
}

# lines FILE N - FILE has exactly N lines
lines() { test "$(wc -l <"$1")" -eq "$2"; }

# line FILE N - the Nth line of FILE
line() { sed -n "$2p" "$1"; }

# verdicts FILE - "name verdict" per line of a key=value output
verdicts() { sed 's/^\(.*\): verdict=\([a-z]*\) .*/\1 \2/' "$1"; }

# field FILE N KEY - the value of KEY on line N
field() { line "$1" "$2" | sed -n "s/.* $3=\([^ ]*\).*/\1/p"; }

# same TEXT FILE - FILE's contents are TEXT (lines)
same() { printf '%s\n' "$1" | cmp -s - "$2"; }

[ -x "$S" ] || { say "FAIL: $S not built"; exit 1; }
command -v python3 >/dev/null 2>&1 || { say "SKIP: python3 not found"; exit 77; }
T=$(mktemp -d /tmp/defuse-trial.XXXXXX) || exit 1
O=$T/out		# what defuse-scan printed; the inputs are in $T
mkdir "$O"
trap 'chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
trap 'exit 2' INT TERM HUP

# The messages: m1 and m3 plain text (m3 with a ">From " line after an
# empty one, and CRLF line ends), m2 a zip of 300 MiB of zeros, deflated
# in 1 MiB chunks, the zip written field by field.
python3 - "$T" <<'EOS' || { say "FAIL: cannot build the messages"; exit 1; }
import base64, struct, sys, zlib
d = sys.argv[1]

def zip_of_zeros(name, size):
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk, crc, data = bytes(1 << 20), 0, []
    for _ in range(size >> 20):
        crc = zlib.crc32(chunk, crc)
        data.append(z.compress(chunk))
    data.append(z.flush())
    data = b"".join(data)
    name = name.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, 0, 8, 0, 0x21,
                        crc, len(data), size, len(name), 0) + name
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 20, 20, 0, 8, 0, 0x21,
                          crc, len(data), size, len(name), 0, 0, 0, 0, 0, 0) + name
    end = struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, 1, 1, len(central),
                      len(local) + len(data), 0)
    return local + data + central + end

head = "From: a@example.org\nTo: b@example.net\nSubject: %s\nMIME-Version: 1.0\n"
m1 = head % "one" + "\nfirst message\n"
m2 = (head % "zip bomb" + "Content-Type: multipart/mixed; boundary=\"BB\"\n\n"
      "--BB\nContent-Type: text/plain\n\nsee attachment\n--BB\n"
      "Content-Type: application/zip; name=\"zeros.zip\"\n"
      "Content-Disposition: attachment; filename=\"zeros.zip\"\n"
      "Content-Transfer-Encoding: base64\n\n"
      + base64.encodebytes(zip_of_zeros("zeros.bin", 300 << 20)).decode() + "--BB--\n")
m3 = (head % "three" + "\nthe next line was quoted by the mbox writer\n\n"
      ">From the body\nend\n").replace("\n", "\r\n")
for i, m in enumerate((m1, m2, m3)):
    open("%s/m%d.eml" % (d, i + 1), "w", newline="").write(m)
with open(d + "/inbox", "w", newline="") as f:
    for i, m in enumerate((m1, m2, m3)):
        f.write("From sender@example.org Mon Jan  1 00:00:0%d 2024\n%s\n" % (i, m))
EOS
M1=$T/m1.eml M2=$T/m2.eml M3=$T/m3.eml

# --- mbox ------------------------------------------------------------------
scan mbox "$T/inbox"
check "mbox with a bomb in the 2nd message: exit 1 (got $rc)" test "$rc" = 1
check "mbox: one line per message, three" lines "$O/mbox" 3
verdicts "$O/mbox" >"$O/verdicts"
check "mbox: FILE:1 accepted, FILE:2 rejected, FILE:3 accepted ($(tr '\n' ';' <"$O/verdicts"))" same "$T/inbox:1 accept
$T/inbox:2 reject
$T/inbox:3 accept" "$O/verdicts"
check "mbox: nothing on stderr" test ! -s "$O/mbox.err"
for i in 1 2 3; do
	size=$(wc -c <"$T/m$i.eml")
	check "mbox: message $i is fed as it was sent (raw=$(field "$O/mbox" $i raw), $size bytes)" \
		test "$(field "$O/mbox" $i raw)" = "$size"
done
scan plain3 "$M3"
check "mbox: the \">From \" message has the record of the message alone (cost $(field "$O/plain3" 1 cost))" \
	test "$(field "$O/mbox" 3 cost)" = "$(field "$O/plain3" 1 cost)"
check "plain file: one message named FILE, as before" test "$(verdicts "$O/plain3")" = "$M3 accept"
scan plain2 "$M2"
check "plain file with the bomb: exit 1, same reason as FILE:2 ($(field "$O/plain2" 1 reason))" \
	test "$rc" = 1 -a "$(field "$O/plain2" 1 reason)" = "$(field "$O/mbox" 2 reason)"

for n in 1 7 4096; do
	scan chunk$n --chunk-size $n "$T/inbox"
	check "mbox, --chunk-size $n: same verdicts, reasons and sizes" test "$rc" = 1 -a \
		"$(cut -d' ' -f2-5 "$O/chunk$n")" = "$(cut -d' ' -f2-5 "$O/mbox")"
done

# --- Maildir -----------------------------------------------------------------
mkdir -p "$T/md/cur" "$T/md/new" "$T/md/tmp"
cp "$M1" "$T/md/cur/1700000001.1.host:2,S"
cp "$M2" "$T/md/cur/1700000002.1.host:2,S"
cp "$M3" "$T/md/new/1700000003.1.host"
cp "$M2" "$T/md/tmp/1700000004.1.host"		# still being delivered
cp "$M2" "$T/md/cur/.hidden"
scan md "$T/md"
verdicts "$O/md" >"$O/verdicts"
check "Maildir: exit 1 (got $rc)" test "$rc" = 1
check "Maildir: cur/ then new/, by name; tmp/ and hidden files passed over ($(tr '\n' ';' <"$O/verdicts"))" \
	same "$T/md/cur/1700000001.1.host:2,S accept
$T/md/cur/1700000002.1.host:2,S reject
$T/md/new/1700000003.1.host accept" "$O/verdicts"

# --- MH folder ----------------------------------------------------------------
mkdir -p "$T/mh"
cp "$M1" "$T/mh/1"
cp "$M2" "$T/mh/2"
cp "$M3" "$T/mh/3"
printf 'unseen: 1-3\n' >"$T/mh/.mh_sequences"
scan mh "$T/mh/"
verdicts "$O/mh" >"$O/verdicts"
check "MH folder: exit 1 (got $rc)" test "$rc" = 1
check "MH folder: 1 2 3, .mh_sequences passed over ($(tr '\n' ';' <"$O/verdicts"))" \
	same "$T/mh/1 accept
$T/mh/2 reject
$T/mh/3 accept" "$O/verdicts"
mkdir -p "$T/tree/a"
cp "$M1" "$T/tree/a/10"
cp "$M1" "$T/tree/a/9"
cp "$T/inbox" "$T/tree/b.mbox"
scan tree "$T/tree"
verdicts "$O/tree" >"$O/verdicts"
check "a tree: recursive, numbers in numeric order, an mbox in it split ($(tr '\n' ';' <"$O/verdicts"))" \
	same "$T/tree/a/9 accept
$T/tree/a/10 accept
$T/tree/b.mbox:1 accept
$T/tree/b.mbox:2 reject
$T/tree/b.mbox:3 accept" "$O/verdicts"

# --- standard input -----------------------------------------------------------
"$S" <"$T/inbox" >"$O/stdin" 2>&1
rc=$?
verdicts "$O/stdin" >"$O/verdicts"
check "stdin, an mbox: exit 1, -:1 -:2 -:3 ($(tr '\n' ';' <"$O/verdicts"))" test "$rc" = 1 -a \
	"$(tr '\n' ';' <"$O/verdicts")" = "-:1 accept;-:2 reject;-:3 accept;"
check "stdin, an mbox: same sizes as the file" test "$(cut -d' ' -f2-5 "$O/stdin")" = "$(cut -d' ' -f2-5 "$O/mbox")"
cat "$M2" | "$S" - >"$O/stdin1" 2>&1
rc=$?
check "stdin \"-\", one message: exit 1, named - ($(verdicts "$O/stdin1"))" test "$rc" = 1 -a "$(verdicts "$O/stdin1")" = "- reject"
"$S" - <"$M1" >"$O/stdin2" 2>&1
rc=$?
check "stdin \"-\", a clean message: exit 0 ($(verdicts "$O/stdin2"))" test "$rc" = 0 -a "$(verdicts "$O/stdin2")" = "- accept"

# --- --summary -----------------------------------------------------------------
reason=$(field "$O/mbox" 2 reason)
scan sum --summary "$T/inbox" "$M1"
check "--summary: exit 1 (got $rc)" test "$rc" = 1
"$S" "$M1" >"$O/plain1"
check "--summary: the four message lines first" test \
	"$(head -n 4 "$O/sum" | cut -d' ' -f1-5)" = "$(cat "$O/mbox" "$O/plain1" | cut -d' ' -f1-5)"
sed -n '5,$p' "$O/sum" >"$O/sum.block"
check "--summary: the block ($(tr '\n' ';' <"$O/sum.block"))" same "summary: messages=4 errors=0
summary: verdict: accept=3 reject=1 tempfail=0
summary: reason: none=3 $reason=1
summary: first limit fired (refused messages by reason): $reason=1
summary: largest cost: $(field "$O/mbox" 2 cost) $T/inbox:2
summary: largest cost: $(field "$O/mbox" 3 cost) $T/inbox:3
summary: largest cost: $(field "$O/mbox" 1 cost) $T/inbox:1
summary: largest cost: $(field "$O/mbox" 1 cost) $M1" "$O/sum.block"
check "without --summary: no summary lines" sh -c "! grep -q '^summary' '$O/mbox'"
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	cp "$M1" "$T/mh/$((i + 3))"
done
scan sum12 --summary "$T/mh"
check "--summary: 15 messages, the 10 largest, the bomb first" test \
	"$(grep -c '^summary: largest cost: ' "$O/sum12")" = 10 -a \
	"$(grep '^summary: largest cost: ' "$O/sum12" | head -n 1 | cut -d' ' -f5)" = "$T/mh/2" -a \
	"$(grep -c '^summary: messages=15 errors=0$' "$O/sum12")" = 1
scan json --json --summary "$T/inbox"
check "--json --summary: exit 1, four objects" test "$rc" = 1 -a "$(wc -l <"$O/json")" = 4
python3 - "$O/json" "$T/inbox" "$reason" <<'EOS' >"$O/json.why" 2>&1
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
s = objs[-1]
assert [o.get("file") for o in objs[:3]] == [sys.argv[2] + ":%d" % i for i in (1, 2, 3)], objs[:3]
assert all("summary" not in o for o in objs[:3])
assert s["summary"] is True and s["messages"] == 3 and s["errors"] == 0, s
assert s["verdict"] == {"accept": 2, "reject": 1, "tempfail": 0}, s
assert s["reason"] == {"none": 2, sys.argv[3]: 1}, s
assert s["first_limit_fired"] == {sys.argv[3]: 1}, s
assert [l["file"] for l in s["largest"]] == [sys.argv[2] + ":%d" % i for i in (2, 3, 1)], s
assert s["largest"][0]["cost"] == objs[1]["cost"], s
EOS
check "--json --summary: the messages, then one object with \"summary\": true $(tail -n 1 "$O/json.why")" test ! -s "$O/json.why"

# --- -o -------------------------------------------------------------------------
scan o1 -o max_part_size=10 "$T/inbox"
check "-o max_part_size=10 on the mbox: all three rejected for part_size" test "$rc" = 1 -a \
	"$(cut -d' ' -f2-3 "$O/o1" | sort -u)" = "verdict=reject reason=part_size"
scan o2 -o max_ratio=1000000 -o max_part_size=1G -o max_message_cost=1G "$T/inbox"
check "-o limits above the bomb: the mbox accepted, exit 0 (got $rc: $(cut -d' ' -f2-3 "$O/o2" | tr '\n' ';'))" \
	test "$rc" = 0 -a "$(grep -c 'verdict=accept' "$O/o2")" = 3

# --- errors in a folder --------------------------------------------------------
mkdir -p "$T/bad"
cp "$M1" "$T/bad/1"
ln -s "$T/no-such-message" "$T/bad/2"
cp "$M3" "$T/bad/3"
scan bad "$T/bad"
check "a dangling link in a folder: exit 2 (got $rc)" test "$rc" = 2
check "a dangling link in a folder: the error names it ($(cat "$O/bad.err"))" grep -qF "$T/bad/2: No such file" "$O/bad.err"
check "a dangling link in a folder: the others still scanned ($(verdicts "$O/bad" | tr '\n' ';'))" \
	test "$(verdicts "$O/bad" | tr '\n' ';')" = "$T/bad/1 accept;$T/bad/3 accept;"
if [ "$(id -u)" = 0 ]; then
	say "skip - an unreadable file (chmod 000): running as root, which reads it anyway"
else
	mkdir -p "$T/unread"
	cp "$M1" "$T/unread/1"
	cp "$M2" "$T/unread/2"
	cp "$M3" "$T/unread/3"
	chmod 000 "$T/unread/2"
	scan unread --summary "$T/unread"
	check "an unreadable file in a folder: exit 2 (got $rc)" test "$rc" = 2
	check "an unreadable file in a folder: the error names it ($(cat "$O/unread.err"))" \
		grep -qF "$T/unread/2: Permission denied" "$O/unread.err"
	check "an unreadable file in a folder: the others still scanned, counted" test \
		"$(verdicts "$O/unread" | sed -n '1,2p' | tr '\n' ';')" = "$T/unread/1 accept;$T/unread/3 accept;" -a \
		"$(grep -c '^summary: messages=2 errors=1$' "$O/unread")" = 1
fi
scan missing "$T/no-such-file" "$M1"
check "a missing FILE: exit 2, named, the next FILE still scanned" test "$rc" = 2 -a \
	"$(verdicts "$O/missing")" = "$M1 accept" -a "$(grep -c "$T/no-such-file" "$O/missing.err")" = 1
mkdir -p "$T/loop"
cp "$M1" "$T/loop/1"
ln -s . "$T/loop/self"
ln -s "$T/mh" "$T/loop/mh"
scan loop "$T/loop"
check "links to directories are not followed: one message, exit 0 (got $rc: $(verdicts "$O/loop" | tr '\n' ';'))" \
	test "$rc" = 0 -a "$(verdicts "$O/loop")" = "$T/loop/1 accept"
scan top "$T/loop/self"
check "a link to a directory named on the command line is walked (got $rc: $(verdicts "$O/top" | tr '\n' ';'))" \
	test "$rc" = 0 -a "$(verdicts "$O/top")" = "$T/loop/self/1 accept"

e2e_end
