"""IMAP session core: greeting, CAPABILITY, NOOP, LOGOUT, ID, ENABLE,
LOGIN and AUTHENTICATE (SASL-IR) through the auth process, states,
literals (synchronizing, LITERAL+, LITERAL-, TOOBIG), pipelining,
errors, STARTTLS, idle timeout and graceful shutdown."""

import base64
import signal
import time
import unittest

from imap_helpers import ImapConn, server_args
from postern_test import PosternServer, ServerTestCase, main, scaled

USERS = {"alice": "secret", "bob": "pw with space"}


class ImapTestCase(ServerTestCase):
    server_args = server_args(USERS, imap="max_literal_size = 1k\n")

    def imap(self, tls=False):
        conn = ImapConn(self.server, tls=tls)
        self.addCleanup(conn.close)
        return conn


class NotAuthenticated(ImapTestCase):
    def test_greeting_capability(self):
        c = self.imap()
        self.assertRegex(c.greeting, r"^\* OK \[CAPABILITY IMAP4rev1 "
                         r"IMAP4rev2 SASL-IR LOGIN-REFERRALS ID ENABLE "
                         r"IDLE LITERAL\+ STARTTLS AUTH=PLAIN[^\]]*\] "
                         r"Postern ready\.$")
        # loopback counts as secured: no LOGINDISABLED
        self.assertNotIn("LOGINDISABLED", c.greeting)
        untagged, tagged = c.command("CAPABILITY")
        self.assertEqual(tagged, "OK Capability completed.")
        self.assertEqual(untagged, ["* " + c.greeting[len("* OK [")
                                                      :c.greeting.index("]")]])

    def test_greeting_lists_the_auth_process_mechanisms(self):
        # the worker connects to the auth process at start, so even the
        # first greeting knows the mechanisms; channel binding (-PLUS)
        # only over TLS
        c = self.imap()
        self.assertRegex(c.greeting, r" AUTH=SCRAM-SHA-256[ \]]")
        self.assertNotIn("AUTH=SCRAM-SHA-256-PLUS", c.greeting)
        t = self.imap(tls=True)
        self.assertIn("AUTH=SCRAM-SHA-256-PLUS", t.greeting)

    def test_noop_logout(self):
        c = self.imap()
        self.assertEqual(c.command("NOOP"), ([], "OK NOOP completed."))
        self.assertEqual(c.command("noop"), ([], "OK NOOP completed."))
        self.assertEqual(c.command("NOOP x")[1], "BAD NOOP takes no "
                         "arguments.")
        self.assertEqual(c.command("LOGOUT"),
                         (["* BYE Logging out"], "OK Logout completed."))
        self.assertEqual(c.c.read_eof(), b"")

    def test_state_rules(self):
        c = self.imap()
        for command in ("ENABLE IMAP4rev2", "SELECT INBOX", "LIST \"\" *",
                        "FETCH 1 FLAGS", "UID FETCH 1 FLAGS"):
            tagged = c.command(command)[1]
            self.assertRegex(tagged, r"^BAD (Command not allowed in this "
                             r"state|Unknown (UID )?command)\.$", command)
        self.assertEqual(c.command("FROB")[1], "BAD Unknown command.")
        self.assertEqual(c.command("UID NOOP")[1],
                         "BAD Unknown UID command.")

    def test_id(self):
        c = self.imap()
        untagged, tagged = c.command('ID ("name" "test" "version" NIL)')
        self.assertEqual(tagged, "OK ID completed.")
        self.assertEqual(len(untagged), 1)
        self.assertTrue(untagged[0].startswith('* ID ("name" "Postern"'))
        self.assertEqual(c.command("ID NIL")[1], "OK ID completed.")
        self.assertEqual(c.command('ID ("odd")')[1],
                         "BAD Invalid ID arguments.")

    def test_bad_lines(self):
        c = self.imap()
        c.send_line("")
        c.send_line("+x NOOP")
        self.assertEqual(c.read_line(),
                         "* BAD Error in IMAP command: invalid tag.")
        c.send_line("lonely")
        self.assertEqual(c.read_line(),
                         "* BAD Error in IMAP command: missing command.")
        self.assertEqual(c.command('ID ("a)')[1],
                         "BAD Error in IMAP command ID: Missing '\"'.")
        self.assertEqual(c.command("NOOP")[1], "OK NOOP completed.")

    def test_too_many_errors(self):
        c = self.imap()
        for i in range(19):
            self.assertEqual(c.command("BOGUS")[1], "BAD Unknown command.")
        c.send_line("x BOGUS")
        self.assertEqual(c.read_line(), "x BAD Unknown command.")
        self.assertEqual(c.read_line(),
                         "* BYE Too many invalid IMAP commands.")
        self.assertEqual(c.c.read_eof(), b"")

    def test_errors_reset_by_good_command(self):
        c = self.imap()
        for i in range(30):
            c.command("BOGUS")
            if i % 10 == 9:
                c.ok("NOOP")
        c.ok("NOOP")

    def test_pipelining(self):
        c = self.imap()
        c.c.send(b"p1 NOOP\r\np2 CAPABILITY\r\np3 ID NIL\r\n"
                 b"p4 LOGIN alice secret\r\np5 NOOP\r\n")
        self.assertEqual(c.read_tagged("p1")[1], "p1 OK NOOP completed.")
        self.assertEqual(c.read_tagged("p2")[1], "p2 OK Capability "
                         "completed.")
        self.assertEqual(c.read_tagged("p3")[1], "p3 OK ID completed.")
        self.assertTrue(c.read_tagged("p4")[1].startswith(
            "p4 OK [CAPABILITY IMAP4rev1 "))
        self.assertEqual(c.read_tagged("p5")[1], "p5 OK NOOP completed.")


class Login(ImapTestCase):
    def test_login(self):
        c = self.imap()
        tagged = c.command("LOGIN alice secret")[1]
        self.assertRegex(tagged, r"^OK \[CAPABILITY IMAP4rev1 IMAP4rev2 "
                         r"[^\]]*UTF8=ACCEPT[^\]]*\] Logged in$")
        self.assertNotIn("AUTH=", tagged)
        self.assertNotIn("STARTTLS", tagged)
        self.assertEqual(c.command("LOGIN alice secret")[1],
                         "BAD Command not allowed in this state.")
        self.assertEqual(c.command("AUTHENTICATE PLAIN")[1],
                         "BAD Command not allowed in this state.")
        c.ok("NOOP")

    def test_login_failures(self):
        c = self.imap()
        self.assertEqual(c.command("LOGIN alice wrong")[1],
                         "NO [AUTHENTICATIONFAILED] Authentication failed.")
        self.assertEqual(c.command("LOGIN nobody secret")[1],
                         "NO [AUTHENTICATIONFAILED] Authentication failed.")
        self.assertEqual(c.command("LOGIN alice")[1],
                         "BAD Invalid LOGIN arguments.")
        self.assertEqual(c.command("LOGIN (alice) secret")[1],
                         "BAD Invalid LOGIN arguments.")
        c.login("alice", "secret")

    def test_login_quoted_and_literal(self):
        c = self.imap()
        c.login("bob", '"pw with space"')
        c = self.imap()
        c.send_line("l1 LOGIN {3}")
        self.assertEqual(c.read_line(), "+ OK")
        c.send_line("bob {13}")
        self.assertEqual(c.read_line(), "+ OK")
        c.send_line("pw with space")
        self.assertTrue(c.read_tagged("l1")[1].startswith("l1 OK ["))

    def test_login_literal_plus(self):
        c = self.imap()
        c.c.send(b"l1 LOGIN {5+}\r\nalice {6+}\r\nsecret\r\nl2 NOOP\r\n")
        self.assertTrue(c.read_tagged("l1")[1].startswith("l1 OK ["))
        self.assertEqual(c.read_tagged("l2")[1], "l2 OK NOOP completed.")

    def test_enable(self):
        c = self.imap()
        c.login("alice", "secret")
        self.assertEqual(c.command("ENABLE IMAP4rev2"),
                         (["* ENABLED IMAP4rev2"], "OK Enabled."))
        self.assertEqual(c.command("ENABLE IMAP4rev2 X-UNKNOWN"),
                         (["* ENABLED"], "OK Enabled."))
        self.assertEqual(c.command("ENABLE qresync utf8=accept"),
                         (["* ENABLED QRESYNC UTF8=ACCEPT"], "OK Enabled."))
        self.assertEqual(c.command("ENABLE CONDSTORE"),
                         (["* ENABLED"], "OK Enabled."))
        self.assertEqual(c.command("ENABLE")[1],
                         "BAD ENABLE needs capability names.")


class Authenticate(ImapTestCase):
    @staticmethod
    def plain(user, password):
        return base64.b64encode(("\0%s\0%s" % (user, password))
                                .encode()).decode()

    def test_sasl_ir(self):
        c = self.imap()
        tagged = c.command("AUTHENTICATE PLAIN " +
                           self.plain("alice", "secret"))[1]
        self.assertTrue(tagged.startswith("OK [CAPABILITY IMAP4rev1 "))

    def test_continuation(self):
        c = self.imap()
        c.send_line("a1 AUTHENTICATE PLAIN")
        self.assertEqual(c.read_line(), "+ ")
        c.send_line(self.plain("bob", "pw with space"))
        self.assertTrue(c.read_tagged("a1")[1].startswith("a1 OK ["))

    def test_failure_and_cancel(self):
        c = self.imap()
        self.assertEqual(
            c.command("AUTHENTICATE PLAIN " + self.plain("alice", "x"))[1],
            "NO [AUTHENTICATIONFAILED] Authentication failed.")
        c.send_line("a2 AUTHENTICATE PLAIN")
        self.assertEqual(c.read_line(), "+ ")
        c.send_line("*")
        self.assertEqual(c.read_tagged("a2")[1],
                         "a2 BAD Authentication aborted by client.")
        self.assertEqual(c.command("AUTHENTICATE X-NONE")[0:2][1][:2], "NO")
        # the empty initial response "=" of SASL-IR
        c.send_line("a3 AUTHENTICATE PLAIN =")
        line = c.read_line()
        if line.startswith("+"):
            # the auth process asks again for an empty PLAIN message
            c.send_line("*")
            line = c.read_line()
        self.assertRegex(line, r"^a3 (NO|BAD) ")
        c.ok("NOOP")


class Literals(ImapTestCase):
    def test_toobig_sync_literal(self):
        c = self.imap()
        # max_literal_size = 1k: refused before the client sends it
        c.send_line("a1 LOGIN {2000}")
        self.assertEqual(c.read_line(), "a1 NO [TOOBIG] Literal too large.")
        c.ok("NOOP")

    def test_toobig_nonsync_literal(self):
        c = self.imap()
        c.c.send(b"a1 LOGIN alice {2000+}\r\n" + b"x" * 2000 +
                 b" more {5+}\r\nabcde\r\na2 NOOP\r\n")
        self.assertEqual(c.read_tagged("a1")[1],
                         "a1 NO [TOOBIG] Literal too large.")
        self.assertEqual(c.read_tagged("a2")[1], "a2 OK NOOP completed.")

    def test_literal_in_list(self):
        c = self.imap()
        c.c.send(b'a1 ID ("name" {4+}\r\nte\x00t)\r\n')
        self.assertEqual(c.read_tagged("a1")[1],
                         "a1 BAD Error in IMAP command ID: NUL in literal.")
        c.c.send(b'a2 ID ("name" {4+}\r\ntest)\r\n')
        self.assertEqual(c.read_tagged("a2")[1], "a2 OK ID completed.")

    def test_line_too_long(self):
        c = self.imap()
        c.send_line("a1 ID (\"x\" \"%s\")" % ("y" * 70000))
        self.assertEqual(c.read_line(), "* BAD [TOOBIG] Command line too "
                         "long.")
        c.ok("NOOP")


class LiteralMinus(ServerTestCase):
    server_args = server_args(USERS, imap="literal_minus = yes\n")

    def test_literal_minus(self):
        c = ImapConn(self.server)
        self.addCleanup(c.close)
        self.assertIn(" LITERAL- ", c.greeting)
        self.assertNotIn("LITERAL+", c.greeting)
        c.c.send(b"a1 LOGIN alice {5000+}\r\n" + b"x" * 5000 +
                 b"\r\na2 NOOP\r\n")
        self.assertEqual(c.read_tagged("a1")[1],
                         "a1 NO [TOOBIG] Non-synchronizing literal too "
                         "large for LITERAL-.")
        self.assertEqual(c.read_tagged("a2")[1], "a2 OK NOOP completed.")
        # small ones are fine, big synchronizing ones too
        c.c.send(b"a3 LOGIN {5+}\r\nalice {6}\r\n")
        self.assertEqual(c.read_line(), "+ OK")
        c.send_line("secret")
        self.assertTrue(c.read_tagged("a3")[1].startswith("a3 OK ["))


class StartTls(ImapTestCase):
    def test_starttls(self):
        c = self.imap()
        self.assertEqual(c.command("STARTTLS"),
                         ([], "OK Begin TLS negotiation now."))
        c.c.starttls()
        untagged, tagged = c.command("CAPABILITY")
        self.assertNotIn("STARTTLS", untagged[0])
        self.assertIn("AUTH=PLAIN", untagged[0])
        self.assertEqual(c.command("STARTTLS")[1],
                         "BAD TLS is already active.")
        c.login("alice", "secret")

    def test_implicit_tls(self):
        c = self.imap(tls=True)
        self.assertNotIn("STARTTLS", c.greeting)
        c.login("alice", "secret")


class Lifecycle(unittest.TestCase):
    def test_idle_timeout(self):
        with PosternServer(**server_args(USERS,
                                         imap="idle_timeout = 1s\n")) as s:
            c = ImapConn(s)
            c.login("alice", "secret")
            c.c.sock.settimeout(scaled(10))
            self.assertEqual(c.read_line(),
                             "* BYE Disconnected for inactivity.")
            self.assertEqual(c.c.read_eof(), b"")
            c.close()

    def test_shutdown_says_bye(self):
        s = PosternServer(**server_args(USERS)).start()
        try:
            idle = ImapConn(s)
            authed = ImapConn(s)
            authed.login("alice", "secret")
            s.proc.send_signal(signal.SIGTERM)
            for c in (idle, authed):
                self.assertEqual(c.read_line(),
                                 "* BYE Server shutting down.")
                self.assertEqual(c.c.read_eof(), b"")
                c.close()
        finally:
            s.cleanup()


    def test_shutdown_lets_running_command_finish(self):
        s = PosternServer(**server_args(USERS)).start()
        try:
            idle = ImapConn(s)
            busy = ImapConn(s)
            busy.login("alice", "secret")
            msg = b"Subject: x\r\n\r\n" + b"y" * 100000 + b"\r\n"
            busy.send_line("a1 APPEND INBOX {%d}" % len(msg))
            self.assertEqual(busy.read_line(), "+ OK")
            busy.c.send(msg[:50000])
            time.sleep(0.2)
            s.proc.send_signal(signal.SIGTERM)
            # the idle session says goodbye at once ...
            self.assertEqual(idle.read_line(), "* BYE Server shutting down.")
            # ... the busy one after its command
            time.sleep(0.2)
            busy.c.send(msg[50000:] + b"\r\n")
            self.assertRegex(busy.read_line(), r"^a1 OK \[APPENDUID ")
            self.assertEqual(busy.read_line(), "* BYE Server shutting down.")
            self.assertEqual(busy.c.read_eof(), b"")
            idle.close()
            busy.close()
        finally:
            s.cleanup()


if __name__ == "__main__":
    main()
