"""The screen's costs, each against a baseline measured in the same run:

1. process start to first painted frame: `mopstui` on the demo database vs a bare Textual app;
2. key-press-to-repaint latency in the timeline with 100,000 events vs with 100;
3. idle (incident open, clocks ticking) CPU seconds and bytes written per minute, 80x24, in a
   real pseudo-terminal, vs the bare Textual app idling.

Usage: python bench/bench_tui.py [IDLE_SECONDS]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from common import big_database  # noqa: E402
from pty_harness import PtyProcess  # noqa: E402

from mopstui import demo  # noqa: E402
from mopstui.store import Store  # noqa: E402

PYTHON = sys.executable
MOPSTUI = str(Path(sys.executable).parent / "mopstui")


def seeded_database(workdir: Path) -> Path:
    database = workdir / "warroom.db"
    with Store(database) as store:
        demo.seed(store, demo.demo_config(database))
    return database


def startup(argv: list[str], marker: bytes, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        proc = PtyProcess(argv)
        try:
            times.append(proc.wait_for(marker))
        finally:
            proc.close()
    return statistics.median(times)


def idle(argv: list[str], marker: bytes, seconds: float) -> tuple[float, float]:
    """(CPU seconds per minute, bytes written per minute) after the first frame has settled."""
    proc = PtyProcess(argv, cols=80, rows=24)
    try:
        proc.wait_for(marker)
        proc.read_for(3.0)  # let start-up work finish
        cpu_before = proc.cpu_seconds()
        written = proc.read_for(seconds)
        cpu = proc.cpu_seconds() - cpu_before
    finally:
        proc.close()
    return cpu * 60 / seconds, written * 60 / seconds


async def key_latency(database: Path, presses: int = 60) -> tuple[float, float]:
    """(seconds to open the incident, median seconds from key press to repainted screen)."""
    from mopstui.config import load
    from mopstui.tui.app import WarRoomApp

    config = load([], database=str(database))
    opened = time.perf_counter()
    app = WarRoomApp(config, "bench", animations=False)
    latencies = []
    async with app.run_test(size=(80, 24)) as pilot:
        load_seconds = time.perf_counter() - opened
        app.q("#timeline").focus()
        await pilot.pause()
        for i in range(presses):
            start = time.perf_counter()
            await pilot.press("up" if i % 10 else "pageup")
            await pilot.pause()  # the repaint has happened when the message queue is idle again
            latencies.append(time.perf_counter() - start)
    return load_seconds, statistics.median(latencies)


def main() -> None:
    idle_seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 30.0
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        database = seeded_database(workdir)
        bare = [PYTHON, str(HERE / "bare_app.py")]
        ours = [MOPSTUI, "--db", str(database), "--user", "bench"]
        bare_start = startup(bare, b"BARE-READY")
        our_start = startup(ours, b"Chat widget")
        print("1. process start to first painted frame (median of 5, 80x24 pty)")
        print(f"   bare Textual app : {bare_start:.3f} s")
        print(f"   mopstui          : {our_start:.3f} s   ratio {our_start / bare_start:.2f}")

        small, big = big_database(workdir, 100), big_database(workdir, 100_000)
        small_open, small_key = asyncio.run(key_latency(small))
        big_open, big_key = asyncio.run(key_latency(big))
        print(
            "2. key press to repaint in the timeline (median of 60 presses, 80x24; through the test pilot, whose "
            "own wait is most of it: bench_keys.py measures a real pty)"
        )
        print(f"   100 events       : {small_key * 1000:.1f} ms  (opened in {small_open:.2f} s)")
        print(f"   100,000 events   : {big_key * 1000:.1f} ms  (opened in {big_open:.2f} s)   ratio {big_key / small_key:.2f}")

        bare_cpu, bare_bytes = idle(bare, b"BARE-READY", idle_seconds)
        our_cpu, our_bytes = idle(ours, b"Chat widget", idle_seconds)
        print(f"3. idle, incident open, clocks ticking, 80x24 pty, measured over {idle_seconds:.0f} s")
        print(f"   bare Textual app : {bare_cpu:.2f} CPU s/min ({bare_cpu / 60 * 100:.2f}% of a core), {bare_bytes:,.0f} B/min")
        print(f"   mopstui          : {our_cpu:.2f} CPU s/min ({our_cpu / 60 * 100:.2f}% of a core), {our_bytes:,.0f} B/min")
        print(
            f"   ratio CPU {our_cpu / max(bare_cpu, 1e-3):.1f}x; bytes {our_bytes / max(bare_bytes, 1):.0f}x "
            f"(~{our_bytes / 60:,.0f} B/s for 3 clocks)"
        )


if __name__ == "__main__":
    main()
