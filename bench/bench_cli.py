"""Headless commands: start-up of `--version`, `incidents`, `timeline`, `log` and `declare` on a
small war-room against `python -c 'import sqlite3'` (the floor: an interpreter that can open
SQLite), and, on one incident of 100,000 events, `export --format csv` (with the user's checkpoint
in place, as from their second export on: the events before it are re-hashed as they are
written) and `timeline`, against `sqlite-utils rows --csv` of the same table.

Whole processes, interleaved (floor, A, B, ..., floor, A, B, ...) so that a busy machine disturbs
each alike; medians of wall time and of CPU time (user + system), which a busy machine disturbs
less. mopstui's bytecode is compiled first (`python -m compileall`), as an installed package's
is: a host with PYTHONDONTWRITEBYTECODE set would otherwise compile every module on every run.
Usage: python bench/bench_cli.py [RUNS] [EVENTS]
"""

from __future__ import annotations

import compileall
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent / "mopstui"
MOPSTUI = str(Path(sys.executable).parent / "mopstui")
SQLITE_UTILS = str(Path(sys.executable).parent / "sqlite-utils")
GOAL = 4.0  # the read commands' start-up goal, in floors
READS = ("incidents", "timeline", "log")


def interleaved(commands: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float]]:
    """{name: (wall, cpu)} seconds, each the median of `runs` whole processes, taken in turns."""
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            walls[name].append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus[name].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return {name: (statistics.median(walls[name]), statistics.median(cpus[name])) for name in commands}


def start_up(tmp: Path, runs: int) -> None:
    db = str(tmp / "warroom.db")
    base = [MOPSTUI, "--db", db, "--user", "bench"]
    subprocess.run([*base, "declare", "Lead form down", "-s", "SEV2"], check=True, stdout=subprocess.DEVNULL)
    for n in range(20):
        subprocess.run([*base, "log", "1", f"entry {n}"], check=True, stdout=subprocess.DEVNULL)
    commands = {
        "floor": [sys.executable, "-c", "import sqlite3"],
        "--version": [MOPSTUI, "--version"],
        "incidents": [*base, "incidents"],
        "timeline": [*base, "timeline", "1"],
        "log": [*base, "log", "1", "a note"],
        "declare": [*base, "declare", "Another", "-s", "SEV4"],
    }
    figures = interleaved(commands, runs)
    floor_wall, floor_cpu = figures.pop("floor")
    print(
        f"python -c 'import sqlite3' (the floor): {floor_wall * 1000:.0f} ms wall, {floor_cpu * 1000:.0f} ms CPU "
        f"(medians of {runs}, interleaved with each command)"
    )
    for name, (wall, cpu) in figures.items():
        goal = ""
        if name in READS:
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
    os.environ["XDG_CACHE_HOME"] = str(tmp / "cache")  # the export's verified checkpoint stays in here
    export = [MOPSTUI, "--db", db, "export", "1", "--format", "csv"]
    cold = interleaved({"cold": export}, 1)["cold"]  # verifies the whole chain, leaves the checkpoint
    print(f"one incident of {events:,} events (medians of {runs}, interleaved)")
    figures = interleaved(
        {
            "sqlite-utils rows --csv (baseline)": [SQLITE_UTILS, "rows", db, "events", "--csv"],
            "export --format csv": export,
            "timeline": [MOPSTUI, "--db", db, "timeline", "1"],
        },
        runs,
    )
    base_wall, base_cpu = figures.pop("sqlite-utils rows --csv (baseline)")
    print(f"  sqlite-utils rows --csv (baseline) {base_wall:5.2f} s wall  {base_cpu:5.2f} s CPU")
    for name, (wall, cpu) in figures.items():
        print(f"  mopstui {name:<26} {wall:5.2f} s wall ({wall / base_wall:3.1f}x)  {cpu:5.2f} s CPU ({cpu / base_cpu:3.1f}x)")
    print(f"  (the first export, with no checkpoint yet, verified the whole chain: {cold[0]:5.2f} s wall, {cold[1]:5.2f} s CPU)")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    events = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    compileall.compile_dir(str(PACKAGE), quiet=1)
    print(f"bytecode: mopstui's compiled first ({PACKAGE}), as an installed package's is")
    with tempfile.TemporaryDirectory() as tmp:
        start_up(Path(tmp), runs)
        big_timeline(Path(tmp), events, max(3, runs // 5))


if __name__ == "__main__":
    main()
