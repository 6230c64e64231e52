#!/usr/bin/env python3
"""streams.py BUILDDIR - the compressed-stream benchmarks, run by `make bench`.

Inputs are made at run time with the command-line tools (bzip2, xz, zstd)
in a temporary folder:

  1. a clean tar of about 30 MB (half random bytes, half text), as
     tar.bz2, tar.xz and tar.zst, each about 18 MB: defuse-scan on the
     file sent as a binary attachment, against `TOOL -dc FILE
     >/dev/null`, each the best of 3 wall times; target: defuse-scan
     within 1.1x of the tool (the analysis time the record gives is
     printed too, and the time for the same file sent base64, which
     adds the base64 decoder's);
  2. bombs of each kind expanding to 1 GiB and 10 GiB (streams of
     zeros, concatenated, as the tools read them): each refused, in
     under 50 ms of analysis (the record's ms), with at most 2 MiB
     inflated;
  3. an xz -9 and a zstd -19 file: peak_mem and the process's peak RSS
     (a fresh child's ru_maxrss) beside the decoder memory each declares
     (decoder_mem).
"""
import base64, json, os, shutil, subprocess, sys, tempfile, time

MiB = 1 << 20

def run_scan(build, path, extra=()):
    cmd = [os.path.join(build, "milter", "defuse-scan"), "--json"] + list(extra) + [path]
    t = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t
    if p.returncode not in (0, 1):
        sys.exit("streams: %s: %s" % (" ".join(cmd), p.stderr.decode()))
    return json.loads(p.stdout.decode().splitlines()[0]), wall

def attach(src, dst, name, cte="base64"):
    """The file as the attachment of a message: base64, or binary (the
    bytes as they are, what a MTA with BINARYMIME hands on: the engine's
    own cost without the base64 decoder's)."""
    with open(dst, "wb") as f:
        f.write(b"From: a@example.org\r\nSubject: codec bench\r\nMIME-Version: 1.0\r\n"
                b"Content-Type: multipart/mixed; boundary=BOUNDARY-9f3e\r\n\r\n--BOUNDARY-9f3e\r\n"
                b"Content-Type: application/octet-stream; name=\"" + name.encode() +
                b"\"\r\nContent-Transfer-Encoding: " + cte.encode() + b"\r\n\r\n")
        with open(src, "rb") as s:
            data = s.read()
            f.write(base64.encodebytes(data).replace(b"\n", b"\r\n") if cte == "base64" else data)
        f.write(b"\r\n--BOUNDARY-9f3e--\r\n")

def best(f, n=3):
    return min(f() for _ in range(n))

def tool_time(cmd):
    def once():
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        return time.perf_counter() - t
    return best(once)

def clean_tar(tmp):
    d = os.path.join(tmp, "tree")
    os.makedirs(d)
    words = b"the quick brown fox jumps over a lazy dog while mail flows on and on ".split()
    rnd = 12345
    for i in range(30):
        with open(os.path.join(d, "f%02d.%s" % (i, "bin" if i % 2 else "txt")), "wb") as f:
            if i % 2:
                f.write(os.urandom(MiB))
            else:
                out = bytearray()
                while len(out) < MiB:
                    rnd = (rnd * 1103515245 + 12345) & 0x7fffffff
                    out += words[rnd % len(words)] + (b"\n" if rnd % 11 == 0 else b" ")
                f.write(bytes(out[:MiB]))
    tar = os.path.join(tmp, "clean.tar")
    subprocess.run(["tar", "-C", tmp, "-cf", tar, "tree"], check=True)
    return tar

def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
    for t in ("bzip2", "xz", "zstd", "tar"):
        if shutil.which(t) is None:
            sys.exit("streams: %s not found (sh contrib/install-deps.sh --bench)" % t)
    tmp = tempfile.mkdtemp(prefix="defuse-streambench-")
    ok = True
    try:
        tar = clean_tar(tmp)
        print("1. a clean %.1f MB tar, compressed: defuse-scan on it attached against TOOL -dc FILE >/dev/null, best of 3"
              % (os.path.getsize(tar) / 1e6))
        print("   %-8s %7s %8s %8s %8s %6s %11s" % ("file", "size", "tool s", "scan s", "record s", "ratio", "base64 scan"))
        for tool, ext, opts in (("bzip2", "bz2", ["-9"]), ("xz", "xz", ["-6"]), ("zstd", "zst", ["-19", "-q"])):
            comp = tar + "." + ext
            with open(comp, "wb") as f:
                subprocess.run([tool] + opts + ["-c", tar], stdout=f, check=True)
            msg, msg64 = comp + ".eml", comp + ".b64.eml"
            attach(comp, msg, "clean.tar." + ext, "binary")
            attach(comp, msg64, "clean.tar." + ext)
            t_tool = tool_time([tool, "-dc", comp])
            runs = [run_scan(build, msg, ["-o", "max_part_size=100M"]) for _ in range(3)]
            r, t_scan = min(runs, key=lambda x: x[1])
            t_64 = min(run_scan(build, msg64, ["-o", "max_part_size=100M"])[1] for _ in range(3))
            good = r["verdict"] == "accept" and t_scan <= 1.1 * t_tool
            ok &= good
            print("   %-8s %6.1fM %8.3f %8.3f %8.3f %5.2fx %10.3fs %s  (expanded %d, decoder_mem %d)" % (
                "tar." + ext, os.path.getsize(comp) / 1e6, t_tool, t_scan, r["ms"] / 1000,
                t_scan / t_tool, t_64, "ok" if good else "MISSED", r["expanded"], r["decoder_mem"]))

        print("2. bombs of zeros, default limits: refused, record ms < 50, inflated <= 2 MiB")
        print("   %-22s %10s %-14s %10s %8s %9s" % ("bomb", "size", "reason", "inflated", "ms", "peak_mem"))
        zeros = os.path.join(tmp, "zeros")
        with open(zeros, "wb") as f:
            f.truncate(64 * MiB)
        for tool, ext, opts in (("bzip2", "bz2", ["-9"]), ("xz", "xz", ["-0"]), ("zstd", "zst", ["-19", "-q"])):
            one = os.path.join(tmp, "z64." + ext)
            with open(one, "wb") as f:
                subprocess.run([tool] + opts + ["-c", zeros], stdout=f, check=True)
            piece = open(one, "rb").read()
            for gib in (1, 10):
                bomb = os.path.join(tmp, "bomb-%dg.%s" % (gib, ext))
                with open(bomb, "wb") as f:
                    f.write(piece * (gib * 16))
                msg = bomb + ".eml"
                attach(bomb, msg, os.path.basename(bomb))
                r = min((run_scan(build, msg)[0] for _ in range(3)), key=lambda r: r["ms"])
                good = r["verdict"] == "reject" and r["ms"] < 50 and r["inflated"] <= 2 * MiB
                ok &= good
                print("   %-22s %9.1fK %-14s %10d %8.2f %9d %s" % (
                    "%d GiB of zeros .%s" % (gib, ext), os.path.getsize(bomb) / 1e3, r["reason"],
                    r["inflated"], r["ms"], r["peak_mem"], "ok" if good else "MISSED"))

        print("3. decoder memory: peak_mem and peak RSS (defuse-scan, /usr/bin/time) beside decoder_mem")
        sample = os.path.join(tmp, "sample")
        with open(sample, "wb") as f:
            f.write(open(tar, "rb").read()[:8 * MiB])
        for tool, ext, opts in (("xz", "xz", ["-9"]), ("zstd", "zst", ["-19", "-q"])):
            comp = sample + "." + ext
            with open(comp, "wb") as f:
                subprocess.run([tool] + opts + ["-c", sample], stdout=f, check=True)
            msg = comp + ".eml"
            attach(comp, msg, "sample." + ext)
            r, _ = run_scan(build, msg)
            rss = subprocess.run([sys.executable, "-c",
                "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
                "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)",
                os.path.join(build, "milter", "defuse-scan"), msg], stdout=subprocess.PIPE, check=True)
            print("   %-10s %s: decoder_mem %d, peak_mem %d, mem %s, peak RSS %s KiB" % (
                "sample." + ext, " ".join([tool] + opts), r["decoder_mem"], r["peak_mem"],
                {k: v for k, v in r["mem"].items() if v}, rss.stdout.decode().strip()))
    finally:
        shutil.rmtree(tmp)
    print("streams: %s" % ("every target met" if ok else "a target MISSED"))
    sys.exit(0 if ok else 1)

if __name__ == "__main__":
    main()
