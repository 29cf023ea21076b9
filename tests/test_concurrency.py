"""Real processes on one SQLite file: nothing lost, nothing locked, the chain intact."""

import os
import signal
import subprocess
import sys
import time

from mopstui.store import Store

from .conftest import ROOT

WRITER = [sys.executable, "-m", "tests.writer"]


def start_writer(db_path, name, count):
    return subprocess.Popen(
        [*WRITER, str(db_path), "1", name, str(count)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_eight_processes_appending_250_each(db_path):
    with Store(db_path) as store:
        store.declare("load", severity="SEV3", author="setup")
    writers = [start_writer(db_path, f"w{n}", 250) for n in range(8)]
    outputs = [w.communicate(timeout=240) for w in writers]
    for writer, (out, err) in zip(writers, outputs):
        assert writer.returncode == 0, err
        assert "locked" not in err and err == ""
        assert len(out.split()) == 250
    with Store(db_path) as store:
        texts = {e.text for e in store.events(1) if e.kind == "note"}
        assert len(texts) == 2000
        assert texts == {f"w{n} entry {i}" for n in range(8) for i in range(250)}
        result = store.verify()
        assert result.ok, result.message
        assert result.events == 2001


def test_kill_9_loses_nothing_that_was_reported_written(db_path):
    with Store(db_path) as store:
        store.declare("crash", severity="SEV3", author="setup")
    # A second writer keeps the lock busy so the kill lands at an arbitrary point mid-transaction.
    background = start_writer(db_path, "bg", 400)
    victim = start_writer(db_path, "victim", 100_000)
    reported = []
    deadline = time.monotonic() + 60
    while len(reported) < 150 and time.monotonic() < deadline:
        line = victim.stdout.readline()
        if line:
            reported.append(int(line))
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    # Anything printed after our last read was reported too: collect it.
    reported.extend(int(x) for x in victim.stdout.read().split())
    background.communicate(timeout=120)
    assert len(reported) >= 150
    with Store(db_path) as store:
        for event_id in reported:
            event = store.event(event_id)
            assert event is not None and event.author == "victim", event_id
        result = store.verify()
        assert result.ok, result.message


def test_concurrent_cli_writers(cli, db_path):
    cli("declare", "cli load", "--severity", "SEV2", check=True)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from mopstui.cli import main\n"
                f"for i in range(10): assert main(['--db', {str(db_path)!r}, '--user', 'u{n}', 'log', '1', f'u{n} #{{i}}']) == 0",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    with Store(db_path) as store:
        assert store.count_events(1) == 2 + 40  # declared + catalog snapshot + entries
