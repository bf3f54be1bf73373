"""Helpers shared by the LMTP tests: a raw LMTP client that reads
multi-line replies, a server set up with users for delivery, and readers
of what got delivered (straight from the maildir files, so that the tests
check the bytes on disk whatever front end is merged)."""

import glob
import os
import re

from postern_test import LineClient, PosternServer

USERS = ["alice", "bob", "carol", "dave"]
# Extra userdb fields: carol is over any quota, dave's quota rule is
# broken (a temporary failure).
USER_EXTRA = {"carol": "userdb_quota_rule=*:bytes=10",
              "dave": "userdb_quota_rule=*:storage=lots"}
PASSWORD = "secret"
DOMAIN = "example.test"


def write_passwd(server, users=USERS, extra=USER_EXTRA):
    """A passwd-file with a home directory under the server's directory
    for every user (the default mail_location is ~/Maildir)."""
    with open(os.path.join(server.dir, "users.passwd"), "w") as f:
        for name in users:
            f.write("%s:{PLAIN}%s::::%s/home/%s::%s\n"
                    % (name, PASSWORD, server.dir, name,
                       extra.get(name, "")))


def lmtp_server(lmtp_config="", extra_config="", **kwargs):
    """A server whose userdb maps alice@example.test to alice (as IMAP
    logins see her), with the users above."""
    server = PosternServer(
        extra_config=extra_config,
        sections={"auth": "username_format = %Ln\n",
                  "lmtp": lmtp_config},
        **kwargs)
    write_passwd(server)
    return server


class Reply:
    def __init__(self, lines):
        self.lines = lines
        self.code = int(lines[-1][:3])
        self.text = lines[-1][4:]

    @property
    def esc(self):
        return self.text.split(" ", 1)[0]

    def __repr__(self):
        return "Reply(%r)" % self.lines


class LMTPClient(LineClient):
    """LMTP over a raw socket: replies come back as Reply objects."""

    def __init__(self, port, timeout=10):
        super().__init__(port, timeout=timeout)
        try:
            self.greeting = self.reply()
        except (OSError, EOFError):
            self.close()
            raise

    def reply(self):
        lines = []
        while True:
            line = self.read_line()
            if line is None:
                raise EOFError("connection closed; got %r" % lines)
            lines.append(line)
            if len(line) < 4 or line[3] != "-":
                return Reply(lines)

    def cmd(self, line):
        self.send_line(line)
        return self.reply()

    def lhlo(self):
        return self.cmd("LHLO client.example.test")

    def envelope(self, sender, rcpts):
        """MAIL and RCPTs, pipelined; returns the replies."""
        lines = ["MAIL FROM:<%s>" % sender] + \
                ["RCPT TO:<%s>" % r for r in rcpts]
        self.send(b"".join(l.encode() + b"\r\n" for l in lines))
        return [self.reply() for _ in lines]

    def data(self, body, n_replies):
        """DATA with body (bytes, CRLF lines), dot-stuffed here."""
        r = self.cmd("DATA")
        assert r.code == 354, r
        self.send(dot_stuff(body) + b".\r\n")
        return [self.reply() for _ in range(n_replies)]


def dot_stuff(body):
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    lines = body.split(b"\r\n")
    return b"\r\n".join(b"." + l if l.startswith(b".") else l
                        for l in lines)


def maildir_messages(server, user, folder="INBOX"):
    """The messages delivered to user's folder, as bytes, by UID (the
    ",U=" field of the file names), the files in new/ and cur/ of the user's maildir under the server's
    directory (INBOX at the root, folders as Maildir++ .Name)."""
    found = []
    for root, dirs, files in os.walk(server.dir):
        parts = root.split(os.sep)
        if parts[-1] not in ("new", "cur") or user not in parts:
            continue
        box = parts[-2]
        name = box[1:] if box.startswith(".") else "INBOX"
        if name != folder:
            continue
        for f in files:
            path = os.path.join(root, f)
            uid = re.search(r",U=(\d+)", f)
            found.append((int(uid.group(1)) if uid else 0,
                          os.stat(path).st_mtime_ns, path))
    found.sort()
    result = []
    for _, _, path in found:
        with open(path, "rb") as fh:
            result.append(fh.read())
    return result


def maildir_tmp_files(server):
    """Files left in any tmp/ directory (half-written messages)."""
    return [p for p in glob.glob(os.path.join(server.dir, "**", "tmp", "*"),
                                 recursive=True) if os.path.isfile(p)]


def split_trace_headers(message):
    """(trace headers dict, rest) where the trace headers are the
    Return-Path, Delivered-To and Received that Postern prepends, in that
    order (Received only from LMTP); a relay's own Received stays in
    rest."""
    trace = {}
    rest = message
    for name in (b"Return-Path: ", b"Delivered-To: ", b"Received: "):
        if not rest.startswith(name):
            continue
        end = rest.index(b"\r\n")
        while rest[end + 2:end + 3] in (b"\t", b" "):
            end = rest.index(b"\r\n", end + 2)
        trace[name[:-2].decode()] = rest[len(name):end].decode()
        rest = rest[end + 2:]
    return trace, rest


def strip_received(message):
    """The message without the Received headers a relay put first."""
    while message.startswith(b"Received: "):
        end = message.index(b"\r\n")
        while message[end + 2:end + 3] in (b"\t", b" "):
            end = message.index(b"\r\n", end + 2)
        message = message[end + 2:]
    return message
