#!/usr/bin/env python3
"""run - defuse's differential harness: defuse-scan against the extractors.

    run.py --builddir DIR [--cases N] [--seed S] [--jobs J] [--table]
           [--known FILE] [--keep DIR] [--only SUBSTR] [-v]

Each case of gen.py is written to a file, scanned by defuse-scan --json
(default limits), and handed to every reference extractor, each in its
own directory with a timeout.  What each one wrote is measured (archives
opened, never inflated into memory) and the judgement of README applied.
Exit status: 0 nothing failed, 1 a failure, 77 an extractor is missing
(a failure under CI=true).  clamscan is one of them (about 100 s more
on the canonical set, two cores); DIFF_CLAMAV=0 leaves it out.
"""
import argparse
import bz2
import concurrent.futures
import gzip
import hashlib
import io
import json
import lzma
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True    # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import gen  # noqa: E402

# defuse's default limits (DESIGN.md, conf/defuse.conf): what makes an
# extractor's output "a bomb".
MAX_MESSAGE_COST = 256 << 20
MAX_PART_SIZE = 50 << 20
MAX_RATIO = 100
RATIO_MIN_SIZE = 1 << 20
SLACK = 4096               # rule 2: side files (munpack's .desc, names)
CAP = 400 << 20            # never count past this in one stream
NEST_CAP = 64 << 20        # an archive inside an archive is read up to this
TIMEOUT = int(os.environ.get("DIFF_TIMEOUT", "30"))

# --- measuring what an extractor wrote --------------------------------------

_memo = {}
_memo_lock = threading.Lock()


class Meas:
    """expanded: bytes of archive members (all depths); member: the
    largest one; bomb: what made it one, or None"""

    def __init__(self):
        self.expanded = 0
        self.member = 0
        self.bomb = None


def _judge_member(m, name, size, comp):
    m.expanded += size
    m.member = max(m.member, size)
    if m.bomb:
        return
    if size > MAX_PART_SIZE:
        m.bomb = "%s: member of %d bytes" % (name, size)
    elif size > RATIO_MIN_SIZE and size > MAX_RATIO * max(comp, 1):
        m.bomb = "%s: ratio %d" % (name, size // max(comp, 1))


def _is_archive(head):
    return (head[:2] == b"\x1f\x8b" or head[:4] == b"PK\3\4" or head[:3] == b"BZh"
            or head[:4] == b"\xfd7zX")


def _open_stream(f, depth, m, name, comp):
    """F, a readable stream; count what it inflates to (capped)"""
    n = 0
    keep = []
    try:
        while n < CAP:
            b = f.read(1 << 20)
            if not b:
                break
            if n < NEST_CAP:
                keep.append(b)
            n += len(b)
    except Exception:
        pass
    _judge_member(m, name, n, comp)
    first = b"".join(keep)
    if depth < 4 and n <= NEST_CAP and _is_archive(first[:4]):
        _measure_blob(first, depth + 1, m, name)


def _measure_blob(data, depth, m, name):
    """DATA (bytes): a zip (declared sizes trusted, as a filter that
    allocates by the central directory does), gzip, bzip2 or xz (streamed);
    else nothing"""
    bio = io.BytesIO(data)
    if zipfile.is_zipfile(bio):
        try:
            zf = zipfile.ZipFile(bio)
            for zi in zf.infolist():
                _judge_member(m, name + "/" + zi.filename, zi.file_size, zi.compress_size)
                if depth < 4 and zi.file_size <= NEST_CAP:
                    try:
                        with zf.open(zi) as f:
                            head = f.read(4)
                            if _is_archive(head):
                                m.expanded -= zi.file_size   # counted again below
                                _open_stream(io.BufferedReader(_Prefixed(head, f)), depth,
                                             m, name + "/" + zi.filename, zi.compress_size)
                    except Exception:
                        pass
            return
        except Exception:
            pass
    if data[:2] == b"\x1f\x8b":
        _open_stream(gzip.GzipFile(fileobj=io.BytesIO(data)), depth, m, name + "/(gunzip)", len(data))
    elif data[:3] == b"BZh":
        _open_stream(bz2.BZ2File(io.BytesIO(data)), depth, m, name + "/(bunzip2)", len(data))
    elif data[:4] == b"\xfd7zX":
        _open_stream(lzma.LZMAFile(io.BytesIO(data)), depth, m, name + "/(unxz)", len(data))


class _Prefixed(io.RawIOBase):
    """HEAD then the rest of F, as one raw stream"""

    def __init__(self, head, f):
        self.head, self.f = head, f

    def readable(self):
        return True

    def readinto(self, b):
        if self.head:
            n = min(len(b), len(self.head))
            b[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        d = self.f.read(len(b))
        b[:len(d)] = d
        return len(d)


def measure_file(path):
    with open(path, "rb") as f:
        data = f.read()
    key = hashlib.sha1(data).hexdigest()
    with _memo_lock:
        if key in _memo:
            return _memo[key]
    m = Meas()
    _measure_blob(data, 1, m, "")
    with _memo_lock:
        _memo[key] = m
    return m


class Result:
    """one extractor on one message: files, bytes written, archive
    expansion, the largest file, the bomb found (or None), status"""

    def __init__(self):
        self.files = 0
        self.written = 0
        self.expanded = 0
        self.largest = 0
        self.bomb = None
        self.status = "ok"

    @property
    def total(self):
        return self.written + self.expanded


def measure_dir(d, res):
    for root, _, files in os.walk(d):
        for fn in files:
            p = os.path.join(root, fn)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            sz = os.path.getsize(p)
            res.files += 1
            res.written += sz
            res.largest = max(res.largest, sz)
            if sz > MAX_PART_SIZE and not res.bomb:
                res.bomb = "%s: file of %d bytes" % (fn, sz)
            m = measure_file(p)
            res.expanded += m.expanded
            if m.bomb and not res.bomb:
                res.bomb = fn + m.bomb
    return res


# --- the extractors -----------------------------------------------------------


def _run(argv, stdin=None, cwd=None):
    """run ARGV with a timeout; the status word.  Each run has its own
    TMPDIR: munpack keeps the pieces of split and uuencoded files there,
    and two workers would see each other's"""
    tmp = tempfile.mkdtemp(prefix="defuse-diff-tmp.")
    env = dict(os.environ, TMPDIR=tmp, TEMP=tmp, TMP=tmp)
    try:
        with open(stdin or os.devnull, "rb") as si:
            p = subprocess.run(argv, stdin=si, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               cwd=cwd, timeout=TIMEOUT, env=env)
        if p.returncode < 0:
            return "signal %d" % -p.returncode
        return "ok" if p.returncode == 0 else "exit %d" % p.returncode
    except subprocess.TimeoutExpired:
        return "timeout"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def x_ripmime(msg, d):
    return _run(["ripmime", "-i", msg, "-d", d])


def x_munpack(msg, d):
    return _run(["munpack", "-q", "-t", "-C", d, msg])


def x_reformime(msg, d):
    """reformime -x with no -s crashes (maildrop 2.9.3); so -i lists the
    sections and each leaf (neither multipart/* nor message/*) is
    extracted with -s, as -x would have done"""
    try:
        with open(msg, "rb") as si:
            out = subprocess.run(["reformime", "-i"], stdin=si, capture_output=True, timeout=TIMEOUT).stdout
    except subprocess.TimeoutExpired:
        return "timeout"
    st = "ok"
    sec = None
    for line in out.decode("latin-1").splitlines():
        if line.startswith("section: "):
            sec = line[9:].strip()
        elif line.startswith("content-type: ") and sec:
            t = line[14:].strip().lower()
            if not (t.startswith("multipart/") or t.startswith("message/")):
                s = _run(["reformime", "-s", sec, "-x%s/%s-" % (d, sec)], stdin=msg)
                if s != "ok":
                    st = s
            sec = None
    return st


def x_uudeview(msg, d):
    return _run(["uudeview", "-i", "-q", "-p", d + "/", msg])


def x_clamscan(msg, d):
    """clamscan with a one-signature database (loads in no time) keeps
    every file it extracted, archive members included"""
    db = os.path.join(d, "..", "dummy.hdb")
    with open(db, "w") as f:
        f.write("44d88612fea8a8f36de82e1278abb02f:68:Defuse.Test.Dummy\n")
    return _run(["clamscan", "--no-summary", "-d", db, "--leave-temps", "--tempdir=" + d, msg])


_servers = threading.local()


def x_python(policy):
    """through a python3 server process per worker thread (a python3
    starts in a quarter of a second here: one per case would double the
    run); a server that overruns the timeout is killed and replaced"""
    def run(msg, d):
        srv = getattr(_servers, "p", None)
        if srv is None or srv.poll() is not None:
            srv = _servers.p = subprocess.Popen(
                [sys.executable, os.path.abspath(__file__), "--pyserver"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            _all_servers.append(srv)
        srv.stdin.write(("%s\t%s\t%s\n" % (policy, msg, d)).encode())
        srv.stdin.flush()
        r, _, _ = select.select([srv.stdout], [], [], TIMEOUT)
        line = srv.stdout.readline() if r else b""
        if not line:
            srv.kill()
            srv.wait()
            _servers.p = None
            return "timeout" if not r else "crashed"
        return line.decode().strip()
    return run


_all_servers = []


def pyserver():
    for line in sys.stdin:
        policy, msg, d = line.rstrip("\n").split("\t")
        try:
            pyextract(policy, msg, d)
            st = "ok"
        except Exception as e:
            st = "error %s" % type(e).__name__
        sys.stdout.write(st + "\n")
        sys.stdout.flush()


def pyextract(policy, msg, d):
    """python3's email: walk(), get_payload(decode=True) of each leaf"""
    import email
    import email.policy
    pol = email.policy.compat32 if policy == "compat32" else email.policy.default
    with open(msg, "rb") as f:
        m = email.message_from_binary_file(f, policy=pol)
    for i, part in enumerate(m.walk()):
        if part.is_multipart():
            continue
        data = part.get_payload(decode=True)
        if data is None:
            continue
        with open(os.path.join(d, "part%d" % i), "wb") as f:
            f.write(data)


EXTRACTORS = [
    ("py-compat32", None, x_python("compat32")),
    ("py-default", None, x_python("default")),
    ("ripmime", "ripmime", x_ripmime),
    ("munpack", "munpack", x_munpack),
    ("reformime", "reformime", x_reformime),
    ("uudeview", "uudeview", x_uudeview),
]
CLAMAV = ("clamscan", "clamscan", x_clamscan)
PACKAGES = {"ripmime": "ripmime", "munpack": "mpack", "reformime": "maildrop",
            "uudeview": "uudeview", "clamscan": "clamav"}

# --- the judgement ------------------------------------------------------------


def judge(case, rec, results):
    """the failures of one case (README: the rule); [] when it passes"""
    fails = []
    if rec is None:
        return ["defuse-scan printed no record"]
    verdict, cost = rec["verdict"], rec["cost"]
    raw = len(case.data)
    bombs = [n for n, r in results.items() if r.bomb]
    if bombs and verdict != "reject":
        fails.append("bomb extracted by %s (%s); defuse: %s" %
                     (",".join(bombs), results[bombs[0]].bomb, verdict))
    if verdict == "accept":
        need, who = 0, None
        for n, r in results.items():
            if n != "clamscan" and raw + r.total > need:
                need, who = raw + r.total, n
        if who and cost + SLACK < need:
            fails.append("cost %d < raw+extracted %d (%s)" % (cost, need, who))
    over = any(raw + r.total > MAX_MESSAGE_COST for r in results.values())
    if (not case.payload.bomb and verdict != "accept" and not bombs and not over
            and not case.op.hostile):
        fails.append("false positive: defuse %s (%s)" % (verdict, rec.get("reason")))
    return fails


def read_known(path):
    known = {}
    if not os.path.exists(path):
        return known
    with open(path) as f:
        for ln, line in enumerate(f, 1):
            s = line.split("#", 1)[0].split()
            if not s:
                continue
            if len(s) != 2:
                sys.exit("%s:%d: expected OPERATOR PAYLOAD" % (path, ln))
            known[" ".join(s)] = ln
    return known


def scan_all(scan, files):
    recs = {}
    for i in range(0, len(files), 200):
        p = subprocess.run([scan, "--json"] + files[i:i + 200], capture_output=True, timeout=600)
        if p.returncode not in (0, 1):
            sys.exit("defuse-scan failed (exit %d): %s" % (p.returncode, p.stderr.decode()[:500]))
        for line in p.stdout.decode().splitlines():
            r = json.loads(line)
            recs[r["file"]] = r
    return recs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--builddir", default=os.environ.get("DEFUSE_BUILDDIR", "."))
    ap.add_argument("--cases", type=int, default=0, help="0: the canonical set (every operator x payload)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("DIFF_JOBS", "2")))
    ap.add_argument("--known", default=os.path.join(HERE, "known-bypasses"))
    ap.add_argument("--keep", help="write the messages here and keep them")
    ap.add_argument("--only", help="only cases whose name contains this")
    ap.add_argument("--table", action="store_true", help="one line per case")
    ap.add_argument("--list-failing", action="store_true",
                    help="print the failing OPERATOR PAYLOAD pairs in known-bypasses form")
    ap.add_argument("-v", action="store_true")
    ap.add_argument("--pyextract", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--pyserver", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.pyextract:
        return pyextract(*a.pyextract)
    if a.pyserver:
        return pyserver()

    ci = os.environ.get("CI") == "true"
    exts = list(EXTRACTORS)
    if os.environ.get("DIFF_CLAMAV") != "0":
        exts.append(CLAMAV)
    missing = [c for _, c, _ in exts if c and not shutil.which(c)]
    scan = os.path.join(a.builddir, "milter", "defuse-scan")
    if not os.access(scan, os.X_OK):
        missing.append(scan)
    if missing:
        msg = "differential: missing %s (Debian: apt-get install %s)" % (
            ", ".join(missing), " ".join(PACKAGES.get(m, "") for m in missing).strip())
        if ci:
            print("FAIL: " + msg + " (CI=true: the harness must run)")
            return 1
        print("SKIP: " + msg)
        return 77

    t0 = time.time()
    cs = gen.cases(a.seed, a.cases)
    if a.only:
        cs = [c for c in cs if a.only in c.name]
    known = read_known(a.known)
    work = os.path.abspath(a.keep or tempfile.mkdtemp(prefix="defuse-diff."))
    os.makedirs(work, exist_ok=True)
    for c in cs:
        c.path = os.path.join(work, c.name + ".eml")
        with open(c.path, "wb") as f:
            f.write(c.data)
    recs = scan_all(scan, [c.path for c in cs])

    def one(c):
        d = tempfile.mkdtemp(prefix=c.name + ".", dir=work)
        res = {}
        for n, _, fn in exts:
            xd = os.path.join(d, n)
            os.mkdir(xd)
            r = Result()
            r.status = fn(c.path, xd)
            res[n] = measure_dir(xd, r)
        shutil.rmtree(d, ignore_errors=True)
        if not a.keep:
            os.unlink(c.path)
        return res

    with concurrent.futures.ThreadPoolExecutor(max(1, a.jobs)) as ex:
        allres = list(ex.map(one, cs))
    for srv in _all_servers:
        srv.stdin.close()
        srv.wait()
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)

    passed = failed = xfail = 0
    key_fail = {}
    lines = []
    for c, res in zip(cs, allres):
        rec = recs.get(c.path)
        fails = judge(c, rec, res)
        key_fail.setdefault(c.key, False)
        if fails:
            key_fail[c.key] = True
        if not fails:
            passed += 1
            tag = "ok   "
        elif c.key in known:
            xfail += 1
            tag = "XFAIL"
        else:
            failed += 1
            tag = "FAIL "
        if fails or a.v or a.table:
            bombs = ",".join(n for n, r in res.items() if r.bomb) or "-"
            v = "%s/%s" % (rec["verdict"], rec["reason"]) if rec else "?"
            lines.append("%s %-34s defuse=%-20s cost=%-10d bomb-by=%s%s" % (
                tag, c.name, v, rec["cost"] if rec else -1, bombs,
                "".join("\n        - " + f for f in fails) if (fails and tag != "XFAIL") or a.v else ""))
        if a.v:
            for n, r in res.items():
                lines.append("        %-12s %-9s files=%d written=%d expanded=%d largest=%d %s" % (
                    n, r.status, r.files, r.written, r.expanded, r.largest, r.bomb or ""))
    why = {}
    for c, res in zip(cs, allres):
        fails = judge(c, recs.get(c.path), res)
        if fails and c.key not in why:
            rec = recs.get(c.path)
            bombs = [n for n, r in res.items() if r.bomb]
            if bombs and rec["verdict"] != "reject":
                why[c.key] = "%s extract the bomb; defuse accepts" % ",".join(bombs)
            elif rec["verdict"] == "accept" and not c.payload.bomb or not bombs:
                who = max((n for n in res if n != "clamscan"), key=lambda n: res[n].total)
                why[c.key] = "%s holds %d KB more than defuse's cost" % (
                    who, (len(c.data) + res[who].total - rec["cost"]) >> 10)
            else:
                why[c.key] = fails[0]
    if a.list_failing:
        for k in sorted(why):
            print("%-40s # %s" % (k, why[k]))
        return 0
    stale = sorted(k for k in known if key_fail.get(k) is False)
    for k in stale:
        failed += 1
        lines.append("FAIL  %s: listed in known-bypasses (line %d) but every case of it passes: "
                     "remove it from known-bypasses" % (k, known[k]))
    print("\n".join(lines))
    print("differential: %d passed, %d failed, %d xfail (%d cases, seed %d, %.1f s)" % (
        passed, failed, xfail, len(cs), a.seed, time.time() - t0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
