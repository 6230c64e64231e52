#!/usr/bin/env python3
"""smtpc - a small SMTP client for defuse's end-to-end tests.

Sends one or more messages over one connection, exactly as given (line
endings made CRLF, dot-stuffed), and prints one line per server reply:

    CONNECT 220 ...
    FILE path/of/message
    MAIL 250 2.1.0 Ok
    RCPT 250 2.1.5 Ok
    DATA 354 End data with <CR><LF>.<CR><LF>
    END 250 2.0.0 Ok: queued as 4Xb2Lc0vYz
    QID 4Xb2Lc0vYz

A reply after part of the body (the server answered early: a milter
refused the message while it streamed) is printed as END as well.

Options:
  --port N           SMTP port on 127.0.0.1
  --size N           send SIZE=N with MAIL FROM (ESMTP)
  --pause-at N       after N body bytes, run --pause-cmd, then go on
  --pause-cmd CMD    shell command run at the pause
  --chunk N          write the body N bytes at a time (default 65536)
  --timeout S        socket timeout (default 60)
  FILE...            messages to send, one transaction each
"""
import argparse
import socket
import subprocess
import sys


def reply(f):
    lines = []
    while True:
        line = f.readline()
        if not line:
            return "EOF"
        lines.append(line.decode("latin-1").rstrip("\r\n"))
        if len(line) < 4 or line[3:4] != b"-":
            break
    return " / ".join(lines)


def wire(data):
    out = []
    text = data.split(b"\n")
    if text and text[-1] == b"":
        text.pop()
    for line in text:
        if line.endswith(b"\r"):
            line = line[:-1]
        if line.startswith(b"."):
            line = b"." + line
        out.append(line + b"\r\n")
    return b"".join(out)


def send(sock, f, data, args):
    sent = 0
    paused = args.pause_at is None
    sock.setblocking(True)
    while sent < len(data):
        n = args.chunk
        if not paused and sent + n > args.pause_at:
            n = max(args.pause_at - sent, 0)
        if n:
            try:
                sock.sendall(data[sent:sent + n])
            except (BrokenPipeError, ConnectionResetError):
                return False
            sent += n
        if not paused and sent >= args.pause_at:
            paused = True
            subprocess.run(args.pause_cmd, shell=True, check=False)
    return True


def transaction(sock, f, path, args):
    print("FILE", path, flush=True)
    mail = "MAIL FROM:<sender@example.org>"
    if args.size is not None:
        mail += " SIZE=%d" % args.size
    sock.sendall(mail.encode() + b"\r\n")
    r = reply(f)
    print("MAIL", r, flush=True)
    if not r.startswith("250"):
        return
    sock.sendall(b"RCPT TO:<%s>\r\n" % args.rcpt.encode())
    r = reply(f)
    print("RCPT", r, flush=True)
    if not r.startswith("250"):
        sock.sendall(b"RSET\r\n")
        reply(f)
        return
    sock.sendall(b"DATA\r\n")
    r = reply(f)
    print("DATA", r, flush=True)
    if not r.startswith("354"):
        return
    with open(path, "rb") as fp:
        data = wire(fp.read()) + b".\r\n"
    send(sock, f, data, args)
    r = reply(f)
    print("END", r, flush=True)
    if "queued as " in r:
        print("QID", r.split("queued as ")[1].split()[0], flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--size", type=int)
    p.add_argument("--rcpt", default="rcpt@dest.example.net")
    p.add_argument("--pause-at", type=int)
    p.add_argument("--pause-cmd", default="true")
    p.add_argument("--chunk", type=int, default=65536)
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("files", nargs="+")
    args = p.parse_args()
    sock = socket.create_connection(("127.0.0.1", args.port), args.timeout)
    f = sock.makefile("rb")
    print("CONNECT", reply(f), flush=True)
    sock.sendall(b"EHLO client.example.org\r\n")
    reply(f)
    for path in args.files:
        try:
            transaction(sock, f, path, args)
        except (OSError, socket.timeout) as e:
            print("ERROR", e, flush=True)
            return 1
    try:
        sock.sendall(b"QUIT\r\n")
        reply(f)
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
