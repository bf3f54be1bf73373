"""Changes made by another process reach a selected session at its next
command that may report them, not only at NOOP: two posternd instances
share one maildir and index, one session on each. Views skip reading the
index when its change counter (storage/index-changes.h) hasn't moved, so
this checks that every kind of change moves it across processes, and that
expunges held back during FETCH, STORE and SEARCH without UID (RFC 9051
§7.5.1) still come at the next command that may send them."""

import os
import shutil
import tempfile
import unittest

from imap_helpers import ImapConn
from postern_test import PosternServer, main

USERS = {"alice": "secret"}
MSG = "Subject: sync %d\r\n\r\nbody\r\n"


class TwoProcesses(unittest.TestCase):
    def setUp(self):
        self.mail = tempfile.mkdtemp(prefix="postern-shared-")
        storage = "mail_location = maildir:%s/%%u\nfsync = never\n" % (
            self.mail)
        self.servers = [PosternServer(users=USERS,
                                      sections={"storage": storage})
                        for _ in range(2)]
        for server in self.servers:
            server.start()
        self.a = self.session(self.servers[0])
        for i in range(4):
            self.append(self.a, i)
        self.a.ok("SELECT INBOX")
        self.b = self.session(self.servers[1])
        self.b.ok("SELECT INBOX")

    def tearDown(self):
        for conn in (self.a, self.b):
            conn.close()
        for server in self.servers:
            server.cleanup()
        shutil.rmtree(self.mail, ignore_errors=True)

    def session(self, server):
        conn = ImapConn(server)
        conn.login("alice", "secret")
        return conn

    def append(self, conn, n):
        text = MSG % n
        conn.send_line("%s APPEND INBOX {%d+}" % ("a%d" % n, len(text)))
        conn.send_line(text)
        _, tagged = conn.read_tagged("a%d" % n)
        self.assertTrue(tagged.startswith("a%d OK" % n), tagged)

    def lines(self, conn, command):
        untagged = conn.ok(command)
        return [line.rstrip("\r\n") for line in untagged]

    def test_flags_expunge_exists_at_next_command(self):
        self.b.ok("UID STORE 1 +FLAGS.SILENT (\\Flagged)")
        self.b.ok("UID STORE 2 +FLAGS.SILENT (\\Deleted)")
        self.b.ok("UID EXPUNGE 2")
        self.append(self.b, 9)
        # the command's own response first, then the updates in RFC
        # order; the new message is \Recent in b's session, not here
        got = self.lines(self.a, "UID SEARCH UID 3")
        self.assertEqual(got, ["* SEARCH 3", "* 2 EXPUNGE", "* 4 EXISTS",
                               "* 3 RECENT",
                               "* 1 FETCH (UID 1 FLAGS (\\Flagged "
                               "\\Recent))"])
        # nothing new: nothing said
        self.assertEqual(self.lines(self.a, "UID SEARCH UID 3"),
                         ["* SEARCH 3"])

    def test_expunge_held_back_without_uid(self):
        self.b.ok("UID STORE 1 +FLAGS.SILENT (\\Deleted)")
        self.b.ok("UID EXPUNGE 1")
        # FETCH, SEARCH and STORE with sequence numbers may not expunge
        self.assertEqual(self.lines(self.a, "FETCH 2 (UID)"),
                         ["* 2 FETCH (UID 2)"])
        self.assertEqual(self.lines(self.a, "SEARCH 2"), ["* SEARCH 2"])
        self.assertEqual(self.lines(self.a, "STORE 2 +FLAGS.SILENT (\\Seen)"),
                         [])
        # a command that may: the expunge comes now
        self.assertEqual(self.lines(self.a, "UID SEARCH UID 2"),
                         ["* SEARCH 2", "* 1 EXPUNGE"])
        self.assertEqual(self.lines(self.a, "NOOP"), [])

    def test_every_change_at_next_command(self):
        for i in range(30):
            sign = "+" if i % 2 == 0 else "-"
            self.b.ok("UID STORE 3 %sFLAGS.SILENT (\\Answered)" % sign)
            flags = "\\Answered \\Recent" if sign == "+" else "\\Recent"
            self.assertEqual(self.lines(self.a, "UID SEARCH UID 4"),
                             ["* SEARCH 4",
                              "* 3 FETCH (UID 3 FLAGS (%s))" % flags],
                             "round %d" % i)

    def test_keyword_from_other_process(self):
        self.b.ok("UID STORE 4 +FLAGS.SILENT ($Later)")
        got = self.lines(self.a, "UID SEARCH UID 1")
        self.assertIn("* 4 FETCH (UID 4 FLAGS (\\Recent $Later))", got)
        self.assertIn("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen "
                      "\\Draft $Later)", got)


if __name__ == "__main__":
    main()
