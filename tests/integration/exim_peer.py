"""Exim from Debian for integration tests, without installing it.

exim4-daemon-heavy conflicts with postfix, so it is fetched with
`apt-get download` and unpacked with `dpkg-deb -x` into a cache directory
(once per machine), and run from there with a config of the test's own.
Its shared libraries (libmariadb3, libidn12, libspf2-2) are ordinary
packages that ./dev test installs.
"""

import os
import shutil
import subprocess
import tempfile

CACHE = os.environ.get("POSTERN_EXIM_CACHE", "/var/tmp/postern-exim")
PACKAGES = ("exim4-daemon-heavy", "exim4-base")


def exim_binary():
    """The unpacked exim4 binary, or None with the reason printed."""
    binary = os.path.join(CACHE, "root", "usr", "sbin", "exim4")
    if os.path.exists(binary):
        return binary
    if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        print("no apt-get/dpkg-deb")
        return None
    os.makedirs(CACHE, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        os.chmod(tmp, 0o755)  # apt's _apt user downloads into it
        r = subprocess.run(["apt-get", "download", *PACKAGES], cwd=tmp,
                           capture_output=True, text=True)
        if r.returncode != 0:
            print("apt-get download failed: " + r.stderr)
            return None
        root = os.path.join(tmp, "root")
        for deb in os.listdir(tmp):
            if deb.endswith(".deb"):
                subprocess.run(["dpkg-deb", "-x", os.path.join(tmp, deb),
                                root], check=True)
        try:
            os.rename(root, os.path.join(CACHE, "root"))
        except OSError:
            pass  # another test unpacked it meanwhile
    return binary if os.path.exists(binary) else None


def exim_runs(binary):
    r = subprocess.run([binary, "-bV", "-C", "/dev/null"],
                       capture_output=True, text=True)
    return "Exim version" in r.stdout


class EximServer:
    """A private exim daemon on a loopback port with the given config
    body (everything after the main section's basics)."""

    def __init__(self, binary, port, body):
        self.binary = binary
        self.port = port
        self.dir = tempfile.mkdtemp(prefix="postern-exim-")
        os.chmod(self.dir, 0o755)
        for sub in ("spool", "log"):
            os.makedirs(os.path.join(self.dir, sub))
            os.chmod(os.path.join(self.dir, sub), 0o777)
        self.config = os.path.join(self.dir, "exim.conf")
        with open(self.config, "w") as f:
            f.write(
                "primary_hostname = exim-test.invalid\n"
                "exim_user = nobody\nexim_group = nogroup\n"
                "never_users =\n"
                "spool_directory = %(d)s/spool\n"
                "log_file_path = %(d)s/log/%%slog\n"
                "pid_file_path = %(d)s/exim.pid\n"
                "daemon_smtp_ports = %(port)d\n"
                "local_interfaces = 127.0.0.1\n"
                "tls_advertise_hosts =\n"
                "keep_environment =\n" % {"d": self.dir, "port": port}
                + body)
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [self.binary, "-C", self.config, "-bdf", "-oX", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        return self

    def mainlog(self):
        try:
            with open(os.path.join(self.dir, "log", "mainlog")) as f:
                return f.read()
        except OSError:
            return "(no mainlog)"

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if os.environ.get("POSTERN_KEEP_TEST_DIRS") is None:
            shutil.rmtree(self.dir, ignore_errors=True)
