"""STORE and UID STORE (RFC 3501/9051 §6.4.6) with keywords and .SILENT,
CONDSTORE's UNCHANGEDSINCE and MODSEQ (RFC 7162 §3.1.3), and how flag
changes reach other sessions on the same mailbox."""

import re
import unittest

from imap_literal import LiteralImapTestCase
from postern_test import main

MSG = b"Subject: flags\r\n\r\nbody\r\n"


class StoreTestCase(LiteralImapTestCase):
    def new_mailbox(self, count=3, enable=None, examine=False):
        return self.make_mailbox([MSG] * count, enable, examine)

    def check(self, c, command, untagged, tagged="OK Store completed."):
        got_untagged, got_tagged = c.command(command)
        self.assertEqual(got_tagged, tagged, command)
        self.assertEqual([u.decode() for u in got_untagged],
                         [u + "\r\n" for u in untagged], command)

    def modseq(self, c, seq):
        untagged, _ = c.command("FETCH %d MODSEQ" % seq)
        return int(re.search(rb"MODSEQ \((\d+)\)", untagged[-1]).group(1))


class Store(StoreTestCase):
    def test_flags(self):
        c, _ = self.new_mailbox()
        self.check(c, "STORE 1:2 +FLAGS (\\Flagged)",
                   ["* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))",
                    "* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))"])
        # nothing changed: nothing said
        self.check(c, "STORE 1:2 +FLAGS (\\Flagged)", [])
        self.check(c, "STORE 2 -FLAGS \\Flagged",
                   ["* 2 FETCH (UID 2 FLAGS (\\Recent))"])
        self.check(c, "STORE 3 FLAGS (\\Seen \\Answered \\Draft \\Deleted)",
                   ["* 3 FETCH (UID 3 FLAGS (\\Answered \\Deleted \\Seen "
                    "\\Draft \\Recent))"])
        self.check(c, "STORE 3 FLAGS ()",
                   ["* 3 FETCH (UID 3 FLAGS (\\Recent))"])
        self.check(c, "STORE 1 FLAGS.SILENT (\\Seen)", [])
        self.check(c, "UID STORE 1 -FLAGS.SILENT (\\Seen \\Flagged)", [])
        self.check(c, "FETCH 1 FLAGS", ["* 1 FETCH (FLAGS (\\Recent))"],
                   "OK Fetch completed.")

    def test_keywords(self):
        c, _ = self.new_mailbox()
        untagged, tagged = c.command("STORE 1 +FLAGS ($Work Later)")
        self.assertEqual(tagged, "OK Store completed.")
        self.assertIn(b"* 1 FETCH (UID 1 FLAGS (\\Recent $Work Later))\r\n",
                      untagged)
        # new keywords are announced with FLAGS and PERMANENTFLAGS
        self.assertIn(b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen "
                      b"\\Draft $Work Later)\r\n", untagged)
        self.check(c, "STORE 1 -FLAGS (later)",
                   ["* 1 FETCH (UID 1 FLAGS (\\Recent $Work))"])
        self.check(c, "SEARCH KEYWORD $Work", ["* SEARCH 1"],
                   "OK Search completed.")

    def test_bad(self):
        c, _ = self.new_mailbox()
        for command in ("STORE 1 +FLAGS (\\Recent)", "STORE 1 +FLAGS (\\Foo)",
                        "STORE 1 BOGUS (\\Seen)", "STORE 1 +FLAGS",
                        "STORE 1 +FLAGS.LOUD (\\Seen)", "STORE 1",
                        "STORE 1 +FLAGS (a(b)", "STORE 4 +FLAGS (\\Seen)",
                        "STORE 0 +FLAGS (\\Seen)", "STORE x +FLAGS (\\Seen)",
                        "STORE 1 (UNCHANGEDSINCE x) +FLAGS (\\Seen)",
                        "STORE 1 (FOO 1) +FLAGS (\\Seen)"):
            untagged, tagged = c.command(command)
            self.assertEqual(untagged, [], command)
            self.assertTrue(tagged.startswith("BAD"), (command, tagged))

    def test_read_only(self):
        c, _ = self.new_mailbox(examine=True)
        untagged, tagged = c.command("STORE 1 +FLAGS (\\Seen)")
        self.assertTrue(tagged.startswith("NO"), tagged)

    def test_uid_store(self):
        c, _ = self.new_mailbox()
        self.check(c, "UID STORE 2:* +FLAGS (\\Seen)",
                   ["* 2 FETCH (UID 2 FLAGS (\\Seen \\Recent))",
                    "* 3 FETCH (UID 3 FLAGS (\\Seen \\Recent))"])
        # UIDs that don't exist are no error
        self.check(c, "UID STORE 10:20 +FLAGS (\\Seen)", [])


class StoreSessions(StoreTestCase):
    def test_two_sessions(self):
        a, name = self.new_mailbox()
        b = self.imap()
        b.ok("SELECT %s" % name)
        self.check(a, "STORE 1 +FLAGS (\\Flagged)",
                   ["* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))"])
        # B learns at its next command, without \Recent (A has it)
        self.check(b, "NOOP", ["* 1 FETCH (UID 1 FLAGS (\\Flagged))"],
                   "OK NOOP completed.")
        self.check(b, "STORE 1 +FLAGS (\\Seen)",
                   ["* 1 FETCH (UID 1 FLAGS (\\Flagged \\Seen))"])
        self.check(a, "NOOP",
                   ["* 1 FETCH (UID 1 FLAGS (\\Flagged \\Seen \\Recent))"],
                   "OK NOOP completed.")
        # A's own changes are not repeated to A
        self.check(a, "NOOP", [], "OK NOOP completed.")

    def test_store_expunged(self):
        a, name = self.new_mailbox()
        b = self.imap()
        b.ok("SELECT %s" % name)
        b.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
        b.ok("EXPUNGE")
        # A still numbers the message (no EXPUNGE during STORE): the
        # others are stored, the tagged reply says one was gone
        untagged, tagged = a.command("STORE 1:2 +FLAGS (\\Flagged)")
        self.assertEqual(tagged, "NO [EXPUNGEISSUED] Some of the messages "
                         "no longer exist.")
        self.assertIn(b"* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))\r\n",
                      untagged)
        self.assertNotIn(b"EXPUNGE", b"".join(untagged))
        self.check(a, "NOOP", ["* 1 EXPUNGE"], "OK NOOP completed.")


class StoreCondstore(StoreTestCase):
    def test_modseq_in_responses(self):
        c, _ = self.new_mailbox(enable="CONDSTORE")
        before = self.modseq(c, 1)
        untagged, tagged = c.command("STORE 1 +FLAGS (\\Seen)")
        self.assertEqual(tagged, "OK Store completed.")
        m = re.fullmatch(rb"\* 1 FETCH \(UID 1 FLAGS \(\\Seen \\Recent\) "
                         rb"MODSEQ \((\d+)\)\)\r\n", untagged[0])
        self.assertIsNotNone(m, untagged)
        self.assertGreater(int(m.group(1)), before)
        # RFC 7162 §3.1.3: MODSEQ even with .SILENT
        untagged, tagged = c.command("STORE 2 +FLAGS.SILENT (\\Seen)")
        self.assertRegex(untagged[0], rb"^\* 2 FETCH \(MODSEQ \(\d+\)\)\r\n$")
        untagged, tagged = c.command("UID STORE 3 +FLAGS.SILENT (\\Seen)")
        self.assertRegex(untagged[0],
                         rb"^\* 3 FETCH \(UID 3 MODSEQ \(\d+\)\)\r\n$")

    def test_unchangedsince(self):
        c, name = self.new_mailbox()
        untagged, tagged = c.command("FETCH 1:3 MODSEQ")
        self.assertRegex(untagged[0], rb"^\* OK \[HIGHESTMODSEQ \d+\]")
        modseq = max(self.modseq(c, n) for n in (1, 2, 3))
        # an unchanged message is updated
        untagged, tagged = c.command("STORE 2 (UNCHANGEDSINCE %d) +FLAGS "
                                     "(\\Flagged)" % modseq)
        self.assertEqual(tagged, "OK Store completed.")
        self.assertRegex(untagged[0], rb"^\* 2 FETCH \(UID 2 FLAGS "
                         rb"\(\\Flagged \\Recent\) MODSEQ \(\d+\)\)\r\n$")
        # now it has changed since: MODIFIED lists it, others go through
        untagged, tagged = c.command("STORE 1:3 (UNCHANGEDSINCE %d) +FLAGS "
                                     "(\\Seen)" % modseq)
        self.assertEqual(tagged, "OK [MODIFIED 2] Conditional STORE failed.")
        self.assertEqual(len(untagged), 2)
        self.assertNotIn(b"* 2 FETCH", b"".join(untagged))
        # UID STORE lists UIDs (here equal); 0 fails every message
        untagged, tagged = c.command("UID STORE 1:3 (UNCHANGEDSINCE 0) "
                                     "-FLAGS (\\Seen)")
        self.assertEqual(untagged, [])
        self.assertEqual(tagged, "OK [MODIFIED 1:3] Conditional STORE "
                         "failed.")
        # another session's change makes MODIFIED too
        other = self.imap()
        other.ok("SELECT %s" % name)
        modseq = self.modseq(c, 3)
        other.ok("STORE 3 +FLAGS (\\Answered)")
        untagged, tagged = c.command("STORE 3 (UNCHANGEDSINCE %d) FLAGS "
                                     "(\\Draft)" % modseq)
        self.assertEqual(tagged, "OK [MODIFIED 3] Conditional STORE failed.")

    def test_modified_sequence_numbers(self):
        c, _ = self.new_mailbox(count=4)
        c.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
        c.ok("EXPUNGE")
        modseq = self.modseq(c, 1)
        c.ok("STORE 3 +FLAGS.SILENT (\\Seen)")
        # STORE's MODIFIED has sequence numbers: UID 4 is message 3
        untagged, tagged = c.command("STORE 3 (UNCHANGEDSINCE %d) "
                                     "+FLAGS (\\Flagged)" % modseq)
        self.assertEqual(tagged, "OK [MODIFIED 3] Conditional STORE failed.")
        untagged, tagged = c.command("UID STORE 4 (UNCHANGEDSINCE %d) "
                                     "+FLAGS (\\Flagged)" % modseq)
        self.assertEqual(tagged, "OK [MODIFIED 4] Conditional STORE failed.")


if __name__ == "__main__":
    main()
