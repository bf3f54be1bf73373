"""COPY, MOVE and their UID forms with UIDPLUS's COPYUID (RFC 4315) and
MOVE's expunges (RFC 6851), EXPUNGE and UID EXPUNGE (RFC 4315 §2.1), also
under QRESYNC (VANISHED) and seen from a second session."""

import re
import unittest

from imap_literal import LiteralImapTestCase
from postern_test import main


def message(n):
    return b"Subject: message %d\r\n\r\nbody %d\r\n" % (n, n)


class CopyTestCase(LiteralImapTestCase):
    def new_mailbox(self, count=4, enable=None, examine=False):
        """A mailbox of count messages (the third \\Flagged) and an empty
        one, "<name>-dest"."""
        c, name = self.make_mailbox(
            [(message(n), "\\Flagged" if n == 3 else "", None)
             for n in range(1, count + 1)], enable, examine)
        c.ok("CREATE %s-dest" % name)
        return c, name

    def uidvalidity(self, c, name):
        untagged = c.ok("STATUS %s (UIDVALIDITY MESSAGES)" % name)
        m = re.search(rb"UIDVALIDITY (\d+)", untagged[0])
        return int(m.group(1))

    def check(self, c, command, untagged, tagged):
        got_untagged, got_tagged = c.command(command)
        self.assertEqual(got_tagged, tagged, command)
        self.assertEqual([u.decode() for u in got_untagged],
                         [u + "\r\n" for u in untagged], command)


class Copy(CopyTestCase):
    def test_copy(self):
        c, name = self.new_mailbox()
        dest = name + "-dest"
        v = self.uidvalidity(c, dest)
        self.check(c, "COPY 2:3 %s" % dest, [],
                   "OK [COPYUID %d 2:3 1:2] Copy completed." % v)
        self.check(c, "UID COPY 4,1 %s" % dest, [],
                   "OK [COPYUID %d 1,4 3:4] Copy completed." % v)
        # flags and the message come along, \Recent doesn't
        other = self.imap()
        other.ok("EXAMINE %s" % dest)
        untagged, _ = other.command("FETCH 1:* (FLAGS BODY.PEEK[])")
        self.assertEqual(untagged[1], b"* 2 FETCH (FLAGS (\\Flagged) BODY[] "
                         b"{%d}\r\n%s)\r\n" % (len(message(3)), message(3)))
        self.assertEqual(len(untagged), 4)
        # the source is unchanged
        self.check(c, "NOOP", [], "OK NOOP completed.")

    def test_copy_errors(self):
        c, name = self.new_mailbox()
        untagged, tagged = c.command("COPY 1 nonexistent")
        self.assertEqual(untagged, [])
        self.assertTrue(tagged.startswith("NO [TRYCREATE]"), tagged)
        # UIDs that don't exist: nothing to copy, no COPYUID
        self.check(c, "UID COPY 100:200 %s-dest" % name, [],
                   "OK No messages copied.")
        for bad in ("COPY 5 %s-dest" % name, "COPY 0 %s-dest" % name,
                    "COPY 1", "COPY 1 a b", "COPY x %s-dest" % name):
            self.assertTrue(c.command(bad)[1].startswith("BAD"), bad)

    def test_copy_from_examine(self):
        c, name = self.new_mailbox(examine=True)
        self.assertTrue(c.command("COPY 1 %s-dest" % name)[1]
                        .startswith("OK [COPYUID"))
        self.assertTrue(c.command("MOVE 1 %s-dest" % name)[1]
                        .startswith("NO"))

    def test_copy_to_self(self):
        c, name = self.new_mailbox(count=1)
        v = self.uidvalidity(c, name)
        self.check(c, "COPY 1 %s" % name, ["* 2 EXISTS", "* 2 RECENT"],
                   "OK [COPYUID %d 1 2] Copy completed." % v)


class Move(CopyTestCase):
    def test_move(self):
        c, name = self.new_mailbox()
        other = self.imap()
        other.ok("SELECT %s" % name)
        dest = name + "-dest"
        v = self.uidvalidity(c, dest)
        # RFC 6851 §4.3: COPYUID in an untagged OK, then the expunges
        self.check(c, "MOVE 2:3 %s" % dest,
                   ["* OK [COPYUID %d 2:3 1:2] Moved UIDs." % v,
                    "* 3 EXPUNGE", "* 2 EXPUNGE"], "OK Move completed.")
        self.check(c, "UID MOVE 4 %s" % dest,
                   ["* OK [COPYUID %d 4 3] Moved UIDs." % v,
                    "* 2 EXPUNGE"], "OK Move completed.")
        self.check(c, "FETCH 1:* UID", ["* 1 FETCH (UID 1)"],
                   "OK Fetch completed.")
        # the other session learns at its next command
        self.check(other, "NOOP", ["* 4 EXPUNGE", "* 3 EXPUNGE",
                                   "* 2 EXPUNGE"], "OK NOOP completed.")
        untagged = c.ok("STATUS %s (MESSAGES)" % dest)
        self.assertIn(b"MESSAGES 3", untagged[0])

    def test_move_qresync(self):
        c, name = self.new_mailbox(enable="QRESYNC")
        v = self.uidvalidity(c, name + "-dest")
        # RFC 6851 §4.3 / RFC 7162 §3.2.10: VANISHED instead of EXPUNGE
        self.check(c, "MOVE 1,3 %s-dest" % name,
                   ["* OK [COPYUID %d 1,3 1:2] Moved UIDs." % v,
                    "* VANISHED 1,3"], "OK Move completed.")

    def test_move_errors(self):
        c, name = self.new_mailbox()
        untagged, tagged = c.command("MOVE 1 nonexistent")
        self.assertEqual(untagged, [])
        self.assertTrue(tagged.startswith("NO [TRYCREATE]"), tagged)
        self.check(c, "UID MOVE 50 %s-dest" % name, [],
                   "OK No messages moved.")
        self.check(c, "FETCH 1:* UID",
                   ["* %d FETCH (UID %d)" % (n, n) for n in range(1, 5)],
                   "OK Fetch completed.")


class Expunge(CopyTestCase):
    def test_expunge(self):
        c, name = self.new_mailbox()
        c.ok("STORE 1,3:4 +FLAGS.SILENT (\\Deleted)")
        other = self.imap()
        other.ok("SELECT %s" % name)
        # descending, so each number is right when it arrives
        self.check(c, "EXPUNGE", ["* 4 EXPUNGE", "* 3 EXPUNGE",
                                  "* 1 EXPUNGE"], "OK Expunge completed.")
        self.check(c, "FETCH 1:* UID", ["* 1 FETCH (UID 2)"],
                   "OK Fetch completed.")
        self.check(other, "NOOP", ["* 4 EXPUNGE", "* 3 EXPUNGE",
                                   "* 1 EXPUNGE"], "OK NOOP completed.")
        self.check(c, "EXPUNGE", [], "OK Expunge completed.")
        self.assertTrue(c.command("EXPUNGE 1")[1].startswith("BAD"))

    def test_uid_expunge(self):
        c, _ = self.new_mailbox()
        c.ok("STORE 1:3 +FLAGS.SILENT (\\Deleted)")
        # RFC 4315 §2.1: only the \Deleted messages of the set
        self.check(c, "UID EXPUNGE 2:4", ["* 3 EXPUNGE", "* 2 EXPUNGE"],
                   "OK Expunge completed.")
        self.check(c, "FETCH 1:* UID", ["* 1 FETCH (UID 1)",
                                        "* 2 FETCH (UID 4)"],
                   "OK Fetch completed.")
        self.check(c, "UID EXPUNGE 10:20", [], "OK Expunge completed.")
        for bad in ("UID EXPUNGE", "UID EXPUNGE x", "UID EXPUNGE 1 2"):
            self.assertTrue(c.command(bad)[1].startswith("BAD"), bad)

    def test_expunge_qresync(self):
        c, _ = self.new_mailbox(enable="QRESYNC")
        c.ok("STORE 2:3 +FLAGS.SILENT (\\Deleted)")
        self.check(c, "EXPUNGE", ["* VANISHED 2:3"], "OK Expunge completed.")

    def test_expunge_read_only(self):
        c, _ = self.new_mailbox(examine=True)
        self.assertTrue(c.command("EXPUNGE")[1].startswith("NO"))
        self.assertTrue(c.command("UID EXPUNGE 1")[1].startswith("NO"))

    def test_no_expunge_during_fetch(self):
        c, name = self.new_mailbox()
        other = self.imap()
        other.ok("SELECT %s" % name)
        other.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
        other.ok("EXPUNGE")
        # RFC 9051 §7.5.1: no EXPUNGE during FETCH, STORE, SEARCH
        for command in ("FETCH 2 UID", "STORE 2 +FLAGS.SILENT (\\Seen)",
                        "SEARCH ALL"):
            untagged, tagged = c.command(command)
            self.assertNotIn(b"EXPUNGE", b"".join(untagged), command)
        # the message is still numbered, but gone: RFC 2180 §4.1.1 lets a
        # FETCH of it fail, with the others answered
        untagged, tagged = c.command("FETCH 1:2 (UID BODY.PEEK[TEXT])")
        self.assertEqual(tagged, "NO [EXPUNGEISSUED] Some of the requested "
                         "messages no longer exist.")
        self.assertEqual(untagged, [b"* 2 FETCH (UID 2 BODY[TEXT] {8}\r\n"
                                    b"body 2\r\n)\r\n"])
        # the UID variants may send it
        untagged, tagged = c.command("UID FETCH 1:2 UID")
        self.assertEqual(tagged, "OK Fetch completed.")
        self.assertIn(b"* 1 EXPUNGE\r\n", untagged)


if __name__ == "__main__":
    main()
