"""A real Postfix delivers to Postern over LMTP
(virtual_transport = lmtp:inet:127.0.0.1:PORT). swaks sends one message to
two users and an unknown one; Postfix must log status=sent for the two and
bounce the third with Postern's 550 5.1.1. The delivered messages are then
read back over IMAP and POP3 (or, while those front ends can't read a
mailbox yet, straight from the maildir) and must be what swaks sent,
byte for byte, behind the trace headers Postfix and Postern add.

A private Postfix runs in the foreground as root on a free loopback port,
with its own config, queue and data directories in a temporary directory,
not chrooted. Exits 77 (meson: skipped) without root, postfix or swaks.
"""

import imaplib
import os
import poplib
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "protocol"))
from lmtp_helpers import (DOMAIN, PASSWORD, lmtp_server, maildir_messages,
                          split_trace_headers, strip_received)  # noqa: E402
from postfix_peer import POSTFIX_MASTER, PostfixServer  # noqa: E402
from postern_test import free_port, scaled, wait_for  # noqa: E402

SWAKS = shutil.which("swaks")

MASTER_CF = """\
{port} inet n - n - - smtpd
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
lmtp unix - - n - - lmtp
discard unix - - n - - discard
error unix - - n - - error
retry unix - - n - - error
postlog unix-dgram n - n - 1 postlogd
"""

MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {dir}/queue
data_directory = {dir}/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = relay.postern-test.invalid
mydestination =
alias_maps =
local_recipient_maps =
maillog_file = {dir}/maillog
maillog_file_prefixes = {dir}
smtpd_tls_security_level = none
virtual_mailbox_domains = {domain}
virtual_transport = lmtp:inet:127.0.0.1:{lmtp_port}
smtpd_reject_unlisted_recipient = no
# the bounce for the unknown recipient goes nowhere
transport_maps = inline:{{sender.test=discard:}}
queue_run_delay = 1s
minimal_backoff_time = 1s
"""

BODY = (b"From: Sender <s@sender.test>\r\n"
        b"To: alice@example.test, bob@example.test\r\n"
        b"Subject: through Postfix\r\n"
        b"Date: Thu, 26 Nov 2026 12:00:00 +0000\r\n"
        b"Message-ID: <postern-lmtp-test@sender.test>\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n"
        b"\r\n"
        b"Gr\xc3\xbc\xc3\x9fe through a real MTA.\r\n"
        b".a line that Postfix dot-stuffs\r\n"
        b"\r\n"
        b"-- \r\n"
        b"the end\r\n")


class PostfixLMTPTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = lmtp_server()
        cls.server.start()
        cls.dir = tempfile.mkdtemp(prefix="postern-postfix-lmtp-")
        os.chmod(cls.dir, 0o755)
        cls.start_postfix()

    @classmethod
    def start_postfix(cls):
        cls.port = free_port()
        cls.postfix = PostfixServer(
            cls.dir, cls.port,
            MAIN_CF.format(dir=cls.dir, domain=DOMAIN,
                           lmtp_port=cls.server.ports["lmtp"]),
            MASTER_CF.format(port=cls.port)).start()

    @classmethod
    def maillog(cls):
        return cls.postfix.maillog()

    @classmethod
    def tearDownClass(cls):
        cls.postfix.stop()
        cls.server.cleanup()
        if os.environ.get("POSTERN_KEEP_TEST_DIRS") is None:
            shutil.rmtree(cls.dir, ignore_errors=True)

    def swaks(self, rcpts):
        data = os.path.join(self.dir, "message.eml")
        with open(data, "wb") as f:
            # swaks ends the data with CRLF . CRLF itself
            f.write(BODY[:-2])
        return subprocess.run(
            [SWAKS, "--server", "127.0.0.1", "--port", str(self.port),
             "--helo", "client.sender.test", "--from", "s@sender.test",
             "--to", ",".join(rcpts), "--data", data],
            capture_output=True, timeout=scaled(30))

    def log_status(self, rcpt):
        m = re.search(r"to=<%s>,.*status=(\w+) \((.*)\)" % re.escape(rcpt),
                      self.maillog())
        return m.groups() if m else None

    def read_imap(self, user):
        """The INBOX over IMAP, or None while IMAP can't select yet."""
        imap = imaplib.IMAP4("127.0.0.1", self.server.ports["imap"],
                             timeout=scaled(10))
        try:
            imap.login(user, PASSWORD)
            typ, _ = imap.select("INBOX", readonly=True)
        except imaplib.IMAP4.error:
            return None
        if typ != "OK":
            return None
        typ, data = imap.fetch("1:*", "(BODY.PEEK[])")
        imap.logout()
        return [item[1] for item in data if isinstance(item, tuple)]

    def read_pop3(self, user):
        """The maildrop over POP3, or None while POP3 can't log in yet."""
        pop = poplib.POP3("127.0.0.1", self.server.ports["pop3"],
                          timeout=scaled(10))
        try:
            pop.user(user)
            pop.pass_(PASSWORD)
            count, _ = pop.stat()
            msgs = [b"\r\n".join(pop.retr(i + 1)[1]) + b"\r\n"
                    for i in range(count)]
        except poplib.error_proto:
            return None
        finally:
            try:
                pop.quit()
            except (poplib.error_proto, OSError):
                pass
        return msgs

    def check_message(self, message, user):
        trace, rest = split_trace_headers(message)
        self.assertEqual(trace["Return-Path"], "<s@sender.test>")
        self.assertEqual(trace["Delivered-To"], "%s@%s" % (user, DOMAIN))
        self.assertIn("from relay.postern-test.invalid ([127.0.0.1])",
                      trace["Received"])
        self.assertEqual(strip_received(rest), BODY)

    def test_postfix_delivers_over_lmtp(self):
        rcpts = ["alice@" + DOMAIN, "bob@" + DOMAIN, "nobody@" + DOMAIN]
        p = self.swaks(rcpts)
        self.assertEqual(p.returncode, 0, p.stdout.decode(errors="replace"))
        wait_for(lambda: all(self.log_status(r) for r in rcpts),
                 "Postfix to deliver:\n" + self.maillog())
        for rcpt in rcpts[:2]:
            status, text = self.log_status(rcpt)
            self.assertEqual(status, "sent", text)
            self.assertIn("250 2.0.0 <%s>" % rcpt, text)
        status, text = self.log_status(rcpts[2])
        self.assertEqual(status, "bounced", text)
        self.assertIn("550 5.1.1", text)

        for user in ("alice", "bob"):
            stored = maildir_messages(self.server, user)
            self.assertEqual(len(stored), 1)
            self.check_message(stored[0], user)
            over_imap = self.read_imap(user)
            if over_imap is None:
                print("IMAP can't read mailboxes on this build yet: "
                      "checked the maildir only")
            else:
                self.assertEqual(over_imap, stored)
            over_pop3 = self.read_pop3(user)
            if over_pop3 is None:
                print("POP3 can't read mailboxes on this build yet: "
                      "checked the maildir only")
            else:
                self.assertEqual(over_pop3, stored)


def main():
    if os.geteuid() != 0 or not os.path.exists(POSTFIX_MASTER) or \
            SWAKS is None:
        print("skipped: needs root, postfix and swaks")
        sys.exit(77)
    unittest.main(verbosity=2)


if __name__ == "__main__":
    main()
