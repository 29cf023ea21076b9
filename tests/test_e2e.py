"""The real `mopstui` binary in tmux, as a user would run it."""

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


def test_demo_logs_an_entry_seen_on_screen_and_in_the_database(tmux, tmp_path):
    tmux.start("demo", [MOPSTUI, "demo"], env={"TMPDIR": str(tmp_path), "MOPSTUI_USER": "e2e-user", "TERM": "xterm-256color"})
    tmux.wait_for("demo", "Chat widget not loading")
    tmux.log_entry("demo", "CDN all green")
    screen = tmux.wait_for("demo", "CDN all green")
    assert "e2e-use" in screen  # the author column, as narrow panes show it
    (database,) = tmp_path.glob("mopstui-demo-*/demo.db")
    with Store(database) as store:
        logged = [e for e in store.events(1) if e.text == "CDN all green"]
    assert len(logged) == 1 and logged[0].author == "e2e-user" and logged[0].kind == "note"
    tmux.send("demo", "Escape")
    time.sleep(0.5)  # or the terminal reads ESC q as Alt+q
    tmux.send("demo", "q")
    assert tmux.wait_gone("demo"), "q did not end the program"
