"""A todo's owner and due date where the room reads it: on its timeline line (wrapped, never cut)
and in the strip under the timeline, overdue marked. The line's words are built once
(domain.timeline.todo_words); the screen tests drive the real binary in tmux."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from mopstui.domain.model import Event
from mopstui.domain.timeline import Annotations, todo_words

from .conftest import MOPSTUI, run_cli, write
from .test_readable import quit_screen, wait_for_entry
from .tmux import Tmux

TODAY = date(2026, 12, 7)  # a Monday


def event(id_: int, kind: str, text: str, value: dict | None = None, ref: int | None = None) -> Event:
    at = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
    return Event(id_, 1, at, at, "priya", kind, text, value=json.dumps(value) if value else None, ref=ref)


def test_the_line_says_who_owns_a_todo_and_by_when():
    todo = event(3, "action_item", "Fix the form", {"owner": "Sam", "due": "2026-12-08"})
    assert todo_words(todo, Annotations(), TODAY) == ("Sam, due Tue 8 Dec", False)


def test_overdue_no_owner_and_another_year_are_said():
    late = event(3, "action_item", "Write the FAQ", {"owner": "ana", "due": "2026-12-01"})
    assert todo_words(late, Annotations(), TODAY) == ("ana, due Tue 1 Dec, overdue", True)
    assert todo_words(event(4, "action_item", "Check the CRM sync"), Annotations(), TODAY) == ("no owner", False)
    later = event(5, "action_item", "Audit the forms", {"due": "2027-01-05"})
    assert todo_words(later, Annotations(), TODAY) == ("no owner, due Tue 5 Jan 2027", False)


def test_the_line_follows_the_todos_changes():
    """`f` (or `mopstui followup`) changes owner, due date and state: the line says the latest."""
    todo = event(3, "action_item", "Fix the form", {"owner": "Sam", "due": "2026-12-01"})
    notes = Annotations.of([event(6, "followup", "follow-up owner → Ana", {"owner": "Ana", "due": "2026-12-09"}, ref=3)])
    assert todo_words(todo, notes, TODAY) == ("Ana, due Wed 9 Dec", False)
    notes.add(event(7, "followup", "follow-up done", {"state": "done"}, ref=3))
    assert todo_words(todo, notes, TODAY) == ("Ana, done", False)  # done is never overdue


def test_only_todos_get_the_words_and_a_note_corrected_into_one_does():
    note = event(3, "note", "Fix the form")
    assert todo_words(note, Annotations(), TODAY) is None
    notes = Annotations.of([event(6, "correction", "kind now todo", {"kind": "action_item"}, ref=3)])
    assert notes.kind_now(note) == "action_item" and todo_words(note, notes, TODAY) == ("no owner", False)


def _due(day: date) -> str:
    return f"due {day:%a} {day.day} {day:%b}"


def _strip(screen: str) -> str:
    """The line under the timeline about the selected entry (`#4 · priya≠login … · todo — …`)."""
    return next((line for line in screen.splitlines() if re.search(r"#\d+ · priya", line)), "")


@pytest.fixture
def tmux():
    server = Tmux()
    yield server
    server.kill_server()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_a_todos_owner_and_due_date_are_read_on_screen(tmux, tmp_path, db_path, size):
    """The line said `todo  Fix the form` and nothing of who or when: at 80x24 now
    `Fix the form — sam, due Tue 8 Dec` on the wrapped line, an overdue one marked, and the
    strip under the timeline says the same for the selected todo."""
    today = datetime.now(UTC).date()  # the room's zone: UTC (no config)
    soon, late = today + timedelta(days=1), today - timedelta(days=3)
    run_cli("--db", str(db_path), "--user", "priya", "declare", "Lead form down", "--severity", "SEV2", check=True)
    long = "Fix the form validation so that leads are never lost again"
    run_cli("--db", str(db_path), "--user", "priya", "log", "1", f"/todo {long} owner:sam due:{soon}", check=True)
    run_cli("--db", str(db_path), "--user", "priya", "log", "1", f"/todo Write the FAQ owner:ana due:{late}", check=True)
    run_cli("--db", str(db_path), "--user", "priya", "log", "1", "/todo Check the CRM sync", check=True)
    width, height = size
    config = write(
        tmp_path / "c.yaml", "timezone: UTC\nservices:\n  - {id: lead-form, name: Lead form, touchpoint: lead capture}\n"
    )
    env = {"TERM": "xterm-256color"}
    command = [MOPSTUI, "--config", str(config), "--db", str(db_path), "--user", "priya"]
    tmux.start("room", command, env=env, width=width, height=height)
    entries = wait_for_entry(tmux, "room", lambda entry: entry.startswith("Check the CRM sync"))
    assert f"{long} — sam, {_due(soon)}" in entries, entries
    assert f"Write the FAQ — ana, {_due(late)}, overdue" in entries, entries
    assert "Check the CRM sync — no owner" in entries, entries
    tmux.send("room", "Escape")
    strip = ""
    for _ in range(8):  # up the timeline, one entry at a time, to the overdue todo
        tmux.send("room", "Up")
        deadline, before = time.monotonic() + 5, strip
        while strip == before and time.monotonic() < deadline:
            time.sleep(0.1)
            strip = _strip(tmux.screen("room"))
        if "#4 ·" in strip:
            break
    assert f"todo — ana, {_due(late)}, overdue" in strip, tmux.screen("room")
    run_cli("--db", str(db_path), "--user", "ana", "followup", "1", "4", "--done", check=True)
    wait_for_entry(tmux, "room", lambda entry: entry == "Write the FAQ — ana, done")
    deadline = time.monotonic() + 10
    while "todo — ana, done" not in tmux.screen("room") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "todo — ana, done" in tmux.screen("room"), tmux.screen("room")
    quit_screen(tmux, "room")


def test_mopstui_timeline_says_the_same(db_path):
    """`mopstui timeline` (the fast path over raw rows, and a search) gives a todo's owner and due
    date as the screen does, follow-ups included."""
    today = datetime.now(UTC).date()
    late = today - timedelta(days=2)
    run_cli("--db", str(db_path), "--user", "priya", "declare", "Lead form down", "--severity", "SEV2", check=True)
    run_cli("--db", str(db_path), "--user", "priya", "log", "1", f"/todo Write the FAQ owner:ana due:{late}", check=True)
    run_cli("--db", str(db_path), "--user", "priya", "log", "1", "/todo Check the CRM sync", check=True)
    run_cli("--db", str(db_path), "--user", "ana", "followup", "1", "4", "--owner", "sam", check=True)
    out = run_cli("--db", str(db_path), "timeline", "1", check=True).stdout
    assert f"Write the FAQ — ana, {_due(late)}, overdue" in out and "Check the CRM sync — sam" in out, out
    found = run_cli("--db", str(db_path), "timeline", "1", "--search", "FAQ", check=True).stdout
    assert f"Write the FAQ — ana, {_due(late)}, overdue" in found, found
