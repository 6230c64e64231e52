"""mkmsg - the messages the end-to-end tests build (bombs included).

    import sys; sys.path.insert(0, E2E_DIR); import mkmsg
    mkmsg.attach(path, "zip bomb", mkmsg.zeros_zip(900 << 10), "zeros.zip")
"""
import base64
import io
import zipfile


def header(subject, to="b@example.net"):
    """the header block's fields, without the blank line"""
    return "From: a@example.org\nTo: %s\nSubject: %s\nMIME-Version: 1.0\n" % (to, subject)


def attach(path, subject, data, fname, to="b@example.net"):
    """a text part, then DATA base64-encoded as an attachment named FNAME"""
    b64 = base64.encodebytes(data).decode()
    with open(path, "w") as f:
        f.write(header(subject, to) + "Content-Type: multipart/mixed; boundary=\"BB\"\n\n--BB\n"
                "Content-Type: text/plain\n\nsee attachment\n--BB\n"
                "Content-Type: application/octet-stream; name=\"%s\"\n"
                "Content-Disposition: attachment; filename=\"%s\"\n"
                "Content-Transfer-Encoding: base64\n\n%s--BB--\n" % (fname, fname, b64))


def zeros_zip(n):
    """a zip of one deflated member of N zero bytes (ratio ~1000)"""
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.bin", b"\0" * n)
    return z.getvalue()


def nested_zips(levels):
    """hello.txt in a zip in a zip ... LEVELS deep (level0.zip innermost)"""
    inner = b"hello\n"
    for i in range(levels):
        z = io.BytesIO()
        with zipfile.ZipFile(z, "w", zipfile.ZIP_STORED) as zf:
            zf.writestr("level%d.zip" % i if i else "hello.txt", inner)
        inner = z.getvalue()
    return inner


def deep_mime(levels):
    """a text leaf inside LEVELS nested multiparts (the body, with its
    Content-Type field first)"""
    m = "Content-Type: text/plain\n\nleaf\n"
    for i in range(levels):
        m = "Content-Type: multipart/mixed; boundary=\"L%d\"\n\n--L%d\n%s\n--L%d--\n" % (i, i, m, i)
    return m
