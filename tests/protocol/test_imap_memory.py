"""Memory per idle IMAP session: opens 1,000 sessions that only got the
greeting, 2,000 that logged in, selected INBOX and sit in IDLE, and 1,000
such sessions over TLS, and measures the worker's proportional set size
(smaps_rollup Pss) around each batch. Prints bytes per session and fails
above generous bounds (a per-session buffer or pool left behind)."""

import os
import socket
import time
import unittest

from imap_helpers import server_args
from postern_test import (PosternServer, client_tls_context, main,
                          scaled)

SESSIONS = int(os.environ.get("POSTERN_IMAP_MEMORY_SESSIONS", "2000"))
# Generous: conn + session structs are a few hundred bytes (about 900
# bytes per greeted session, 2 KB per session in IDLE on a quiet machine),
# but PSS moves with the allocator's page use and what else the worker
# touched meanwhile: a CI machine measured 2.3 KB for a greeted session.
# This bound still catches a per-session buffer or pool left behind (a
# 4 KiB page each on top of the structs).
MAX_BYTES_PER_SESSION = 4096
# Under AddressSanitizer memory figures mean nothing (redzones, the
# quarantine of freed blocks): measure and print, don't judge.
SANITIZED = "ASAN_OPTIONS" in os.environ


def children(pid):
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                out.append(int(entry))
        except OSError:
            pass
    return out


def comm(pid):
    with open("/proc/%d/comm" % pid) as f:
        return f.read().strip()


def find_worker(server):
    """The pid of the server's (only) mail worker."""
    deadline = time.time() + scaled(10)
    while time.time() < deadline:
        workers = [p for p in children(server.proc.pid)
                   if comm(p) == "postern-worker"]
        if workers:
            return workers[0]
        time.sleep(0.05)
    raise AssertionError("no postern-worker process")


def pss(pid):
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no Pss")


def recv_line(sock, buf=b""):
    while b"\r\n" not in buf:
        chunk = sock.recv(4096)
        if not chunk:
            raise EOFError(buf)
        buf += chunk
    line, rest = buf.split(b"\r\n", 1)
    return line, rest


def recv_tagged(sock, tag, buf=b""):
    """The first line starting with tag, and what was read after it."""
    while True:
        line, buf = recv_line(sock, buf)
        if line.startswith(tag):
            return line, buf


class IdleSessions(unittest.TestCase):
    def test_memory_per_session(self):
        with PosternServer(**server_args({"alice": "secret"})) as s:
            worker = find_worker(s)
            socks = []
            # warm up: the first sessions allocate per-loop and per-user
            # state (the user's index, the mailbox watch)
            for i in range(20):
                socks.append(self.open_session(s, "idle"))
            for kind, count, bound in (
                    ("not authenticated", SESSIONS // 2, MAX_BYTES_PER_SESSION),
                    ("IDLE in INBOX", SESSIONS, MAX_BYTES_PER_SESSION),
                    ("IDLE in INBOX over TLS", SESSIONS // 2, 32768)):
                time.sleep(scaled(0.3))
                before = pss(worker)
                for i in range(count):
                    socks.append(self.open_session(s, kind))
                time.sleep(scaled(0.5))
                after = pss(worker)
                per_session = (after - before) / count
                print("\nIMAP %s: %d sessions, worker PSS %d -> %d KiB, "
                      "%.0f bytes/session" % (kind, count, before // 1024,
                                              after // 1024, per_session))
                if not SANITIZED:
                    self.assertLess(per_session, bound, kind)
            for sock in socks:
                sock.close()

    def open_session(self, server, kind):
        tls = "TLS" in kind
        port = server.ports["imaps" if tls else "imap"]
        sock = socket.create_connection(("127.0.0.1", port),
                                        timeout=scaled(10))
        if tls:
            sock = client_tls_context().wrap_socket(sock)
        recv_line(sock)
        if kind == "not authenticated":
            return sock
        sock.sendall(b"a LOGIN alice secret\r\nb SELECT INBOX\r\n"
                     b"c IDLE\r\n")
        line, buf = recv_tagged(sock, b"a ")
        assert line.startswith(b"a OK"), line
        line, buf = recv_tagged(sock, b"b ", buf)
        assert line.startswith(b"b OK"), line
        line, buf = recv_tagged(sock, b"+ ", buf)
        assert line == b"+ idling", line
        return sock


if __name__ == "__main__":
    main()
