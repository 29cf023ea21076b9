"""An entry from another session on screen: the real `mopstui` screen in a pseudo-terminal, on a
PostgreSQL war-room (woken by its notification) and on an SQLite one (its 0.4 s poll), in one run.
Another connection appends an entry with a fresh marker; the time is from `append` returning
(committed) to the marker's bytes arriving from the screen's terminal.
Usage: python bench/bench_live.py [ENTRIES]
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from common import p95  # noqa: E402
from pty_harness import PtyProcess  # noqa: E402

from mopstui.store import open_store  # noqa: E402

MOPSTUI = str(Path(sys.executable).parent / "mopstui")


def fresh_marker(n: int, previous: str) -> str:
    """Text that differs from the previous marker at its first and last character: a screen
    repaints only the changed span of a line, so a shared prefix would never be sent whole."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    first = random.choice([c for c in letters if not previous or c != previous[0]])
    last = random.choice([c for c in letters if not previous or c != previous[-1]])
    return f"{first}q{n:03d}{random.randrange(10**6):06d}{last}"


def deliveries(location: str, entries: int, config: Path) -> list[float]:
    with open_store(location) as store:
        store.declare("Checkout tracking gone", severity="SEV2", author="bench")
    screen = PtyProcess([MOPSTUI, "--config", str(config), "--db", location, "--user", "watcher"], cols=120, rows=40)
    delays = []
    try:
        screen.wait_for(b"Checkout tracking", timeout=60)
        screen.read_for(1.0)  # settled: the first paint's bytes are behind us
        previous = ""
        with open_store(location) as other:
            for n in range(entries):
                marker = fresh_marker(n, previous)
                previous = marker
                other.append(1, "note", marker, author="bench")
                sent = time.perf_counter()
                while marker.encode() not in screen.output[-20000:]:
                    if time.perf_counter() - sent > 10:
                        raise TimeoutError(f"{marker} never reached the screen")
                    screen.read_for(0.002)
                delays.append(time.perf_counter() - sent)
                screen.read_for(random.uniform(0.05, 0.25))  # people's pace, and out of step with any poll
    finally:
        screen.close()
    return delays


def line(label: str, delays: list[float]) -> str:
    return (
        f"  {label:<10}: p50 {statistics.median(delays) * 1000:6.1f} ms, p95 {p95(delays) * 1000:6.1f} ms ({len(delays)} entries)"
    )


def main() -> None:
    entries = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    from tests.pg import PostgresServer

    server = PostgresServer(durable=True)
    server.start()
    try:
        with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
            # A catalog: with none, the screen's "empty catalog" notice covers the timeline's foot.
            config = Path(tmp) / "config.yaml"
            config.write_text("services:\n  - {id: checkout, name: Checkout, touchpoint: checkout}\n")
            print("an entry from another session, on a real screen (120x40, in a pty)")
            sqlite = deliveries(str(Path(tmp) / "warroom.db"), entries, config)
            postgres = deliveries(server.new_database(), entries, config)
            print(line("SQLite", sqlite) + "  (the screen's 0.4 s poll)")
            print(line("PostgreSQL", postgres) + "  (notification)")
            ratio = p95(postgres) / p95(sqlite)
            print(f"  ratio p95 : PostgreSQL at {ratio:.2f}x SQLite's")
    finally:
        server.cleanup()


if __name__ == "__main__":
    main()
