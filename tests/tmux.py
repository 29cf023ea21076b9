"""Drive the real binary in tmux: send keys, read the screen back with capture-pane."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid

import pytest


def require_tmux() -> str:
    path = shutil.which("tmux")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("tmux is required in CI (.ci/run installs it)")
        pytest.skip("tmux is not installed: the end-to-end tests drive the real binary in tmux")
    return path


class Tmux:
    """One private tmux server (its own socket), so tests never touch the user's sessions."""

    def __init__(self) -> None:
        require_tmux()
        self.socket = f"mopstui-test-{uuid.uuid4().hex[:8]}"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=check)

    def start(self, name: str, command: list[str], *, env: dict[str, str], width: int = 100, height: int = 30) -> None:
        # Without COLUMNS/LINES: the test process has them (80x24), tmux hands them on, and the
        # screen then drew 80x24 in a window of any size.
        full = ["env", "-u", "COLUMNS", "-u", "LINES", *[f"{k}={v}" for k, v in env.items()], *command]
        self.run("new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), " ".join(_quote(c) for c in full))

    def send(self, name: str, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", name, *(["-l"] if literal else []), *keys)

    def log_entry(self, name: str, text: str, key: str = "n") -> None:
        """Press a kind key, type, Enter: the pause lets the input take focus first."""
        self.send(name, key)
        time.sleep(0.3)
        self.send(name, text, literal=True)
        self.send(name, "Enter")

    def screen(self, name: str) -> str:
        result = self.run("capture-pane", "-p", "-t", name, check=False)
        return result.stdout

    def wait_for(self, name: str, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen(name)
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} did not appear on {name} within {timeout}s; the screen was:\n{screen}")

    def alive(self, name: str) -> bool:
        return self.run("has-session", "-t", name, check=False).returncode == 0

    def wait_gone(self, name: str, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive(name):
                return True
            time.sleep(0.1)
        return False

    def kill_server(self) -> None:
        self.run("kill-server", check=False)


def _quote(word: str) -> str:
    import shlex

    return shlex.quote(word)
