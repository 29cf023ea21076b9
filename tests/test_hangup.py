"""A screen whose terminal goes away leaves within seconds, releasing its presence, even while
another process holds the database's write lock: the real binary on a real pty, hung up."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import sqlite3
import struct
import termios
import time

import pytest

from mopstui.store import Store

from .conftest import MOPSTUI


def _spawn(db, config_path) -> tuple[int, int]:
    pid, master = pty.fork()
    if pid == 0:  # the child: a new session whose controlling terminal is the pty
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "MOPSTUI_USER": "hangup"}
        os.execve(MOPSTUI, [MOPSTUI, "--config", str(config_path), "--db", str(db)], env)
    return pid, master


def _read_until(master: int, needle: bytes, timeout: float) -> bytes:
    seen, deadline = b"", time.monotonic() + timeout
    while needle not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                seen += os.read(master, 65536)
            except OSError:
                break
    return seen


def _exited_within(pid: int, seconds: float) -> int | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.05)
    return None


def _present(db) -> list[str]:
    with Store(db) as store:
        return [p["user"] for p in store.present()]


@pytest.mark.parametrize("locked", [False, True], ids=["idle", "database-locked"])
@pytest.mark.timing  # a wall-clock bound
def test_a_hung_up_screen_leaves_within_seconds(tmp_path, locked):
    config_path = tmp_path / "c.yaml"
    config_path.write_text("timezone: UTC\n")
    db = tmp_path / "warroom.db"
    with Store(db) as store:
        store.declare("Lead form down", severity="SEV2", author="alice")
    pid, master = _spawn(db, config_path)
    holder = None
    try:
        drawn = _read_until(master, b"Lead form down", 30)
        assert b"Lead form down" in drawn, drawn[-500:]
        deadline = time.monotonic() + 10
        while "hangup" not in _present(db) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "hangup" in _present(db)
        if locked:  # another process holds the write lock through the hang-up
            holder = sqlite3.connect(db, timeout=0)
            holder.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        os.close(master)  # the SSH link drops: the kernel hangs the session up
        master = -1
        status = _exited_within(pid, 4.0)
        took = time.monotonic() - started
        assert status is not None, "still running 4 s after its terminal hung up"
        assert took < 2.0, f"ended {took:.2f} s after its terminal hung up"
        if holder is not None:
            holder.rollback()
            holder.close()
            holder = None
        else:
            assert "hangup" not in _present(db), "presence was not released"
    finally:
        if holder is not None:
            holder.close()
        if master >= 0:
            os.close(master)
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # and it is gone: no orphan
