#!/usr/bin/env python3
"""smtpbench - SMTP timings through a real Postfix, for bench_milter.sh.

The client side is kept out of the figures as far as it can be: each
message is turned into its DATA form (CRLF, dot-stuffed, final dot) once,
before any clock starts, and written with one sendall().

  smtpbench.py rate --port P --sessions N --seconds S FILE
      N processes, each one SMTP session after another (EHLO, then
      messages back to back in that session, 50 a session), for S
      seconds.  Prints one JSON line: messages, errors, msgs_s,
      lat_ms_median, lat_ms_p95 (latency: MAIL FROM to the reply after
      the final dot), codes (replies after the final dot, by first digit).

  smtpbench.py once --rounds R [--out DIR] FILE NAME=PORT...
      one message R times through each port in turn (order shuffled each
      round, so that the machine's other load falls on all of them);
      prints one JSON line per NAME: ms_median, ms_min of the whole
      transaction (connect to the reply after the final dot) and the
      replies seen.  With --out (the sink's folder), each accepted
      message is waited for there and removed before the next one, so
      that no delivery runs beside a measured transaction.
"""
import argparse
import json
import multiprocessing
import os
import random
import socket
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from smtpc import wire   # noqa: E402  one DATA form (CRLF, dot-stuffed), shared with the e2e tests

PER_SESSION = 50


def data_form(path):
    with open(path, "rb") as f:
        return wire(f.read()) + b".\r\n"


def reply(f):
    while True:
        line = f.readline()
        if not line:
            raise ConnectionError("connection closed")
        if line[3:4] != b"-":
            return line.decode("latin-1").rstrip("\r\n")


def session(port, data, count, lat, codes):
    """One SMTP session of up to count messages; latencies appended."""
    s = socket.create_connection(("127.0.0.1", port), 30)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    f = s.makefile("rb")
    try:
        reply(f)
        s.sendall(b"EHLO bench.example.org\r\n")
        reply(f)
        for _ in range(count):
            t = time.perf_counter()
            s.sendall(b"MAIL FROM:<a@example.org>\r\n")
            r = reply(f)
            if not r.startswith("250"):
                codes[r[:1]] = codes.get(r[:1], 0) + 1
                return
            s.sendall(b"RCPT TO:<b@example.net>\r\n")
            reply(f)
            s.sendall(b"DATA\r\n")
            r = reply(f)
            if not r.startswith("354"):
                codes[r[:1]] = codes.get(r[:1], 0) + 1
                return
            s.sendall(data)
            r = reply(f)
            lat.append(time.perf_counter() - t)
            codes[r[:1]] = codes.get(r[:1], 0) + 1
        s.sendall(b"QUIT\r\n")
        reply(f)
    finally:
        s.close()


def worker(args):
    port, data, seconds = args
    end = time.time() + seconds
    lat, codes, errors = [], {}, 0
    while time.time() < end:
        try:
            session(port, data, PER_SESSION, lat, codes)
        except OSError:
            errors += 1
            time.sleep(0.05)
    return lat, codes, errors


def rate(a):
    data = data_form(a.file)
    t = time.time()
    with multiprocessing.Pool(a.sessions) as pool:
        parts = pool.map(worker, [(a.port, data, a.seconds)] * a.sessions)
    took = time.time() - t
    lat = sorted(x for p in parts for x in p[0])
    codes = {}
    for p in parts:
        for k, v in p[1].items():
            codes[k] = codes.get(k, 0) + v
    out = {
        "messages": len(lat),
        "errors": sum(p[2] for p in parts),
        "msgs_s": round(len(lat) / took, 1),
        "lat_ms_median": round(statistics.median(lat) * 1e3, 2) if lat else None,
        "lat_ms_p95": round(lat[int(len(lat) * 0.95)] * 1e3, 2) if lat else None,
        "codes": codes,
    }
    print(json.dumps(out))


def sink(out, timeout=60):
    """Wait for one delivered file in out, then empty out."""
    end = time.time() + timeout
    while time.time() < end:
        done = [f for f in os.listdir(out) if not f.startswith(".")]
        if done:
            for f in done:
                os.unlink(os.path.join(out, f))
            return
        time.sleep(0.01)
    sys.exit("smtpbench: nothing delivered into %s in %d s" % (out, timeout))


def once(a):
    data = data_form(a.file)
    ports = [x.split("=", 1) for x in a.targets]
    times = {name: [] for name, _ in ports}
    replies = {name: set() for name, _ in ports}
    for _ in range(a.rounds):
        random.shuffle(ports)
        for name, port in ports:
            t = time.perf_counter()
            s = socket.create_connection(("127.0.0.1", int(port)), 120)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            f = s.makefile("rb")
            reply(f)
            for c in (b"EHLO bench.example.org", b"MAIL FROM:<a@example.org>",
                      b"RCPT TO:<b@example.net>", b"DATA"):
                s.sendall(c + b"\r\n")
                reply(f)
            s.sendall(data)
            r = reply(f)
            times[name].append(time.perf_counter() - t)
            replies[name].add(r[:3])
            s.sendall(b"QUIT\r\n")
            reply(f)
            s.close()
            if a.out and r.startswith("250"):
                sink(a.out)
            time.sleep(0.2)
    for name, _ in sorted(ports):
        tt = times[name]
        print(json.dumps({"name": name, "ms_median": round(statistics.median(tt) * 1e3, 1),
                          "ms_min": round(min(tt) * 1e3, 1),
                          "replies": sorted(replies[name])}))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("rate")
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--sessions", type=int, default=1)
    r.add_argument("--seconds", type=float, default=10)
    r.add_argument("file")
    o = sub.add_parser("once")
    o.add_argument("--rounds", type=int, default=9)
    o.add_argument("--out")
    o.add_argument("file")
    o.add_argument("targets", nargs="+")
    a = ap.parse_args()
    rate(a) if a.cmd == "rate" else once(a)


if __name__ == "__main__":
    sys.exit(main())
