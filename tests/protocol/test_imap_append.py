"""APPEND and MULTIAPPEND: flags and dates, APPENDUID, TRYCREATE,
TOOBIG before a synchronizing literal is sent, over-size non-synchronizing
literals read and thrown away, all-or-nothing MULTIAPPEND, a 50 MB
message streamed to disk with the worker's memory bounded, and a client
that disconnects in the middle of a literal."""

import os
import re
import threading
import time

from imap_helpers import ImapConn, server_args
from postern_test import ServerTestCase, main, scaled
from test_imap_memory import SANITIZED, find_worker

USERS = {"alice": "secret", "bob": "secret", "carol": "secret"}
MSG = b"From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n"


def rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class Append(ServerTestCase):
    server_args = server_args(USERS, imap="max_append_size = 60M\n")

    def login(self, user="alice"):
        c = ImapConn(self.server)
        self.addCleanup(c.close)
        c.login(user, "secret")
        return c

    def messages(self, c, box="INBOX"):
        line = c.ok("STATUS %s (MESSAGES)" % box)[0]
        return int(re.search(r"MESSAGES (\d+)", line).group(1))

    def test_append_sync_literal(self):
        c = self.login()
        c.send_line('a1 APPEND INBOX (\\Seen $Work) '
                    '"05-Mar-2024 10:11:12 +0200" {%d}' % len(MSG))
        self.assertEqual(c.read_line(), "+ OK")
        c.c.send(MSG + b"\r\n")
        untagged, tagged = c.read_tagged("a1")
        self.assertEqual(untagged, [])
        self.assertRegex(tagged, r"^a1 OK \[APPENDUID \d+ 1\] Append "
                         r"completed\.$")
        self.assertEqual(self.messages(c), 1)

    def test_append_to_selected_reports_exists(self):
        c = self.login("bob")
        c.ok("SELECT INBOX")
        c.c.send(b"a1 APPEND INBOX {%d+}\r\n" % len(MSG) + MSG + b"\r\n")
        untagged, tagged = c.read_tagged("a1")
        self.assertEqual(untagged, ["* 1 EXISTS", "* 1 RECENT"])
        self.assertRegex(tagged, r"^a1 OK \[APPENDUID \d+ 1\] ")

    def test_trycreate(self):
        c = self.login()
        c.send_line("a1 APPEND Nowhere {%d}" % len(MSG))
        # refused before the client sends the literal
        self.assertEqual(c.read_line(),
                         "a1 NO [TRYCREATE] Mailbox doesn't exist")
        c.ok("NOOP")
        c.c.send(b"a2 APPEND Nowhere {%d+}\r\n" % len(MSG) + MSG +
                 b"\r\na3 NOOP\r\n")
        self.assertEqual(c.read_tagged("a2")[1],
                         "a2 NO [TRYCREATE] Mailbox doesn't exist")
        self.assertEqual(c.read_tagged("a3")[1], "a3 OK NOOP completed.")
        # a non-synchronizing literal's save begins with its first bytes:
        # the refusal comes then, for MULTIAPPEND and for a message bigger
        # than one chunk, and the rest of the command is thrown away
        c.c.send(b"a4 APPEND Nowhere {%d+}\r\n" % len(MSG) + MSG +
                 b" {%d+}\r\n" % len(MSG) + MSG + b"\r\na5 NOOP\r\n")
        self.assertEqual(c.read_tagged("a4")[1],
                         "a4 NO [TRYCREATE] Mailbox doesn't exist")
        self.assertEqual(c.read_tagged("a5")[1], "a5 OK NOOP completed.")
        big = b"Subject: big\r\n\r\n" + b"z" * (700 * 1024) + b"\r\n"
        c.c.send(b"a6 APPEND Nowhere {%d+}\r\n" % len(big) + big +
                 b"\r\na7 NOOP\r\n")
        self.assertEqual(c.read_tagged("a6")[1],
                         "a6 NO [TRYCREATE] Mailbox doesn't exist")
        self.assertEqual(c.read_tagged("a7")[1], "a7 OK NOOP completed.")

    def test_bad_arguments(self):
        c = self.login()
        self.assertEqual(c.command("APPEND INBOX")[1],
                         "BAD Invalid APPEND arguments.")
        c.send_line("a1 APPEND INBOX (\\Bogus) {5}")
        self.assertEqual(c.read_line(), "a1 NO Invalid system flag.")
        c.send_line('a2 APPEND INBOX "31-Feb-99 x" {5}')
        self.assertEqual(c.read_line(), "a2 NO Invalid date-time.")
        c.send_line("a3 APPEND INBOX {0}")
        self.assertEqual(c.read_line(), "a3 NO Empty message.")
        c.ok("NOOP")

    def test_toobig(self):
        c = self.login("carol")
        c.send_line("a1 APPEND INBOX {%d}" % (61 * 1024 * 1024))
        # RFC 7889: NO [TOOBIG] instead of "+"
        self.assertEqual(c.read_line(), "a1 NO [TOOBIG] Message too large.")
        size = 61 * 1024 * 1024
        c.c.send(b"a2 APPEND INBOX {%d+}\r\n" % size)
        chunk = b"x" * (1024 * 1024)
        for i in range(61):
            c.c.send(chunk)
        c.c.send(b"\r\na3 NOOP\r\n")
        self.assertEqual(c.read_tagged("a2")[1],
                         "a2 NO [TOOBIG] Message too large.")
        self.assertEqual(c.read_tagged("a3")[1], "a3 OK NOOP completed.")
        self.assertEqual(self.messages(c), 0)

    def test_multiappend(self):
        c = self.login("bob")
        c.ok("CREATE Multi")
        c.c.send(b"a1 APPEND Multi (\\Seen) {%d+}\r\n" % len(MSG) + MSG +
                 b" {%d+}\r\n" % len(MSG) + MSG + b"\r\n")
        self.assertRegex(c.read_tagged("a1")[1],
                         r"^a1 OK \[APPENDUID \d+ 1:2\] Append completed")
        self.assertEqual(self.messages(c, "Multi"), 2)
        # all or nothing: the second message is refused
        c.c.send(b"a2 APPEND Multi {%d+}\r\n" % len(MSG) + MSG +
                 b" (\\Bogus) {%d+}\r\n" % len(MSG) + MSG +
                 b"\r\na3 NOOP\r\n")
        self.assertEqual(c.read_tagged("a2")[1],
                         "a2 NO Invalid system flag.")
        self.assertEqual(c.read_tagged("a3")[1], "a3 OK NOOP completed.")
        self.assertEqual(self.messages(c, "Multi"), 2)
        # synchronizing literals for each message
        c.send_line("a4 APPEND Multi {%d}" % len(MSG))
        self.assertEqual(c.read_line(), "+ OK")
        c.c.send(MSG + b" {%d}\r\n" % len(MSG))
        self.assertEqual(c.read_line(), "+ OK")
        c.c.send(MSG + b"\r\n")
        self.assertRegex(c.read_tagged("a4")[1],
                         r"^a4 OK \[APPENDUID \d+ 3:4\] ")

    def test_utf8_append(self):
        c = self.login("bob")
        c.ok("CREATE Utf8")
        msg = "Subject: Gr\u00fc\u00dfe\r\n\r\nK\u00e4se\r\n".encode()
        # RFC 6855 §4: only after ENABLE UTF8=ACCEPT
        c.c.send(b"u1 APPEND Utf8 UTF8 (~{%d+}\r\n" % len(msg) + msg +
                 b")\r\n")
        self.assertEqual(c.read_tagged("u1")[1],
                         "u1 NO Invalid APPEND arguments.")
        c.ok("ENABLE UTF8=ACCEPT")
        c.c.send(b"u2 APPEND Utf8 (\\Seen) UTF8 (~{%d+}\r\n" % len(msg) +
                 msg + b")\r\n")
        self.assertRegex(c.read_tagged("u2")[1], r"^u2 OK \[APPENDUID ")
        self.assertEqual(self.messages(c, "Utf8"), 1)
        c.c.send(b"u3 APPEND Utf8 UTF8 (~{%d+}\r\n" % len(msg) + msg +
                 b" x\r\nu4 NOOP\r\n")
        self.assertEqual(c.read_tagged("u3")[1], "u3 BAD Error in IMAP "
                         "command APPEND: Missing ')' after UTF8 literal.")
        self.assertEqual(c.read_tagged("u4")[1], "u4 OK NOOP completed.")
        # the message of the failed command was not kept
        self.assertEqual(self.messages(c, "Utf8"), 1)

    def test_disconnect_in_literal(self):
        c = ImapConn(self.server)
        c.login("carol", "secret")
        c.c.send(b"a1 APPEND INBOX {100000+}\r\n" + b"y" * 50000)
        time.sleep(0.2)
        c.close()
        c = self.login("carol")
        self.assertEqual(self.messages(c), 0)

    def test_big_message_memory(self):
        c = self.login("alice")
        c.ok("CREATE Big")
        worker = find_worker(self.server)
        before = rss(worker)
        peak = [before]
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                peak[0] = max(peak[0], rss(worker))
                time.sleep(0.01)

        sampler = threading.Thread(target=sample)
        sampler.start()
        size = 50 * 1024 * 1024
        line = b"0123456789" * 7 + b"\r\n"
        body = b"Subject: big\r\n\r\n" + line * ((size - 16) // len(line))
        body += b"x" * (size - len(body))
        c.send_line("a1 APPEND Big {%d}" % len(body))
        self.assertEqual(c.read_line(), "+ OK")
        c.c.sock.settimeout(scaled(120))
        c.c.send(body + b"\r\n")
        tagged = c.read_tagged("a1")[1]
        stop.set()
        sampler.join()
        self.assertRegex(tagged, r"^a1 OK \[APPENDUID ")
        line = c.ok("STATUS Big (MESSAGES SIZE)")[0]
        self.assertEqual(line, "* STATUS Big (MESSAGES 1 SIZE %d)" % size)
        growth = peak[0] - before
        print("\n50 MB APPEND: worker RSS %d -> peak %d KiB (+%d KiB)"
              % (before // 1024, peak[0] // 1024, growth // 1024))
        if not SANITIZED:
            self.assertLess(growth, 16 * 1024 * 1024)


if __name__ == "__main__":
    main()
