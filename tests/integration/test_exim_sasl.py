"""A real Exim (exim4-daemon-heavy from Debian, unpacked, not installed)
authenticates SMTP clients through posternd's auth-client socket with its
`dovecot` authenticator, driven by swaks.

Exits 77 (meson: skipped) without root, swaks, or a way to get Exim."""

import os
import shutil
import socket
import subprocess
import sys
import time
import unittest

from exim_peer import EximServer, exim_binary, exim_runs
from postern_test import PosternServer, free_port, scaled

EXIM = None

AUTHENTICATORS = """
acl_smtp_rcpt = acl_check_rcpt
auth_advertise_hosts = *
begin acl
acl_check_rcpt:
  accept authenticated = *
  deny
begin authenticators
dovecot_plain:
  driver = dovecot
  public_name = PLAIN
  server_socket = %(socket)s
  server_set_id = $auth1
dovecot_login:
  driver = dovecot
  public_name = LOGIN
  server_socket = %(socket)s
  server_set_id = $auth1
"""


class EximSaslTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = PosternServer(users={"alice": "wonderland",
                                          "bob": "{PLAIN}builder"})
        os.chmod(cls.server.dir, 0o755)  # exim's auth runs as nobody
        cls.server.start()
        socket_path = os.path.join(cls.server.dir, "var", "auth-client")
        cls.port = free_port()
        cls.exim = EximServer(EXIM, cls.port,
                              AUTHENTICATORS % {"socket": socket_path})
        cls.exim.start()
        deadline = time.time() + scaled(15)
        while True:
            try:
                socket.create_connection(("127.0.0.1", cls.port), 1).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise AssertionError("exim didn't start: "
                                         + cls.exim.mainlog())
                time.sleep(0.1)

    @classmethod
    def tearDownClass(cls):
        cls.exim.stop()
        cls.server.cleanup()

    def swaks(self, mech, user, password):
        return subprocess.run(
            ["swaks", "--server", "127.0.0.1:%d" % self.port,
             "--auth", mech, "--auth-user", user, "--auth-password",
             password, "--quit-after", "AUTH",
             "--timeout", str(int(scaled(30)))],
            capture_output=True, text=True, timeout=scaled(60))

    def check(self, mech, user, password, ok):
        r = self.swaks(mech, user, password)
        out = r.stdout + r.stderr
        if ok:
            self.assertIn("235 Authentication succeeded", out,
                          out + self.exim.mainlog())
        else:
            self.assertIn("535 Incorrect authentication data", out,
                          out + self.exim.mainlog())

    def test_plain(self):
        self.check("PLAIN", "alice", "wonderland", True)

    def test_plain_wrong_password(self):
        self.check("PLAIN", "alice", "rabbit", False)

    def test_login(self):
        self.check("LOGIN", "bob", "builder", True)

    def test_login_wrong_password(self):
        self.check("LOGIN", "bob", "nope", False)

    def test_unknown_user(self):
        self.check("PLAIN", "nobody-here", "x", False)


if __name__ == "__main__":
    if os.geteuid() != 0 or shutil.which("swaks") is None:
        print("SKIP: needs root and swaks")
        sys.exit(77)
    EXIM = exim_binary()
    if EXIM is None or not exim_runs(EXIM):
        print("SKIP: exim not available")
        sys.exit(77)
    unittest.main(verbosity=2)
