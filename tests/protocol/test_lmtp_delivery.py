"""LMTP delivery end to end: the message reaches the maildir byte for byte
behind the trace headers, one reply per accepted recipient with mixed
results, +detail folders, pipelining across transactions, BDAT chunks,
size limits during DATA and BDAT, a connection dropped mid-message
(nothing delivered, nothing half-written left), a graceful stop that lets
a delivery finish, and postern-deliver's exit codes."""

import os
import signal
import socket
import subprocess
import time
import unittest

from lmtp_helpers import (DOMAIN, PASSWORD, LMTPClient, lmtp_server,
                          maildir_messages, maildir_tmp_files,
                          split_trace_headers)
from postern_test import LineClient, POSTERND, ServerTestCase, main, scaled

POSTERN_DELIVER = os.environ.get(
    "POSTERN_DELIVER",
    os.path.join(os.path.dirname(os.path.abspath(POSTERND)), "..",
                 "deliver", "postern-deliver"))

BODY = (b"From: Sender <sender@example.test>\r\n"
        b"To: alice@example.test\r\n"
        b"Subject: =?utf-8?q?caf=C3=A9?=\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n"
        b"\r\n"
        b"caf\xc3\xa9 8-bit text\r\n"
        b".a line with a leading dot\r\n"
        b"..two dots\r\n"
        b".\tdot tab\r\n"
        b"\r\n"
        + b"x" * 2000 + b"\r\n"
        b"last line\r\n")


def addr(user):
    return "%s@%s" % (user, DOMAIN)


class LMTPDeliveryTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = lmtp_server(lmtp_config="max_message_size = 1M\n")
        cls.server.start()

    def client(self):
        c = LMTPClient(self.server.ports["lmtp"])
        self.addCleanup(c.close)
        self.assertEqual(c.lhlo().code, 250)
        return c

    def inbox(self, user, folder="INBOX"):
        return maildir_messages(self.server, user, folder)

    def wait_count(self, user, count, folder="INBOX"):
        """Deliveries are durable before the reply, so this is immediate;
        the loop only guards against a slow file system listing."""
        for _ in range(20):
            msgs = self.inbox(user, folder)
            if len(msgs) >= count:
                return msgs
            time.sleep(0.05)
        return self.inbox(user, folder)

    def deliver(self, user, body, sender="sender@example.test"):
        c = self.client()
        replies = c.envelope(sender, [addr(user)])
        self.assertEqual([r.code for r in replies], [250, 250], replies)
        return c.data(body, 1)[0]

    def test_byte_exact_with_trace_headers(self):
        before = len(self.inbox("bob"))
        r = self.deliver("bob", BODY)
        self.assertEqual((r.code, r.esc), (250, "2.0.0"), r)
        self.assertIn("<%s>" % addr("bob"), r.text)
        msgs = self.wait_count("bob", before + 1)
        trace, rest = split_trace_headers(msgs[-1])
        self.assertEqual(rest, BODY)
        self.assertEqual(trace["Return-Path"], "<sender@example.test>")
        self.assertEqual(trace["Delivered-To"], addr("bob"))
        self.assertIn("from client.example.test ([127.0.0.1])",
                      trace["Received"])
        self.assertIn("with LMTP id", trace["Received"])
        self.assertIn("for <%s>;" % addr("bob"), trace["Received"])

    def test_null_sender_and_bare_lf(self):
        before = len(self.inbox("bob"))
        c = self.client()
        c.envelope("", [addr("bob")])
        self.assertEqual(c.cmd("DATA").code, 354)
        c.send(b"Subject: lf\n\nbare LF lines\n.\r\n")
        self.assertEqual(c.reply().code, 250)
        msgs = self.wait_count("bob", before + 1)
        trace, rest = split_trace_headers(msgs[-1])
        self.assertEqual(trace["Return-Path"], "<>")
        # storage writes CRLF
        self.assertEqual(rest, b"Subject: lf\r\n\r\nbare LF lines\r\n")

    def test_mixed_recipients(self):
        before = {u: len(self.inbox(u)) for u in ("alice", "bob")}
        c = self.client()
        rcpts = [addr("alice"), addr("nobody"), addr("bob"), addr("carol"),
                 "alice+nosuchfolder@" + DOMAIN]
        replies = c.envelope("sender@example.test", rcpts)
        # carol (10 bytes of quota) fits at RCPT time without SIZE=
        self.assertEqual([(r.code, r.esc) for r in replies[1:]],
                         [(250, "2.1.5"), (550, "5.1.1"), (250, "2.1.5"),
                          (250, "2.1.5"), (250, "2.1.5")])
        replies = c.data(BODY, 4)
        self.assertEqual([(r.code, r.esc) for r in replies],
                         [(250, "2.0.0"), (250, "2.0.0"), (552, "5.2.2"),
                          (250, "2.0.0")])
        for r, rcpt in zip(replies, [rcpts[0], rcpts[2], rcpts[3],
                                     rcpts[4]]):
            self.assertIn("<%s>" % rcpt, r.text)
        self.assertEqual(c.cmd("NOOP").code, 250)
        alice = self.wait_count("alice", before["alice"] + 2)
        self.assertEqual(len(alice), before["alice"] + 2)
        self.assertEqual(len(self.inbox("bob")), before["bob"] + 1)
        delivered_to = sorted(split_trace_headers(m)[0]["Delivered-To"]
                              for m in alice[-2:])
        self.assertEqual(delivered_to, sorted([rcpts[0], rcpts[4]]))
        self.assertEqual(self.inbox("carol"), [])

    def test_detail_folder(self):
        # alice's folder "lists", made as another program would make it
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(self.server.dir, "home", "alice",
                                     "Maildir", ".lists", sub),
                        exist_ok=True)
        before = len(self.inbox("alice"))
        r = self.deliver("alice+lists", BODY)
        self.assertEqual(r.code, 250, r)
        msgs = self.wait_count("alice", 1, "lists")
        self.assertEqual(len(msgs), 1)
        self.assertEqual(split_trace_headers(msgs[0])[1], BODY)
        self.assertEqual(len(self.inbox("alice")), before)

    def test_pipelined_transactions(self):
        before = len(self.inbox("bob"))
        c = self.client()
        c.send(b"MAIL FROM:<a@example.test>\r\nRCPT TO:<bob@example.test>\r\n"
               b"DATA\r\n")
        self.assertEqual([c.reply().code for _ in range(3)], [250, 250, 354])
        # the end of one message and the next envelope in one packet
        c.send(b"Subject: one\r\n\r\n1\r\n.\r\nMAIL FROM:<b@example.test>\r\n"
               b"RCPT TO:<bob@example.test>\r\nDATA\r\n")
        self.assertEqual([c.reply().code for _ in range(4)],
                         [250, 250, 250, 354])
        c.send(b"Subject: two\r\n\r\n2\r\n.\r\nQUIT\r\n")
        self.assertEqual([c.reply().code for _ in range(2)], [250, 221])
        msgs = self.wait_count("bob", before + 2)
        self.assertEqual([split_trace_headers(m)[1] for m in msgs[-2:]],
                         [b"Subject: one\r\n\r\n1\r\n",
                          b"Subject: two\r\n\r\n2\r\n"])

    def test_bdat_chunks(self):
        before = {u: len(self.inbox(u)) for u in ("alice", "bob")}
        c = self.client()
        c.envelope("s@example.test", [addr("alice"), addr("bob")])
        # BDAT is not dot-stuffed: a "." line inside stays
        part1 = b"Subject: chunks\r\n\r\nfirst\r\n.\r\n"
        part2 = b"..second\r\n"
        c.send(b"BDAT %d\r\n%sBDAT %d\r\n%sBDAT 0 LAST\r\n"
               % (len(part1), part1, len(part2), part2))
        r1, r2 = c.reply(), c.reply()
        self.assertEqual((r1.code, r2.code), (250, 250))
        self.assertIn("%d octets" % len(part1), r1.text)
        replies = [c.reply(), c.reply()]
        self.assertEqual([(r.code, r.esc) for r in replies],
                         [(250, "2.0.0")] * 2)
        for user in ("alice", "bob"):
            msgs = self.wait_count(user, before[user] + 1)
            self.assertEqual(split_trace_headers(msgs[-1])[1], part1 + part2)

    def test_bdat_last_only(self):
        before = len(self.inbox("bob"))
        c = self.client()
        c.envelope("s@example.test", [addr("bob")])
        body = b"Subject: one chunk\r\n\r\nbody"
        c.send(b"BDAT %d LAST\r\n%s" % (len(body), body))
        self.assertEqual(c.reply().code, 250)
        msgs = self.wait_count("bob", before + 1)
        # no CRLF added at the end: the bytes are what was sent
        self.assertEqual(split_trace_headers(msgs[-1])[1], body)
        c.envelope("s@example.test", [addr("bob")])
        r = c.cmd("BDAT 0 LAST")
        self.assertEqual(r.code, 250)

    def test_large_message_streams(self):
        before = len(self.inbox("bob"))
        line = b"0123456789" * 9 + b"\r\n"
        body = b"Subject: big\r\n\r\n" + line * 9000  # ~900 KB
        r = self.deliver("bob", body)
        self.assertEqual(r.code, 250, r)
        msgs = self.wait_count("bob", before + 1)
        self.assertEqual(split_trace_headers(msgs[-1])[1], body)

    def test_oversize_data(self):
        before = {u: len(self.inbox(u)) for u in ("alice", "bob")}
        c = self.client()
        c.envelope("s@example.test", [addr("alice"), addr("bob")])
        body = b"Subject: too big\r\n\r\n" + (b"y" * 998 + b"\r\n") * 1100
        replies = c.data(body, 2)
        self.assertEqual([(r.code, r.esc) for r in replies],
                         [(552, "5.3.4")] * 2)
        self.assertEqual(c.cmd("NOOP").code, 250)
        for user in ("alice", "bob"):
            self.assertEqual(len(self.inbox(user)), before[user])

    def test_oversize_bdat(self):
        before = len(self.inbox("bob"))
        c = self.client()
        c.envelope("s@example.test", [addr("bob")])
        chunk = b"z" * (600 * 1024)
        c.send(b"BDAT %d\r\n%s" % (len(chunk), chunk))
        self.assertEqual(c.reply().code, 250)
        c.send(b"BDAT %d\r\n%s" % (len(chunk), chunk))
        r = c.reply()
        self.assertEqual((r.code, r.esc), (552, "5.3.4"))
        r = c.cmd("BDAT 0 LAST")
        self.assertEqual((r.code, r.esc), (503, "5.5.1"))
        self.assertEqual(c.cmd("RSET").code, 250)
        c.envelope("s@example.test", [addr("bob")])
        c.send(b"BDAT %d LAST\r\n%s%s" % (2 * len(chunk), chunk, chunk))
        r = c.reply()
        self.assertEqual((r.code, r.esc), (552, "5.3.4"))
        self.assertEqual(len(self.inbox("bob")), before)

    def test_rset_while_chunks_are_written(self):
        """RSET right after a big BDAT chunk, while its bytes are still
        being written on the thread pool (a use-after-free once)."""
        before = len(self.inbox("bob"))
        c = self.client()
        chunk = b"w" * (300 * 1024)
        for _ in range(10):
            c.envelope("s@example.test", [addr("bob")])
            c.send(b"BDAT %d\r\n%sRSET\r\n" % (len(chunk), chunk))
            self.assertEqual([c.reply().code, c.reply().code], [250, 250])
        c.send(b"BDAT 100\r\n" + b"v" * 100 + b"QUIT\r\n")
        self.assertEqual(c.reply().code, 503)
        self.assertEqual(c.reply().code, 221)
        self.assertEqual(len(self.inbox("bob")), before)

    def test_dropped_connection_mid_data(self):
        before = len(self.inbox("alice"))
        c = self.client()
        c.envelope("s@example.test", [addr("alice")])
        self.assertEqual(c.cmd("DATA").code, 354)
        c.send(b"Subject: cut\r\n\r\n" + b"partial\r\n" * 20000)
        c.sock.shutdown(socket.SHUT_RDWR)
        c.close()
        time.sleep(scaled(0.5))
        self.assertEqual(len(self.inbox("alice")), before)
        self.assertEqual(maildir_tmp_files(self.server), [])
        self.assertIn("nothing delivered", self.server.read_log())

    def test_delivery_wakes_idle(self):
        """An IMAP session in IDLE on the recipient's INBOX hears EXISTS
        within a second of the 250 (storage notifies watchers on commit).
        Skipped while this build's IMAP can't SELECT."""
        imap = LineClient(self.server.ports["imap"])
        self.addCleanup(imap.close)
        imap.read_line()
        imap.send_line("a LOGIN bob %s" % PASSWORD)
        if not imap.read_until(lambda l: l.startswith("a "))[-1] \
                .startswith("a OK"):
            self.skipTest("IMAP LOGIN not available in this build")
        imap.send_line("b SELECT INBOX")
        lines = imap.read_until(lambda l: l.startswith("b "))
        if not lines[-1].startswith("b OK"):
            self.skipTest("IMAP SELECT not available in this build")
        exists = [int(l.split()[1]) for l in lines
                  if l.startswith("* ") and l.endswith(" EXISTS")][0]
        imap.send_line("c IDLE")
        self.assertTrue(imap.read_line().startswith("+"))
        self.assertEqual(self.deliver("bob", BODY).code, 250)
        imap.sock.settimeout(scaled(1.5))
        self.assertEqual(imap.read_line(), "* %d EXISTS" % (exists + 1))
        imap.send_line("DONE")

    def run_deliver(self, args, stdin):
        return subprocess.run([POSTERN_DELIVER, "-c",
                               self.server.config_path] + args,
                              input=stdin, capture_output=True,
                              timeout=scaled(30))

    def test_postern_deliver(self):
        before = len(self.inbox("bob"))
        p = self.run_deliver(["-d", addr("Bob"), "-f", "s@example.test"],
                             BODY)
        self.assertEqual(p.returncode, 0, p.stderr)
        msgs = self.wait_count("bob", before + 1)
        trace, rest = split_trace_headers(msgs[-1])
        self.assertEqual(rest, BODY)
        self.assertEqual(trace["Return-Path"], "<s@example.test>")
        self.assertNotIn("Received", trace)
        # an mbox From line gives the sender and is not stored
        p = self.run_deliver(["-d", "bob"],
                             b"From mbox@example.test Thu Nov 26 00:00:00 "
                             b"2026\n" + BODY)
        self.assertEqual(p.returncode, 0, p.stderr)
        trace, rest = split_trace_headers(self.wait_count("bob",
                                                          before + 2)[-1])
        self.assertEqual(trace["Return-Path"], "<mbox@example.test>")
        self.assertEqual(rest, BODY)

    def test_postern_deliver_exit_codes(self):
        self.assertEqual(self.run_deliver(["-d", "nobody"], BODY).returncode,
                         67)  # EX_NOUSER
        self.assertEqual(self.run_deliver([], BODY).returncode, 64)
        p = subprocess.run([POSTERN_DELIVER, "-c", "/nonexistent", "-d", "x"],
                           input=b"", capture_output=True)
        self.assertEqual(p.returncode, 78)  # EX_CONFIG
        self.assertEqual(self.run_deliver(["-d", "carol"], BODY).returncode,
                         73)  # over quota: EX_CANTCREAT, a bounce
        self.assertEqual(self.run_deliver(["-d", "dave"], BODY).returncode,
                         75)  # EX_TEMPFAIL


class LMTPGracefulStopTest(unittest.TestCase):
    """A stop in the middle of a message lets it finish: 250, then 421."""

    def test_delivery_finishes_before_stop(self):
        server = lmtp_server()
        server.start()
        try:
            c = LMTPClient(server.ports["lmtp"])
            c.lhlo()
            c.envelope("s@example.test", [addr("bob")])
            self.assertEqual(c.cmd("DATA").code, 354)
            c.send(b"Subject: during stop\r\n\r\nfirst half\r\n")
            time.sleep(scaled(0.2))
            server.proc.send_signal(signal.SIGTERM)
            time.sleep(scaled(0.2))
            c.send(b"second half\r\n.\r\n")
            r = c.reply()
            self.assertEqual((r.code, r.esc), (250, "2.0.0"), r)
            r = c.reply()
            self.assertEqual((r.code, r.esc), (421, "4.3.2"))
            c.close()
            self.assertEqual(server.proc.wait(scaled(20)), 0)
            msgs = maildir_messages(server, "bob")
            self.assertEqual(len(msgs), 1)
            self.assertTrue(msgs[0].endswith(b"second half\r\n"))
        finally:
            server.cleanup()


if __name__ == "__main__":
    main()
