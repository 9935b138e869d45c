"""A local seekdb server, started from the binary the ``pylibseekdb`` package ships.

``policy-qa engine start`` runs it in the background with its files under one data folder, waits
until it answers, and prints the URL to reach it (``POLICY_QA_ENGINE_URL``)::

    DATA/engine.json   the URL (with its password), port and process id; readable by its owner only
    DATA/engine.log    what the server printed
    DATA/run, store, log, etc   seekdb's own files

seekdb listens on every interface and its ``root`` starts with no password. So the first start
sets a random password before anything else runs (through the server's Unix socket, which only
this machine can reach) and keeps it in ``engine.json``: seekdb has no option to listen on
loopback only, nor to set a password before its first start. ``stop`` sends SIGUSR1, seekdb's
clean shutdown (7–9 s; its SIGTERM handler kills itself at once), and SIGKILL after a minute.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pymysql

from corpus.folder import atomic_write
from index.errors import EngineError

STATE = "engine.json"
DEFAULT_PORT = 2881
DATABASE = "policy_qa"
START_SECONDS = 300.0  # a first start initialises the data folder: ~30–60 s on two cores
STOP_SECONDS = 60.0
# Small enough to share a machine with the API and its encoder; grow them for a large corpus.
# seekdb 1.4 ignores memory_limit (memory_budget is its setting; by default 80 % of the RAM);
# log_disk_size below 2G stops it at start; the data file grows by itself up to its maximum.
PARAMETERS = {"memory_budget": "3G", "datafile_size": "64M", "datafile_maxsize": "64G",
              "log_disk_size": "2G"}


@dataclass(frozen=True)
class EngineUrl:
    """``mysql://user:password@host:port/database``, the form POLICY_QA_ENGINE_URL takes."""

    host: str
    port: int
    user: str
    password: str
    database: str

    @classmethod
    def parse(cls, url: str) -> EngineUrl:
        """Raises:
            EngineError: not a mysql:// URL with a host and a database."""
        parts = urlsplit(url.strip())
        database = parts.path.lstrip("/")
        if parts.scheme not in ("mysql", "oceanbase") or not parts.hostname or not database:
            raise EngineError("the engine URL must look like mysql://user:password@host:port/database, "
                              f"not {_without_password(url)!r}")
        try:
            port = parts.port or DEFAULT_PORT
        except ValueError as error:
            raise EngineError(f"the engine URL has a bad port: {_without_password(url)!r}") from error
        return cls(parts.hostname, port, unquote(parts.username or "root"),
                   unquote(parts.password or ""), database)

    def __str__(self) -> str:
        return (f"mysql://{quote(self.user, safe='')}:{quote(self.password, safe='')}@{self.host}:"
                f"{self.port}/{self.database}")

    @property
    def address(self) -> str:
        """Where the engine is, for messages: no password."""
        return f"{self.host}:{self.port}"

    def connect(self, database: bool = True, timeout: float = 10.0, read_timeout: float | None = 600
                ) -> pymysql.Connection:
        """A new connection (autocommit off), in utf8mb4; ``read_timeout`` None for a statement
        that may run for long (rebuilding a vector index: over 10 minutes at 10^6 provisions).

        Raises:
            EngineError: the engine does not answer or refuses the credentials.
        """
        try:
            return pymysql.connect(host=self.host, port=self.port, user=self.user, password=self.password,
                                   database=self.database if database else None, charset="utf8mb4",
                                   connect_timeout=timeout, read_timeout=read_timeout, write_timeout=600,
                                   autocommit=False)
        except pymysql.Error as error:
            raise EngineError(f"cannot reach the engine at {self.address}: {_reason(error)}") from error


def binary() -> Path:
    """The seekdb server binary of the installed pylibseekdb package.

    Raises:
        EngineError: the package is not installed, or has no binary for this platform.
    """
    spec = importlib.util.find_spec("pylibseekdb")
    if spec is None or spec.origin is None:
        raise EngineError("the seekdb server is not installed: pip install pylibseekdb (or make install)")
    path = Path(spec.origin).parent / "seekdb"
    if not path.is_file():
        raise EngineError(f"pylibseekdb has no seekdb binary at {path}: this platform is not supported")
    if not os.access(path, os.X_OK):
        path.chmod(path.stat().st_mode | 0o111)  # wheels do not always keep the executable bit
    return path


@dataclass(frozen=True)
class Status:
    url: EngineUrl
    pid: int
    running: bool
    answering: bool

    @property
    def rss_mb(self) -> float:
        """The server's resident memory (0 when it does not run)."""
        return resident_mb(self.pid)


def resident_mb(pid: int | str) -> float:
    """A process's resident memory in MiB from /proc (``self`` for this one; 0 when gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def status(data: Path) -> Status | None:
    """What the data folder's engine is doing; None when none was ever started there."""
    state = _read_state(data)
    if state is None:
        return None
    url, pid = state
    running = _alive(pid)
    answering = False
    if running:
        with contextlib.suppress(EngineError):
            url.connect(timeout=3).close()
            answering = True
    return Status(url, pid, running, answering)


def start(data: Path, port: int | None = None, timeout: float = START_SECONDS,
          parameters: dict[str, str] | None = None) -> EngineUrl:
    """Start the engine of ``data`` unless it runs already; its URL once it answers.
    ``parameters`` override :data:`PARAMETERS` (``memory_budget`` for a large corpus).

    Raises:
        EngineError: the binary is missing, the port is taken, or the server does not answer in
            ``timeout`` seconds (the message points at its log).
    """
    data = data.resolve()
    current = status(data)
    if current is not None and current.running:
        _wait(current.url, current.pid, data, timeout)
        return current.url
    data.mkdir(parents=True, exist_ok=True)
    first = not (data / "store").exists()
    if current is not None and port is None and _port_free(current.url.port):
        port = current.url.port  # a restart keeps its port (and URL) when it can
    port = port or _free_port()
    if not _port_free(port):
        raise EngineError(f"port {port} is taken: start the engine with another --port")
    # WARN: at its default level seekdb logs ~7 MB a minute when idle; the level is not kept.
    command = [str(binary()), "--nodaemon", "--base-dir", str(data), "--port", str(port),
               "--log-level", "WARN"]
    for name, value in {**PARAMETERS, **(parameters or {})}.items():
        command += ["--parameter", f"{name}={value}"]
    with (data / "engine.log").open("ab") as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                   cwd=data, start_new_session=True)  # outlives the command that started it
    if first or current is None:
        url = EngineUrl("127.0.0.1", port, "root", secrets.token_urlsafe(24), DATABASE)
        _wait_socket(data, process.pid, timeout)
        _secure(data, url)
    else:
        url = EngineUrl(current.url.host, port, current.url.user, current.url.password, current.url.database)
    _write_state(data, url, process.pid)
    _wait(url, process.pid, data, timeout)
    return url


def stop(data: Path, timeout: float = STOP_SECONDS) -> bool:
    """Stop the engine of ``data``; False when it was not running."""
    state = _read_state(data.resolve())
    if state is None or not _alive(state[1]):
        return False
    pid = state[1]
    os.kill(pid, signal.SIGUSR1)
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
        time.sleep(0.2)
    return True


# Helpers -----------------------------------------------------------------------------------

def _secure(data: Path, url: EngineUrl) -> None:
    """Give root its password and create the database, through the local Unix socket."""
    try:
        connection = pymysql.connect(unix_socket=str(data / "run" / "sql.sock"), user="root", password="",
                                     charset="utf8mb4", autocommit=True, connect_timeout=10)
    except pymysql.Error as error:
        raise EngineError(f"the new engine in {data} refused its first connection: "
                          f"{_reason(error)}") from error
    with connection, connection.cursor() as cursor:
        cursor.execute("ALTER USER root IDENTIFIED BY %s", (url.password,))
        cursor.execute(f"CREATE DATABASE IF NOT EXISTS `{url.database}`")


def _wait_socket(data: Path, pid: int, timeout: float) -> None:
    """Until the server accepts connections on its Unix socket."""
    deadline = time.monotonic() + timeout
    sock = data / "run" / "sql.sock"
    while True:
        if sock.exists():
            try:
                pymysql.connect(unix_socket=str(sock), user="root", password="", connect_timeout=3).close()
                return
            except pymysql.Error:
                pass
        _check(pid, data, deadline, timeout)
        time.sleep(0.5)


def _wait(url: EngineUrl, pid: int, data: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            url.connect(timeout=3).close()
            return
        except EngineError:
            _check(pid, data, deadline, timeout)
            time.sleep(0.5)


def _check(pid: int, data: Path, deadline: float, timeout: float) -> None:
    if not _alive(pid):
        raise EngineError(f"the engine stopped while starting: see {data / 'engine.log'} and {data / 'log'}")
    if time.monotonic() > deadline:
        raise EngineError(f"the engine did not answer within {timeout:.0f} s: see {data / 'log'}")


def _read_state(data: Path) -> tuple[EngineUrl, int] | None:
    path = data / STATE
    if not path.is_file():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return EngineUrl.parse(raw["url"]), int(raw["pid"])
    except (OSError, ValueError, KeyError, TypeError, EngineError) as error:
        raise EngineError(f"{path} is damaged ({error}); stop the engine by hand and remove it") from error


def _write_state(data: Path, url: EngineUrl, pid: int) -> None:
    path = data / STATE
    atomic_write(path, json.dumps({"url": str(url), "pid": pid, "port": url.port}).encode())
    path.chmod(0o600)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):  # a zombie of ours has ended
        if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
            os.waitpid(pid, os.WNOHANG)
            return False
    return True


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        # As a server binds: a port whose last connections are in TIME_WAIT (an engine just
        # stopped) is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    """2881 when free (seekdb's own default), otherwise the next free one."""
    for port in range(DEFAULT_PORT, DEFAULT_PORT + 200):
        if _port_free(port):
            return port
    raise EngineError(f"no free port from {DEFAULT_PORT} to {DEFAULT_PORT + 199}: choose one with --port")


def _reason(error: pymysql.Error) -> str:
    return str(error.args[1] if len(error.args) > 1 else error)[:200]


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":…@")
    return url
