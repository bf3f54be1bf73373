"""A real Exim delivers to Postern, both ways an operator sets it up.

Over LMTP (an smtp transport with protocol = lmtp; Exim also takes our
STARTTLS): swaks sends to two users and an unknown one; Exim must log the
two deliveries and bounce the unknown recipient with Postern's 550 5.1.1,
and the messages must be in the maildirs byte for byte behind the trace
headers.

Through a pipe transport to postern-deliver, as a virtual-mail user:
Debian's Exim never runs a pipe as root (FIXED_NEVER_USERS), so posternd
runs its workers as `mail_user = postern-vmail`, the homes belong to that
user, and the transport runs postern-deliver as it. The two users get the
message (read back over IMAP too), the unknown one bounces on
postern-deliver's EX_NOUSER.

exim4-daemon-heavy conflicts with Debian's postfix package: the binary is
exim_peer.py's, unpacked once per machine, run with the test's own
configuration. Exits 77 (meson: skipped) without root, swaks, or Exim.
"""

import imaplib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "protocol"))
from lmtp_helpers import (DOMAIN, PASSWORD, lmtp_server,
                          maildir_messages, split_trace_headers,
                          strip_received)  # noqa: E402
from exim_peer import exim_binary, exim_runs  # noqa: E402
from postern_test import (POSTERND, free_port, port_open, scaled,
                          wait_for)  # noqa: E402

POSTERN_DELIVER = os.environ.get(
    "POSTERN_DELIVER",
    os.path.join(os.path.dirname(os.path.abspath(POSTERND)), "..",
                 "deliver", "postern-deliver"))

SWAKS = shutil.which("swaks")
EXIM = None  # set by main()

EXIM_COMMON = """\
exim_user = Debian-exim
exim_group = Debian-exim
primary_hostname = exim.postern-test.invalid
spool_directory = {dir}/spool
log_file_path = {dir}/log/%slog
daemon_smtp_ports = {port}
local_interfaces = 127.0.0.1
domainlist local_domains = {domain}
acl_smtp_rcpt = acl_check_rcpt
exim_path = {exim}
keep_environment =
never_users =
deliver_drop_privilege = false

begin acl
acl_check_rcpt:
  accept domains = +local_domains
  deny

"""

EXIM_LMTP = EXIM_COMMON + """\
begin routers
postern_lmtp:
  driver = accept
  domains = {domain}
  transport = postern_lmtp

begin transports
postern_lmtp:
  driver = smtp
  protocol = lmtp
  hosts = 127.0.0.1
  port = {lmtp_port}
  allow_localhost
  hosts_override

begin retry
* * F,1m,5s
"""

# A pipe to postern-deliver: EX_TEMPFAIL (75) is a temporary error,
# everything else that isn't 0 bounces (EX_NOUSER, 67, for the unknown
# user).
EXIM_PIPE = EXIM_COMMON + """\
begin routers
postern_deliver:
  driver = accept
  domains = {domain}
  local_parts = alice : bob : nobody
  transport = postern_deliver

begin transports
postern_deliver:
  driver = pipe
  command = {deliver} -c {config} -d $local_part_data@$domain_data
  user = {mail_user}
  group = {mail_user}
  temp_errors = 75
  return_fail_output
  message_suffix =

begin retry
* * F,1m,5s
"""

MAIL_USER = "postern-vmail"

BODY = (b"From: Sender <s@sender.test>\r\n"
        b"Subject: through Exim\r\n"
        b"Message-ID: <postern-exim-test@sender.test>\r\n"
        b"Date: Thu, 26 Nov 2026 12:00:00 +0000\r\n"
        b"\r\n"
        b"Gr\xc3\xbc\xc3\x9fe through Exim.\r\n"
        b".leading dot\r\n"
        b"the end\r\n")


TRUSTED_CONFIGS = "/etc/exim4/trusted_configs"


def trust_config(path):
    """Adds path to Exim's list of configurations it keeps root for."""
    os.makedirs(os.path.dirname(TRUSTED_CONFIGS), exist_ok=True)
    with open(TRUSTED_CONFIGS, "a") as f:
        f.write(path + "\n")
    os.chmod(TRUSTED_CONFIGS, 0o644)


def untrust_config(path):
    try:
        with open(TRUSTED_CONFIGS) as f:
            lines = [line for line in f if line.strip() != path]
        with open(TRUSTED_CONFIGS, "w") as f:
            f.writelines(lines)
    except OSError:
        pass


class EximBase(unittest.TestCase):
    """An Exim daemon with the configuration conf_template, delivering to
    cls.server; what a delivery left in Exim's logs."""
    conf_template = None
    deliver = None

    @classmethod
    def setUpClass(cls):
        cls.server = cls.make_server()
        cls.server.start()
        cls.dir = tempfile.mkdtemp(prefix="postern-exim-")
        os.chmod(cls.dir, 0o755)
        cls.prepare()
        cls.start_exim()

    @classmethod
    def prepare(cls):
        """Set-up between the server's start and Exim's."""

    @classmethod
    def start_exim(cls):
        cls.port = free_port()
        for sub in ("spool", "log"):
            os.makedirs(os.path.join(cls.dir, sub))
            shutil.chown(os.path.join(cls.dir, sub), "Debian-exim",
                         "Debian-exim")
        cls.conf = os.path.join(cls.dir, "exim.conf")
        with open(cls.conf, "w") as f:
            f.write(cls.conf_template.format(
                dir=cls.dir, port=cls.port, domain=DOMAIN,
                lmtp_port=cls.server.ports["lmtp"], exim=EXIM,
                deliver=cls.deliver, config=cls.server.config_path,
                mail_user=MAIL_USER))
        cls.env = dict(os.environ)
        cls.exim = [EXIM, "-C", cls.conf]
        cls.daemon = subprocess.Popen(cls.exim + ["-bdf", "-q5s"],
                                      env=cls.env,
                                      stdout=subprocess.DEVNULL,
                                      stderr=subprocess.STDOUT)

        wait_for(lambda: port_open(cls.port) or
                 cls.daemon.poll() is not None, "exim")
        if cls.daemon.poll() is not None:
            raise AssertionError("exim exited: " + cls.mainlog())

    @classmethod
    def mainlog(cls):
        text = ""
        for name in ("mainlog", "paniclog", "rejectlog"):
            try:
                with open(os.path.join(cls.dir, "log", name)) as f:
                    text += f.read()
            except OSError:
                pass
        return text

    @classmethod
    def tearDownClass(cls):
        cls.daemon.send_signal(signal.SIGTERM)
        try:
            cls.daemon.wait(timeout=scaled(15))
        except subprocess.TimeoutExpired:
            cls.daemon.kill()
            cls.daemon.wait()
        cls.server.cleanup()
        if os.environ.get("POSTERN_KEEP_TEST_DIRS") is None:
            shutil.rmtree(cls.dir, ignore_errors=True)

    def swaks(self, rcpts):
        data = os.path.join(self.dir, "message.eml")
        with open(data, "wb") as f:
            f.write(BODY[:-2])  # swaks ends the data with CRLF . CRLF
        return subprocess.run(
            [SWAKS, "--server", "127.0.0.1", "--port", str(self.port),
             "--helo", "client.sender.test", "--from", "s@sender.test",
             "--to", ",".join(rcpts), "--data", data],
            capture_output=True, timeout=scaled(30))

    def delivered(self, rcpt):
        # "=>" for the first address of a delivery, "->" for the others;
        # a local delivery logs "=> local_part <address>"
        return re.search(r"[=-]> (?:\S+ <)?%s>? .*" % re.escape(rcpt),
                         self.mainlog())

    def bounced(self, rcpt):
        return re.search(r"\*\* %s .*" % re.escape(rcpt), self.mainlog())

    def check_delivered(self, transport, bounce_text):
        rcpts = ["alice@" + DOMAIN, "bob@" + DOMAIN, "nobody@" + DOMAIN]
        p = self.swaks(rcpts)
        self.assertEqual(p.returncode, 0, p.stdout.decode(errors="replace"))
        wait_for(lambda: self.delivered(rcpts[0]) and
                 self.delivered(rcpts[1]) and self.bounced(rcpts[2]),
                 "Exim to deliver:\n" + self.mainlog())
        self.assertIn("T=" + transport, self.delivered(rcpts[0]).group(0))
        self.assertIn(bounce_text, self.bounced(rcpts[2]).group(0))


class EximTest(EximBase):
    conf_template = EXIM_LMTP

    @classmethod
    def make_server(cls):
        return lmtp_server()

    def check_stored(self, user):
        stored = maildir_messages(self.server, user)
        self.assertEqual(len(stored), 1)
        trace, rest = split_trace_headers(stored[0])
        self.assertEqual(trace["Return-Path"], "<s@sender.test>")
        self.assertIn("from exim.postern-test.invalid", trace["Received"])
        # over STARTTLS: RFC 3848
        self.assertIn("with LMTPS", trace["Received"])
        self.assertEqual(strip_received(rest), BODY)

    def test_exim_delivers_over_lmtp(self):
        self.check_delivered("postern_lmtp", "550 5.1.1")
        for user in ("alice", "bob"):
            self.check_stored(user)


class EximPipeTest(EximBase):
    conf_template = EXIM_PIPE

    @classmethod
    def make_server(cls):
        server = lmtp_server(extra_config="mail_user = %s\n" % MAIL_USER)
        # what postern-deliver, running as the mail user, reaches: the
        # configuration, the userdb socket, the homes
        os.chmod(server.dir, 0o755)
        for user in ("alice", "bob"):
            home = os.path.join(server.dir, "home", user)
            os.makedirs(home)
            shutil.chown(home, MAIL_USER, MAIL_USER)
        return server

    @classmethod
    def prepare(cls):
        # Exim gives up root for a configuration named with -C unless it
        # is listed in the compiled-in TRUSTED_CONFIG_LIST, and then can't
        # switch to the pipe's user
        trust_config(os.path.join(cls.dir, "exim.conf"))
        # also when setUpClass fails after this
        cls.addClassCleanup(untrust_config, os.path.join(cls.dir, "exim.conf"))
        os.chmod(cls.server.config_path, 0o644)
        # a copy the mail user can run whatever the build tree's modes
        cls.deliver = os.path.join(cls.dir, "postern-deliver")
        shutil.copy(POSTERN_DELIVER, cls.deliver)
        os.chmod(cls.deliver, 0o755)

    def test_exim_pipe_to_postern_deliver(self):
        self.check_delivered("postern_deliver", "returned 67")
        for user in ("alice", "bob"):
            stored = maildir_messages(self.server, user)
            self.assertEqual(len(stored), 1, user)
            trace, rest = split_trace_headers(stored[0])
            self.assertEqual(trace["Return-Path"], "<s@sender.test>")
            self.assertEqual(trace["Delivered-To"], "%s@%s" % (user, DOMAIN))
            self.assertEqual(strip_received(rest), BODY)
            # the index the mail user's postern-deliver wrote is the one
            # IMAP reads (the workers run as the same user)
            with imaplib.IMAP4("127.0.0.1", self.server.ports["imap"]) as m:
                m.login(user, PASSWORD)
                typ, data = m.select("INBOX", readonly=True)
                self.assertEqual((typ, data), ("OK", [b"1"]))
                typ, data = m.fetch("1", "(BODY.PEEK[])")
                self.assertEqual(data[0][1], stored[0])


def main():
    if os.geteuid() != 0 or SWAKS is None:
        print("skipped: needs root and swaks")
        sys.exit(77)
    global EXIM
    EXIM = exim_binary()
    if EXIM is None or not exim_runs(EXIM):
        print("skipped: exim not available")
        sys.exit(77)
    for user in ("Debian-exim", MAIL_USER):
        subprocess.run(["sh", "-c", "getent passwd %s >/dev/null || "
                        "useradd --system --no-create-home --home-dir "
                        "/nonexistent --shell /usr/sbin/nologin "
                        "--user-group %s" % (user, user)], check=True)
    unittest.main(verbosity=2)


if __name__ == "__main__":
    main()
