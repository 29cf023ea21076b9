"""Headless start-up: `mopstui log`, `declare`, `incidents` and `--version` on an existing
database, against `python -c 'import sqlite3'` in the same run (the floor: an interpreter that
can open SQLite). Whole processes, wall time, median of N runs.
Usage: python bench/bench_cli.py [RUNS]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MOPSTUI = str(Path(sys.executable).parent / "mopstui")


def wall(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "warroom.db")
        base = [MOPSTUI, "--db", db, "--user", "bench"]
        subprocess.run([*base, "declare", "Lead form down", "-s", "SEV2"], check=True, stdout=subprocess.DEVNULL)
        floor = wall([sys.executable, "-c", "import sqlite3"], runs)
        print(f"python -c 'import sqlite3': {floor * 1000:.0f} ms (median of {runs})")
        for name, args in (("--version", ["--version"]), ("log", ["log", "1", "a note"]),
                           ("declare", ["declare", "Another", "-s", "SEV4"]), ("incidents", ["incidents"])):
            figure = wall([*base, *args] if name != "--version" else [MOPSTUI, *args], runs)
            print(f"mopstui {name:<10} {figure * 1000:5.0f} ms  ({figure / floor:.1f}x the floor, "
                  f"{'within' if figure <= 0.25 else 'OVER'} the 0.25 s goal)")


if __name__ == "__main__":
    main()
