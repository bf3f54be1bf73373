"""Memory per idle IMAP session: opens 2,000 sessions (half of them
logged in; IDLE in the selected INBOX when storage is built) and measures
the worker's proportional set size (smaps_rollup Pss) before and after.
Prints bytes per session and fails above a generous bound."""

import os
import socket
import time
import unittest

from imap_helpers import server_args
from postern_test import PosternServer, main, scaled

SESSIONS = int(os.environ.get("POSTERN_IMAP_MEMORY_SESSIONS", "2000"))
# Generous: conn + session structs are a few hundred bytes; this bound
# catches a per-session buffer or pool left behind (a 4 KiB page each).
MAX_BYTES_PER_SESSION = 4096


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


def recv_tagged(sock, tag):
    buf = b""
    while True:
        line, buf = recv_line(sock, buf)
        if line.startswith(tag):
            return line


class IdleSessions(unittest.TestCase):
    def test_memory_per_session(self):
        with PosternServer(**server_args({"alice": "secret"})) as s:
            worker = [p for p in children(s.proc.pid)
                      if comm(p) == "postern-worker"][0]
            socks = []
            # warm up: the first sessions allocate per-loop buffers
            for i in range(20):
                socks.append(self.open_session(s, logged_in=True))
            time.sleep(0.2)
            before = pss(worker)
            for i in range(SESSIONS):
                socks.append(self.open_session(s, logged_in=i % 2 == 0))
            time.sleep(scaled(0.5))
            after = pss(worker)
            per_session = (after - before) / SESSIONS
            print("\nIMAP idle sessions: %d, worker PSS %d -> %d KiB, "
                  "%.0f bytes/session" % (SESSIONS, before // 1024,
                                          after // 1024, per_session))
            for sock in socks:
                sock.close()
            self.assertLess(per_session, MAX_BYTES_PER_SESSION)

    def open_session(self, server, logged_in):
        sock = socket.create_connection(("127.0.0.1", server.ports["imap"]),
                                        timeout=scaled(10))
        recv_line(sock)
        if logged_in:
            sock.sendall(b"a LOGIN alice secret\r\n")
            line = recv_tagged(sock, b"a ")
            assert line.startswith(b"a OK"), line
        return sock


if __name__ == "__main__":
    main()
