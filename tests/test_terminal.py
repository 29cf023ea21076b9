"""The screen survives any byte from its terminal: invalid UTF-8 (a Latin-1 paste, an 8-bit meta
key) and random noise once killed it through Textual's strict decoder (see tui/driver.py). The
real binary in tmux, bytes sent raw with `send-keys -H`."""

from __future__ import annotations

import random
import time

import pytest

from mopstui.store import Store

from .conftest import MOPSTUI
from .tmux import Tmux


@pytest.fixture
def tmux():
    server = Tmux()
    yield server
    server.kill_server()


def start(tmux: Tmux, tmp_path, db) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("timezone: UTC\nservices:\n  - {id: lead-form, name: Lead form, touchpoint: lead capture}\n")
    with Store(db) as store:
        store.declare("Lead form down", severity="SEV2", author="alice")
    tmux.start(
        "s",
        [MOPSTUI, "--config", str(config), "--db", str(db)],
        env={"MOPSTUI_USER": "sam", "TERM": "xterm-256color"},
        width=80,
        height=24,
    )
    tmux.wait_for("s", "Lead form down")


def send_bytes(tmux: Tmux, data: bytes) -> None:
    for start in range(0, len(data), 64):
        tmux.send("s", "-H", *(f"{b:02x}" for b in data[start : start + 64]))


def pid_of(tmux: Tmux) -> int:
    return int(tmux.run("display-message", "-p", "-t", "s", "#{pane_pid}").stdout.strip())


def gone(pid: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().split()[2] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def texts(db) -> list[str]:
    """Every entry's text, in any incident (noise may declare one and switch to it)."""
    with Store(db) as store:
        return [e.text for e in store.events_since(0)]


def test_invalid_utf8_is_shown_as_a_mark_and_the_screen_goes_on(tmux, tmp_path, db_path):
    start(tmux, tmp_path, db_path)
    pid = pid_of(tmux)
    tmux.send("s", "n")
    time.sleep(0.3)
    tmux.send("s", "Caf", literal=True)
    send_bytes(tmux, bytes([0xC3, 0x28]) + b" cr" + bytes([0xE8, 0x6D, 0x65]) + b" " + bytes([0xFF, 0xFE, 0x80, 0xC0]))
    tmux.send("s", " end", literal=True)
    tmux.send("s", "Enter")
    deadline = time.monotonic() + 10
    while len(texts(db_path)) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert tmux.alive("s"), "the screen died on invalid UTF-8"
    assert "Caf\ufffd( cr\ufffdme \ufffd\ufffd\ufffd\ufffd end" in texts(db_path)
    tmux.kill_server()
    assert gone(pid), "the screen outlived its terminal"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_bytes_never_kill_the_screen(tmux, tmp_path, db_path, seed):
    rng = random.Random(seed)
    start(tmux, tmp_path, db_path)
    pid = pid_of(tmux)
    # Any byte but the ones that quit on purpose: q, ctrl+q, ctrl+c, ctrl+z (suspend) and ctrl+p
    # (the palette's fuzzy match runs Quit from a few letters of noise). High bytes, invalid UTF-8,
    # cut-off escape sequences, control characters, printable noise, in bursts.
    allowed = [b for b in range(256) if b not in (ord("q"), 0x11, 0x03, 0x1A, 0x10)]
    for _ in range(20):
        burst = bytes(rng.choice(allowed) for _ in range(rng.randint(1, 60)))
        if rng.random() < 0.3:
            burst = b"\x1b[" + burst  # a cut-off escape sequence
        send_bytes(tmux, burst)
        time.sleep(rng.choice((0, 0, 0.05)))
    time.sleep(1)
    assert tmux.alive("s"), f"seed {seed}: the screen died on random bytes"
    # And it still answers: out of whatever the noise opened, into the entry line, an entry lands
    # (a loaded machine may still be working through the noise: try again until one lands).
    deadline = time.monotonic() + 30
    attempt = 0
    while time.monotonic() < deadline and not any("after the noise" in t for t in texts(db_path)):
        attempt += 1
        for _ in range(3):
            tmux.send("s", "Escape")
            time.sleep(0.3)
        tmux.send("s", "n")
        time.sleep(0.5)
        tmux.send("s", "C-u")
        tmux.send("s", f"after the noise {seed}.{attempt}", literal=True)
        tmux.send("s", "Enter")
        for _ in range(20):
            if any("after the noise" in t for t in texts(db_path)):
                break
            time.sleep(0.1)
    assert any("after the noise" in t for t in texts(db_path)), tmux.screen("s")
    assert tmux.alive("s")
    tmux.kill_server()
    assert gone(pid), "the screen outlived its terminal"


def entries(db) -> list[tuple[str, str]]:
    with Store(db) as store:
        return [(e.kind, e.text) for e in store.events(1) if e.kind in ("note", "action", "decision")]


def wait(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


@pytest.mark.parametrize("gap", [0.0, 0.05], ids=["one-burst", "50ms-apart"])
def test_escape_then_a_kind_key_logs_in_that_kind_with_no_control_characters(tmux, tmp_path, db_path, gap):
    start(tmux, tmp_path, db_path)
    tmux.log_entry("s", "Rolled back the tag", key="a")  # the line stays open, kind action
    assert wait(lambda: entries(db_path) == [("action", "Rolled back the tag")])
    if gap:
        send_bytes(tmux, b"\x1b")
        time.sleep(gap)
        send_bytes(tmux, b"dKeep the banner up\r")
    else:
        send_bytes(tmux, b"\x1bdKeep the banner up\r")
    assert wait(lambda: len(entries(db_path)) == 2), tmux.screen("s")
    assert entries(db_path)[1] == ("decision", "Keep the banner up")


def test_enter_right_after_escape_does_not_save_the_edit_dialog(tmux, tmp_path, db_path):
    start(tmux, tmp_path, db_path)
    tmux.send("s", "E")
    tmux.wait_for("s", "Change what was declared")
    time.sleep(0.3)
    tmux.send("s", " by accident", literal=True)
    time.sleep(0.3)
    send_bytes(tmux, b"\x1b\r")  # Escape and Enter in one read: Textual read it as Enter alone
    time.sleep(1.0)
    with Store(db_path) as store:
        assert store.incidents()[0].title == "Lead form down"
    assert "Change what was declared" not in tmux.screen("s")
