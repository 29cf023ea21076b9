"""The war-room on a real PostgreSQL server (tests/pg.py): the command line against it, moving a
war-room between engines, several writer processes, roles that make the log append-only for
real, the password never in a config, and a server that goes away and comes back."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import psycopg
import pytest

from mopstui.cli import main
from mopstui.store import StoreError, open_store

from .conftest import ROOT, run_cli, run_cli_process, write
from .test_duties import APP_GRANTS

WRITER = [sys.executable, "-m", "tests.writer"]


def mopstui(capsys, *argv: str) -> tuple[int, str, str]:
    """The real entry point, in-process."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_damaged_war_room_on_a_server_is_one_sentence_not_a_bug(pg_url, capsys):
    """A column gone from the log (an admin's slip, a half-restored dump): the store says the
    war-room cannot be read, as it does for a damaged SQLite file, never "a bug in mopstui"."""
    assert mopstui(capsys, "--db", pg_url, "--user", "alice", "declare", "Lead form down", "--severity", "SEV1")[0] == 0
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("ALTER TABLE events DROP COLUMN login")
    for argv in (("incidents",), ("timeline", "1"), ("export", "1"), ("log", "1", "still there?")):
        code, out, err = mopstui(capsys, "--db", pg_url, "--user", "alice", *argv)
        assert code == 1, (argv, out, err)
        assert "bug" not in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, (argv, err)
        if argv[0] != "log":  # a write says its own "database error in …", and that nothing was written
            assert "cannot be read" in err and "verify" in err, (argv, err)


def test_the_command_line_on_a_server(pg_url, capsys, tmp_path):
    assert mopstui(capsys, "--db", pg_url, "--user", "alice", "declare", "Lead form down", "--severity", "SEV1")[1] == "INC-1\n"
    assert mopstui(capsys, "--db", pg_url, "--user", "bob", "log", "1", "Rolled back the tag change", "-k", "action")[0] == 0
    assert mopstui(capsys, "--db", pg_url, "--user", "bob", "set-status", "1", "identified")[0] == 0
    code, out, _ = mopstui(capsys, "--db", pg_url, "timeline", "1", "--json")
    timeline = json.loads(out)
    assert code == 0 and [e["kind"] for e in timeline["events"]] == ["declared", "catalog", "action", "status"]
    assert timeline["events"][2]["author"] == "bob"
    code, out, _ = mopstui(capsys, "--db", pg_url, "verify")
    assert code == 0 and out.startswith("ok: The war-room's history is intact: 4 entries") and "fingerprint: 4 entries" in out
    code, out, _ = mopstui(capsys, "--db", pg_url, "export", "1", "--format", "json")
    exported = json.loads(out)
    assert code == 0 and [e["kind"] for e in exported["events"]] == ["declared", "catalog", "action", "status"]
    assert exported["head"]["events"] == 4
    code, _, err = mopstui(capsys, "--db", pg_url, "export", "1", "-o", str(tmp_path / "INC-1.md"))
    assert code == 0 and "wrote" in err and (tmp_path / "INC-1.md").read_text().startswith("# INC-1: Lead form down")


def test_a_password_is_never_taken_from_a_config_or_a_command_line(postgres_server, capsys, tmp_path):
    url = postgres_server.url("postgres").replace("mopstui@", "mopstui:hunter2@")
    code, out, err = mopstui(capsys, "--db", url, "incidents")
    assert code == 2 and "holds a password" in err and "hunter2" not in err + out
    config = write(tmp_path / "c.yaml", f"database: {url}\n")
    code, out, err = mopstui(capsys, "--config", str(config), "incidents")
    assert code == 2 and err.startswith(f"{config}:1:") and "hunter2" not in err + out


@pytest.mark.timing  # a wall-clock bound
def test_an_unreachable_server_is_one_sentence(tmp_path, capsys):
    url = f"postgresql://nobody@/warroom?host={tmp_path}"  # no server listens there
    started = time.monotonic()
    code, out, err = mopstui(capsys, "--db", url, "incidents")
    assert code == 1 and out == "" and err.startswith("mopstui: cannot reach the war-room database at postgresql://")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert time.monotonic() - started < 10


def test_copy_store_both_ways_keeps_ids_authors_and_hashes(pg_url, postgres_server, tmp_path, capsys):
    source = str(tmp_path / "warroom.db")
    assert mopstui(capsys, "--db", source, "--user", "alice", "declare", "Chat widget gone", "--severity", "SEV2")[0] == 0
    for i in range(30):
        assert mopstui(capsys, "--db", source, "--user", f"u{i % 3}", "log", "1", f"entry {i}")[0] == 0
    assert mopstui(capsys, "--db", source, "--user", "alice", "star", "1", "5")[0] == 0
    head = mopstui(capsys, "--db", source, "verify")[1].splitlines()[1]

    code, out, err = mopstui(capsys, "copy-store", source, pg_url)
    assert code == 0, err
    assert "33 entries" in out and out.splitlines()[1] == f"both verify to {head}"
    assert mopstui(capsys, "--db", pg_url, "verify")[1].splitlines()[1] == head
    # The server's war-room goes on from there: ids continue after the copied ones.
    assert mopstui(capsys, "--db", pg_url, "--user", "bob", "log", "1", "after the move")[1] == "#34\n"
    with open_store(pg_url) as store:
        assert [e.author for e in store.events(1)][2:5] == ["u0", "u1", "u2"]
        assert store.incident(1).title == "Chat widget gone"

    back = str(tmp_path / "back.db")
    code, out, err = mopstui(capsys, "copy-store", pg_url, back)
    assert code == 0, err
    with open_store(back) as copy, open_store(pg_url) as original:
        assert [e.to_dict() for e in copy.events(1)] == [e.to_dict() for e in original.events(1)]
        assert copy.verify().head == original.verify().head
        assert copy.append(1, "note", "next", author="c").id == 35

    # Into a war-room that is not empty: refused, nothing written.
    code, _, err = mopstui(capsys, "copy-store", source, pg_url)
    assert code == 1 and "already holds a war-room" in err
    with open_store(pg_url) as store:
        assert store.count_events() == 34


def test_eight_writer_processes_lose_and_duplicate_nothing(pg_url):
    with open_store(pg_url) as store:
        store.declare("load", severity="SEV3", author="setup")
    writers = [
        subprocess.Popen(
            [*WRITER, pg_url, "1", f"w{n}", "60"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for n in range(8)
    ]
    outputs = [w.communicate(timeout=240) for w in writers]
    for writer, (out, err) in zip(writers, outputs):
        assert writer.returncode == 0, err
        assert len(out.split()) == 60
    reported = sorted(int(x) for out, _ in outputs for x in out.split())
    assert len(set(reported)) == 480
    with open_store(pg_url) as store:
        texts = [e.text for e in store.events(1) if e.kind == "note"]
        assert sorted(texts) == sorted(f"w{n} entry {i}" for n in range(8) for i in range(60))
        result = store.verify()
        assert result.ok and result.events == 481 and result.head.last_id == 481


def test_roles_make_the_log_append_only_for_real(postgres_server, pg_url):
    """The documented set-up (README): the owner role creates the schema; the application role may
    append and read, and can neither change the log nor lift its guards."""
    with open_store(pg_url) as store:  # the owner opens it once: the schema exists
        store.declare("x", severity="SEV3", author="owner")
    database = pg_url.split("/")[-1].split("?")[0]
    postgres_server.admin("DO $$ BEGIN CREATE ROLE mopstui_app LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    with psycopg.connect(pg_url, autocommit=True) as owner:
        for grant in (f"GRANT CONNECT ON DATABASE {database} TO mopstui_app", *APP_GRANTS):
            owner.execute(grant)
    app_url = pg_url.replace("mopstui@", "mopstui_app@")
    with open_store(app_url) as store:
        assert not store.readonly
        store.append(1, "note", "written by the app role", author="alice")
        assert store.verify().ok
    with psycopg.connect(app_url, autocommit=True) as app:
        for attack in (
            "ALTER TABLE events DISABLE TRIGGER events_append_only",
            "DROP TRIGGER events_append_only ON events",
            "UPDATE events SET text = 'rewritten' WHERE id = 1",
            "DELETE FROM events WHERE id = 1",
            "TRUNCATE events",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(attack)
    with open_store(pg_url) as store:
        assert store.event(1).text == "x" and store.verify().ok


def test_a_server_restart_is_said_and_survived(postgres_server, pg_url):
    with open_store(pg_url) as store, open_store(pg_url) as other:
        store.declare("x", severity="SEV3", author="a")
        version = store.data_version()
        postgres_server.stop()
        try:
            with pytest.raises(StoreError, match=r"unreachable|cannot reach"):
                store.append(1, "note", "while the server is down", author="a")
        finally:
            postgres_server.start(init=False)
        # Both sessions come back on their own: the next call reconnects.
        assert other.append(1, "note", "after the restart", author="b").id == 2
        assert store.data_version() != version  # a reconnection counts as a change: catch up by id
        assert [e.text for e in store.events_since(1)] == ["after the restart"]
        assert store.verify().ok


def test_a_notification_wakes_a_waiting_session_from_another_process(pg_url):
    with open_store(pg_url) as store:
        store.declare("x", severity="SEV3", author="a")
        since = store.data_version()
        woke: list[float] = []
        waiter = threading.Thread(target=lambda: woke.append(store.wait_for_change(since, timeout=30)))
        waiter.start()
        written = run_cli_process("--db", pg_url, "--user", "b", "log", "1", "from another process")
        assert written.returncode == 0, written.stderr
        waiter.join(timeout=30)
        assert not waiter.is_alive() and woke and woke[0] != since


def test_two_watchers_on_two_hosts_one_lease_each_crossing_once(pg_url, tmp_path):
    """The room's duties across hosts: two `watch` processes on one server's war-room; one holds
    the lease, a threshold crossing is written exactly once, and both leave on SIGTERM."""
    import os
    import signal
    from datetime import timedelta

    from mopstui.base.timeutil import utcnow

    from .conftest import MOPSTUI

    config = write(tmp_path / "c.yaml", "polling: {interval: 1s}\nthresholds: {abandon: 1m, resolve: 30m}\n")
    os.chmod(config, 0o600)
    run_cli(
        "--config",
        str(config),
        "--db",
        pg_url,
        "--user",
        "priya",
        "declare",
        "Checkout failing",
        "-s",
        "SEV1",
        "--at",
        (utcnow() - timedelta(minutes=5)).isoformat(),
        check=True,
    )
    watchers = [
        subprocess.Popen(
            [MOPSTUI, "--config", str(config), "--db", pg_url, "watch", "--quiet"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        with open_store(pg_url) as store:
            deadline = time.monotonic() + 30
            while not any(e.dedupe == "INC-1:threshold:abandon" for e in store.events(1)):
                assert time.monotonic() < deadline and all(w.poll() is None for w in watchers), "no crossing written"
                store.wait_for_change(store.data_version(), timeout=0.5)
            holders = {store.lease_holder(name) for name in ("poller",)}
            assert len(holders) == 1 and next(iter(holders)).startswith("watch:")
    finally:
        for watcher in watchers:
            watcher.send_signal(signal.SIGTERM)
        results = [w.communicate(timeout=30) for w in watchers]
    for watcher, (_out, err) in zip(watchers, results):
        assert watcher.returncode == 0, err
    with open_store(pg_url) as store:
        crossings = [e for e in store.events(1) if e.dedupe == "INC-1:threshold:abandon"]
        assert len(crossings) == 1 and store.verify().ok


def test_a_war_room_from_a_newer_mopstui_is_refused(pg_url):
    with open_store(pg_url) as store:
        store.declare("x", severity="SEV3", author="a")
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("INSERT INTO mopstui_schema (name, applied_at) VALUES ('p999_future', '2030')")
    with pytest.raises(StoreError, match="written by a newer mopstui"):
        open_store(pg_url)


@pytest.mark.timing  # a wall-clock bound
def test_a_commit_elsewhere_wakes_a_screen_s_watcher_at_once_and_bursts_once(pg_url):
    """What a screen on a server is woken by: another session's commit, at once after a quiet
    spell; a burst of heartbeats wakes it once more at most every half second, not once per
    commit; entries, what people wait for, at most every tenth of a second, so one typed a moment
    after another is not held back half a second (bench_live: p50 342 ms before)."""
    from mopstui.store.backend import ENTRY_WAKES_AT_MOST_EVERY, WAKE_AT_MOST_EVERY

    with open_store(pg_url) as store, open_store(pg_url) as other:
        store.declare("x", severity="SEV3", author="a")
        wakes: list[float] = []
        woke, stop = threading.Event(), threading.Event()

        def on_change() -> None:
            wakes.append(time.monotonic())
            woke.set()

        def quiet() -> None:
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and time.monotonic() - wakes[-1] < 2 * WAKE_AT_MOST_EVERY:
                time.sleep(0.05)  # until a quiet spell: no wake for a whole second
            woke.clear()

        try:
            assert store.watch_changes(on_change, stop)
            other.append(1, "note", "settling", author="b")  # the first wake (and the listener's own) out of the way
            assert woke.wait(5)
            quiet()
            started = time.monotonic()
            other.append(1, "note", "from elsewhere", author="b")
            assert woke.wait(5) and time.monotonic() - started < 0.4  # at once after quiet, not after the 0.5 s pace
            before = len(wakes)
            for n in range(20):  # a burst of heartbeats
                other.heartbeat(f"s{n}", user="b", host="h", client="", pid=n, incident_id=1)
            burst_ended = time.monotonic()
            while time.monotonic() < burst_ended + 2 * WAKE_AT_MOST_EVERY:
                time.sleep(0.05)
            during = wakes[before:]
            assert 1 <= len(during) <= 2 + (burst_ended - started) / WAKE_AT_MOST_EVERY
            quiet()
            delays = []
            for n in range(8):  # entries a moment apart, as a room types them
                woke.clear()
                other.append(1, "note", f"typed {n}", author="b")
                sent = time.monotonic()
                assert woke.wait(5)
                delays.append(wakes[-1] - sent)
                time.sleep(0.15)
            assert max(delays) < 0.25, delays  # (paced at 0.5 s, these waited ~0.35 s)
            quiet()
            before, started = len(wakes), time.monotonic()
            for n in range(100):  # a script logging in a loop
                other.append(1, "note", f"looped {n}", author="b")
            time.sleep(3 * ENTRY_WAKES_AT_MOST_EVERY)
            window = time.monotonic() - started  # the loop and its tail
            assert 1 <= len(wakes) - before <= 1 + window / ENTRY_WAKES_AT_MOST_EVERY < 100
        finally:
            stop.set()


def test_a_commit_whose_answer_never_came_is_said_as_such(pg_url):
    """A connection lost at COMMIT: the write may have landed or not, and the message says exactly
    that (never "nothing was written"); the next call reconnects."""
    with open_store(pg_url) as store:
        store.declare("x", severity="SEV3", author="a")
        with pytest.raises(StoreError, match="may or may not have been saved"), store._write() as conn:
            conn.execute("SELECT 1")
            with psycopg.connect(pg_url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (store._raw().info.backend_pid,))
        assert store.append(1, "note", "after", author="a").id == 2 and store.verify().ok
