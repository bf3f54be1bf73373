#!/usr/bin/env python3
"""IMAP load generator for side-by-side runs against Postern and Dovecot
(Python 3 standard library, asyncio). Not a test: it prints numbers.

  imap-load.py populate  --port P --users N --messages M
  imap-load.py mix       --port P --users N --duration S
  imap-load.py push      --port P --users N --deliveries D
  imap-load.py idle-mem  --port P --tls --sessions K --server-pid PID
  imap-load.py single    --port P --kind KIND --count C --server-pid PID

mix: one client per user (bench1..benchN), each logged in with INBOX
selected, runs a mobile-client mix one command at a time: flag resyncs,
headers of the newest messages, whole messages, flag changes, searches,
STATUS, NOOP, APPEND, and delete+expunge of what it appended. Reports
commands/s and p50/p99 latency (send to tagged reply).

single: one client (the first user) runs one operation of the mix, KIND
(noop, flags, headers, body, store, search, status, append, expunge),
C times, one at a time; reports the time per operation and the server's
CPU time per operation (its whole process tree), which a busy shared
machine disturbs much less than commands/s. An operation is what the mix
counts as one command: append sends a NOOP after its APPEND, expunge a
STORE before its UID EXPUNGE (of a message appended before the timing
starts).

push: N sessions IDLE in their INBOX; a separate session per user APPENDs
a message (the delivery); the latency is from the delivery's tagged OK to
"* n EXISTS" on the idle session. Reports p50/p99/max.

idle-mem: opens K sessions (TLS with --tls) that log in, select INBOX and
IDLE, waits (--wait, default 12 s so that Dovecot hibernates them), and
sums Pss over the server's whole process tree (--server-pid, the master)
before and after. Reports bytes per session.
"""

import argparse
import asyncio
import os
import random
import re
import ssl
import statistics
import sys
import time

LITERAL_END = re.compile(rb"\{(\d+)\+?\}$")
MESSAGE = (b"From: Load Generator <load@example.org>\r\n"
           b"To: bench@example.org\r\n"
           b"Subject: load message %d\r\n"
           b"Date: Tue, 5 Mar 2024 10:00:00 +0000\r\n"
           b"Message-ID: <%d.%d@example.org>\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
           + b"This is a line of a typical short message body.\r\n" * 40)


def tls_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class Imap:
    """One IMAP connection; command() returns (untagged, tagged, secs)."""

    def __init__(self, reader, writer):
        self.r, self.w = reader, writer
        self.n = 0

    @classmethod
    async def connect(cls, host, port, tls=False):
        reader, writer = await asyncio.open_connection(
            host, port, ssl=tls_context() if tls else None,
            limit=1 << 24)
        conn = cls(reader, writer)
        await conn.read_response()
        return conn

    async def read_response(self):
        """One response line, with its literals inlined."""
        line = await self.r.readuntil(b"\r\n")
        while True:
            m = LITERAL_END.search(line[:-2])
            if m is None:
                return line[:-2]
            data = await self.r.readexactly(int(m.group(1)))
            line = line[:-2] + data + await self.r.readuntil(b"\r\n")

    async def command(self, text, literal=None):
        self.n += 1
        tag = b"c%d" % self.n
        start = time.monotonic()
        if literal is None:
            self.w.write(tag + b" " + text + b"\r\n")
        else:
            self.w.write(tag + b" " + text + b" {%d+}\r\n" % len(literal)
                         + literal + b"\r\n")
        untagged = []
        while True:
            line = await self.read_response()
            if line.startswith(tag + b" "):
                return untagged, line[len(tag) + 1:], \
                    time.monotonic() - start
            untagged.append(line)

    async def ok(self, text, literal=None):
        untagged, tagged, secs = await self.command(text, literal)
        if not tagged.startswith(b"OK"):
            raise RuntimeError("%s -> %s" % (text, tagged))
        return untagged, tagged, secs

    def close(self):
        self.w.close()


async def login(args, user, tls=False):
    conn = await Imap.connect(args.host, args.port, tls)
    await conn.ok(b"LOGIN %s %s" % (user.encode(), args.password.encode()))
    return conn


def users(args):
    return ["%s%d" % (args.user_prefix, args.first_user + i)
            for i in range(args.users)]


async def populate(args):
    async def one(user):
        conn = await login(args, user)
        # Postern autocreates Sent for new users, Dovecot doesn't
        await conn.command(b"CREATE Sent")
        for i in range(args.messages):
            await conn.ok(b"APPEND INBOX", MESSAGE % (i, i, os.getpid()))
        conn.close()

    start = time.monotonic()
    for i in range(0, args.users, 20):
        await asyncio.gather(*(one(u) for u in users(args)[i:i + 20]))
    print("populated %d users x %d messages in %.1f s"
          % (args.users, args.messages, time.monotonic() - start))


class MixClient:
    def __init__(self, args, user, stats):
        self.args, self.user, self.stats = args, user, stats
        self.uids = []
        self.appended = []

    def ops(self):
        """The operations of the mix: (name, function, weight)."""
        return [("noop", self.noop, 10), ("flags", self.flag_sync, 15),
                ("headers", self.headers, 15), ("body", self.body, 20),
                ("store", self.store, 15), ("search", self.search, 10),
                ("status", self.status, 5), ("append", self.append, 5),
                ("expunge", self.expunge, 5)]

    async def start(self):
        self.conn = await login(self.args, self.user)
        await self.conn.ok(b"SELECT INBOX")
        untagged, _, _ = await self.conn.ok(b"UID SEARCH ALL")
        for line in untagged:
            if line.startswith(b"* SEARCH"):
                self.uids = [int(x) for x in line.split()[2:]]

    async def run(self, deadline):
        await self.start()
        funcs = [f for _, f, _ in self.ops()]
        weights = [w for _, _, w in self.ops()]
        while time.monotonic() < deadline:
            op = random.choices(funcs, weights)[0]
            name, secs = await op()
            self.stats.setdefault(name, []).append(secs)
        await self.conn.command(b"LOGOUT")
        self.conn.close()

    async def timed(self, name, text, literal=None):
        untagged, tagged, secs = await self.conn.command(text, literal)
        if not tagged.startswith(b"OK"):
            self.stats.setdefault("errors", []).append(secs)
            if len(self.stats["errors"]) <= 3:
                print("error: %s -> %s" % (text[:60], tagged[:100]))
        return name, secs, untagged, tagged

    def some_uid(self):
        return random.choice(self.uids) if self.uids else 1

    async def noop(self):
        name, secs, _, _ = await self.timed("NOOP", b"NOOP")
        return name, secs

    async def flag_sync(self):
        name, secs, _, _ = await self.timed("FETCH 1:* FLAGS",
                                            b"UID FETCH 1:* (FLAGS)")
        return name, secs

    async def headers(self):
        name, secs, _, _ = await self.timed(
            "FETCH last 20 ENVELOPE", b"FETCH %d:* (UID FLAGS "
            b"RFC822.SIZE INTERNALDATE ENVELOPE)"
            % max(1, len(self.uids) - 19))
        return name, secs

    async def body(self):
        name, secs, _, _ = await self.timed(
            "FETCH BODY[]", b"UID FETCH %d (BODY.PEEK[])" % self.some_uid())
        return name, secs

    async def store(self):
        sign = random.choice([b"+", b"-"])
        name, secs, _, _ = await self.timed(
            "STORE FLAGS", b"UID STORE %d %sFLAGS (\\Seen)"
            % (self.some_uid(), sign))
        return name, secs

    async def search(self):
        name, secs, _, _ = await self.timed("SEARCH UNSEEN",
                                            b"UID SEARCH UNSEEN")
        return name, secs

    async def status(self):
        name, secs, _, _ = await self.timed(
            "STATUS", b"STATUS Sent (MESSAGES UNSEEN UIDNEXT)")
        return name, secs

    async def append(self):
        n = random.randrange(1 << 30)
        name, secs, _, tagged = await self.timed(
            "APPEND", b"APPEND INBOX", MESSAGE % (n, n, os.getpid()))
        m = re.search(rb"APPENDUID \d+ (\d+)", tagged)
        if m:
            self.appended.append(int(m.group(1)))
            self.uids.append(int(m.group(1)))
        await self.conn.ok(b"NOOP")
        return name, secs

    async def expunge(self):
        if not self.appended:
            return await self.append()
        uid = self.appended.pop()
        await self.conn.ok(b"UID STORE %d +FLAGS.SILENT (\\Deleted)" % uid)
        name, secs, _, _ = await self.timed("UID EXPUNGE",
                                            b"UID EXPUNGE %d" % uid)
        if uid in self.uids:
            self.uids.remove(uid)
        return name, secs


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def tree_cpu(root):
    """CPU seconds (user + system) used so far by the process tree,
    counting its children that have exited and been waited for."""
    ticks = 0
    for pid in process_tree(root):
        try:
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks += sum(int(x) for x in fields[11:15])
        except OSError:
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


async def mix(args):
    stats = {}
    cpu_before = tree_cpu(args.server_pid) if args.server_pid else 0
    deadline = time.monotonic() + args.duration
    clients = [MixClient(args, u, stats) for u in users(args)]
    start = time.monotonic()
    await asyncio.gather(*(c.run(deadline) for c in clients))
    elapsed = time.monotonic() - start
    errors = len(stats.pop("errors", []))
    every = [s for values in stats.values() for s in values]
    print("mix: %d clients, %.1f s, %d commands, %.0f commands/s, "
          "p50 %.1f ms, p99 %.1f ms"
          % (len(clients), elapsed, len(every), len(every) / elapsed,
             percentile(every, 0.5) * 1000, percentile(every, 0.99) * 1000))
    if args.server_pid:
        cpu = tree_cpu(args.server_pid) - cpu_before
        print("  server CPU: %.1f s, %.0f us per command"
              % (cpu, cpu * 1e6 / len(every)))
    if errors:
        print("  (%d commands failed)" % errors)
    for name in sorted(stats):
        values = stats[name]
        print("  %-24s %7d  p50 %6.1f ms  p99 %6.1f ms"
              % (name, len(values), percentile(values, 0.5) * 1000,
                 percentile(values, 0.99) * 1000))


async def single(args):
    stats = {}
    client = MixClient(args, users(args)[0], stats)
    await client.start()
    op = {name: func for name, func, _ in client.ops()}[args.kind]
    if args.kind == "expunge":
        # each expunge takes back a message appended for it beforehand
        for _ in range(args.count):
            await client.append()
    cpu_before = tree_cpu(args.server_pid) if args.server_pid else 0
    start = time.monotonic()
    for _ in range(args.count):
        await op()
    elapsed = time.monotonic() - start
    line = ("single %s: %d in %.2f s, %.0f us each"
            % (args.kind, args.count, elapsed, elapsed * 1e6 / args.count))
    if args.server_pid:
        cpu = tree_cpu(args.server_pid) - cpu_before
        line += ", server CPU %.0f us each" % (cpu * 1e6 / args.count)
    print(line)
    if "errors" in stats:
        print("  (%d commands failed)" % len(stats["errors"]))
    await client.conn.command(b"LOGOUT")
    client.conn.close()


class Lmtp:
    """One LMTP connection delivering to one recipient at a time."""

    @classmethod
    async def connect(cls, host, port):
        self = cls()
        self.r, self.w = await asyncio.open_connection(host, port)
        await self.reply()
        self.w.write(b"LHLO bench.example.org\r\n")
        await self.reply()
        return self

    async def reply(self):
        while True:
            line = await self.r.readuntil(b"\r\n")
            if line[3:4] != b"-":
                return line

    async def deliver(self, user, message):
        self.w.write(b"MAIL FROM:<load@example.org>\r\n"
                     b"RCPT TO:<%s@example.org>\r\nDATA\r\n" % user.encode())
        for _ in range(3):
            line = await self.reply()
            if not line[:1] in (b"2", b"3"):
                raise RuntimeError("LMTP: %r" % line)
        self.w.write(message + b".\r\n")
        line = await self.reply()
        if not line.startswith(b"250"):
            raise RuntimeError("LMTP: %r" % line)


async def push(args):
    idlers = {}
    exists = {}
    for user in users(args):
        conn = await login(args, user)
        untagged, _, _ = await conn.ok(b"SELECT INBOX")
        count = [int(l.split()[1]) for l in untagged
                 if l.endswith(b" EXISTS")][0]
        conn.w.write(b"i IDLE\r\n")
        line = await conn.read_response()
        assert line.startswith(b"+"), line
        idlers[user] = conn
        exists[user] = count
    if args.lmtp_port:
        lmtp = await Lmtp.connect(args.host, args.lmtp_port)
    else:
        senders = {user: await login(args, user) for user in users(args)}
    await asyncio.sleep(args.settle)
    latencies = []
    missed = 0
    for i in range(args.deliveries):
        user = random.choice(list(idlers))
        if args.lmtp_port:
            await lmtp.deliver(user, MESSAGE % (i, i, os.getpid()))
        else:
            await senders[user].ok(b"APPEND INBOX",
                                   MESSAGE % (i, i, os.getpid()))
        delivered = time.monotonic()
        try:
            while True:
                line = await asyncio.wait_for(
                    idlers[user].read_response(),
                    delivered + args.timeout - time.monotonic())
                if line.endswith(b" EXISTS"):
                    break
            latencies.append(time.monotonic() - delivered)
        except asyncio.TimeoutError:
            # counted, and the reader is now unusable: drop the session
            missed += 1
            idlers.pop(user).close()
            if not args.lmtp_port:
                senders.pop(user).close()
            if not idlers:
                break
        await asyncio.sleep(args.interval)
    for conn in idlers.values():
        conn.close()
    if args.lmtp_port:
        lmtp.w.close()
    else:
        for conn in senders.values():
            conn.close()
    print("push (%s): %d deliveries to %d idle sessions: p50 %.1f ms, p99 %.1f "
          "ms, max %.1f ms, %d not told within %.0f s"
          % ("LMTP" if args.lmtp_port else "APPEND", len(latencies),
             args.users, percentile(latencies, 0.5) * 1000,
             percentile(latencies, 0.99) * 1000, max(latencies) * 1000,
             missed, args.timeout))


def process_tree(root):
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                parents.setdefault(int(fields[1]), []).append(int(entry))
            except OSError:
                pass
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(parents.get(pid, []))
    return tree


def tree_pss(root):
    total = 0
    for pid in process_tree(root):
        try:
            with open("/proc/%d/smaps_rollup" % pid) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total, len(process_tree(root))


async def idle_mem(args):
    before, procs_before = tree_pss(args.server_pid)
    conns = []
    user_list = users(args)
    for i in range(0, args.sessions, 50):
        async def one(n):
            conn = await login(args, user_list[n % len(user_list)],
                               args.tls)
            await conn.ok(b"SELECT INBOX")
            conn.w.write(b"i IDLE\r\n")
            await conn.read_response()
            return conn
        conns += await asyncio.gather(
            *(one(n) for n in range(i, min(args.sessions, i + 50))))
    await asyncio.sleep(args.wait)
    after, procs_after = tree_pss(args.server_pid)
    print("idle-mem: %d %s sessions in IDLE: PSS of %d -> %d processes "
          "%.1f -> %.1f MiB, %.0f bytes/session"
          % (len(conns), "TLS" if args.tls else "plaintext", procs_before,
             procs_after, before / 2**20, after / 2**20,
             (after - before) / len(conns)))
    for conn in conns:
        conn.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("mode", choices=["populate", "mix", "push", "idle-mem",
                                    "single"])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--tls", action="store_true")
    p.add_argument("--user-prefix", default="bench")
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--first-user", type=int, default=1)
    p.add_argument("--password", default="pass")
    p.add_argument("--messages", type=int, default=200)
    p.add_argument("--duration", type=float, default=30)
    p.add_argument("--deliveries", type=int, default=200)
    p.add_argument("--interval", type=float, default=0.02)
    p.add_argument("--settle", type=float, default=2)
    p.add_argument("--timeout", type=float, default=5)
    p.add_argument("--lmtp-port", type=int,
                   help="push: deliver over LMTP instead of APPEND")
    p.add_argument("--sessions", type=int, default=1000)
    p.add_argument("--wait", type=float, default=12)
    p.add_argument("--server-pid", type=int)
    p.add_argument("--kind", default="noop",
                   choices=["noop", "flags", "headers", "body", "store",
                            "search", "status", "append", "expunge"])
    p.add_argument("--count", type=int, default=2000)
    args = p.parse_args()
    func = {"populate": populate, "mix": mix, "push": push,
            "idle-mem": idle_mem, "single": single}[args.mode]
    asyncio.run(func(args))


if __name__ == "__main__":
    sys.exit(main())
