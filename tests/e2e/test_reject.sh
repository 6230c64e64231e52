#!/bin/bash
# test_reject - bombs and oversized mail through a real Postfix with
# defuse-milter over unix and inet: each refused with the reason table's
# code and a text that names the limit and the part, as soon as the
# verdict is reached (before the rest of the body is sent), nothing of it
# delivered; ESMTP SIZE= over the limit refused at MAIL FROM.  Bombs are
# built here (small limits in a test configuration); the corpus bombs
# (archives/bombs) are used when the corpus is there.
. "$(dirname "$0")/lib.sh"
e2e_begin
pf_start
milter_conf limits max_part_size=1M max_mime_depth=8 max_message_cost=10M \
	max_archive_depth=4 max_ratio=100 ratio_min_size=256K
milter_start unix "$T/limits.conf"
milter_start inet "$T/limits.conf"
mkmsgs <<'EOS'
import gzip
H = header("%s")

def attach(name, subject, data, fname):
    mkmsg.attach("%s/%s.eml" % (d, name), subject, data, fname)

# 3 MB decoded in one part, max_part_size 1M; the file name is hostile
attach("part_size", "big part", os.urandom(3 << 20), "evil%%\\x01name.bin")
# MIME nested 20 deep, max_mime_depth 8
open(d + "/mime_depth.eml", "w").write(H % "deep" + deep_mime(20))
# 12 MB of text in 15 parts of 800 KB (each under max_part_size):
# raw + decoded pass max_message_cost 10M
line = "x" * 76 + "\n"
part = "--BB\nContent-Type: text/plain\n\n" + line * (800 * 1024 // 77) + "\n"
open(d + "/message_cost.eml", "w").write(H % "long" + "Content-Type: multipart/mixed; boundary=\"BB\"\n\n"
    + part * 15 + "--BB--\n")
# a zip member of 900 KB of zeros: under max_part_size, but a ratio of
# ~1000 once past ratio_min_size 256K, max_ratio 100
attach("ratio", "zip bomb", zeros_zip(900 << 10), "zeros.zip")
# zips nested 6 deep, max_archive_depth 4
attach("archive_depth", "nested zips", nested_zips(6), "nested.zip")
# a gzip of 200 MB of zeros (~200 KB): cost and ratio
attach("gzip", "gzip bomb", gzip.compress(b"\0" * (200 << 20), 9), "zeros.gz")
EOS

# expect VIA FILE STAGE PATTERN - the reply at STAGE matches PATTERN
expect() {
	via=$1 f=$2 stage=$3 pat=$4
	smtp "$T/r" "$(port_of "$via")" "$M/$f"
	got=$(reply_of "$T/r" "$stage")
	if printf '%s\n' "$got" | grep -Eq "$pat"; then
		return 0
	fi
	say "  got at $stage: ${got:-nothing} (want /$pat/)"
	sed 's/^/  | /' "$T/r"
	return 1
}

for via in unix inet; do
	say "--- over $via"
	check "$via: decoded part over max_part_size: 552 5.3.4 part_size, limit and part named, file name sanitised" \
		expect "$via" part_size.eml END '^552 5\.3\.4 part too large once decoded \(part_size, limit 1M, part 2[^ %]*\)$'
	check "$via: MIME nested past max_mime_depth: 554 5.6.0 mime_depth" \
		expect "$via" mime_depth.eml END '^554 5\.6\.0 MIME structure nested too deep \(mime_depth, limit 8, part [^ ]+\)$'
	check "$via: 12 MB in parts of 800 KB past max_message_cost: 552 5.3.4 message_cost" \
		expect "$via" message_cost.eml END '^552 5\.3\.4 .*\(message_cost, limit 10M, part'
	check "$via: zip member of 900 KB of zeros: 552 5.3.4 ratio" \
		expect "$via" ratio.eml END '^552 5\.3\.4 archive member compressed too well \(decompression bomb\) \(ratio, limit 100, part 2/zeros\.zip/zeros\.bin\)$'
	check "$via: zips nested 6 deep: 554 5.6.0 archive_depth" \
		expect "$via" archive_depth.eml END '^554 5\.6\.0 archives nested too deep \(archive_depth, limit 4, part 2/nested\.zip'
	check "$via: gzip of 200 MB of zeros: 552 5.3.4" \
		expect "$via" gzip.eml END '^552 5\.3\.4 '
	smtp "$T/r" "$(port_of "$via")" --size 20000000 "$M/mime_depth.eml"
	check "$via: SIZE=20000000 over max_message_cost refused at MAIL FROM: 552 5.3.4 size_declared" \
		grep -Eq '^MAIL 552 5\.3\.4 declared message size exceeds the limit \(size_declared, limit 10M' "$T/r"
	check "$via: after the SIZE= refusal no DATA was sent" \
		sh -c "! grep -q '^DATA' '$T/r'"
done

# The verdict came while the body streamed: the engine saw less than the
# whole message (Postfix stops sending at the first non-continue reply).
early() {
	python3 - "$T/unix.json" <<'EOS'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["reason"] == "message_cost":
        sys.exit(0 if r["raw"] < 12 << 20 else 1)
sys.exit(1)
EOS
}
check "message_cost verdict reached before the end of the body (raw < 12 MB in the record)" early
check "log: one JSON line per refused message, action=reject, with queue id" \
	test "$(grep -c '"action":"reject"' "$T/unix.json")" -ge 7
check "log: key=value line keyed by queue id" \
	grep -Eq '^defuse-milter: [0-9A-F]+: action=reject verdict=reject reason=part_size where=2' "$T/milter-unix.log"
check "nothing refused was delivered" test -z "$(ls "$T/out")"

# Bombs from the corpus, when it is there.
corpus=${DEFUSE_CORPUS:-$DEFUSE_SRCDIR/../shared/corpus}
if [ -d "$corpus/archives/bombs" ]; then
	for b in zbsm.zip 10GB.zip.bz2 10GB.gz.bz2; do
		[ -f "$corpus/archives/bombs/$b" ] || continue
		f=${b%.bz2}
		if [ "$f" != "$b" ]; then
			bunzip2 -c "$corpus/archives/bombs/$b" >"$T/$f" 2>/dev/null || continue
		else
			cp "$corpus/archives/bombs/$b" "$T/$f"
		fi
		python3 - "$T/$f" "$M/corpus-$f.eml" <<'EOS'
import base64, os, sys
data = open(sys.argv[1], "rb").read()
name = os.path.basename(sys.argv[1])
open(sys.argv[2], "w").write(
    "From: a@example.org\nTo: b@example.net\nSubject: %s\nMIME-Version: 1.0\n"
    "Content-Type: application/octet-stream; name=\"%s\"\n"
    "Content-Transfer-Encoding: base64\n\n%s" % (name, name, base64.encodebytes(data).decode()))
EOS
		check "corpus bomb $f ($(wc -c <"$T/$f") bytes): refused with 55x" \
			expect unix "corpus-$f.eml" END '^55[24] 5\.[36]\.[04] '
	done
else
	say "corpus: NOT FOUND at $corpus/archives/bombs (set DEFUSE_CORPUS); corpus bombs not sent"
	[ "${CI:-}" != true ] || check "corpus present under CI=true" false
fi
e2e_end
