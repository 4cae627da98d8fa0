"""Starting and stopping one respd process, or attaching to a running one."""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from urllib.parse import urlparse

import redis

# respd logs the port it bound when started with --port 0, in Redis's words.
_READY = re.compile(rb"Ready to accept connections tcp on port (\d+)")


class RespdError(Exception):
    """respd could not be found, started, or lacks a control the caller needs."""


def find_binary(explicit=None):
    """The respd to run: the given path, else $RESPD_BIN, else `respd` on PATH."""
    candidate = explicit or os.environ.get("RESPD_BIN") or shutil.which("respd")
    if not candidate:
        raise RespdError(
            "respd not found: put it on PATH, set RESPD_BIN, or pass --respd-bin"
        )
    if not (os.path.isfile(candidate) and os.access(candidate, os.X_OK)):
        raise RespdError(f"respd binary {candidate!r} is not an executable file")
    return candidate


class RespdServer:
    """One respd listening on 127.0.0.1.

    start() runs the binary with --port 0 and reads the port it bound from its log; attach() uses a
    server someone else runs (a container). Either way, `control` is a client for RESPD commands.
    """

    def __init__(self, host, port, process=None, workdir=None):
        self.host = host
        self.port = port
        self.process = process
        self._workdir = workdir
        self.control = self.client(db=0)

    @classmethod
    def start(cls, binary=None, args=(), start_timeout=10.0):
        binary = find_binary(binary)
        workdir = tempfile.mkdtemp(prefix="respd-pytest-")
        logfile = os.path.join(workdir, "respd.log")
        command = [binary, "--bind", "127.0.0.1", "--port", "0", "--logfile", logfile, *args]
        # Output goes to files, not pipes: a pipe nobody drains would stall the server.
        with open(os.path.join(workdir, "stderr.log"), "wb") as stderr:
            process = subprocess.Popen(
                command, cwd=workdir, stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr
            )
        try:
            port = _wait_for_port(process, workdir, start_timeout)
            server = cls("127.0.0.1", port, process, workdir)
            server.control.ping()
            return server
        except BaseException:
            _terminate(process)
            shutil.rmtree(workdir, ignore_errors=True)
            raise

    @classmethod
    def attach(cls, url):
        """A server already running at redis://host:port."""
        parsed = urlparse(url)
        server = cls(parsed.hostname or "127.0.0.1", parsed.port or 6379)
        server.control.ping()
        return server

    @property
    def pid(self):
        return self.process.pid if self.process else None

    def url(self, db=0):
        return f"redis://{self.host}:{self.port}/{db}"

    def client(self, db=0, **kwargs):
        """A redis-py client on `db`; a bounded socket timeout unless the caller gives one."""
        kwargs.setdefault("socket_timeout", 30)
        kwargs.setdefault("socket_connect_timeout", 10)
        return redis.Redis(host=self.host, port=self.port, db=db, **kwargs)

    def stop(self, timeout=5.0):
        """Stops the process this object started (by its pid); leaves an attached server running."""
        self.control.close()
        if self.process is not None:
            _terminate(self.process, timeout)
            self.process = None
        if self._workdir:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None


def _wait_for_port(process, workdir, timeout):
    logfile = os.path.join(workdir, "respd.log")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = _read(logfile) + _read(os.path.join(workdir, "stderr.log"))
            raise RespdError(
                f"respd exited with status {process.returncode} before listening:\n"
                + output.decode(errors="replace")
            )
        match = _READY.search(_read(logfile))
        if match:
            return int(match.group(1))
        time.sleep(0.02)
    raise RespdError(f"respd did not report its port within {timeout} s")


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b""


def _terminate(process, timeout=5.0):
    """SIGTERM, then SIGKILL if it has not exited within `timeout`; both by the child's pid."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout)
