"""Foundation: greetings, STARTTLS and implicit TLS on every protocol,
plaintext injection after STARTTLS, over-long lines, configuration errors,
worker restarts and graceful shutdown."""

import os
import re
import signal
import socket
import ssl
import subprocess
import time
import unittest

from postern_test import (POSTERND, LineClient, PosternServer,
                          ServerTestCase, client_tls_context, main, scaled)


class Greetings(ServerTestCase):
    def test_imap_greeting_and_capability(self):
        c = self.connect("imap")
        greeting = c.read_line()
        self.assertRegex(greeting,
                         r"^\* OK \[CAPABILITY IMAP4rev1 [^\]]*\] Postern ready")
        self.assertIn(" STARTTLS", greeting)
        c.send_line("a1 CAPABILITY")
        lines = c.read_until(lambda l: l.startswith("a1 "))
        self.assertEqual(len(lines), 2)
        self.assertTrue(lines[0].startswith("* CAPABILITY IMAP4rev1 "))
        self.assertEqual(lines[1], "a1 OK Capability completed.")
        c.send_line("a2 NOOP")
        self.assertEqual(c.read_line(), "a2 OK NOOP completed.")
        c.send_line("a3 LOGOUT")
        self.assertEqual(c.read_line(), "* BYE Logging out")
        self.assertEqual(c.read_line(), "a3 OK Logout completed.")
        self.assertEqual(c.read_eof(), b"")

    def test_imap_bad_commands(self):
        c = self.connect("imap")
        c.read_line()
        c.send_line("a1 FROBNICATE")
        self.assertEqual(c.read_line(), "a1 BAD Unknown command.")
        c.send_line("nospace")
        self.assertTrue(c.read_line().startswith("* BAD "))
        c.send_line("+tag NOOP")
        self.assertTrue(c.read_line().startswith("* BAD "))
        c.send_line("a2 NOOP")
        self.assertEqual(c.read_line(), "a2 OK NOOP completed.")

    def test_imap_too_many_errors_closes(self):
        c = self.connect("imap")
        c.read_line()
        c.send(b"x BOGUS\r\n" * 30)
        data = c.read_eof().decode()
        self.assertIn("* BYE Too many invalid IMAP commands.", data)
        self.assertLessEqual(data.count("x BAD"), 20)

    def test_pop3_greeting_and_capa(self):
        c = self.connect("pop3")
        # with an APOP timestamp when the auth process offers APOP
        self.assertRegex(c.read_line(), r"^\+OK Postern ready\.( <\S+@\S+>)?$")
        c.send_line("CAPA")
        lines = c.read_until(lambda l: l == ".")
        self.assertEqual(lines[0], "+OK Capability list follows")
        self.assertIn("STLS", lines)
        c.send_line("QUIT")
        self.assertTrue(c.read_line().startswith("+OK"))
        self.assertEqual(c.read_eof(), b"")

    def test_lmtp_greeting_and_lhlo(self):
        c = self.connect("lmtp")
        self.assertRegex(c.read_line(), r"^220 \S+ Postern LMTP$")
        c.send_line("LHLO relay.example")
        lines = c.read_until(lambda l: l.startswith("250 "))
        self.assertIn("250-STARTTLS", lines)
        self.assertIn("250-ENHANCEDSTATUSCODES", lines)
        c.send_line("NOOP")
        self.assertEqual(c.read_line(), "250 2.0.0 OK")
        c.send_line("QUIT")
        self.assertEqual(c.read_line(), "221 2.0.0 Bye")
        self.assertEqual(c.read_eof(), b"")


class Tls(ServerTestCase):
    def test_imap_starttls_discards_pipelined_plaintext(self):
        c = self.connect("imap")
        c.read_line()
        # The classic injection: commands after STARTTLS in the same
        # packet must not be run inside the TLS session.
        c.send(b"a1 STARTTLS\r\na2 CAPABILITY\r\n")
        self.assertEqual(c.read_line(), "a1 OK Begin TLS negotiation now.")
        self.assertIn(c.starttls(), ("TLSv1.2", "TLSv1.3"))
        c.send_line("a3 NOOP")
        self.assertEqual(c.read_line(), "a3 OK NOOP completed.")
        c.send_line("a4 CAPABILITY")
        caps = c.read_line()
        self.assertNotIn("STARTTLS", caps)
        c.send_line("a5 STARTTLS")
        self.assertEqual(c.read_line(), "a4 OK Capability completed.")
        self.assertEqual(c.read_line(), "a5 BAD TLS is already active.")

    def test_pop3_stls_discards_pipelined_plaintext(self):
        c = self.connect("pop3")
        c.read_line()
        c.send(b"STLS\r\nQUIT\r\n")
        self.assertEqual(c.read_line(), "+OK Begin TLS negotiation now.")
        c.starttls()
        c.send_line("CAPA")
        lines = c.read_until(lambda l: l == ".")
        self.assertEqual(lines[0], "+OK Capability list follows")
        self.assertNotIn("STLS", lines)

    def test_lmtp_starttls_discards_pipelined_plaintext(self):
        c = self.connect("lmtp")
        c.read_line()
        c.send_line("LHLO relay")
        c.read_until(lambda l: l.startswith("250 "))
        c.send(b"STARTTLS\r\nQUIT\r\n")
        self.assertEqual(c.read_line(), "220 2.0.0 Ready to start TLS")
        c.starttls()
        c.send_line("LHLO relay")
        lines = c.read_until(lambda l: l.startswith("250 "))
        self.assertNotIn("250-STARTTLS", lines)

    def test_implicit_tls(self):
        for name, greeting in (("imaps", "* OK [CAPABILITY"),
                               ("pop3s", "+OK Postern ready.")):
            c = self.connect(name, tls=True)
            self.assertTrue(c.read_line().startswith(greeting))
            self.assertIn(c.sock.version(), ("TLSv1.2", "TLSv1.3"))

    def test_tls_below_1_2_refused(self):
        ctx = client_tls_context()
        ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        try:
            ctx.set_ciphers("ALL:@SECLEVEL=0")
        except ssl.SSLError:
            pass
        sock = socket.create_connection(
            ("127.0.0.1", self.server.ports["imaps"]), timeout=scaled(5))
        with self.assertRaises((ssl.SSLError, ConnectionError, OSError)):
            tls = ctx.wrap_socket(sock)
            tls.recv(100)
        sock.close()

    def test_garbage_instead_of_tls(self):
        c = self.connect("imaps")
        c.send(b"a1 LOGIN plain text\r\n")
        # The server drops the connection; nothing else happens.
        c.read_eof()
        # and still serves others
        c2 = self.connect("imaps", tls=True)
        self.assertTrue(c2.read_line().startswith("* OK"))


class LongLines(ServerTestCase):
    def test_imap_over_long_line(self):
        c = self.connect("imap")
        c.read_line()
        c.send(b"a1 NOOP " + b"x" * 100000 + b"\r\na2 NOOP\r\n")
        self.assertEqual(c.read_line(), "* BAD [TOOBIG] Command line too long.")
        self.assertEqual(c.read_line(), "a2 OK NOOP completed.")

    def test_imap_long_line_in_pieces(self):
        c = self.connect("imap")
        c.read_line()
        for _ in range(20):
            c.send(b"y" * 10000)
        c.send(b"\r\na2 NOOP\r\n")
        self.assertEqual(c.read_line(), "* BAD [TOOBIG] Command line too long.")
        self.assertEqual(c.read_line(), "a2 OK NOOP completed.")

    def test_pop3_over_long_line(self):
        c = self.connect("pop3")
        c.read_line()
        c.send(b"USER " + b"x" * 50000 + b"\r\nCAPA\r\n")
        self.assertEqual(c.read_line(), "-ERR Line too long.")
        self.assertEqual(c.read_line(), "+OK Capability list follows")

    def test_lmtp_over_long_line(self):
        c = self.connect("lmtp")
        c.read_line()
        c.send(b"LHLO " + b"x" * 50000 + b"\r\nNOOP\r\n")
        self.assertEqual(c.read_line(), "500 5.5.2 Line too long")
        self.assertEqual(c.read_line(), "250 2.0.0 OK")


class Config(unittest.TestCase):
    def run_posternd(self, *args, cwd=None):
        return subprocess.run([POSTERND, *args], cwd=cwd,
                              capture_output=True, text=True,
                              timeout=scaled(20))

    def write(self, directory, name, text):
        path = os.path.join(directory, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_errors_refuse_to_start(self):
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            cases = {
                "bogus = 1\n": "2: unknown key bogus",
                "[imap]\nlisten = nowhere\n":
                    "3: listen: nowhere: expected host:port",
                "workers = 2\nworkers = 3\n": "3: duplicate key workers",
                "[nope]\n": "2: unknown section [nope]",
                "log_level = loud\n": "2: log_level: must be debug",
                "!include missing.conf\n": "2: cannot read",
            }
            for text, message in cases.items():
                path = self.write(d, "bad.conf", "\n" + text)
                r = self.run_posternd("-c", path)
                self.assertEqual(r.returncode, 78, text)
                self.assertIn("bad.conf:" + message, r.stderr, text)

    def test_print_config_embedded_default(self):
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            r = self.run_posternd("--print-config", cwd=d)
            self.assertEqual(r.returncode, 0)
            out = r.stdout
            self.assertIn("# (embedded default)", out)
            self.assertIn("data_dir = ./var", out)
            self.assertRegex(out, r"\[imap\]\nlisten = 127.0.0.1:1143\n"
                                  r"listen_tls = 127.0.0.1:1993\n")
            self.assertRegex(out, r"\[pop3\]\nlisten = 127.0.0.1:1110\n"
                                  r"listen_tls = 127.0.0.1:1995\n")
            self.assertIn("[lmtp]\nlisten = 127.0.0.1:2424\n", out)
            self.assertIn("min_version = TLSv1.2", out)
            # ./postern.conf wins over the embedded default
            self.write(d, "postern.conf", "workers = 7\n")
            r = self.run_posternd("--print-config", cwd=d)
            self.assertIn("workers = 7", r.stdout)


class Lifecycle(unittest.TestCase):
    def test_sigterm_says_goodbye(self):
        with PosternServer() as server:
            imap = LineClient(server.ports["imap"])
            pop3 = LineClient(server.ports["pop3"])
            lmtp = LineClient(server.ports["lmtp"])
            for c in (imap, pop3, lmtp):
                c.read_line()
            self.assertEqual(server.stop(), 0)
            self.assertEqual(imap.read_eof(), b"* BYE Server shutting down.\r\n")
            self.assertEqual(pop3.read_eof(),
                             b"-ERR [SYS/TEMP] Server shutting down.\r\n")
            self.assertEqual(lmtp.read_eof(),
                             b"421 4.3.2 Server shutting down\r\n")

    def test_worker_restarted_after_crash(self):
        with PosternServer(workers=1) as server:
            c = LineClient(server.ports["imap"])
            c.read_line()
            workers = subprocess.run(
                ["pgrep", "-P", str(server.proc.pid), "postern-worker"],
                capture_output=True, text=True).stdout.split()
            self.assertEqual(len(workers), 1)
            os.kill(int(workers[0]), signal.SIGKILL)
            self.assertEqual(c.read_eof(), b"")
            deadline = time.time() + scaled(10)
            while True:
                try:
                    c = LineClient(server.ports["imap"], timeout=2)
                    if c.read_line() is not None:
                        break
                except OSError:
                    pass
                self.assertLess(time.time(), deadline)
                time.sleep(0.1)
            self.assertIn("killed by signal 9", server.read_log())
            # the crash we caused is expected in this log
            server.stop()
            with open(server.log_path, "w"):
                pass

    def test_sighup_reloads_certificate(self):
        with PosternServer() as server:
            def served_cert():
                c = LineClient(server.ports["imaps"], tls=True)
                der = c.sock.getpeercert(binary_form=True)
                c.close()
                return der
            before = served_cert()
            tls_dir = os.path.join(server.dir, "var", "tls")
            os.rename(os.path.join(tls_dir, "cert.pem"),
                      os.path.join(tls_dir, "old-cert.pem"))
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
                            "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                            "-subj", "/CN=reloaded", "-days", "1",
                            "-keyout", os.path.join(tls_dir, "key.pem"),
                            "-out", os.path.join(tls_dir, "cert.pem")],
                           check=True, capture_output=True)
            server.proc.send_signal(signal.SIGHUP)
            deadline = time.time() + scaled(5)
            while served_cert() == before:
                self.assertLess(time.time(), deadline, "cert not reloaded")
                time.sleep(0.1)

    @unittest.skipUnless(os.geteuid() == 0, "needs root to drop privileges")
    def test_workers_drop_privileges(self):
        with PosternServer(extra_config="mail_user = nobody\n") as server:
            c = LineClient(server.ports["imap"])
            self.assertTrue(c.read_line().startswith("* OK"))
            children = subprocess.run(
                ["pgrep", "-P", str(server.proc.pid)],
                capture_output=True, text=True).stdout.split()
            self.assertTrue(children)
            for pid in children:
                with open("/proc/%s/status" % pid) as f:
                    status = f.read()
                uid_line = re.search(r"^Uid:\s+(.*)$", status, re.M).group(1)
                self.assertEqual(set(uid_line.split()), {"65534"}, uid_line)

    def test_idle_timeout(self):
        with PosternServer(sections={"pop3": "idle_timeout = 1s\n"}) as server:
            c = LineClient(server.ports["pop3"])
            c.read_line()
            # RFC 1939 §3: the autologout closes without any response
            self.assertEqual(c.read_eof(), b"")


if __name__ == "__main__":
    main()
