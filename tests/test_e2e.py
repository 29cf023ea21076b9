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
    said = tmp_path / "stdout.txt"  # what the demo says when it ends (the screen draws on stderr)
    tmux.start(
        "demo",
        ["sh", "-c", 'exec "$0" demo >"$1"', MOPSTUI, str(said)],
        env={"TMPDIR": str(tmp_path), "MOPSTUI_USER": "e2e-user", "TERM": "xterm-256color"},
    )
    tmux.wait_for("demo", "Chat widget not loading")
    tmux.log_entry("demo", "CDN all green")
    screen = tmux.wait_for("demo", "CDN all green")
    assert "e2e-use" in screen  # the author column, as narrow panes show it
    (database,) = tmp_path.glob("mopstui-demo-*/demo.db")
    # On screen at once ("saving…"), in the database a moment later: wait for the commit.
    deadline = time.monotonic() + 10
    while True:
        with Store(database) as store:
            logged = [e for e in store.events(1) if e.text == "CDN all green"]
        if logged or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(logged) == 1 and logged[0].author == "e2e-user" and logged[0].kind == "note"
    tmux.send("demo", "Escape")
    time.sleep(0.5)  # or the terminal reads ESC q as Alt+q
    tmux.send("demo", "q")
    assert tmux.wait_gone("demo"), "q did not end the program"
    first, *commands = said.read_text().strip().splitlines()
    assert first == (
        f"mopstui: the demo's war-room stays in {database.parent}/ (demo.db, config.yaml); delete the folder when you are done"
    )
    assert f"  mopstui --config {database.parent / 'config.yaml'} --db {database} export 1 -o INC-1-postmortem.md" in commands


def test_two_hosts_on_one_postgresql_war_room_see_each_other_live(tmux, pg_url):
    """Two screens as two hosts (each in its own UTS namespace, so each really has its own host
    name) on one war-room on a server: an entry typed on one shows on the other by notification."""
    import os
    import shlex
    import shutil

    from mopstui.store import open_store

    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("two host names on one machine need unshare --uts, as root")
    with open_store(pg_url) as store:
        store.declare("Checkout tracking gone", severity="SEV2", author="setup")
    env = {"TERM": "xterm-256color", "MOPSTUI_HEARTBEAT_SECONDS": "1"}
    for name, user in (("host-a", "alice"), ("host-b", "bob")):
        script = f"hostname {name} && exec {shlex.quote(MOPSTUI)} --db {shlex.quote(pg_url)} --user {user}"
        tmux.start(name, ["unshare", "--uts", "sh", "-c", script], env=env)
    for name in ("host-a", "host-b"):
        tmux.wait_for(name, "Checkout tracking gone")
    tmux.log_entry("host-a", "typed on host a")
    tmux.wait_for("host-b", "typed on host a", timeout=10)
    tmux.log_entry("host-b", "typed on host b")
    tmux.wait_for("host-a", "typed on host b", timeout=10)
    with open_store(pg_url) as store:
        deadline = time.monotonic() + 10
        while {p["host"] for p in store.present()} != {"host-a", "host-b"} and time.monotonic() < deadline:
            time.sleep(0.1)
        assert {p["host"]: p["user"] for p in store.present()} == {"host-a": "alice", "host-b": "bob"}
        notes = {e.text: e.author for e in store.events(1) if e.kind == "note"}
        assert notes == {"typed on host a": "alice", "typed on host b": "bob"}
    for name in ("host-a", "host-b"):
        tmux.send(name, "Escape")
    time.sleep(0.5)  # or the terminal reads ESC q as Alt+q
    for name in ("host-a", "host-b"):
        tmux.send(name, "q")
    for name in ("host-a", "host-b"):
        assert tmux.wait_gone(name), f"q did not end the screen on {name}"
