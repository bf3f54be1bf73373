"""Shared harness for Postern's protocol tests (Python standard library only).

A test starts a private posternd with PosternServer: a temporary directory,
free loopback ports, a postern.conf written from the arguments. The server
is stopped with SIGTERM at the end, and its log is checked for sanitizer
reports and crashes, so that every protocol test is also a memory test when
the build has ASan/UBSan.

Environment (set by meson):
  POSTERND       path of the posternd binary
  POSTERNCTL     path of posternctl
  POSTERN_TIMEOUT_SCALE  multiplier for timeouts (sanitizer builds are slow)
"""

import os
import random
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

POSTERND = os.environ.get("POSTERND", "posternd")
POSTERNCTL = os.environ.get("POSTERNCTL", "posternctl")
TIMEOUT_SCALE = float(os.environ.get("POSTERN_TIMEOUT_SCALE", "1"))

# Lines in a server log that mean a bug, whatever the test checked.
BAD_LOG = re.compile(r"AddressSanitizer|LeakSanitizer|runtime error:|"
                     r"\bfatal:|panic|assertion failed|killed by signal")


def scaled(seconds):
    return seconds * TIMEOUT_SCALE


def wait_for(predicate, what, timeout=30, interval=0.1):
    """Polls predicate until it is true; fails after scaled(timeout)."""
    deadline = time.time() + scaled(timeout)
    while not predicate():
        if time.time() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(interval)


def port_open(port):
    """Whether something accepts connections on the loopback port."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def ephemeral_port_range():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = (int(x) for x in f.read().split())
        return low, high
    except (OSError, ValueError):
        return 32768, 60999


# Below the kernel's ephemeral range, and above the benchmark peers'
# ports (Dovecot's 10xxx, postern-bench's 21xxx).
TEST_PORT_LOW = 22000


def free_port():
    """A loopback port that nothing listens on, chosen below the kernel's
    ephemeral range: a port from bind(0) comes from that range, and the
    client connections of tests running in parallel (test_imap_memory
    opens thousands) can take it before posternd binds it."""
    low = TEST_PORT_LOW
    high = min(ephemeral_port_range()[0], 65536) - 1
    for _ in range(100):
        if high - low < 1000:
            break
        port = random.randint(low, high)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client_tls_context():
    """A client context that accepts the test server's self-signed cert."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class LineClient:
    """A raw socket speaking CRLF lines, with TLS upgrade."""

    def __init__(self, port, tls=False, timeout=5):
        self.sock = socket.create_connection(("127.0.0.1", port),
                                             timeout=scaled(timeout))
        if tls:
            self.sock = client_tls_context().wrap_socket(self.sock)
        self.buf = b""

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def send_line(self, line):
        self.send((line if isinstance(line, bytes) else line.encode())
                  + b"\r\n")

    def read_line(self):
        """The next line without CRLF, as str (latin-1), or None at EOF."""
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("latin-1")

    def read_until(self, predicate):
        """Lines up to and including the first one matching predicate."""
        lines = []
        while True:
            line = self.read_line()
            if line is None:
                raise EOFError("connection closed; got %r" % lines)
            lines.append(line)
            if predicate(line):
                return lines

    def read_eof(self):
        """Reads until the server closes; returns what came."""
        data = self.buf
        self.buf = b""
        while True:
            try:
                chunk = self.sock.recv(65536)
            except (ConnectionResetError, ssl.SSLError):
                return data
            if not chunk:
                return data
            data += chunk

    def starttls(self):
        assert self.buf == b"", "unread plaintext before TLS: %r" % self.buf
        self.sock = client_tls_context().wrap_socket(self.sock)
        return self.sock.version()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class PosternServer:
    """A posternd on free loopback ports in a temporary directory."""

    def __init__(self, extra_config="", sections=None, workers=1,
                 log_level="info", users=None):
        self.dir = tempfile.mkdtemp(prefix="postern-test-")
        self.ports = {name: free_port() for name in
                      ("imap", "imaps", "pop3", "pop3s", "lmtp")}
        self.log_path = os.path.join(self.dir, "posternd.log")
        self.config_path = os.path.join(self.dir, "postern.conf")
        self.proc = None
        sections = dict(sections or {})
        # users: {"alice": "secret"} -> a passwd-file passdb ({PLAIN} for
        # speed: tests log in often; the schemes have their own tests). A
        # password starting with "{" is a stored hash, used as it is.
        self.users = dict(users or {})
        passwd_path = os.path.join(self.dir, "users.passwd")
        with open(passwd_path, "w") as f:
            for name, password in self.users.items():
                stored = (password if password.startswith("{")
                          else "{PLAIN}" + password)
                f.write("%s:%s::::::\n" % (name, stored))
        sections.setdefault("auth", "")
        sections["auth"] = ("passdb = passwd-file:%s\nfailure_delay = 0\n"
                            % passwd_path) + sections["auth"]
        base = {
            "imap": "listen = 127.0.0.1:%d\nlisten_tls = 127.0.0.1:%d\n"
                    % (self.ports["imap"], self.ports["imaps"]),
            "pop3": "listen = 127.0.0.1:%d\nlisten_tls = 127.0.0.1:%d\n"
                    % (self.ports["pop3"], self.ports["pop3s"]),
            "lmtp": "listen = 127.0.0.1:%d\n" % self.ports["lmtp"],
        }
        for name, text in sections.items():
            base[name] = base.get(name, "") + text
        config = ("data_dir = %s/var\nworkers = %d\nlog_level = %s\n%s\n"
                  % (self.dir, workers, log_level, extra_config))
        for name, text in base.items():
            config += "\n[%s]\n%s" % (name, text)
        with open(self.config_path, "w") as f:
            f.write(config)

    def start(self):
        """Starts posternd; if another test took one of our ports between
        free_port() and the bind, tries again with other ports."""
        for attempt in range(3):
            try:
                return self.start_once()
            except RuntimeError as e:
                if "Address already in use" not in str(e) or attempt == 2:
                    raise
                self.log.close()
                self.new_ports()
        return self

    def new_ports(self):
        """Other free ports, all different, written over the old ones in
        the config file."""
        with open(self.config_path) as f:
            text = f.read()
        new = set()
        while len(new) < len(self.ports):
            new.add(free_port())
        for name, port in zip(list(self.ports), sorted(new)):
            text = re.sub(r":%d(?=[,\n])" % self.ports[name], ":%d" % port,
                          text)
            self.ports[name] = port
        with open(self.config_path, "w") as f:
            f.write(text)

    def start_once(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([POSTERND, "-c", self.config_path],
                                     cwd=self.dir, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        self.wait_port(self.ports["imap"])
        self.wait_port(self.ports["lmtp"])
        # the port opens at listen(), before the master handles signals
        deadline = time.time() + scaled(10)
        while " started (" not in self.read_log():
            if time.time() > deadline or self.proc.poll() is not None:
                raise RuntimeError("posternd didn't start:\n"
                                   + self.read_log())
            time.sleep(0.02)
        return self

    def wait_port(self, port, timeout=10):
        deadline = time.time() + scaled(timeout)
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("posternd exited with %d:\n%s"
                                   % (self.proc.returncode, self.read_log()))
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("port %d never opened:\n%s"
                           % (port, self.read_log()))

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Stops the server and returns its exit status."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            self.proc.wait(scaled(timeout))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("posternd didn't stop:\n" + self.read_log())
        return self.proc.returncode

    def check_log(self):
        bad = [line for line in self.read_log().splitlines()
               if BAD_LOG.search(line)]
        if bad:
            raise AssertionError("server log shows bugs:\n" + "\n".join(bad)
                                 + "\n--- full log ---\n" + self.read_log())

    def cleanup(self):
        try:
            self.stop()
            self.check_log()
        finally:
            if self.proc is not None and self.proc.poll() is None:
                self.proc.kill()
            if hasattr(self, "log"):
                self.log.close()
            if os.environ.get("POSTERN_KEEP_TEST_DIRS") is None:
                shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()


class ServerTestCase(unittest.TestCase):
    """A TestCase with one server for the whole class."""

    server_args = {}

    @classmethod
    def setUpClass(cls):
        cls.server = PosternServer(**cls.server_args).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def connect(self, name, tls=False):
        client = LineClient(self.server.ports[name], tls=tls)
        self.addCleanup(client.close)
        return client


def main():
    unittest.main(verbosity=2)
