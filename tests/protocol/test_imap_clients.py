"""Real IMAP clients from Debian against posternd: curl lists mailboxes
and fetches a message; mbsync (isync) syncs a test account both ways
twice (the second run changes nothing) and propagates flag changes.
Parts that need FETCH/STORE/SEARCH skip until those commands exist."""

import imaplib
import os
import shutil
import subprocess
import time
import unittest

from imap_helpers import ImapConn, server_args
from postern_test import ServerTestCase, main, scaled

USERS = {"alice": "secret", "bob": "secret"}


def message(n):
    return ("From: sender@example.org\r\nTo: alice@example.org\r\n"
            "Subject: message %d\r\nMessage-ID: <m%d@example.org>\r\n"
            "Date: Tue, 5 Mar 2024 10:00:00 +0000\r\n\r\n"
            "Body of message %d.\r\n" % (n, n, n)).encode()


class Clients(ServerTestCase):
    server_args = server_args(USERS)

    def imaplib_login(self, user):
        m = imaplib.IMAP4("127.0.0.1", self.server.ports["imap"])
        m.login(user, "secret")
        self.addCleanup(m.logout)
        return m

    def has_command(self, command):
        c = ImapConn(self.server)
        self.addCleanup(c.close)
        c.login("alice", "secret")
        c.ok("SELECT INBOX")
        tagged = c.command(command)[1]
        return not tagged.startswith("BAD Unknown")

    def curl(self, url, *args):
        return subprocess.run(
            ["curl", "-sS", "--max-time", str(int(scaled(20))),
             "-u", "alice:secret", url] + list(args),
            capture_output=True, timeout=scaled(30))

    def test_curl_list_and_fetch(self):
        base = "imap://127.0.0.1:%d/" % self.server.ports["imap"]
        m = self.imaplib_login("alice")
        m.append("INBOX", None, None, message(1))
        result = self.curl(base)
        self.assertEqual(result.returncode, 0, result.stderr)
        listing = result.stdout.decode()
        self.assertIn('* LIST (\\HasNoChildren) "/" INBOX', listing)
        self.assertIn("Sent", listing)
        result = self.curl(base, "-X", "STATUS INBOX (MESSAGES)")
        self.assertIn("* STATUS INBOX (MESSAGES 1)", result.stdout.decode())
        if not self.has_command("UID FETCH 1 (FLAGS)"):
            self.skipTest("FETCH is not implemented in this build")
        result = self.curl(base + "INBOX;UID=1")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, message(1))

    def mbsync(self, config):
        result = subprocess.run(["mbsync", "-c", config, "-a"],
                                capture_output=True, timeout=scaled(60))
        self.assertEqual(result.returncode, 0,
                         result.stdout.decode() + result.stderr.decode())
        return result.stdout.decode() + result.stderr.decode()

    @staticmethod
    def local_files(local):
        files = {}
        for sub in ("cur", "new"):
            path = os.path.join(local, "INBOX", sub)
            for name in os.listdir(path):
                with open(os.path.join(path, name), "rb") as f:
                    files[name] = f.read()
        return files

    def test_mbsync(self):
        if not self.has_command("UID FETCH 1 (FLAGS)") or \
                not self.has_command("UID STORE 1 +FLAGS (\\Seen)"):
            self.skipTest("FETCH/STORE are not implemented in this build")
        work = os.path.join(self.server.dir, "mbsync")
        local = os.path.join(work, "local")
        os.makedirs(os.path.join(local, "INBOX", "cur"))
        os.makedirs(os.path.join(local, "INBOX", "new"))
        os.makedirs(os.path.join(local, "INBOX", "tmp"))
        config = os.path.join(work, "mbsyncrc")
        with open(config, "w") as f:
            f.write("IMAPAccount test\nHost 127.0.0.1\nPort %d\n"
                    "User bob\nPass secret\nSSLType None\n"
                    "AuthMechs LOGIN\n\n"
                    "IMAPStore remote\nAccount test\n\n"
                    "MaildirStore local\nPath %s/\nInbox %s/INBOX\n"
                    "SubFolders Verbatim\n\n"
                    "Channel test\nFar :remote:\nNear :local:\n"
                    "Patterns INBOX\nCreate Both\nExpunge Both\n"
                    "SyncState *\nSync All\n"
                    % (self.server.ports["imap"], local, local))
        m = self.imaplib_login("bob")
        for n in range(3):
            m.append("INBOX", None, None, message(n))
        # two local messages that the server doesn't have
        for n in (10, 11):
            name = "%d.M%dP1.local:2,S" % (time.time(), n)
            with open(os.path.join(local, "INBOX", "cur", name), "wb") as f:
                f.write(message(n))
        output = self.mbsync(config)
        self.assertEqual(len(self.local_files(local)), 5, output)
        m.select("INBOX")
        self.assertEqual(m.search(None, "ALL")[1][0].split(),
                         [b"1", b"2", b"3", b"4", b"5"])
        # second sync: nothing to do
        before = self.local_files(local)
        self.mbsync(config)
        self.assertEqual(self.local_files(local), before)
        m.select("INBOX")
        self.assertEqual(len(m.search(None, "ALL")[1][0].split()), 5)
        # a flag set on the server reaches the local maildir
        m.store("1", "+FLAGS", "\\Flagged")
        self.mbsync(config)
        flagged = [n for n in self.local_files(local) if ":2," in n and
                   "F" in n.split(":2,")[1]]
        self.assertEqual(len(flagged), 1)
        # and a flag set locally reaches the server
        cur = os.path.join(local, "INBOX", "cur")
        name = sorted(n for n in os.listdir(cur) if "F" not in
                      n.split(":2,")[-1])[0]
        os.rename(os.path.join(cur, name),
                  os.path.join(cur, name.split(":2,")[0] + ":2,RS"))
        self.mbsync(config)
        m.select("INBOX")
        self.assertEqual(len(m.search(None, "ANSWERED")[1][0].split()), 1)


if __name__ == "__main__":
    main()
