"""The war-room's first painted frame, against its floor, measured in the same run.

- floor: a Textual app with the same kinds of widgets filled from constants (floor_app.py);
- bare: a one-line Textual app (bare_app.py), for scale;
- mopstui on the demo's war-room (a few entries), and on one incident of 100,000 entries.

Each is started in a real 80x24 pseudo-terminal and timed from process start to the first frame
that shows its marker; the median of RUNS, the cases taking turns. Prints the ratios mopstui/floor and 100,000/100.

Usage: python bench/bench_first_frame.py [RUNS]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
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


def first_frame(argv: list[str], marker: bytes) -> float:
    proc = PtyProcess(argv, cols=80, rows=24)
    try:
        return proc.wait_for(marker)
    finally:
        proc.close()


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        seeded = workdir / "demo.db"
        with Store(seeded) as store:
            demo.seed(store, demo.demo_config(seeded))
        big = big_database(workdir, 100_000)
        small = big_database(workdir, 100)
        cases = {
            "bare": ([PYTHON, str(HERE / "bare_app.py")], b"BARE-READY"),
            "floor": ([PYTHON, str(HERE / "floor_app.py")], b"FLOOR-READY"),
            "demo": ([MOPSTUI, "--db", str(seeded), "--user", "bench"], b"Chat widget"),
            "100": ([MOPSTUI, "--db", str(small), "--user", "bench"], b"INC-1"),
            "100k": ([MOPSTUI, "--db", str(big), "--user", "bench"], b"INC-1"),
        }
        # Interleaved (one of each, RUNS times): on a shared host the load drifts during a run, and
        # a drift must not fall on one case only.
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(runs):
            for name, (argv, marker) in cases.items():
                times[name].append(first_frame(argv, marker))
        figures = {name: statistics.median(values) for name, values in times.items()}
    print(f"first painted frame, 80x24 pty, median of {runs}")
    print(f"  bare Textual app          {figures['bare']:.3f} s")
    print(f"  floor (same widgets)      {figures['floor']:.3f} s   floor/bare {figures['floor'] / figures['bare']:.2f}")
    print(f"  mopstui, demo war-room    {figures['demo']:.3f} s   mopstui/floor {figures['demo'] / figures['floor']:.2f}")
    print(f"  mopstui, 100 entries      {figures['100']:.3f} s   mopstui/floor {figures['100'] / figures['floor']:.2f}")
    print(
        f"  mopstui, 100,000 entries  {figures['100k']:.3f} s   mopstui/floor {figures['100k'] / figures['floor']:.2f}"
        f"   100,000/100 {figures['100k'] / figures['100']:.2f}"
    )


if __name__ == "__main__":
    main()
