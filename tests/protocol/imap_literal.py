"""A raw IMAP client for tests whose responses carry literals (FETCH of
bodies, BINARY): responses are read as bytes, each literal whole, so that
a test can compare exact bytes. Commands may carry literals too (APPEND
of a message, SEARCH strings)."""

import itertools
import re
import socket

from imap_helpers import server_args
from postern_test import ServerTestCase, scaled

LITERAL_END = re.compile(rb"~?\{(\d+)\}$")


class LiteralImap:
    _tags = itertools.count(1)

    def __init__(self, server, timeout=20):
        self.sock = socket.create_connection(
            ("127.0.0.1", server.ports["imap"]), timeout=scaled(timeout))
        self.buf = b""
        self.greeting = self.read_line()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def _fill(self):
        data = self.sock.recv(1 << 20)
        if not data:
            raise EOFError("connection closed; buffered %r" % self.buf[:200])
        self.buf += data

    def read_line(self):
        """The next line with its CRLF, as bytes."""
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line + b"\r\n"

    def read_bytes(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_response(self):
        """One response (a line with the literals it announces), as
        bytes."""
        out = b""
        while True:
            line = self.read_line()
            out += line
            m = LITERAL_END.search(line[:-2])
            if m is None:
                return out
            out += self.read_bytes(int(m.group(1)))

    def send(self, data):
        self.sock.sendall(data)

    def next_tag(self):
        tag = self.peek_tag()
        self._next = None
        return tag

    def peek_tag(self):
        """The tag the next command will get."""
        if getattr(self, "_next", None) is None:
            self._next = "L%d" % next(self._tags)
        return self._next

    def command_raw(self, command, literals=()):
        """Sends a command (bytes or str) whose literals are given apart:
        the command holds "{n}" markers at the end of its pieces. Returns
        (untagged responses as bytes, tagged line as str without tag)."""
        tag = self.next_tag()
        if isinstance(command, str):
            command = command.encode("utf-8")
        pieces = command.split(b"\x00")
        self.send(tag.encode() + b" " + pieces[0] + b"\r\n")
        for lit, rest in zip(literals, pieces[1:]):
            line = self.read_line()
            if not line.startswith(b"+"):
                return [], line.decode("latin-1").split(" ", 1)[1].strip()
            self.send(lit + rest + b"\r\n")
        untagged = []
        while True:
            resp = self.read_response()
            if resp.startswith(tag.encode() + b" "):
                return untagged, resp[len(tag) + 1:-2].decode("latin-1")
            untagged.append(resp)

    def command(self, command):
        """A command without literals."""
        return self.command_raw(command)

    def ok(self, command):
        untagged, tagged = self.command(command)
        if not tagged.startswith("OK"):
            raise AssertionError("%s -> %s" % (command, tagged))
        return untagged

    def append(self, mailbox, message, flags="", date=None):
        """APPEND with a synchronizing literal; returns the tagged line."""
        args = mailbox
        if flags:
            args += " (%s)" % flags
        if date:
            args += ' "%s"' % date
        cmd = ("APPEND %s {%d}" % (args, len(message))).encode() + b"\x00"
        return self.command_raw(cmd, [message])[1]


class LiteralImapTestCase(ServerTestCase):
    """One server for the class, user alice; each test makes mailboxes of
    its own."""

    server_args = server_args({"alice": "secret"})
    _mailboxes = itertools.count(1)

    def imap(self, enable=None):
        """A logged-in session (closed at the end of the test), which
        ENABLEs enable if given."""
        c = LiteralImap(self.server)
        self.addCleanup(c.close)
        c.ok("LOGIN alice secret")
        if enable:
            c.ok("ENABLE %s" % enable)
        return c

    def make_mailbox(self, messages, enable=None, examine=False):
        """A new mailbox holding messages, each bytes or (bytes, flags,
        date), SELECTed (or EXAMINEd) in a new session: (session, name)."""
        name = "%s%d" % (type(self).__name__.lower(), next(self._mailboxes))
        c = self.imap(enable)
        c.ok("CREATE %s" % name)
        for msg in messages:
            msg, flags, date = msg if isinstance(msg, tuple) else \
                (msg, "", None)
            tagged = c.append(name, msg, flags=flags, date=date)
            if not tagged.startswith("OK"):
                raise AssertionError("APPEND: %s" % tagged)
        c.ok("%s %s" % ("EXAMINE" if examine else "SELECT", name))
        return c, name
