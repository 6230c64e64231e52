#!/usr/bin/env python3
"""loadgen - SMTP load for defuse's load and fault tests (tests/e2e).

  loadgen.py send   --port P --sessions N --seconds S --log FILE [options]
  loadgen.py verify --log FILE --out DIR [--log FILE ...]
  loadgen.py idle   --port P --count N --hold S
  loadgen.py slow   --port P --log FILE --body-bytes B --every SECONDS

send: N threads, each one SMTP session after another to 127.0.0.1:P
until S seconds have passed, each session one message drawn from a mix
of clean mail and bombs built here:

  small   1 KB of text                                  expect 250
  large   multipart, LARGE_PARTS base64 parts of PART_KB  expect 250
  gz      a gzip of zeros (20 MB in 20 KB), base64        expect 5xx (ratio)
  zip     a zip nested 6 deep (> max_archive_depth 4)     expect 5xx
  b64     one base64 part of B64_KB decoded (> max_part_size)  expect 5xx

Every message carries a unique X-Load-Id.  A 4xx anywhere (connect,
MAIL, RCPT, DATA, end of data) or a broken connection is a temporary
failure: the sender waits a little and sends the same message again,
until it gets a final reply or --give-up seconds have passed.  One JSON
line per final outcome goes to --log: id, kind, reply, qid, sha256 of
the message (LF line ends), attempts, the replies of the temporary
failures, latency (connect to final reply, last attempt) and times.
A summary line (kind "summary") ends the log and is printed.

verify: reads every file delivered into DIR (the pipe transport's
out/<queue id>), strips Postfix's Received: line and defuse's header as
lib.sh's strip_trace does, and checks against the logs: every accepted
message delivered, intact (sha256), duplicates counted, no bomb and no
unknown message delivered.  Prints "ok - " / "FAIL - " lines; exit 1 on
a failure.

idle: N connections that say EHLO and wait; prints who closed them
(Postfix's smtpd_timeout: 421 4.4.2) and after how long.
slow: one clean message whose body is sent one byte per --every
seconds; its outcome goes to --log like send's, for verify.
"""
import argparse
import base64
import collections
import gzip
import hashlib
import io
import json
import os
import random
import socket
import sys
import threading
import time
import zipfile

from smtpc import wire  # one DATA form (CRLF, dot-stuffed), shared with smtpc

BOMBS = ("gz", "zip", "b64")


def head(subject, extra=""):
    return ("From: load@example.org\nTo: rcpt@dest.example.net\n"
            "Subject: %s\nDate: Sat, 21 Nov 2026 08:00:00 +0000\n%s" % (subject, extra))


def b64lines(data):
    return base64.encodebytes(data).decode()


def mixed(subject, parts):
    """parts: (content-type, filename, bytes) -> a multipart message"""
    out = [head(subject, "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"LGB\"\n\n"),
           "--LGB\nContent-Type: text/plain\n\nload test\n"]
    for ctype, name, data in parts:
        out.append("--LGB\nContent-Type: %s; name=\"%s\"\nContent-Transfer-Encoding: base64\n"
                   "Content-Disposition: attachment; filename=\"%s\"\n\n%s" % (ctype, name, name, b64lines(data)))
    out.append("--LGB--\n")
    return "".join(out)


def nested_zip(depth):
    data, name = b"innermost text\n" * 10, "x.txt"
    for i in range(depth):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(name, data)
        data, name = buf.getvalue(), "layer%d.zip" % i
    return data


def templates(args):
    rnd = random.Random(5)
    t = {}
    t["small"] = head("small") + "\n" + "a small clean message, one line of text\n" * 25
    t["large"] = mixed("large", [("application/octet-stream", "blob%d.bin" % i,
                                  rnd.randbytes(args.part_kb << 10)) for i in range(args.large_parts)])
    t["gz"] = mixed("gzip bomb", [("application/gzip", "zeros.gz", gzip.compress(b"\0" * (20 << 20), 9))])
    t["zip"] = mixed("nested zip", [("application/zip", "nest.zip", nested_zip(6))])
    t["b64"] = mixed("big part", [("application/octet-stream", "big.bin", rnd.randbytes(args.b64_kb << 10))])
    return {k: v.encode() for k, v in t.items()}


class Temp(Exception):
    pass


def reply(f):
    lines = []
    while True:
        line = f.readline()
        if not line:
            raise Temp("EOF")
        lines.append(line.decode("latin-1").rstrip("\r\n"))
        if len(line) < 4 or line[3:4] != b"-":
            return " / ".join(lines)


def expect(r, code, stage):
    if r.startswith(code):
        return
    if r[:1] == "4":
        raise Temp("%s %s" % (stage, r))
    raise Final(stage, r)


class Final(Exception):
    def __init__(self, stage, r):
        super().__init__(r)
        self.stage, self.reply = stage, r


def attempt(args, data):
    """one SMTP session; returns (stage, reply); raises Temp"""
    try:
        s = socket.create_connection(("127.0.0.1", args.port), args.timeout)
    except OSError as e:
        raise Temp("connect %s" % e)
    try:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        f = s.makefile("rb")
        expect(reply(f), "220", "CONNECT")
        s.sendall(b"EHLO load.example.org\r\n")
        expect(reply(f), "250", "EHLO")
        s.sendall(b"MAIL FROM:<load@example.org>\r\n")
        expect(reply(f), "250", "MAIL")
        s.sendall(b"RCPT TO:<rcpt@dest.example.net>\r\n")
        expect(reply(f), "250", "RCPT")
        s.sendall(b"DATA\r\n")
        expect(reply(f), "354", "DATA")
        try:
            s.sendall(data + b".\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass		# the server answered early; read its reply
        r = reply(f)
        if r[:1] == "4":
            raise Temp("END " + r)
        try:
            s.sendall(b"QUIT\r\n")
        except OSError:
            pass
        return "END", r
    except Final as e:
        return e.stage, e.reply
    except (OSError, socket.timeout) as e:
        raise Temp("error %s" % e)
    finally:
        s.close()


def worker(args, tmpl, kinds, weights, deadline, seq, out, lock, stats):
    rnd = random.Random()
    while time.time() < deadline:
        kind = rnd.choices(kinds, weights)[0]
        with lock:
            seq[0] += 1
            mid = "%s-%d" % (args.run, seq[0])
        hdr = ("X-Load-Id: %s\nMessage-ID: <%s@load.example.org>\n" % (mid, mid)).encode()
        body = hdr + tmpl[kind]
        sha = hashlib.sha256(body).hexdigest()
        data = wire(body)
        temps, attempts, first = [], 0, time.time()
        rec = None
        while True:
            attempts += 1
            t0 = time.time()
            try:
                stage, r = attempt(args, data)
            except Temp as e:
                temps.append(str(e)[:80])
                if time.time() - first > args.give_up:
                    rec = {"reply": "GAVE-UP", "stage": "-"}
                    break
                time.sleep(rnd.uniform(args.backoff / 2, args.backoff * 1.5))
                continue
            rec = {"reply": r, "stage": stage}
            break
        t1 = time.time()
        rec.update(id=mid, kind=kind, sha=sha, attempts=attempts, temps=temps,
                   lat=round(t1 - t0, 4), t0=round(t0, 3), t1=round(t1, 3), first=round(first, 3))
        if "queued as " in rec["reply"]:
            rec["qid"] = rec["reply"].split("queued as ")[1].split()[0]
        good = (rec["reply"].startswith("250") if kind not in BOMBS
                else rec["reply"][:1] == "5")
        rec["ok"] = good
        with lock:
            out.write(json.dumps(rec) + "\n")
            stats["n"] += 1
            stats["bad"] += not good


def pct(xs, p):
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def summary(recs):
    s = collections.OrderedDict()
    s["kind"] = "summary"
    s["messages"] = len(recs)
    s["accepted"] = sum(1 for r in recs if r["reply"].startswith("250"))
    s["refused"] = sum(1 for r in recs if r["reply"][:1] == "5")
    s["gave_up"] = sum(1 for r in recs if r["reply"] == "GAVE-UP")
    s["wrong"] = sum(1 for r in recs if not r["ok"])
    s["by_kind"] = dict(collections.Counter(r["kind"] for r in recs))
    s["attempts"] = sum(r["attempts"] for r in recs)
    tc = collections.Counter()
    for r in recs:
        for t in r["temps"]:
            w = t.split()
            tc[" ".join(w[:3]) if w[0] in ("END", "MAIL", "RCPT", "DATA", "CONNECT") else w[0]] += 1
    s["tempfails"] = dict(tc.most_common(12))
    s["refusals"] = dict(collections.Counter(" ".join(r["reply"].split()[:2]) for r in recs
                                             if r["reply"][:1] == "5"))
    for k in ("small", "large"):
        lat = [r["lat"] for r in recs if r["kind"] == k and r["reply"].startswith("250")]
        s["lat_%s_ms" % k] = {"p50": round(pct(lat, .5) * 1000), "p95": round(pct(lat, .95) * 1000),
                              "max": round(max(lat or [0]) * 1000)}
    return s


def send(args):
    tmpl = templates(args)
    mix = dict(kv.split("=") for kv in args.mix.split(","))
    kinds = [k for k in mix if float(mix[k]) > 0]
    weights = [float(mix[k]) for k in kinds]
    deadline = time.time() + args.seconds
    lock = threading.Lock()
    seq, stats = [0], {"n": 0, "bad": 0}
    with open(args.log, "w") as out:
        ths = [threading.Thread(target=worker, daemon=True,
                                args=(args, tmpl, kinds, weights, deadline, seq, out, lock, stats))
               for _ in range(args.sessions)]
        for t in ths:
            t.start()
            time.sleep(args.ramp / max(args.sessions, 1))
        for t in ths:
            t.join()
    recs = [json.loads(l) for l in open(args.log)]
    s = summary(recs)
    with open(args.log, "a") as out:
        out.write(json.dumps(s) + "\n")
    print(json.dumps(s))
    return 0


def strip_trace(data, name=b"x-defuse"):
    out, skip, nhead, in_head = [], False, 0, True
    for line in data.split(b"\n"):
        if in_head:
            if line in (b"", b"\r"):
                in_head = False
            elif line[:1] in (b" ", b"\t"):
                if skip:
                    continue
            else:
                low = line.lower()
                skip = (nhead == 0 and low.startswith(b"received:")) or low.startswith(name + b":")
                nhead += 1
                if skip:
                    continue
        out.append(line)
    return b"\n".join(out)


def verify(args):
    recs = []
    for log in args.log:
        recs += [r for r in map(json.loads, open(log)) if r.get("kind") != "summary"]
    sent = {r["id"]: r for r in recs}
    got = collections.defaultdict(list)
    unknown = 0
    for name in os.listdir(args.out):
        if name.startswith("."):
            continue
        data = strip_trace(open(os.path.join(args.out, name), "rb").read())
        mid = None
        for line in data.split(b"\n\n", 1)[0].split(b"\n"):
            if line.lower().startswith(b"x-load-id:"):
                mid = line.split(b":", 1)[1].strip().decode()
                break
        if mid not in sent:
            unknown += 1
            continue
        got[mid].append(hashlib.sha256(data).hexdigest())
    accepted = [r for r in recs if r["reply"].startswith("250")]
    missing = [r["id"] for r in accepted if r["id"] not in got]
    altered = [m for m, h in got.items() if any(x != sent[m]["sha"] for x in h)]
    dups = sum(len(h) - 1 for h in got.values())
    bombs = [m for m in got if sent[m]["kind"] in BOMBS]
    not_acc = [m for m in got if not sent[m]["reply"].startswith("250")]
    fails = 0

    def check(label, cond):
        nonlocal fails
        print(("ok   - " if cond else "FAIL - ") + label)
        fails += not cond

    nfiles = sum(len(h) for h in got.values()) + unknown
    check("sink: %d accepted, %d files delivered; every accepted message delivered (%d missing%s)"
          % (len(accepted), nfiles, len(missing), ": " + " ".join(missing[:5]) if missing else ""),
          not missing)
    check("sink: every delivered message intact, sha256 as sent (%d altered%s)"
          % (len(altered), ": " + " ".join(altered[:5]) if altered else ""), not altered)
    check("sink: no bomb delivered (%d)" % len(bombs), not bombs)
    check("sink: nothing delivered that the sender did not see accepted (%d%s)"
          % (len(not_acc), ": " + " ".join(not_acc[:5]) if not_acc else ""),
          not not_acc or args.allow_unseen)
    check("sink: no unknown message (%d)" % unknown, unknown == 0)
    print("info - duplicates delivered: %d" % dups)
    if args.no_dups:
        check("sink: no duplicate (%d)" % dups, dups == 0)
    return 1 if fails else 0


def idle(args):
    """N connections that say EHLO and then nothing: who closes them, when"""
    socks, t0 = [], time.time()
    for _ in range(args.count):
        s = socket.create_connection(("127.0.0.1", args.port), 10)
        f = s.makefile("rb")
        reply(f)
        s.sendall(b"EHLO idle.example.org\r\n")
        reply(f)
        socks.append((s, f, time.time()))
    opened = time.time()
    print(json.dumps({"kind": "idle", "opened": len(socks), "open_s": round(opened - t0, 2)}), flush=True)
    res = []

    # Each connection's silence is timed from its own EHLO reply: opening
    # a hundred takes a second or more on a busy machine.
    def wait(s, f, since):
        s.settimeout(args.hold)
        try:
            r = reply(f)
        except (Temp, OSError) as e:
            r = "EOF" if isinstance(e, Temp) else "no close within %gs" % args.hold
        res.append((r, time.time() - since))
    ths = [threading.Thread(target=wait, args=sf) for sf in socks]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    closes = collections.Counter(" ".join(r.split()[:5]) for r, _ in res)
    out = {"kind": "idle", "connections": len(res), "closed_by": dict(closes),
           "after_min_s": round(min(t for _, t in res), 1), "after_max_s": round(max(t for _, t in res), 1)}
    print(json.dumps(out))
    return 0


def slow(args):
    """one message whose body goes one byte every --every seconds"""
    mid = "%s-slow" % args.run
    body = ("X-Load-Id: %s\nMessage-ID: <%s@load.example.org>\n" % (mid, mid)).encode() + \
        head("slow").encode() + b"\n" + b"s" * (args.body_bytes - 1) + b"\n"
    data = wire(body)
    hdr_end = data.index(b"\r\n\r\n") + 4
    s = socket.create_connection(("127.0.0.1", args.port), args.timeout)
    f = s.makefile("rb")
    t0 = time.time()
    rs = [reply(f)]
    for cmd in (b"EHLO slow.example.org", b"MAIL FROM:<load@example.org>",
                b"RCPT TO:<rcpt@dest.example.net>", b"DATA"):
        s.sendall(cmd + b"\r\n")
        rs.append(reply(f))
    s.sendall(data[:hdr_end])
    for i in range(hdr_end, len(data)):
        s.sendall(data[i:i + 1])
        time.sleep(args.every)
    s.sendall(b".\r\n")
    r = reply(f)
    t1 = time.time()
    s.sendall(b"QUIT\r\n")
    rec = {"reply": r, "stage": "END", "id": mid, "kind": "small", "sha": hashlib.sha256(body).hexdigest(),
           "attempts": 1, "temps": [], "lat": round(t1 - t0, 2), "t0": t0, "t1": t1, "first": t0,
           "ok": r.startswith("250"), "body_bytes_slow": len(data) - hdr_end}
    with open(args.log, "w") as out:
        out.write(json.dumps(rec) + "\n")
    print(json.dumps(rec))
    return 0 if rec["ok"] else 1


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("send")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--sessions", type=int, default=20)
    s.add_argument("--seconds", type=float, default=30)
    s.add_argument("--log", required=True)
    s.add_argument("--run", default="r%d" % os.getpid())
    s.add_argument("--mix", default="small=5,large=1,gz=1,zip=1,b64=1")
    s.add_argument("--large-parts", type=int, default=3)
    s.add_argument("--part-kb", type=int, default=768)
    s.add_argument("--b64-kb", type=int, default=1536)
    s.add_argument("--timeout", type=float, default=120)
    s.add_argument("--give-up", type=float, default=180)
    s.add_argument("--backoff", type=float, default=1.0)
    s.add_argument("--ramp", type=float, default=2.0)
    v = sub.add_parser("verify")
    v.add_argument("--log", action="append", required=True)
    v.add_argument("--out", required=True)
    v.add_argument("--no-dups", action="store_true")
    v.add_argument("--allow-unseen", action="store_true")
    i = sub.add_parser("idle")
    i.add_argument("--port", type=int, required=True)
    i.add_argument("--count", type=int, default=100)
    i.add_argument("--hold", type=float, default=60)
    w = sub.add_parser("slow")
    w.add_argument("--port", type=int, required=True)
    w.add_argument("--log", required=True)
    w.add_argument("--run", default="r%d" % os.getpid())
    w.add_argument("--body-bytes", type=int, default=10)
    w.add_argument("--every", type=float, default=1.0)
    w.add_argument("--timeout", type=float, default=120)
    args = p.parse_args()
    return {"send": send, "verify": verify, "idle": idle, "slow": slow}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
