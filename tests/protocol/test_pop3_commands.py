"""POP3 commands in every state with their exact responses (RFC 1939,
2449), LIST/STAT sizes against the bytes RETR sends, byte-stuffing, TOP's
line rules, and pipelining."""

import os
import socket
import time

from pop3_test import GREETING, Pop3TestCase, crlf
from postern_test import main, scaled

MSG1 = b"Subject: one\r\nFrom: a@example.org\r\n\r\nHello.\r\n"
# lines starting with '.', a line that is just '.', one that is '..'
DOTS = (b"Subject: dots\r\n\r\n.leading dot\r\n.\r\n..\r\n"
        b"middle . dot\r\n.\r\nlast\r\n")
# stored with bare LFs, and a last line without a line end
LF_ONLY = b"Subject: lf\n\nline one\nline two\nno eol"
NO_BODY = b"Subject: header only\r\nX-Other: y\r\n"
EMPTY_BODY = b"Subject: empty body\r\n\r\n"


class Authorization(Pop3TestCase):
    def setUp(self):
        super().setUp()
        self.start()

    def test_greeting(self):
        c = self.client()
        self.assertRegex(c.greeting, GREETING)

    def test_transaction_commands_need_login(self):
        c = self.client()
        for cmd in ("STAT", "LIST", "LIST 1", "RETR 1", "DELE 1", "NOOP",
                    "RSET", "TOP 1 1", "UIDL", "UIDL 1"):
            self.assertEqual(c.cmd(cmd), "-ERR Not logged in.", cmd)

    def test_unknown_and_bad_commands(self):
        c = self.client()
        self.assertEqual(c.cmd("FROB"), "-ERR Unknown command.")
        self.assertEqual(c.cmd(""), "-ERR Unknown command.")
        self.assertEqual(c.cmd(" USER alice"), "-ERR Unknown command.")
        self.assertEqual(c.cmd("US?R alice"), "-ERR Unknown command.")
        # keywords are case-insensitive
        self.assertEqual(c.cmd("user alice"), "+OK")
        self.assertEqual(c.cmd("pAsS secret"), "+OK Logged in.")

    def test_too_many_bad_commands(self):
        c = self.client()
        c.send(b"BOGUS\r\n" * 25)
        data = c.read_eof().decode()
        self.assertEqual(data.count("-ERR Unknown command.\r\n"), 20)
        self.assertTrue(data.endswith("-ERR Too many bad commands.\r\n"))

    def test_user_pass(self):
        c = self.client()
        self.assertEqual(c.cmd("PASS secret"), "-ERR No username given.")
        self.assertEqual(c.cmd("USER"), "-ERR Invalid user name.")
        self.assertEqual(c.cmd("USER alice"), "+OK")
        self.assertEqual(c.cmd("PASS wrong"),
                         "-ERR [AUTH] Authentication failed.")
        # RFC 1939: after a failed PASS the USER must come again
        self.assertEqual(c.cmd("PASS secret"), "-ERR No username given.")
        self.assertEqual(c.cmd("USER nobody"), "+OK")
        self.assertEqual(c.cmd("PASS secret"),
                         "-ERR [AUTH] Authentication failed.")
        self.assertEqual(c.cmd("USER alice"), "+OK")
        self.assertEqual(c.cmd("PASS secret"), "+OK Logged in.")

    def test_three_failures_disconnect(self):
        c = self.client()
        for _ in range(3):
            self.assertEqual(c.cmd("USER alice"), "+OK")
            self.assertEqual(c.cmd("PASS nope"),
                             "-ERR [AUTH] Authentication failed.")
        self.assertEqual(c.read_eof(), b"")

    def test_capa(self):
        c = self.client()
        c.send_line("CAPA")
        self.assertEqual(c.read_line(), "+OK Capability list follows")
        caps = c.read_multi()
        self.assertEqual(caps[:5], ["TOP", "UIDL", "RESP-CODES",
                                    "AUTH-RESP-CODE", "PIPELINING"])
        self.assertIn("STLS", caps)
        self.assertIn("USER", caps)  # loopback counts as secured
        sasl = [cap for cap in caps if cap.startswith("SASL ")]
        self.assertEqual(len(sasl), 1)
        self.assertIn("PLAIN", sasl[0].split())
        self.assertEqual(caps[-1], "IMPLEMENTATION Postern")
        self.assertNotIn("LOGIN-DELAY", " ".join(caps))

    def test_auth_list_and_unknown(self):
        c = self.client()
        c.send_line("AUTH")
        self.assertEqual(c.read_line(), "+OK")
        mechs = c.read_multi()
        self.assertIn("PLAIN", mechs)
        self.assertEqual(c.cmd("AUTH FOO"),
                         "-ERR [AUTH] Unsupported authentication mechanism.")
        self.assertEqual(c.cmd("AUTH PL@IN"),
                         "-ERR Invalid authentication mechanism.")
        self.assertEqual(c.cmd("AUTH PLAIN AAA"),
                         "-ERR Invalid base64 data in initial response.")

    def test_quit(self):
        c = self.client()
        self.assertEqual(c.cmd("QUIT"), "+OK Logging out.")
        self.assertEqual(c.read_eof(), b"")


class Passwords(Pop3TestCase):
    server_kwargs = {"users": {"carol": " two  spaces "}}

    def test_password_with_spaces(self):
        self.start()
        c = self.client()
        self.assertEqual(c.cmd("USER carol"), "+OK")
        # RFC 1939 §7: spaces are part of the password
        self.assertEqual(c.cmd("PASS  two  spaces"),
                         "-ERR [AUTH] Authentication failed.")
        self.assertEqual(c.cmd("USER carol"), "+OK")
        self.assertEqual(c.cmd("PASS  two  spaces "), "+OK Logged in.")


class Transaction(Pop3TestCase):
    def setUp(self):
        super().setUp()
        self.bases = [self.server.deliver("alice", m)
                      for m in (MSG1, DOTS, LF_ONLY, NO_BODY, EMPTY_BODY)]
        self.messages = [crlf(m) for m in (MSG1, DOTS, LF_ONLY, NO_BODY,
                                           EMPTY_BODY)]
        # RETR ends a message without a final CRLF with one
        self.sent = [m if m.endswith(b"\r\n") else m + b"\r\n"
                     for m in self.messages]
        self.start()

    def test_stat_and_list(self):
        c = self.logged_in()
        total = sum(len(m) for m in self.messages)
        self.assertEqual(c.cmd("STAT"), "+OK 5 %d" % total)
        self.assertEqual(c.cmd("LIST"), "+OK 5 messages:")
        self.assertEqual(c.read_multi(),
                         ["%d %d" % (i + 1, len(m))
                          for i, m in enumerate(self.messages)])
        self.assertEqual(c.cmd("LIST 2"), "+OK 2 %d" % len(self.messages[1]))
        self.assertEqual(c.cmd("LIST  00003"),
                         "+OK 3 %d" % len(self.messages[2]))
        self.assertEqual(c.cmd("LIST 0"), "-ERR There's no message 0.")
        self.assertEqual(c.cmd("LIST 6"), "-ERR There's no message 6.")
        self.assertEqual(c.cmd("LIST x"), "-ERR Invalid message number.")
        self.assertEqual(c.cmd("LIST -1"), "-ERR Invalid message number.")
        self.assertEqual(c.cmd("LIST 1 2"), "-ERR Noise after message number.")
        self.assertEqual(c.cmd("LIST 99999999999"),
                         "-ERR Message number too large.")

    def test_retr_sizes_and_stuffing(self):
        c = self.logged_in()
        for i, msg in enumerate(self.messages):
            c.send_line("RETR %d" % (i + 1))
            self.assertEqual(c.read_line(), "+OK %d octets" % len(msg))
            self.assertEqual(c.read_message(), self.sent[i])
        # on the wire: every line starting with '.' got one more
        c.send_line("RETR 2")
        c.read_line()
        self.assertEqual(c.read_multi(),
                         ["Subject: dots", "", "..leading dot", "..", "...",
                          "middle . dot", "..", "last"])
        self.assertEqual(c.cmd("RETR 6"), "-ERR There's no message 6.")
        self.assertEqual(c.cmd("RETR"), "-ERR Invalid message number.")

    def test_list_size_is_retr_bytes_before_stuffing(self):
        c = self.logged_in()
        for i in range(5):
            size = int(c.cmd("LIST %d" % (i + 1)).split()[2])
            c.send_line("RETR %d" % (i + 1))
            c.read_line()
            body = c.read_message()
            # a message that lacked its final CRLF gets one from RETR
            self.assertIn(len(body) - size, (0, 2))
            self.assertEqual(body[:size], self.messages[i])

    def test_top(self):
        c = self.logged_in()
        cases = [
            ("TOP 1 0", MSG1.split(b"\r\n\r\n")[0] + b"\r\n\r\n"),
            ("TOP 1 1", MSG1),
            ("TOP 1 100", MSG1),
            ("TOP 2 0", b"Subject: dots\r\n\r\n"),
            ("TOP 2 2", b"Subject: dots\r\n\r\n.leading dot\r\n.\r\n"),
            ("TOP 3 1", b"Subject: lf\r\n\r\nline one\r\n"),
            ("TOP 3 5", crlf(LF_ONLY) + b"\r\n"),
            # no blank line: all header, sent whole
            ("TOP 4 0", NO_BODY),
            ("TOP 5 0", EMPTY_BODY),
            ("TOP 5 3", EMPTY_BODY),
        ]
        for cmd, expected in cases:
            self.assertEqual(c.cmd(cmd), "+OK", cmd)
            self.assertEqual(c.read_message(), expected, cmd)
        self.assertEqual(c.cmd("TOP 1"), "-ERR Missing the number of lines.")
        self.assertEqual(c.cmd("TOP 1 x"), "-ERR Invalid number of lines.")
        self.assertEqual(c.cmd("TOP 1 -1"), "-ERR Invalid number of lines.")
        self.assertEqual(c.cmd("TOP 1 1 1"),
                         "-ERR Noise after number of lines.")
        self.assertEqual(c.cmd("TOP 9 1"), "-ERR There's no message 9.")

    def test_dele_rset(self):
        c = self.logged_in()
        sizes = [len(m) for m in self.messages]
        self.assertEqual(c.cmd("DELE 2"), "+OK Marked to be deleted.")
        self.assertEqual(c.cmd("DELE 2"), "-ERR Message is deleted.")
        for cmd in ("LIST 2", "RETR 2", "TOP 2 0", "UIDL 2"):
            self.assertEqual(c.cmd(cmd), "-ERR Message is deleted.", cmd)
        self.assertEqual(c.cmd("STAT"),
                         "+OK 4 %d" % (sum(sizes) - sizes[1]))
        self.assertEqual(c.cmd("LIST"), "+OK 4 messages:")
        self.assertEqual([l.split()[0] for l in c.read_multi()],
                         ["1", "3", "4", "5"])
        c.send_line("UIDL")
        c.read_line()
        self.assertEqual([l.split()[0] for l in c.read_multi()],
                         ["1", "3", "4", "5"])
        self.assertEqual(c.cmd("RSET"), "+OK")
        self.assertEqual(c.cmd("STAT"), "+OK 5 %d" % sum(sizes))
        self.assertEqual(c.cmd("LIST 2"), "+OK 2 %d" % sizes[1])
        self.assertEqual(c.cmd("QUIT"), "+OK Logging out.")
        c.read_eof()
        self.assertEqual(self.server.message_files("alice"),
                         sorted(self.bases))

    def test_quit_expunges(self):
        c = self.logged_in()
        self.assertEqual(c.cmd("DELE 1"), "+OK Marked to be deleted.")
        self.assertEqual(c.cmd("DELE 3"), "+OK Marked to be deleted.")
        self.assertEqual(c.cmd("QUIT"), "+OK Logging out, messages deleted.")
        self.assertEqual(c.read_eof(), b"")
        self.assertEqual(self.server.message_files("alice"),
                         sorted([self.bases[1], self.bases[3],
                                 self.bases[4]]))

    def test_noop_and_wrong_state(self):
        c = self.logged_in()
        self.assertEqual(c.cmd("NOOP"), "+OK")
        for cmd in ("USER alice", "PASS secret", "AUTH PLAIN", "STLS",
                    "APOP alice x"):
            self.assertEqual(c.cmd(cmd), "-ERR Already logged in.", cmd)
        self.assertEqual(c.cmd("FROB"), "-ERR Unknown command.")

    def test_capa_after_login(self):
        c = self.logged_in()
        c.send_line("CAPA")
        self.assertEqual(c.read_line(), "+OK Capability list follows")
        self.assertEqual(c.read_multi(),
                         ["TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE",
                          "PIPELINING", "IMPLEMENTATION Postern"])

    def test_uidl(self):
        c = self.logged_in()
        c.send_line("UIDL")
        self.assertEqual(c.read_line(), "+OK")
        lines = c.read_multi()
        self.assertEqual([l.split()[0] for l in lines],
                         ["1", "2", "3", "4", "5"])
        uidls = [l.split()[1] for l in lines]
        # Dovecot's default format: UID and UIDVALIDITY, 8 hex digits each
        uidvalidity = uidls[0][8:]
        for i, uidl in enumerate(uidls):
            self.assertRegex(uidl, r"^[0-9a-f]{16}$")
            self.assertEqual(uidl, "%08x%s" % (i + 1, uidvalidity))
        self.assertEqual(c.cmd("UIDL 3"), "+OK 3 " + uidls[2])
        self.assertEqual(c.cmd("UIDL 0"), "-ERR There's no message 0.")
        self.assertEqual(c.cmd("UIDL 1 1"), "-ERR Noise after message number.")

    def test_retr_marks_seen(self):
        c = self.logged_in()
        c.send_line("RETR 1")
        c.read_line()
        c.read_message()
        c.send_line("TOP 2 0")
        c.read_line()
        c.read_message()
        self.assertEqual(c.cmd("QUIT"), "+OK Logging out.")
        c.read_eof()
        self.assertEqual(self.server.message_flags("alice", self.bases[0]),
                         "S")
        # TOP doesn't mark
        self.assertNotEqual(self.server.message_flags("alice",
                                                      self.bases[1]), "S")


class Pipelining(Pop3TestCase):
    def setUp(self):
        super().setUp()
        self.server.deliver("alice", MSG1)
        self.server.deliver("alice", DOTS)
        self.start()

    def test_pipelined_session(self):
        c = self.client()
        c.send(b"CAPA\r\nUSER alice\r\nPASS secret\r\nSTAT\r\nLIST\r\n"
               b"RETR 2\r\nUIDL 1\r\nTOP 1 0\r\nDELE 1\r\nNOOP\r\n"
               b"LIST 1\r\nRSET\r\nQUIT\r\n")
        self.assertEqual(c.read_line(), "+OK Capability list follows")
        self.assertIn("PIPELINING", c.read_multi())
        self.assertEqual(c.read_line(), "+OK")
        self.assertEqual(c.read_line(), "+OK Logged in.")
        self.assertEqual(c.read_line(),
                         "+OK 2 %d" % (len(MSG1) + len(DOTS)))
        self.assertEqual(c.read_line(), "+OK 2 messages:")
        self.assertEqual(c.read_multi(), ["1 %d" % len(MSG1),
                                          "2 %d" % len(DOTS)])
        self.assertEqual(c.read_line(), "+OK %d octets" % len(DOTS))
        self.assertEqual(c.read_message(), DOTS)
        self.assertRegex(c.read_line(), r"^\+OK 1 [0-9a-f]{16}$")
        self.assertEqual(c.read_line(), "+OK")
        self.assertEqual(c.read_message(), b"Subject: one\r\n"
                         b"From: a@example.org\r\n\r\n")
        self.assertEqual(c.read_line(), "+OK Marked to be deleted.")
        self.assertEqual(c.read_line(), "+OK")
        self.assertEqual(c.read_line(), "-ERR Message is deleted.")
        self.assertEqual(c.read_line(), "+OK")
        self.assertEqual(c.read_line(), "+OK Logging out.")
        self.assertEqual(c.read_eof(), b"")

    def test_pipelined_one_byte_at_a_time(self):
        c = self.client()
        c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for byte in b"USER alice\r\nPASS secret\r\nSTAT\r\n":
            c.send(bytes([byte]))
        self.assertEqual(c.read_line(), "+OK")
        self.assertEqual(c.read_line(), "+OK Logged in.")
        self.assertTrue(c.read_line().startswith("+OK 2 "))

    def test_pipelined_after_quit_is_ignored(self):
        c = self.client()
        c.send(b"USER alice\r\nPASS secret\r\nDELE 1\r\nQUIT\r\nDELE 2\r\n")
        data = c.read_eof().decode()
        self.assertTrue(data.endswith("+OK Logging out, messages deleted."
                                      "\r\n"), data)
        self.assertEqual(len(self.server.message_files("alice")), 1)


class ManyMessages(Pop3TestCase):
    """Listings longer than one UIDL batch and one output queue."""

    def setUp(self):
        super().setUp()
        for n in range(1300):
            self.server.deliver("alice", b"Subject: %d\r\n\r\n%s\r\n"
                                % (n, b"x" * (n % 50)))
        self.start()

    def test_list_and_uidl(self):
        c = self.logged_in()
        for n in (1, 600, 1300):
            self.assertEqual(c.cmd("DELE %d" % n), "+OK Marked to be deleted.")
        self.assertEqual(c.cmd("LIST"), "+OK 1297 messages:")
        listing = c.read_multi()
        expect = [n for n in range(2, 1300) if n != 600]
        self.assertEqual([int(l.split()[0]) for l in listing], expect)
        c.send_line("UIDL")
        self.assertEqual(c.read_line(), "+OK")
        uidls = c.read_multi()
        self.assertEqual([int(l.split()[0]) for l in uidls], expect)
        self.assertEqual(len(set(l.split()[1] for l in uidls)), 1297)
        self.assertEqual(c.cmd("UIDL 700"), "+OK " + uidls[697])


class BigMessage(Pop3TestCase):
    """A RETR far bigger than the output queue goes out in pieces as the
    client reads, never built whole in the server's memory, and arrives
    intact."""

    def setUp(self):
        super().setUp()
        lines = [b"Subject: big", b""]
        for i in range(500000):
            lines.append(b"." * (i % 3) + b"line %d of a big message" % i)
        self.big = b"\r\n".join(lines) + b"\r\n"
        self.server.deliver("alice", self.big)
        # Under ASan, freed memory sits in a quarantine and would count as
        # grown: measure live memory only.
        asan = os.environ.get("ASAN_OPTIONS")
        if asan is not None:
            os.environ["ASAN_OPTIONS"] = asan + ":quarantine_size_mb=0"
            self.addCleanup(os.environ.__setitem__, "ASAN_OPTIONS", asan)
        self.start()

    def test_stalled_reader(self):
        c = self.logged_in()
        before = self.server.worker_anon_kb()
        c.send_line("RETR 1")
        # The client reads nothing: the server fills the socket and its
        # output queue, then waits for output_drained.
        time.sleep(scaled(1))
        grown = self.server.worker_anon_kb() - before
        self.assertLess(grown * 1024, len(self.big) // 4,
                        "the worker grew by %d KB during a %d KB RETR"
                        % (grown, len(self.big) // 1024))
        self.assertEqual(c.read_line(), "+OK %d octets" % len(self.big))
        self.assertEqual(c.read_message(), self.big)
        self.assertEqual(c.cmd("NOOP"), "+OK")
        c.send_line("TOP 1 3")
        self.assertEqual(c.read_line(), "+OK")
        self.assertEqual(c.read_message(),
                         b"Subject: big\r\n\r\nline 0 of a big message\r\n"
                         b".line 1 of a big message\r\n"
                         b"..line 2 of a big message\r\n")


if __name__ == "__main__":
    main()
