"""LMTP (RFC 2033) command level: LHLO capabilities, sequence and syntax
errors with their enhanced status codes, parameters, VRFY, STARTTLS,
pipelined errors, BDAT chunks that must be read even when refused, and
RCPT answers that need only the userdb (unknown user, quota, temporary
failure)."""

import os
import signal
import smtplib
import time
import unittest

from lmtp_helpers import DOMAIN, LMTPClient, lmtp_server
from postern_test import ServerTestCase, main, scaled


class LMTPProtocolTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = lmtp_server(lmtp_config="max_message_size = 100k\n")
        cls.server.start()

    def client(self):
        c = LMTPClient(self.server.ports["lmtp"])
        self.addCleanup(c.close)
        return c

    def greeted(self):
        c = self.client()
        self.assertEqual(c.lhlo().code, 250)
        return c

    def test_greeting_and_lhlo(self):
        c = self.client()
        self.assertEqual(c.greeting.code, 220)
        self.assertIn("LMTP", c.greeting.text)
        r = c.lhlo()
        self.assertEqual(r.code, 250)
        caps = [line[4:] for line in r.lines[1:]]
        for cap in ("PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME",
                    "CHUNKING", "STARTTLS", "SMTPUTF8"):
            self.assertIn(cap, caps)
        self.assertIn("SIZE 102400", caps)

    def test_smtplib_lmtp(self):
        lmtp = smtplib.LMTP("127.0.0.1", self.server.ports["lmtp"],
                            timeout=scaled(10))
        self.addCleanup(lmtp.close)
        code, _ = lmtp.ehlo()  # smtplib.LMTP sends LHLO
        self.assertEqual(code, 250)
        self.assertTrue(lmtp.has_extn("pipelining"))
        self.assertTrue(lmtp.has_extn("chunking"))
        self.assertEqual(lmtp.noop()[0], 250)
        self.assertEqual(lmtp.verify("alice")[0], 502)
        self.assertEqual(lmtp.quit()[0], 221)

    def test_helo_ehlo_are_not_lmtp(self):
        c = self.client()
        for cmd in ("HELO x", "EHLO x"):
            r = c.cmd(cmd)
            self.assertEqual((r.code, r.esc), (500, "5.5.2"))

    def test_unknown_command(self):
        c = self.greeted()
        r = c.cmd("FROB x")
        self.assertEqual((r.code, r.esc), (500, "5.5.2"))
        self.assertEqual(c.cmd("NOOP").code, 250)

    def test_bad_sequences(self):
        c = self.client()
        r = c.cmd("MAIL FROM:<a@b>")
        self.assertEqual((r.code, r.esc), (503, "5.5.1"))
        c.lhlo()
        for cmd in ("RCPT TO:<alice@%s>" % DOMAIN, "DATA"):
            r = c.cmd(cmd)
            self.assertEqual((r.code, r.esc), (503, "5.5.1"), cmd)
        self.assertEqual(c.cmd("MAIL FROM:<a@b>").code, 250)
        r = c.cmd("MAIL FROM:<a@b>")
        self.assertEqual((r.code, r.esc), (503, "5.5.1"))
        r = c.cmd("DATA")
        self.assertEqual((r.code, r.esc), (503, "5.5.1"))
        # a refused recipient doesn't make DATA possible
        r = c.cmd("RCPT TO:<nobody@%s>" % DOMAIN)
        self.assertEqual((r.code, r.esc), (550, "5.1.1"))
        r = c.cmd("DATA")
        self.assertEqual((r.code, r.esc), (503, "5.5.1"))
        self.assertEqual(c.cmd("RSET").code, 250)
        r = c.cmd("RCPT TO:<alice@%s>" % DOMAIN)
        self.assertEqual((r.code, r.esc), (503, "5.5.1"))

    def test_syntax_errors(self):
        c = self.greeted()
        for cmd in ("MAIL", "MAIL FROM:", "MAIL FROM:a@b", "MAIL TO:<a@b>",
                    "MAIL FROM:<a@b", "MAIL FROM:<a@b>x",
                    "MAIL FROM:<a b@c>", "MAIL FROM:<a@b> SIZE=big"):
            r = c.cmd(cmd)
            self.assertEqual((r.code, r.esc), (501, "5.5.4"), cmd)
        self.assertEqual(c.cmd("MAIL FROM:<a@b>").code, 250)
        for cmd in ("RCPT", "RCPT TO:", "RCPT TO:<@x>", "RCPT FROM:<a@b>"):
            r = c.cmd(cmd)
            self.assertEqual((r.code, r.esc), (501, "5.5.4"), cmd)
        for cmd in ("RSET x", "QUIT now", "LHLO", "LHLO a b"):
            r = c.cmd(cmd)
            self.assertEqual((r.code, r.esc), (501, "5.5.4"), cmd)

    def test_parameters(self):
        c = self.greeted()
        r = c.cmd("MAIL FROM:<a@b> XFOO=bar")
        self.assertEqual((r.code, r.esc), (555, "5.5.4"))
        r = c.cmd("MAIL FROM:<a@b> BODY=BINARYMIME")
        self.assertEqual((r.code, r.esc), (555, "5.6.1"))
        # what Postfix sends, and the DSN/AUTH parameters it may pass on
        r = c.cmd("MAIL FROM:<a@b> SIZE=100 BODY=8BITMIME SMTPUTF8 "
                  "RET=HDRS ENVID=x AUTH=<>")
        self.assertEqual((r.code, r.esc), (250, "2.1.0"))
        r = c.cmd("RCPT TO:<nobody@%s> XFOO=1" % DOMAIN)
        self.assertEqual((r.code, r.esc), (555, "5.5.4"))
        r = c.cmd("RCPT TO:<nobody@%s> NOTIFY=NEVER ORCPT=rfc822;x@y"
                  % DOMAIN)
        self.assertEqual(r.code, 550)

    def test_null_sender_and_postmaster_syntax(self):
        c = self.greeted()
        self.assertEqual(c.cmd("MAIL FROM:<>").code, 250)
        # no such user here, but the address is valid syntax
        self.assertEqual(c.cmd("RCPT TO:<Postmaster>").code, 550)

    def test_size_over_limit_before_data(self):
        c = self.greeted()
        r = c.cmd("MAIL FROM:<a@b> SIZE=%d" % (200 * 1024))
        self.assertEqual((r.code, r.esc), (552, "5.3.4"))
        self.assertEqual(c.cmd("MAIL FROM:<a@b> SIZE=1000").code, 250)

    def test_non_ascii_needs_smtputf8(self):
        c = self.greeted()
        r = c.cmd("MAIL FROM:<j\u00f6rg@%s>" % DOMAIN)
        self.assertEqual((r.code, r.esc), (553, "5.6.7"))
        self.assertEqual(c.cmd("MAIL FROM:<a@b>").code, 250)
        r = c.cmd("RCPT TO:<j\u00f6rg@%s>" % DOMAIN)
        self.assertEqual((r.code, r.esc), (553, "5.6.7"))

    def test_vrfy_expn_refused(self):
        c = self.greeted()
        for cmd in ("VRFY alice", "EXPN staff"):
            r = c.cmd(cmd)
            self.assertEqual((r.code, r.esc), (502, "5.5.1"))

    def test_unknown_user_and_normalization(self):
        c = self.greeted()
        replies = c.envelope("a@b", ["nobody@" + DOMAIN, "Alice@" + DOMAIN,
                                     "alice+lists@" + DOMAIN, "bob"])
        self.assertEqual(replies[0].code, 250)
        self.assertEqual((replies[1].code, replies[1].esc), (550, "5.1.1"))
        # %Ln: the domain goes and case folds; the +detail is cut
        self.assertEqual((replies[2].code, replies[2].esc), (250, "2.1.5"),
                         replies[2])
        self.assertEqual((replies[3].code, replies[3].esc), (250, "2.1.5"))
        self.assertEqual((replies[4].code, replies[4].esc), (250, "2.1.5"))

    def test_over_quota_and_temporary_failure(self):
        c = self.greeted()
        # carol may hold 10 bytes: SIZE=100 can't fit
        self.assertEqual(c.cmd("MAIL FROM:<a@b> SIZE=100").code, 250)
        r = c.cmd("RCPT TO:<carol@%s>" % DOMAIN)
        self.assertEqual((r.code, r.esc), (552, "5.2.2"))
        # dave's quota rule is broken: try later
        r = c.cmd("RCPT TO:<dave@%s>" % DOMAIN)
        self.assertEqual((r.code, r.esc), (451, "4.3.0"))


    def test_pipelined_errors_keep_order(self):
        c = self.greeted()
        c.send(b"NOOP\r\nMAIL FROM:<a@b>\r\nRCPT TO:<nobody@example.test>\r\n"
               b"RCPT TO:<alice@example.test>\r\nFROB\r\nRSET\r\nQUIT\r\n")
        codes = [c.reply().code for _ in range(7)]
        self.assertEqual(codes, [250, 250, 550, 250, 500, 250, 221])

    def test_bdat_refused_chunk_is_skipped(self):
        c = self.greeted()
        # no transaction: the 5 bytes are read and dropped, then 503
        c.send(b"BDAT 5\r\nHELLONOOP\r\n")
        r = c.reply()
        self.assertEqual((r.code, r.esc), (503, "5.5.1"))
        self.assertEqual(c.reply().code, 250)
        r = c.cmd("BDAT x")
        self.assertEqual((r.code, r.esc), (501, "5.5.4"))
        # a refused recipient only: BDAT 0 LAST is a bad sequence too
        c.envelope("a@b", ["nobody@" + DOMAIN])
        r = c.cmd("BDAT 0 LAST")
        self.assertEqual((r.code, r.esc), (503, "5.5.1"))

    def test_data_after_bdat_refused(self):
        c = self.greeted()
        c.envelope("a@b", ["alice@" + DOMAIN])
        c.send(b"BDAT 3\r\nabc")
        self.assertEqual(c.reply().code, 250)
        r = c.cmd("DATA")
        self.assertEqual((r.code, r.esc), (503, "5.5.1"))
        self.assertEqual(c.cmd("RSET").code, 250)

    def test_line_too_long(self):
        c = self.greeted()
        c.send(b"NOOP " + b"x" * 10000 + b"\r\n")
        r = c.reply()
        self.assertEqual(r.code, 500)
        self.assertEqual(c.cmd("NOOP").code, 250)

    def test_too_many_bad_commands(self):
        c = self.greeted()
        c.send(b"".join(b"BAD%d\r\n" % i for i in range(25)))
        codes = []
        while True:
            try:
                codes.append(c.reply().code)
            except EOFError:
                break
        self.assertEqual(codes[-1], 421)

    def test_starttls(self):
        c = self.greeted()
        c.envelope("a@b", [])
        r = c.cmd("STARTTLS")
        self.assertEqual((r.code, r.esc), (503, "5.5.1"))
        c.cmd("RSET")
        r = c.cmd("STARTTLS")
        self.assertEqual(r.code, 220)
        c.starttls()
        r = c.cmd("MAIL FROM:<a@b>")
        self.assertEqual((r.code, r.esc), (503, "5.5.1"))  # LHLO again
        r = c.lhlo()
        self.assertNotIn("STARTTLS", [l[4:] for l in r.lines])
        r = c.cmd("STARTTLS")
        self.assertEqual((r.code, r.esc), (503, "5.5.1"))

    def test_quit(self):
        c = self.greeted()
        r = c.cmd("QUIT")
        self.assertEqual((r.code, r.esc), (221, "2.0.0"))
        self.assertEqual(c.read_eof(), b"")


class LMTPQuotaTempfailTest(ServerTestCase):
    """quota_full_tempfail makes over quota temporary: 452 4.2.2."""

    @classmethod
    def setUpClass(cls):
        cls.server = lmtp_server(lmtp_config="quota_full_tempfail = yes\n")
        cls.server.start()

    def test_over_quota_is_temporary(self):
        c = LMTPClient(self.server.ports["lmtp"])
        self.addCleanup(c.close)
        c.lhlo()
        self.assertEqual(c.cmd("MAIL FROM:<a@b> SIZE=100").code, 250)
        r = c.cmd("RCPT TO:<carol@%s>" % DOMAIN)
        self.assertEqual((r.code, r.esc), (452, "4.2.2"))


class LMTPUserdbTimeoutTest(ServerTestCase):
    """A userdb that doesn't answer (the auth process stopped) gives
    451 4.3.0 after [lmtp] lookup_timeout, and the session goes on."""

    @classmethod
    def setUpClass(cls):
        cls.server = lmtp_server(lmtp_config="lookup_timeout = 1s\n")
        cls.server.start()

    def auth_pid(self):
        for pid in os.listdir("/proc"):
            try:
                with open("/proc/%s/stat" % pid) as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                with open("/proc/%s/comm" % pid) as f:
                    comm = f.read().strip()
            except (OSError, ValueError):
                continue
            if ppid == self.server.proc.pid and comm == "postern-auth":
                return int(pid)
        self.skipTest("no auth process found")

    def test_lookup_timeout(self):
        c = LMTPClient(self.server.ports["lmtp"])
        self.addCleanup(c.close)
        c.lhlo()
        # the userdb connection is made at the first lookup
        self.assertEqual(c.envelope("a@b", ["alice@" + DOMAIN])[1].code, 250)
        self.assertEqual(c.cmd("RSET").code, 250)
        pid = self.auth_pid()
        os.kill(pid, signal.SIGSTOP)
        try:
            start = time.time()
            replies = c.envelope("a@b", ["bob@" + DOMAIN])
            self.assertEqual((replies[1].code, replies[1].esc),
                             (451, "4.3.0"))
            self.assertLess(time.time() - start, scaled(5))
            self.assertEqual(c.cmd("NOOP").code, 250)
        finally:
            os.kill(pid, signal.SIGCONT)


class LMTPShutdownTest(unittest.TestCase):
    """Graceful stop: an idle session hears 421 4.3.2 at once."""

    def test_idle_session_gets_421(self):
        server = lmtp_server()
        server.start()
        try:
            c = LMTPClient(server.ports["lmtp"])
            c.lhlo()
            c.envelope("a@b", ["alice@" + DOMAIN])
            server.proc.terminate()
            r = c.reply()
            self.assertEqual((r.code, r.esc), (421, "4.3.2"))
            c.close()
        finally:
            server.cleanup()


if __name__ == "__main__":
    main()
