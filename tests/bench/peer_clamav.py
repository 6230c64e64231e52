#!/usr/bin/env python3
"""peer_clamav - the messages, the SMTP timing and the table of
tests/bench/peer_clamav.sh (defuse beside clamd + clamav-milter).

  peer_clamav.py build DIR BOMBGEN_DIR [CORPUS_MIME_DIR]
  peer_clamav.py eicar DBDIR
  peer_clamav.py send --reps N --out DIR --name NAME --cls CLASS
                      --port FILTER=PORT... [--pid LABEL=PID...]
                      [--clamd-log PATH:OFFSET] FILE...
  peer_clamav.py table RESULTS

build: writes the messages into DIR and prints one line per row of the
table, "name<TAB>class<TAB>file [file...]", class being clean (every
filter should accept it), heavy (ten 10 MB attachments: large, but under
defuse's default limits, so accepted), bomb (defuse must refuse it) or
eicar (the EICAR test file: not a bomb, the one signature clamd knows).
Bombs and clean mail are built here at run time; bombgen's files and the
corpus's are listed where they are.

eicar: writes DBDIR/defuse-peer.hdb, clamd's one-line database: the MD5
and size of the EICAR test file (assembled here from two halves so that
no file of the tree matches a virus scanner's signature).

send: for each of N rounds, each filter in turn (interleaved, so that
the machine's other load hits every filter alike) opens a session to
127.0.0.1:PORT, sends every FILE and times each transaction from MAIL
FROM to the reply at the end of DATA (connect and EHLO excluded).  An
accepted message is waited for in DIR (the harness's pipe delivery),
outside the timing, and deleted.  Then VmHWM and VmRSS of every --pid
are read from /proc, and what clamd's log says it FOUND past OFFSET.
Prints one JSON line: per filter the replies' codes, the median over the
rounds of the summed transaction times and the first reply that was not
2xx (or the 2xx one); the memory; defuse's wrong verdicts, if any.

table: the aligned table of all rows, the replies, and the exit status:
1 when defuse accepted a bomb, or did not accept clean mail that Postfix
alone accepted.
"""
import argparse
import gzip
import hashlib
import json
import os
import random
import socket
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from smtpc import reply, wire          # noqa: E402  one SMTP client, shared with the e2e tests
from loadgen import head, mixed        # noqa: E402  the load tests' message builders

EICAR = (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$"
         b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")
FILTERS = ("none", "defuse", "clamav")


# --- build ------------------------------------------------------------------

def nested_multipart(depth):
    """a multipart tree nested DEPTH deep, one short text at the bottom"""
    out = [head("multipart nested %d deep" % depth, "MIME-Version: 1.0\n"
                "Content-Type: multipart/mixed; boundary=\"n0\"\n\n")]
    for i in range(1, depth):
        out.append("--n%d\nContent-Type: multipart/mixed; boundary=\"n%d\"\n\n" % (i - 1, i))
    out.append("--n%d\nContent-Type: text/plain\n\nthe bottom\n" % (depth - 1))
    for i in range(depth - 1, -1, -1):
        out.append("--n%d--\n" % i)
    return "".join(out)


def build(outdir, bombgen_dir, corpus):
    rnd = random.Random(4)
    rows = []

    def put(name, cls, text):
        path = os.path.join(outdir, name + ".eml")
        with open(path, "wb") as f:
            f.write(text if isinstance(text, bytes) else text.encode())
        rows.append((name, cls, path))

    put("clean-small", "clean", head("small") + "\n" + "a small clean message, one line of text\n" * 25)
    put("clean-20MB-random", "clean", mixed("20 MB of random bytes", [
        ("application/octet-stream", "random.bin", rnd.randbytes(14 << 20))]))
    for name in ("ordinary", "depth-4"):
        rows.append(("bombgen:" + name, "clean", os.path.join(bombgen_dir, name + ".eml")))
    if corpus:
        # the messages of the manifest (the folder also holds licences)
        with open(os.path.join(corpus, "MANIFEST.tsv")) as f:
            every = [os.path.join(corpus, line.split("\t")[0]) for line in f.read().splitlines()[1:]]
        for rel in ("rspamd/gargantua.eml", "perl-mime-tools/frag.msg",
                    "mimekit/stack-overflow.txt", "nodemailer-mailparser/large_text.eml"):
            path = os.path.join(corpus, rel)
            if os.path.exists(path):
                rows.append(("corpus:" + rel, "clean", path))
        rows.append(("corpus:mime/*(all %d)" % len(every), "clean", " ".join(every)))
    put("eicar", "eicar", mixed("EICAR test file", [("application/octet-stream", "eicar.com", EICAR)]))
    for f in sorted(os.listdir(bombgen_dir)):
        if f.startswith("bomb-") and f.endswith(".eml"):
            rows.append(("bombgen:" + f[5:-4], "bomb", os.path.join(bombgen_dir, f)))
    # "ten 50 MB attachments" scaled to Postfix's message_size_limit (100 MiB):
    # ten parts of 7.5 MB, 10 MB each in base64, ~97 MiB on the wire.
    put("ten-10MB-attachments", "heavy", mixed("ten attachments", [
        ("application/octet-stream", "part%d.bin" % i, rnd.randbytes(7500000)) for i in range(10)]))
    put("multipart-nested-500", "bomb", nested_multipart(500))
    put("gzip-zeros-20MB", "bomb", mixed("gzip bomb", [
        ("application/gzip", "zeros.gz", gzip.compress(b"\0" * (20 << 20), 9))]))
    for name, cls, paths in rows:
        print("%s\t%s\t%s" % (name, cls, paths))
    return 0


def eicar_db(dbdir):
    with open(os.path.join(dbdir, "defuse-peer.hdb"), "w") as f:
        f.write("%s:%d:Defuse-Peer.EICAR-Test-File\n" % (hashlib.md5(EICAR).hexdigest(), len(EICAR)))
    return 0


# --- send -------------------------------------------------------------------

def transaction(sock, f, data):
    """one message: (reply at the end of DATA, seconds from MAIL to it)"""
    t = time.monotonic()
    for cmd, want in ((b"MAIL FROM:<sender@example.org>", "250"),
                      (b"RCPT TO:<rcpt@dest.example.net>", "250"), (b"DATA", "354")):
        sock.sendall(cmd + b"\r\n")
        r = reply(f)
        if not r.startswith(want):
            if cmd != b"MAIL FROM:<sender@example.org>":
                sock.sendall(b"RSET\r\n")
                reply(f)
            return r, time.monotonic() - t
    try:
        sock.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass                                # the server answered early
    r = reply(f)
    return r, time.monotonic() - t


def session(port, datas, outdir):
    """one SMTP session, every message: (replies, summed seconds)"""
    sock = socket.create_connection(("127.0.0.1", port), 600)
    f = sock.makefile("rb")
    reply(f)
    sock.sendall(b"EHLO client.example.org\r\n")
    reply(f)
    replies, total = [], 0.0
    for data in datas:
        if replies and (replies[-1].startswith("ERR") or replies[-1] == "EOF"):
            replies.append("ERR not sent: the session broke")
            continue
        try:
            r, s = transaction(sock, f, data)
        except OSError as e:
            r, s = "ERR %s" % e, 0.0
        replies.append(r)
        total += s
        if "queued as " in r:               # delivered by the pipe transport
            path = os.path.join(outdir, r.split("queued as ")[1].split()[0])
            end = time.time() + 120
            while not os.path.exists(path) and time.time() < end:
                time.sleep(0.02)
            if os.path.exists(path):
                os.unlink(path)
    try:
        sock.sendall(b"QUIT\r\n")
        reply(f)
    except OSError:
        pass
    sock.close()
    return replies, total


def proc_kb(pid, key):
    try:
        with open("/proc/%s/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def clamd_found(spec):
    """what clamd's log says it found since OFFSET: {signature: count}"""
    path, _, offset = spec.rpartition(":")
    found = {}
    try:
        with open(path, "rb") as f:
            f.seek(int(offset))
            for line in f.read().decode("latin-1").splitlines():
                if line.endswith(" FOUND"):
                    sig = line[:-6].rsplit(": ", 1)[-1]
                    found[sig] = found.get(sig, 0) + 1
    except OSError:
        pass
    return found


def send(argv):
    p = argparse.ArgumentParser(prog="peer_clamav.py send")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--out", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--cls", required=True)
    p.add_argument("--port", action="append", default=[])
    p.add_argument("--pid", action="append", default=[])
    p.add_argument("--clamd-log", help="PATH:OFFSET")
    p.add_argument("files", nargs="+")
    a = p.parse_args(argv)
    ports = [kv.split("=", 1) for kv in a.port]
    datas = []
    for path in a.files:
        with open(path, "rb") as fp:
            datas.append(wire(fp.read()) + b".\r\n")
    n = len(datas)
    times = {name: [] for name, _ in ports}
    replies = {name: [] for name, _ in ports}
    for _ in range(a.reps):
        for name, port in ports:
            r, s = session(int(port), datas, a.out)
            times[name].append(s)
            replies[name] += r
    rec = {"name": a.name, "cls": a.cls, "n": n, "bytes": sum(len(d) for d in datas),
           "reps": a.reps, "filters": {}, "mem": {}, "wrong": []}
    for name, _ in ports:
        codes = {}
        for r in replies[name]:
            codes[r[:3]] = codes.get(r[:3], 0) + 1
        odd = next((i for i, r in enumerate(replies[name]) if not r.startswith("2")), 0)
        shown = replies[name][odd]
        if n > 1:
            shown = "%s: %s" % (os.path.basename(a.files[odd % n]), shown)
        rec["filters"][name] = {"codes": codes, "ms": statistics.median(times[name]) * 1000, "reply": shown}
    # defuse's verdicts, message by message, beside Postfix alone's
    for i, (d, alone) in enumerate(zip(replies["defuse"], replies["none"])):
        what = "" if n == 1 else " " + a.files[i % n]
        if a.cls == "bomb" and d.startswith("2"):
            rec["wrong"].append("%s%s: defuse accepted a bomb: %s" % (a.name, what, d))
        elif a.cls != "bomb" and alone.startswith("2") and not d.startswith("2"):
            rec["wrong"].append("%s%s: defuse did not accept clean mail: %s" % (a.name, what, d))
    for kv in a.pid:
        label, pid = kv.split("=", 1)
        rec["mem"][label] = {"hwm_kb": proc_kb(pid, "VmHWM"), "rss_kb": proc_kb(pid, "VmRSS")}
    if a.clamd_log:
        rec["clamd_found"] = clamd_found(a.clamd_log)
    print(json.dumps(rec))
    return 0


# --- table ------------------------------------------------------------------

def verdict(fl, n, reps):
    """250; 250,451 when the rounds differ; 328x250 2x550 per round for a
    row of several messages"""
    codes = fl["codes"]
    if n == 1:
        return ",".join(sorted(codes))
    return " ".join("%gx%s" % (c / reps, k) for k, c in sorted(codes.items()))


def size(n):
    for unit, div in (("M", 1 << 20), ("K", 1 << 10)):
        if n >= div:
            return "%.1f%s" % (n / div, unit)
    return "%dB" % n


def mib(kb):
    return "-" if kb is None else "%.1f" % (kb / 1024)


def table(path):
    recs = [json.loads(line) for line in open(path) if line.strip()]
    # four blocks of columns: the message, then one block per filter
    head = (("message", "class", "size"), ("verdict", "ms"), ("verdict", "ms", "MiB"),
            ("verdict", "ms", "clamd", "milter", "sum"))
    labels = ("", "Postfix alone", "+ defuse", "+ clamav-milter + clamd, MiB")
    rows = []
    for r in recs:
        f, m = r["filters"], r["mem"]
        dm, cm, mm = (m.get(k, {}).get("hwm_kb") for k in ("defuse", "clamd", "clamav-milter"))
        rows.append(((r["name"], r["cls"], size(r["bytes"])),
                     (verdict(f["none"], r["n"], r["reps"]), "%.0f" % f["none"]["ms"]),
                     (verdict(f["defuse"], r["n"], r["reps"]), "%.0f" % f["defuse"]["ms"], mib(dm)),
                     (verdict(f["clamav"], r["n"], r["reps"]), "%.0f" % f["clamav"]["ms"],
                      mib(cm), mib(mm), mib(None if cm is None or mm is None else cm + mm))))
    width = [[max(len(x[b][i]) for x in rows + [head]) for i in range(len(head[b]))]
             for b in range(len(head))]
    for b, label in enumerate(labels):          # a block is as wide as its label
        short = len(label) - (sum(width[b]) + 2 * (len(width[b]) - 1))
        if short > 0:
            width[b][0] += short

    def line(cells):
        blocks = []
        for b, block in enumerate(cells):
            blocks.append("  ".join(c.ljust(w) if b == 0 and i < 2 else c.rjust(w)
                                    for i, (c, w) in enumerate(zip(block, width[b]))))
        return " | ".join(blocks)

    print(" | ".join(label.ljust(sum(w) + 2 * (len(w) - 1)) for label, w in zip(labels, width)).rstrip())
    print(line(head))
    print("-" * len(line(head)))
    for x in rows:
        print(line(x))
    print()
    print("replies not 2xx (the first of the row), defuse / clamav (clamd's finding):")
    for r in recs:
        d, c = r["filters"]["defuse"]["reply"], r["filters"]["clamav"]["reply"]
        found = ", ".join(sorted(r.get("clamd_found", {})))
        if d[:1] == "2" and c[:1] == "2" and not found:
            continue
        print("  %s" % r["name"])
        print("    defuse: %s" % d[:160])
        print("    clamav: %s%s" % (c[:160], " (clamd: %s)" % found if found else ""))
    eic = [r for r in recs if r["cls"] == "eicar"]
    if eic and all(k.startswith("2") for k in eic[0]["filters"]["clamav"]["codes"]):
        print("NOTE: clamav-milter accepted the EICAR test file: clamd is not scanning the mail")
    wrong = [w for r in recs for w in r.get("wrong", [])]
    for w in wrong:
        print("WRONG: " + w)
    return 1 if wrong else 0


def main():
    cmd, argv = sys.argv[1], sys.argv[2:]
    if cmd == "build":
        return build(argv[0], argv[1], argv[2] if len(argv) > 2 else "")
    if cmd == "eicar":
        return eicar_db(argv[0])
    if cmd == "send":
        return send(argv)
    if cmd == "table":
        return table(argv[0])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
