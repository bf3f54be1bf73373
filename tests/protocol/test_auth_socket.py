"""The auth process's sockets, driven as Postfix, Exim and our workers
drive them: Dovecot's auth-client protocol (handshake, PLAIN, LOGIN,
SCRAM-SHA-256 computed here with hashlib/hmac, concurrent ids, garbage)
and the auth-master style userdb socket.

Usage: test_auth_socket.py AUTH_TEST_SERVER   (meson passes the binary)
"""

import base64
import hashlib
import hmac
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

SERVER = os.environ.get("AUTH_TEST_SERVER", "auth-test-server")
TIMEOUT_SCALE = float(os.environ.get("POSTERN_TIMEOUT_SCALE", "1"))
BAD_LOG = re.compile(r"AddressSanitizer|LeakSanitizer|runtime error:|"
                     r"panic|assertion failed")

# Made with doveadm pw (Dovecot 2.3) for "p@ss wörd".
SHA512_CRYPT = ("{SHA512-CRYPT}$6$PPGYz.IZI2urjifn$1m4oJmwDGlU7atBJgJ7p/qt2Z7"
                "WKW9X53uAGDNAM8ZtyfVAuu0njwaVlWedSzscjWvaC/8TcZPCJOwFHSOZ8o/")
SCRAM_SHA256 = ("{SCRAM-SHA-256}4096,7qzSlHADrwwXHocASqTrVg==,BM+1gWcqA+wI8J"
                "H5HzfeReiImJs3VUyr+Dvi0nc46Q4=,e7FudvcXoXeQO1O8iwk8jwEnZvsQ0Ds"
                "c3pWR8H7vGRg=")
UMLAUT_PASS = "p@ss wörd"


def b64(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.b64encode(data).decode()


class AuthClient:
    """A line client of a unix socket speaking LF-terminated lines."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10 * TIMEOUT_SCALE)
        self.sock.connect(path)
        self.buf = b""

    def send(self, text):
        self.sock.sendall(text.encode() if isinstance(text, str) else text)

    def line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()

    def fields(self):
        line = self.line()
        return None if line is None else line.split("\t")

    def handshake(self):
        """Reads the server's handshake up to DONE; returns its lines."""
        lines = []
        while True:
            line = self.line()
            if line is None:
                raise AssertionError("EOF during handshake")
            lines.append(line)
            if line == "DONE":
                return lines

    def close(self):
        self.sock.close()


class AuthServerTest(unittest.TestCase):
    config_extra = ""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="postern-auth-")
        self.users = os.path.join(self.dir, "users")
        self.write_users()
        conf = os.path.join(self.dir, "auth.conf")
        with open(conf, "w") as f:
            f.write("[auth]\n"
                    "passdb = passwd-file:users\n"
                    "failure_delay = 0\n"
                    "penalty_max_delay = 0\n"
                    "mechanisms = PLAIN LOGIN SCRAM-SHA-1 SCRAM-SHA-256 "
                    "SCRAM-SHA-256-PLUS\n" + self.config_extra)
        self.log = open(os.path.join(self.dir, "log"), "w+")
        self.proc = subprocess.Popen([SERVER, conf, self.dir],
                                     stdout=self.log, stderr=self.log)
        self.client_path = os.path.join(self.dir, "auth-client")
        self.userdb_path = os.path.join(self.dir, "auth-userdb")
        # The socket files appear at bind(), a moment before listen(),
        # and signals are handled only once the loop runs: wait for the
        # server to say it is ready.
        deadline = time.time() + 10 * TIMEOUT_SCALE
        while "ready (passdb" not in self.read_log():
            if time.time() > deadline or self.proc.poll() is not None:
                self.fail("auth server did not start: " + self.read_log())
            time.sleep(0.02)
        self.clients = []

    def write_users(self, extra=""):
        with open(self.users + ".tmp", "w") as f:
            f.write("# test users\n"
                    "alice:{PLAIN}secret:1000:1000::/home/alice::"
                    "userdb_mail=maildir:~/Maildir userdb_quota_rule=*:storage=1G\n"
                    "bob:" + SHA512_CRYPT + ":1001:1001::/home/bob\n"
                    "carol:" + SCRAM_SHA256 + "::::/home/carol\n"
                    "dave@example.test:{PLAIN}pw\n"
                    "eve:{PLAIN}secret::::::disabled\n" + extra)
        os.rename(self.users + ".tmp", self.users)

    def read_log(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def tearDown(self):
        for c in self.clients:
            c.close()
        self.proc.send_signal(signal.SIGTERM)
        try:
            status = self.proc.wait(timeout=10 * TIMEOUT_SCALE)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.fail("auth server did not stop on SIGTERM")
        log = self.read_log()
        self.log.close()
        self.assertIsNone(BAD_LOG.search(log), log)
        self.assertEqual(status, 0, log)

    def connect(self, handshake=True):
        c = AuthClient(self.client_path)
        self.clients.append(c)
        if handshake:
            c.handshake()
            c.send("VERSION\t1\t2\nCPID\t%d\n" % os.getpid())
        return c

    def auth_plain(self, c, id, user, password, extra="\tsecured"):
        c.send("AUTH\t%d\tPLAIN\tservice=smtp%s\tresp=%s\n"
               % (id, extra, b64("\0%s\0%s" % (user, password))))
        return c.fields()


class HandshakeTest(AuthServerTest):
    def test_handshake_lines(self):
        c = AuthClient(self.client_path)
        self.clients.append(c)
        lines = c.handshake()
        self.assertEqual(lines[0], "VERSION\t1\t2")
        mechs = [l for l in lines if l.startswith("MECH\t")]
        self.assertIn("MECH\tPLAIN\tplaintext", mechs)
        self.assertIn("MECH\tLOGIN\tplaintext", mechs)
        self.assertIn("MECH\tSCRAM-SHA-256\tmutual-auth", mechs)
        self.assertEqual(len(mechs), 5)
        self.assertTrue(any(re.fullmatch(r"SPID\t\d+", l) for l in lines))
        self.assertTrue(any(re.fullmatch(r"CUID\t\d+", l) for l in lines))
        self.assertTrue(any(re.fullmatch(r"COOKIE\t[0-9a-f]{32}", l)
                            for l in lines))
        # order as Dovecot: VERSION, MECHs, SPID, CUID, COOKIE, DONE
        self.assertEqual([l.split("\t")[0] for l in lines[-4:]],
                         ["SPID", "CUID", "COOKIE", "DONE"])

    def test_cuid_differs(self):
        a = AuthClient(self.client_path)
        b = AuthClient(self.client_path)
        self.clients += [a, b]
        cuid = lambda c: [l for l in c.handshake() if l.startswith("CUID")]
        self.assertNotEqual(cuid(a), cuid(b))

    def test_postfix_style_pipelined(self):
        # Postfix sends VERSION+CPID before reading anything
        c = AuthClient(self.client_path)
        self.clients.append(c)
        c.send("VERSION\t1\t0\nCPID\t4242\n"
               "AUTH\t1\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\t"
               "rip=127.0.0.1\tresp=%s\n" % b64("\0alice\0secret"))
        c.handshake()
        self.assertEqual(c.fields(), ["OK", "1", "user=alice"])

    def test_wrong_major_version_closes(self):
        c = AuthClient(self.client_path)
        self.clients.append(c)
        c.handshake()
        c.send("VERSION\t2\t0\n")
        self.assertIsNone(c.line())


class PlainTest(AuthServerTest):
    def test_plain_ok(self):
        c = self.connect()
        self.assertEqual(self.auth_plain(c, 1, "alice", "secret"),
                         ["OK", "1", "user=alice"])

    def test_plain_crypt_vector_from_dovecot(self):
        c = self.connect()
        self.assertEqual(self.auth_plain(c, 7, "bob", UMLAUT_PASS),
                         ["OK", "7", "user=bob"])

    def test_plain_scram_stored_keys_checked_with_plain(self):
        c = self.connect()
        self.assertEqual(self.auth_plain(c, 2, "carol", UMLAUT_PASS),
                         ["OK", "2", "user=carol"])

    def test_plain_wrong_password(self):
        c = self.connect()
        self.assertEqual(self.auth_plain(c, 3, "alice", "wrong"),
                         ["FAIL", "3", "user=alice"])

    def test_plain_unknown_user(self):
        c = self.connect()
        self.assertEqual(self.auth_plain(c, 4, "nobody", "x"),
                         ["FAIL", "4", "user=nobody"])

    def test_disabled_user(self):
        c = self.connect()
        self.assertEqual(self.auth_plain(c, 5, "eve", "secret"),
                         ["FAIL", "5", "user=eve", "user_disabled"])

    def test_username_format_lowercases(self):
        c = self.connect()
        self.assertEqual(self.auth_plain(c, 6, "ALICE", "secret"),
                         ["OK", "6", "user=alice", "original_user=ALICE"])

    def test_plain_without_initial_response(self):
        c = self.connect()
        c.send("AUTH\t1\tPLAIN\tservice=smtp\tsecured\n")
        self.assertEqual(c.fields(), ["CONT", "1", ""])
        c.send("CONT\t1\t%s\n" % b64("\0alice\0secret"))
        self.assertEqual(c.fields(), ["OK", "1", "user=alice"])

    def test_exim_empty_resp_is_no_initial_response(self):
        c = self.connect()
        c.send("AUTH\t1\tPLAIN\tservice=smtp\tsecured\trip=10.0.0.1\t"
               "lip=10.0.0.2\tnologin\tresp=\n")
        self.assertEqual(c.fields(), ["CONT", "1", ""])

    def test_plaintext_refused_on_insecure_remote(self):
        c = self.connect()
        fields = self.auth_plain(c, 1, "alice", "secret",
                                 extra="\trip=192.0.2.7\tlip=192.0.2.1")
        self.assertEqual(fields[:2], ["FAIL", "1"])
        self.assertTrue(any(f.startswith("reason=Plaintext") for f in fields))

    def test_plaintext_allowed_on_loopback(self):
        c = self.connect()
        self.assertEqual(self.auth_plain(c, 1, "alice", "secret",
                                         extra="\trip=127.0.0.1"),
                         ["OK", "1", "user=alice"])

    def test_invalid_base64(self):
        c = self.connect()
        c.send("AUTH\t1\tPLAIN\tservice=smtp\tsecured\tresp=!!!\n")
        self.assertEqual(c.fields()[:2], ["FAIL", "1"])

    def test_unknown_parameters_ignored(self):
        c = self.connect()
        self.assertEqual(self.auth_plain(
            c, 1, "alice", "secret",
            extra="\tsecured\tfoo=bar\tnewflag\tsession=abc\tlport=25"),
            ["OK", "1", "user=alice"])

    def test_authzid_without_master_users_fails(self):
        c = self.connect()
        c.send("AUTH\t1\tPLAIN\tservice=imap\tsecured\tresp=%s\n"
               % b64("bob\0alice\0secret"))
        fields = c.fields()
        self.assertEqual(fields[:2], ["FAIL", "1"])
        self.assertIn("authz", fields)

    def test_unsupported_mechanism(self):
        c = self.connect()
        c.send("AUTH\t1\tNTLM\tservice=smtp\n")
        self.assertEqual(c.fields(),
                         ["FAIL", "1",
                          "reason=Unsupported authentication mechanism"])

    def test_passwd_file_reread_on_change(self):
        c = self.connect()
        time.sleep(1.1)  # the file is checked at most once a second
        self.write_users("frank:{PLAIN}new\n")
        self.assertEqual(self.auth_plain(c, 1, "frank", "new"),
                         ["OK", "1", "user=frank"])


class LoginTest(AuthServerTest):
    def test_login_multistep(self):
        c = self.connect()
        c.send("AUTH\t1\tLOGIN\tservice=smtp\tsecured\n")
        self.assertEqual(c.fields(), ["CONT", "1", b64("Username:")])
        c.send("CONT\t1\t%s\n" % b64("alice"))
        self.assertEqual(c.fields(), ["CONT", "1", b64("Password:")])
        c.send("CONT\t1\t%s\n" % b64("secret"))
        self.assertEqual(c.fields(), ["OK", "1", "user=alice"])

    def test_login_wrong_password(self):
        c = self.connect()
        c.send("AUTH\t1\tLOGIN\tservice=smtp\tsecured\tresp=%s\n"
               % b64("alice"))
        self.assertEqual(c.fields(), ["CONT", "1", b64("Password:")])
        c.send("CONT\t1\t%s\n" % b64("nope"))
        self.assertEqual(c.fields(), ["FAIL", "1", "user=alice"])

    def test_cont_for_unknown_id(self):
        c = self.connect()
        c.send("CONT\t99\t%s\n" % b64("x"))
        self.assertEqual(c.fields(),
                         ["FAIL", "99",
                          "reason=Authentication request timed out"])

    def test_cancel(self):
        c = self.connect()
        c.send("AUTH\t1\tLOGIN\tservice=smtp\tsecured\n")
        c.fields()
        c.send("CANCEL\t1\nCONT\t1\t%s\n" % b64("alice"))
        self.assertEqual(c.fields()[:2], ["FAIL", "1"])


def scram_client(c, id, user, password, mech="SCRAM-SHA-256",
                 digest=hashlib.sha256, nonce="rOprNGfwEbeRWgbNEkqO"):
    """A full SCRAM exchange (RFC 5802 §3, RFC 7677); returns the last
    reply fields."""
    gs2 = "n,,"
    first_bare = "n=%s,r=%s" % (user, nonce)
    c.send("AUTH\t%d\t%s\tservice=imap\tsecured\tresp=%s\n"
           % (id, mech, b64(gs2 + first_bare)))
    fields = c.fields()
    if fields[0] != "CONT":
        return fields
    server_first = base64.b64decode(fields[2]).decode()
    attrs = dict(a.split("=", 1) for a in server_first.split(","))
    assert attrs["r"].startswith(nonce)
    salted = hashlib.pbkdf2_hmac(digest().name, password.encode(),
                                 base64.b64decode(attrs["s"]), int(attrs["i"]))
    client_key = hmac.new(salted, b"Client Key", digest).digest()
    stored_key = digest(client_key).digest()
    final_wo_proof = "c=%s,r=%s" % (b64(gs2), attrs["r"])
    auth_message = ",".join([first_bare, server_first, final_wo_proof])
    client_sig = hmac.new(stored_key, auth_message.encode(), digest).digest()
    proof = bytes(a ^ b for a, b in zip(client_key, client_sig))
    c.send("CONT\t%d\t%s\n" % (id, b64(final_wo_proof + ",p=" + b64(proof))))
    fields = c.fields()
    if fields[0] != "CONT":
        return fields
    server_key = hmac.new(salted, b"Server Key", digest).digest()
    server_sig = hmac.new(server_key, auth_message.encode(), digest).digest()
    assert base64.b64decode(fields[2]).decode() == "v=" + b64(server_sig)
    c.send("CONT\t%d\t\n" % id)
    return c.fields()


class ScramTest(AuthServerTest):
    def test_scram_sha256_with_stored_keys(self):
        c = self.connect()
        self.assertEqual(scram_client(c, 1, "carol", UMLAUT_PASS),
                         ["OK", "1", "user=carol"])

    def test_scram_sha256_from_plain_password(self):
        c = self.connect()
        self.assertEqual(scram_client(c, 2, "alice", "secret"),
                         ["OK", "2", "user=alice"])

    def test_scram_sha1_from_plain_password(self):
        c = self.connect()
        self.assertEqual(scram_client(c, 3, "alice", "secret",
                                      mech="SCRAM-SHA-1", digest=hashlib.sha1),
                         ["OK", "3", "user=alice"])

    def test_scram_wrong_password(self):
        c = self.connect()
        self.assertEqual(scram_client(c, 4, "carol", "wrong"),
                         ["FAIL", "4", "user=carol"])

    def test_scram_scheme_not_available(self):
        c = self.connect()
        self.assertEqual(scram_client(c, 5, "bob", UMLAUT_PASS)[:2],
                         ["FAIL", "5"])

    def test_plus_without_channel_binding_data(self):
        c = self.connect()
        c.send("AUTH\t1\tSCRAM-SHA-256-PLUS\tservice=imap\tsecured\tresp=%s\n"
               % b64("p=tls-exporter,,n=alice,r=abc"))
        fields = c.fields()
        self.assertEqual(fields[:2], ["FAIL", "1"])

    def test_plus_with_tls_exporter(self):
        cb = os.urandom(32)
        c = self.connect()
        gs2 = "p=tls-exporter,,"
        first_bare = "n=alice,r=clientnonce"
        c.send("AUTH\t1\tSCRAM-SHA-256-PLUS\tservice=imap\tsecured\t"
               "cbind_tls_exporter=%s\tresp=%s\n"
               % (b64(cb), b64(gs2 + first_bare)))
        fields = c.fields()
        self.assertEqual(fields[0], "CONT")
        server_first = base64.b64decode(fields[2]).decode()
        attrs = dict(a.split("=", 1) for a in server_first.split(","))
        salted = hashlib.pbkdf2_hmac("sha256", b"secret",
                                     base64.b64decode(attrs["s"]),
                                     int(attrs["i"]))
        ck = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        sk = hashlib.sha256(ck).digest()
        for binding, ok in ((os.urandom(32), False), (cb, True)):
            if not ok:
                c2 = self.connect()
                c2.send("AUTH\t2\tSCRAM-SHA-256-PLUS\tservice=imap\tsecured\t"
                        "cbind_tls_exporter=%s\tresp=%s\n"
                        % (b64(cb), b64(gs2 + first_bare)))
                f2 = c2.fields()
                sf2 = base64.b64decode(f2[2]).decode()
                a2 = dict(a.split("=", 1) for a in sf2.split(","))
                final = "c=%s,r=%s" % (b64(gs2.encode() + binding), a2["r"])
                c2.send("CONT\t2\t%s\n" % b64(final + ",p=" + b64(b"x" * 32)))
                self.assertEqual(c2.fields()[:2], ["FAIL", "2"])
                continue
            final = "c=%s,r=%s" % (b64(gs2.encode() + binding), attrs["r"])
            msg = ",".join([first_bare, server_first, final]).encode()
            sig = hmac.new(sk, msg, hashlib.sha256).digest()
            proof = bytes(a ^ b for a, b in zip(ck, sig))
            c.send("CONT\t1\t%s\n" % b64(final + ",p=" + b64(proof)))
            self.assertEqual(c.fields()[0], "CONT")
            c.send("CONT\t1\t\n")
            self.assertEqual(c.fields(), ["OK", "1", "user=alice"])


class ConcurrencyTest(AuthServerTest):
    def test_concurrent_ids_one_connection(self):
        c = self.connect()
        batch = ""
        for i in range(1, 41):
            user, pw = ("bob", UMLAUT_PASS) if i % 2 else ("alice", "bad")
            batch += ("AUTH\t%d\tPLAIN\tservice=smtp\tsecured\tresp=%s\n"
                      % (i, b64("\0%s\0%s" % (user, pw))))
        c.send(batch)
        replies = {}
        for _ in range(40):
            f = c.fields()
            replies[int(f[1])] = f[0]
        for i in range(1, 41):
            self.assertEqual(replies[i], "OK" if i % 2 else "FAIL", i)

    def test_many_connections(self):
        conns = [self.connect() for _ in range(10)]
        for i, c in enumerate(conns):
            self.assertEqual(self.auth_plain(c, i + 1, "alice", "secret")[0],
                             "OK")

    def test_duplicate_id_closes(self):
        c = self.connect()
        c.send("AUTH\t1\tLOGIN\tservice=smtp\tsecured\n")
        c.fields()
        c.send("AUTH\t1\tLOGIN\tservice=smtp\tsecured\n")
        self.assertIsNone(c.line())


class GarbageTest(AuthServerTest):
    GARBAGE = [
        "HELLO",
        "AUTH",
        "AUTH\tx\tPLAIN\tservice=smtp",
        "AUTH\t1\tPLAIN",
        "CONT",
        "CONT\tabc\tdGVzdA==",
        "AUTH\t1\tPLAIN\tservice=smtp\tlport=99999",
        "",
        "\x01\x01\x01",
    ]

    def test_garbage_closes_only_that_client(self):
        good = self.connect()
        for line in self.GARBAGE:
            c = self.connect()
            c.send(line + "\n")
            self.assertIsNone(c.line(), repr(line))
        self.assertEqual(self.auth_plain(good, 1, "alice", "secret")[0], "OK")
        self.assertIn("auth-client", self.read_log())

    def test_binary_and_long_lines(self):
        c = self.connect()
        c.send(b"AUTH\t1\tPLAIN\tservice=smtp\x00\xff\n")
        self.assertIsNone(c.line())
        c = self.connect()
        c.send("AUTH\t1\tPLAIN\tservice=smtp\tresp=" + "A" * 20000 + "\n")
        self.assertIsNone(c.line())
        c = self.connect()
        self.assertEqual(self.auth_plain(c, 1, "alice", "secret")[0], "OK")

    def test_no_handshake_garbage(self):
        c = self.connect(handshake=False)
        c.handshake()
        c.send("AUTH\t1\tPLAIN\tservice=smtp\n")
        self.assertIsNone(c.line())

    def test_control_characters_in_username(self):
        c = self.connect()
        fields = self.auth_plain(c, 1, "a\tb\x01c", "x")
        self.assertEqual(fields, ["FAIL", "1"])


class TimeoutTest(AuthServerTest):
    config_extra = "request_timeout = 1s\n"

    def test_waiting_request_times_out(self):
        c = self.connect()
        c.send("AUTH\t1\tLOGIN\tservice=smtp\tsecured\n")
        self.assertEqual(c.fields()[0], "CONT")
        # swept every 5 seconds
        self.assertEqual(c.fields(), ["FAIL", "1",
                                      "reason=Authentication request timed out"])
        c.send("CONT\t1\t%s\n" % b64("alice"))
        self.assertEqual(c.fields()[:2], ["FAIL", "1"])


POSTERNCTL = os.environ.get("POSTERNCTL")


@unittest.skipIf(POSTERNCTL is None, "POSTERNCTL not set")
class PosternctlTest(AuthServerTest):
    """posternctl user/pw/auth against the files and sockets of a running
    auth process."""

    def ctl(self, *args, stdin=None):
        conf = os.path.join(self.dir, "postern.conf")
        with open(conf, "w") as f:
            f.write("data_dir = %s\n[auth]\npassdb = passwd-file:users\n"
                    "password_scheme = SHA512-CRYPT\n" % self.dir)
        return subprocess.run([POSTERNCTL, "-c", conf] + list(args),
                              input=stdin, capture_output=True, text=True,
                              timeout=60 * TIMEOUT_SCALE)

    def test_user_lifecycle_and_auth_test(self):
        r = self.ctl("user", "add", "Zed", "--password-stdin", "--home",
                     "/home/zed", stdin="first\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.ctl("user", "add", "zed", "--password-stdin", stdin="x\n")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("zed", self.ctl("user", "list").stdout.split())
        show = self.ctl("user", "show", "zed").stdout
        self.assertIn("{SHA512-CRYPT}...", show)
        self.assertNotIn("first", show)
        time.sleep(1.1)  # the passwd-file is checked once a second
        r = self.ctl("auth", "test", "zed", "--password-stdin",
                     stdin="first\n")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("auth succeeded", r.stdout)
        r = self.ctl("auth", "lookup", "zed")
        self.assertIn("home=/home/zed", r.stdout)
        self.assertEqual(self.ctl("user", "passwd", "zed", "--password-stdin",
                                  stdin="second\n").returncode, 0)
        time.sleep(1.1)
        r = self.ctl("auth", "test", "zed", "--password-stdin",
                     stdin="first\n")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("auth failed", r.stdout)
        r = self.ctl("auth", "test", "zed", "--password-stdin",
                     stdin="second\n")
        self.assertEqual(r.returncode, 0)
        self.assertEqual(self.ctl("user", "del", "zed").returncode, 0)
        self.assertNotEqual(self.ctl("user", "del", "zed").returncode, 0)
        r = self.ctl("auth", "lookup", "zed")
        time.sleep(1.1)
        r = self.ctl("auth", "lookup", "zed")
        self.assertIn("no such user", r.stdout)

    def test_pw(self):
        r = self.ctl("pw", "-s", "SSHA512", stdin="pw\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith("{SSHA512}"))
        r = self.ctl("pw", stdin="pw\n")
        self.assertTrue(r.stdout.startswith("{SHA512-CRYPT}$6$"))
        r = self.ctl("pw", "-s", "NOPE", stdin="pw\n")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ARGON2ID", self.ctl("pw", "-l").stdout)

    def test_auth_test_without_server(self):
        r = self.ctl("auth", "test", "alice", "-a",
                     os.path.join(self.dir, "nonexistent"),
                     "--password-stdin", stdin="secret\n")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("connect", r.stderr)


class UserdbTest(AuthServerTest):
    def userdb(self):
        c = AuthClient(self.userdb_path)
        self.clients.append(c)
        self.assertEqual(c.line(), "VERSION\t1\t0")
        self.assertTrue(c.line().startswith("SPID\t"))
        c.send("VERSION\t1\t0\n")
        return c

    def test_user_found(self):
        c = self.userdb()
        c.send("USER\t1\tAlice\tservice=lmtp\n")
        self.assertEqual(c.fields(),
                         ["USER", "1", "alice", "home=/home/alice",
                          "uid=1000", "gid=1000", "mail=maildir:~/Maildir",
                          "quota_rule=*:storage=1G"])

    def test_user_notfound_and_disabled(self):
        c = self.userdb()
        c.send("USER\t2\tnobody\tservice=lmtp\nUSER\t3\teve\tservice=lmtp\n")
        self.assertEqual(sorted([c.line(), c.line()]),
                         ["NOTFOUND\t2", "NOTFOUND\t3"])

    def test_list(self):
        c = self.userdb()
        c.send("LIST\t5\n")
        names = []
        while True:
            f = c.fields()
            if f[0] == "DONE":
                self.assertEqual(f, ["DONE", "5"])
                break
            self.assertEqual(f[:2], ["LIST", "5"])
            names.append(f[2])
        self.assertEqual(names, ["alice", "bob", "carol", "dave@example.test",
                                 "eve"])

    def test_list_mask(self):
        c = self.userdb()
        c.send("LIST\t6\tuser=da*\n")
        self.assertEqual(c.fields(), ["LIST", "6", "dave@example.test"])
        self.assertEqual(c.fields(), ["DONE", "6"])

    def test_garbage_closes(self):
        c = self.userdb()
        c.send("BOGUS\n")
        self.assertIsNone(c.line())


class PenaltyTest(AuthServerTest):
    config_extra = "max_failures_per_minute = 3\n"

    def test_rate_limit_per_ip_and_persisted(self):
        c = self.connect()
        for i in range(3):
            f = self.auth_plain(c, i + 1, "alice", "bad",
                                extra="\tsecured\trip=192.0.2.9")
            self.assertEqual(f[0], "FAIL")
        f = self.auth_plain(c, 10, "alice", "secret",
                            extra="\tsecured\trip=192.0.2.9")
        self.assertEqual(f[:2], ["FAIL", "10"])
        self.assertIn("temp", f)
        # another IP is not affected
        f = self.auth_plain(c, 11, "alice", "secret",
                            extra="\tsecured\trip=192.0.2.10")
        self.assertEqual(f[0], "OK")
        # the state survives a restart
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=10 * TIMEOUT_SCALE)
        with open(os.path.join(self.dir, "auth-penalty.state")) as st:
            self.assertIn("ip:192.0.2.9\t", st.read())
        os.unlink(self.userdb_path)
        self.proc = subprocess.Popen(self.proc.args, stdout=self.log,
                                     stderr=self.log)
        deadline = time.time() + 10 * TIMEOUT_SCALE
        while not os.path.exists(self.userdb_path):
            self.assertLess(time.time(), deadline)
            time.sleep(0.02)
        c = self.connect()
        f = self.auth_plain(c, 12, "alice", "secret",
                            extra="\tsecured\trip=192.0.2.9")
        self.assertIn("temp", f)


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        SERVER = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
