"""Fast typing and pastes on the real binary in tmux at 80x24, as a laggy SSH link delivers them:
keys in bunches. Enter logs exactly the words typed before it, once; a kind key right behind it
opens the next line; a pasted block is never cut or reordered."""

from __future__ import annotations

import re
import time

import pytest

from mopstui.store import Store

from .conftest import MOPSTUI, run_cli, write
from .tmux import Tmux

CONFIG = """\
timezone: UTC
vendors: []
services: []
"""


@pytest.fixture
def room(tmp_path, db_path):
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
    server = Tmux()
    command = [MOPSTUI, "--config", str(config), "--db", str(db_path), "--user", "priya"]
    server.start("room", command, env={"TERM": "xterm-256color"}, width=80, height=24)
    server.wait_for("room", "Chat widget down", timeout=30)
    yield server
    server.send("room", "Escape")
    server.send("room", "q")
    gone = server.wait_gone("room")
    server.kill_server()
    assert gone, "q did not end the screen"


def logged(db_path) -> list[tuple[str, str]]:
    with Store(db_path) as store:
        return [(e.kind, e.text) for e in store.events(1) if e.kind not in ("declared", "catalog", "system", "vendor")]


def wait_logged(db_path, count: int, timeout: float = 15) -> list[tuple[str, str]]:
    """Waits for `count` entries, then a moment more, so that a doubled one would show."""
    deadline = time.monotonic() + timeout
    while len(logged(db_path)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)
    return logged(db_path)


def test_two_entries_typed_in_one_burst_are_two_entries_each_once(room, db_path):
    room.send("room", "nalpha", "Enter", "nbeta", "Enter")  # one send-keys: one bunch of bytes
    assert wait_logged(db_path, 2) == [("note", "alpha"), ("note", "beta")]


def test_the_kind_of_each_entry_is_the_kind_its_own_key_picked(room, db_path):
    room.send("room", "cBanner is live", "Enter", "nTwo more tickets", "Enter", "dKeep the banner up", "Enter")
    assert wait_logged(db_path, 3) == [
        ("comms", "Banner is live"),
        ("note", "Two more tickets"),
        ("decision", "Keep the banner up"),
    ]


def test_a_second_entry_a_moment_later_is_its_own_entry(room, db_path):
    room.send("room", "nfirst of two", "Enter")
    time.sleep(0.3)  # the reported gap: the second arrived while the first was still being handled
    room.send("room", "asecond of two", "Enter")
    assert wait_logged(db_path, 2) == [("note", "first of two"), ("action", "second of two")]


def test_a_refused_entry_in_a_burst_comes_back_to_its_line_and_the_next_is_logged(room, db_path):
    room.send("room", "n/comm Banner is live", "Enter")
    room.wait_for("room", "did you mean /comms?")
    room.send("room", "Enter")  # unchanged: refused again, still kept
    room.wait_for("room", "did you mean /comms?")
    screen = room.screen("room")
    assert "/comm Banner is live" in screen, screen
    assert logged(db_path) == []


def paste(room: Tmux, text: str, *, bracketed: bool) -> None:
    room.run("set-buffer", "-b", "clip", text)
    room.run("paste-buffer", "-b", "clip", "-t", "room", *(["-p"] if bracketed else []))


def test_a_pasted_block_of_lines_is_one_entry_in_order_and_said(room, db_path):
    room.send("room", "n")
    room.wait_for("room", "note ▸")
    paste(room, "Line one of the paste\nLine two\nLine three", bracketed=True)
    room.wait_for("room", "Pasted 3 lines as one entry")
    room.send("room", "Enter")
    assert wait_logged(db_path, 1) == [("note", "Line one of the paste / Line two / Line three")]


def test_a_paste_keeps_its_words_in_order_without_control_sequences(room, db_path):
    room.send("room", "n")
    room.wait_for("room", "note ▸")
    paste(room, "Customer said: [bold]x[/bold] \x1b[31mred\x1b[0m", bracketed=True)
    room.send("room", "Enter")
    assert wait_logged(db_path, 1) == [("note", "Customer said: [bold]x[/bold] red")]


def test_an_unbracketed_paste_of_lines_never_logs_one_twice(room, db_path):
    room.send("room", "n")
    room.wait_for("room", "note ▸")
    paste(room, "Unbracketed A\nUnbracketed B\nUnbracketed C\n", bracketed=False)
    entries = wait_logged(db_path, 1)
    assert entries[0] == ("note", "Unbracketed A"), entries
    assert len(entries) == len(set(entries)), entries
    room.wait_for("room", "went nowhere")  # the rest, with no kind key before it: said, not logged


def test_a_paste_reaches_the_parser_in_order_without_its_terminal_sequences():
    from mopstui.tui.driver import EscapeSplitter

    pieces = EscapeSplitter().split("\x1b[200~said: \x1b[31mred\x1b[0m \x1b]0;title\x07done\x1b[201~\x1bd")
    assert pieces == ["\x1b[200~said: red done", "\x1b[201~", None, "d"]


def test_moves_typed_in_one_burst_all_move(room, tmp_path, db_path):
    for number in range(1, 7):
        run_cli(
            "--config",
            str(tmp_path / "c.yaml"),
            "--db",
            str(db_path),
            "--user",
            "priya",
            "log",
            "1",
            f"entry {number}",
            check=True,
        )
    room.wait_for("room", "entry 6")
    room.send("room", "G")  # the last entry
    last = selected(room, lambda number: number > 2)
    room.send("room", "kkkk")  # one bunch of keys: four lines up, as Up Up Up Up moves
    assert selected(room, lambda number: number != last) == last - 4
    room.send("room", "jj")
    assert selected(room, lambda number: number != last - 4) == last - 2


def selected(room: Tmux, done, timeout: float = 15) -> int:
    """The number of the entry the strip under the timeline shows, once `done(number)`."""
    deadline = time.monotonic() + timeout
    while True:
        found = re.search(r"│#(\d+) · ", room.screen("room"))
        if found and done(int(found.group(1))):
            time.sleep(0.5)  # any move still in flight lands
            return int(re.search(r"│#(\d+) · ", room.screen("room")).group(1))
        assert time.monotonic() < deadline, room.screen("room")
        time.sleep(0.05)


def draft_an_update(room: Tmux) -> None:
    room.send("room", "D")
    room.wait_for("room", "Draft a customer update for")
    # A deliberate choice (an arrow, then Enter): a bare Enter this soon after the dialog opened is
    # not taken, by design, and the dialog's title stays until one is.
    room.send("room", "Down", "Enter")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # the dialog gone and the draft in the line (a toast of the
        screen = room.screen("room")  # last draft may still be on screen, so not "Drafted from")
        if "Draft a customer update for" not in screen and "comms ▸" in screen:
            return
        time.sleep(0.05)
    raise AssertionError(f"the draft never reached the line:\n{room.screen('room')}")


def left_the_line(room: Tmux) -> None:
    """Escape, and the screen has taken it: the footer shows the war-room's keys again (while
    typing it shows only `/ Search`). A key sent behind an Escape still being read is taken with it
    as Alt+key, and a busy host reads late."""
    room.send("room", "Escape")
    room.wait_for("room", "n Note")


def test_a_drafted_update_is_never_logged_as_a_note(room, db_path):
    draft_an_update(room)
    left_the_line(room)
    room.send("room", "n")  # a note now: the untouched draft goes, said
    room.wait_for("room", "cleared: D drafts it again")
    room.send("room", "Two more tickets", "Enter")
    assert wait_logged(db_path, 1) == [("note", "Two more tickets")]
    draft_an_update(room)
    room.send("room", " Thanks for your patience.")  # edited: it stays a customer update
    left_the_line(room)
    room.send("room", "n")
    room.wait_for("room", "Your edited customer")
    room.send("room", "Enter")
    entries = wait_logged(db_path, 2)
    assert entries[1][0] == "comms" and entries[1][1].endswith("Thanks for your patience."), entries
