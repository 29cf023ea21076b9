from __future__ import annotations

import io
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
    """The command line's entry point (`mopstui.cli.main`), in this process: what a script would
    see (exit code, standard output and error) without an interpreter's start-up per call. Use
    `run_cli_process` where the process itself is the point (start-up, signals, a terminal)."""
    del timeout  # in-process: nothing to wait for
    from mopstui.cli import main

    out, err = _Captured(), _Captured()
    saved = sys.stdout, sys.stderr, sys.stdin, dict(os.environ)
    os.environ.update(env or {})
    sys.stdout, sys.stderr, sys.stdin = out, err, io.StringIO()
    try:
        code = main(list(args))
    except SystemExit as exit_:  # argparse: usage errors (2), --help and --version (0)
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 2)
    finally:
        sys.stdout, sys.stderr, sys.stdin = saved[:3]
        os.environ.clear()
        os.environ.update(saved[3])
    result = subprocess.CompletedProcess(["mopstui", *args], code, out.text(), err.text())
    if check and result.returncode != 0:
        raise AssertionError(f"mopstui {' '.join(args)} exited {result.returncode}: {result.stderr}")
    return result


class _Captured(io.TextIOWrapper):
    """A standard stream as a pipe would be: text over bytes (`.buffer` works), not a terminal."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), encoding="utf-8", newline="\n", write_through=True)

    def text(self) -> str:
        self.flush()
        return self.buffer.getvalue().decode("utf-8")  # type: ignore[attr-defined]


def run_cli_process(*args: str, env: dict | None = None, check: bool = False, timeout: float = 60) -> subprocess.CompletedProcess:
    """The real `mopstui` executable, in a subprocess (the few tests where the process matters)."""
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


# --------------------------------------------------------------------------- the suite's two speeds

# `make test-fast` leaves out what is slow by nature and rarely what a change needs: whole files
# whose every test starts real processes, tmux, a served screen, a property run or a burst of keys
# timed against the screen; any test that drives tmux or a real listener (the fixtures below) or
# needs the PostgreSQL server (it starts once per run, in seconds), or runs once per engine and
# this is the PostgreSQL run. A single slow test elsewhere says `@pytest.mark.slow` itself. What
# is left still covers every package (a change to any of them has fast tests to run).
SLOW_FILES = {
    "test_e2e.py", "test_shared_host.py", "test_hangup.py", "test_hangup_accounts.py", "test_concurrency.py",
    "test_monkey.py", "test_properties.py", "test_setup.py", "test_poller.py", "test_room.py", "test_link.py",
    "test_snapshots.py", "test_postgres.py", "test_tui_postgres.py", "test_duties.py", "test_terminal.py",
    "test_listen.py", "test_slips.py", "test_fast_typing.py", "test_dialog_bursts.py",
}  # fmt: skip
SLOW_FIXTURES = {"postgres_server", "pg_url", "tmux", "listener"}
# Tests that make Unix accounts (useradd locks /etc/passwd) or install into /opt run on one worker,
# one after another, when the suite runs on several (pytest-xdist, --dist loadgroup).
ACCOUNT_FILES = {"test_hangup_accounts.py", "test_setup.py", "test_no_war_room.py"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        params = getattr(item, "callspec", None)
        on_the_server = params is not None and "postgresql" in params.params.values()
        if item.path.name in SLOW_FILES or on_the_server or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
        # A wall-clock bound is the machine's as much as the code's: once more before it counts,
        # and the rerun is named in the summary (-raR).
        if item.get_closest_marker("timing"):
            item.add_marker(pytest.mark.flaky(reruns=1))
        if item.path.name in ACCOUNT_FILES:
            item.add_marker(pytest.mark.xdist_group("accounts"))


@pytest.fixture
def config(tmp_path, db_path):
    """The screen tests' config (tests/tui_helpers.py); a test file may define its own."""
    from .tui_helpers import make_config

    return make_config(tmp_path, db_path)


@pytest.fixture
def declared(db_path) -> Path:
    """A war-room with one incident declared: the lead form, SEV2."""
    from mopstui.store import Store

    with Store(db_path) as store:
        store.declare("Lead form not submitting", severity="SEV2", author="alice", services=["lead-form"])
    return db_path
