#!/usr/bin/env python3
"""memplot.py BUILDDIR [OUT.png] - memory against message size.

For messages of 1 KB to 200 MB (a zip of ordinary text, base64-encoded,
as one attachment), measures:
  - defuse's own peak memory for the message (peak_mem, counted);
  - defuse-scan's peak RSS (the whole process, libmagic included);
  - the peak RSS of a buffering filter (memref.py: Python's email +
    zipfile, holding raw + decoded + unpacked), and the bytes it holds.
Prints a table and draws OUT.png (default docs/memory.png) with gnuplot.
"""
import base64, json, os, resource, subprocess, sys, tempfile, zipfile, io, random

SIZES = [1 << 10, 10 << 10, 100 << 10, 1 << 20, 10 << 20, 50 << 20, 100 << 20, 200 << 20]

def text(n, seed):
    rnd = random.Random(seed)
    words = [bytes(rnd.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(2, 9))) for _ in range(4000)]
    out, size = [], 0
    while size < n:
        line = b" ".join(rnd.choice(words) for _ in range(12)) + b"\n"
        out.append(line)
        size += len(line)
    return b"".join(out)[:n]

def message(path, size):
    """A message of about size bytes: a zip (deflated text, ~3:1) in base64."""
    zbuf = io.BytesIO()
    member = max(64, int(size * 0.73 * 2.9))  # base64 adds 4/3, deflate ~2.9:1
    chunk = text(min(member, 8 << 20), size)
    with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("report.txt", "w", force_zip64=True) as f:
            left = member
            while left > 0:
                f.write(chunk[:left])
                left -= len(chunk[:left])
    data = zbuf.getvalue()
    with open(path, "wb") as f:
        f.write(b"From: a@example.org\r\nTo: b@example.net\r\nSubject: report\r\nMIME-Version: 1.0\r\n"
                b"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\n"
                b"See the attached report.\r\n--B\r\nContent-Type: application/zip; name=report.zip\r\n"
                b"Content-Transfer-Encoding: base64\r\n\r\n")
        f.write(base64.encodebytes(data).replace(b"\n", b"\r\n"))
        f.write(b"--B--\r\n")

def peak_rss(cmd):
    """Run cmd alone in a fresh process; return (its stdout lines, its peak RSS in KiB)."""
    code = ("import resource,subprocess,sys;p=subprocess.run(sys.argv[1:],stdout=subprocess.PIPE);"
            "sys.stdout.write(p.stdout.decode());"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    lines = subprocess.check_output([sys.executable, "-c", code] + cmd).decode().splitlines()
    return lines[:-1], int(lines[-1])

def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
    png = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "..", "docs", "memory.png")
    scan = os.path.join(build, "milter", "defuse-scan")
    ref = os.path.join(os.path.dirname(os.path.abspath(__file__)), "memref.py")
    tmp = tempfile.mkdtemp(prefix="defuse-mem-")
    rows = []
    print("%10s %12s %12s %14s %14s %14s" % ("message", "peak_mem", "scan RSS", "buffer RSS", "buffer holds", "cost"))
    for size in SIZES:
        path = os.path.join(tmp, "m.eml")
        message(path, size)
        raw = os.path.getsize(path)
        out, rss = peak_rss([scan, "--json", "-o", "max_message_cost=4G", "-o", "max_part_size=2G",
                             "-o", "max_ratio=1000", path])
        rec = json.loads(out[0])
        rout, rrss = peak_rss([sys.executable, ref, path])
        held = int(rout[0])
        rows.append((raw, rec["peak_mem"], rss * 1024, rrss * 1024, held, rec["cost"]))
        print("%10d %12d %12d %14d %14d %14d" % rows[-1])
        os.unlink(path)
    os.rmdir(tmp)
    dat = png[:-4] + ".dat"
    os.makedirs(os.path.dirname(os.path.abspath(png)), exist_ok=True)
    with open(dat, "w") as f:
        f.write("# raw_bytes peak_mem scan_rss buffer_rss buffer_holds cost\n")
        for r in rows:
            f.write(" ".join(str(x) for x in r) + "\n")
    gp = """set terminal pngcairo size 900,560 font ",11"
set output '%s'
set logscale xy
set format x "%%.0s%%cB"; set format y "%%.0s%%cB"
set xlabel "message size on the wire"; set ylabel "memory"
set key top left
set grid
set title "Memory per message: defuse against a buffering filter (zip of text, base64)"
plot '%s' using 1:4 with linespoints lw 2 title "buffering filter (Python email+zipfile), peak RSS", \\
     '%s' using 1:6 with lines dt 2 lw 2 title "defuse's projected cost (raw+decoded+unpacked)", \\
     '%s' using 1:3 with linespoints lw 2 title "defuse-scan, peak RSS (whole process)", \\
     '%s' using 1:2 with linespoints lw 2 title "defuse engine, own peak (counted)"
""" % (png, dat, dat, dat, dat)
    try:
        subprocess.run(["gnuplot"], input=gp.encode(), check=True)
        print("memplot: wrote %s" % png)
    except (OSError, subprocess.CalledProcessError) as e:
        print("memplot: gnuplot failed (%s); data in %s" % (e, dat))
    return 0

if __name__ == "__main__":
    sys.exit(main())
