"""Durability under kill -9: eight LMTP connections deliver in parallel
while the worker is killed with SIGKILL at random moments and posternd is
restarted, over and over. Afterwards every message that got its 250 must
be in its recipient's maildir exactly once and whole, no message may be
there twice, nothing half-written may be visible in new/ or cur/, and the
per-user index must list exactly the files (same UIDs)."""

import os
import random
import re
import signal
import sqlite3
import threading
import time
import unittest

from lmtp_helpers import (DOMAIN, LMTPClient, USERS, lmtp_server,
                          write_passwd)
from postern_test import BAD_LOG, scaled

CONNECTIONS = 8
ROUNDS = int(os.environ.get("LMTP_CRASH_ROUNDS", "8"))
TOKEN = re.compile(rb"X-Token: (\S+)")


def message(token, size):
    body = b"".join(b"%s line %d\r\n" % (token, i)
                    for i in range(size // 40))
    return (b"Subject: crash test\r\nX-Token: %s\r\n\r\n%sEND %s\r\n"
            % (token, body, token))


class Sender(threading.Thread):
    """One connection delivering until told to stop, reconnecting after
    the server goes away. acked: tokens that got 250 for their user."""

    def __init__(self, port, index, stop):
        super().__init__(daemon=True)
        self.port, self.index, self.stop = port, index, stop
        self.acked = {}
        self.sent = 0

    def run(self):
        while not self.stop.is_set():
            try:
                self.session()
            except (OSError, EOFError, ValueError, AssertionError):
                time.sleep(0.02)

    def session(self):
        c = LMTPClient(self.port, timeout=scaled(10))
        try:
            assert c.lhlo().code == 250
            while not self.stop.is_set():
                self.deliver(c)
        finally:
            c.close()

    def deliver(self, c):
        self.sent += 1
        token = b"c%dm%d" % (self.index, self.sent)
        user = random.choice(["alice", "bob", "carol", "dave"])
        size = random.choice([200, 4000, 100000])
        replies = c.envelope("crash@example.test", ["%s@%s" % (user, DOMAIN)])
        assert [r.code for r in replies] == [250, 250], replies
        r = c.data(message(token, size), 1)[0]
        if r.code == 250:
            self.acked[token] = user


def worker_pids(master_pid):
    pids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open("/proc/%s/comm" % pid) as f:
                comm = f.read().strip()
        except OSError:
            continue
        if int(fields[1]) == master_pid and comm == "postern-worker":
            pids.append(int(pid))
    return pids


def visible_files(server, user):
    """{uid: bytes} of the messages in new/ and cur/ of user's INBOX."""
    files = {}
    for sub in ("new", "cur"):
        d = os.path.join(server.dir, "home", user, "Maildir", sub)
        for name in os.listdir(d) if os.path.isdir(d) else []:
            uid = int(re.search(r",U=(\d+)", name).group(1))
            with open(os.path.join(d, name), "rb") as f:
                files[uid] = f.read()
    return files


def index_uids(server, user):
    path = os.path.join(server.dir, "home", user, "Maildir",
                        "postern-index.db")
    db = sqlite3.connect(path)
    try:
        return {row[0] for row in db.execute(
            "SELECT uid FROM messages m JOIN mailboxes b "
            "ON m.mailbox_id = b.id WHERE b.name = 'INBOX'")}
    finally:
        db.close()


class LMTPCrashTest(unittest.TestCase):

    def setUp(self):
        # no users besides the four; none with a quota yet
        self.server = lmtp_server()
        write_passwd(self.server, extra={})
        self.server.start()

    def tearDown(self):
        self.server.stop()
        self.server.log.close()
        # kill -9 is logged as such; anything else that looks like a bug
        # fails the test
        bad = [l for l in self.server.read_log().splitlines()
               if BAD_LOG.search(l) and "killed by signal 9" not in l]
        self.assertEqual(bad, [])
        if os.environ.get("POSTERN_KEEP_TEST_DIRS") is None:
            import shutil
            shutil.rmtree(self.server.dir, ignore_errors=True)

    def restart(self):
        self.server.stop()
        self.server.log.close()
        self.server.start()

    def crash_rounds(self, senders):
        kills = 0
        for _ in range(ROUNDS):
            time.sleep(random.uniform(0.3, 1.2) * scaled(1))
            pids = worker_pids(self.server.proc.pid)
            for pid in pids:
                os.kill(pid, signal.SIGKILL)
                kills += 1
            time.sleep(0.05)
            self.restart()
        return kills

    def sync_indexes(self):
        """A quota rule makes RCPT sum up the mailboxes (STATUS), which
        brings each index up to date with the files."""
        write_passwd(self.server,
                     extra={u: "userdb_quota_rule=*:storage=1G"
                            for u in USERS})
        time.sleep(1.1)  # passwd-file is re-read when its mtime changes
        c = LMTPClient(self.server.ports["lmtp"])
        c.lhlo()
        replies = c.envelope("s@example.test",
                             ["%s@%s" % (u, DOMAIN) for u in USERS])
        self.assertEqual([r.code for r in replies], [250] * 5)
        self.assertEqual(c.cmd("RSET").code, 250)
        c.close()

    def test_kill_during_parallel_delivery(self):
        stop = threading.Event()
        senders = [Sender(self.server.ports["lmtp"], i, stop)
                   for i in range(CONNECTIONS)]
        for s in senders:
            s.start()
        kills = self.crash_rounds(senders)
        time.sleep(0.5)
        stop.set()
        for s in senders:
            s.join(scaled(20))
        self.restart()
        self.sync_indexes()
        acked = {}
        for s in senders:
            acked.update(s.acked)
        self.assertGreaterEqual(kills, ROUNDS)
        self.assertGreater(len(acked), 0)

        seen = {}
        for user in USERS:
            files = visible_files(self.server, user)
            for uid, data in files.items():
                token = TOKEN.search(data).group(1)
                # whole: ends with its own trailer
                self.assertTrue(data.endswith(b"END %s\r\n" % token),
                                "half message visible: %s uid %d"
                                % (user, uid))
                self.assertNotIn(token, seen, "delivered twice")
                seen[token] = user
            self.assertEqual(index_uids(self.server, user), set(files),
                             "index and files disagree for " + user)
        for token, user in acked.items():
            self.assertEqual(seen.get(token), user,
                             "acknowledged %s lost" % token.decode())
        print("\n%d kills, %d messages acknowledged, %d visible"
              % (kills, len(acked), len(seen)))


if __name__ == "__main__":
    unittest.main(verbosity=2)
