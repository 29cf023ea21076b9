"""A room of screens on one host: N mopstui sessions on one war-room, each in its own real
pseudo-terminal, idle with an incident open (clocks ticking), against N bare Textual apps
updating ten clocks once a second, measured the same way in the same run: CPU of all of them
together (percent of one core) and bytes written to each terminal per minute; then the time an
entry written by another process takes to reach every screen.

Usage: python bench/bench_room.py [SESSIONS] [SECONDS] [COLSxROWS ...]   (default 50 30 80x24 200x50)
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_tui import MOPSTUI, PYTHON, seeded_database  # noqa: E402
from pty_harness import PtyProcess  # noqa: E402


def drain(procs: list[PtyProcess], seconds: float) -> dict[int, int]:
    """Read every terminal for `seconds`; bytes read from each, by pid."""
    by_fd = {p.fd: p for p in procs}
    counts = {p.pid: 0 for p in procs}
    deadline = time.perf_counter() + seconds
    while (remaining := deadline - time.perf_counter()) > 0:
        ready, _, _ = select.select(list(by_fd), [], [], min(remaining, 0.05))
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                by_fd.pop(fd, None)
                continue
            by_fd[fd].output += chunk
            counts[by_fd[fd].pid] += len(chunk)
    return counts


def room(
    argv: list[str], marker: bytes, sessions: int, seconds: float, cols: int, rows: int, env: dict | None = None
) -> tuple[list[PtyProcess], float, float]:
    """Start `sessions` processes, wait for each first frame, then measure: (processes, percent
    of one core for all together, bytes per session per minute)."""
    procs = []
    for index in range(sessions):
        procs.append(PtyProcess(argv, cols=cols, rows=rows, env={**(env or {}), "MOPSTUI_USER": f"user{index}"}))
    for proc in procs:
        proc.wait_for(marker, timeout=120)
    drain(procs, 3.0)  # start-up work done, first rounds of presence written
    cpu_before = sum(p.cpu_seconds() for p in procs)
    written = drain(procs, seconds)
    cpu = sum(p.cpu_seconds() for p in procs) - cpu_before
    return procs, cpu / seconds * 100, sum(written.values()) / len(procs) * 60 / seconds


def main() -> None:
    sessions = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
    sizes = [tuple(int(x) for x in s.split("x")) for s in sys.argv[3:]] or [(80, 24), (200, 50)]
    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
        database = seeded_database(Path(tmp))
        ours = [MOPSTUI, "--db", str(database)]
        bare = [PYTHON, str(HERE / "clock_app.py")]
        for cols, rows in sizes:
            print(f"{sessions} sessions at {cols}x{rows}, idle with an incident open, measured over {seconds:.0f} s")
            procs, bare_cpu, bare_bytes = room(bare, b"CLOCKS-READY", sessions, seconds, cols, rows)
            for proc in procs:
                proc.close()
            print(f"  bare apps, 10 clocks each : {bare_cpu:5.1f} % of one core together, {bare_bytes:8,.0f} B/min each")
            procs, our_cpu, our_bytes = room(ours, b"Chat widget", sessions, seconds, cols, rows)
            try:
                print(
                    f"  mopstui                   : {our_cpu:5.1f} % of one core together, {our_bytes:8,.0f} B/min each"
                    f"   (ratio {our_cpu / max(bare_cpu, 0.01):.2f}x CPU, {our_bytes / max(bare_bytes, 1):.2f}x bytes)"
                )
                marker = f"zq{int(time.time()) % 100000}"  # short: an 80x24 timeline shows ~17 characters
                cpu_at_entry = sum(p.cpu_seconds() for p in procs)
                started = time.perf_counter()
                subprocess.run(
                    [MOPSTUI, "--db", str(database), "--user", "bench", "log", "1", marker], check=True, capture_output=True
                )
                logged = time.perf_counter() - started
                waiting = list(procs)
                seen = {}
                while waiting and time.perf_counter() - started < 30:
                    drain(waiting, 0.02)
                    for proc in list(waiting):
                        if marker.encode() in proc.output[-50000:]:
                            seen[proc.pid] = time.perf_counter() - started
                            waiting.remove(proc)
                slowest = max(seen.values()) if seen else float("nan")
                times = sorted(seen.values())
                if os.environ.get("BENCH_VERBOSE"):
                    spent = sum(p.cpu_seconds() for p in procs) - cpu_at_entry - our_cpu / 100 * (time.perf_counter() - started)
                    print(f"  CPU of the screens for the entry: {spent * 1000 / sessions:.1f} ms each beyond idle")
                    print("  each screen:", " ".join(f"{t:.2f}" for t in times))
                middle = times[len(times) // 2] if times else float("nan")
                print(
                    f"  an entry from another process on {len(seen)}/{sessions} screens in {slowest:.2f} s (slowest; "
                    f"median screen {middle:.2f} s; `mopstui log` itself took {logged:.2f} s of that)"
                )
            finally:
                for proc in procs:
                    proc.close()


if __name__ == "__main__":
    main()
