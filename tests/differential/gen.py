"""gen - the messages of defuse's differential harness.

    import gen
    for case in gen.cases(seed=1, n=0): ...   # n=0: the canonical set

A case applies one ambiguity *operator* to one *payload*.  A payload is
the bytes an attacker wants a downstream extractor to write out (a zip
bomb, a gzip bomb, a bzip2 bomb, a clean zip, plain text); an operator
builds a whole message around it, mostly so that one reading of the standards finds
the payload and another finds something harmless.  Everything is built
at run time with the standard library: nothing binary is committed.

The canonical set is every operator crossed with every payload, variant
0; cases past it (n larger than the set) pick an operator and a payload
at random and vary what the operator leaves free (boundary strings,
file names, CRLF line ends, where the payload sits).  One seed, one set
of messages, on any machine.
"""
import base64
import bz2
import binascii
import io
import random
import struct
import zipfile
import zlib

BOMB_SIZE = 300 << 20       # the bomb's one member: 300 MiB of zeros

# --- payloads ---------------------------------------------------------------


def _deflate_zeros(n):
    """raw deflate of N zero bytes, and its CRC-32, streamed (never N in memory)"""
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b"\0" * (1 << 20)
    out = []
    crc = 0
    left = n
    while left:
        c = chunk if left >= len(chunk) else chunk[:left]
        out.append(co.compress(c))
        crc = zlib.crc32(c, crc)
        left -= len(c)
    out.append(co.flush())
    return b"".join(out), crc


def _zip_one(name, method, comp, crc, usize):
    """a zip of one member, written by hand (zipfile would want the data)"""
    nm = name.encode()
    lh = struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, 0, method, 0, 0x5821,
                     crc, len(comp), usize, len(nm), 0) + nm
    cd = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 20, 20, 0, method, 0, 0x5821,
                     crc, len(comp), usize, len(nm), 0, 0, 0, 0, 0, 0) + nm
    eocd = struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, 1, 1, len(cd), len(lh) + len(comp), 0)
    return lh + comp + cd + eocd


def _words(rng, n):
    """N bytes of ordinary text: words, spaces, newlines"""
    vocab = ("the invoice for march is attached please find report quarterly "
             "meeting notes budget draft review thanks regards team project "
             "schedule update client contract delivery").split()
    out = []
    size = 0
    while size < n:
        w = rng.choice(vocab) + (" " if rng.random() < 0.9 else "\n")
        out.append(w)
        size += len(w)
    return "".join(out)[:n].encode()


class Payload:
    """what an extractor should (or must not) find: NAME, DATA, a file
    name, a MIME type; BOMB: an extractor that writes it out and opens it
    holds more than defuse's limits allow"""

    def __init__(self, name, data, fname, ctype, bomb):
        self.name, self.data, self.fname, self.ctype, self.bomb = name, data, fname, ctype, bomb


_PAYLOADS = None


def payloads():
    """the six payloads, built once per process (the bombs take seconds)"""
    global _PAYLOADS
    if _PAYLOADS is None:
        comp, crc = _deflate_zeros(BOMB_SIZE)
        zbomb = _zip_one("zeros.bin", 8, comp, crc, BOMB_SIZE)
        gbomb = (b"\x1f\x8b\x08\x00\0\0\0\0\x02\x03" + comp +
                 struct.pack("<II", crc, BOMB_SIZE & 0xffffffff))
        rng = random.Random(2045)
        z = io.BytesIO()
        with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
            for i in range(4):
                zf.writestr("notes%d.txt" % i, _words(rng, 48 << 10))
        # a picture with a small zip bomb appended (`cat photo.jpg x.zip`):
        # 20 MiB of zeros in 20 KB, whole within what defuse keeps of a
        # counted stream's tail; unzip, 7z and zipfile open it
        pcomp, pcrc = _deflate_zeros(20 << 20)
        jfif = bytes([0xff, 0xd8, 0xff, 0xe0, 0, 16]) + b"JFIF\0\1\1\0\0\1\0\1\0\0"
        picture = jfif + random.Random(2046).randbytes(30000) + b"\xff\xd9"
        _PAYLOADS = [
            Payload("zip_bomb", zbomb, "report.zip", "application/zip", True),
            Payload("picture_zip_bomb",
                    picture + _zip_one("zeros.bin", 8, pcomp, pcrc, 20 << 20),
                    "photo.jpg", "image/jpeg", True),
            Payload("gzip_bomb", gbomb, "data.gz", "application/gzip", True),
            # bzip2: 300 MiB of zeros in a few hundred bytes, which ClamAV
            # and amavisd-new decode (defuse does since session 7)
            Payload("bzip2_bomb", bz2.compress(bytes(BOMB_SIZE), 9), "data.bz2",
                    "application/x-bzip2", True),
            Payload("clean_zip", z.getvalue(), "notes.zip", "application/zip", False),
            Payload("text", _words(rng, 1500), "notes.txt", "text/plain", False),
        ]
    return _PAYLOADS


# --- encoders ---------------------------------------------------------------


def b64(data, width=76):
    """base64 in lines of WIDTH, each ending in a newline"""
    s = base64.b64encode(data).decode()
    return "".join(s[i:i + width] + "\n" for i in range(0, len(s), width))


def uu_lines(data):
    """the body lines of a uuencoded file (no begin/end)"""
    return "".join(binascii.b2a_uu(data[i:i + 45], backtick=True).decode()
                   for i in range(0, len(data), 45)) + "`\n"


def uuencode(data, name, begin="begin", mode="644", junk=""):
    return "%s %s %s\n%s%s%s\n" % (begin, mode, name, junk, uu_lines(data), "end")


def uuencode_b64(data, name):
    """GNU sharutils' uuencode -m: begin-base64, base64 lines, ===="""
    return "begin-base64 644 %s\n%s====\n" % (name, b64(data, 60))


def yenc(data, name):
    out = ["=ybegin line=128 size=%d name=%s\n" % (len(data), name)]
    line = []
    col = 0
    for b in data:
        c = (b + 42) & 0xff
        if c in (0, 10, 13, 61) or (col == 0 and c in (9, 32, 46)):
            line.append("=" + chr((c + 64) & 0xff))
            col += 2
        else:
            line.append(chr(c))
            col += 1
        if col >= 128:
            out.append("".join(line) + "\n")
            line, col = [], 0
    if line:
        out.append("".join(line) + "\n")
    out.append("=yend size=%d crc32=%08x\n" % (len(data), zlib.crc32(data)))
    return "".join(out)


_HQX = "!\"#$%&'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr"


def binhex(data, name):
    """BinHex 4.0: header, data fork, empty resource fork, each with its
    CRC; 0x90 escaped (no run-length packing); 6-bit text in 64 columns"""
    nm = name.encode()
    hdr = bytes([len(nm)]) + nm + b"\0" + b"BINA" + b"????" + b"\0\0" + struct.pack(">II", len(data), 0)
    raw = (hdr + struct.pack(">H", binascii.crc_hqx(hdr, 0)) +
           data + struct.pack(">H", binascii.crc_hqx(data, 0)) + struct.pack(">H", 0))
    raw = raw.replace(b"\x90", b"\x90\x00")
    bits = []
    for i in range(0, len(raw), 3):
        g = raw[i:i + 3]
        v = int.from_bytes(g + b"\0" * (3 - len(g)), "big")
        n = (len(g) * 8 + 5) // 6
        bits.extend(_HQX[(v >> (18 - 6 * k)) & 63] for k in range(n))
    s = ":" + "".join(bits) + ":"
    return ("(This file must be converted with BinHex 4.0)\n" +
            "".join(s[i:i + 64] + "\n" for i in range(0, len(s), 64)))


def _der(tag, body):
    n = len(body)
    if n < 0x80:
        ln = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        ln = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + ln + body


def pkcs7_signed(content):
    """an opaque S/MIME signed-data (no signers) that encapsulates CONTENT"""
    oid_signed = _der(6, bytes.fromhex("2a864886f70d010702"))
    oid_data = _der(6, bytes.fromhex("2a864886f70d010701"))
    encap = _der(0x30, oid_data + _der(0xa0, _der(4, content)))
    sd = _der(0x30, _der(2, b"\1") + _der(0x31, b"") + encap + _der(0x31, b""))
    return _der(0x30, oid_signed + _der(0xa0, sd))


# --- message pieces ---------------------------------------------------------


def top(subject, ctype=None, extra=""):
    h = ("From: a@example.org\nTo: b@example.net\nSubject: %s\n"
         "Date: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-ID: <%s@example.org>\n"
         "MIME-Version: 1.0\n" % (subject, subject.replace(" ", ".")))
    if ctype:
        h += "Content-Type: %s\n" % ctype
    return h + extra


def text_part(body="hello, see below\n"):
    return "Content-Type: text/plain; charset=us-ascii\n\n" + body


def att_headers(p, ctype=None, cte="base64", extra=""):
    return ("Content-Type: %s; name=\"%s\"\nContent-Disposition: attachment; filename=\"%s\"\n"
            "%s%s" % (ctype or "application/octet-stream", p.fname, p.fname,
                      "Content-Transfer-Encoding: %s\n" % cte if cte else "", extra))


def att_part(p, ctype=None, cte="base64", extra=""):
    return att_headers(p, ctype, cte, extra) + "\n" + b64(p.data)


def mixed(b, parts, pre="", epi="", param=None):
    """a multipart/mixed entity's body with boundary B (delimiters exact)"""
    body = pre
    for x in parts:
        body += "--%s\n%s" % (b, x if x.endswith("\n") else x + "\n")
    return body + "--%s--\n%s" % (b, epi)


def dual(x, y, p):
    """a body readable two ways: with boundary X one text part (the
    payload's lines in it, as text); with Y a preamble and the payload"""
    return ("--%s\n%s\n--%s\n%s--%s--\n--%s--\n" %
            (x, text_part("harmless\n"), y, att_part(p), y, x))


def rand_boundary(r, n=None):
    alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "=_" + "".join(r.choice(alpha) for _ in range(n or r.randint(8, 30)))


# --- operators --------------------------------------------------------------
# Each takes (payload, rng) and returns the message as str (latin-1).

OPS = []


def op(binary=False, hostile=False):
    """register an operator; BINARY: no CRLF variant; HOSTILE: a reject
    of a harmless payload is not a false positive (the structure itself
    is what an attacker sends)"""
    def reg(f):
        f.binary, f.hostile, f.opname = binary, hostile, f.__name__[3:]
        OPS.append(f)
        return f
    return reg


@op()
def op_control(p, r):
    """a plain well-formed attachment"""
    b = rand_boundary(r)
    return top("control", 'multipart/mixed; boundary="%s"' % b) + "\n" + mixed(b, [text_part(), att_part(p, p.ctype)])


@op()
def op_single_part(p, r):
    """the whole message is the attachment"""
    return top("single part") + att_headers(p, p.ctype) + "\n" + b64(p.data)


@op()
def op_boundary_twice(p, r):
    x, y = rand_boundary(r), rand_boundary(r)
    return top("boundary twice", 'multipart/mixed; boundary="%s"; boundary="%s"' % (x, y)) + "\n" + dual(x, y, p)


@op()
def op_boundary_twice_rev(p, r):
    """the payload under the first value"""
    x, y = rand_boundary(r), rand_boundary(r)
    return top("boundary twice rev", 'multipart/mixed; boundary="%s"; boundary="%s"' % (y, x)) + "\n" + dual(x, y, p)


@op()
def op_rfc2231_and_plain(p, r):
    """boundary=X beside boundary*0, boundary*1 that spell Y"""
    x, y = rand_boundary(r), rand_boundary(r, 20)
    return top("rfc2231", 'multipart/mixed; boundary="%s";\n boundary*0="%s";\n boundary*1="%s"'
               % (x, y[:10], y[10:])) + "\n" + dual(x, y, p)


@op()
def op_rfc2231_only(p, r):
    y = rand_boundary(r, 20)
    return top("rfc2231 only", 'multipart/mixed;\n boundary*0="%s";\n boundary*1="%s"'
               % (y[:10], y[10:])) + "\n" + mixed(y, [text_part(), att_part(p)])


@op()
def op_rfc2231_extended(p, r):
    """boundary*=us-ascii'en'VALUE (percent-encoded) beside a plain one"""
    x, y = rand_boundary(r), rand_boundary(r)
    enc = "".join("%%%02X" % ord(c) if c in "=_" else c for c in y)
    return top("rfc2231 ext", "multipart/mixed; boundary=\"%s\"; boundary*=us-ascii'en'%s" % (x, enc)) + "\n" + dual(x, y, p)


@op(hostile=True)
def op_rfc2231_dozens(p, r):
    """the boundary in 60 sections of one or two characters"""
    y = rand_boundary(r, 90)
    secs = [y[i:i + 2] for i in range(0, len(y), 2)][:60]
    y = "".join(secs)
    param = ";\n ".join('boundary*%d="%s"' % (i, s) for i, s in enumerate(secs))
    return top("rfc2231 dozens", "multipart/mixed;\n " + param) + "\n" + mixed(y, [text_part(), att_part(p)])


@op()
def op_rfc2231_out_of_order(p, r):
    y = rand_boundary(r, 20)
    return top("rfc2231 order", 'multipart/mixed;\n boundary*1="%s";\n boundary*0="%s"'
               % (y[10:], y[:10])) + "\n" + mixed(y, [text_part(), att_part(p)])


@op()
def op_comment_before_value(p, r):
    """boundary=(comment)"Y": RFC 822 comments allowed, or part of the value"""
    y = rand_boundary(r)
    x = '(c)"%s"' % y
    return top("comment", "multipart/mixed; boundary=(c)\"%s\"" % y) + "\n" + dual(x, y, p)


@op()
def op_comment_after_value(p, r):
    y = rand_boundary(r)
    return top("comment after", "multipart/mixed; boundary=%s (c)" % y) + "\n" + dual(y + " (c)", y, p)


@op()
def op_backslash_escape(p, r):
    """boundary="ab\\cd": the value is abcd, or ab\\cd"""
    y = rand_boundary(r)
    x = y[:5] + "\\" + y[5:]
    return top("backslash", 'multipart/mixed; boundary="%s"' % x) + "\n" + dual(x, y, p)


@op()
def op_unquoted_specials(p, r):
    """an unquoted value with a '/', '?' and '=' in it"""
    y = "a/b?c=" + rand_boundary(r)
    return top("specials", "multipart/mixed; boundary=%s" % y) + "\n" + mixed(y, [text_part(), att_part(p)])


@op()
def op_delim_trailing_blanks(p, r):
    b = rand_boundary(r)
    return (top("trailing blanks", 'multipart/mixed; boundary="%s"' % b) + "\n--%s\n%s\n--%s \t \n%s--%s--\n"
            % (b, text_part(), b, att_part(p), b))


@op()
def op_delim_leading_blanks(p, r):
    b = rand_boundary(r)
    return (top("leading blanks", 'multipart/mixed; boundary="%s"' % b) + "\n--%s\n%s\n  --%s\n%s--%s--\n"
            % (b, text_part(), b, att_part(p), b))


@op()
def op_delim_junk(p, r):
    """--BOUNDARYjunk opens the payload (a prefix match, or text)"""
    b = rand_boundary(r)
    return (top("delim junk", 'multipart/mixed; boundary="%s"' % b) + "\n--%s\n%s\n--%sjunk\n%s--%s--\n"
            % (b, text_part(), b, att_part(p), b))


@op()
def op_close_junk(p, r):
    """--B--junk: a close delimiter to a prefix match; then the payload"""
    b = rand_boundary(r)
    return (top("close junk", 'multipart/mixed; boundary="%s"' % b) + "\n--%s\n%s\n--%s--junk\n--%s\n%s--%s--\n"
            % (b, text_part(), b, b, att_part(p), b))


@op()
def op_early_close(p, r):
    """a close delimiter, then more parts in the epilogue"""
    b = rand_boundary(r)
    return (top("early close", 'multipart/mixed; boundary="%s"' % b) + "\n--%s\n%s\n--%s--\n--%s\n%s--%s--\n"
            % (b, text_part(), b, b, att_part(p), b))


@op()
def op_no_close(p, r):
    b = rand_boundary(r)
    return (top("no close", 'multipart/mixed; boundary="%s"' % b) + "\n--%s\n%s\n--%s\n%s"
            % (b, text_part(), b, att_part(p)))


@op(hostile=True)
def op_empty_boundary(p, r):
    return top("empty boundary", 'multipart/mixed; boundary=""') + "\n" + mixed("", [text_part(), att_part(p)])


@op()
def op_boundary_missing(p, r):
    """multipart with no boundary parameter; the body has delimiters"""
    b = rand_boundary(r)
    return top("no boundary", "multipart/mixed") + "\n" + mixed(b, [text_part(), att_part(p)])


@op()
def op_boundary_71(p, r):
    b = rand_boundary(r, 69 + r.randint(0, 20))
    return top("boundary 71", 'multipart/mixed; boundary="%s"' % b) + "\n" + mixed(b, [text_part(), att_part(p)])


@op(hostile=True)
def op_boundary_1100(p, r):
    b = rand_boundary(r, 1100)
    return top("boundary 1100", 'multipart/mixed;\n boundary="%s"' % b) + "\n" + mixed(b, [text_part(), att_part(p)])


@op()
def op_bare_cr_before_delim(p, r):
    b = rand_boundary(r)
    return (top("bare cr", 'multipart/mixed; boundary="%s"' % b) + "\n--%s\n%s\rharmless\r--%s\n%s--%s--\n"
            % (b, text_part(), b, att_part(p), b))


@op()
def op_part_in_preamble(p, r):
    """a whole part (headers, blank, base64) before the first delimiter"""
    b = rand_boundary(r)
    return (top("preamble part", 'multipart/mixed; boundary="%s"' % b) + "\n" +
            mixed(b, [text_part()], pre=att_part(p, p.ctype) + "\n"))


@op()
def op_part_in_epilogue(p, r):
    b = rand_boundary(r)
    return (top("epilogue part", 'multipart/mixed; boundary="%s"' % b) + "\n" +
            mixed(b, [text_part()], epi=att_part(p, p.ctype)))


@op(hostile=True)
def op_ctype_8k(p, r):
    """the boundary parameter after 9 KB of another parameter"""
    b = rand_boundary(r)
    pad = "x" * (9000 + r.randint(0, 2000))
    return (top("ctype 8k", 'multipart/mixed; x-pad="%s";\n boundary="%s"' % (pad, b)) + "\n" +
            mixed(b, [text_part(), att_part(p)]))


@op(hostile=True)
def op_ctype_8k_folded(p, r):
    """9 KB of folded parameters, the boundary last"""
    b = rand_boundary(r)
    pad = ";\n ".join('x%d="%s"' % (i, "y" * 60) for i in range(150))
    return (top("ctype 8k folded", 'multipart/mixed; %s;\n boundary="%s"' % (pad, b)) + "\n" +
            mixed(b, [text_part(), att_part(p)]))


@op()
def op_bare_cr_in_part_header(p, r):
    """Content-Type ...\\rContent-Transfer-Encoding: base64 on one line"""
    b = rand_boundary(r)
    part = ('Content-Type: %s; name="%s"\rContent-Transfer-Encoding: base64\n\n%s'
            % (p.ctype, p.fname, b64(p.data)))
    return top("cr header", 'multipart/mixed; boundary="%s"' % b) + "\n" + mixed(b, [text_part(), part])


@op()
def op_from_line_in_header(p, r):
    """a "From " line between the header fields, Content-Type after it"""
    b = rand_boundary(r)
    h = ("From: a@example.org\nTo: b@example.net\nSubject: from line\nFrom x@example.org  Mon Jan  1 00:00:00 2024\n"
         "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"%s\"\n" % b)
    return h + "\n" + mixed(b, [text_part(), att_part(p)])


@op()
def op_from_line_in_part_header(p, r):
    b = rand_boundary(r)
    part = "Content-Disposition: attachment\n>From x\nFrom x@example.org\n" + att_part(p)
    return top("from line part", 'multipart/mixed; boundary="%s"' % b) + "\n" + mixed(b, [text_part(), part])


@op()
def op_space_before_colon(p, r):
    """Content-Type : multipart/mixed (RFC 822 allowed the space)"""
    b = rand_boundary(r)
    h = top("space colon") + "Content-Type : multipart/mixed; boundary=\"%s\"\n" % b
    return h + "\n" + mixed(b, [text_part(), att_part(p)])


@op()
def op_dup_ctype_top(p, r):
    """Content-Type: text/plain, then Content-Type: multipart/mixed"""
    b = rand_boundary(r)
    h = top("dup ctype", "text/plain") + 'Content-Type: multipart/mixed; boundary="%s"\n' % b
    return h + "\n" + mixed(b, [text_part(), att_part(p)])


@op()
def op_dup_ctype_and_boundary(p, r):
    """Content-Type: text/plain, then multipart/mixed with a boundary given
    twice; the parts behind the first value (munpack, uudeview and ripmime
    take the payload out; every reading of defuse saw text or no part)"""
    x, y = rand_boundary(r), rand_boundary(r)
    h = top("dup ctype and boundary", "text/plain") + \
        'Content-Type: multipart/mixed; boundary="%s"; boundary="%s"\n' % (x, y)
    return h + "\n" + mixed(x, [text_part(), att_part(p)])


@op(binary=True)
def op_dup_ctype_and_boundary_binary(p, r):
    """the same, the payload sent binary: no base64 in the text for a
    scanner to find, so only a reading that takes the last Content-Type
    and the first boundary (munpack's) sees the part"""
    x, y = rand_boundary(r), rand_boundary(r)
    h = top("dup ctype and boundary binary", "text/plain") + \
        'Content-Type: multipart/mixed; boundary="%s"; boundary="%s"\n' % (x, y)
    part = att_headers(p, p.ctype, "binary") + "\n" + p.data.decode("latin-1")
    return h + "\n" + mixed(x, [text_part(), part])


@op()
def op_part_in_text(p, r):
    """a MIME part's header and base64 inside a text/plain body: uudeview
    and ripmime decode it"""
    return top("part in text", "text/plain") + "\nsee below\n\n" + att_part(p) + "\nbye\n"


@op()
def op_base64_in_text(p, r):
    """a bare block of base64 lines in a text/plain body: uudeview decodes it"""
    return top("base64 in text", "text/plain") + "\nsee below\n\n" + b64(p.data) + "\nbye now\n"


@op()
def op_dup_ctype_top_rev(p, r):
    b = rand_boundary(r)
    h = top("dup ctype rev", 'multipart/mixed; boundary="%s"' % b) + "Content-Type: text/plain\n"
    return h + "\n" + mixed(b, [text_part(), att_part(p)])


@op()
def op_dup_ctype_part(p, r):
    b = rand_boundary(r)
    part = "Content-Type: text/plain\n" + att_part(p, p.ctype)
    return top("dup ctype part", 'multipart/mixed; boundary="%s"' % b) + "\n" + mixed(b, [text_part(), part])


@op()
def op_dup_cte_last(p, r):
    """7bit first, base64 last"""
    b = rand_boundary(r)
    part = att_headers(p, p.ctype, "7bit") + "Content-Transfer-Encoding: base64\n\n" + b64(p.data)
    return top("dup cte last", 'multipart/mixed; boundary="%s"' % b) + "\n" + mixed(b, [text_part(), part])


@op()
def op_dup_cte_first(p, r):
    """base64 first, 7bit last"""
    b = rand_boundary(r)
    part = att_headers(p, p.ctype, "base64") + "Content-Transfer-Encoding: 7bit\n\n" + b64(p.data)
    return top("dup cte first", 'multipart/mixed; boundary="%s"' % b) + "\n" + mixed(b, [text_part(), part])


@op()
def op_case_games(p, r):
    b = rand_boundary(r)
    part = att_part(p, "Application/Octet-Stream", "BASE64")
    return (top("case", 'Multipart/Mixed; BOUNDARY="%s"' % b).replace("Content-Type", "CONTENT-TYPE") + "\n" +
            mixed(b, [text_part(), part]))


@op()
def op_cte_comment(p, r):
    """Content-Transfer-Encoding: base64 (comment)"""
    b = rand_boundary(r)
    part = att_part(p, p.ctype, "base64 (encoded)")
    return top("cte comment", 'multipart/mixed; boundary="%s"' % b) + "\n" + mixed(b, [text_part(), part])


@op()
def op_cte_quoted(p, r):
    b = rand_boundary(r)
    part = att_part(p, p.ctype, '"base64"')
    return top("cte quoted", 'multipart/mixed; boundary="%s"' % b) + "\n" + mixed(b, [text_part(), part])


@op()
def op_base64_pad_inside(p, r):
    """the base64 text has '=' padding in the middle (two encodings glued)"""
    b = rand_boundary(r)
    cut = 3 * r.randint(1, 30) + 1
    s = base64.b64encode(p.data[:cut]).decode() + base64.b64encode(p.data[cut:]).decode()
    body = "".join(s[i:i + 76] + "\n" for i in range(0, len(s), 76))
    part = att_headers(p, p.ctype) + "\n" + body
    return top("b64 pad", 'multipart/mixed; boundary="%s"' % b) + "\n" + mixed(b, [text_part(), part])


@op()
def op_base64_junk(p, r):
    """base64 lines interleaved with junk lines and characters"""
    b = rand_boundary(r)
    lines = b64(p.data).splitlines()
    body = "".join(("%s\n" % l) if i % 97 else ("%s\n*-*-*\n" % l) for i, l in enumerate(lines))
    part = att_headers(p, p.ctype) + "\n" + body
    return top("b64 junk", 'multipart/mixed; boundary="%s"' % b) + "\n" + mixed(b, [text_part(), part])


@op(binary=True)
def op_binary_part(p, r):
    """Content-Transfer-Encoding: binary, the raw bytes"""
    b = rand_boundary(r, 40)
    part = att_headers(p, p.ctype, "binary") + "\n" + p.data.decode("latin-1")
    return top("binary", 'multipart/mixed; boundary="%s"' % b) + "\n" + mixed(b, [text_part(), part])


@op()
def op_rfc822_base64(p, r):
    """a message/rfc822 part sent base64 (RFC 2046 forbids it)"""
    b, c = rand_boundary(r), rand_boundary(r)
    inner = top("inner", 'multipart/mixed; boundary="%s"' % c) + "\n" + mixed(c, [text_part(), att_part(p)])
    part = "Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n" + b64(inner.encode("latin-1"))
    return top("rfc822 b64", 'multipart/mixed; boundary="%s"' % b) + "\n" + mixed(b, [text_part(), part])


def _cte_uu(cte):
    def f(p, r):
        b = rand_boundary(r)
        part = att_headers(p, "application/octet-stream", cte) + "\n" + uuencode(p.data, p.fname)
        return top("cte " + cte, 'multipart/mixed; boundary="%s"' % b) + "\n" + mixed(b, [text_part(), part])
    f.__name__ = "op_cte_" + cte.replace("-", "_")
    f.__doc__ = "Content-Transfer-Encoding: %s, a uuencoded body" % cte
    return f


for _cte in ("x-uuencode", "x-uue", "uuencode", "uue"):
    op()(_cte_uu(_cte))


@op()
def op_uu_in_text(p, r):
    """a uuencoded block in a single text/plain body"""
    return top("uu text", "text/plain") + "\nsee below\n\n" + uuencode(p.data, p.fname)


@op()
def op_uu_upper_begin(p, r):
    return top("uu BEGIN", "text/plain") + "\nsee below\n\n" + uuencode(p.data, p.fname, begin="BEGIN")


@op()
def op_uu_six_digit_mode(p, r):
    return top("uu mode", "text/plain") + "\nsee below\n\n" + uuencode(p.data, p.fname, mode="100644")


@op()
def op_uu_junk_after_begin(p, r):
    return top("uu junk", "text/plain") + "\nsee below\n\n" + uuencode(p.data, p.fname, junk="this line is not uu data\n")


@op()
def op_uu_begin_base64(p, r):
    return top("uu b64", "text/plain") + "\nsee below\n\n" + uuencode_b64(p.data, p.fname)


@op()
def op_uu_no_mime(p, r):
    """no MIME-Version, no Content-Type: old-style mail with a uu block"""
    return ("From: a@example.org\nTo: b@example.net\nSubject: uu old\n\nhi\n\n" + uuencode(p.data, p.fname))


@op()
def op_uu_in_preamble(p, r):
    b = rand_boundary(r)
    return (top("uu preamble", 'multipart/mixed; boundary="%s"' % b) + "\n" +
            mixed(b, [text_part()], pre=uuencode(p.data, p.fname)))


@op()
def op_uu_in_epilogue(p, r):
    b = rand_boundary(r)
    return (top("uu epilogue", 'multipart/mixed; boundary="%s"' % b) + "\n" +
            mixed(b, [text_part()], epi=uuencode(p.data, p.fname)))


@op()
def op_uu_in_octet_7bit(p, r):
    """a 7bit application/octet-stream part whose body is a uu block"""
    b = rand_boundary(r)
    part = "Content-Type: application/octet-stream\nContent-Transfer-Encoding: 7bit\n\n" + uuencode(p.data, p.fname)
    return top("uu octet", 'multipart/mixed; boundary="%s"' % b) + "\n" + mixed(b, [text_part(), part])


@op()
def op_uu_in_html(p, r):
    b = rand_boundary(r)
    part = "Content-Type: text/html\n\n<html><pre>\n" + uuencode(p.data, p.fname) + "</pre></html>\n"
    return top("uu html", 'multipart/mixed; boundary="%s"' % b) + "\n" + mixed(b, [text_part(), part])


@op()
def op_yenc_in_text(p, r):
    return top("yenc", "text/plain; charset=iso-8859-1") + "Content-Transfer-Encoding: 8bit\n\nsee below\n\n" + yenc(p.data, p.fname)


@op()
def op_binhex_in_text(p, r):
    return top("binhex", "text/plain") + "\nsee below\n\n" + binhex(p.data, p.fname)


@op()
def op_binhex_part(p, r):
    b = rand_boundary(r)
    part = 'Content-Type: application/mac-binhex40; name="%s.hqx"\n\n' % p.fname + binhex(p.data, p.fname)
    return top("binhex part", 'multipart/mixed; boundary="%s"' % b) + "\n" + mixed(b, [text_part(), part])


@op()
def op_smime_opaque(p, r):
    """application/pkcs7-mime signed-data wrapping a MIME entity that is the payload, binary"""
    inner = ("Content-Type: %s; name=\"%s\"\nContent-Transfer-Encoding: binary\n\n"
             % (p.ctype, p.fname)).encode() + p.data
    return (top("smime", 'application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"') +
            "Content-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=\"smime.p7m\"\n\n" +
            b64(pkcs7_signed(inner)))


@op()
def op_type_lie(p, r):
    """declared text/plain, named .txt, the payload's bytes inside"""
    b = rand_boundary(r)
    part = 'Content-Type: text/plain; name="readme.txt"\nContent-Transfer-Encoding: base64\n\n' + b64(p.data)
    return top("type lie", 'multipart/mixed; boundary="%s"' % b) + "\n" + mixed(b, [text_part(), part])


@op()
def op_nested_alternative(p, r):
    """the payload three multiparts deep"""
    a, b, c = rand_boundary(r), rand_boundary(r), rand_boundary(r)
    inner = 'Content-Type: multipart/related; boundary="%s"\n\n' % c + mixed(c, [att_part(p)])
    mid = 'Content-Type: multipart/alternative; boundary="%s"\n\n' % b + mixed(b, [text_part(), inner])
    return top("nested", 'multipart/mixed; boundary="%s"' % a) + "\n" + mixed(a, [mid])


def build(opf, p, variant, seed):
    """the message (bytes) of operator OPF on payload P, variant VARIANT"""
    r = random.Random("%d/%s/%s/%d" % (seed, opf.opname, p.name, variant))
    m = opf(p, r).encode("latin-1")
    if variant and not opf.binary and r.random() < 0.5:
        m = m.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return m


class Case:
    def __init__(self, opf, p, variant, seed):
        self.op, self.payload, self.variant = opf, p, variant
        self.key = "%s %s" % (opf.opname, p.name)
        self.name = "%s.%s.%d" % (opf.opname, p.name, variant)
        self.data = build(opf, p, variant, seed)


def cases(seed, n=0):
    """the canonical cases, then (up to N in all) random variants"""
    ps = payloads()
    out = [Case(o, p, 0, seed) for o in OPS for p in ps]
    r = random.Random(seed)
    i = 1
    while len(out) < n:
        out.append(Case(r.choice(OPS), r.choice(ps), i, seed))
        i += 1
    return out[:n] if n else out


if __name__ == "__main__":
    import os
    import sys
    d = sys.argv[1] if len(sys.argv) > 1 else "."
    for c in cases(int(os.environ.get("SEED", "1")), int(os.environ.get("CASES", "0"))):
        with open(os.path.join(d, c.name + ".eml"), "wb") as f:
            f.write(c.data)
