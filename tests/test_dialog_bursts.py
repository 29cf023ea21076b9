"""Typing right after a dialog closes, on the real binary in tmux at 80x24 and 120x40: `Intercom
confirmed the fix` became the note `tercom confirmed the fix` (its `n` opened a note). Now stray
typing is dropped, said once ("went nowhere"), and nothing is logged unless a kind key started it; no
dialog that changes the incident (status, severity, role, resolve, override, edit) changes
anything it was not asked to."""

from __future__ import annotations

import time

import pytest

from mopstui.store import Store

from .conftest import MOPSTUI, run_cli, write
from .tmux import Tmux

CONFIG = """\
timezone: UTC
vendors:
  - {id: intercom, name: Intercom, kind: statuspage, url: "http://127.0.0.1:9/intercom", components: [Messenger]}
services:
  - {id: chat, name: Chat widget, owner: support, tier: 1, touchpoint: chat, vendor: intercom, components: [Messenger]}
"""
BURST = "Intercom confirmed the fix"
# Each dialog: the keys that open it, and words only it shows.
DIALOGS = [
    ("status", ["s"], "status is investigating"),
    ("severity", ["v"], "INC-1: severity"),
    ("role", ["r"], "Take or assign a role"),
    ("resolve", ["R"], "Resolve INC-1?"),
    ("override", ["O", "O"], "Overrule Intercom's page"),  # the first O shows the vendors at 80x24
    ("edit", ["E"], "Change what was declared"),
]


@pytest.fixture
def tmux():
    server = Tmux()
    yield server
    server.kill_server()


def wait_until(tmux: Tmux, name: str, predicate, what: str, timeout: float = 15) -> str:
    deadline = time.monotonic() + timeout
    screen = tmux.screen(name)
    while not predicate(screen):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; the screen was:\n{screen}")
        time.sleep(0.05)
        screen = tmux.screen(name)
    return screen


def facts(db_path) -> tuple:
    with Store(db_path) as store:
        incident = store.incidents(include_resolved=True)[0]
        logged = [(e.kind, e.text) for e in store.events(1) if e.kind not in ("declared", "catalog", "system", "vendor")]
        overrides = store.room_events("override")
        return (incident.title, incident.summary, incident.status, incident.severity, dict(incident.roles)), logged, overrides


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_typing_right_after_each_dialog_closes_logs_nothing_and_changes_nothing(tmux, tmp_path, db_path, size):
    config = write(tmp_path / "c.yaml", CONFIG)
    run_cli(
        "--config",
        str(config),
        "--db",
        str(db_path),
        "--user",
        "priya",
        "declare",
        "Chat widget down",
        "--severity",
        "SEV2",
        check=True,
    )
    before = facts(db_path)
    command = [MOPSTUI, "--config", str(config), "--db", str(db_path), "--user", "priya"]
    tmux.start("room", command, env={"TERM": "xterm-256color"}, width=size[0], height=size[1])
    tmux.wait_for("room", "Chat widget down", timeout=30)
    for name, keys, title in DIALOGS:
        shows, gone = (lambda s, t=title: t in s), (lambda s, t=title: t not in s)
        tmux.send("room", "Escape")  # back on the incident: Escape ends any stray typing too
        wait_until(tmux, "room", lambda s: "╭─ Incident" in s, f"{name}: the incident pane")
        time.sleep(0.3)  # ESC then O at once is the start of a terminal's key sequence (SS3), not two keys
        for key in keys:
            tmux.send("room", key)
            time.sleep(0.4)
        wait_until(tmux, "room", shows, f"{name}: its dialog")
        time.sleep(0.4)  # the dialog read, as a person would
        tmux.send("room", "Escape")
        wait_until(tmux, "room", gone, f"{name}: its dialog closing")
        tmux.send("room", BURST, literal=True)  # at once, meant for an entry line nobody opened
        tmux.send("room", "Enter")
        wait_until(tmux, "room", lambda s: "went nowhere" in s, f"{name}: the word on the stray typing")
        assert facts(db_path) == before, name
    # The reported case: the status dialog closed by its choice, then the same typing.
    tmux.send("room", "Escape")
    wait_until(tmux, "room", lambda s: "╭─ Incident" in s, "the incident pane")
    time.sleep(0.3)
    tmux.send("room", "s")
    wait_until(tmux, "room", lambda s: "status is investigating" in s, "the status dialog")
    time.sleep(0.5)
    tmux.send("room", "Enter")  # the suggested next status
    wait_until(tmux, "room", lambda s: "status is investigating" not in s, "the status dialog closing")
    tmux.send("room", BURST, literal=True)
    tmux.send("room", "Enter")
    wait_until(tmux, "room", lambda s: "IDENTIFIED" in s, "the new status on screen")
    time.sleep(1.5)  # whatever the burst would have written has had the time to be written
    declared, logged, overrides = facts(db_path)
    assert declared == (*before[0][:2], "identified", *before[0][3:])
    assert (logged, overrides) == (before[1] + [("status", logged[-1][1])], before[2]), logged
    # After a pause, a kind key opens the line and what follows it is logged whole.
    tmux.send("room", "Escape")
    time.sleep(0.3)
    tmux.send("room", "n")
    time.sleep(0.4)
    tmux.send("room", BURST, literal=True)
    tmux.send("room", "Enter")
    deadline = time.monotonic() + 15
    while ("note", BURST) not in facts(db_path)[1] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [entry for entry in facts(db_path)[1] if entry[0] == "note"] == [("note", BURST)]
    tmux.send("room", "Escape")
    tmux.send("room", "q")
    assert tmux.wait_gone("room"), "q did not end the screen"
