"""The war-room on PostgreSQL against SQLite, in one run: appends per second with 8 writer
processes while 10 other sessions listen, and how long an entry takes to reach those sessions
(p50/p95, from its commit to the listener having read it by id).

Both engines durable: SQLite WAL with synchronous=FULL, PostgreSQL with fsync on. PostgreSQL
is started here from the Debian binaries on a Unix socket (tests/pg.py). A listener is
`wait_for_change` then `events_since`, as a screen is: notifications on PostgreSQL, the
data_version poll on SQLite (every 50 ms here; a screen polls every 0.5 s).
Usage: python bench/bench_engines.py [WRITERS] [APPENDS_EACH] [LISTENERS]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))

from common import p95  # noqa: E402

from mopstui.store import open_store  # noqa: E402


def writer(location: str, name: str, count: int, pause: float = 0.0) -> None:
    with open_store(location) as store:
        for i in range(count):
            store.append(1, "note", f"{name} {i}", author=name)
            if pause:
                time.sleep(pause)  # people's pace, not a burst


def listener(location: str, expected: int) -> None:
    """Prints, as JSON, the delay of each entry it saw: from its recorded time to being read."""
    delays: list[float] = []
    with open_store(location) as store:
        seen = store.last_event_id()
        version = store.data_version()
        print("ready", flush=True)
        deadline = time.monotonic() + 300
        while len(delays) < expected and time.monotonic() < deadline:
            version = store.wait_for_change(version, timeout=1.0)
            events = store.events_since(seen)
            now = datetime.now().astimezone()
            for event in events:
                delays.append((now - event.recorded_at).total_seconds())
            if events:
                seen = events[-1].id
    print(json.dumps(delays), flush=True)


def run_engine(label: str, location: str, writers: int, each: int, listeners: int, pause: float = 0.0) -> None:
    with open_store(location) as store:
        store.declare("bench", severity="SEV3", author="bench")
    me = [sys.executable, str(Path(__file__).resolve())]
    ears = [
        subprocess.Popen([*me, "listener", location, str(writers * each)], stdout=subprocess.PIPE, text=True)
        for _ in range(listeners)
    ]
    for ear in ears:
        assert ear.stdout is not None and ear.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    hands = [subprocess.Popen([*me, "writer", location, f"w{n}", str(each), str(pause)]) for n in range(writers)]
    for hand in hands:
        if hand.wait(timeout=600) != 0:
            raise SystemExit(f"a writer failed on {label}")
    seconds = time.perf_counter() - started
    delays: list[float] = []
    for ear in ears:
        out, _ = ear.communicate(timeout=600)
        delays.extend(json.loads(out.strip().splitlines()[-1]))
    with open_store(location) as store:
        result = store.verify()
        assert result.ok and result.events == writers * each + 1, result.message
    delivery = "no listeners"
    if delays:
        delivery = (
            f"delivery to {listeners} sessions p50 {statistics.median(delays) * 1000:6.1f} ms, "
            f"p95 {p95(delays) * 1000:6.1f} ms ({len(delays)} deliveries)"
        )
    if pause:
        print(f"  {label:<10}: one entry every {pause * 1000:.0f} ms; {delivery}")
    else:
        print(
            f"  {label:<10}: {writers * each / seconds:7.0f} appends/s ({writers} writers x {each}, {seconds:5.2f} s); "
            f"{delivery}; chain verified"
        )


def main() -> None:
    writers, each, listeners = (int(a) for a in (sys.argv[1:4] + ["8", "250", "10"][len(sys.argv[1:4]) :]))
    from tests.pg import PostgresServer

    server = PostgresServer(durable=True)
    server.start()
    try:
        with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
            print(f"{writers} writer processes, {listeners} listening sessions, both engines durable")
            run_engine("SQLite", str(Path(tmp) / "warroom.db"), writers, each, listeners)
            run_engine("PostgreSQL", server.new_database(), writers, each, listeners)
            print(f"entries at people's pace (one writer, 100 entries), {listeners} listening sessions")
            run_engine("SQLite", str(Path(tmp) / "paced.db"), 1, 100, listeners, pause=0.02)
            run_engine("PostgreSQL", server.new_database(), 1, 100, listeners, pause=0.02)
    finally:
        server.cleanup()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "writer":
        writer(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]))
    elif len(sys.argv) > 1 and sys.argv[1] == "listener":
        listener(sys.argv[2], int(sys.argv[3]))
    else:
        main()
