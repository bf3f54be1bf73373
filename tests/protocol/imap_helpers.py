"""Helpers for IMAP protocol tests: a raw IMAP connection over the harness's
LineClient that sends tagged commands and collects their responses."""

import itertools
import socket

from postern_test import LineClient, scaled

# Mail under the test directory (posternd runs there), no fsync: tests
# don't pull the plug.
STORAGE_SECTION = "mail_location = maildir:mail/%u\nfsync = never\n"


def server_args(users, imap="", storage="", **more):
    """PosternServer arguments for IMAP tests: users, mail storage in the
    test directory, extra [imap] and [storage] settings."""
    sections = dict(more.pop("sections", {}))
    sections["imap"] = imap + sections.get("imap", "")
    sections["storage"] = STORAGE_SECTION + storage
    return dict(users=users, sections=sections, **more)


class ImapConn:
    """A raw IMAP session: command() sends one command and returns
    (untagged lines, tagged line)."""

    _tags = itertools.count(1)

    def __init__(self, server, tls=False, port_name=None, host=None):
        port = server.ports[port_name or ("imaps" if tls else "imap")]
        if host is None:
            self.c = LineClient(port, tls=tls)
        else:
            # LineClient connects to 127.0.0.1; reuse it with our socket
            self.c = LineClient.__new__(LineClient)
            self.c.sock = socket.create_connection((host, port),
                                                  timeout=scaled(5))
            self.c.buf = b""
        self.greeting = self.c.read_line()

    def send_line(self, line):
        self.c.send_line(line)

    def read_line(self):
        return self.c.read_line()

    def next_tag(self):
        return "t%d" % next(self._tags)

    def read_tagged(self, tag):
        lines = self.c.read_until(lambda l: l.startswith(tag + " "))
        return lines[:-1], lines[-1]

    def command(self, text, tag=None):
        tag = tag or self.next_tag()
        self.c.send_line("%s %s" % (tag, text))
        untagged, tagged = self.read_tagged(tag)
        return untagged, tagged[len(tag) + 1:]

    def ok(self, text):
        """Runs a command that must succeed; returns its untagged lines."""
        untagged, tagged = self.command(text)
        if not tagged.startswith("OK"):
            raise AssertionError("%s -> %s (%r)" % (text, tagged, untagged))
        return untagged

    def login(self, user, password):
        return self.ok("LOGIN %s %s" % (user, password))

    def close(self):
        self.c.close()
