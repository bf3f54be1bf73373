"""Helpers for the POP3 protocol tests: a posternd with users and maildirs,
messages put into a user's Maildir/new as an outside MDA would, and a POP3
client over raw sockets that keeps the exact bytes of every response."""

import glob
import os
import re
import socket
import time
import unittest

from postern_test import (LineClient, PosternServer, client_tls_context,
                          free_port, scaled)

USERS = {"alice": "secret", "bob": "hunter2"}
# RFC 1939 §4 and §7: the greeting, with APOP's timestamp
GREETING = re.compile(r"^\+OK Postern ready\. (<[^<>@ ]+@[^<> ]+>)$")


class Pop3Server(PosternServer):
    """A posternd whose users keep maildirs under <dir>/mail/<user>.

    pop3 / storage / auth: extra lines for those sections."""

    def __init__(self, users=None, pop3="", storage="", auth="", **kwargs):
        sections = dict(kwargs.pop("sections", {}))
        if pop3:
            sections["pop3"] = sections.get("pop3", "") + pop3
        # no growing delays after the failures that tests make on purpose
        sections["auth"] = (sections.get("auth", "") +
                            "penalty_max_delay = 0\n" + auth)
        super().__init__(users=USERS if users is None else users,
                         sections=sections, **kwargs)
        self.mail_root = os.path.join(self.dir, "mail")
        with open(self.config_path, "a") as f:
            f.write("\n[storage]\nmail_location = maildir:%s/%%u\n"
                    "fsync = never\n%s" % (self.mail_root, storage))
        for user in self.users:
            for sub in ("new", "cur", "tmp"):
                os.makedirs(os.path.join(self.maildir(user), sub))
        self.seq = 0

    def start(self):
        super().start()
        self.wait_port(self.ports["pop3"])
        return self

    def worker_pids(self):
        """The mail workers' process ids (children named postern-worker)."""
        pids = []
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                with open(stat) as f:
                    fields = f.read().rsplit(")", 1)
            except OSError:
                continue
            name = fields[0].split("(", 1)[1]
            ppid = int(fields[1].split()[1])
            if ppid == self.proc.pid and name == "postern-worker":
                pids.append(int(stat.split("/")[2]))
        return pids

    def worker_anon_kb(self):
        """Anonymous memory (heap, not mapped files) of the workers."""
        total = 0
        for pid in self.worker_pids():
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("RssAnon:"):
                        total += int(line.split()[1])
        return total

    def maildir(self, user):
        return os.path.join(self.mail_root, user)

    def deliver(self, user, data, subdir="new", name=None):
        """Writes a message into the user's maildir the way an MDA does
        (tmp, then rename); returns the file's base name."""
        if isinstance(data, str):
            data = data.encode()
        self.seq += 1
        if name is None:
            name = "%d.M%dP%d.test" % (1700000000 + self.seq, self.seq,
                                       os.getpid())
        tmp = os.path.join(self.maildir(user), "tmp", name)
        with open(tmp, "wb") as f:
            f.write(data)
        final = name if subdir == "new" else name + ":2,"
        os.rename(tmp, os.path.join(self.maildir(user), subdir, final))
        return name

    def message_files(self, user):
        """Base names of the messages in the maildir."""
        names = []
        for sub in ("new", "cur"):
            for path in glob.glob(os.path.join(self.maildir(user), sub,
                                               "*")):
                names.append(os.path.basename(path).split(":2,")[0])
        return sorted(names)

    def message_flags(self, user, base):
        for path in glob.glob(os.path.join(self.maildir(user), "cur",
                                           base + ":2,*")):
            return path.rsplit(":2,", 1)[1]
        return None


def crlf(data):
    """data with every line ending in CRLF, as RETR sends a message."""
    if isinstance(data, str):
        data = data.encode()
    data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return data


class Pop3Client(LineClient):
    """A raw POP3 client: lines as str (latin-1, so bytes survive)."""

    def __init__(self, server, port_name="pop3", tls=False, greeting=True,
                 host="127.0.0.1", port=None):
        if port is None:
            port = server.ports[port_name]
        if host == "127.0.0.1":
            super().__init__(port, tls=tls)
        else:
            self.sock = socket.create_connection((host, port),
                                                 timeout=scaled(5))
            if tls:
                self.sock = client_tls_context().wrap_socket(self.sock)
            self.buf = b""
        if greeting:
            self.greeting = self.read_line()

    def read_line(self):
        """As LineClient's, without copying the buffer for every line
        (a big RETR has many)."""
        pos = getattr(self, "pos", 0)
        while True:
            end = self.buf.find(b"\r\n", pos)
            if end >= 0:
                break
            self.buf = self.buf[pos:]
            pos = 0
            chunk = self.sock.recv(65536)
            if not chunk:
                self.pos = 0
                return None
            self.buf += chunk
        line = self.buf[pos:end]
        self.pos = end + 2
        if self.pos == len(self.buf):
            self.buf, self.pos = b"", 0
        return line.decode("latin-1")

    def read_eof(self):
        self.buf, self.pos = self.buf[getattr(self, "pos", 0):], 0
        return super().read_eof()

    def starttls(self):
        self.buf, self.pos = self.buf[getattr(self, "pos", 0):], 0
        return super().starttls()

    def cmd(self, line):
        self.send_line(line)
        return self.read_line()

    def read_multi(self):
        """The lines of a multi-line response after its status line, up to
        the "." line (not included), still byte-stuffed."""
        return self.read_until(lambda l: l == ".")[:-1]

    def read_message(self):
        """A RETR/TOP body as bytes, unstuffed, each line ending in CRLF."""
        out = []
        for line in self.read_multi():
            if line.startswith("."):
                line = line[1:]
            out.append(line.encode("latin-1"))
            out.append(b"\r\n")
        return b"".join(out)

    def login(self, user="alice", password=None):
        if password is None:
            password = USERS[user]
        assert self.cmd("USER " + user) == "+OK"
        reply = self.cmd("PASS " + password)
        assert reply == "+OK Logged in.", reply
        return reply

    def quit(self):
        reply = self.cmd("QUIT")
        self.read_eof()
        return reply


def login_retrying(server, user="alice", timeout=10):
    """Logs in, retrying while an ended session still holds the maildrop
    (its storage is closed on the thread pool after the disconnect)."""
    deadline = time.time() + scaled(timeout)
    while True:
        c = Pop3Client(server)
        c.cmd("USER " + user)
        reply = c.cmd("PASS " + USERS[user])
        if reply == "+OK Logged in.":
            return c
        c.close()
        if not reply.startswith("-ERR [IN-USE]") or time.time() > deadline:
            raise AssertionError("login failed: " + reply)
        time.sleep(0.05)


class Pop3TestCase(unittest.TestCase):
    """A TestCase with a fresh server per test (tests change mailboxes)."""

    server_kwargs = {}

    def setUp(self):
        self.server = Pop3Server(**self.server_kwargs)
        self.addCleanup(self.server.cleanup)

    def start(self):
        return self.server.start()

    def client(self, **kwargs):
        c = Pop3Client(self.server, **kwargs)
        self.addCleanup(c.close)
        return c

    def logged_in(self, user="alice"):
        c = self.client()
        c.login(user)
        return c
