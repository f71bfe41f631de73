"""Dedicated servers for the fault tests: a MariaDB, a Redis, gunicorn and RQ workers.

Each runs as a child process of the test on its own port (and, for MariaDB, its own data
directory and socket under a temporary folder), so a test may kill or restart it without
touching the machine's own services or another helper's. Nothing here is used outside
the tests.

- :class:`MariaDB`: ``mariadb-install-db`` into a temporary datadir, then ``mariadbd``;
  root over TCP without a password. ``kill()`` (SIGKILL, like a crash) and ``start()``
  again on the same port and datadir.
- :class:`Redis`: ``redis-server`` without persistence; ``stop()`` and ``start()``.
- :class:`Gunicorn`: the project's WSGI application with the environment given.
- :func:`manage`: a ``manage.py`` command (or :class:`Process` for one kept running,
  such as ``rqworker``) with the environment given, i.e. pointed at these servers.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import MySQLdb

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
MARIADBD = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
INSTALL_DB = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check: Callable[[], bool], timeout: float, what: str, step: float = 0.2) -> None:
    """Poll ``check`` until it is true; fail after ``timeout`` seconds (a hung server, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(step)
    raise TimeoutError(f"{what}: not ready after {timeout:.0f} s")


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def _root_args() -> list[str]:
    return ["--user=root"] if os.geteuid() == 0 else []


class Process:
    """A child process in its own process group (killing it kills its children, e.g. RQ's work horse)."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.args, self.env, self.log = args, env, log
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        handle = self.log.open("ab")
        self.popen = subprocess.Popen(
            self.args, env=self.env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        handle.close()
        return self

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, signum: int) -> None:
        if self.running:
            assert self.popen is not None
            os.killpg(self.popen.pid, signum)

    def kill(self) -> None:
        """SIGKILL to the whole group and to every process under it, then reap.

        An RQ work horse puts itself in a process group of its own (``os.setpgrp`` in
        ``fork_work_horse``), so killing the worker's group alone would leave the horse
        running its job: its descendants are found in /proc and killed too.
        """
        if self.popen is None:
            return
        below = _descendants(self.popen.pid)
        self.signal(signal.SIGKILL)
        for pid in below:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.popen.wait(timeout=30)

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM, then SIGKILL if it has not gone after ``timeout`` seconds."""
        if self.popen is None:
            return
        self.signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class MariaDB:
    """A MariaDB server of the test's own: temporary datadir, own port and socket."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.datadir = base / "data"
        self.socket = base / "mariadb.sock"
        self.port = free_port()
        self.process: Process | None = None

    def install(self) -> MariaDB:
        self.datadir.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [INSTALL_DB, "--no-defaults", f"--datadir={self.datadir}", "--auth-root-authentication-method=normal",
             "--skip-test-db", *_root_args()],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        return self

    def start(self) -> MariaDB:
        args = [
            MARIADBD, "--no-defaults", f"--datadir={self.datadir}", f"--port={self.port}",
            f"--socket={self.socket}", f"--pid-file={self.base / 'mariadb.pid'}", "--bind-address=127.0.0.1",
            "--skip-name-resolve", "--innodb-buffer-pool-size=128M", "--innodb-log-file-size=64M",
            "--innodb-flush-log-at-trx-commit=1", "--max-connections=300", "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_unicode_ci", *_root_args(),
        ]  # fmt: skip
        self.process = Process(args, dict(os.environ), self.base / "mariadb.log").start()
        wait_until(self._answers, 60, f"MariaDB on port {self.port}")
        return self

    def _answers(self) -> bool:
        if self.process is not None and not self.process.running:
            raise RuntimeError(f"mariadbd exited:\n{self.process.tail()}")
        try:
            MySQLdb.connect(unix_socket=str(self.socket), user="root").close()
        except MySQLdb.Error:
            return False
        return True

    def grant_tcp_root(self) -> None:
        """Root from 127.0.0.1 without a password (mariadb-install-db makes root@localhost only)."""
        with self.connect(tcp=False) as conn, conn.cursor() as cursor:
            cursor.execute("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'")
            cursor.execute("GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION")

    def connect(self, database: str | None = None, tcp: bool = True) -> MySQLdb.Connection:
        where = {"host": "127.0.0.1", "port": self.port} if tcp else {"unix_socket": str(self.socket)}
        return MySQLdb.connect(
            user="root", charset="utf8mb4", autocommit=True, **where, **({"database": database} if database else {})
        )

    def url(self, database: str) -> str:
        return f"mysql://root@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        with self.connect() as conn, conn.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
            cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")

    def copy_database(self, source: str, target: str) -> None:
        """``target`` as a copy of ``source`` (mariadb-dump piped into mariadb)."""
        self.create_database(target)
        tcp = ["-h127.0.0.1", f"-P{self.port}", "-uroot"]
        dump = subprocess.Popen(
            ["mariadb-dump", *tcp, "--single-transaction", "--skip-triggers", source], stdout=subprocess.PIPE
        )
        subprocess.run(["mariadb", *tcp, target], stdin=dump.stdout, check=True)
        assert dump.wait() == 0

    def kill(self) -> None:
        """SIGKILL: the server dies as in a crash (InnoDB recovers at the next start)."""
        assert self.process is not None
        self.process.kill()
        wait_until(lambda: not _listening(self.port), 30, "MariaDB port released")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop(timeout=60)


class Redis:
    """A redis-server of the test's own, without persistence."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.port = free_port()
        self.process: Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        args = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", str(self.base)]  # fmt: skip
        self.process = Process(args, dict(os.environ), self.base / "redis.log").start()
        wait_until(lambda: _listening(self.port), 30, f"Redis on port {self.port}")
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            wait_until(lambda: not _listening(self.port), 30, "Redis port released")


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, their children, ...), read from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def app_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of a server or worker pointed at the dedicated services."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_SETTINGS"))}
    env.update(
        DATABASE_URL=database_url, REDIS_URL=redis_url, RQ_ASYNC="1", DJANGO_SETTINGS_MODULE="thanhhoa_kpi.settings",
        DJANGO_ENV="development", PYTHONUNBUFFERED="1", CACHE_PREFIX=f"fault{os.getpid()}",
    )  # fmt: skip
    env.update(extra)
    return env


def _run(env: dict[str, str], args: list[str], timeout: float) -> str:
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)[:200]} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    """Run ``manage.py args`` to its end; its standard output."""
    return _run(env, [PYTHON, str(ROOT / "manage.py"), *args], timeout)


def python(env: dict[str, str], module: str, *args: str, timeout: float = 600) -> str:
    """Run ``python -m module args`` (a script of this package) to its end; its standard output."""
    return _run(env, [PYTHON, "-m", module, *args], timeout)


def python_code(env: dict[str, str], code: str, timeout: float = 600) -> str:
    """Run ``python -c code`` to its end; its standard output."""
    return _run(env, [PYTHON, "-c", code], timeout)


def rqworker(env: dict[str, str], log: Path) -> Process:
    """A real ``manage.py rqworker`` on the default queue (forking a work horse per job)."""
    return Process([PYTHON, str(ROOT / "manage.py"), "rqworker", "default", "--worker-ttl", "60"], env, log).start()


class Gunicorn:
    """The application served by gunicorn (threads, like production) on a port of its own."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = 2, threads: int = 12) -> None:
        self.port = free_port()
        args = [PYTHON, "-m", "gunicorn", "thanhhoa_kpi.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(workers), "--threads", str(threads), "--timeout", "120",
                "--graceful-timeout", "5"]  # fmt: skip
        self.process = Process(args, env, log)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Gunicorn:
        self.process.start()
        wait_until(self._answers, 90, f"gunicorn on port {self.port}")
        return self

    def _answers(self) -> bool:
        if not self.process.running:
            raise RuntimeError(f"gunicorn exited:\n{self.process.tail()}")
        return _listening(self.port)

    def stop(self) -> None:
        self.process.stop()


def temporary_base(prefix: str) -> Path:
    """A short path (the socket path must stay under 108 bytes)."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
