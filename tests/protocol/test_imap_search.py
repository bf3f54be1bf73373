"""SEARCH and UID SEARCH (RFC 3501/9051 §6.4.4) with every key, CHARSET,
ESEARCH (RFC 4731), SEARCHRES (RFC 5182), CONDSTORE's MODSEQ (RFC 7162),
SAVEDATE (RFC 8514), OBJECTID (RFC 8474) and IMAP4rev2's ESEARCH-only
answers."""

import re
import unittest

from imap_literal import LiteralImapTestCase
from postern_test import main

S1 = (b"From: Ann Hargreaves <ann@example.org>\r\n"
      b"To: Bob <bob@example.net>\r\n"
      b"Subject: Lunch on Thursday\r\n"
      b"Date: Tue, 14 Mar 2023 09:26:50 +0000\r\n"
      b"\r\n"
      b"Bring the marzipan.\r\n")
S2 = (b"From: Bob <bob@example.net>\r\n"
      b"To: Ann <ann@example.org>\r\n"
      b"Subject: =?utf-8?q?Z=C3=BCrich_trip?=\r\n"
      b"Date: Fri, 31 Dec 1999 23:00:00 +0000\r\n"
      b"Content-Type: text/plain; charset=utf-8\r\n"
      b"Content-Transfer-Encoding: base64\r\n"
      b"\r\n"
      b"cG9tZWdyYW5hdGUganVpY2U=\r\n")
S3 = (b"From: Carol <carol@example.com>\r\n"
      b"Cc: Ann <ann@example.org>\r\n"
      b"Subject: Report\r\n"
      b"X-Custom: yes\r\n"
      b"Date: Fri, 02 Feb 2024 10:00:00 +0000\r\n"
      b"Content-Type: text/plain; charset=iso-8859-1\r\n"
      b"Content-Transfer-Encoding: 8bit\r\n"
      b"\r\n"
      b"K\xe4sebr\xf6tchen " + b"filler " * 300 + b"\r\n")
DATES = ("14-Mar-2023 09:00:00 +0000", "01-Jan-2000 12:00:00 +0000",
         "02-Feb-2024 00:30:00 +0000")


class SearchTestCase(LiteralImapTestCase):
    def new_mailbox(self, enable=None):
        return self.make_mailbox([(msg, "", date) for msg, date in
                                  zip((S1, S2, S3), DATES)], enable)

    def search(self, c, command, expected, literals=()):
        """command gives exactly one untagged line: expected."""
        untagged, tagged = c.command_raw(command, literals)
        self.assertEqual(tagged, "OK Search completed.", command)
        self.assertEqual([u.decode("utf-8") for u in untagged],
                         [expected + "\r\n"] if expected is not None else [],
                         command)


    def tagged_esearch(self, c, command, data):
        """command gives "* ESEARCH (TAG "its tag")" and data."""
        tag = c.peek_tag()
        self.search(c, command, '* ESEARCH (TAG "%s")%s' % (tag, data))


class SearchKeys(SearchTestCase):
    def test_header_keys(self):
        c, _ = self.new_mailbox()
        for command, result in (
                ("SEARCH FROM ann", "1"),
                ("SEARCH FROM \"ANN HARGREAVES\"", "1"),
                ("SEARCH TO ann", "2"),
                ("SEARCH CC ann", "3"),
                ("SEARCH BCC ann", ""),
                ("SEARCH SUBJECT lunch", "1"),
                ("SEARCH SUBJECT trip", "2"),
                ("SEARCH HEADER X-Custom \"\"", "3"),
                ("SEARCH HEADER x-custom YES", "3"),
                ("SEARCH HEADER X-Custom no", ""),
                ("SEARCH HEADER X-Missing \"\"", ""),
        ):
            self.search(c, command, ("* SEARCH " + result).rstrip())

    def test_text_keys(self):
        c, _ = self.new_mailbox()
        for command, result in (
                ("SEARCH BODY marzipan", "1"),
                ("SEARCH BODY pomegranate", "2"),   # base64 body
                ("SEARCH BODY carol", ""),          # only in the header
                ("SEARCH TEXT carol", "3"),
                ("SEARCH TEXT MARZIPAN", "1"),
        ):
            self.search(c, command, ("* SEARCH " + result).rstrip())

    def test_charsets(self):
        c, _ = self.new_mailbox()
        zurich = "Zürich".encode("utf-8")
        self.search(c, b"SEARCH CHARSET UTF-8 SUBJECT {%d}\x00" % len(zurich),
                    "* SEARCH 2", [zurich])
        self.search(c, b"SEARCH SUBJECT {%d}\x00" % len(zurich),
                    "* SEARCH 2", [zurich])
        latin = "Käsebrötchen".encode("iso-8859-1")
        self.search(c, b"SEARCH CHARSET ISO-8859-1 BODY {%d}\x00"
                    % len(latin), "* SEARCH 3", [latin])
        self.search(c, b"SEARCH CHARSET us-ascii BODY filler", "* SEARCH 3")
        untagged, tagged = c.command("SEARCH CHARSET X-UNKNOWN ALL")
        self.assertEqual(untagged, [])
        self.assertEqual(tagged, "NO [BADCHARSET (US-ASCII UTF-8)] Unknown "
                         "charset.")

    def test_dates_and_sizes(self):
        c, _ = self.new_mailbox()
        for command, result in (
                ("SEARCH BEFORE 1-Jan-2001", "2"),
                ("SEARCH BEFORE 14-Mar-2023", "2"),
                ("SEARCH ON 14-Mar-2023", "1"),
                ("SEARCH ON \"02-Feb-2024\"", "3"),
                ("SEARCH SINCE 14-Mar-2023", "1 3"),
                ("SEARCH SENTBEFORE 1-Jan-2000", "2"),
                ("SEARCH SENTON 31-Dec-1999", "2"),
                ("SEARCH SENTSINCE 1-Jan-2024", "3"),
                ("SEARCH LARGER 1000", "3"),
                ("SEARCH SMALLER 1000", "1 2"),
                ("SEARCH LARGER %d" % len(S1), "2 3"),
                ("SEARCH SAVEDATESUPPORTED", "1 2 3"),
                ("SEARCH SAVEDSINCE 1-Jan-2020", "1 2 3"),
                ("SEARCH SAVEDBEFORE 1-Jan-2020", ""),
        ):
            self.search(c, command, ("* SEARCH " + result).rstrip())

    def test_flags(self):
        c, name = self.new_mailbox()
        c.ok("STORE 1 +FLAGS (\\Seen \\Flagged $Work)")
        c.ok("STORE 2 +FLAGS (\\Answered \\Draft)")
        c.ok("STORE 3 +FLAGS (\\Deleted)")
        for command, result in (
                ("SEARCH SEEN", "1"), ("SEARCH UNSEEN", "2 3"),
                ("SEARCH FLAGGED", "1"), ("SEARCH UNFLAGGED", "2 3"),
                ("SEARCH ANSWERED", "2"), ("SEARCH UNANSWERED", "1 3"),
                ("SEARCH DRAFT", "2"), ("SEARCH UNDRAFT", "1 3"),
                ("SEARCH DELETED", "3"), ("SEARCH UNDELETED", "1 2"),
                ("SEARCH KEYWORD $Work", "1"),
                ("SEARCH UNKEYWORD $Work", "2 3"),
                ("SEARCH KEYWORD $Other", ""),
                ("SEARCH RECENT", "1 2 3"), ("SEARCH NEW", "2 3"),
                ("SEARCH OLD", ""), ("SEARCH ALL", "1 2 3"),
        ):
            self.search(c, command, ("* SEARCH " + result).rstrip())
        # \Recent belongs to the session that saw the messages first
        other = self.imap()
        other.ok("SELECT %s" % name)
        self.search(other, "SEARCH RECENT", "* SEARCH")
        self.search(other, "SEARCH OLD", "* SEARCH 1 2 3")

    def test_sets_and_logic(self):
        c, _ = self.new_mailbox()
        for command, result in (
                ("SEARCH 2:*", "2 3"), ("SEARCH *", "3"),
                ("SEARCH 2,1", "1 2"),
                ("SEARCH 5:*", "3"),       # 5:* is 3:5
                ("SEARCH 7", ""),          # no such message: no match
                ("SEARCH UID 2:3", "2 3"), ("SEARCH UID 3:*", "3"),
                ("SEARCH UID 100:*", "3"),
                ("UID SEARCH 1:2", "1 2"),
                ("SEARCH NOT FROM ann", "2 3"),
                ("SEARCH OR FROM ann FROM bob", "1 2"),
                ("SEARCH OR FROM ann OR FROM bob FROM carol", "1 2 3"),
                ("SEARCH (FROM ann SUBJECT lunch)", "1"),
                ("SEARCH (FROM ann SUBJECT trip)", ""),
                ("SEARCH NOT (FROM ann) NOT 3", "2"),
                ("SEARCH FROM ann ALL 1:3", "1"),
        ):
            self.search(c, command, ("* SEARCH " + result).rstrip())

    def test_object_ids(self):
        c, _ = self.new_mailbox()
        untagged, _ = c.command("FETCH 2 EMAILID")
        emailid = re.search(rb"EMAILID \(([^)]+)\)", untagged[0]).group(1)
        self.search(c, "SEARCH EMAILID %s" % emailid.decode(), "* SEARCH 2")
        self.search(c, "SEARCH EMAILID Mnone", "* SEARCH")
        self.search(c, "SEARCH THREADID T1", "* SEARCH")

    def test_modseq(self):
        c, _ = self.new_mailbox()
        untagged, tagged = c.command("SEARCH MODSEQ 1")
        self.assertRegex(untagged[0], rb"^\* OK \[HIGHESTMODSEQ \d+\]")
        highest = int(re.search(rb"\(MODSEQ (\d+)\)", untagged[1]).group(1))
        self.assertEqual(untagged[1], b"* SEARCH 1 2 3 (MODSEQ %d)\r\n"
                         % highest)
        c.ok("STORE 2 +FLAGS (\\Seen)")
        untagged, _ = c.command("FETCH 2 MODSEQ")
        modseq = int(re.search(rb"MODSEQ \((\d+)\)", untagged[0]).group(1))
        self.assertGreater(modseq, highest)
        self.search(c, "SEARCH MODSEQ %d" % modseq,
                    "* SEARCH 2 (MODSEQ %d)" % modseq)
        self.search(c, "SEARCH MODSEQ \"/flags/\\\\Seen\" all %d" % modseq,
                    "* SEARCH 2 (MODSEQ %d)" % modseq)
        self.search(c, "SEARCH MODSEQ %d" % (modseq + 1), "* SEARCH")
        self.tagged_esearch(c, "SEARCH RETURN (COUNT) MODSEQ %d" % modseq,
                            " COUNT 1 MODSEQ %d" % modseq)

    def test_bad(self):
        c, _ = self.new_mailbox()
        for command in ("SEARCH", "SEARCH FOO", "SEARCH NOT", "SEARCH OR ALL",
                        "SEARCH (ALL", "SEARCH ()", "SEARCH BEFORE 32-Jan-2024",
                        "SEARCH LARGER x", "SEARCH UID x", "SEARCH 1,,2",
                        "SEARCH ALL CHARSET UTF-8", "SEARCH RETURN (FOO) ALL",
                        "SEARCH HEADER \"\" x", "SEARCH " + "NOT " * 200 +
                        "ALL"):
            untagged, tagged = c.command(command)
            self.assertEqual(untagged, [], command)
            self.assertTrue(tagged.startswith("BAD"), (command, tagged))


class Esearch(SearchTestCase):
    def test_return_options(self):
        c, _ = self.new_mailbox()
        self.tagged_esearch(c, "SEARCH RETURN (MIN MAX COUNT ALL) 2:*",
                            " MIN 2 MAX 3 ALL 2:3 COUNT 2")
        self.tagged_esearch(c, "UID SEARCH RETURN (MIN MAX COUNT ALL) 2:*",
                            " UID MIN 2 MAX 3 ALL 2:3 COUNT 2")
        self.tagged_esearch(c, "SEARCH RETURN () ALL", " ALL 1:3")
        self.tagged_esearch(c, "SEARCH RETURN (COUNT) DELETED", " COUNT 0")
        # RFC 4731 §3.1: nothing but COUNT when nothing matched
        self.tagged_esearch(c, "SEARCH RETURN (MIN MAX ALL COUNT) DELETED",
                            " COUNT 0")
        self.tagged_esearch(c, "SEARCH RETURN (MAX) 1,3", " MAX 3")

    def test_rev2(self):
        c, name = self.new_mailbox(enable="IMAP4rev2")
        # RFC 9051 §6.4.4: only ESEARCH, ALL by default
        self.tagged_esearch(c, "SEARCH FROM ann", " ALL 1")
        self.tagged_esearch(c, "UID SEARCH ALL", " UID ALL 1:3")
        self.tagged_esearch(c, "SEARCH DELETED", "")
        self.tagged_esearch(c, "SEARCH RETURN (COUNT) ALL", " COUNT 3")


class SearchRes(SearchTestCase):
    def test_saved_result(self):
        c, name = self.new_mailbox()
        # RFC 5182: SAVE alone sends nothing
        self.search(c, "SEARCH RETURN (SAVE) FROM bob", None)
        untagged, tagged = c.command("FETCH $ (UID)")
        self.assertEqual(untagged, [b"* 2 FETCH (UID 2)\r\n"])
        self.search(c, "UID SEARCH $", "* SEARCH 2")
        self.search(c, "SEARCH NOT $", "* SEARCH 1 3")
        self.search(c, "SEARCH UID $", "* SEARCH 2")
        # STORE and COPY take it too
        untagged, tagged = c.command("STORE $ +FLAGS (\\Flagged)")
        self.assertEqual(tagged, "OK Store completed.")
        self.assertEqual(untagged,
                         [b"* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))\r\n"])
        c.ok("CREATE %s-copy" % name)
        untagged, tagged = c.command("UID COPY $ %s-copy" % name)
        self.assertRegex(tagged, r"^OK \[COPYUID \d+ 2 1\] Copy completed\.$")

    def test_min_max_saved(self):
        c, _ = self.new_mailbox()
        self.tagged_esearch(c, "SEARCH RETURN (MIN SAVE) 2:3", " MIN 2")
        self.search(c, "UID SEARCH $", "* SEARCH 2")
        self.tagged_esearch(c, "SEARCH RETURN (MIN MAX SAVE) ALL",
                            " MIN 1 MAX 3")
        self.search(c, "UID SEARCH $", "* SEARCH 1 3")
        self.tagged_esearch(c, "SEARCH RETURN (COUNT SAVE) 1:2", " COUNT 2")
        self.search(c, "UID SEARCH $", "* SEARCH 1 2")

    def test_saved_after_expunge_and_select(self):
        c, name = self.new_mailbox()
        c.command("SEARCH RETURN (SAVE) ALL")
        c.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
        c.ok("EXPUNGE")
        # the expunged message leaves the saved result
        self.search(c, "UID SEARCH $", "* SEARCH 2 3")
        self.search(c, "SEARCH $", "* SEARCH 1 2")
        # a failed SEARCH ... SAVE empties it (RFC 5182 §2.4)
        untagged, tagged = c.command("SEARCH RETURN (SAVE) CHARSET X-NO ALL")
        self.assertTrue(tagged.startswith("NO"))
        self.search(c, "SEARCH $", "* SEARCH")
        c.command("SEARCH RETURN (SAVE) ALL")
        self.search(c, "SEARCH $", "* SEARCH 1 2")
        # SELECT resets it
        c.ok("SELECT %s" % name)
        self.search(c, "SEARCH $", "* SEARCH")
        untagged, tagged = c.command("FETCH $ UID")
        self.assertEqual((untagged, tagged), ([], "OK Fetch completed."))


if __name__ == "__main__":
    main()
