"""LOGINDISABLED (RFC 9051 §6.2.3): on a connection that is neither TLS
nor loopback, plaintext logins are refused and not advertised until
STARTTLS. Loopback counts as secured, so the test runs itself again in a
private network namespace (unshare --net) where the server also listens
on a non-loopback address of that namespace's own lo."""

import os
import shutil
import subprocess
import sys
import unittest

from imap_helpers import ImapConn, server_args
from postern_test import PosternServer, free_port, main, scaled

ADDR = "10.200.0.1"
INSIDE = os.environ.get("POSTERN_TEST_NETNS") == "1"


class LoginDisabled(unittest.TestCase):
    def setUp(self):
        if not INSIDE:
            self.skipTest("runs inside its own network namespace")
        self.port = free_port()
        self.server = PosternServer(**server_args({"alice": "secret"}))
        with open(self.server.config_path) as f:
            config = f.read()
        imap_listen = "listen = 127.0.0.1:%d" % self.server.ports["imap"]
        config = config.replace(imap_listen, "%s,%s:%d" % (imap_listen,
                                                           ADDR, self.port))
        with open(self.server.config_path, "w") as f:
            f.write(config)
        self.server.start()
        self.server.ports["remote"] = self.port
        self.addCleanup(self.server.cleanup)

    def test_logindisabled_until_tls(self):
        c = ImapConn(self.server, port_name="remote", host=ADDR)
        self.addCleanup(c.close)
        self.assertIn(" STARTTLS", c.greeting)
        self.assertIn(" LOGINDISABLED", c.greeting)
        self.assertNotIn("AUTH=PLAIN", c.greeting)
        self.assertEqual(c.command("LOGIN alice secret")[1],
                         "NO [PRIVACYREQUIRED] Plaintext authentication "
                         "disallowed on non-secure connections.")
        self.assertEqual(c.command("AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==")
                         [1], "NO [PRIVACYREQUIRED] Plaintext "
                         "authentication disallowed on non-secure "
                         "connections.")
        c.ok("STARTTLS")
        c.c.starttls()
        caps = c.ok("CAPABILITY")[0]
        self.assertNotIn("LOGINDISABLED", caps)
        self.assertIn("AUTH=PLAIN", caps)
        c.login("alice", "secret")


def run_in_namespace():
    script = ("ip link set lo up && ip addr add %s/32 dev lo && "
              "exec %s %s" % (ADDR, sys.executable, os.path.abspath(__file__)))
    env = dict(os.environ, POSTERN_TEST_NETNS="1")
    try:
        result = subprocess.run(["unshare", "--net", "sh", "-c", script],
                                env=env, timeout=scaled(120))
    except (OSError, subprocess.TimeoutExpired) as e:
        print("skipped: %s" % e)
        return 0
    return result.returncode


if __name__ == "__main__":
    if INSIDE:
        main()
    elif shutil.which("unshare") is None or shutil.which("ip") is None:
        print("skipped: needs unshare (util-linux) and ip (iproute2)")
    elif subprocess.run(["unshare", "--net", "true"],
                        capture_output=True).returncode != 0:
        print("skipped: no network namespaces here (unshare --net)")
    else:
        sys.exit(run_in_namespace())
