"""A real Postfix authenticates SMTP clients through posternd's auth-client
socket (smtpd_sasl_type = dovecot), driven by swaks.

A private Postfix instance runs in the foreground on a free loopback port
with its own config, queue and data directories under a temporary
directory, not chrooted. Only the SMTP AUTH exchange is exercised (swaks
--quit-after AUTH), so no mail is queued.

Exits 77 (meson: skipped) without root, postfix or swaks.
"""

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import unittest

from postfix_peer import POSTFIX_MASTER, PostfixServer
from postern_test import PosternServer, free_port, wait_for

TIMEOUT_SCALE = float(os.environ.get("POSTERN_TIMEOUT_SCALE", "1"))
# doveadm pw -s SHA512-CRYPT -p 'p@ss wörd'
ALICE_HASH = ("{SHA512-CRYPT}$6$PPGYz.IZI2urjifn$1m4oJmwDGlU7atBJgJ7p/qt2Z7"
              "WKW9X53uAGDNAM8ZtyfVAuu0njwaVlWedSzscjWvaC/8TcZPCJOwFHSOZ8o/")
ALICE_PASS = "p@ss wörd"


MASTER_CF = """\
{port} inet n - n - - smtpd
anvil unix - - n - 1 anvil
proxymap unix - - n - - proxymap
rewrite unix - - n - - trivial-rewrite
postlog unix-dgram n - n - 1 postlogd
"""

MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {dir}/queue
data_directory = {dir}/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = postern-test.invalid
mydestination =
local_recipient_maps =
maillog_file = {dir}/maillog
maillog_file_prefixes = {dir}
smtpd_banner = $myhostname ESMTP postern-test
smtpd_tls_security_level = none
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = {socket}
smtpd_sasl_security_options = noanonymous
smtpd_relay_restrictions = permit_sasl_authenticated, reject
broken_sasl_auth_clients = yes
"""


class PostfixSaslTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="postern-postfix-")
        os.chmod(cls.dir, 0o755)  # smtpd runs as postfix
        cls.start_auth()
        cls.start_postfix()

    @classmethod
    def start_auth(cls):
        cls.server = PosternServer(
            users={"alice": ALICE_HASH, "bob": "bobsecret"},
            sections={"auth": "penalty_max_delay = 0\n"})
        os.chmod(cls.server.dir, 0o755)  # smtpd connects as postfix
        cls.server.start()
        cls.socket = os.path.join(cls.server.dir, "var", "auth-client")
        wait_for(lambda: os.path.exists(cls.socket), "the auth socket",
                 timeout=15, interval=0.05)

    @classmethod
    def start_postfix(cls):
        cls.port = free_port()
        cls.postfix = PostfixServer(
            cls.dir, cls.port,
            MAIN_CF.format(dir=cls.dir, socket=cls.socket),
            MASTER_CF.format(port=cls.port)).start(timeout=15)

    @classmethod
    def maillog(cls):
        return cls.postfix.maillog()

    @classmethod
    def tearDownClass(cls):
        cls.postfix.stop()
        cls.server.cleanup()
        if os.environ.get("POSTERN_KEEP_TEST_DIRS") is None:
            shutil.rmtree(cls.dir, ignore_errors=True)

    def swaks(self, mech, user, password):
        return subprocess.run(
            ["swaks", "--server", "127.0.0.1:%d" % self.port,
             "--auth", mech, "--auth-user", user,
             "--auth-password", password, "--quit-after", "AUTH",
             "--timeout", str(int(30 * TIMEOUT_SCALE))],
            capture_output=True, text=True, timeout=60 * TIMEOUT_SCALE)

    def check(self, mech, user, password, ok):
        result = self.swaks(mech, user, password)
        output = result.stdout + result.stderr
        if ok:
            self.assertIn("235 2.7.0 Authentication successful", output,
                          output + self.maillog())
            self.assertEqual(result.returncode, 0, output)
        else:
            self.assertIn("535 5.7.8", output, output + self.maillog())
            self.assertNotEqual(result.returncode, 0, output)

    def test_ehlo_offers_plain_and_login(self):
        result = subprocess.run(
            ["swaks", "--server", "127.0.0.1:%d" % self.port,
             "--quit-after", "EHLO"],
            capture_output=True, text=True, timeout=60 * TIMEOUT_SCALE)
        self.assertRegex(result.stdout, r"250-AUTH .*PLAIN")
        self.assertRegex(result.stdout, r"250-AUTH .*LOGIN")

    def test_plain_success(self):
        self.check("PLAIN", "alice", ALICE_PASS, True)

    def test_plain_wrong_password(self):
        self.check("PLAIN", "alice", "wrong", False)

    def test_login_success(self):
        self.check("LOGIN", "bob", "bobsecret", True)

    def test_login_wrong_password(self):
        self.check("LOGIN", "bob", "nope", False)

    def test_unknown_user(self):
        self.check("PLAIN", "mallory", "x", False)

    def test_uppercase_user_normalized(self):
        self.check("PLAIN", "ALICE", ALICE_PASS, True)
        self.assertIn("sasl_username=alice", self.maillog())


def skip_reason():
    if os.geteuid() != 0:
        return "needs root to run a private postfix master"
    if not os.path.exists(POSTFIX_MASTER) or shutil.which("swaks") is None:
        return "postfix or swaks not installed"
    try:
        pwd.getpwnam("postfix")
    except KeyError:
        return "no postfix user"
    return None


if __name__ == "__main__":
    reason = skip_reason()
    if reason is not None:
        print("SKIP: " + reason)
        sys.exit(77)
    unittest.main(verbosity=2)
