"""FETCH and UID FETCH (RFC 3501/9051 §6.4.5, RFC 3516 BINARY, RFC 7162
CONDSTORE/QRESYNC, RFC 8514 SAVEDATE, RFC 8474 OBJECTID): every item with
its exact response, the implicit \\Seen, sequence sets, errors, and
streaming of big replies in bounded memory."""

import hashlib
import os
import re
import socket
import sys
import time
import unittest

from imap_literal import LiteralImapTestCase
from postern_test import main, scaled

SANITIZED = "ASAN_OPTIONS" in os.environ

M1 = (b"From: Ann <ann@example.org>\r\n"
      b"To: Bob <bob@example.net>\r\n"
      b"Subject: Lunch\r\n"
      b"Date: Tue, 14 Mar 2023 09:26:50 +0000\r\n"
      b"Message-ID: <m1@example.org>\r\n"
      b"\r\n"
      b"Hello Bob,\r\n"
      b"lunch?\r\n")

M2_PART1 = b"See the attachments."
M2_BIN = b"\x00\x01\x02\xffbinary"
M2 = (b"From: Ann <ann@example.org>\r\n"
      b"Subject: Files\r\n"
      b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
      b"\r\n"
      b"--b1\r\n"
      b"Content-Type: text/plain\r\n"
      b"\r\n" + M2_PART1 + b"\r\n"
      b"--b1\r\n"
      b"Content-Type: application/octet-stream\r\n"
      b"Content-Transfer-Encoding: base64\r\n"
      b"\r\n"
      b"AAEC/2JpbmFyeQ==\r\n"
      b"--b1\r\n"
      b"Content-Type: message/rfc822\r\n"
      b"\r\n"
      b"Subject: inner\r\n"
      b"\r\n"
      b"inner body\r\n"
      b"--b1\r\n"
      b"Content-Type: text/plain\r\n"
      b"Content-Transfer-Encoding: x-uuencode\r\n"
      b"\r\n"
      b"begin 644 x\r\n"
      b"--b1\r\n"
      b"Content-Type: text/plain; charset=utf-8\r\n"
      b"Content-Transfer-Encoding: quoted-printable\r\n"
      b"\r\n"
      b"caf=C3=A9 ok=\r\n"
      b"\r\n"
      b"--b1--\r\n")

M3 = (b"From: Monitor <monitor@example.org>\r\n"
      b"Subject: header only\r\n")

# A returned internationalized message (RFC 6533) as message/global
INNER_GLOBAL = (b"Subject: Gr\xc3\xbc\xc3\x9fe\r\n"
                b"\r\n"
                b"Hallo\r\n")
M4 = (b"Subject: Undeliverable\r\n"
      b"Content-Type: multipart/report; report-type=global-delivery-status;"
      b" boundary=\"b\"\r\n"
      b"\r\n"
      b"--b\r\n"
      b"Content-Type: message/global\r\n"
      b"Content-Transfer-Encoding: 8bit\r\n"
      b"\r\n" + INNER_GLOBAL +
      b"--b--\r\n")

DATE = "14-Mar-2023 09:00:00 +0000"


def literal(data, tilde=False):
    return b"%s{%d}\r\n%s" % (b"~" if tilde else b"", len(data), data)


class FetchTestCase(LiteralImapTestCase):
    def new_mailbox(self, messages=(M1, M2, M3), enable=None):
        """A fresh mailbox holding messages, selected in a new session
        (which ENABLEs enable first)."""
        return self.make_mailbox([(msg, "", DATE) for msg in messages],
                                 enable)

    def fetch(self, c, command, expected, tagged="OK Fetch completed."):
        untagged, tag = c.command(command)
        self.assertEqual(tag, tagged, command)
        self.assertEqual(b"".join(untagged), expected, command)


class FetchItems(FetchTestCase):
    def test_simple_items(self):
        c, _ = self.new_mailbox()
        self.fetch(c, "FETCH 1 (FLAGS)", b"* 1 FETCH (FLAGS (\\Recent))\r\n")
        self.fetch(c, "FETCH 1 (UID RFC822.SIZE INTERNALDATE)",
                   b'* 1 FETCH (UID 1 INTERNALDATE "%s" RFC822.SIZE %d)\r\n'
                   % (DATE.encode(), len(M1)))
        self.fetch(c, "UID FETCH 2 RFC822.SIZE",
                   b"* 2 FETCH (UID 2 RFC822.SIZE %d)\r\n" % len(M2))
        self.fetch(c, "FETCH 1 ENVELOPE",
                   b'* 1 FETCH (ENVELOPE ("Tue, 14 Mar 2023 09:26:50 +0000" '
                   b'"Lunch" (("Ann" NIL "ann" "example.org")) '
                   b'(("Ann" NIL "ann" "example.org")) '
                   b'(("Ann" NIL "ann" "example.org")) '
                   b'(("Bob" NIL "bob" "example.net")) NIL NIL NIL '
                   b'"<m1@example.org>"))\r\n')
        self.fetch(c, "FETCH 1 BODY",
                   b'* 1 FETCH (BODY ("text" "plain" ("charset" "us-ascii") '
                   b'NIL NIL "7bit" 20 2))\r\n')
        self.fetch(c, "FETCH 1 BODYSTRUCTURE",
                   b'* 1 FETCH (BODYSTRUCTURE ("text" "plain" ("charset" '
                   b'"us-ascii") NIL NIL "7bit" 20 2 NIL NIL NIL NIL))\r\n')

    def test_macros(self):
        c, _ = self.new_mailbox()
        fast = (b'FLAGS (\\Recent) INTERNALDATE "%s" RFC822.SIZE %d'
                % (DATE.encode(), len(M1)))
        envelope = c.command("FETCH 1 ENVELOPE")[0][0]
        envelope = envelope[envelope.index(b"ENVELOPE"):-3]
        body = c.command("FETCH 1 BODY")[0][0]
        body = body[body.index(b"BODY"):-3]
        self.fetch(c, "FETCH 1 FAST", b"* 1 FETCH (%s)\r\n" % fast)
        self.fetch(c, "FETCH 1 ALL", b"* 1 FETCH (%s %s)\r\n"
                   % (fast, envelope))
        self.fetch(c, "FETCH 1 full", b"* 1 FETCH (%s %s %s)\r\n"
                   % (fast, envelope, body))
        for bad in ("FETCH 1 (FAST)", "FETCH 1 (ALL FLAGS)", "FETCH 1 ALL UID",
                    "FETCH 1 ()", "FETCH 1", "FETCH 1 (FOO)"):
            self.assertTrue(c.command(bad)[1].startswith("BAD"), bad)

    def test_ids_and_dates(self):
        c, _ = self.new_mailbox()
        untagged, tagged = c.command("FETCH 1:2 (EMAILID THREADID SAVEDATE)")
        self.assertEqual(tagged, "OK Fetch completed.")
        ids = []
        for n, line in enumerate(untagged, 1):
            m = re.fullmatch(rb'\* %d FETCH \(SAVEDATE "\d\d-[A-Z][a-z]{2}-'
                             rb'\d{4} \d\d:\d\d:\d\d [+-]\d{4}" EMAILID '
                             rb'\(([A-Za-z0-9_-]{1,255})\) THREADID NIL\)'
                             rb'\r\n' % n, line)
            self.assertIsNotNone(m, line)
            ids.append(m.group(1))
        self.assertNotEqual(ids[0], ids[1])
        # RFC 8474 §5.1: COPY keeps the EMAILID
        c.ok("CREATE idcopy")
        c.ok("COPY 1 idcopy")
        c.ok("SELECT idcopy")
        self.fetch(c, "FETCH 1 EMAILID",
                   b"* 1 FETCH (EMAILID (%s))\r\n" % ids[0])

    def test_internaldate_zone(self):
        c, name = self.new_mailbox(())
        c.append(name, M1, date="14-Mar-2023 10:00:00 +0100")
        c.ok("NOOP")
        self.fetch(c, "FETCH 1 INTERNALDATE",
                   b'* 1 FETCH (INTERNALDATE "14-Mar-2023 10:00:00 +0100")'
                   b'\r\n')
        # a copy keeps it
        c.ok('COPY 1 "%s"' % name)
        c.ok("NOOP")
        self.fetch(c, "FETCH 2 INTERNALDATE",
                   b'* 2 FETCH (INTERNALDATE "14-Mar-2023 10:00:00 +0100")'
                   b'\r\n')


class FetchSections(FetchTestCase):
    def test_body_sections(self):
        c, _ = self.new_mailbox()
        header, text = M1.split(b"\r\n\r\n", 1)
        header += b"\r\n\r\n"
        self.fetch(c, "FETCH 1 BODY.PEEK[]",
                   b"* 1 FETCH (BODY[] %s)\r\n" % literal(M1))
        self.fetch(c, "FETCH 1 BODY.PEEK[HEADER]",
                   b"* 1 FETCH (BODY[HEADER] %s)\r\n" % literal(header))
        self.fetch(c, "FETCH 1 BODY.PEEK[TEXT]",
                   b"* 1 FETCH (BODY[TEXT] %s)\r\n" % literal(text))
        self.fetch(c, "FETCH 1 BODY.PEEK[1]",
                   b"* 1 FETCH (BODY[1] %s)\r\n" % literal(text))
        self.fetch(c, "FETCH 1 BODY.PEEK[1.MIME]",
                   b"* 1 FETCH (BODY[1.MIME] %s)\r\n" % literal(header))
        self.fetch(c, 'FETCH 1 BODY.PEEK[HEADER.FIELDS (subject "FROM")]',
                   b"* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT FROM)] %s)\r\n"
                   % literal(b"From: Ann <ann@example.org>\r\n"
                             b"Subject: Lunch\r\n\r\n"))
        self.fetch(c, "FETCH 1 BODY.PEEK[HEADER.FIELDS.NOT (Subject From "
                   "Date Message-ID)]",
                   b"* 1 FETCH (BODY[HEADER.FIELDS.NOT (SUBJECT FROM DATE "
                   b"MESSAGE-ID)] %s)\r\n"
                   % literal(b"To: Bob <bob@example.net>\r\n\r\n"))
        # meaningless or missing sections are the empty string
        self.fetch(c, "FETCH 1 (BODY.PEEK[2] BODY.PEEK[1.HEADER] "
                   "BODY.PEEK[1.1])",
                   b'* 1 FETCH (BODY[2] "" BODY[1.HEADER] "" BODY[1.1] "")'
                   b'\r\n')

    def test_partial(self):
        c, _ = self.new_mailbox()
        self.fetch(c, "FETCH 1 (BODY.PEEK[]<0.4> BODY.PEEK[TEXT]<6.3>)",
                   b"* 1 FETCH (BODY[]<0> {4}\r\nFrom BODY[TEXT]<6> "
                   b"{3}\r\nBob)\r\n")
        # RFC 3501 §6.4.5: cut at the end, empty past it, and <0> stays
        self.fetch(c, "FETCH 1 BODY.PEEK[]<0.100000>",
                   b"* 1 FETCH (BODY[]<0> %s)\r\n" % literal(M1))
        self.fetch(c, "FETCH 1 BODY.PEEK[]<%d.10>" % (len(M1) - 2),
                   b"* 1 FETCH (BODY[]<%d> {2}\r\n\r\n)\r\n"
                   % (len(M1) - 2))
        self.fetch(c, "FETCH 1 BODY.PEEK[]<100000.10>",
                   b'* 1 FETCH (BODY[]<100000> "")\r\n')
        # partial of HEADER.FIELDS after the filtering
        self.fetch(c, "FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]<9.5>",
                   b"* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)]<9> {5}\r\n"
                   b"Lunch)\r\n")
        for bad in ("BODY.PEEK[]<5>", "BODY.PEEK[]<1.0>", "BODY.PEEK[]<-1.2>",
                    "BODY[]<1.2", "BINARY.SIZE[1]<0.1>"):
            self.assertTrue(c.command("FETCH 1 " + bad)[1].startswith("BAD"),
                            bad)

    def test_multipart_sections(self):
        c, _ = self.new_mailbox()
        self.fetch(c, "FETCH 2 (BODY.PEEK[1] BODY.PEEK[3.HEADER] "
                   "BODY.PEEK[3.TEXT] BODY.PEEK[3.1] BODY.PEEK[2.MIME])",
                   b"* 2 FETCH (BODY[1] %s BODY[3.HEADER] %s BODY[3.TEXT] %s "
                   b"BODY[3.1] %s BODY[2.MIME] %s)\r\n"
                   % (literal(M2_PART1),
                      literal(b"Subject: inner\r\n\r\n"),
                      literal(b"inner body"), literal(b"inner body"),
                      literal(b"Content-Type: application/octet-stream\r\n"
                              b"Content-Transfer-Encoding: base64\r\n\r\n")))
        self.fetch(c, "FETCH 2 BODY.PEEK[3]",
                   b"* 2 FETCH (BODY[3] %s)\r\n"
                   % literal(b"Subject: inner\r\n\r\ninner body"))

    def test_header_only_message(self):
        c, _ = self.new_mailbox()
        # RFC 3501 §6.4.5: no blank line for a message with no body and no
        # blank line
        self.fetch(c, "FETCH 3 (BODY.PEEK[HEADER.FIELDS (SUBJECT)] "
                   "BODY.PEEK[HEADER] BODY.PEEK[TEXT])",
                   b'* 3 FETCH (BODY[HEADER.FIELDS (SUBJECT)] %s BODY[HEADER] '
                   b'%s BODY[TEXT] "")\r\n'
                   % (literal(b"Subject: header only\r\n"), literal(M3)))

    def test_message_global_structure(self):
        # IMAP4rev1 knows only MESSAGE/RFC822 as a message: message/global
        # is a basic body; IMAP4rev2 shows it like MESSAGE/RFC822 (RFC
        # 9051 §7.5.2), with the encapsulated envelope, structure, lines
        basic = b'("message" "global" NIL NIL NIL "8bit" 25'
        params = (b'("report-type" "global-delivery-status" "boundary" "b")'
                  b' NIL NIL NIL')
        envelope = (b'(NIL %s NIL NIL NIL NIL NIL NIL NIL NIL)'
                    % literal(b"Gr\xc3\xbc\xc3\x9fe"))
        inner = b'("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 0'
        c, _ = self.new_mailbox([M4])
        self.fetch(c, "FETCH 1 (BODYSTRUCTURE BODY)",
                   b'* 1 FETCH (BODY (%s) "report") BODYSTRUCTURE '
                   b'(%s NIL NIL NIL NIL) "report" %s))\r\n'
                   % (basic, basic, params))
        c, _ = self.new_mailbox([M4], enable="IMAP4rev2")
        self.fetch(c, "FETCH 1 (BODYSTRUCTURE BODY)",
                   b'* 1 FETCH (BODY (%s %s %s) 2) "report") BODYSTRUCTURE '
                   b'(%s %s %s NIL NIL NIL NIL) 2 NIL NIL NIL NIL) "report" '
                   b'%s))\r\n'
                   % (basic, envelope, inner, basic, envelope, inner, params))

    def test_rfc822_items(self):
        c, _ = self.new_mailbox()
        header, text = M1.split(b"\r\n\r\n", 1)
        self.fetch(c, "FETCH 1 RFC822.HEADER",
                   b"* 1 FETCH (RFC822.HEADER %s)\r\n"
                   % literal(header + b"\r\n\r\n"))
        self.fetch(c, "FETCH 1 FLAGS", b"* 1 FETCH (FLAGS (\\Recent))\r\n")
        self.fetch(c, "FETCH 1 RFC822.TEXT",
                   b"* 1 FETCH (FLAGS (\\Seen \\Recent) RFC822.TEXT %s)\r\n"
                   % literal(text))
        self.fetch(c, "FETCH 1 RFC822",
                   b"* 1 FETCH (RFC822 %s)\r\n" % literal(M1))


class FetchBinary(FetchTestCase):
    def test_binary(self):
        c, _ = self.new_mailbox()
        self.fetch(c, "FETCH 2 (BINARY.PEEK[2] BINARY.SIZE[2])",
                   b"* 2 FETCH (BINARY[2] %s BINARY.SIZE[2] %d)\r\n"
                   % (literal(M2_BIN, tilde=True), len(M2_BIN)))
        self.fetch(c, "FETCH 2 BINARY.PEEK[2]<3.4>",
                   b"* 2 FETCH (BINARY[2]<3> %s)\r\n"
                   % literal(M2_BIN[3:7], tilde=True))
        self.fetch(c, "FETCH 2 (BINARY.PEEK[5] BINARY.SIZE[5])",
                   b"* 2 FETCH (BINARY[5] %s BINARY.SIZE[5] 8)\r\n"
                   % literal("café ok".encode(), tilde=True))
        # identity encodings are sent as they are, in an ordinary literal
        self.fetch(c, "FETCH 2 (BINARY.PEEK[1] BINARY.SIZE[1])",
                   b"* 2 FETCH (BINARY[1] %s BINARY.SIZE[1] %d)\r\n"
                   % (literal(M2_PART1), len(M2_PART1)))
        # composite parts are not decoded
        self.fetch(c, "FETCH 2 BINARY.PEEK[3]",
                   b"* 2 FETCH (BINARY[3] %s)\r\n"
                   % literal(b"Subject: inner\r\n\r\ninner body"))
        self.fetch(c, "FETCH 2 BINARY.PEEK[9]", b'* 2 FETCH (BINARY[9] "")\r\n')
        for bad in ("BINARY[HEADER]", "BINARY[1.MIME]", "BINARY[1.TEXT]",
                    "BINARY.SIZE[]<0.1>"):
            self.assertTrue(c.command("FETCH 2 " + bad)[1].startswith("BAD"),
                            bad)

    def test_unknown_cte(self):
        c, _ = self.new_mailbox()
        # RFC 3516 §4.3: NO [UNKNOWN-CTE], for the size too; the session
        # goes on and the other parts decode
        for item in ("BINARY.PEEK[4]", "BINARY.SIZE[4]",
                     "(BINARY.SIZE[1] BINARY.SIZE[4])"):
            untagged, tagged = c.command("FETCH 2 " + item)
            self.assertEqual(untagged, [])
            self.assertTrue(tagged.startswith("NO [UNKNOWN-CTE]"), tagged)
        self.fetch(c, "FETCH 2 BINARY.SIZE[2]",
                   b"* 2 FETCH (BINARY.SIZE[2] %d)\r\n" % len(M2_BIN))
        # BODY[4] is no problem
        self.fetch(c, "FETCH 2 BODY.PEEK[4]",
                   b"* 2 FETCH (BODY[4] %s)\r\n" % literal(b"begin 644 x"))

    def test_nul_in_body(self):
        msg = b"Subject: nul\r\nContent-Transfer-Encoding: binary\r\n\r\na\0b\r\n"
        c, _ = self.new_mailbox((msg,))
        # BODY[] can't carry NUL (RFC 9051 §4.3): 0x80 instead; BINARY can
        self.fetch(c, "FETCH 1 (BODY.PEEK[TEXT] BINARY.PEEK[1])",
                   b"* 1 FETCH (BODY[TEXT] %s BINARY[1] %s)\r\n"
                   % (literal(b"a\x80b\r\n"),
                      literal(b"a\0b\r\n", tilde=True)))


class FetchSeen(FetchTestCase):
    def test_implicit_seen(self):
        c, name = self.new_mailbox()
        other = self.imap()
        other.ok("SELECT %s" % name)
        self.fetch(c, "FETCH 1 BODY.PEEK[TEXT]<0.5>",
                   b"* 1 FETCH (BODY[TEXT]<0> {5}\r\nHello)\r\n")
        # BODY[] sets \Seen and says so (RFC 3501 §6.4.5)
        self.fetch(c, "FETCH 1 BODY[TEXT]<0.5>",
                   b"* 1 FETCH (FLAGS (\\Seen \\Recent) BODY[TEXT]<0> {5}\r\n"
                   b"Hello)\r\n")
        # the second time nothing changes: no FLAGS
        self.fetch(c, "FETCH 1 BODY[TEXT]<0.5>",
                   b"* 1 FETCH (BODY[TEXT]<0> {5}\r\nHello)\r\n")
        # BINARY sets it too; BINARY.SIZE doesn't
        self.fetch(c, "FETCH 2 BINARY.SIZE[1]",
                   b"* 2 FETCH (BINARY.SIZE[1] %d)\r\n" % len(M2_PART1))
        self.fetch(c, "FETCH 2 BINARY[1]",
                   b"* 2 FETCH (FLAGS (\\Seen \\Recent) BINARY[1] %s)\r\n"
                   % literal(M2_PART1))
        # another session is told with its next command
        untagged, tagged = other.command("NOOP")
        self.assertEqual(tagged, "OK NOOP completed.")
        self.assertEqual(sorted(untagged),
                         [b"* 1 FETCH (UID 1 FLAGS (\\Seen))\r\n",
                          b"* 2 FETCH (UID 2 FLAGS (\\Seen))\r\n"])
        # requested FLAGS appear once
        self.fetch(c, "FETCH 3 (FLAGS BODY[TEXT])",
                   b'* 3 FETCH (FLAGS (\\Seen \\Recent) BODY[TEXT] "")\r\n')

    def test_examine_no_seen(self):
        _, name = self.new_mailbox()
        c = self.imap()
        c.ok("EXAMINE %s" % name)
        self.fetch(c, "FETCH 1 BODY[TEXT]<0.5>",
                   b"* 1 FETCH (BODY[TEXT]<0> {5}\r\nHello)\r\n")
        self.fetch(c, "FETCH 1 FLAGS", b"* 1 FETCH (FLAGS ())\r\n")

    def test_condstore_seen(self):
        c, _ = self.new_mailbox(enable="CONDSTORE")
        untagged, tagged = c.command("FETCH 1 BODY[TEXT]<0.5>")
        self.assertEqual(tagged, "OK Fetch completed.")
        # RFC 7162 §3.2: with the flags, the new MODSEQ
        self.assertRegex(untagged[0], rb"^\* 1 FETCH \(FLAGS \(\\Seen "
                         rb"\\Recent\) MODSEQ \(\d+\) BODY\[TEXT\]<0> "
                         rb"\{5\}\r\nHello\)\r\n$")


class FetchSets(FetchTestCase):
    def test_sequence_sets(self):
        c, _ = self.new_mailbox()
        self.fetch(c, "FETCH 2:* UID",
                   b"* 2 FETCH (UID 2)\r\n* 3 FETCH (UID 3)\r\n")
        self.fetch(c, "FETCH *:2 UID",
                   b"* 2 FETCH (UID 2)\r\n* 3 FETCH (UID 3)\r\n")
        self.fetch(c, "FETCH 3,1 UID",
                   b"* 1 FETCH (UID 1)\r\n* 3 FETCH (UID 3)\r\n")
        self.fetch(c, "FETCH * UID", b"* 3 FETCH (UID 3)\r\n")
        # RFC 9051 §6.4.8: 100:* includes the highest UID
        self.fetch(c, "UID FETCH 100:* FLAGS",
                   b"* 3 FETCH (UID 3 FLAGS (\\Recent))\r\n")
        self.fetch(c, "UID FETCH 4:99 FLAGS", b"")
        for bad in ("FETCH 4 UID", "FETCH 2:4 UID", "FETCH 0 UID",
                    "FETCH 1:0 UID", "FETCH x UID", "FETCH 1, UID",
                    "UID FETCH 0 UID"):
            untagged, tagged = c.command(bad)
            self.assertEqual(untagged, [], bad)
            self.assertTrue(tagged.startswith("BAD"), (bad, tagged))

    def test_empty_mailbox(self):
        c, _ = self.new_mailbox(())
        for bad in ("FETCH 1 UID", "FETCH * UID", "FETCH 1:* UID"):
            self.assertTrue(c.command(bad)[1].startswith("BAD"), bad)
        self.fetch(c, "UID FETCH 1:* UID", b"")

    def test_not_selected(self):
        c = self.imap()
        self.assertTrue(c.command("FETCH 1 UID")[1].startswith("BAD"))


class FetchModseq(FetchTestCase):
    def test_modseq_changedsince(self):
        c, _ = self.new_mailbox()
        untagged, tagged = c.command("FETCH 1:* (UID MODSEQ)")
        # the first CONDSTORE-enabling command (RFC 7162 §3.1)
        self.assertRegex(untagged[0], rb"^\* OK \[HIGHESTMODSEQ \d+\]")
        modseqs = [int(re.search(rb"MODSEQ \((\d+)\)", l).group(1))
                   for l in untagged[1:]]
        self.assertEqual(len(modseqs), 3)
        c.ok("STORE 2 +FLAGS.SILENT (\\Flagged)")
        untagged, tagged = c.command("FETCH 1:* (FLAGS) (CHANGEDSINCE %d)"
                                     % max(modseqs))
        self.assertEqual(tagged, "OK Fetch completed.")
        self.assertEqual(len(untagged), 1)
        self.assertRegex(untagged[0], rb"^\* 2 FETCH \(FLAGS \(\\Flagged "
                         rb"\\Recent\) MODSEQ \(\d+\)\)\r\n$")
        for bad in ("FETCH 1 FLAGS (CHANGEDSINCE x)",
                    "FETCH 1 FLAGS (CHANGEDSINCE 1 VANISHED)",
                    "FETCH 1 FLAGS (FOO 1)"):
            self.assertTrue(c.command(bad)[1].startswith("BAD"), bad)

    def test_vanished(self):
        c, name = self.new_mailbox(enable="QRESYNC")
        untagged, _ = c.command("FETCH 3 MODSEQ")
        modseq = int(re.search(rb"MODSEQ \((\d+)\)", untagged[0]).group(1))
        c.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
        c.ok("EXPUNGE")
        c.ok("UID STORE 3 +FLAGS.SILENT (\\Answered)")
        # RFC 7162 §3.2.6: VANISHED (EARLIER) for the expunged UIDs of the
        # set, then the changed messages
        untagged, tagged = c.command("UID FETCH 1:10 (FLAGS) (CHANGEDSINCE "
                                     "%d VANISHED)" % modseq)
        self.assertEqual(tagged, "OK Fetch completed.")
        self.assertEqual(untagged[0], b"* VANISHED (EARLIER) 1\r\n")
        self.assertRegex(untagged[1], rb"^\* 2 FETCH \(UID 3 FLAGS "
                         rb"\(\\Answered( \\Recent)?\) MODSEQ \(\d+\)\)"
                         rb"\r\n$")
        self.assertEqual(len(untagged), 2)
        # only in UID FETCH, only with CHANGEDSINCE
        self.assertTrue(c.command("FETCH 1 FLAGS (CHANGEDSINCE 1 VANISHED)")
                        [1].startswith("BAD"))
        self.assertTrue(c.command("UID FETCH 1 FLAGS (VANISHED)")[1]
                        .startswith("BAD"))


def worker_pid(server):
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
            with open("/proc/%s/comm" % entry) as f:
                comm = f.read().strip()
        except OSError:
            continue
        if comm == "postern-worker" and \
                int(stat.rsplit(")", 1)[1].split()[1]) == server.proc.pid:
            return int(entry)
    raise AssertionError("no worker")


def rss_anon(pid):
    """Private memory of the process (file pages of mapped mail don't
    count)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no RssAnon")


class FetchStreaming(FetchTestCase):
    # A client that reads slowly: the server must stop producing when its
    # output queue is full, not buffer the reply.
    def slow_read(self, c, command, pid):
        """Runs command, reading its reply slowly; returns the reply's
        bytes and how much the worker's private memory grew meanwhile."""
        tag = c.next_tag()
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        c.send(("%s %s\r\n" % (tag, command)).encode())
        base = peak = rss_anon(pid)
        chunks = []
        received = 0
        end = re.compile(rb"(^|\r\n)" + tag.encode() + rb" [^\r\n]*\r\n$")
        deadline = time.time() + scaled(300)
        while True:
            self.assertLess(time.time(), deadline)
            data = c.sock.recv(256 * 1024)
            self.assertTrue(data, "connection closed")
            chunks.append(data)
            received += len(data)
            if received % (4 << 20) < len(data):
                peak = max(peak, rss_anon(pid))
                time.sleep(0.01)
            if end.search(b"".join(chunks[-2:])[-300:]):
                break
        sys.stderr.write("[worker private memory grew %d KiB] "
                         % ((peak - base) // 1024))
        return b"".join(chunks), peak - base, tag

    def test_big_body(self):
        size = 50 * 1024 * 1024
        line = b"x" * 998 + b"\r\n"
        body = line * (size // len(line))
        msg = b"Subject: big\r\n\r\n" + body
        c, name = self.new_mailbox(())
        self.assertTrue(c.append(name, msg, date=DATE).startswith("OK"))
        c.ok("NOOP")
        pid = worker_pid(self.server)
        reply, growth, tag = self.slow_read(c, "FETCH 1 BODY.PEEK[TEXT]", pid)
        expected = (b"* 1 FETCH (BODY[TEXT] %s)\r\n%s OK Fetch completed."
                    b"\r\n" % (literal(body), tag.encode()))
        self.assertEqual(len(reply), len(expected))
        self.assertTrue(reply == expected, "reply differs")
        if not SANITIZED:
            self.assertLess(growth, 16 << 20, "worker grew %d bytes" % growth)

    def test_many_messages(self):
        count = 10000
        c, name = self.new_mailbox(())
        # drop the messages straight into the maildir: faster than APPEND
        # and a sync of new files on the way
        maildir = os.path.join(self.server.dir, "mail", "alice",
                               ".%s" % name)
        self.assertTrue(os.path.isdir(os.path.join(maildir, "new")), maildir)
        for i in range(count):
            with open(os.path.join(maildir, "new", "%d.M%dP1.test" % (
                    1700000000 + i, i)), "wb") as f:
                f.write(b"Subject: message %d\r\nX-Filler: %s\r\n\r\n"
                        b"body %d\r\n" % (i, b"f" * 1000, i))
        untagged, tagged = c.command("NOOP")
        self.assertIn(b"* %d EXISTS\r\n" % count, untagged)
        pid = worker_pid(self.server)
        reply, growth, tag = self.slow_read(
            c, "FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER])", pid)
        self.assertEqual(reply.count(b" FETCH (UID "), count)
        # the reply is over 10 MB: it went out in pieces
        self.assertGreater(len(reply), 10 << 20)
        if not SANITIZED:
            self.assertLess(growth, 8 << 20, "worker grew %d bytes" % growth)
        # every message was answered, in order
        untagged, tagged = c.command("FETCH 1:* UID")
        self.assertEqual(tagged, "OK Fetch completed.")
        self.assertEqual(len(untagged), count)
        self.assertEqual(untagged[-1], b"* %d FETCH (UID %d)\r\n"
                         % (count, count))


if __name__ == "__main__":
    main()
