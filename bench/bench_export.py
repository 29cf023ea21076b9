"""Export of a 100,000-event incident to Markdown, JSON and CSV, versus `sqlite3 -csv` of the
same rows (the floor: no formatting at all); wall time, ratio and each process's peak memory.
Also the floor: Python reading the baseline's rows and formatting nothing.
The first export verifies the whole chain (cold); the next ones resume from the checkpoint it
left in the (temporary) private cache, as a user's second export does. Also `timeline --json`.
Usage: python bench/bench_export.py [EVENTS]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


MOPSTUI = str(Path(sys.executable).parent / "mopstui")


def run(argv: list[str], out: Path, env: dict | None = None) -> tuple[float, float]:
    """(seconds, peak resident MiB) of one process writing to `out`."""
    with open(out, "wb") as handle:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=handle, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    if status != 0:
        raise RuntimeError(f"{argv[0]} failed")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        # Built in another process: a child's peak memory counts its parent's at fork time.
        code = (
            f"import sys; sys.path.insert(0, {str(HERE)!r}); from common import big_database; "
            f"from pathlib import Path; big_database(Path({tmp!r}), {events})"
        )
        subprocess.run([sys.executable, "-c", code], check=True)
        database = workdir / f"big-{events}.db"
        print(f"export of one incident with {events:,} events")
        if shutil.which("sqlite3"):
            query = (
                "SELECT id, occurred_at, recorded_at, author, kind, text FROM events WHERE incident_id = 1 "
                "ORDER BY occurred_at, id"
            )
            base, base_mem = run(["sqlite3", "-csv", "-header", str(database), query], workdir / "base.csv")
            print(f"  sqlite3 -csv (baseline) : {base:6.2f} s  {base_mem:6.0f} MiB peak")
            # The floor under any Python export: reading the same rows into Python, formatting nothing.
            read = f"import sqlite3; c = sqlite3.connect({str(database)!r}).execute({query!r})\nwhile c.fetchmany(5000): pass"
            floor, _ = run([sys.executable, "-c", read], workdir / "floor.txt")
            print(f"  python reads those rows : {floor:6.2f} s  ratio {floor / base:5.1f}x (formatting nothing)")
        else:
            base = None
            print("  sqlite3 CLI not installed: no baseline")
        env = {**os.environ, "XDG_CACHE_HOME": str(workdir / "cache")}  # the checkpoint stays in here
        idle, idle_mem = run([MOPSTUI, "--version"], workdir / "v.txt", env)
        print(f"  mopstui --version       : {idle:6.2f} s  {idle_mem:6.0f} MiB peak (start-up alone)")
        for label, fmt in (("cold", "md"), ("", "md"), ("", "json"), ("", "csv")):
            out = workdir / f"out.{fmt}"
            seconds, memory = run([MOPSTUI, "--db", str(database), "export", "1", "--format", fmt], out, env)
            ratio = f"ratio {seconds / base:5.1f}x" if base else ""
            print(
                f"  mopstui export --format {fmt:<4}: {seconds:6.2f} s  {memory:6.0f} MiB peak  "
                f"{out.stat().st_size / 1e6:6.1f} MB  {ratio}{'  (cold: whole chain verified)' if label else ''}"
            )
        seconds, memory = run([MOPSTUI, "--db", str(database), "timeline", "1", "--json"], workdir / "t.json", env)
        ratio = f"ratio {seconds / base:5.1f}x" if base else ""
        print(f"  mopstui timeline --json  : {seconds:6.2f} s  {memory:6.0f} MiB peak  {ratio} (streamed)")


if __name__ == "__main__":
    main()
