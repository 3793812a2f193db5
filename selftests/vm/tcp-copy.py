#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Copy bytes over one TCP connection and say what arrived.

    tcp-copy.py recv ADDR PORT       accept one connection, read it to its
                                     end, print "BYTES SHA256"
    tcp-copy.py send ADDR PORT FILE  connect (retrying for 10 s while the
                                     receiver starts), send FILE, close
"""
import hashlib
import socket
import sys
import time


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def recv(addr, port):
    with socket.socket(family(addr), socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        s.listen(1)
        conn, _ = s.accept()
        digest, count = hashlib.sha256(), 0
        with conn:
            while True:
                data = conn.recv(1 << 16)
                if not data:
                    break
                digest.update(data)
                count += len(data)
    print(count, digest.hexdigest())


def send(addr, port, path):
    deadline = time.monotonic() + 10
    while True:
        try:
            s = socket.create_connection((addr, port), timeout=60)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    with s, open(path, "rb") as f:
        s.sendall(f.read())
        s.shutdown(socket.SHUT_WR)
        s.recv(1)  # the receiver's close: everything was read


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "recv":
        recv(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 5 and sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
