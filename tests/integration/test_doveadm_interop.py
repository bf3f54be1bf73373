"""Dovecot's own tools as clients of Postern's sockets: doveadm auth test
speaks the auth-client protocol, doveadm user the auth-master protocol.
The reference implementation's client agreeing with our server is the
best check that we speak the protocols as Dovecot does.

Usage: test_doveadm_interop.py AUTH_TEST_SERVER
Exits 77 (meson: skipped) when doveadm (dovecot-core) is not installed.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

SERVER = os.environ.get("AUTH_TEST_SERVER", "auth-test-server")
TIMEOUT_SCALE = float(os.environ.get("POSTERN_TIMEOUT_SCALE", "1"))
DOVEADM = shutil.which("doveadm")


class DoveadmInteropTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="postern-doveadm-")
        with open(os.path.join(cls.dir, "users"), "w") as f:
            f.write("alice:{PLAIN}secret:1000:1000::/home/alice::"
                    "userdb_mail=maildir:~/Maildir\n"
                    "bob@example.test:{SSHA512}k8NaI+6FFOggpnJ+itM09o5BpG"
                    "DNKSzOtoIjR385M3kIBCBZQh+Wwr6mUlMCDZKlxeMxwgTUKOcpiI"
                    "V9FQ95Pb3IL7g=\n")
        conf = os.path.join(cls.dir, "auth.conf")
        with open(conf, "w") as f:
            f.write("[auth]\npassdb = passwd-file:users\n"
                    "failure_delay = 0\npenalty_max_delay = 0\n")
        cls.log = open(os.path.join(cls.dir, "log"), "w+")
        cls.proc = subprocess.Popen([SERVER, conf, cls.dir],
                                    stdout=cls.log, stderr=cls.log)
        deadline = time.time() + 10 * TIMEOUT_SCALE
        while not os.path.exists(os.path.join(cls.dir, "auth-userdb")):
            if time.time() > deadline:
                raise AssertionError("auth server did not start")
            time.sleep(0.02)

    @classmethod
    def tearDownClass(cls):
        cls.proc.send_signal(signal.SIGTERM)
        cls.proc.wait(timeout=10 * TIMEOUT_SCALE)
        cls.log.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def doveadm(self, *args):
        # -c /dev/null: nothing from /etc/dovecot; -a names our sockets
        return subprocess.run([DOVEADM, "-c", "/dev/null"] + list(args),
                              capture_output=True, text=True,
                              timeout=30 * TIMEOUT_SCALE)

    def auth_test(self, user, password, *extra):
        return self.doveadm("auth", "test", "-a",
                            os.path.join(self.dir, "auth-client"), *extra,
                            user, password)

    def test_auth_ok(self):
        r = self.auth_test("alice", "secret")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("passdb: alice auth succeeded", r.stdout)

    def test_auth_hash_from_dovecot(self):
        r = self.auth_test("bob@example.test", "p@ss wörd")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_auth_fail(self):
        r = self.auth_test("alice", "wrong")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("auth failed", r.stdout)

    def test_auth_plaintext_refused_for_remote(self):
        r = self.auth_test("alice", "secret", "-x", "rip=192.0.2.1")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("Plaintext authentication disallowed", r.stdout)

    def test_user_lookup(self):
        r = self.doveadm("user", "-a", os.path.join(self.dir, "auth-userdb"),
                         "alice")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"home\s+/home/alice")
        self.assertRegex(r.stdout, r"uid\s+1000")

    def test_user_list(self):
        r = self.doveadm("user", "-a", os.path.join(self.dir, "auth-userdb"),
                         "*")
        self.assertEqual(r.stdout.split(), ["alice", "bob@example.test"])


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        SERVER = os.path.abspath(sys.argv.pop(1))
    if DOVEADM is None:
        print("SKIP: doveadm (dovecot-core) not installed")
        sys.exit(77)
    unittest.main(verbosity=2)
