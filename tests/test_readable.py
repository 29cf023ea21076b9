"""The story readable on screen, as an on-call marketer sees it: the real binary in tmux at 80x24
and 120x40, read back with capture-pane."""

from __future__ import annotations

import getpass
import re
import time

import pytest

from mopstui.store import Store

from .conftest import MOPSTUI, run_cli
from .tmux import Tmux

KINDS = ("note", "action", "decision", "comms", "customer", "todo", "lesson", "declared", "status", "severity",
         "role", "star", "correct", "system", "vendor", "catalog", "override", "edit", "followup")
HEADER = re.compile(r"^\s*(?:\d\d:\d\d:\d\d\s+)?[+-]\d+[smhd]")
SCROLLBAR = "▁▂▃▄▅▆▇█"


@pytest.fixture
def tmux():
    server = Tmux()
    yield server
    server.kill_server()


def incident_pane(screen: str) -> list[str]:
    """The rightmost pane's inside, line by line (the incident pane, whatever sits beside it)."""
    rows = []
    for line in screen.splitlines():
        line = line.rstrip()
        if not line.endswith("│"):
            continue
        inner = line[: -1]
        left = inner.rfind("│")
        rows.append(inner[left + 1:].rstrip(SCROLLBAR + " "))
    return rows


def timeline_entries(screen: str) -> list[str]:
    """Each timeline entry as read off the screen: its first line from the text column on, and its
    wrapped lines joined to it with one space."""
    entries: list[str] = []
    inside = False
    for row in incident_pane(screen):
        kind = re.search(r"\s(" + "|".join(KINDS) + r")\s+", row[10:]) if HEADER.match(row) else None
        if kind is not None:
            entries.append(row[10 + kind.end():].strip())
            inside = True
        elif inside and row.startswith(" " * 20) and row.strip():
            entries[-1] += " " + row.strip()
        else:
            inside = False
    return entries


def wait_for_entry(tmux: Tmux, name: str, predicate, timeout: float = 30) -> list[str]:
    deadline = time.monotonic() + timeout
    entries: list[str] = []
    while time.monotonic() < deadline:
        entries = timeline_entries(tmux.screen(name))
        if any(predicate(entry) for entry in entries):
            return entries
        time.sleep(0.2)
    raise AssertionError(f"no such entry on screen within {timeout}s; the screen was:\n{tmux.screen(name)}")


def quit_screen(tmux: Tmux, name: str) -> None:
    tmux.send(name, "q")
    assert tmux.wait_gone(name), "q did not end the screen"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_the_demo_s_point_is_read_whole_on_screen(tmux, tmp_path, size):
    """Our probe says down, the vendor says operational: at 80x24 that entry was cut to 18
    characters (`Website chat widge…`), at 120x40 to 30. Every entry's whole text is on screen."""
    width, height = size
    tmux.start("demo", [MOPSTUI, "demo"], env={"TMPDIR": str(tmp_path), "MOPSTUI_USER": "priya", "TERM": "xterm-256color"},
               width=width, height=height)
    entries = wait_for_entry(tmux, "demo", lambda entry: "map ≠ territory" in entry)
    (database,) = tmp_path.glob("mopstui-demo-*/demo.db")
    with Store(database) as store:
        logged = [" ".join(e.text.split()) for e in store.events(1) if "map ≠ territory" in e.text]
    shown = [entry for entry in entries if "map ≠ territory" in entry]
    assert shown and all(entry in logged for entry in shown), (shown, logged)
    assert not any(entry.endswith("…") for entry in entries), entries
    quit_screen(tmux, "demo")


def test_the_real_login_shows_beside_the_chosen_name_never_cut(tmux, tmp_path, db_path):
    """`--user priya` on another account: the screen said `priya` in a 7-wide column and put the
    `(login …)` after the text, where a narrow pane cut it."""
    login = getpass.getuser()
    run_cli("--db", str(db_path), "--user", "ops", "declare", "Lead form down", "--severity", "SEV2", check=True)
    text = "Checked the form from three browsers and two networks; submissions stop at the consent step"
    run_cli("--db", str(db_path), "--user", "priya", "log", "1", text, check=True)
    tmux.start("room", [MOPSTUI, "--db", str(db_path), "--user", login], env={"TERM": "xterm-256color"}, width=80, height=24)
    wait_for_entry(tmux, "room", lambda entry: entry == text)
    assert f"priya≠login {login}" in tmux.screen("room")
    quit_screen(tmux, "room")
