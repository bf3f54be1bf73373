"""A private Postfix from Debian for integration tests: its own queue and
configuration under a test directory, listening on a loopback port, in
the foreground (master -d), logging to DIR/maillog (main.cf's
maillog_file)."""

import grp
import os
import pwd
import subprocess

from postern_test import port_open, scaled, wait_for

POSTFIX_MASTER = "/usr/lib/postfix/sbin/master"
QUEUE_SUBDIRS = ("incoming", "active", "deferred", "defer", "bounce",
                 "trace", "corrupt", "hold", "flush", "saved", "private")


class PostfixServer:
    """Postfix with main_cf and master_cf (texts) in dir/postfix, its
    queue in dir/queue; the smtpd of master_cf listens on port."""

    def __init__(self, dir, port, main_cf, master_cf):
        self.dir = dir
        self.port = port
        self.conf_dir = os.path.join(dir, "postfix")
        self.proc = None
        self.make_queue()
        with open(os.path.join(self.conf_dir, "main.cf"), "w") as f:
            f.write(main_cf)
        with open(os.path.join(self.conf_dir, "master.cf"), "w") as f:
            f.write(master_cf)

    def make_queue(self):
        postfix = pwd.getpwnam("postfix")
        postdrop = grp.getgrnam("postdrop").gr_gid
        for sub in ("postfix", "queue", "queue/pid", "queue/public",
                    "queue/maildrop", "data") + \
                tuple("queue/" + d for d in QUEUE_SUBDIRS):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        for sub in ("data",) + tuple("queue/" + d for d in QUEUE_SUBDIRS):
            path = os.path.join(self.dir, sub)
            os.chown(path, postfix.pw_uid, postfix.pw_gid)
            os.chmod(path, 0o700)
        # public services (cleanup, flush) and the maildrop: postdrop
        for sub, mode in (("queue/public", 0o710), ("queue/maildrop", 0o730)):
            path = os.path.join(self.dir, sub)
            os.chown(path, postfix.pw_uid, postdrop)
            os.chmod(path, mode)

    def start(self, timeout=30):
        env = dict(os.environ, MAIL_CONFIG=self.conf_dir)
        self.proc = subprocess.Popen(
            [POSTFIX_MASTER, "-c", self.conf_dir, "-d"], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_for(lambda: port_open(self.port) or
                 self.proc.poll() is not None, "postfix", timeout=timeout)
        if self.proc.poll() is not None:
            raise AssertionError("postfix exited: " + self.maillog())
        return self

    def maillog(self):
        try:
            with open(os.path.join(self.dir, "maillog")) as f:
                return f.read()
        except OSError:
            return "(no maillog)"

    def stop(self):
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=scaled(15))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
