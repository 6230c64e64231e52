#!/usr/bin/env python3
"""archives.py BUILDDIR - the archive benchmarks, run by `make bench`.

Inputs come from tests/bench/bombgen (built by make bench), written to a
temporary folder at run time:

  1. every generated bomb, and the corpus bombs zbsm.zip and droste.zip
     wrapped as attachments (when ../shared/corpus is there), scanned
     with default limits: each must be rejected with inflated <=
     max_message_cost and under 50 ms of analysis (the record's ms);
  2. a base64 zip of ten ordinary text files: the engine's analysis time
     (record's ms, best of 5) against zlib alone inflating the same
     members (bombgen --zlib, best of 5): at most 1.25x;
  3. the engine's peak_mem for benign zips nested 1..4 deep: reported,
     with the increment per level.
"""
import base64, json, os, shutil, subprocess, sys, tempfile

MAX_COST = 256 << 20

def scan(build, path, extra=()):
    cmd = [os.path.join(build, "milter", "defuse-scan"), "--json"] + list(extra) + [path]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode not in (0, 1):
        sys.exit("archives: %s: %s" % (" ".join(cmd), p.stderr.decode()))
    return json.loads(p.stdout.decode().splitlines()[0])

def wrap(src, dst, ctype="application/zip"):
    data = open(src, "rb").read()
    with open(dst, "wb") as f:
        f.write(b"From: a@example.org\r\nSubject: corpus bomb\r\nMIME-Version: 1.0\r\n"
                b"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n"
                b"Content-Type: " + ctype.encode() + b"; name=\"" + os.path.basename(src).encode() +
                b"\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
        f.write(base64.encodebytes(data).replace(b"\n", b"\r\n"))
        f.write(b"--B--\r\n")

def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
    gen = os.path.join(build, "tests", "bench", "bombgen")
    tmp = tempfile.mkdtemp(prefix="defuse-archbench-")
    ok = True
    subprocess.run([gen, tmp], check=True)
    corpus = os.environ.get("DEFUSE_CORPUS") or os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "corpus")
    for name in ("zbsm.zip", "droste.zip"):
        src = os.path.join(corpus, "archives", "bombs", name)
        if os.path.exists(src):
            wrap(src, os.path.join(tmp, "bomb-corpus-" + name + ".eml"))
        else:
            print("archives: %s absent (no ../shared/corpus): not measured" % name)

    print("1. bombs: defuse-scan --json FILE, default limits (max_message_cost %d)" % MAX_COST)
    print("   %-34s %-14s %12s %9s %8s" % ("bomb", "reason", "inflated", "ms", "peak_mem"))
    for f in sorted(os.listdir(tmp)):
        if not f.startswith("bomb-"):
            continue
        r = min((scan(build, os.path.join(tmp, f)) for _ in range(3)), key=lambda r: r["ms"])
        good = r["verdict"] == "reject" and r["inflated"] <= MAX_COST and r["ms"] < 50
        ok &= good
        print("   %-34s %-14s %12d %9.2f %8d %s" % (f[5:-4], r["reason"], r["inflated"], r["ms"],
                                                 r["peak_mem"], "" if good else "  <-- MISSED"))

    print("\n2. ordinary zip (10 text members, base64): engine analysis vs zlib alone, best of 5")
    recs = [scan(build, os.path.join(tmp, "ordinary.eml"), ["-o", "max_ratio=1000"]) for _ in range(5)]
    eng = min(r["ms"] for r in recs)
    out = subprocess.run([gen, "--zlib", os.path.join(tmp, "ordinary.zip")], check=True,
                         stdout=subprocess.PIPE).stdout.decode()
    zl = float(out.split("zlib_ms=")[1].split()[0])
    print("   defuse-scan ordinary.eml: %.2f ms (verdict %s, inflated %d)" % (eng, recs[0]["verdict"], recs[0]["inflated"]))
    print("   bombgen --zlib ordinary.zip: %.2f ms" % zl)
    print("   ratio %.2f (target <= 1.25)" % (eng / zl))
    ok &= eng <= 1.25 * zl and recs[0]["verdict"] == "accept"

    print("\n3. peak_mem against archive nesting depth (benign zips in zips)")
    prev = None
    for d in range(1, 5):
        r = scan(build, os.path.join(tmp, "depth-%d.eml" % d))
        inc = "" if prev is None else "  (+%d)" % (r["peak_mem"] - prev)
        print("   depth %d: peak_mem %7d  archive_depth %d  verdict %s%s" % (d, r["peak_mem"], r["archive_depth"], r["verdict"], inc))
        ok &= r["verdict"] == "accept" and r["archive_depth"] == d
        prev = r["peak_mem"]
    shutil.rmtree(tmp)
    print("\narchives: targets %s" % ("met" if ok else "MISSED"))
    return 0 if ok else 1

if __name__ == "__main__":
    sys.exit(main())
