#!/usr/bin/env python3
"""LMTP delivery load generator: CONNECTIONS parallel LMTP sessions, each
delivering messages of SIZE bytes one after another (MAIL, RCPT and DATA
pipelined, then the message) to users picked at random among USERS, for
SECONDS. Prints one JSON line: messages acknowledged with 250, the rate,
latency percentiles (MAIL sent to the final 250), and failures.

With --maildir-root, counts the message files under ROOT/<user>/.../new
and cur before and after, so that every acknowledged message is checked to
be on disk (durable: the servers fsync before answering 250).

Usage: lmtp-bench.py --port 10024 --connections 8 --size 4096 --seconds 10
"""

import argparse
import json
import os
import random
import socket
import threading
import time


def make_message(size, n):
    header = (b"From: bench@example.test\r\nTo: rcpt@example.test\r\n"
              b"Subject: bench message %d\r\nMessage-ID: <%d.%d@bench>\r\n\r\n"
              % (n, n, os.getpid()))
    line = b"The quick brown fox jumps over the lazy dog 0123456789 abcdefghij\r\n"
    body = line * max(1, (size - len(header)) // len(line))
    return header + body + b".\r\n"


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.reply()
        self.sock.sendall(b"LHLO bench.example.test\r\n")
        self.caps = []
        while True:
            line = self.line()
            self.caps.append(line[4:].split(b" ")[0].upper())
            if line[3:4] != b"-":
                break
        # Dovecot 2.3 doesn't take SIZE=: send it only where advertised
        self.size_param = b"SIZE" in self.caps

    def line(self):
        while b"\r\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def reply(self):
        while True:
            line = self.line()
            if line[3:4] != b"-":
                return int(line[:3])


def worker(args, message, deadline, results, lock):
    conn = Conn(args.port)
    latencies, ok, failed = [], 0, 0
    while time.monotonic() < deadline:
        user = "%s%d" % (args.user_prefix, random.randint(1, args.users))
        start = time.monotonic()
        size = b" SIZE=%d" % len(message) if conn.size_param else b""
        conn.sock.sendall(b"MAIL FROM:<bench@example.test>%s\r\n"
                          b"RCPT TO:<%s@example.test>\r\nDATA\r\n"
                          % (size, user.encode()))
        codes = [conn.reply(), conn.reply(), conn.reply()]
        if codes != [250, 250, 354]:
            failed += 1
            conn.sock.sendall(b"RSET\r\n")
            conn.reply()
            continue
        conn.sock.sendall(message)
        if conn.reply() == 250:
            ok += 1
            latencies.append(time.monotonic() - start)
        else:
            failed += 1
    conn.sock.sendall(b"QUIT\r\n")
    with lock:
        results["ok"] += ok
        results["failed"] += failed
        results["latencies"].extend(latencies)


def count_files(root):
    n = 0
    for dirpath, dirnames, files in os.walk(root):
        if os.path.basename(dirpath) in ("new", "cur"):
            n += len(files)
    return n


def percentile(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--connections", type=int, default=1)
    ap.add_argument("--size", type=int, default=4096)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--user-prefix", default="testuser")
    ap.add_argument("--maildir-root")
    ap.add_argument("--label", default="")
    args = ap.parse_args()

    message = make_message(args.size, random.randint(0, 1 << 30))
    before = count_files(args.maildir_root) if args.maildir_root else None
    results = {"ok": 0, "failed": 0, "latencies": []}
    lock = threading.Lock()
    start = time.monotonic()
    deadline = start + args.seconds
    threads = [threading.Thread(target=worker,
                                args=(args, message, deadline, results, lock))
               for _ in range(args.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    out = {
        "label": args.label,
        "connections": args.connections,
        "size": args.size,
        "acked": results["ok"],
        "failed": results["failed"],
        "rate": round(results["ok"] / elapsed, 1),
        "p50_ms": round(percentile(results["latencies"], 0.50) * 1000, 2),
        "p99_ms": round(percentile(results["latencies"], 0.99) * 1000, 2),
    }
    if args.maildir_root:
        out["on_disk"] = count_files(args.maildir_root) - before
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
