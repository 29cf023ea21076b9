"""Headless commands: start-up of `--version`, `log`, `declare`, `incidents` and `timeline` on a
small war-room against `python -c 'import sqlite3'` (the floor: an interpreter that can open
SQLite), and `timeline` of one incident of 100,000 events against `sqlite-utils rows --csv` of the
same table and mopstui's own CSV export, all in the same run. Whole processes, medians of N runs:
wall time, and CPU time (user + system), which a busy machine disturbs less.
Usage: python bench/bench_cli.py [RUNS] [EVENTS]
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MOPSTUI = str(Path(sys.executable).parent / "mopstui")
SQLITE_UTILS = str(Path(sys.executable).parent / "sqlite-utils")
GOAL = 4.0  # the read commands' start-up goal, in floors


def measure(argv: list[str], runs: int) -> tuple[float, float]:
    """(wall, cpu) seconds, the median of `runs` whole processes each."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def start_up(tmp: Path, runs: int) -> None:
    db = str(tmp / "warroom.db")
    base = [MOPSTUI, "--db", db, "--user", "bench"]
    subprocess.run([*base, "declare", "Lead form down", "-s", "SEV2"], check=True, stdout=subprocess.DEVNULL)
    for n in range(20):
        subprocess.run([*base, "log", "1", f"entry {n}"], check=True, stdout=subprocess.DEVNULL)
    floor_wall, floor_cpu = measure([sys.executable, "-c", "import sqlite3"], runs)
    print(
        f"python -c 'import sqlite3' (the floor): {floor_wall * 1000:.0f} ms wall, {floor_cpu * 1000:.0f} ms CPU "
        f"(median of {runs})"
    )
    for name, args in (
        ("--version", ["--version"]),
        ("incidents", ["incidents"]),
        ("timeline", ["timeline", "1"]),
        ("log", ["log", "1", "a note"]),
        ("declare", ["declare", "Another", "-s", "SEV4"]),
    ):
        wall, cpu = measure([MOPSTUI, *args] if name == "--version" else [*base, *args], runs)
        goal = ""
        if name in ("incidents", "timeline", "log"):
            goal = f"  {'within' if wall / floor_wall <= GOAL else 'OVER'} the {GOAL:.0f}x goal"
        print(
            f"  mopstui {name:<10} {wall * 1000:5.0f} ms wall ({wall / floor_wall:4.1f}x)  "
            f"{cpu * 1000:5.0f} ms CPU ({cpu / floor_cpu:4.1f}x){goal}"
        )


def big_timeline(tmp: Path, events: int, runs: int) -> None:
    code = (
        f"import sys; sys.path.insert(0, {str(HERE)!r}); from common import big_database; "
        f"from pathlib import Path; big_database(Path({str(tmp)!r}), {events})"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    db = str(tmp / f"big-{events}.db")
    print(f"one incident of {events:,} events")
    base_wall, base_cpu = measure([SQLITE_UTILS, "rows", db, "events", "--csv"], runs)
    print(f"  sqlite-utils rows --csv (baseline) {base_wall:5.2f} s wall  {base_cpu:5.2f} s CPU")
    env_cache = {"XDG_CACHE_HOME": str(tmp / "cache")}  # the export's verified checkpoint stays in here
    os.environ.update(env_cache)
    for name, args in (("export --format csv", ["export", "1", "--format", "csv"]), ("timeline", ["timeline", "1"])):
        wall, cpu = measure([MOPSTUI, "--db", db, *args], runs)
        print(f"  mopstui {name:<26} {wall:5.2f} s wall ({wall / base_wall:3.1f}x)  {cpu:5.2f} s CPU ({cpu / base_cpu:3.1f}x)")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    events = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        start_up(Path(tmp), runs)
        big_timeline(Path(tmp), events, max(3, runs // 5))


if __name__ == "__main__":
    main()
