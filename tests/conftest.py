from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
MOPSTUI = str(Path(sys.executable).parent / "mopstui")


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path, monkeypatch):
    """No test reads the developer's own config or database, or inherits their identity."""
    for name in ("MOPSTUI_CONFIG", "MOPSTUI_DB", "MOPSTUI_USER", "SUDO_USER", "SSH_CONNECTION", "SSH_TTY", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "warroom.db"


def run_cli(*args: str, env: dict | None = None, check: bool = False, timeout: float = 60) -> subprocess.CompletedProcess:
    """The real `mopstui` entry point, in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run([MOPSTUI, *args], capture_output=True, text=True, env=full_env, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"mopstui {' '.join(args)} exited {result.returncode}: {result.stderr}")
    return result


@pytest.fixture
def cli(db_path):
    def call(*args: str, user: str = "alice", **kwargs) -> subprocess.CompletedProcess:
        return run_cli("--db", str(db_path), "--user", user, *args, **kwargs)

    return call


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def postgres_server():
    """One real PostgreSQL for the whole run (tests/pg.py); stopped, and proven stopped, at the end."""
    from .pg import start_or_skip

    server = start_or_skip()
    yield server
    server.cleanup()


@pytest.fixture
def pg_url(postgres_server) -> str:
    """The URL of a fresh, empty war-room database on the test server."""
    return postgres_server.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request, tmp_path) -> str:
    """A fresh war-room in each engine: an SQLite path, or a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "warroom.db")
    return request.getfixturevalue("pg_url")
