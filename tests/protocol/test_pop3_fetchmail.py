"""A real client: Debian's fetchmail downloads and deletes a mailbox over
POP3 with STLS, handing each message to an MDA that writes it to a file.
Then the mailbox is empty and every message arrived byte-identical, apart
from the Received: header that fetchmail puts on top of each message."""

import os
import re
import shutil
import subprocess
import sys
import textwrap
import unittest

from pop3_test import Pop3TestCase, crlf, login_retrying
from postern_test import main, scaled

FETCHMAIL = shutil.which("fetchmail")

MDA = textwrap.dedent("""\
    import os, sys, time
    data = sys.stdin.buffer.read()
    name = "%d-%d" % (time.time_ns(), os.getpid())
    with open(os.path.join(sys.argv[1], name), "wb") as f:
        f.write(data)
    """)

MESSAGES = [
    b"From: a@example.org\r\nTo: alice@example.org\r\nSubject: plain\r\n"
    b"Message-ID: <1@example.org>\r\n\r\nHello, Alice.\r\n",
    # byte-stuffing: lines starting with '.', a line that is just '.'
    b"From: b@example.org\r\nSubject: dots\r\nMessage-ID: <2@example.org>\r\n"
    b"\r\n.hidden\r\n.\r\n..\r\nend\r\n",
    # stored with LF line ends: arrives with CRLF (then LF from fetchmail)
    b"From: c@example.org\nSubject: lf\nMessage-ID: <3@example.org>\n\n"
    b"one\ntwo\n",
    # bigger than one piece of RETR output
    b"From: d@example.org\r\nSubject: big\r\nMessage-ID: <4@example.org>\r\n"
    b"\r\n" + b"".join(b"%06d the quick brown fox\r\n" % i
                       for i in range(40000)),
    # 8-bit and a header-only message
    b"From: e@example.org\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\n"
    b"Message-ID: <5@example.org>\r\nContent-Type: text/plain; "
    b"charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    b"caf\xc3\xa9 \xe2\x82\xac\r\n",
]


@unittest.skipIf(FETCHMAIL is None, "fetchmail is not installed")
class Fetchmail(Pop3TestCase):
    def setUp(self):
        super().setUp()
        for m in MESSAGES:
            self.server.deliver("alice", m)
        self.start()
        self.home = os.path.join(self.server.dir, "fetchmail")
        self.out = os.path.join(self.home, "out")
        os.makedirs(self.out)
        mda = os.path.join(self.home, "mda.py")
        with open(mda, "w") as f:
            f.write(MDA)
        self.rc = os.path.join(self.home, "fetchmailrc")
        with open(self.rc, "w") as f:
            f.write(textwrap.dedent("""\
                set no bouncemail
                set no syslog
                poll 127.0.0.1 with proto POP3 port %d timeout 30
                  user "alice" there with password "secret" is "alice" here
                  sslproto "TLS1.2+" no sslcertck
                  fetchall no keep no rewrite
                  mda "%s %s %s"
                """ % (self.server.ports["pop3"], sys.executable, mda,
                       self.out)))
        os.chmod(self.rc, 0o600)

    def run_fetchmail(self):
        env = dict(os.environ, FETCHMAILHOME=self.home, HOME=self.home)
        return subprocess.run([FETCHMAIL, "-f", self.rc, "-v", "-N"],
                              env=env, capture_output=True, text=True,
                              timeout=scaled(120))

    def arrived(self):
        files = sorted(os.listdir(self.out))
        result = []
        for name in files:
            with open(os.path.join(self.out, name), "rb") as f:
                result.append(f.read())
        return result

    def test_download_and_delete(self):
        run = self.run_fetchmail()
        log = run.stdout + run.stderr
        self.assertEqual(run.returncode, 0, log)
        # it used STLS, then logged in over TLS
        self.assertIn("POP3> STLS", log)
        self.assertIn("upgrade to TLS succeeded", log)
        self.assertRegex(log, r"POP3> (USER alice|AUTH )")
        got = self.arrived()
        self.assertEqual(len(got), len(MESSAGES), log)
        # fetchmail hands the MDA LF line ends and puts its own
        # "Received: from 127.0.0.1 ... by ... with POP3 (fetchmail-...)"
        # header (folded over several lines) on top: compare the rest
        expected = sorted(crlf(m).replace(b"\r\n", b"\n") for m in MESSAGES)
        stripped = []
        for data in got:
            m = re.match(rb"Received: from [^\n]*\n(?:[ \t][^\n]*\n)*", data)
            self.assertIsNotNone(m, data[:300])
            self.assertIn(b"fetchmail", m.group(0))
            stripped.append(data[m.end():])
        self.assertEqual(sorted(stripped), expected)
        # and the mailbox is empty
        self.assertEqual(self.server.message_files("alice"), [])
        c = login_retrying(self.server)
        self.addCleanup(c.close)
        self.assertEqual(c.cmd("STAT"), "+OK 0 0")
        self.assertEqual(c.quit(), "+OK Logging out.")
        # a second run finds nothing (status 1: no mail)
        run = self.run_fetchmail()
        self.assertEqual(run.returncode, 1, run.stdout + run.stderr)


if __name__ == "__main__":
    main()
