"""POP3 sessions against each other and against time: the maildrop lock
([IN-USE]), interrupted sessions that must delete nothing, other mailbox
users beside a POP3 session, graceful shutdown, LOGIN-DELAY, and UIDLs
that stay the same across sessions, restarts, index rebuilds and imports
from Dovecot."""

import glob
import os
import signal
import socket
import time

from pop3_test import (Pop3Client, Pop3Server, Pop3TestCase, USERS,
                       login_retrying)
from postern_test import main, scaled


def msg(n, size=0):
    return (b"Subject: message %d\r\n\r\n" % n) + b"x" * size + b"\r\n"


class Locking(Pop3TestCase):
    def setUp(self):
        super().setUp()
        for n in range(3):
            self.server.deliver("alice", msg(n))
        self.start()

    def test_in_use(self):
        a = self.logged_in()
        b = self.client()
        self.assertEqual(b.cmd("USER alice"), "+OK")
        self.assertEqual(b.cmd("PASS secret"),
                         "-ERR [IN-USE] Mailbox is locked by another POP3 "
                         "session.")
        # still in AUTHORIZATION: the session can try again or quit
        self.assertEqual(b.cmd("STAT"), "-ERR Not logged in.")
        # another user isn't affected
        c = self.client()
        c.login("bob")
        self.assertEqual(a.quit(), "+OK Logging out.")
        b2 = login_retrying(self.server)
        self.addCleanup(b2.close)
        self.assertTrue(b2.cmd("STAT").startswith("+OK 3 "))

    def test_in_use_with_auth(self):
        self.logged_in()
        b = self.client()
        self.assertEqual(b.cmd("AUTH PLAIN AGFsaWNlAHNlY3JldA=="),
                         "-ERR [IN-USE] Mailbox is locked by another POP3 "
                         "session.")


class Interrupted(Pop3TestCase):
    def setUp(self):
        super().setUp()
        self.bases = [self.server.deliver("alice", msg(n, 200000))
                      for n in range(5)]
        self.start()

    def test_drop_after_dele(self):
        c = self.logged_in()
        for n in range(1, 6):
            self.assertEqual(c.cmd("DELE %d" % n), "+OK Marked to be deleted.")
        c.sock.close()
        d = login_retrying(self.server)
        self.addCleanup(d.close)
        self.assertEqual(d.cmd("STAT"), "+OK 5 %d" % (5 * len(msg(0, 200000))))
        self.assertEqual(self.server.message_files("alice"),
                         sorted(self.bases))

    def test_drop_mid_retr(self):
        c = self.logged_in()
        self.assertEqual(c.cmd("DELE 1"), "+OK Marked to be deleted.")
        c.send_line("RETR 2")
        c.sock.recv(1000)
        # a reset, not a clean close
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                          b"\x01\x00\x00\x00\x00\x00\x00\x00")
        c.sock.close()
        d = login_retrying(self.server)
        self.addCleanup(d.close)
        self.assertTrue(d.cmd("STAT").startswith("+OK 5 "))
        self.assertEqual(self.server.message_files("alice"),
                         sorted(self.bases))
        # a message not sent whole isn't marked \Seen
        self.assertNotEqual(self.server.message_flags("alice",
                                                      self.bases[1]), "S")

    def test_half_close_after_quit_deletes(self):
        # QUIT was sent, then the client stopped sending: that is a QUIT
        c = self.logged_in()
        c.send(b"DELE 1\r\nQUIT\r\n")
        c.sock.shutdown(socket.SHUT_WR)
        data = c.read_eof()
        self.assertTrue(data.endswith(b"+OK Logging out, messages deleted."
                                      b"\r\n"), data)
        self.assertEqual(self.server.message_files("alice"),
                         sorted(self.bases[1:]))

    def test_seen_kept_without_quit(self):
        # a message sent whole was seen, even if the session then broke
        c = self.logged_in()
        c.send_line("RETR 3")
        c.read_line()
        c.read_message()
        c.sock.close()
        deadline = time.time() + scaled(10)
        while (self.server.message_flags("alice", self.bases[2]) != "S"
               and time.time() < deadline):
            time.sleep(0.05)
        self.assertEqual(self.server.message_flags("alice", self.bases[2]),
                         "S")


class IdleTimeout(Pop3TestCase):
    server_kwargs = {"pop3": "idle_timeout = 1s\n"}

    def test_autologout_deletes_nothing(self):
        bases = [self.server.deliver("alice", msg(n)) for n in range(2)]
        self.start()
        c = self.logged_in()
        self.assertEqual(c.cmd("DELE 1"), "+OK Marked to be deleted.")
        # RFC 1939 §3: no UPDATE state and no response
        self.assertEqual(c.read_eof(), b"")
        self.assertEqual(self.server.message_files("alice"), sorted(bases))


class NoSeenMarks(Pop3TestCase):
    server_kwargs = {"pop3": "mark_seen = no\n"}

    def test_retr_leaves_flags(self):
        base = self.server.deliver("alice", msg(0), subdir="cur")
        self.start()
        c = self.logged_in()
        c.send_line("RETR 1")
        c.read_line()
        c.read_message()
        self.assertEqual(c.quit(), "+OK Logging out.")
        self.assertEqual(self.server.message_flags("alice", base), "")


class Shutdown(Pop3TestCase):
    def setUp(self):
        super().setUp()
        # far more than the socket buffers and the output queue hold, so
        # that a RETR of it is still running when SIGTERM comes
        lines = b"".join(b"line %d\r\n" % i for i in range(1500000))
        self.big = b"Subject: big\r\n\r\n" + lines
        self.bases = [self.server.deliver("alice", self.big),
                      self.server.deliver("alice", msg(1))]
        self.start()

    def test_idle_sessions_told_at_once(self):
        a = self.logged_in()
        self.assertEqual(a.cmd("DELE 2"), "+OK Marked to be deleted.")
        b = self.client()  # not logged in
        self.server.proc.send_signal(signal.SIGTERM)
        self.assertEqual(a.read_line(),
                         "-ERR [SYS/TEMP] Server shutting down.")
        self.assertEqual(a.read_eof(), b"")
        self.assertEqual(b.read_line(),
                         "-ERR [SYS/TEMP] Server shutting down.")
        self.assertEqual(self.server.proc.wait(scaled(20)), 0)
        # DELE without QUIT: nothing deleted
        self.assertEqual(self.server.message_files("alice"),
                         sorted(self.bases))

    def test_running_command_finishes_first(self):
        a = self.logged_in()
        a.send_line("RETR 1")
        self.assertEqual(a.read_line(), "+OK %d octets" % len(self.big))
        # the RETR waits for us to read; stop the server meanwhile
        self.server.proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        self.assertEqual(a.read_message(), self.big)
        self.assertEqual(a.read_line(),
                         "-ERR [SYS/TEMP] Server shutting down.")
        self.assertEqual(a.read_eof(), b"")
        self.assertEqual(self.server.proc.wait(scaled(20)), 0)
        self.assertEqual(self.server.message_files("alice"),
                         sorted(self.bases))

    def test_commands_pipelined_after_the_running_one_are_not_run(self):
        a = self.logged_in()
        # RETR runs (waiting for us to read) when SIGTERM comes: it
        # finishes, then goodbye; the DELE and QUIT behind it never run
        a.send(b"RETR 1\r\nDELE 2\r\nQUIT\r\n")
        self.assertEqual(a.read_line(), "+OK %d octets" % len(self.big))
        self.server.proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        self.assertEqual(a.read_message(), self.big)
        self.assertEqual(a.read_line(),
                         "-ERR [SYS/TEMP] Server shutting down.")
        self.assertEqual(a.read_eof(), b"")
        self.assertEqual(self.server.proc.wait(scaled(20)), 0)
        self.assertEqual(self.server.message_files("alice"),
                         sorted(self.bases))


class OtherMailboxUsers(Pop3TestCase):
    """The POP3 lock is POP3's: delivery and other sessions of the user
    (IMAP) go on beside it; the session's snapshot doesn't move."""

    def setUp(self):
        super().setUp()
        self.bases = [self.server.deliver("alice", msg(n)) for n in range(3)]
        self.start()

    def test_new_mail_during_session(self):
        c = self.logged_in()
        self.server.deliver("alice", msg(9))
        # the snapshot: still 3 messages, numbers unchanged
        self.assertTrue(c.cmd("STAT").startswith("+OK 3 "))
        self.assertEqual(c.cmd("QUIT"), "+OK Logging out.")
        c.read_eof()
        d = login_retrying(self.server)
        self.addCleanup(d.close)
        self.assertTrue(d.cmd("STAT").startswith("+OK 4 "))

    def test_message_removed_by_another_program(self):
        c = self.logged_in()
        for path in glob.glob(os.path.join(self.server.maildir("alice"),
                                           "*", self.bases[1] + "*")):
            os.unlink(path)
        c.send_line("RETR 2")
        self.assertEqual(c.read_line(), "-ERR Message 2 expunged.")
        c.send_line("RETR 3")
        self.assertEqual(c.read_line(), "+OK %d octets" % len(msg(2)))
        self.assertEqual(c.read_message(), msg(2))
        self.assertEqual(c.cmd("DELE 2"), "+OK Marked to be deleted.")
        self.assertEqual(c.cmd("QUIT"), "+OK Logging out, messages deleted.")

    def imap_login(self):
        s = socket.create_connection(("127.0.0.1", self.server.ports["imap"]),
                                     timeout=scaled(5))
        self.addCleanup(s.close)
        f = s.makefile("rwb")
        f.readline()
        f.write(b"a1 LOGIN alice secret\r\n")
        f.flush()
        reply = f.readline()
        if not reply.startswith(b"a1 OK"):
            self.skipTest("IMAP LOGIN isn't there yet: %r" % reply)
        return f

    def imap_cmd(self, f, tag, cmd):
        f.write(tag + b" " + cmd + b"\r\n")
        f.flush()
        lines = []
        while True:
            line = f.readline()
            lines.append(line)
            if line.startswith(tag + b" "):
                return lines

    def test_imap_session_beside_pop3(self):
        c = self.logged_in()
        f = self.imap_login()
        lines = self.imap_cmd(f, b"a2", b"SELECT INBOX")
        self.assertTrue(lines[-1].startswith(b"a2 OK"), lines)
        self.assertIn(b"* 3 EXISTS\r\n", lines)
        # IMAP expunges message 1 while POP3 holds its snapshot
        self.imap_cmd(f, b"a3", b"STORE 1 +FLAGS (\\Deleted)")
        self.assertTrue(self.imap_cmd(f, b"a4", b"EXPUNGE")[-1]
                        .startswith(b"a4 OK"))
        self.assertTrue(c.cmd("STAT").startswith("+OK 3 "))
        self.assertEqual(c.cmd("RETR 1"), "-ERR Message 1 expunged.")
        c.send_line("RETR 2")
        self.assertEqual(c.read_line(), "+OK %d octets" % len(msg(1)))
        self.assertEqual(c.read_message(), msg(1))
        self.assertEqual(c.cmd("QUIT"), "+OK Logging out.")
        # IMAP sees the \Seen that POP3's RETR set
        lines = self.imap_cmd(f, b"a5", b"FETCH 1:* FLAGS")
        self.assertIn(b"\\Seen", lines[0])


class Uidl(Pop3TestCase):
    def setUp(self):
        super().setUp()
        self.bases = [self.server.deliver("alice", msg(n)) for n in range(4)]

    def uidls(self):
        c = login_retrying(self.server)
        c.send_line("UIDL")
        self.assertEqual(c.read_line(), "+OK")
        lines = c.read_multi()
        self.assertEqual(c.quit(), "+OK Logging out.")
        c.close()
        return lines

    def restart(self):
        self.assertEqual(self.server.stop(), 0)
        self.server.log.close()
        self.server.start()

    def test_stable_across_sessions_restarts_and_rebuilds(self):
        self.start()
        first = self.uidls()
        self.assertEqual(len(first), 4)
        self.assertEqual(self.uidls(), first)
        self.restart()
        self.assertEqual(self.uidls(), first)
        # throw the index away: the UIDs come back from the maildir
        self.assertEqual(self.server.stop(), 0)
        self.server.log.close()
        removed = 0
        for path in glob.glob(os.path.join(self.server.maildir("alice"),
                                           "postern-index.db*")):
            os.unlink(path)
            removed += 1
        self.assertGreater(removed, 0)
        self.server.start()
        self.assertEqual(self.uidls(), first)
        # new mail gets new UIDLs; the old ones stay
        self.server.deliver("alice", msg(5))
        after = self.uidls()
        self.assertEqual(after[:4], first)
        self.assertEqual(len(set(after)), 5)

    def test_deleted_uidls_not_reused(self):
        self.start()
        first = self.uidls()
        c = login_retrying(self.server)
        self.addCleanup(c.close)
        self.assertEqual(c.cmd("DELE 4"), "+OK Marked to be deleted.")
        self.assertEqual(c.quit(), "+OK Logging out, messages deleted.")
        self.server.deliver("alice", msg(7))
        after = self.uidls()
        self.assertEqual(after[:3], first[:3])
        self.assertNotEqual(after[3].split()[1], first[3].split()[1])


class UidlFormats(Pop3TestCase):
    server_kwargs = {"pop3": "uidl_format = %f\n"}

    def test_file_names(self):
        bases = [self.server.deliver("alice", msg(n)) for n in range(2)]
        self.start()
        c = self.logged_in()
        c.send_line("UIDL")
        c.read_line()
        self.assertEqual(c.read_multi(), ["1 " + bases[0], "2 " + bases[1]])


class UidlDecimal(Pop3TestCase):
    server_kwargs = {"pop3": "uidl_format = %u.%v\n"}

    def test_decimal(self):
        self.server.deliver("alice", msg(0))
        self.start()
        c = self.logged_in()
        self.assertRegex(c.cmd("UIDL 1"), r"^\+OK 1 1\.[0-9]+$")


class DovecotImport(Pop3TestCase):
    """A maildir that Dovecot served: its dovecot-uidlist keeps UIDs,
    UIDVALIDITY and, for some messages, POP3 UIDLs from an older server
    (the P field); those win over the format."""

    def test_uidlist(self):
        names = ["1600000001.M1P1.old", "1600000002.M2P2.old",
                 "1600000003.M3P3.old"]
        for n, name in enumerate(names):
            self.server.deliver("alice", msg(n), subdir="cur", name=name)
        with open(os.path.join(self.server.maildir("alice"),
                               "dovecot-uidlist"), "w") as f:
            f.write("3 V1234567890 N20 G0123456789abcdef0123456789abcdef\n")
            f.write("5 Pold-uidl-one :%s:2,\n" % names[0])
            f.write("6 :%s:2,\n" % names[1])
            f.write("9 PUIDL.three :%s:2,\n" % names[2])
        self.start()
        c = self.logged_in()
        c.send_line("UIDL")
        c.read_line()
        self.assertEqual(c.read_multi(),
                         ["1 old-uidl-one",
                          "2 %08x%08x" % (6, 1234567890),
                          "3 UIDL.three"])


class LoginDelay(Pop3TestCase):
    server_kwargs = {"pop3": "login_delay = 1h\n"}

    def test_login_delay(self):
        self.start()
        c = self.client()
        c.send_line("CAPA")
        c.read_line()
        self.assertIn("LOGIN-DELAY 3600", c.read_multi())
        c.login()
        self.assertEqual(c.quit(), "+OK Logging out.")
        d = self.client()
        self.assertEqual(d.cmd("USER alice"), "+OK")
        self.assertEqual(d.cmd("PASS secret"),
                         "-ERR [LOGIN-DELAY] Wait 3600 seconds between "
                         "logins.")
        # another user isn't affected
        d.login("bob")


if __name__ == "__main__":
    main()
