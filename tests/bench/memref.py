#!/usr/bin/env python3
"""memref.py FILE - the buffering filter of the benchmarks: load a message
the simple way (Python's email), decode every part into memory and unpack
every zip member into memory, keeping it all, as a naive content filter
does.  Prints the bytes it holds; its peak RSS is what the benchmark reads.
"""
import email, email.policy, io, sys, zipfile

def main():
    raw = open(sys.argv[1], "rb").read()
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    held = [raw]
    for part in msg.walk():
        if part.is_multipart():
            continue
        data = part.get_payload(decode=True) or b""
        held.append(data)
        if data[:4] == b"PK\x03\x04":
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as z:
                    for info in z.infolist():
                        held.append(z.read(info))
            except zipfile.BadZipFile:
                pass
    print(sum(len(h) for h in held))

if __name__ == "__main__":
    main()
