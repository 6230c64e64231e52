#!/usr/bin/env python3
"""seeds.py CORPUS OUTDIR - seed folders for the libFuzzer harnesses.

Every harness input starts with two control bytes (chunking, limits), so
each seed is two bytes followed by a file: MIME messages for fuzz-engine
(and archives wrapped as base64 attachments), archives by kind for
fuzz-zip, fuzz-gzip and fuzz-tar, compressed streams (bzip2, xz, zstd,
LZMA-alone) for fuzz-cstream.  Bombs are left out: they are slow to
fuzz and their shapes are built by the unit tests.
"""
import base64, bz2, lzma, os, shutil, subprocess, sys, zlib

# fuzz-codec's kinds, in codec.h's CODEC_KINDS order (byte 0 % count).
CODEC_KINDS = ("deflate", "bzip2", "xz", "lzma", "lzma-zip", "zstd")

def streams():
    """Small streams of each codec, made here: (kind, bytes)."""
    text = b"".join(b"line %d of a small text, some words again and again\n" % i for i in range(400))
    out = []
    for data in (text, bytes(20000), os.urandom(3000)):
        z = zlib.compressobj(9, zlib.DEFLATED, -15)
        out.append(("deflate", z.compress(data) + z.flush()))
        out.append(("bzip2", bz2.compress(data, 9)))
        out.append(("xz", lzma.compress(data, preset=1)))
        out.append(("lzma", lzma.compress(data, format=lzma.FORMAT_ALONE, preset=1)))
        raw = lzma.compress(data, format=lzma.FORMAT_RAW,
                            filters=[{"id": lzma.FILTER_LZMA1, "preset": 1}])
        props = lzma._encode_filter_properties({"id": lzma.FILTER_LZMA1, "preset": 1})
        out.append(("lzma-zip", b"\x09\x14" + len(props).to_bytes(2, "little") + props + raw))
        if shutil.which("zstd"):
            out.append(("zstd", subprocess.run(["zstd", "-q", "-3", "-c"], input=data,
                                               stdout=subprocess.PIPE, check=True).stdout))
    return out

def main():
    corpus, out = sys.argv[1], sys.argv[2]
    dirs = {k: os.path.join(out, "seeds-" + k) for k in ("engine", "zip", "gzip", "tar", "cstream", "codec")}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)
    n = 0
    for root, _, files in os.walk(corpus):
        for f in sorted(files):
            path = os.path.join(root, f)
            if "/bombs" in path or f.endswith((".tsv", ".md")) or os.path.getsize(path) > 200000:
                continue
            data = open(path, "rb").read()
            ctl = bytes([n % 4, (n * 37) % 256])
            n += 1
            if "/mime" in path:
                open(os.path.join(dirs["engine"], "m%05d" % n), "wb").write(ctl + data)
                continue
            if b"PK\x03\x04" in data[:65536] or b"PK\x05\x06" in data:
                open(os.path.join(dirs["zip"], "s%05d" % n), "wb").write(ctl + data)
            if data[:2] == b"\x1f\x8b":
                open(os.path.join(dirs["gzip"], "s%05d" % n), "wb").write(ctl + data)
            if data[:3] == b"BZh" or data[:6] == b"\xfd7zXZ\x00" or data[:4] == b"\x28\xb5\x2f\xfd" \
                    or data[:1] == b"\x5d":
                open(os.path.join(dirs["cstream"], "s%05d" % n), "wb").write(ctl + data)
            if len(data) >= 512 and (data[257:262] == b"ustar" or f.endswith(".tar")):
                open(os.path.join(dirs["tar"], "s%05d" % n), "wb").write(ctl + data)
            if len(data) < 60000:
                msg = (b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                       + base64.encodebytes(data))
                open(os.path.join(dirs["engine"], "a%05d" % n), "wb").write(ctl + msg)
    for i, (kind, data) in enumerate(streams()):
        k = CODEC_KINDS.index(kind)
        open(os.path.join(dirs["codec"], "g%03d" % i), "wb").write(bytes([k + 6 * (i % 3), i % 64]) + data)
        if kind in ("bzip2", "xz", "lzma", "zstd"):
            open(os.path.join(dirs["cstream"], "g%03d" % i), "wb").write(bytes([i % 4, (i * 37) % 256]) + data)
    for k, d in dirs.items():
        print("seeds: %-7s %d" % (k, len(os.listdir(d))))

if __name__ == "__main__":
    main()
