#!/bin/bash
# test_clean - clean mail through a real Postfix with defuse-milter over a
# unix and an inet socket: accepted, and delivered byte for byte as
# Postfix delivers it with no milter (which is the original message plus
# Postfix's Received: line); defuse's own header (add_header = yes) is
# the only addition.  Messages: a few built here, and the real-world
# corpus ($DEFUSE_CORPUS/mime, default ../shared/corpus/mime).
. "$(dirname "$0")/lib.sh"
e2e_begin
pf_start
milter_conf clean add_header=yes
milter_start unix "$T/clean.conf"
milter_start inet "$T/clean.conf"

# Messages built here: plain, base64 attachment, nested multipart, dots.
mkdir -p "$T/msgs"
printf 'From: a@example.org\nTo: b@example.net\nSubject: plain\n\nhello\n.leading dot\n..two\n' >"$T/msgs/plain.eml"
python3 - "$T/msgs" <<'EOS'
import base64, os, sys
d = sys.argv[1]
blob = os.urandom(300000)
b64 = base64.encodebytes(blob).decode()
open(d + "/attach.eml", "w").write(
    "From: a@example.org\nTo: b@example.net\nSubject: attachment\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"BB\"\n\npreamble\n--BB\n"
    "Content-Type: text/plain\n\nsee attachment\n--BB\n"
    "Content-Type: application/octet-stream; name=\"data.bin\"\n"
    "Content-Transfer-Encoding: base64\n\n" + b64 + "--BB--\n")
m = "leaf\n"
for i in range(5):
    m = "Content-Type: multipart/mixed; boundary=\"L%d\"\n\n--L%d\n%s\n--L%d--\n" % (i, i, m if i else "Content-Type: text/plain\n\nleaf", i)
open(d + "/nested.eml", "w").write("From: a@example.org\nTo: b@example.net\nSubject: nested\nMIME-Version: 1.0\n" + m)
EOS

# The corpus
corpus=${DEFUSE_CORPUS:-}
[ -n "$corpus" ] || corpus=$DEFUSE_SRCDIR/../shared/corpus
if [ -d "$corpus/mime" ]; then
	# the messages MANIFEST.tsv lists (not the licences and READMEs beside them)
	awk -F'\t' -v d="$corpus/mime" 'NR > 1 && $1 != "" {print d "/" $1}' "$corpus/mime/MANIFEST.tsv" | sort >"$T/list"
	say "corpus: $(wc -l <"$T/list") messages from $corpus/mime"
else
	say "corpus: NOT FOUND at $corpus/mime (set DEFUSE_CORPUS)"
	if [ "${CI:-}" = true ]; then
		check "corpus present under CI=true" false
	fi
	: >"$T/list"
fi
ls "$T"/msgs/*.eml >>"$T/list"

# Send everything three times: no milter (the reference), unix, inet.
for via in none unix inet; do
	xargs -d '\n' $SMTPC --port "$(port_of "$via")" <"$T/list" >"$T/sent.$via" 2>&1
done

compare() {
	python3 - "$T" <<'EOS'
import os, subprocess, sys, time
T = sys.argv[1]
def parse(via):
    res, cur = {}, None
    for line in open("%s/sent.%s" % (T, via), encoding="latin-1"):
        tag, _, rest = line.rstrip("\n").partition(" ")
        if tag == "FILE":
            cur = rest
            res[cur] = {}
        elif cur:
            res[cur][tag] = rest
    return res
ref, sent = parse("none"), {v: parse(v) for v in ("unix", "inet")}
def delivered(qid):
    p = "%s/out/%s" % (T, qid)
    end = time.time() + 60
    while not os.path.exists(p) and time.time() < end:
        time.sleep(0.1)
    return p if os.path.exists(p) else None
def strip(path):
    out = subprocess.run(["bash", "-c", '. "$0"; strip_trace "$1"', os.environ["E2E_LIB"], path],
                         capture_output=True).stdout
    return out
fails = 0
counts = {"unix": 0, "inet": 0, "postfix_changed": 0, "refused_by_postfix": 0, "big_header": 0}
for path in sorted(ref):
    r = ref[path]
    if "QID" not in r:
        counts["refused_by_postfix"] += 1
        for via in sent:
            if sent[via].get(path, {}).get("END", "")[:1] != r.get("END", "")[:1]:
                print("FAIL - %s via %s: %s, without milter %s" % (path, via, sent[via][path].get("END"), r.get("END")))
                fails += 1
        continue
    want = strip(delivered(r["QID"]))
    orig = open(path, "rb").read().replace(b"\r\n", b"\n")
    # A header block past 64 KiB runs into Postfix's own header limits
    # (header_address_token_limit, ...), and what Postfix then delivers
    # varies from one run to the next: accepted is all we can check.
    big_header = len(orig.split(b"\n\n")[0]) > 65536
    if big_header:
        counts["big_header"] += 1
    if not orig.endswith(b"\n"):
        orig += b"\n"
    if want != orig:
        counts["postfix_changed"] += 1
    for via in sent:
        s = sent[via].get(path, {})
        if "QID" not in s:
            print("FAIL - %s via %s refused: %s" % (path, via, s.get("END") or s.get("MAIL") or s))
            fails += 1
            continue
        got_path = delivered(s["QID"])
        raw = open(got_path, "rb").read() if got_path else b""
        if b"\nX-Defuse: accept; " not in b"\n" + raw.split(b"\n\n")[0]:
            print("FAIL - %s via %s: no X-Defuse header" % (path, via))
            fails += 1
        if not big_header and strip(got_path) != want:
            print("FAIL - %s via %s: delivered differs from Postfix without milter" % (path, via))
            fails += 1
            continue
        counts[via] += 1
print("accepted and delivered as without milter: unix %d, inet %d of %d messages\n"
      "  (%d refused by Postfix itself; %d changed by Postfix itself, e.g. Return-Path removed,\n"
      "  compared with Postfix's own delivery; %d with a header over 64 KiB: accepted, not compared)"
      % (counts["unix"], counts["inet"], len(ref), counts["refused_by_postfix"],
         counts["postfix_changed"], counts["big_header"]))
sys.exit(1 if fails else 0)
EOS
}
export E2E_LIB="$E2E_DIR/lib.sh"
check "every clean message accepted, delivered unchanged, X-Defuse added (unix and inet)" compare
check "one log line per accepted message (unix)" \
	test "$(grep -c '"action":"accept"' "$T/unix.json")" -eq "$(grep -c ^QID "$T/sent.unix")"
check "JSON lines carry queue ids" grep -q '"queue_id":"[0-9A-F]' "$T/inet.json"
e2e_end
