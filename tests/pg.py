"""A real PostgreSQL for the tests: the Debian binaries, a cluster in a fresh directory under
/var/tmp (this host's /tmp is closed to other accounts), a Unix socket only (no network), run
as the `postgres` account when the suite runs as root (the server refuses root). Started once
per session, stopped at the end; the stop is proven (the process is gone)."""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest


def binaries() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True):
        if os.path.exists(os.path.join(candidate, "postgres")):
            return Path(candidate)
    found = shutil.which("postgres")
    return Path(found).resolve().parent if found else None


class PostgresServer:
    def __init__(self, *, durable: bool = False) -> None:
        """`durable`: fsync on, as in production (benchmarks); tests turn it off for speed."""
        bindir = binaries()
        if bindir is None:
            raise FileNotFoundError("no PostgreSQL server binaries (apt-get install postgresql)")
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="mopstui-pg-", dir="/var/tmp"))
        self.data = self.root / "data"
        self.as_user = _server_account() if os.geteuid() == 0 else None
        if self.as_user:
            import pwd

            account = pwd.getpwnam(self.as_user)
            os.chown(self.root, account.pw_uid, account.pw_gid)
        self.durable = durable
        self.proc: subprocess.Popen | None = None
        self.names = itertools.count(1)

    def _run(self, *argv: str) -> None:
        subprocess.run(argv, check=True, capture_output=True, user=self.as_user, cwd=self.root, timeout=120)

    def start(self, *, init: bool = True) -> None:
        if init:
            self._run(
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "mopstui",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            )
        with open(self.root / "server.log", "ab") as log:
            self.proc = subprocess.Popen(
                [
                    str(self.bindir / "postgres"),
                    "-D",
                    str(self.data),
                    "-k",
                    str(self.root),
                    "-c",
                    "listen_addresses=",
                    "-c",
                    f"fsync={'on' if self.durable else 'off'}",
                    "-c",
                    "max_connections=200",
                    "-c",
                    "shared_buffers=32MB",
                ],
                user=self.as_user,
                cwd=self.root,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
            )
        self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"PostgreSQL exited {self.proc.returncode}: {(self.root / 'server.log').read_text()[-2000:]}")
            try:
                psycopg.connect(self.url("postgres"), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        """Fast shutdown (clients cut off), and proof that the server ended."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        assert self.proc.poll() is not None
        self.proc = None

    def url(self, database: str, user: str = "mopstui") -> str:
        return f"postgresql://{user}@/{database}?host={quote(str(self.root), safe='')}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql)

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        name = f"warroom_{next(self.names)}"
        self.admin(f"CREATE DATABASE {name}")
        return self.url(name)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def _server_account() -> str:
    """The server refuses to run as root: Debian's `postgres` account, else `nobody`."""
    import pwd

    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise FileNotFoundError("no account to run the PostgreSQL server as (neither postgres nor nobody)")


def start_or_skip() -> PostgresServer:
    try:
        server = PostgresServer()
    except FileNotFoundError as error:
        if os.environ.get("CI") == "true":
            raise  # CI installs PostgreSQL (.ci/run): its absence there is a failure, never a skip
        pytest.skip(f"PostgreSQL tests need the server: {error}")
    try:
        server.start()
    except BaseException:
        server.cleanup()
        raise
    return server
