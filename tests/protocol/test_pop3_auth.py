"""POP3 logins: AUTH (RFC 5034) with and without an initial response,
cancelled exchanges, STLS (RFC 2595) and implicit TLS, and plaintext
refused on an insecure channel (RFC 2595 §2.3 / DESIGN.md)."""

import base64
import hashlib
import os
import socket
import unittest

from pop3_test import GREETING, Pop3Client, Pop3Server, Pop3TestCase
from postern_test import main


def b64(data):
    return base64.b64encode(data).decode()


PLAIN_ALICE = b64(b"\0alice\0secret")


def non_loopback_ipv4():
    """An address of this machine that isn't loopback, or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            # no packet is sent: this only picks the route's source
            s.connect(("192.0.2.1", 9))
            addr = s.getsockname()[0]
        except OSError:
            return None
    if addr.startswith("127.") or addr == "0.0.0.0":
        return None
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((addr, 0))
        except OSError:
            return None
    return addr


class Sasl(Pop3TestCase):
    def setUp(self):
        super().setUp()
        self.server.deliver("alice", b"Subject: x\r\n\r\nbody\r\n")
        self.start()

    def test_plain_with_initial_response(self):
        c = self.client()
        self.assertEqual(c.cmd("AUTH PLAIN " + PLAIN_ALICE),
                         "+OK Logged in.")
        self.assertEqual(c.cmd("STAT"), "+OK 1 20")

    def test_plain_with_continuation(self):
        c = self.client()
        self.assertEqual(c.cmd("AUTH PLAIN"), "+ ")
        self.assertEqual(c.cmd(PLAIN_ALICE), "+OK Logged in.")

    def test_lowercase_mechanism_and_authzid(self):
        c = self.client()
        self.assertEqual(c.cmd("auth plain " + b64(b"alice\0alice\0secret")),
                         "+OK Logged in.")

    def test_login_mechanism(self):
        c = self.client()
        self.assertTrue(c.cmd("AUTH LOGIN").startswith("+ "))
        self.assertTrue(c.cmd(b64(b"alice")).startswith("+ "))
        self.assertEqual(c.cmd(b64(b"secret")), "+OK Logged in.")

    def test_wrong_password(self):
        c = self.client()
        self.assertEqual(c.cmd("AUTH PLAIN " + b64(b"\0alice\0nope")),
                         "-ERR [AUTH] Authentication failed.")
        self.assertEqual(c.cmd("STAT"), "-ERR Not logged in.")

    def test_cancel(self):
        c = self.client()
        self.assertEqual(c.cmd("AUTH PLAIN"), "+ ")
        self.assertEqual(c.cmd("*"), "-ERR Authentication aborted by client.")
        self.assertEqual(c.cmd("AUTH PLAIN"), "+ ")
        self.assertEqual(c.cmd("not base64!"),
                         "-ERR [AUTH] Invalid base64 data in continued "
                         "response.")
        # the session goes on
        self.assertEqual(c.cmd("AUTH PLAIN " + PLAIN_ALICE), "+OK Logged in.")

    def test_pipelined_after_auth(self):
        c = self.client()
        c.send(b"AUTH PLAIN " + PLAIN_ALICE.encode() + b"\r\nSTAT\r\nQUIT\r\n")
        self.assertEqual(c.read_line(), "+OK Logged in.")
        self.assertEqual(c.read_line(), "+OK 1 20")
        self.assertEqual(c.read_line(), "+OK Logging out.")

    def test_disconnect_during_exchange(self):
        c = self.client()
        self.assertEqual(c.cmd("AUTH PLAIN"), "+ ")
        c.close()
        # the server is fine and the maildrop isn't held
        d = self.client()
        d.login()


def apop_digest(greeting, password):
    """RFC 1939 §7: MD5 of the greeting's timestamp and the password."""
    challenge = GREETING.match(greeting).group(1)
    return hashlib.md5((challenge + password).encode()).hexdigest()


class Apop(Pop3TestCase):
    """APOP through the auth process's APOP mechanism: it works where the
    passdb holds the password in the clear ({PLAIN}), not for hashes."""

    def setUp(self):
        super().setUp()
        salt = os.urandom(8)
        hashed = base64.b64encode(hashlib.sha512(b"hashpw" + salt).digest()
                                  + salt).decode()
        with open(os.path.join(self.server.dir, "users.passwd"), "a") as f:
            f.write("hashed:{SSHA512}%s::::::\n" % hashed)
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(self.server.maildir("hashed"), sub))
        self.server.deliver("alice", b"Subject: apop\r\n\r\nbody\r\n")
        self.start()

    def test_apop_login(self):
        c = self.client()
        self.assertEqual(c.cmd("APOP alice " + apop_digest(c.greeting,
                                                           "secret")),
                         "+OK Logged in.")
        self.assertEqual(c.cmd("STAT"), "+OK 1 23")

    def test_uppercase_digest(self):
        c = self.client()
        digest = apop_digest(c.greeting, "secret").upper()
        self.assertEqual(c.cmd("APOP alice " + digest), "+OK Logged in.")

    def test_wrong_digest(self):
        c = self.client()
        self.assertEqual(c.cmd("APOP alice " + apop_digest(c.greeting,
                                                           "wrong")),
                         "-ERR [AUTH] Authentication failed.")
        self.assertEqual(c.cmd("STAT"), "-ERR Not logged in.")

    def test_timestamp_is_per_connection(self):
        a, b = self.client(), self.client()
        self.assertNotEqual(a.greeting, b.greeting)
        # a digest made for one connection is useless on another
        self.assertEqual(b.cmd("APOP alice " + apop_digest(a.greeting,
                                                           "secret")),
                         "-ERR [AUTH] Authentication failed.")

    def test_hashed_password(self):
        c = self.client()
        self.assertEqual(c.cmd("APOP hashed " + apop_digest(c.greeting,
                                                            "hashpw")),
                         "-ERR [AUTH] Authentication failed.")
        self.assertEqual(c.cmd("USER hashed"), "+OK")
        self.assertEqual(c.cmd("PASS hashpw"), "+OK Logged in.")

    def test_syntax(self):
        c = self.client()
        self.assertEqual(c.cmd("APOP"), "-ERR Invalid APOP arguments.")
        self.assertEqual(c.cmd("APOP alice"), "-ERR Invalid APOP arguments.")
        self.assertEqual(c.cmd("APOP alice 0123"), "-ERR Invalid APOP digest.")
        self.assertEqual(c.cmd("APOP alice " + "g" * 32),
                         "-ERR Invalid APOP digest.")

    def test_not_a_sasl_mechanism(self):
        c = self.client()
        c.send_line("CAPA")
        c.read_line()
        for cap in c.read_multi():
            self.assertNotIn("APOP", cap)
        c.send_line("AUTH")
        c.read_line()
        self.assertNotIn("APOP", c.read_multi())
        self.assertEqual(c.cmd("AUTH APOP"),
                         "-ERR [AUTH] Unsupported authentication mechanism.")


class ApopDisabled(Pop3TestCase):
    server_kwargs = {"auth": "mechanisms = PLAIN LOGIN\n"}

    def test_no_timestamp(self):
        self.start()
        c = self.client()
        self.assertEqual(c.greeting, "+OK Postern ready.")
        self.assertEqual(c.cmd("APOP alice " + "0" * 32),
                         "-ERR APOP not enabled.")


class Tls(Pop3TestCase):
    def setUp(self):
        super().setUp()
        self.server.deliver("alice", b"Subject: tls\r\n\r\nover TLS\r\n")
        self.start()

    def test_stls_then_login(self):
        c = self.client()
        c.send_line("CAPA")
        c.read_line()
        self.assertIn("STLS", c.read_multi())
        # a USER given before STLS is forgotten (RFC 2595 §4)
        self.assertEqual(c.cmd("USER alice"), "+OK")
        self.assertEqual(c.cmd("STLS"), "+OK Begin TLS negotiation now.")
        c.starttls()
        self.assertEqual(c.cmd("PASS secret"), "-ERR No username given.")
        self.assertEqual(c.cmd("STLS"), "-ERR TLS is already active.")
        c.send_line("CAPA")
        c.read_line()
        caps = c.read_multi()
        self.assertNotIn("STLS", caps)
        self.assertIn("USER", caps)
        c.login()
        c.send_line("RETR 1")
        self.assertEqual(c.read_line(), "+OK 26 octets")
        self.assertEqual(c.read_message(), b"Subject: tls\r\n\r\nover TLS\r\n")
        self.assertEqual(c.quit(), "+OK Logging out.")

    def test_implicit_tls(self):
        c = self.client(port_name="pop3s", tls=True)
        self.assertRegex(c.greeting, GREETING)
        c.send_line("CAPA")
        c.read_line()
        self.assertNotIn("STLS", c.read_multi())
        self.assertEqual(c.cmd("AUTH PLAIN " + PLAIN_ALICE),
                         "+OK Logged in.")
        self.assertEqual(c.cmd("LIST 1"), "+OK 1 26")


class PlaintextRefused(unittest.TestCase):
    """allow_plaintext = no and a client on a non-loopback address: no
    USER in CAPA, no plaintext SASL mechanisms, USER/PASS/AUTH PLAIN
    refused with [AUTH] until STLS."""

    def setUp(self):
        self.addr = non_loopback_ipv4()
        if self.addr is None:
            self.skipTest("this machine has no non-loopback IPv4 address")
        self.server = Pop3Server(auth="allow_plaintext = no\n")
        self.addCleanup(self.server.cleanup)
        self.port = self.listen_also_on(self.addr)
        self.server.start()

    def listen_also_on(self, addr):
        with socket.socket() as s:
            s.bind((addr, 0))
            port = s.getsockname()[1]
        with open(self.server.config_path) as f:
            text = f.read()
        old = "listen = 127.0.0.1:%d\n" % self.server.ports["pop3"]
        text = text.replace(old, "listen = 127.0.0.1:%d,%s:%d\n"
                            % (self.server.ports["pop3"], addr, port), 1)
        with open(self.server.config_path, "w") as f:
            f.write(text)
        return port

    def connect(self):
        c = Pop3Client(self.server, host=self.addr, port=self.port)
        self.addCleanup(c.close)
        return c

    def test_insecure_channel(self):
        c = self.connect()
        self.assertRegex(c.greeting, GREETING)
        c.send_line("CAPA")
        c.read_line()
        caps = c.read_multi()
        self.assertNotIn("USER", caps)
        self.assertIn("STLS", caps)
        sasl = [cap.split()[1:] for cap in caps if cap.startswith("SASL")]
        for mechs in sasl:
            self.assertNotIn("PLAIN", mechs)
            self.assertNotIn("LOGIN", mechs)
        refusal = ("-ERR [AUTH] Plaintext authentication disallowed on "
                   "non-secure (SSL/TLS) connections.")
        self.assertEqual(c.cmd("USER alice"), refusal)
        self.assertEqual(c.cmd("PASS secret"), refusal)
        self.assertEqual(c.cmd("AUTH PLAIN " + PLAIN_ALICE), refusal)
        c.send_line("AUTH")
        self.assertEqual(c.read_line(), "+OK")
        self.assertNotIn("PLAIN", c.read_multi())
        # after STLS everything is allowed
        self.assertEqual(c.cmd("STLS"), "+OK Begin TLS negotiation now.")
        c.starttls()
        c.send_line("CAPA")
        c.read_line()
        self.assertIn("USER", c.read_multi())
        c.login()

    def test_loopback_is_secured(self):
        c = Pop3Client(self.server)
        self.addCleanup(c.close)
        c.login()


if __name__ == "__main__":
    main()
